"""A footprint study as a product system: the foreground process makes one declared unit and takes
each inventory line from its own background process, which emits the line's factor (kg CO₂e, fossil or
biogenic) per unit. Solved with ``engine`` — the same code path as any multi-process system."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pint

from tanpuhui.labels import engine
from tanpuhui.methodology import formulas

FLOWS = ("fossil", "biogenic")
# Geometric standard deviation of a line's amount by its data-quality score (1 best … 5 worst); the
# basic-uncertainty ladder of the ecoinvent pedigree approach, collapsed to one score.
GSD_BY_QUALITY = {1: 1.05, 2: 1.10, 3: 1.20, 4: 1.35, 5: 1.50}
DRAWS = 1000


class LineError(ValueError):
    def __init__(self, message: str, *, field_name: str) -> None:
        super().__init__(message)
        self.field_name = field_name


@dataclass(frozen=True)
class Line:
    stage: str
    name: str
    quantity: Decimal
    unit: str
    factor_value: Decimal
    factor_unit: str
    carbon: str = "fossil"
    data_quality: int = 3
    source: str = "secondary"
    excluded: bool = False
    key: str = ""
    factor: dict[str, Any] = field(default_factory=dict)


def kg_per_unit(*, unit: str, factor_value: Decimal, factor_unit: str) -> Decimal:
    """The factor in kg CO₂e per one ``unit`` of the line; ``UnitMismatch`` if they don't combine."""
    for text in (unit, factor_unit):
        try:
            formulas.parse_unit(text)
        except formulas.UnitMismatch:
            raise
        except Exception as exc:  # pint raises assorted errors on malformed expressions
            raise formulas.UnitMismatch(f"{text!r} is not a unit.") from exc
    try:
        q = formulas.UNITS.Quantity(factor_value, factor_unit) * formulas.UNITS.Quantity(Decimal(1), unit)
        return Decimal(str(q.to("kg_co2e").magnitude))
    except pint.errors.DimensionalityError as exc:
        raise formulas.UnitMismatch(
            f"A quantity in {unit} cannot be multiplied by a factor in {factor_unit} to give kg CO₂e."
        ) from exc


def compute(
    lines: Sequence[Line],
    *,
    cutoff_flow_pct: Decimal,
    cutoff_total_pct: Decimal,
    draws: int = DRAWS,
    seed: int = 0,
) -> dict[str, Any]:
    included = [line for line in lines if not line.excluded]
    n = len(included) + 1  # process 0: the product; process i: line i's background supply
    tech = [engine.Exchange(0, 0, 1.0)]
    bio: list[engine.Exchange] = []
    tech_gsd = [1.0]
    per_unit: list[float] = []
    for i, line in enumerate(included, start=1):
        f = float(kg_per_unit(unit=line.unit, factor_value=line.factor_value, factor_unit=line.factor_unit))
        per_unit.append(f)
        tech += [engine.Exchange(i, i, 1.0), engine.Exchange(i, 0, -float(line.quantity))]
        tech_gsd += [1.0, GSD_BY_QUALITY[line.data_quality]]
        bio.append(engine.Exchange(FLOWS.index(line.carbon), i, f))
    a = engine.matrix(tech, (n, n))
    b = engine.matrix(bio, (len(FLOWS), n))
    demand = np.zeros(n)
    demand[0] = 1.0
    solution = engine.solve(a, b, demand)
    by_process = solution.contributions.sum(axis=0)
    total = float(solution.inventory.sum())

    stages: dict[str, float] = {}
    for i, line in enumerate(included, start=1):
        stages[line.stage] = stages.get(line.stage, 0.0) + float(by_process[i])
    weights = np.abs(by_process[1:])
    weight_sum = float(weights.sum())
    dq = float(np.dot(weights, [line.data_quality for line in included]) / weight_sum) if weight_sum else None
    primary = sum(float(weights[k]) for k, line in enumerate(included) if line.source == "primary")

    excluded = []
    for line in lines:
        if line.excluded:
            est = float(line.quantity) * float(
                kg_per_unit(unit=line.unit, factor_value=line.factor_value, factor_unit=line.factor_unit)
            )
            excluded.append((line, est))
    gross = weight_sum + sum(abs(est) for _, est in excluded)
    pcts = [round(100 * abs(est) / gross, 3) if gross else 0.0 for _, est in excluded]
    flows_out: list[dict[str, Any]] = [
        {"name": line.name, "kg": round(est, 4), "pct": pct}
        for (line, est), pct in zip(excluded, pcts, strict=True)
    ]
    total_pct = sum(pcts)
    cutoff_ok = all(pct <= float(cutoff_flow_pct) for pct in pcts) and total_pct <= float(cutoff_total_pct)

    scores = engine.monte_carlo(
        tech,
        bio,
        (n, n, len(FLOWS)),
        demand,
        tech_gsd=tech_gsd,
        bio_gsd=[1.0] * len(bio),
        characterisation=np.ones(len(FLOWS)),
        draws=draws,
        seed=seed,
    )
    return {
        "total_kg": round(total, 4),
        "fossil_kg": round(float(solution.inventory[0]), 4),
        "biogenic_kg": round(float(solution.inventory[1]), 4),
        "stages": {stage: round(kg, 4) for stage, kg in stages.items()},
        "lines": [
            {
                "name": line.name,
                "stage": line.stage,
                "kg": round(float(by_process[i]), 4),
                "kg_per_unit": round(per_unit[i - 1], 6),
                "factor": line.factor,
            }
            for i, line in enumerate(included, start=1)
        ],
        "supply": [round(float(x), 6) for x in solution.supply],
        "data_quality": round(dq, 2) if dq is not None else None,
        "primary_share_pct": round(100 * primary / weight_sum, 2) if weight_sum else 0.0,
        "cutoff": {
            "ok": cutoff_ok,
            "excluded": flows_out,
            "total_pct": round(total_pct, 3),
            "flow_limit_pct": float(cutoff_flow_pct),
            "total_limit_pct": float(cutoff_total_pct),
        },
        "uncertainty": {
            "draws": draws,
            "p2_5": round(float(np.percentile(scores, 2.5)), 4),
            "p50": round(float(np.percentile(scores, 50)), 4),
            "p97_5": round(float(np.percentile(scores, 97.5)), 4),
            "mean": round(float(scores.mean()), 4),
        },
    }
