from decimal import Decimal

import pytest


@pytest.mark.django_db
def test_demo_covers_the_seed_and_runs_twice(django_capture_on_commit_callbacks, client):
    from importlib import import_module

    from tanpuhui.pilots import demo
    from tanpuhui.pilots.models import Appropriation, Measure, Pilot, Screen

    def load_all():
        for context in ["tenancy", "accounts", "methodology", "metering", "ledger", "pilots"]:
            with django_capture_on_commit_callbacks(execute=True):
                import_module(f"tanpuhui.{context}.demo").load()

    load_all()
    counts = (Pilot.objects.count(), Appropriation.objects.count(), Measure.objects.count())
    load_all()
    assert (Pilot.objects.count(), Appropriation.objects.count(), Measure.objects.count()) == counts
    names = set(Pilot.objects.values_list("name_zh", flat=True))
    for fragment in [
        "广州市国家",
        "深圳市国家",
        "横琴",
        "禅城",
        "顺德",
        "乳源",
        "和平",
        "兴宁",
        "大埔",
        "云安",
        "西樵",
        "状元谷",
        "小榄",
        "都府",
    ]:
        assert any(fragment in n for n in names), fragment
    parks = Appropriation.objects.filter(pilot__level="park", year=2014)
    assert parks.count() == 3 and sum(a.amount_fen for a in parks) == 15_000_000_00
    led = Measure.objects.get(pilot__name_zh__contains="都府", kind="led_lighting")
    assert led.published_t_co2e == Decimal("223") and led.annual_kg_co2e == Decimal("90136.6000")
    xiaolan = Pilot.objects.get(name_zh__contains="小榄")
    assert set(xiaolan.measures.values_list("kind", flat=True)) >= {
        "rooftop_pv",
        "composting",
        "rainwater",
        "aquaponics",
        "allotments",
        "ev_chargers",
    }
    assert (xiaolan.period_start.isoformat(), xiaolan.period_end.isoformat()) == ("2015-03-01", "2017-05-31")
    screen = Screen.objects.get(token=demo.DEMO_SCREEN_TOKEN)
    page = client.get(f"/screens/{screen.token}/")
    assert page.status_code == 200
    assert "小榄镇北区社区" in page.content.decode()
