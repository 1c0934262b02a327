"""The figures filters (``{% load units %}``): each one in both languages, through a template."""

import datetime
from decimal import Decimal

import pint
import pytest
from django.template import Context, Template
from django.utils import translation

from tanpuhui.common import units


def render(source: str, lang: str, **context) -> str:
    with translation.override(lang):
        return Template("{% load units %}" + source).render(Context(context)).strip()


@pytest.mark.parametrize(
    ("source", "value", "zh", "en"),
    [
        ("{{ v|number }}", Decimal("12345678.5"), "12,345,678.5", "12,345,678.5"),
        ("{{ v|number:2 }}", Decimal("1234"), "1,234.00", "1,234.00"),
        ("{{ v|number:-4 }}", Decimal("0.5000"), "0.5", "0.5"),
        ("{{ v|number:0 }}", Decimal("2.5"), "3", "3"),  # half up, as everywhere on the platform
        ("{{ v|number:2 }}", Decimal("-0.001"), "0.00", "0.00"),  # never "-0.00"
        ("{{ v|co2e }}", Decimal("512.345"), "512.35 千克", "512.35 kg"),
        ("{{ v|co2e }}", Decimal("1234.5"), "1.23 吨", "1.23 t"),
        ("{{ v|co2e }}", Decimal("999.996"), "1 吨", "1 t"),  # rounds to 1,000 kg: shown as 1 t
        ("{{ v|co2e:1 }}", Decimal("223000"), "223.0 吨", "223.0 t"),
        ("{{ v|co2e }}", Decimal("107113.0000"), "107.11 吨", "107.11 t"),
        ("{{ v|kg }}", Decimal("0.5155"), "0.5155 千克", "0.5155 kg"),
        ("{{ v|kg }}", Decimal("1234.5"), "1,234.5000 千克", "1,234.5000 kg"),
        ("{{ v|kg:-4 }}", Decimal("6.1860"), "6.186 千克", "6.186 kg"),
        ("{{ v|trips }}", 1, "1 次", "1 trip"),
        ("{{ v|trips }}", 12, "12 次", "12 trips"),
        ("{{ v|trips }}", Decimal("1.0000"), "1 次", "1 trip"),
        ("{{ v|quantity:'trip' }}", Decimal("3"), "3 次", "3 trips"),
        ("{{ v|quantity:'km' }}", Decimal("8.500"), "8.5 公里", "8.5 km"),
        ("{{ v|quantity:'kWh' }}", Decimal("1234.5"), "1,234.5 千瓦时", "1,234.5 kWh"),
        ("{{ v|quantity:'m**3' }}", Decimal("3"), "3 立方米", "3 m³"),
        ("{{ v|quantity:'step' }}", Decimal("8000"), "8,000 步", "8,000 steps"),
        ("{{ v|quantity:'hectare*year' }}", Decimal("2.5"), "2.5 公顷·年", "2.5 hectare-years"),
        ("{{ v|coins }}", 6, "6 枚", "6 coins"),
        ("{{ v|coins }}", 1, "1 枚", "1 coin"),
        ("{{ v|coins }}", 1234567, "1,234,567 枚", "1,234,567 coins"),
        ("{{ v|coins }}", Decimal("0.310"), "0.31 枚", "0.31 coins"),
        ("{{ v|signed_coins }}", 6, "+6 枚", "+6 coins"),
        ("{{ v|signed_coins }}", -6, "−6 枚", "−6 coins"),
        ("{{ v|yuan }}", Decimal("149893"), "149,893.00 元", "¥149,893.00"),
        ("{{ v|yuan }}", Decimal("0.5"), "0.50 元", "¥0.50"),
        ("{{ v|fen }}", 14989300, "149,893.00 元", "¥149,893.00"),
        ("{{ v|fen }}", 5, "0.05 元", "¥0.05"),
        ("{{ v|unit_label }}", "kg_co2e/kWh", "千克/千瓦时", "kg/kWh"),
        ("{{ v|unit_label }}", "kg_co2e/m**3", "千克/立方米", "kg/m³"),
        ("{{ v|unit_label }}", "t_co2e/hectare/year", "吨/公顷/年", "t/ha/year"),
        ("{{ v|unit_label }}", "kWh/m**3", "千瓦时/立方米", "kWh/m³"),
        ("{{ v|unit_label }}", "hectare*year", "公顷·年", "ha·year"),
        ("{{ v|unit_label }}", "dimensionless", "", ""),
    ],
)
def test_filter(source, value, zh, en):
    assert render(source, "zh-hans", v=value) == zh
    assert render(source, "en", v=value) == en


@pytest.mark.parametrize("name", ["number", "co2e", "kg", "trips", "coins", "signed_coins", "yuan", "fen"])
@pytest.mark.parametrize("value", [None, "", "not a number", Decimal("NaN")])
def test_missing_or_bad_values_show_nothing(name, value):
    assert render("{{ v|" + name + " }}", "zh-hans", v=value) == ""


def test_tonnes_come_from_pint():
    assert units.convert(Decimal("1234.5"), "kg", "t") == Decimal("1.2345")
    with pytest.raises(pint.DimensionalityError):
        units.convert(Decimal(1), "kg", "km")


def test_dates_read_as_people_write_them():
    day = datetime.date(2026, 3, 2)
    assert render('{{ d|date:"MONTH_DAY_FORMAT" }}', "zh-hans", d=day) == "3月2日"
    assert render('{{ d|date:"MONTH_DAY_FORMAT" }}', "en", d=day) == "March 2"
