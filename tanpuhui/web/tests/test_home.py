"""The resident home: balance, this month, the next reward, everyday terms with sources, activity
by day and the latest messages; anonymous visitors keep the introduction."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tanpuhui.ledger.conversion import reductions_convert
from tanpuhui.ledger.tests.factories import default_rule, fund, make_reduction
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory
from tanpuhui.web import equivalences, selectors


@pytest.mark.django_db
def test_anonymous_visitors_see_the_introduction(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "web/home.html" in [t.name for t in page.templates]


@pytest.mark.django_db
def test_a_resident_sees_their_own_figures(client, gz, resident):
    default_rule(gz)
    today = timezone.localdate()
    make_reduction(resident, "2.5", behaviour="metro", period_end=today)
    make_reduction(resident, "1.25", behaviour="bus", period_end=today)
    reductions_convert()  # 37 coins (3.75 kg × 10, floored)
    fund(resident, 1200)
    merchant = MerchantFactory(centre=gz)
    OfferFactory(merchant=merchant, price_coins=100, title="LED 灯泡")
    OfferFactory(merchant=merchant, price_coins=2000, title="电影票两张")
    client.force_login(resident)
    english = client.get("/?lang=en").content.decode()
    assert ">1,237</span> carbon coins" in english  # the balance with a thousands separator
    page = client.get("/?lang=zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert "电影票两张" in html and "还差 763 枚" in html  # the next reward and what it takes
    assert "获得 37 枚碳币" in html  # the conversion's message on the home
    context = page.context
    assert context["month"] == {"kg": Decimal("3.75"), "coins": 37 + 1200}
    assert context["goal"].affordable == 1 and context["goal"].percent == 61
    [day] = context["activity"]
    assert (day.day, day.kg, [line["count"] for line in day.lines]) == (today, Decimal("3.75"), [1, 1])
    assert "美国环境保护署" in html  # every equivalence names its source in a footnote


def test_equivalences_are_computed_from_their_published_figures():
    car = equivalences.EQUIVALENCES[0]
    per_km, source = equivalences.figure(car, centre_id=None, on=timezone.localdate())
    assert per_km.quantize(Decimal("0.001")) == Decimal("0.251")  # 404 g/mile ÷ 1.609344 km/mile
    assert "EPA-420-F-18-008" in source


@pytest.mark.django_db
def test_the_forest_equivalence_reads_the_registry(gz):
    from tanpuhui.methodology import seed

    seed.apply()
    found = {
        e.key: e
        for e in equivalences.equivalents(Decimal("171.56"), centre_id=gz.pk, on=timezone.localdate())
    }
    assert found["forest_m2"].amount == Decimal("1000.0")  # 1.7156 t/ha/yr = 0.17156 kg/m²/yr
    assert found["tree_years"].amount == Decimal("28.6")  # 6 kg a tree a year
    assert "1979" in found["forest_m2"].source


@pytest.mark.django_db
def test_goal_when_every_offer_is_affordable(gz, resident):
    OfferFactory(merchant=MerchantFactory(centre=gz), price_coins=10)
    goal = selectors.goal_for(resident, 50)
    assert (goal.offer, goal.affordable, goal.percent) == (None, 1, 100)
