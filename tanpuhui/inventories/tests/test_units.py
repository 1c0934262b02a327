"""Units as statisticians type them, converted with pint; what cannot convert is refused."""

from decimal import Decimal

import pytest

from tanpuhui.inventories import units


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        ("50000", "Nm3", "e4Nm3", "5"),
        ("3.5", "万立方米", "e4Nm3", "3.5"),
        ("2", "万千瓦时", "MWh", "20"),
        ("1.2", "GWh", "MWh", "1200"),
        ("3", "kt", "t", "3000"),
        ("1.5", "万吨", "t", "15000"),
        ("250", "kg", "t", "0.25"),
        ("1", "TJ", "GJ", "1000"),
        ("4", "亿元", "e4yuan", "40000"),
    ],
)
def test_conversions(value, unit, target, expected):
    assert units.convert(Decimal(value), unit, target) == Decimal(expected)


@pytest.mark.parametrize(("unit", "target"), [("MWh", "t"), ("head", "t"), ("furlongs?", "t"), ("", "t")])
def test_what_does_not_convert_is_refused(unit, target):
    with pytest.raises(units.UnitMismatch):
        units.convert(Decimal(1), unit, target)
