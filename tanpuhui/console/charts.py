"""Server-side SVG charts for the console: a monthly bar chart with a y axis, its unit, gridlines and
month labels legible on a phone (the SVG is at most 560 px wide and 400 units across, so 12-unit text
is 11–17 px on screen), and a small sparkline for the roll-up table."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import get_language

WIDTH = 400
HEIGHT = 220
LEFT = 48  # room for the y-axis numbers
RIGHT = 8
TOP = 22  # room for the unit
BOTTOM = 34  # month and year labels


def nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) so that ``ticks`` steps cover ``top``."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def month_label(month: date) -> str:
    """ "3" in Chinese (the year row reads "2026年"), "Mar" otherwise: twelve fit under a phone-wide chart."""
    if (get_language() or "zh-hans").startswith("zh"):
        return str(month.month)
    return calendar.month_abbr[month.month]


def year_label(month: date) -> str:
    return f"{month.year}年" if (get_language() or "zh-hans").startswith("zh") else str(month.year)


def tick_label(value: float) -> str:
    """A y-axis number short enough for the axis margin: 150,000 → "15万" in Chinese, "150k" otherwise (2,000,000 → "2M")."""
    chinese = (get_language() or "zh-hans").startswith("zh")
    if chinese and value >= 10000:
        return f"{value / 10000:g}万"
    if not chinese and value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if not chinese and value >= 1000:
        return f"{value / 1000:g}k"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    month_label: str
    year_label: str
    value_label: str
    when: str  # 2026-06, for the bar's tooltip


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: float
    base: float
    top: int
    bars: list[Bar]
    ticks: list[Tick]
    unit: str
    title: str


def bar_chart(
    months: list[date], values: list[Decimal | int], *, unit: str, title: str, digits: int = 0
) -> BarChart:
    peak = float(max([*values, 0]))
    step = nice_step(peak)
    top_value = step * max(1, math.ceil(peak / step)) if peak > 0 else step * 4
    plot_h = HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(months))
    bar_w = slot * 0.7
    bars = []
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        h = plot_h * float(value) / top_value if top_value else 0
        x = LEFT + i * slot + (slot - bar_w) / 2
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(base - h, 1),
                width=round(bar_w, 1),
                height=round(h, 1),
                label_x=round(x + bar_w / 2, 1),
                month_label=month_label(month),
                year_label=year_label(month) if i == 0 or month.month == 1 else "",
                value_label=f"{float(value):,.{digits}f}",
                when=month.strftime("%Y-%m"),
            )
        )
    count = round(top_value / step)
    ticks = [
        Tick(y=round(base - plot_h * k / count, 1), label=tick_label(step * k)) for k in range(count + 1)
    ]
    return BarChart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, base, TOP, bars, ticks, unit, title)


@dataclass(frozen=True)
class Spark:
    width: int
    height: int
    bars: list[tuple[float, float, float]]  # x, y, height


def sparkline(values: list[Decimal | int], *, width: int = 96, height: int = 24) -> Spark:
    peak = float(max([*values, 0])) or 1.0
    slot = width / max(1, len(values))
    bars = []
    for i, value in enumerate(values):
        h = max(1.0, (height - 2) * float(value) / peak) if value else 0.0
        bars.append((round(i * slot + 1, 1), round(height - h, 1), round(h, 1)))
    return Spark(width, height, bars)
