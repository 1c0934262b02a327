"""The community screen at 1920×1080 (lobby display) and the provincial dashboard's offline map.

Screenshots go to test-artifacts/; with TANPUHUI_DOC_SCREENSHOTS=1 also to docs/screenshots/ (README)."""

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREEN = {"viewport": {"width": 1920, "height": 1080}, "device_scale_factor": 1, "locale": "zh-CN"}


def _doc(shot, page, name):
    shot(page, name, full_page=False)
    if os.environ.get("TANPUHUI_DOC_SCREENSHOTS"):
        shot(page, name, full_page=False, path=DOCS / f"{name}.png")


def _community_screen(gz):
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
    from tanpuhui.metering.models import Reduction
    from tanpuhui.methodology import seed
    from tanpuhui.pilots import aggregates, services
    from tanpuhui.pilots.tests.factories import make_pilot

    seed.apply()  # the registry's factors, whatever an earlier transactional test left
    pilot = make_pilot(gz)
    for month in (1, 2, 3):
        services.emission_report(
            pilot=pilot,
            actor=pilot.manager,
            month=date(2026, month, 1),
            source="electricity",
            quantity=620_000,
        )
        services.emission_report(
            pilot=pilot, actor=pilot.manager, month=date(2026, month, 1), source="gas", quantity=42_000
        )
        services.emission_report(
            pilot=pilot, actor=pilot.manager, month=date(2026, month, 1), source="pv", quantity=8_300
        )
    monday = date.today() - timedelta(days=date.today().weekday())
    for _ in range(6):
        resident = ResidentFactory(centre=gz, community=pilot.place.code)
        Reduction.objects.create(
            centre=gz,
            resident=resident,
            behaviour="metro",
            period_start=monday,
            period_end=monday,
            kg_co2e=Decimal("1.0310"),
            quantity=2,
            unit="trip",
        )
    aggregates.refresh()
    return services.screen_create(pilot=pilot, actor=make_staff(Role.CENTRE_OPERATOR, gz), label="大堂")


def test_screen_at_1920x1080_and_dashboard_map(
    django_db_serialized_rollback, browser, live_server, centres, shot, login_as
):
    screen = _community_screen(centres["GZ"])
    context = browser.new_context(base_url=live_server.url, **SCREEN)
    try:
        page = context.new_page()
        page.goto(f"/screens/{screen.token}/")
        page.wait_for_selector("text=本月碳排放")
        sizes = page.evaluate(
            "() => ({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight,"
            " big: parseFloat(getComputedStyle(document.querySelector('.big')).fontSize),"
            " small: parseFloat(getComputedStyle(document.querySelector('.small')).fontSize)})"
        )
        assert sizes["w"] <= 1920 and sizes["h"] <= 1080, sizes  # one screen, no scrolling
        assert sizes["big"] >= 60 and sizes["small"] >= 16, sizes  # legible across a room
        assert page.locator("[data-k='participation.residents_this_week']").inner_text() == "6"
        _doc(shot, page, "pilots-screen")
        page.set_viewport_size({"width": 1080, "height": 1920})  # portrait kiosk
        assert page.evaluate("document.documentElement.scrollWidth") <= 1080
        _doc(shot, page, "pilots-screen-portrait")

        from tanpuhui.accounts.models import Role
        from tanpuhui.accounts.tests.factories import PASSWORD, make_staff

        officer = make_staff(Role.PROVINCIAL_OFFICER, centres["GDPC"])
        page.set_viewport_size({"width": 1440, "height": 1000})
        login_as(page, officer.phone, PASSWORD)
        page.goto("/staff/pilots/")
        page.wait_for_selector("#gd-map canvas")
        assert page.locator("[data-testid=cities]").inner_text().count("GZ") == 1
        _doc(shot, page, "pilots-dashboard")
    finally:
        context.close()


@pytest.mark.skipif(not os.environ.get("TANPUHUI_DOC_SCREENSHOTS"), reason="set TANPUHUI_DOC_SCREENSHOTS=1")
def test_demo_screenshots_for_the_readme(
    browser, live_server, transactional_db, django_db_serialized_rollback, monkeypatch, login_as
):
    """The README's pictures from the demo: Xiaolan north district's screen and the province's dashboard."""
    import io

    from django.core.management import call_command

    from tanpuhui.accounts import demo as accounts_demo
    from tanpuhui.metering import demo as metering_demo
    from tanpuhui.pilots.demo import DEMO_SCREEN_TOKEN

    monkeypatch.setattr(accounts_demo, "RESIDENTS_PER_CENTRE", 12)
    monkeypatch.setattr(metering_demo, "RESIDENTS_PER_CENTRE", 12)
    call_command("demo_load", stdout=io.StringIO())
    context = browser.new_context(base_url=live_server.url, **SCREEN)
    try:
        page = context.new_page()
        page.goto(f"/screens/{DEMO_SCREEN_TOKEN}/")
        page.wait_for_selector("text=小榄镇北区社区")
        page.screenshot(path=str(DOCS / "pilots-screen.png"))
        page.set_viewport_size({"width": 1440, "height": 1000})
        login_as(page, "13800000001", "demo-pass-2016")
        page.goto("/staff/pilots/")
        page.wait_for_selector("#gd-map canvas")
        page.wait_for_timeout(800)
        page.screenshot(path=str(DOCS / "pilots-dashboard.png"))
    finally:
        context.close()
