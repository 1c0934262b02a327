"""A centre operator and a provincial officer sign in and land on their console, on a phone (390×844)
and on a desktop (1280×800): the tasks, the figures and the trend chart are there, and nothing is
wider than the screen."""

import pytest

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.services import role_grant
from tanpuhui.console.tests.factories import make_centre_activity

pytestmark = pytest.mark.browser

PASSWORD = "console-2016"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(params=sorted(SIZES))
def sized_page(request, browser, live_server, django_db_serialized_rollback):
    from django.core.cache import cache

    cache.clear()
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport=SIZES[request.param])
    page = context.new_page()
    yield page
    context.close()
    cache.clear()


def staff(phone: str, role: str, centre) -> User:
    user = User.objects.create_user(phone=phone, password=PASSWORD, display_name=f"{centre.code} 工作人员")
    role_grant(user=user, role=role, centre=centre)
    return user


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_operator_and_provincial_officer_land_on_their_console(sized_page, centres, login_as):
    page = sized_page
    make_centre_activity(centres["GZ"])
    make_centre_activity(centres["ZS"], residents=4)
    staff("13800000011", Role.CENTRE_OPERATOR, centres["GZ"])
    staff("13800000001", Role.PROVINCIAL_OFFICER, centres["GDPC"])

    login_as(page, "13800000011", PASSWORD)
    assert page.url.endswith("/console/")
    todo = page.locator("[data-testid=console-todo]")
    assert "待审核的商户" in todo.inner_text()
    assert todo.locator("[data-task=merchants] .count").inner_text() == "1"
    assert todo.locator("[data-task=batches] .count").inner_text() == "1"
    assert page.locator("[data-figure=residents]").inner_text() == "6"
    assert page.locator("[data-testid=trend-chart] svg").count() == 3
    assert no_overflow(page)
    assert page.locator("text=全省汇总").count() == 0  # not for a centre operator

    page.context.clear_cookies()
    login_as(page, "13800000001", PASSWORD)
    assert page.url.endswith("/console/")
    assert page.locator("[data-figure=residents]").inner_text() == "10"  # both centres
    page.goto("/console/province/")
    table = page.locator("[data-testid=rollup-table]")
    assert (
        table.locator("tr[data-centre=GZ]").count() == 1 and table.locator("tr[data-centre=ZS]").count() == 1
    )
    assert table.locator("[data-testid=province-total]").inner_text().split()[1:2] == ["10"]
    assert no_overflow(page)
