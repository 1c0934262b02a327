"""My reductions: every trip and reading, grouped by day, filterable by behaviour and month."""

from datetime import date
from decimal import Decimal

import pytest

from tanpuhui.metering.models import Reduction

pytestmark = pytest.mark.django_db


def reduction(resident, day, behaviour="metro", kg="0.5155"):
    return Reduction.objects.create(
        centre=resident.centre, resident=resident, behaviour=behaviour, period_start=day, period_end=day,
        kg_co2e=Decimal(kg), quantity=Decimal(1), unit="trip",
    )  # fmt: skip


def test_trips_are_grouped_by_day_newest_first(client, resident):
    for _ in range(3):
        reduction(resident, date(2026, 11, 2))
    reduction(resident, date(2026, 11, 2), behaviour="bus", kg="0.105")
    reduction(resident, date(2026, 10, 30))
    client.force_login(resident)
    page = client.get("/me/reductions/?lang=zh-hans")
    days = page.context["days"]
    assert [(d["day"], d["count"], d["kg"]) for d in days] == [
        (date(2026, 11, 2), 4, Decimal("1.6515")),
        (date(2026, 10, 30), 1, Decimal("0.5155")),
    ]
    html = page.content.decode()
    assert "2026年11月2日" in html and "1 次" in html and "1 trip" not in html


def test_the_filter_narrows_the_days(client, resident):
    reduction(resident, date(2026, 11, 2))
    reduction(resident, date(2026, 11, 2), behaviour="bus", kg="0.105")
    reduction(resident, date(2026, 10, 30))
    client.force_login(resident)
    days = client.get("/me/reductions/?behaviour=metro&month=2026-11").context["days"]
    assert [(d["day"], [r.behaviour for r in d["items"]]) for d in days] == [(date(2026, 11, 2), ["metro"])]
