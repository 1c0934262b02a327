"""Instant feedback on a phone (390×844, Chromium): a resident binds a card that has waiting trips
and is told, with the trips and the coins; a voucher page turns to "used" by itself when the cashier
verifies it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import PASSWORD, ResidentFactory
from tanpuhui.ledger.models import Account, AccountKind
from tanpuhui.ledger.tests.factories import default_rule, fund
from tanpuhui.marketplace import services as marketplace
from tanpuhui.marketplace.models import Voucher
from tanpuhui.marketplace.tests.factories import (
    MerchantFactory,
    OfferFactory,
    OutletFactory,
    make_merchant_staff,
)
from tanpuhui.metering.models import DataProvider
from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload

pytestmark = pytest.mark.browser

CARD = "T100000039"


def waiting_trips(card: str, n: int) -> str:
    day = timezone.localdate() - timedelta(days=3)
    rows = [f"w{i},{card},metro,{day}T{7 + i // 6:02d}:{(i % 6) * 10:02d}:00+08:00" for i in range(n)]
    return "record_id,card,mode,boarded_at\n" + "\n".join(rows) + "\n"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_binding_a_card_with_waiting_trips_brings_a_message_with_the_coins(page, centres, shot, login_as):
    gz = centres["GZ"]
    seed_methods(gz)
    default_rule(gz)
    upload(make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR), "transit_trip", waiting_trips(CARD, 39))
    resident = ResidentFactory(centre=gz, display_name="陈晓明")

    login_as(page, resident.phone, PASSWORD)
    page.goto("/me/")
    page.select_option("[data-testid=bind-form] select[name=kind]", Binding.Kind.TRANSIT_CARD)
    page.fill("[data-testid=bind-form] input[name=account_number]", CARD)
    page.click("[data-testid=bind-form] button[type=submit]")
    page.wait_for_selector("[data-testid=binding-list] code")

    coins = Account.objects.get(user=resident, kind=AccountKind.WALLET).balance
    assert coins == 201  # 39 metro trips × 0.5155 kg × 10 coins per kg, floored
    page.goto("/")
    latest = page.inner_text("[data-testid=home-latest]")
    assert "获得 201 枚碳币" in latest and "乘地铁 39 次" in latest
    assert "绑定卡片或账户之前已送达" in latest  # why now: the trips waited for the binding
    assert "1 条未读" in page.inner_text("[data-testid=unread-badge]")
    assert "201" in page.inner_text("[data-testid=home-balance]")
    assert no_sideways_scroll(page)
    shot(page, "home")

    page.click("[data-testid=home-messages]")
    note = page.inner_text("[data-testid=notification]")
    assert "获得 201 枚碳币" in note and "新" in note
    assert no_sideways_scroll(page)
    shot(page, "messages")
    page.click("[data-testid=read-all]")
    page.wait_for_selector("[data-testid=read-all]", state="detached")
    assert "0 条未读消息" in page.inner_text("[data-testid=unread-count]")
    page.goto("/")
    assert page.locator("[data-testid=unread-badge]").count() == 0

    page.goto("/me/reductions/")
    assert (
        "乘坐地铁" in page.inner_text("[data-testid=trips-by-day]")
        or page.locator("[data-testid=trip]").count() == 39
    )
    assert no_sideways_scroll(page)


def test_the_voucher_page_shows_used_when_the_cashier_verifies(page, centres, shot, login_as):
    gz = centres["GZ"]
    resident = ResidentFactory(centre=gz)
    fund(resident, 500)
    merchant = MerchantFactory(centre=gz, name="天河绿色米铺")
    OutletFactory(merchant=merchant, name="体育西店")
    offer = OfferFactory(merchant=merchant, title="东北大米 5kg", price_coins=300, stock=3)
    cashier = make_merchant_staff(merchant).user

    login_as(page, resident.phone, PASSWORD)
    page.goto(f"/offers/{offer.pk}/")
    assert "现在就能兑换" in page.inner_text("main")
    with page.expect_navigation():
        page.click("[data-testid=redeem]")
    assert "兑换后剩余" in page.inner_text("[data-testid=confirm-facts]")
    assert "200" in page.inner_text("[data-testid=confirm-after]")
    assert not Voucher.objects.exists()  # nothing is spent before the confirmation
    with page.expect_navigation():
        page.click("[data-testid=confirm-redeem]")
    code = page.inner_text("[data-testid=voucher-code]").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert page.get_attribute("[data-testid=voucher-live]", "data-status") == "issued"
    assert no_sideways_scroll(page)

    page.evaluate("window.__notReloaded = true")
    marketplace.voucher_verify(user=cashier, code=code)  # the cashier's scan, through the service
    page.wait_for_selector("[data-testid=voucher-live][data-status=verified]", timeout=10_000)
    status = page.inner_text("[data-testid=voucher-status]")
    assert "已使用" in status and "体育西店" in status
    assert page.locator("[data-testid=voucher-qr]").is_hidden()
    assert page.evaluate("window.__notReloaded") is True  # it changed by itself, no reload
    shot(page, "voucher-used")
