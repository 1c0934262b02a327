"""A town's published inventory report in Chromium on a phone: the totals the calculation stored, the
ECharts sector, trend and comparison charts drawn, and no serious accessibility problems."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "tanpuhui" / "web" / "static" / "vendor" / "axe.min.js"


WIDER_THAN_PHONE = "() => document.documentElement.scrollWidth > 390"


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
    )


def test_public_report_shows_totals_and_draws_its_charts(page, centres, shot, login_as):
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import make_staff
    from tanpuhui.inventories import seed, services
    from tanpuhui.inventories.tests.factories import make_inventory, make_statistician, publish, row

    seed.load()  # the sets and trees, whatever an earlier transactional test left
    zs = centres["ZS"]
    reviewer = make_staff(Role.CENTRE_REVIEWER, zs)
    statistician = make_statistician(zs)
    lines = [row("manufacturing", "diesel", "100", "t"), row("landfill", "msw", "1000", "t")]
    publish(make_inventory(statistician, year=2021, rows=lines[:1], population=2000), reviewer)
    report = publish(make_inventory(statistician, year=2022, rows=lines, population=2000), reviewer)
    publish(make_inventory(make_statistician(zs), year=2022, population=1000), reviewer)

    page.goto(f"/inventories/{report.pk}/")
    assert page.locator("[data-testid=basic-plus]").inner_text() == "1255.652999"
    page.wait_for_selector("body[data-charts-ready='1']")
    for chart in ("#sector-chart", "#trend-chart", "#towns-chart"):
        assert page.locator(f"{chart} canvas").count() == 1, chart
    assert page.locator("[data-testid=trend] tbody tr").count() == 2
    assert page.locator("[data-testid=comparison] tbody tr").count() == 2
    assert _axe(page) == []
    assert not page.evaluate(WIDER_THAN_PHONE)
    shot(page, "inventories-report")

    # The statistician's desk of the next year's draft fits the phone too.
    statistician.set_password("demo-pass-2016")
    statistician.save()
    draft = make_inventory(statistician, year=2023, rows=lines)
    login_as(page, statistician.phone, "demo-pass-2016")
    page.goto(f"/inventories/town/{draft.pk}/")
    assert page.locator("[data-testid=rows] tbody tr").count() == 2
    assert not page.evaluate(WIDER_THAN_PHONE)
    assert _axe(page) == []

    # The city reviewer's page of the submitted draft: per-line comment forms, fits, axe clean.
    services.inventory_submit(inventory=draft, actor=statistician)
    reviewer.set_password("demo-pass-2016")
    reviewer.save()
    page.context.clear_cookies()
    login_as(page, reviewer.phone, "demo-pass-2016")
    page.goto(f"/inventories/review/{draft.pk}/")
    assert page.locator("[data-testid=rows] form").count() == 2
    assert not page.evaluate(WIDER_THAN_PHONE)
    assert _axe(page) == []
