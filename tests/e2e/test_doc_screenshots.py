"""Phone-size screenshots for the README (docs/screenshots/). Opt-in: they are committed files.

TANPUHUI_DOC_SCREENSHOTS=1 DATABASE_URL=… TANPUHUI_TESTING=1 .venv/bin/pytest tests/e2e/test_doc_screenshots.py
"""

import os
from pathlib import Path

import pytest

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.services import binding_create, resident_register

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.environ.get("TANPUHUI_DOC_SCREENSHOTS"), reason="set TANPUHUI_DOC_SCREENSHOTS=1"
    ),
]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_readme_screenshots(page, centres, shot, login_as):
    page.goto("/")
    shot(page, "home-zh", full_page=False, path=DOCS / "home-zh.png")

    user = resident_register(
        centre_code="GZ", phone="13912345678", password="low-carbon-2016", display_name="陈晓明"
    )
    for kind, number, label in [
        (Binding.Kind.ELECTRICITY, "0100012345", "家里"),
        (Binding.Kind.TRANSIT_CARD, "T100067890", "羊城通"),
        (Binding.Kind.BIKE_SHARE, "bike-gz-02468", ""),
    ]:
        binding_create(resident=user, kind=kind, account_number=number, label=label)
    login_as(page, "13912345678", "low-carbon-2016")
    page.select_option("[data-testid=bind-form] select[name=kind]", Binding.Kind.WATER)
    page.fill("[data-testid=bind-form] input[name=account_number]", "W1000135")
    page.click("[data-testid=bind-form] button[type=submit]")
    page.wait_for_selector("text=•••• 0135")
    page.evaluate("document.getElementById('bindings').scrollIntoView()")
    page.evaluate("window.scrollBy(0, -120)")
    shot(page, "profile", full_page=False, path=DOCS / "profile-bindings.png")

    page.goto("/?lang=en")
    shot(page, "home-en", full_page=False, path=DOCS / "home-en.png")


def test_explanation_and_wallet_screenshots(
    page, centres, shot, login_as, django_capture_on_commit_callbacks
):
    """A resident's metro and bus trips: the explanation in words, then the wallet's one-line history."""
    from tanpuhui.ledger.tests.factories import default_rule
    from tanpuhui.metering.models import DataProvider, Reduction
    from tanpuhui.metering.tests.factories import make_provider, upload

    gz = centres["GZ"]
    default_rule(gz)
    user = resident_register(
        centre_code="GZ", phone="13912345679", password="low-carbon-2016", display_name="陈晓明"
    )
    binding_create(resident=user, kind=Binding.Kind.TRANSIT_CARD, account_number="T100067891", label="羊城通")
    trips = "record_id,card,mode,boarded_at\n" + "".join(
        f"d{i},T100067891,{'metro' if i % 3 else 'bus'},2026-11-{i + 1:02d}T08:12:00+08:00\n"
        for i in range(12)
    )
    with django_capture_on_commit_callbacks(execute=True):
        yct = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
        DataProvider.objects.filter(pk=yct.pk).update(name="羊城通")  # the name residents read
        upload(yct, "transit_trip", trips)
    login_as(page, "13912345679", "low-carbon-2016")
    metro = Reduction.objects.filter(resident=user, behaviour="metro").order_by("-period_end").first()
    assert metro is not None
    page.goto(f"/me/reductions/{metro.pk}/?lang=zh-hans")
    assert "你乘坐地铁 1 次 × 每次 0.5155 千克 = 0.5155 千克" in page.inner_text(
        "[data-testid=reduction-story]"
    )
    page.click("details.technical summary")
    shot(page, "explanation", full_page=False, path=DOCS / "explanation.png")
    page.goto("/me/wallet/")
    assert "乘地铁" in page.inner_text("[data-testid=wallet-history]")
    shot(page, "wallet", full_page=False, path=DOCS / "wallet.png")


def test_readme_screenshots_resident_home_and_messages(page, centres, shot, login_as):
    """The resident home after binding a card with waiting trips, and the message centre."""
    from datetime import timedelta

    from django.utils import timezone

    from tanpuhui.accounts.tests.factories import PASSWORD, ResidentFactory
    from tanpuhui.ledger.tests.factories import default_rule
    from tanpuhui.marketplace import services as marketplace
    from tanpuhui.marketplace.tests.factories import (
        MerchantFactory,
        OfferFactory,
        OutletFactory,
        make_merchant_staff,
    )
    from tanpuhui.metering.models import DataProvider
    from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload

    gz = centres["GZ"]
    seed_methods(gz)
    default_rule(gz)
    today = timezone.localdate()
    rows = [
        f"d{d}-{i},T100067890,{'metro' if i % 3 else 'bus'},{today - timedelta(days=d)}T{8 + i:02d}:10:00+08:00"
        for d in range(1, 8)
        for i in range(6)
    ]
    upload(
        make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR),
        "transit_trip",
        "record_id,card,mode,boarded_at\n" + "\n".join(rows) + "\n",
    )
    merchant = MerchantFactory(centre=gz, name="天河绿色米铺")
    OutletFactory(merchant=merchant, name="体育西店")
    rice = OfferFactory(merchant=merchant, title="东北大米 5kg", price_coins=120, stock=20)
    OfferFactory(merchant=merchant, title="LED 节能灯泡两只", price_coins=400, stock=20)
    resident = ResidentFactory(centre=gz, display_name="陈晓明")
    binding_create(resident=resident, kind=Binding.Kind.TRANSIT_CARD, account_number="T100067890")
    voucher = marketplace.voucher_redeem(offer_id=rice.pk, resident=resident)
    marketplace.voucher_verify(user=make_merchant_staff(merchant).user, code=voucher.code)

    login_as(page, resident.phone, PASSWORD)
    page.goto("/")
    shot(page, "resident-home", full_page=False, path=DOCS / "resident-home.png")
    page.goto("/me/messages/")
    shot(page, "messages", full_page=False, path=DOCS / "messages.png")


def test_staff_dashboard_screenshot(browser, live_server, django_db_serialized_rollback, centres, login_as):
    """The staff console a centre operator lands on, at desktop size (the console is desktop-first)."""
    from tanpuhui.accounts.models import Role, User
    from tanpuhui.accounts.services import role_grant
    from tanpuhui.console.tests.factories import make_centre_activity

    make_centre_activity(centres["GZ"], residents=8)
    operator = User.objects.create_user(
        phone="13800000011", password="demo-pass-2016", display_name="广州运营 陈晓"
    )
    role_grant(user=operator, role=Role.CENTRE_OPERATOR, centre=centres["GZ"])
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    login_as(page, "13800000011", "demo-pass-2016")
    page.wait_for_selector("[data-testid=console-todo]")
    page.screenshot(path=str(DOCS / "staff-console.png"))
    context.close()


def test_enterprise_form_screenshot(page, centres, shot, login_as):
    """The enterprise portal's retrofit form at phone size, with one field error shown."""
    from tanpuhui.enterprises.tests.factories import make_enterprise

    enterprise, user = make_enterprise(centres["ZS"], name="中山明辉照明工程有限公司")
    user.set_password("low-carbon-2016")
    user.save()
    login_as(page, user.phone, "low-carbon-2016")
    page.goto("/enterprise/projects/new/")
    page.select_option("select[name=enterprise]", str(enterprise.pk))
    page.fill("input[name=title]", "小榄厂区车间照明LED改造")
    page.select_option("select[name=kind]", "led_lighting")
    page.fill("input[name=site]", "中山市小榄镇工业大道厂区一号车间")
    page.fill("input[name=period_start]", "2024-01-01")
    page.fill("input[name=period_end]", "2023-06-30")
    page.fill("input[name=operating_hours_per_year]", "5000")
    with page.expect_navigation():
        page.click("[data-testid=project-save]")
    page.wait_for_selector(".has-error")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("document.querySelector('[data-testid=project-form]').scrollIntoView()")
    shot(page, "enterprise-form", full_page=False, path=DOCS / "enterprise-form.png")
