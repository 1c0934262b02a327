"""Template filters for figures people read: ``{% load units %}``.

=====================  ======================================  ==============================
filter                 zh-hans                                 en
=====================  ======================================  ==============================
``x|number``           12,345.5 (``x|number:2`` → 12,345.50)   12,345.5
``kg|co2e``            512.3 千克 · 1.23 吨 (≥ 1,000 kg)        512.3 kg · 1.23 t
``kg|kg``              0.5155 千克 (4 decimals; ``kg:2``)       0.5155 kg
``n|trips``            12 次                                   12 trips
``q|quantity:unit``    12 次 · 8.5 公里 · 120 千瓦时 · 3 立方米  12 trips · 8.5 km · 120 kWh · 3 m³
``n|coins``            6 枚                                    6 coins
``n|signed_coins``     +6 枚 · −6 枚                            +6 coins · −6 coins
``yuan|yuan``          149,893.00 元                           ¥149,893.00
``fen|fen``            14989300 → 149,893.00 元                ¥149,893.00
``unit|unit_label``    kg_co2e/kWh → 千克/千瓦时                kg/kWh
``b|mode_colour``      var(--mode-metro, #0072b2): a behaviour's colour-blind-safe chart colour
=====================  ======================================  ==============================

Every filter follows the active language (``tanpuhui/common/units.py`` does the work and is the
place to use from Python).
"""

from django import template

from tanpuhui.common import palette, units

register = template.Library()


def _places(arg, default: int) -> int:
    try:
        return int(arg)
    except (TypeError, ValueError):
        return default


@register.filter
def number(value, places=-2):
    return units.number(value, _places(places, -2))


@register.filter
def co2e(value, places=-2):
    return units.co2e(value, _places(places, -2))


@register.filter
def kg(value, places=4):
    return units.kg(value, _places(places, 4))


@register.filter
def trips(value):
    return units.trips(value)


@register.filter
def quantity(value, unit=""):
    return units.count(value, str(unit or ""))


@register.filter
def coins(value):
    return units.coins(value)


@register.filter
def signed_coins(value):
    return units.signed_coins(value)


@register.filter
def yuan(value):
    return units.yuan(value)


@register.filter
def fen(value):
    return units.fen(value)


@register.filter
def unit_label(value):
    return units.unit_label(str(value or ""))


@register.filter
def mode_colour(behaviour):
    """``{{ "metro"|mode_colour }}`` → ``var(--mode-metro, #0072b2)`` (``common.palette``)."""
    return palette.mode_colour(str(behaviour or ""))
