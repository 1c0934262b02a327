"""A centre operator logs in through the site, lands on the console, finds their centre's residents on the
console's own page, and the back-office forms are in Chinese and show their centre only."""

import pytest

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.services import resident_register, role_grant

pytestmark = pytest.mark.browser

PASSWORD = "back-office-2016"


def test_operator_sees_own_centre_in_the_back_office(page, centres, login_as, shot):
    operator = User.objects.create_user(phone="13800000011", password=PASSWORD, display_name="广州运营 陈晓")
    role_grant(user=operator, role=Role.CENTRE_OPERATOR, centre=centres["GZ"])
    resident_register(centre_code="GZ", phone="13910000001", password=PASSWORD, display_name="广州居民甲")
    resident_register(centre_code="ZS", phone="13920000001", password=PASSWORD, display_name="中山居民乙")

    login_as(page, "13800000011", PASSWORD)
    assert page.url.endswith("/console/")
    page.goto("/admin/")  # the admin's home is the platform administrators': back to the console
    assert page.url.endswith("/console/")

    page.click("#console-nav summary")  # on a phone the console's page list is folded
    page.click("[data-testid=console-nav] >> text=居民")
    page.wait_for_selector("[data-testid=staff-residents]")
    assert page.url.endswith("/staff/residents/")
    residents = page.inner_text("[data-testid=staff-residents]")
    assert "广州居民甲" in residents and "中山居民乙" not in residents

    page.goto("/admin/accounts/user/")
    page.wait_for_selector("#result_list")
    assert "账户与角色" in page.inner_text("body")  # the accounts app, in Chinese
    listing = page.inner_text("#result_list")
    assert "广州居民甲" in listing
    assert "中山居民乙" not in listing
    shot(page, "admin-users")
