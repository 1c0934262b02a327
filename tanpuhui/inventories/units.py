"""Units of activity data, checked and converted with pint (a registry of this context's own, so
the methodology registry's units are not redefined behind its back)."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pint

UNITS: pint.UnitRegistry = pint.UnitRegistry(non_int_type=Decimal)
# Normal cubic metres are counted as cubic metres (gas volumes are always stated at 0 °C, 101.325 kPa).
UNITS.define("Nm3 = meter ** 3")
UNITS.define("e4Nm3 = 10000 * Nm3")
UNITS.define("head = [head]")
UNITS.define("person = [person]")
UNITS.define("yuan = [currency]")
UNITS.define("e4t = 10000 * t")
UNITS.define("e4kWh = 10000 * kWh")
UNITS.define("e4yuan = 10000 * yuan")
UNITS.define("e8yuan = 100000000 * yuan")

# What people type → pint's spelling.
ALIASES = {
    "万立方米": "e4Nm3",
    "万nm3": "e4Nm3",
    "10^4 nm3": "e4Nm3",
    "10⁴ nm³": "e4Nm3",
    "10^4nm3": "e4Nm3",
    "吨": "t",
    "万吨": "e4t",
    "kt": "kilotonne",
    "万千瓦时": "e4kWh",
    "头": "head",
    "人": "person",
    "万元": "e4yuan",
    "亿元": "e8yuan",
    "立方米": "m**3",
    "m3": "m**3",
    "m³": "m**3",
}


class UnitMismatch(ValueError):
    pass


def parse(unit: str) -> pint.Unit:
    text = (unit or "").strip()
    text = ALIASES.get(text.lower(), text)
    try:
        return UNITS.parse_units(text)
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        AssertionError,
        ValueError,
    ) as exc:
        raise UnitMismatch(f"Unknown unit {unit!r}.") from exc


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (raises UnitMismatch across dimensions)."""
    try:
        with localcontext() as ctx:
            ctx.prec = 40
            quantity = UNITS.Quantity(Decimal(value), parse(from_unit))
            return Decimal(quantity.to(parse(to_unit)).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitMismatch(f"{from_unit!r} does not convert to {to_unit!r}.") from exc
