"""A centre operator logs in through the site and lands in a Chinese back office showing their centre only."""

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
    assert page.url.endswith("/admin/")
    assert "账户与角色" in page.inner_text("body")  # the accounts app, in Chinese

    page.goto("/admin/accounts/user/")
    listing = page.inner_text("#result_list")
    assert "广州居民甲" in listing
    assert "中山居民乙" not in listing
    shot(page, "admin-users")
