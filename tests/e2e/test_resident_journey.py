"""A newcomer's first visit, through the real pages in a phone-sized Chromium:
register → profile → bind a transit card (htmx) → log out → log in → English and back."""

import pytest

from tanpuhui.accounts.models import Binding, User

pytestmark = pytest.mark.browser

PHONE_NUMBER = "13987654321"
PASSWORD = "green-commute-2016"
CARD = "T1 2345 6789"  # typed with spaces; stored normalised, shown as its last four


def test_register_bind_logout_login_and_switch_language(page, centres, shot, login_as):
    # Home opens in Chinese although the browser asks for English.
    page.goto("/")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "低碳" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone

    # Register through the real form.
    page.click("main a[href='/register/']")
    page.select_option("select[name=centre]", "GZ")
    page.fill("input[name=phone]", PHONE_NUMBER)
    page.fill("input[name=display_name]", "绿色通勤者")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")

    # Landed on the profile.
    assert page.url.endswith("/me/")
    assert page.inner_text("h1") == "绿色通勤者"
    assert "139****4321" in page.inner_text("dl.facts")
    user = User.objects.get(phone=PHONE_NUMBER)
    assert user.centre.code == "GZ" and user.is_resident

    # Bind a transit card with the htmx form: the list updates in place, no page load.
    page.evaluate("window.__notReloaded = true")
    page.select_option("[data-testid=bind-form] select[name=kind]", Binding.Kind.TRANSIT_CARD)
    page.fill("[data-testid=bind-form] input[name=account_number]", CARD)
    page.click("[data-testid=bind-form] button[type=submit]")
    page.wait_for_selector("[data-testid=binding-list] code")
    listed = page.inner_text("[data-testid=binding-list]")
    assert "•••• 6789" in listed
    assert "23456789" not in listed  # only the last four are ever shown
    assert page.evaluate("window.__notReloaded") is True
    binding = Binding.objects.get(resident=user)
    assert (binding.kind, binding.account_number) == (Binding.Kind.TRANSIT_CARD, "T123456789")
    shot(page, "profile-bound")

    # Log out (a POST form in the nav) and back in.
    assert page.inner_text("[data-testid=logout]") == "退出登录"
    with page.expect_navigation():
        page.click("[data-testid=logout]")
    assert page.locator("[data-testid=logout]").count() == 0
    login_as(page, PHONE_NUMBER, PASSWORD)
    assert page.url.endswith("/me/")
    assert "•••• 6789" in page.inner_text("[data-testid=binding-list]")

    # Switch to English, and the choice sticks across pages; then back to Chinese.
    with page.expect_navigation():
        page.click("[data-testid=lang-en]")
    assert page.get_attribute("html", "lang") == "en"
    assert "Bound accounts and cards" in page.inner_text("main")
    page.goto("/")
    assert page.get_attribute("html", "lang") == "en"
    assert "carbon coins" in page.inner_text("[data-testid=home-balance]")  # a resident's own home
    shot(page, "home-en")
    with page.expect_navigation():
        page.click("[data-testid=lang-zh]")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    page.goto("/me/")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "已绑定的账户和卡" in page.inner_text("main")

    # Unbind: the browser asks for confirmation (hx-confirm), then the list updates in place.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=binding-list] button[type=submit]")
    page.wait_for_selector("[data-testid=binding-list] code", state="detached")
    assert "尚未绑定任何账户" in page.inner_text("[data-testid=binding-list]")
    binding.refresh_from_db()
    assert binding.unbound_at is not None


def test_binding_someone_elses_card_shows_a_clear_message(page, centres, login_as):
    owner = User.objects.create_user(phone="13900000001", password=PASSWORD, display_name="卡主")
    owner.centre = centres["GZ"]
    owner.save()
    Binding.objects.create(
        resident=owner, centre=centres["GZ"], kind=Binding.Kind.TRANSIT_CARD, account_number="T123456789"
    )
    from tanpuhui.accounts.services import resident_register

    resident_register(centre_code="GZ", phone=PHONE_NUMBER, password=PASSWORD, display_name="后来者")
    login_as(page, PHONE_NUMBER, PASSWORD)
    page.select_option("[data-testid=bind-form] select[name=kind]", Binding.Kind.TRANSIT_CARD)
    page.fill("[data-testid=bind-form] input[name=account_number]", "T123456789")
    page.click("[data-testid=bind-form] button[type=submit]")
    page.wait_for_selector("#bindings .error")
    assert "已被其他账户绑定" in page.inner_text("#bindings .error")
    assert Binding.objects.filter(account_number="T123456789").count() == 1
