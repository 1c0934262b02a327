"""The trend chart's geometry: round axis steps covering the peak, bars proportional to their values,
labels short enough for the axis and the phone."""

from datetime import date
from decimal import Decimal

from django.utils import translation

from tanpuhui.console import charts
from tanpuhui.console.selectors import months_ending


def test_steps_are_round_and_cover_the_peak():
    assert charts.nice_step(0) == 1
    assert charts.nice_step(18.47) == 5
    assert charts.nice_step(1_563_246) == 500_000
    assert charts.nice_step(7) == 2


def test_bars_are_proportional_and_the_axis_covers_the_peak():
    months = months_ending(date(2026, 11, 15))
    values = [Decimal("0")] * 10 + [Decimal("2.5"), Decimal("10")]
    chart = charts.bar_chart(months, values, unit="t", title="x", digits=2)
    assert [t.label for t in chart.ticks] == ["0", "5", "10"]
    tallest, smaller = chart.bars[-1], chart.bars[-2]
    assert tallest.y >= chart.top and round(tallest.height / smaller.height, 6) == 4
    assert tallest.y + tallest.height == chart.base and chart.bars[0].height == 0
    assert [b.when for b in chart.bars][-1] == "2026-11" and tallest.value_label == "10.00"


def test_labels_in_each_language():
    months = months_ending(date(2026, 3, 1), 4)  # December 2025 – March 2026
    with translation.override("zh-hans"):
        chart = charts.bar_chart(months, [1, 2, 3, 150_000], unit="枚", title="x")
        assert [b.month_label for b in chart.bars] == ["12", "1", "2", "3"]
        assert [b.year_label for b in chart.bars] == ["2025年", "2026年", "", ""]
        assert chart.ticks[-1].label == "15万"
    with translation.override("en"):
        chart = charts.bar_chart(months, [1, 2, 3, 2_000_000], unit="coins", title="x")
        assert [b.month_label for b in chart.bars] == ["Dec", "Jan", "Feb", "Mar"]
        assert chart.ticks[-1].label == "2M" and chart.ticks[1].label == "500k"
