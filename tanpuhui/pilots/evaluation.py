"""Scoring a pilot against its indicator set: each indicator scores 0–1 (met: 1; a quantitative one
not met: the share of the target reached; yes/no: 1 or 0; missing: 0 and listed), weighted, summed to
100, graded — a reviewer's override (with its reason) replaces the computed score of its indicator."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from tanpuhui.pilots.models import Indicator, IndicatorSet, IndicatorValue, Pilot, ScoreOverride
from tanpuhui.pilots.services import indicator_set_for

GRADES = (
    (Decimal(90), "excellent", _("Excellent")),
    (Decimal(75), "good", _("Good")),
    (Decimal(60), "pass", _("Pass")),
    (Decimal(0), "fail", _("Not yet met")),
)
ONE = Decimal(1)


def indicator_score(
    indicator: Indicator, value: Decimal | None, achieved: bool | None
) -> tuple[Decimal | None, Decimal | None]:
    """(score 0..1 or None when missing, gap to target in the indicator's unit or None)."""
    if indicator.kind == Indicator.Kind.YES_NO:
        if achieved is None:
            return None, None
        return (ONE if achieved else Decimal(0)), None
    if value is None or indicator.target is None:
        return None, None
    target = indicator.target
    if indicator.comparator == Indicator.Comparator.GE:
        if value >= target:
            return ONE, Decimal(0)
        return (value / target if target > 0 else Decimal(0)), target - value
    if indicator.comparator == Indicator.Comparator.LE:
        if value <= target:
            return ONE, Decimal(0)
        return (target / value if value > 0 else Decimal(0)), value - target
    return (ONE if value == target else Decimal(0)), abs(value - target)


@dataclass
class Line:
    indicator: Indicator
    value: Decimal | None
    achieved: bool | None
    evidence: str
    score: Decimal | None
    computed: Decimal | None
    points: Decimal
    gap: Decimal | None
    override_reason: str = ""
    previous_points: Decimal | None = None


@dataclass
class Evaluation:
    pilot: Pilot
    indicator_set: IndicatorSet | None
    year: int
    lines: list[Line] = field(default_factory=list)
    total: Decimal = Decimal(0)
    grade: str = "fail"
    grade_label: str = ""
    missing: int = 0
    previous_total: Decimal | None = None


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def evaluate(pilot: Pilot, year: int, *, compare: bool = True) -> Evaluation:
    indicator_set = indicator_set_for(pilot, year=year)
    result = Evaluation(pilot=pilot, indicator_set=indicator_set, year=year)
    if indicator_set is None:
        return result
    values = {v.indicator_id: v for v in IndicatorValue.objects.filter(pilot=pilot, year=year)}
    overrides: dict[int, ScoreOverride] = {}
    for row in ScoreOverride.objects.filter(pilot=pilot, year=year).order_by("at", "id"):
        overrides[row.indicator_id] = row  # the latest counts
    scale = Decimal(100) / indicator_set.weight_total if indicator_set.weight_total else Decimal(0)
    total = Decimal(0)
    for indicator in indicator_set.indicators.all():
        reported = values.get(indicator.pk)
        value = reported.value if reported else None
        achieved = reported.achieved if reported else None
        computed, gap = indicator_score(indicator, value, achieved)
        override = overrides.get(indicator.pk)
        score = override.score if override else computed
        if computed is None and override is None:
            result.missing += 1
        points = _q((score or Decimal(0)) * indicator.weight * scale)
        total += points
        result.lines.append(
            Line(
                indicator=indicator,
                value=value,
                achieved=achieved,
                evidence=reported.evidence if reported else "",
                score=score,
                computed=computed,
                points=points,
                gap=gap,
                override_reason=override.reason if override else "",
            )
        )
    result.total = _q(total)
    for low, code, label in GRADES:
        if result.total >= low:
            result.grade, result.grade_label = code, str(label)
            break
    if compare and IndicatorValue.objects.filter(pilot=pilot, year=year - 1).exists():
        previous = evaluate(pilot, year - 1, compare=False)
        result.previous_total = previous.total
        before = {line.indicator.pk: line.points for line in previous.lines}
        for line in result.lines:
            line.previous_points = before.get(line.indicator.pk)
    return result
