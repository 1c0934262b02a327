"""Conversion rules and campaign multipliers: the one module that knows them.

Everything that asks "how many coins does a kg earn here, on that day, for that behaviour?" asks this
module: the ledger's conversion (``conversion.py``), funding's campaigns and donation rates
(``funding/services.py``), the demo data.

- **Conversion rule**: versioned per centre; the version in force on a day is the one with the latest
  ``effective_from`` on or before it. Caps bound the milli-coins awarded per resident and period.
- **Campaign multiplier**: reductions of a behaviour ("" = all) in a centre whose ``period_end`` lies in
  [``starts_on``, ``ends_on``] earn ``factor`` × coins. **One bound**: 1 < factor ≤ 10, at most two
  decimals (``MULTIPLIER_MIN``/``MULTIPLIER_MAX``, also a database check). **One overlap policy**:
  campaigns never overlap — a new multiplier whose days and behaviours meet an existing one's in the
  same centre is refused (409 ``overlapping_campaign``), so at most one multiplier is in force for a
  reduction and a campaign's cost preview is what it will really cost. ("" meets every behaviour.)
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.common.errors import Conflict, ValidationFailed
from tanpuhui.ledger.models import CampaignMultiplier, CapPeriod, ConversionCap, ConversionRule
from tanpuhui.metering.models import Behaviour
from tanpuhui.tenancy.models import Centre

MULTIPLIER_MIN = Decimal(1)  # exclusive: a factor of 1 is no campaign
MULTIPLIER_MAX = Decimal(10)  # inclusive
MULTIPLIER_PLACES = 2
PERIODS = tuple(CapPeriod.values)  # (TextChoices.values is computed on every access: too slow in loops)


def _decimal(value: Any, name: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Enter a number."), fields={name: [str(value)]}) from exc
    if not result.is_finite():
        raise ValidationFailed(_("Enter a number."), fields={name: [str(value)]})
    return result


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# --- conversion rules -------------------------------------------------------------------------


@transaction.atomic
def conversion_rule_create(
    *,
    centre: Centre,
    effective_from: date,
    coins_per_kg: Decimal | str | int | float,
    expiry_months: int = 24,
    caps: Sequence[dict[str, Any]] = (),
    notes: str = "",
) -> ConversionRule:
    """Add the next version of ``centre``'s conversion rule. ``caps``: ``[{"behaviour": "bus" or "",
    "period": "day"|"month"|"year", "max_coins": 50}, …]``."""
    rate = _decimal(coins_per_kg, "coins_per_kg")
    if rate < 0 or _places(rate) > 4:
        raise ValidationFailed(
            _("Use a non-negative rate with at most 4 decimals."), fields={"coins_per_kg": [str(rate)]}
        )
    # Versions are numbered per centre: lock the centre row so two staff publishing at the same
    # moment queue up instead of colliding on the unique (centre, version).
    Centre.objects.select_for_update().filter(pk=centre.pk).first()
    last = ConversionRule.objects.filter(centre=centre).aggregate(v=Max("version"))["v"] or 0
    rule = ConversionRule.objects.create(
        centre=centre,
        version=last + 1,
        effective_from=effective_from,
        coins_per_kg=rate,
        expiry_months=expiry_months,
        notes=notes,
    )
    for cap in caps:
        behaviour = cap.get("behaviour", "") or ""
        if behaviour and behaviour not in Behaviour.values:
            raise ValidationFailed(_("Unknown behaviour."), fields={"behaviour": [behaviour]})
        if cap["period"] not in CapPeriod.values or int(cap["max_coins"]) < 0:
            raise ValidationFailed(_("Invalid cap."), fields={"caps": [str(cap)]})
        ConversionCap.objects.create(
            rule=rule, behaviour=behaviour, period=cap["period"], max_coins=int(cap["max_coins"])
        )
    return rule


def rule_in_force(*, centre: Centre | int, on: date | None = None) -> ConversionRule | None:
    """The version of ``centre``'s conversion rule in force on ``on`` (default today), or None."""
    return (
        ConversionRule.objects.filter(
            centre_id=getattr(centre, "pk", centre), effective_from__lte=on or timezone.localdate()
        )
        .order_by("-effective_from")
        .first()
    )


# Documented centre parameter (tenancy.Centre.parameters): ``coins_per_kg`` — the rate for kg that
# are not converted by a rule (enterprise donations) when the centre has no conversion rule (default 1).
DEFAULT_COINS_PER_KG = Decimal("1")


def coins_per_kg_in_force(*, centre: Centre, on: date | None = None) -> tuple[Decimal, str]:
    """The rate turning kg CO₂e into coins at ``centre`` on ``on`` (default today), and where it came
    from: the conversion rule in force — the rate residents' reductions earn — or, without one, the
    centre parameter ``coins_per_kg`` (default 1)."""
    rule = rule_in_force(centre=centre, on=on)
    if rule is not None:
        return (
            rule.coins_per_kg,
            f"conversion rule v{rule.version} ({rule.effective_from:%Y-%m-%d}): {rule.coins_per_kg} coins/kg",
        )
    value = Decimal(str((centre.parameters or {}).get("coins_per_kg", DEFAULT_COINS_PER_KG)))
    return value, f"centre parameter coins_per_kg = {value}"


# --- campaign multipliers ---------------------------------------------------------------------


def multiplier_check(
    *, centre: Centre, behaviours: Sequence[str], starts_on: date, ends_on: date, factor: Any
) -> Decimal:
    """The one bound and the one overlap policy (module docstring). Returns the factor as a Decimal;
    raises ``ValidationFailed`` (bound, window, behaviours) or ``Conflict`` (overlap)."""
    value = _decimal(factor, "multiplier")
    if not MULTIPLIER_MIN < value <= MULTIPLIER_MAX or _places(value) > MULTIPLIER_PLACES:
        message = _("A multiplier is above 1 and at most 10.")
        raise ValidationFailed(message, fields={"multiplier": [message]})
    if ends_on < starts_on:
        message = _("The campaign ends before it starts.")
        raise ValidationFailed(message, fields={"ends_on": [message]})
    unknown = [b for b in behaviours if b and b not in Behaviour.values]
    if unknown:
        raise ValidationFailed(_("Unknown behaviour."), fields={"behaviours": unknown})
    meets = Q(behaviour="") if all(behaviours) else Q()  # "" (all behaviours) meets every campaign
    if all(behaviours):
        meets |= Q(behaviour__in=list(behaviours))
    clash = (
        CampaignMultiplier.objects.filter(centre=centre, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .filter(meets)
        .order_by("starts_on")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("Another multiplier campaign covers these behaviours then: %(name)s.") % {"name": clash.name},
            code="overlapping_campaign",
        )
    return value


@transaction.atomic
def campaign_multipliers_create(
    *,
    centre: Centre,
    name: str,
    starts_on: date,
    ends_on: date,
    factor: Any,
    behaviours: Sequence[str] = ("",),
    cause: Any = None,
) -> list[CampaignMultiplier]:
    """A campaign: reductions of each of ``behaviours`` ("" = all) in ``centre`` whose period ends
    between ``starts_on`` and ``ends_on`` (inclusive) earn ``factor`` × coins. Checked by
    ``multiplier_check`` under a lock of the centre row (two staff creating overlapping campaigns at
    once queue up; the second is refused). ``cause``: e.g. the funding campaign, recorded as
    ``cause_type``/``cause_id``."""
    Centre.objects.select_for_update().filter(pk=centre.pk).first()
    value = multiplier_check(
        centre=centre, behaviours=behaviours, starts_on=starts_on, ends_on=ends_on, factor=factor
    )
    cause_type, cause_id = ("", "") if cause is None else (cause._meta.label_lower, str(cause.pk))
    return [
        CampaignMultiplier.objects.create(
            centre=centre,
            name=name[:100],
            behaviour=behaviour,
            starts_on=starts_on,
            ends_on=ends_on,
            factor=value,
            cause_type=cause_type,
            cause_id=cause_id,
        )
        for behaviour in dict.fromkeys(behaviours)
    ]


def campaign_multiplier_create(
    *,
    centre: Centre,
    name: str,
    starts_on: date,
    ends_on: date,
    factor: Any,
    behaviour: str = "",
    cause: Any = None,
) -> CampaignMultiplier:
    """One multiplier for one behaviour ("" = all): ``campaign_multipliers_create`` of one."""
    (multiplier,) = campaign_multipliers_create(
        centre=centre,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        factor=factor,
        behaviours=(behaviour,),
        cause=cause,
    )
    return multiplier


# --- the rule book: rules, caps and multipliers as plain rows (the pricing reads these) ----------


class Cap(NamedTuple):
    behaviour: str  # "" = all behaviours together
    period: str  # CapPeriod value
    limit_milli: int


class RuleVersion(NamedTuple):
    pk: int
    effective_from: date
    rate_e4: int  # coins per kg × 10 000
    caps: tuple[Cap, ...] = ()


class Multiplier(NamedTuple):
    pk: int
    behaviour: str  # "" = all
    starts_on: date
    ends_on: date
    factor_e3: int  # factor × 1000


NO_MULTIPLIER_E3 = 1000


class RuleBook:
    """Rule versions, caps and multipliers per centre, with memoised look-ups. Built from the
    database (``RuleBook.load``) or from plain rows (tests: no database needed)."""

    def __init__(
        self,
        rules: Mapping[int, Iterable[RuleVersion]] | None = None,
        multipliers: Mapping[int, Iterable[Multiplier]] | None = None,
    ) -> None:
        self.rules = {c: sorted(rs, key=lambda r: r.effective_from) for c, rs in (rules or {}).items()}
        self.starts = {c: [r.effective_from for r in rs] for c, rs in self.rules.items()}
        self.multipliers = {c: list(ms) for c, ms in (multipliers or {}).items()}
        self.cap_pairs = sorted(
            {(c.behaviour, c.period) for rs in self.rules.values() for r in rs for c in r.caps}
        )
        self._rule_memo: dict[tuple[int, date], RuleVersion | None] = {}
        self._mult_memo: dict[tuple[int, str, date], Multiplier | None] = {}

    @classmethod
    def load(cls, centre_ids: Iterable[int]) -> RuleBook:
        ids = list(centre_ids)
        caps: dict[int, list[Cap]] = defaultdict(list)
        for cap in ConversionCap.objects.filter(rule__centre_id__in=ids):
            caps[cap.rule_id].append(Cap(cap.behaviour, cap.period, cap.max_coins * 1000))
        rules: dict[int, list[RuleVersion]] = defaultdict(list)
        for rule in ConversionRule.objects.filter(centre_id__in=ids):
            rate_e4 = int(rule.coins_per_kg * 10000)
            rules[rule.centre_id].append(
                RuleVersion(rule.pk, rule.effective_from, rate_e4, tuple(caps.get(rule.pk, ())))
            )
        multipliers: dict[int, list[Multiplier]] = defaultdict(list)
        for m in CampaignMultiplier.objects.filter(centre_id__in=ids):
            multipliers[m.centre_id].append(
                Multiplier(m.pk, m.behaviour, m.starts_on, m.ends_on, int(m.factor * 1000))
            )
        return cls(rules, multipliers)

    def rule(self, centre_id: int, day: date) -> RuleVersion | None:
        key = (centre_id, day)
        if key not in self._rule_memo:
            i = bisect.bisect_right(self.starts.get(centre_id, []), day) - 1
            self._rule_memo[key] = self.rules[centre_id][i] if i >= 0 else None
        return self._rule_memo[key]

    def multiplier(self, centre_id: int, behaviour: str, day: date) -> Multiplier | None:
        """The campaign in force. Campaigns never overlap (``multiplier_check``); rows from before
        that policy that do overlap resolve to the largest factor (then the lowest id), never a product."""
        key = (centre_id, behaviour, day)
        if key not in self._mult_memo:
            found = [
                m
                for m in self.multipliers.get(centre_id, ())
                if m.behaviour in ("", behaviour) and m.starts_on <= day <= m.ends_on
            ]
            self._mult_memo[key] = min(found, key=lambda m: (-m.factor_e3, m.pk)) if found else None
        return self._mult_memo[key]


@functools.lru_cache(maxsize=1 << 16)  # pricing asks for the same few hundred days over and over
def period_start(period: str, day: date) -> date:
    """The first day of the cap period containing ``day`` (the same key SQL's date_trunc gives)."""
    if period == CapPeriod.DAY:
        return day
    if period == CapPeriod.MONTH:
        return day.replace(day=1)
    return date(day.year, 1, 1)


def period_next(period: str, start: date) -> date:
    """The first day of the cap period after the one starting at ``start``."""
    if period == CapPeriod.DAY:
        return start + timedelta(days=1)
    if period == CapPeriod.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)
