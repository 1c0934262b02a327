"""Spend coins at phone size: a resident redeems an offer and shows the voucher; a cashier verifies the
typed code on the verify page; a second attempt is refused with where and when it was used."""

import re

import pytest

from tanpuhui.accounts.tests.factories import PASSWORD, ResidentFactory
from tanpuhui.ledger.tests.factories import fund
from tanpuhui.marketplace.models import Voucher
from tanpuhui.marketplace.tests.factories import (
    MerchantFactory,
    OfferFactory,
    OutletFactory,
    make_merchant_staff,
)

pytestmark = pytest.mark.browser


def test_redeem_show_voucher_cashier_verifies(page, phone_context, centres, shot, login_as):
    gz = centres["GZ"]
    resident = ResidentFactory(centre=gz, phone="13912340001", display_name="低碳达人")
    fund(resident, 500)
    merchant = MerchantFactory(centre=gz, name="天河绿色米铺")
    OutletFactory(merchant=merchant, name="体育西店")
    offer = OfferFactory(merchant=merchant, title="东北大米 5kg", price_coins=300, stock=3)
    cashier = make_merchant_staff(merchant).user

    # The resident finds the offer in the catalogue and redeems it.
    login_as(page, resident.phone, PASSWORD)
    page.click("[data-testid=nav-offers]")
    assert "东北大米 5kg" in page.inner_text("[data-testid=offers]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "catalogue")
    page.click(f"[data-testid=offer-{offer.pk}]")
    assert page.inner_text("[data-testid=stock-left]").startswith("3")
    with page.expect_navigation():
        page.click("[data-testid=redeem]")
    with page.expect_navigation():
        page.click("[data-testid=confirm-redeem]")  # the confirmation step
    code = page.inner_text("[data-testid=voucher-code]").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert page.locator("[data-testid=voucher-qr] svg").count() == 1
    shot(page, "voucher")
    voucher = Voucher.objects.get(resident=resident)
    assert voucher.display_code == code and voucher.status == Voucher.Status.ISSUED

    # The cashier, on their own phone, types the code on the verify page.
    counter = phone_context.browser.new_context(
        base_url=page.url.split("/me/")[0],
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    till = counter.new_page()
    login_as(till, cashier.phone, PASSWORD)
    till.goto("/merchant/")
    till.click("[data-testid=go-verify]")
    till.fill("[data-testid=code-input]", code.lower().replace("-", " "))
    with till.expect_navigation():
        till.click("[data-testid=verify-submit]")
    assert "东北大米 5kg" in till.inner_text("[data-testid=verify-result]")
    shot(till, "verified")
    till.fill("[data-testid=code-input]", code)
    with till.expect_navigation():
        till.click("[data-testid=verify-submit]")
    assert "体育西店" in till.inner_text("[data-testid=verify-error]")
    till.goto("/merchant/")
    assert till.inner_text("[data-testid=verified-today]") == "1"
    # Settlement: the verified voucher is owed to the merchant (merchant-funded here, 5.00 yuan).
    till.goto("/merchant/settlement/")
    statement = till.inner_text("[data-testid=settlement]")
    assert "天河绿色米铺" in statement and "5.00" in statement
    shot(till, "settlement")
    counter.close()

    # The resident's wallet now shows the voucher as used.
    page.reload()
    assert page.locator("[data-testid=voucher-status]").count() == 1
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.VERIFIED


def test_low_carbon_day_booth_with_personal_code(page, phone_context, centres, shot, login_as):
    from datetime import timedelta

    from django.utils import timezone

    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import make_staff
    from tanpuhui.marketplace.models import Event

    gz = centres["GZ"]
    resident = ResidentFactory(centre=gz, phone="13912340002")
    fund(resident, 500)
    merchant = MerchantFactory(centre=gz, name="光明LED节能灯具")
    event = Event.objects.create(
        centre=gz,
        name="广州低碳日",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=6),
    )
    OfferFactory(merchant=merchant, event=event, title="节能灯泡两只装", price_coins=200)
    operator = make_staff(Role.CENTRE_OPERATOR, gz)

    # The resident opens the profile: personal QR, and the short code under it.
    login_as(page, resident.phone, PASSWORD)
    page.goto("/me/")
    assert page.locator("[data-testid=personal-qr] img").count() == 1
    token = page.inner_text("[data-testid=personal-code]").strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}-[2-9A-HJ-NP-Z]{3}", token)

    # Booth staff type it (no camera in a headless browser), pick the offer, hand it over.
    booth_ctx = phone_context.browser.new_context(
        base_url=page.url.split("/me/")[0], viewport={"width": 390, "height": 844}, is_mobile=True
    )
    booth = booth_ctx.new_page()
    login_as(booth, operator.phone, PASSWORD)
    booth.goto(f"/events/{event.pk}/booth/")
    assert booth.inner_text("[data-testid=booth-redemptions]") == "0"
    booth.fill("#token-input", token)
    with booth.expect_navigation():
        booth.click("main form button[type=submit]")
    assert "节能灯泡两只装" in booth.inner_text("[data-testid=booth-result]")
    assert booth.inner_text("[data-testid=booth-coins]") == "200"
    shot(booth, "booth")

    # The same resident again: the per-resident limit (1) is shown, nothing changes.
    booth.fill("#token-input", token)
    with booth.expect_navigation():
        booth.click("main form button[type=submit]")
    assert booth.locator("[data-testid=booth-error]").count() == 1
    assert booth.inner_text("[data-testid=booth-redemptions]") == "1"

    # The live counter catches up by itself (htmx polling every 3 s) when another booth redeems.
    from tanpuhui.marketplace import codes, services

    neighbour = ResidentFactory(centre=gz, phone="13912340003")
    fund(neighbour, 500)
    services.event_booth_redeem(
        event=event,
        user=operator,
        resident_token=codes.resident_token(neighbour),
        offer_id=event.offers.get().pk,
    )
    booth.wait_for_function(
        "document.querySelector('[data-testid=booth-redemptions]').textContent.trim() === '2'", timeout=10_000
    )
    assert booth.inner_text("[data-testid=booth-coins]") == "400"
    voucher = Voucher.objects.get(resident=resident)
    assert voucher.status == Voucher.Status.VERIFIED and voucher.event_id == event.pk
    booth_ctx.close()


def test_cashier_types_the_residents_personal_code_and_the_voucher_shows_used(
    page, phone_context, centres, shot, login_as
):
    """The counter at phone size: the cashier lands on the verify page, the scanner loads (and says
    plainly that there is no camera here), the resident's short code finds their voucher, one tap uses
    it, and the resident's voucher page then shows it used."""
    gz = centres["GZ"]
    resident = ResidentFactory(centre=gz, phone="13912340004", display_name="低碳达人")
    fund(resident, 500)
    merchant = MerchantFactory(centre=gz, name="天河绿色米铺")
    OutletFactory(merchant=merchant, name="体育西店")
    OfferFactory(merchant=merchant, title="东北大米 5kg", price_coins=300, stock=3)
    cashier = make_merchant_staff(merchant).user

    login_as(page, resident.phone, PASSWORD)
    page.goto("/offers/")
    page.click("[data-testid=offers] a >> nth=0")
    with page.expect_navigation():
        page.click("[data-testid=redeem]")
    with page.expect_navigation():
        page.click("[data-testid=confirm-redeem]")  # the confirmation step
    voucher_url = page.url
    page.goto("/me/")
    short = page.inner_text("[data-testid=personal-code]").strip()

    till_ctx = phone_context.browser.new_context(
        base_url=page.url.split("/me/")[0],
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
    )
    till = till_ctx.new_page()
    errors: list[str] = []
    till.on("pageerror", lambda exc: errors.append(str(exc)))
    till.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    login_as(till, cashier.phone, PASSWORD)
    assert till.url.endswith("/merchant/verify/")  # landed at the counter, not on the profile
    till.wait_for_function("window.QrScanner !== undefined && document.querySelector('[data-scanner-ready]')")
    # headless Chromium has no camera: the page says so in words and the typed path stays
    till.wait_for_selector("[data-testid=scan-note]:not([hidden])")
    assert "输入" in till.inner_text("[data-testid=scan-note]")
    assert till.evaluate("document.documentElement.scrollWidth") <= 390
    till.fill("[data-testid=code-input]", short.lower().replace("-", ""))
    with till.expect_navigation():
        till.click("[data-testid=verify-submit]")
    assert "东北大米 5kg" in till.inner_text("[data-testid=verify-choices]")
    shot(till, "verify-personal-code")
    with till.expect_navigation():
        till.click("[data-testid=verify-choice]")
    assert "东北大米 5kg" in till.inner_text("[data-testid=verify-result]")
    assert errors == []
    till_ctx.close()

    page.goto(voucher_url)
    assert page.locator("[data-testid=voucher-status]").count() == 1
    assert Voucher.objects.get(resident=resident).status == Voucher.Status.VERIFIED
