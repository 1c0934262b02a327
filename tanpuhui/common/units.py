"""Numbers and units as a resident reads them, in the page's language.

One place turns stored figures into words for pages (the ``units`` template library wraps these
functions) and for sentences built in Python:

- ``number(value, places)``: thousands separators by locale (``tanpuhui/common/formats``);
  ``places >= 0`` shows exactly that many decimals, ``places < 0`` at most ``-places`` with trailing
  zeros dropped (``number(Decimal("0.5000"), -4) == "0.5"``);
- ``co2e(kg)``: "12.5 千克" below 1,000 kg, "1.23 吨" from 1,000 kg on ("kg" / "t" in English); the
  kg → t conversion goes through pint like every unit conversion of the platform;
- ``kg(kg, places)``: always kilograms (the published figure, 4 decimals);
- ``count(value, unit)``: a quantity with its unit in words ("12 次", "8.5 公里", "120 千瓦时",
  "3 立方米", "8,000 步"), for the units records carry (pint spellings: ``trip``, ``km``, ``kWh``,
  ``m**3``, ``step``, ``hectare*year``);
- ``coins(n)``: "6 枚" / "6 coins"; ``yuan(amount)``: "149,893.00 元" / "¥149,893.00";
  ``fen(n)``: the same from an integer number of fen;
- ``unit_label(unit)``: a pint unit spelled for people ("kg_co2e/kWh" → "千克/千瓦时"), for the
  technical details of an explanation.

Rounding is half-up, as everywhere on the platform. ``None`` or an empty string formats as "".
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

import pint
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

TONNE_FROM_KG = Decimal(1000)  # at and above this many kg, CO₂e reads in tonnes


@cache
def registry() -> pint.UnitRegistry:
    """pint's standard units, in Decimal arithmetic (built once, on first use)."""
    return pint.UnitRegistry(non_int_type=Decimal)


def to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return result if result.is_finite() else None


def convert(value, from_unit: str, to_unit: str) -> Decimal:
    """``value`` in ``from_unit`` expressed in ``to_unit`` (pint; raises on different dimensions)."""
    quantity = registry().Quantity(Decimal(value), from_unit)
    return Decimal(quantity.to(to_unit).magnitude)


def number(value, places: int = -2) -> str:
    """``value`` with the locale's separators; see the module docstring for ``places``."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    digits = abs(int(places))
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    decimals = digits
    if places < 0:
        exponent = rounded.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _plural_n(value: Decimal) -> int:
    """The number ``ngettext`` chooses a form by: the integer itself, or 2 ("many") for fractions."""
    return int(value) if value == value.to_integral_value() else 2


def co2e(value, places: int = -2) -> str:
    """CO₂e in kilograms below 1,000 kg, in tonnes from 1,000 kg on."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    digits = abs(int(places))
    if abs(amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)) >= TONNE_FROM_KG:
        return _("%(amount)s t") % {"amount": number(convert(amount, "kg", "t"), places)}
    return kg(amount, places)


def kg(value, places: int = 4) -> str:
    """Always kilograms: the figure as published (4 decimals by default)."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    return _("%(amount)s kg") % {"amount": number(amount, places)}


def count(value, unit: str = "", places: int = -2) -> str:
    """A quantity followed by its unit in words; an unknown unit is shown as people write it."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    unit = (unit or "").strip()
    if unit == "trip":
        return trips(amount)
    if unit == "step":
        n = _plural_n(amount)
        return ngettext("%(count)s step", "%(count)s steps", n) % {"count": number(amount, places)}
    if unit == "km":
        return _("%(count)s km") % {"count": number(amount, places)}
    if unit == "kWh":
        return _("%(count)s kWh") % {"count": number(amount, places)}
    if unit in ("m**3", "m3", "m³"):
        return _("%(count)s m³") % {"count": number(amount, places)}
    if unit in ("hectare*year", "ha_year"):
        return _("%(count)s hectare-years") % {"count": number(amount, places)}
    label = unit_label(unit)
    return f"{number(amount, places)} {label}".strip()


def trips(value) -> str:
    amount = to_decimal(value)
    if amount is None:
        return ""
    n = _plural_n(amount)
    return ngettext("%(count)s trip", "%(count)s trips", n) % {"count": number(amount, -2)}


def coins(value) -> str:
    """Whole coins ("6 枚"); a fraction of a coin keeps up to 3 decimals ("0.31 枚")."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    n = _plural_n(amount)
    return ngettext("%(count)s coin", "%(count)s coins", n) % {"count": number(amount, -3)}


def signed_coins(value) -> str:
    """ "+6 枚" / "−6 枚" (a true minus sign), for a line of history."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    sign = "+" if amount > 0 else ("−" if amount < 0 else "")
    return sign + coins(abs(amount))


def yuan(value) -> str:
    """Money in yuan, two decimals and separators: "149,893.00 元" / "¥149,893.00"."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    return _("¥%(amount)s") % {"amount": number(amount, 2)}


def fen(value) -> str:
    """An integer number of fen (1/100 yuan) shown in yuan."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    return yuan(amount / 100)


# Units people read: pint's spellings → words. Compound units are built from these ("A/B").
def _unit_words() -> dict[str, str]:
    return {
        "kg_co2e": pgettext("unit", "kg"),
        "t_co2e": pgettext("unit", "t"),
        "g_co2e": pgettext("unit", "g"),
        "kg": pgettext("unit", "kg"),
        "t": pgettext("unit", "t"),
        "g": pgettext("unit", "g"),
        "kWh": pgettext("unit", "kWh"),
        "MWh": pgettext("unit", "MWh"),
        "m**3": pgettext("unit", "m³"),
        "km": pgettext("unit", "km"),
        "pkm": pgettext("unit", "passenger-km"),
        "trip": pgettext("unit", "trip"),
        "step": pgettext("unit", "step"),
        "hectare": pgettext("unit", "ha"),
        "year": pgettext("unit", "year"),
        "hour": pgettext("unit", "hour"),
        "dimensionless": "",
    }


_TIMES = re.compile(r"(?<!\*)\*(?!\*)")  # "*" but not the "**" of a power


def unit_label(unit: str) -> str:
    """ "kg_co2e/kWh" → "千克/千瓦时" ("kg/kWh" in English); "dimensionless" → ""."""
    words = _unit_words()
    out = []
    for i, part in enumerate((unit or "").replace(" ", "").split("/")):
        factors = [words.get(f, f.replace("**2", "²").replace("**3", "³")) for f in _TIMES.split(part) if f]
        text = "·".join(f for f in factors if f)
        if i and text:
            out.append("/")
        out.append(text)
    return "".join(out)
