"""Quantifying a retrofit: (baseline − metered energy) × carrier emission factor, per calendar year.

Methodology ``TPH-RETROFIT`` version 1 (``METHODOLOGY_VERSION``):
- the enterprise gives, per month and energy carrier, the baseline use (what the replaced kit used,
  from pre-retrofit metering or rated power × operating hours) and the metered use after the retrofit;
- a month's saving is ``baseline − metered`` (may be negative: the project then used more);
- each carrier's saving is multiplied by the emission factor in force on the day of quantification,
  taken from the shared factor registry (``tanpuhui.methodology.registry.factor``, the same one
  metering uses): the latest published value (a grid factor is published about two years after its
  data year). Submission computes it; approval recomputes and freezes it, with the factor's value,
  data year, source and registry id, so a later publication never changes an approved figure;
- a year's reduction is the sum over its months and carriers, floored at zero.

Worked example (tests/test_quantification.py): 181 sodium street lamps replaced by LED save
265,000 kWh a year. At 1 kg CO2/kWh that was reported as 265 t; with the South China grid's 2023
average factor 0.4042 kg CO2/kWh it is 265,000 × 0.4042 = 107,113 kg = 107.113 t.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from tanpuhui.methodology import registry
from tanpuhui.methodology.formulas import round_kg

METHODOLOGY_VERSION = "TPH-RETROFIT-1"
REGION = "south_china_grid"

# Registry codes per carrier (methodology.registry.factor aliases and parameter codes) and the unit
# the energy table is kept in (the registry converts the factor to kg CO2e per that unit).
REGISTRY_CODES = {
    "electricity": ("electricity", "kg_co2e/kWh"),
    "natural_gas": ("natural_gas", "kg_co2e/m**3"),
    "diesel": ("diesel_ef", "kg_co2e/kg"),
    "coal": ("raw_coal_ef", "kg_co2e/kg"),
}
# Carriers the registry must supply (no silent fallback: a missing grid factor is a 422).
REQUIRED_FROM_REGISTRY = {"electricity", "natural_gas"}

# Defaults for carriers the registry does not carry yet, kg CO2 per unit, with their source.
FALLBACK = {
    "diesel": (
        Decimal("3.0959"),
        "kg CO2/kg",
        None,
        "GB/T 32150-2015 annex B default (diesel), enterprises fallback table",
    ),
    "coal": (
        Decimal("1.9003"),
        "kg CO2/kg",
        None,
        "GB/T 32150-2015 annex B default (raw coal), enterprises fallback table",
    ),
}


@dataclass(frozen=True)
class Factor:
    carrier: str
    value: Decimal
    unit: str
    year: int | None
    source: str
    factor_id: str

    def as_json(self) -> dict:
        data = asdict(self)
        data["value"] = str(self.value)
        return data


def carrier_factor(carrier: str, on: date, region: str = REGION) -> Factor:
    """The emission factor for ``carrier`` valid on ``on``, from the shared registry."""
    code, unit = REGISTRY_CODES[carrier]
    try:
        resolved = registry.factor(code=code, on=on, region=region)
    except registry.MethodUnavailable:
        if carrier in REQUIRED_FROM_REGISTRY:
            raise
        value, label, year, source = FALLBACK[carrier]
        return Factor(carrier, value, label, year, source, f"fallback:{carrier}")
    return Factor(
        carrier=carrier,
        value=resolved.to(unit),
        unit=unit.replace("**3", "³").replace("_co2e", " CO₂e"),
        year=resolved.year,
        source=resolved.source + (f" <{resolved.source_url}>" if resolved.source_url else ""),
        factor_id=str(resolved.id),
    )


def _kg(value: Decimal) -> Decimal:
    """kg CO₂e by the one rounding rule (``methodology.formulas.round_kg``: 4 places, half up)."""
    return round_kg(value)


def quantify(readings, on: date | None = None) -> dict:
    """``readings``: objects with month, carrier, baseline_qty, project_qty → per-year figures and why.

    ``on``: the quantification date whose factors apply (default today)."""
    on = on or timezone.localdate()
    per_year: dict[int, dict] = defaultdict(lambda: {"kg": Decimal(0), "carriers": {}})
    factors: dict[str, Factor] = {}
    for r in readings:
        factor = factors.get(r.carrier)
        if factor is None:
            factor = factors[r.carrier] = carrier_factor(r.carrier, on)
        saving = Decimal(r.baseline_qty) - Decimal(r.project_qty)
        year = per_year[r.month.year]
        year["kg"] += saving * factor.value
        c = year["carriers"].setdefault(
            r.carrier,
            {
                "baseline": Decimal(0),
                "project": Decimal(0),
                "saving": Decimal(0),
                "kg": Decimal(0),
                "factors": {},
            },
        )
        c["baseline"] += Decimal(r.baseline_qty)
        c["project"] += Decimal(r.project_qty)
        c["saving"] += saving
        c["kg"] += saving * factor.value
        c["factors"][factor.factor_id] = factor.as_json()
    years = []
    for y in sorted(per_year):
        data = per_year[y]
        years.append(
            {
                "year": y,
                "kg_co2e": str(max(Decimal(0), _kg(data["kg"]))),
                "carriers": {
                    name: {
                        "baseline": str(c["baseline"]),
                        "project": str(c["project"]),
                        "saving": str(c["saving"]),
                        "kg_co2e": str(_kg(c["kg"])),
                        "factors": list(c["factors"].values()),
                    }
                    for name, c in data["carriers"].items()
                },
            }
        )
    total = sum((Decimal(str(y["kg_co2e"])) for y in years), Decimal(0))
    return {
        "methodology": METHODOLOGY_VERSION,
        "region": REGION,
        "factors_on": on.isoformat(),
        "kg_co2e": str(total),
        "years": years,
    }
