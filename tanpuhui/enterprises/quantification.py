"""Quantifying a retrofit: (baseline − metered energy) × carrier emission factor, per calendar year.

Methodology ``TPH-RETROFIT`` version 1 (``METHODOLOGY_VERSION``):
- the enterprise gives, per month and energy carrier, the baseline use (what the replaced kit used,
  from pre-retrofit metering or rated power × operating hours) and the metered use after the retrofit;
- a month's saving is ``baseline − metered`` (may be negative: the project then used more);
- each carrier's saving is multiplied by the emission factor valid on that month, taken from the
  shared factor registry (``tanpuhui.methodology.registry.factor``) — the same one metering uses;
- a year's reduction is the sum over its months and carriers, floored at zero.

Worked example (tests/test_quantification.py): 181 sodium street lamps replaced by LED save
265,000 kWh a year. At 1 kg CO2/kWh that was reported as 265 t; with the South China grid's 2023
average factor 0.4042 kg CO2/kWh it is 265,000 × 0.4042 = 107,113 kg = 107.113 t.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

METHODOLOGY_VERSION = "TPH-RETROFIT-1"
REGION = "south_china_grid"

# Registry codes per carrier (the methodology app's factor codes).
REGISTRY_CODES = {
    "electricity": "grid_electricity",
    "natural_gas": "natural_gas",
    "diesel": "diesel",
    "coal": "raw_coal",
}

# Used only when the factor registry is not installed (a bare checkout): documented values, kg CO2 per unit.
FALLBACK = {
    "electricity": (
        Decimal("0.4042"),
        "kg CO2/kWh",
        2023,
        "South China regional grid average emission factor 2023 (MEE) — fallback table",
    ),
    "natural_gas": (Decimal("2.1622"), "kg CO2/m3", 2023, "GB/T 32150-2015 default (natural gas) — fallback table"),
    "diesel": (Decimal("3.0959"), "kg CO2/kg", 2023, "GB/T 32150-2015 default (diesel) — fallback table"),
    "coal": (Decimal("1.9003"), "kg CO2/kg", 2023, "GB/T 32150-2015 default (raw coal) — fallback table"),
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
    try:
        from tanpuhui.methodology import registry
    except ImportError:
        registry = None
    if registry is not None and hasattr(registry, "factor"):
        resolved = registry.factor(code=REGISTRY_CODES[carrier], on=on, region=region)
        year = getattr(resolved, "year", None)
        if year is None:
            valid_from = getattr(resolved, "valid_from", None)
            year = getattr(valid_from, "year", None)
        return Factor(
            carrier=carrier,
            value=Decimal(str(resolved.value)),
            unit=str(resolved.unit),
            year=year,
            source=str(resolved.source),
            factor_id=str(resolved.id),
        )
    value, unit, year, source = FALLBACK[carrier]
    return Factor(carrier, value, unit, year, source, f"fallback:{carrier}")


def _kg(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def quantify(readings) -> dict:
    """``readings``: objects with month, carrier, baseline_qty, project_qty → per-year figures and why."""
    per_year: dict[int, dict] = defaultdict(lambda: {"kg": Decimal(0), "carriers": {}})
    factors: dict[tuple[str, date], Factor] = {}
    for r in readings:
        factor = factors.get((r.carrier, r.month))
        if factor is None:
            factor = factors[(r.carrier, r.month)] = carrier_factor(r.carrier, r.month)
        saving = Decimal(r.baseline_qty) - Decimal(r.project_qty)
        year = per_year[r.month.year]
        year["kg"] += saving * factor.value
        c = year["carriers"].setdefault(
            r.carrier, {"baseline": Decimal(0), "project": Decimal(0), "saving": Decimal(0), "kg": Decimal(0), "factors": {}}
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
    total = sum((Decimal(y["kg_co2e"]) for y in years), Decimal(0))
    return {"methodology": METHODOLOGY_VERSION, "region": REGION, "kg_co2e": str(total), "years": years}
