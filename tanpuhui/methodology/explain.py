"""A reduction told in a resident's words: "你乘坐地铁 1 次 × 每次 0.5155 千克 = 0.5155 千克".

``story(...)`` takes what a reduction keeps as evidence (the formula, its configuration, the parameter
values in their canonical units, the record's quantity, baseline and distance) and returns the
sentences that lead to the figure, one formula at a time. The arithmetic is the formula's own
(``formulas.FORMULAS``), so ``Story.figure`` equals what quantification stored; a test checks it for
every behaviour of the demo. No code name, unit spelling or rounding mode reaches the words: units
and numbers go through ``common.units``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tanpuhui.common import units
from tanpuhui.methodology import formulas

GRAMS_BELOW = Decimal("0.01")  # a factor under 0.01 kg reads in grams ("每步 0.02 克")


@dataclass
class Story:
    lines: list[str] = field(default_factory=list)
    figure: Decimal | None = None  # the formula's result, rounded as stored


def kg(value: Decimal | None) -> str:
    """A figure of the story: kilograms, at most 4 decimals (what is stored)."""
    return units.kg(value, -4)


def factor_kg(value: Decimal) -> str:
    """A per-unit factor: grams when it is tiny, else kilograms, never rounded away."""
    if abs(value) < GRAMS_BELOW:
        grams = units.convert(value, "kg", "g")
        return _("%(amount)s g") % {"amount": units.number(grams, -6)}
    return units.kg(value, -6)


def percent(share: Decimal) -> str:
    return f"{units.number(share * 100, -2)}%"


def _equals(raw: Decimal | None, figure: Decimal) -> str:
    """ " = 0.1655 千克", or " ≈ 0.1655 千克" when the stored figure is the product rounded."""
    sign = "=" if raw is None or raw == figure else "≈"
    return f"{sign} {kg(figure)}"


def story(
    *,
    behaviour: str,
    formula: str,
    config: Mapping[str, Any] | None,
    params: Mapping[str, Decimal],
    quantity: Decimal | None,
    baseline: Decimal | None = None,
    distance_km: Decimal | None = None,
    baseline_from_history: bool = True,
) -> Story:
    spec = formulas.FORMULAS.get(formula)
    if spec is None or quantity is None:
        return Story()
    try:
        figure = spec.evaluate(
            params, config or {}, quantity=quantity, baseline=baseline, distance_km=distance_km
        )
    except (KeyError, ValueError):
        return Story()
    teller = _TELLERS.get(formula)
    lines = (
        teller(behaviour, dict(params), dict(config or {}), quantity, baseline, distance_km, figure)
        if teller
        else []
    )
    if baseline is not None and spec.uses_baseline:
        lines.insert(
            1 if lines else 0,
            _("The baseline is the same period's average of your previous two years.")
            if baseline_from_history
            else _("You have no history for this period yet, so the centre's default baseline applies."),
        )
    return Story(lines=lines, figure=figure)


def _transit(behaviour, params, config, quantity, baseline, distance, figure):
    factor = params["trip_factor"]
    values = {
        "trips": units.trips(quantity),
        "factor": factor_kg(factor),
        "kg": _equals(quantity * factor, figure),
    }
    if behaviour == "metro":
        return [_("You took the metro %(trips)s × %(factor)s per trip %(kg)s") % values]
    if behaviour == "bus":
        return [_("You took the bus %(trips)s × %(factor)s per trip %(kg)s") % values]
    return [_("You travelled %(trips)s × %(factor)s per trip %(kg)s") % values]


def _transit_distance(behaviour, params, config, quantity, baseline, distance, figure):
    lines = []
    if distance is None:
        distance = quantity * params["default_distance"]
        lines.append(
            _("The record gives no distance, so each of your %(trips)s counts as %(km)s.")
            % {"trips": units.trips(quantity), "km": units.count(params["default_distance"], "km")}
        )
    saved = max(params["baseline_factor"] - params["mode_factor"], Decimal(0))
    lines.append(
        _("Each kilometre avoids %(saved)s (%(car)s by car − %(mode)s this way).")
        % {
            "saved": factor_kg(saved),
            "car": factor_kg(params["baseline_factor"]),
            "mode": factor_kg(params["mode_factor"]),
        }
    )
    lines.append(
        _("You travelled %(km)s × %(saved)s per km %(kg)s")
        % {
            "km": units.count(distance, "km"),
            "saved": factor_kg(saved),
            "kg": _equals(distance * saved, figure),
        }
    )
    return lines


_USED = {
    "electricity_saving": lambda v: (
        _("This period you used %(actual)s of electricity; your baseline is %(baseline)s.") % v
    ),
    "gas_saving": lambda v: _("This period you used %(actual)s of gas; your baseline is %(baseline)s.") % v,
    "water_saving": lambda v: (
        _("This period you used %(actual)s of water; your baseline is %(baseline)s.") % v
    ),
}


def _saving(behaviour, params, config, quantity, baseline, distance, figure, *, unit, factor, per):
    if baseline is None:
        return [_("There is no baseline for this period, so it earns no reduction.")]
    amounts = {"actual": units.count(quantity, unit), "baseline": units.count(baseline, unit)}
    used = _USED.get(
        behaviour, lambda v: _("This period you used %(actual)s; your baseline is %(baseline)s.") % v
    )
    lines = [used(amounts)]
    saved = baseline - quantity
    if saved <= 0:
        lines.append(_("You used no less than the baseline, so this period earns no reduction."))
        return lines
    saved_text = units.count(saved, unit)
    if "tiers" in config:
        tiers = sorted(formulas.parse_tiers(config["tiers"]), reverse=True)
        reached = next((t for t in tiers if saved >= baseline * t), None)
        if reached is None:
            lines.append(
                _(
                    "You saved %(saved)s (%(share)s), less than the first tier of %(tier)s: nothing is credited."
                )
                % {"saved": saved_text, "share": percent(saved / baseline), "tier": percent(min(tiers))}
            )
            return lines
        credited = baseline * reached
        lines.append(
            _("You saved %(saved)s (%(share)s of the baseline), reaching the %(tier)s tier.")
            % {"saved": saved_text, "share": percent(saved / baseline), "tier": percent(reached)}
        )
        lines.append(
            _("%(baseline)s × %(tier)s × %(factor)s %(per)s %(kg)s")
            % {
                "baseline": units.count(baseline, unit),
                "tier": percent(reached),
                "factor": factor_kg(factor),
                "per": per,
                "kg": _equals(credited * factor, figure),
            }
        )
        return lines
    lines.append(
        _("You saved %(saved)s × %(factor)s %(per)s %(kg)s")
        % {
            "saved": saved_text,
            "factor": factor_kg(factor),
            "per": per,
            "kg": _equals(saved * factor, figure),
        }
    )
    return lines


def _saving_kwh(behaviour, params, config, quantity, baseline, distance, figure):
    return _saving(
        behaviour, params, config, quantity, baseline, distance, figure,
        unit="kWh", factor=params["factor"], per=_("per kWh"),
    )  # fmt: skip


def _saving_m3(behaviour, params, config, quantity, baseline, distance, figure):
    return _saving(
        behaviour, params, config, quantity, baseline, distance, figure,
        unit="m**3", factor=params["factor"], per=_("per m³"),
    )  # fmt: skip


def _water(behaviour, params, config, quantity, baseline, distance, figure):
    intensity, grid = params["supply_intensity"], params["grid_ef"]
    lines = [
        _("Supplying each m³ of tap water takes %(kwh)s of electricity, and each kWh emits %(grid)s.")
        % {"kwh": units.count(intensity, "kWh"), "grid": factor_kg(grid)}
    ]
    per = _("per m³ (%(kwh)s × %(grid)s)") % {"kwh": units.number(intensity, -6), "grid": factor_kg(grid)}
    rest = _saving(
        behaviour, params, config, quantity, baseline, distance, figure,
        unit="m**3", factor=intensity * grid, per=per,
    )  # fmt: skip
    return rest[:1] + lines + rest[1:]


def _cycling(behaviour, params, config, quantity, baseline, distance, figure):
    factor, share = params["substituted_factor"], params["substitution_share"]
    return [
        _("%(share)s of rides replace a car trip, and a car emits %(factor)s per km.")
        % {"share": percent(share), "factor": factor_kg(factor)},
        _("You cycled %(km)s × %(factor)s × %(share)s %(kg)s")
        % {
            "km": units.count(quantity, "km"),
            "factor": factor_kg(factor),
            "share": percent(share),
            "kg": _equals(quantity * factor * share, figure),
        },
    ]


def _capped(raw: Decimal, cap: Decimal, figure: Decimal) -> list[str]:
    if raw <= cap:
        return []
    return [
        _("A day counts at most %(cap)s, so %(kg)s is credited.") % {"cap": factor_kg(cap), "kg": kg(figure)}
    ]


def _steps(behaviour, params, config, quantity, baseline, distance, figure):
    factor, cap = params["step_factor"], params["daily_cap"]
    raw = quantity * factor
    line = _("You walked %(steps)s × %(factor)s per step %(kg)s") % {
        "steps": units.count(quantity, "step"),
        "factor": factor_kg(factor),
        "kg": _equals(raw, formulas.round_kg(raw)),
    }
    return [line, *_capped(raw, cap, figure)]


def _walk_km(behaviour, params, config, quantity, baseline, distance, figure):
    factor, share, cap = params["substituted_factor"], params["substitution_share"], params["daily_cap"]
    raw = quantity * factor * share
    line = _("You walked %(km)s × %(factor)s per km × %(share)s %(kg)s") % {
        "km": units.count(quantity, "km"),
        "factor": factor_kg(factor),
        "share": percent(share),
        "kg": _equals(raw, formulas.round_kg(raw)),
    }
    return [line, *_capped(raw, cap, figure)]


def _forest(behaviour, params, config, quantity, baseline, distance, figure):
    factor = params["sink_per_ha"]
    return [
        _("Your plot: %(area)s × %(factor)s per hectare and year %(kg)s")
        % {
            "area": units.count(quantity, "hectare*year"),
            "factor": factor_kg(factor),
            "kg": _equals(quantity * factor, figure),
        }
    ]


_TELLERS = {
    "transit_per_trip": _transit,
    "transit_distance": _transit_distance,
    "utility_saving_kwh": _saving_kwh,
    "utility_saving_m3": _saving_m3,
    "water_saving_supply_energy": _water,
    "active_travel": _cycling,
    "walking_steps": _steps,
    "walking_distance": _walk_km,
    "forest_sink": _forest,
}
