"""The resident's whole loop in one phone-sized Chromium session, through the real server:

register → bind an electricity account and a transit card on the profile → two data providers upload
CSV files with those numbers through the HTTP API (Api-Key) → processing runs (Celery eager) and
metering's ``reductions_quantified`` signal makes the ledger convert → the resident sees the kg on the
reductions page and the coins in the wallet → redeems an offer drawing on a subsidy pool → a cashier
verifies the code at the counter → the merchant's settlement and the pool show the verified voucher.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tanpuhui.accounts.models import Binding, Role, User
from tanpuhui.accounts.tests.factories import PASSWORD as STAFF_PASSWORD
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.funding import services as funding
from tanpuhui.funding.models import FundingPool
from tanpuhui.ledger.models import Account
from tanpuhui.ledger.services import wallet_of
from tanpuhui.ledger.tests.factories import default_rule
from tanpuhui.marketplace.models import Voucher
from tanpuhui.marketplace.tests.factories import (
    MerchantFactory,
    OfferFactory,
    OutletFactory,
    make_merchant_staff,
)
from tanpuhui.metering.models import Batch, DataProvider, Reduction
from tanpuhui.metering.services import provider_create, provider_key_issue
from tanpuhui.metering.tests.factories import seed_methods

pytestmark = pytest.mark.browser

PHONE_NUMBER = "13987650001"
PASSWORD = "whole-loop-2016"
METER = "0100000001"
CARD = "T100000001"


def _last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _upload(api, key: str, record_type: str, body: str) -> dict:
    """POST the CSV body to the provider API as a provider's system would (own context, no cookies, Api-Key)."""
    response = api.post(
        f"/api/v1/provider/batches?record_type={record_type}&filename={record_type}.csv",
        data=body.encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "text/csv"},
    )
    assert response.status == 202, response.text()
    return response.json()


def _get(api, key: str, path: str) -> dict:
    response = api.get(path, headers={"Authorization": f"Api-Key {key}"})
    assert response.status == 200, response.text()
    return response.json()


def test_register_bind_earn_redeem_verify_settle(
    page, phone_context, centres, live_server, shot, login_as, settings, tmp_path
):
    settings.METERING_UPLOAD_DIR = tmp_path / "uploads"
    gz = centres["GZ"]
    operator = make_staff(Role.CENTRE_OPERATOR, gz)
    seed_methods(gz)  # known factors: grid 0.4042 kg/kWh, metro 0.5155 kg/trip
    default_rule(gz, coins_per_kg="10")
    power = provider_create(
        centre=gz, code="gz-power", name="广州供电局", kind=DataProvider.Kind.POWER_UTILITY
    )
    metro = provider_create(
        centre=gz, code="gz-metro", name="广州地铁", kind=DataProvider.Kind.TRANSIT_OPERATOR
    )
    power_key = provider_key_issue(provider=power)
    metro_key = provider_key_issue(provider=metro)
    merchant = MerchantFactory(centre=gz, name="天河绿色米铺")
    OutletFactory(merchant=merchant, name="体育西店")
    cashier = make_merchant_staff(merchant).user
    pool = FundingPool.objects.create(
        centre=gz, source=FundingPool.Source.GOVERNMENT_SUBSIDY, name_zh="广州兑换补贴", name_en="GZ subsidy"
    )
    funding.pool_appropriate(pool_id=pool.pk, yuan=Decimal("100"), reference="穗财2026-1", actor=operator)
    offer = OfferFactory(
        merchant=merchant,
        title="东北大米 5kg",
        price_coins=150,
        stock=3,
        funding_pool=pool,
        yuan_value="25.00",
    )

    # 1. Register through the page (GZ), landing on the profile.
    page.goto("/register/")
    page.select_option("select[name=centre]", "GZ")
    page.fill("input[name=phone]", PHONE_NUMBER)
    page.fill("input[name=display_name]", "全程居民")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/me/")
    resident = User.objects.get(phone=PHONE_NUMBER)

    # 2. Bind the electricity account and the transit card on the profile (htmx form).
    for bound, (kind, number) in enumerate(
        ((Binding.Kind.ELECTRICITY, METER), (Binding.Kind.TRANSIT_CARD, "T1000 00001")), 1
    ):
        page.select_option("[data-testid=bind-form] select[name=kind]", kind)
        page.fill("[data-testid=bind-form] input[name=account_number]", number)
        page.click("[data-testid=bind-form] button[type=submit]")
        page.wait_for_function(
            f"document.querySelectorAll('[data-testid=binding-list] code').length === {bound}"
        )
    assert page.inner_text("[data-testid=binding-list]").count("•••• 0001") == 2
    assert set(Binding.objects.filter(resident=resident).values_list("kind", "account_number")) == {
        (Binding.Kind.ELECTRICITY, METER),
        (Binding.Kind.TRANSIT_CARD, CARD),
    }
    shot(page, "bound")

    # 3. The providers upload through the real HTTP API on the live server.
    today = timezone.localdate()
    start, end = _last_month(today)
    history = []
    for years in (2, 1):  # the same month one and two years earlier: the baseline (300 kWh)
        h_start, h_end = _last_month(today.replace(year=today.year - years, day=1))
        history.append(f"E-{h_start:%Y-%m},1,{METER},{h_start},{h_end},300\n")
    electricity = (
        "record_id,revision,account,period_start,period_end,quantity\n"
        + "".join(history)
        + f"E-{start:%Y-%m},1,{METER},{start},{end},250\n"
    )
    trip_day = today - timedelta(days=2)
    trips = (
        "record_id,card,mode,boarded_at\n"
        f"m1,{CARD},metro,{trip_day}T08:12:00+08:00\n"
        f"m2,{CARD},metro,{trip_day}T18:40:00+08:00\n"
    )
    provider_side = phone_context.browser.new_context(base_url=live_server.url)
    api = provider_side.request
    power_batch = _upload(api, power_key, "electricity_reading", electricity)
    metro_batch = _upload(api, metro_key, "transit_trip", trips)
    for key, batch in ((power_key, power_batch), (metro_key, metro_batch)):
        done = _get(api, key, f"/api/v1/provider/batches/{batch['id']}")
        assert done["status"] == Batch.Status.DONE, done
    provider_side.close()
    # Baseline 300 kWh − 250 kWh = 50 kWh × 0.4042 = 20.2100 kg; two metro trips × 0.5155 = 1.0310 kg.
    kgs = sorted(Reduction.objects.filter(resident=resident).values_list("behaviour", "kg_co2e"))
    assert kgs == [
        ("electricity_saving", Decimal("20.2100")),
        ("metro", Decimal("0.5155")),
        ("metro", Decimal("0.5155")),
    ]

    # 4. The resident sees the reductions (21.24 kg) and the coins (21.241 kg × 10 = 212).
    page.goto("/me/reductions/")
    main = page.inner_text("main")
    assert "21.24" in main and "20.2100" in main and "0.5155" in main
    shot(page, "reductions")
    page.goto("/me/wallet/")
    assert page.inner_text("[data-testid=wallet-balance]").strip() == "212"
    assert "20.21 千克" in page.inner_text("[data-testid=wallet-history]")
    shot(page, "wallet-earned")

    # 5. Redeem in the catalogue.
    page.click("[data-testid=nav-offers]")
    assert "东北大米 5kg" in page.inner_text("[data-testid=offers]")
    page.click(f"[data-testid=offer-{offer.pk}]")
    assert page.inner_text("[data-testid=stock-left]").startswith("3")
    with page.expect_navigation():
        page.click("[data-testid=redeem]")
    code = page.inner_text("[data-testid=voucher-code]").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    voucher_url = page.url
    shot(page, "voucher")
    page.goto("/me/wallet/")
    assert page.inner_text("[data-testid=wallet-balance]").strip() == "62"

    # 6. The cashier verifies the typed code on the verify page (own phone, own session).
    counter = phone_context.browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    till = counter.new_page()
    login_as(till, cashier.phone, STAFF_PASSWORD)
    till.goto("/merchant/verify/")
    till.fill("[data-testid=code-input]", code)
    with till.expect_navigation():
        till.click("[data-testid=verify-submit]")
    assert "东北大米 5kg" in till.inner_text("[data-testid=verify-result]")

    # 7. Settlement: the verified voucher is owed 25.00 yuan from the subsidy pool.
    till.goto("/merchant/settlement/")
    statement = till.inner_text("[data-testid=settlement]")
    assert "广州兑换补贴" in statement and "25.00" in statement
    shot(till, "settlement")
    counter.close()
    pool.refresh_from_db()
    assert pool.yuan_spent == Decimal("25.00")

    # The resident's voucher now reads as used, at the outlet.
    page.goto(voucher_url)
    assert "体育西店" in page.inner_text("[data-testid=voucher-status]")
    voucher = Voucher.objects.get(resident=resident)
    assert voucher.status == Voucher.Status.VERIFIED
    assert Account.objects.get(pk=wallet_of(resident).pk).balance == 62
