"""Pages: each renders for its audience and refuses the others; forms call the services."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tanpuhui.marketplace import codes, services
from tanpuhui.marketplace.models import Event, Merchant, Offer, Voucher
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_resident_pages(rich_resident, offer):
    client = browser(rich_resident)
    catalogue = client.get(reverse("web:offers"))
    assert catalogue.status_code == 200 and offer.title in catalogue.content.decode()
    detail = client.get(reverse("web:offer-detail", args=[offer.pk]))
    assert detail.status_code == 200 and 'data-testid="redeem"' in detail.content.decode()
    confirm = client.get(reverse("web:offer-redeem", args=[offer.pk]))  # the confirmation step
    assert confirm.status_code == 200 and not Voucher.objects.exists()
    key = confirm.context["request_key"]
    done = client.post(reverse("web:offer-redeem", args=[offer.pk]), {"request_key": key})
    voucher = Voucher.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("web:voucher-detail", args=[voucher.pk])
    again = client.post(reverse("web:offer-redeem", args=[offer.pk]), {"request_key": key})  # double submit
    assert again["Location"] == done["Location"] and Voucher.objects.count() == 1
    page = client.get(done["Location"]).content.decode()
    assert voucher.display_code in page and "<svg" in page
    assert client.get(reverse("web:voucher-qr", args=[voucher.pk]))["Content-Type"] == "image/svg+xml"
    assert voucher.display_code in client.get(reverse("web:vouchers")).content.decode()
    qr = client.get(reverse("web:personal-qr"))
    assert qr.status_code == 200 and b"<svg" in qr.content
    assert 'data-testid="personal-qr"' in client.get(reverse("web:profile")).content.decode()


def test_flash_offer_shows_countdown_and_no_button(rich_resident, merchant):
    flash = OfferFactory(merchant=merchant, flash_starts_at=timezone.now() + timedelta(hours=1))
    page = browser(rich_resident).get(reverse("web:offer-detail", args=[flash.pk])).content.decode()
    assert "data-countdown" in page and 'data-testid="redeem"' not in page


def test_other_residents_voucher_and_other_centre_offer_are_404(rich_resident, other_resident, offer):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    stranger = browser(other_resident)
    assert stranger.get(reverse("web:voucher-detail", args=[voucher.pk])).status_code == 404
    assert stranger.get(reverse("web:voucher-qr", args=[voucher.pk])).status_code == 404
    assert stranger.get(reverse("web:offer-detail", args=[offer.pk])).status_code == 404
    assert stranger.post(reverse("web:offer-redeem", args=[offer.pk])).status_code == 404


def test_merchant_pages_and_verify_form(rich_resident, offer, cashier, resident, gz_operator):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    client = browser(cashier)
    assert client.get(reverse("web:merchant-dashboard")).status_code == 200
    ok = client.post(reverse("web:merchant-verify"), {"code": voucher.display_code})
    assert ok.status_code == 200 and 'data-testid="verify-result"' in ok.content.decode()
    again = client.post(reverse("web:merchant-verify"), {"code": voucher.code})
    assert again.status_code == 409 and "体育西店" in again.content.decode()
    assert client.get(reverse("web:merchant-settlement")).status_code == 200
    for outsider in (resident, gz_operator):
        assert browser(outsider).get(reverse("web:merchant-dashboard")).status_code == 403
        assert (
            browser(outsider).post(reverse("web:merchant-verify"), {"code": voucher.code}).status_code == 403
        )


def test_staff_approvals_scoped_and_audited(gz, zs, gz_operator, zs_operator, cashier):
    pending = MerchantFactory(centre=gz, status=Merchant.Status.PENDING, name="待审米店")
    offer = OfferFactory(merchant=MerchantFactory(centre=gz), status=Offer.Status.PENDING, title="待审优惠")
    page = browser(gz_operator).get(reverse("web:staff-approvals")).content.decode()
    assert "待审米店" in page and "待审优惠" in page
    assert "待审米店" not in browser(zs_operator).get(reverse("web:staff-approvals")).content.decode()
    url = reverse("web:staff-review", args=["merchant", pending.pk])
    assert browser(zs_operator).post(url, {"decision": "approve"}).status_code == 404
    assert browser(cashier).post(url, {"decision": "approve"}).status_code == 403
    browser(gz_operator).post(url, {"decision": "reject", "reason": ""})
    pending.refresh_from_db()
    assert pending.status == Merchant.Status.PENDING  # a rejection needs a reason
    browser(gz_operator).post(url, {"decision": "reject", "reason": "证照不符"})
    pending.refresh_from_db()
    assert pending.status == Merchant.Status.REJECTED
    browser(gz_operator).post(reverse("web:staff-review", args=["offer", offer.pk]), {"decision": "approve"})
    offer.refresh_from_db()
    assert offer.status == Offer.Status.APPROVED
    assert browser(gz_operator).get(reverse("web:staff-settlement")).status_code == 200
    assert browser(cashier).get(reverse("web:staff-settlement")).status_code == 403


def test_merchant_apply_page(resident):
    from tanpuhui.marketplace.tests.factories import make_uscc

    client = browser(resident)
    assert client.get(reverse("web:merchant-apply")).status_code == 200
    bad = client.post(reverse("web:merchant-apply"), {"centre": "GZ", "licence_number": "1" * 18})
    assert bad.status_code == 400
    ok = client.post(
        reverse("web:merchant-apply"),
        {
            "centre": "GZ",
            "name": "新店",
            "licence_number": make_uscc(3),
            "contact_name": "王",
            "contact_phone": "020-1234567",
            "outlet_name": "总店",
            "outlet_address": "广州",
        },
    )
    assert ok.status_code == 302 and Merchant.objects.get(name="新店").status == Merchant.Status.PENDING


def test_event_booth_page_and_counter(gz, gz_operator, zs_operator, rich_resident, merchant, resident):
    event = Event.objects.create(
        centre=gz,
        name="低碳日",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=5),
    )
    offer = OfferFactory(merchant=merchant, event=event, price_coins=25)
    client = browser(gz_operator)
    url = reverse("web:event-booth", args=[event.pk])
    assert client.get(url).status_code == 200
    done = client.post(
        url,
        {"resident_token": codes.resident_token(rich_resident), "offer": str(offer.pk), "request_key": "r1"},
    )
    assert done.status_code == 200 and 'data-testid="booth-result"' in done.content.decode()
    counter = client.get(reverse("web:event-counter", args=[event.pk])).content.decode()
    assert ">1<" in counter and ">25<" in counter
    bad = client.post(url, {"resident_token": "TPH1:forged", "offer": str(offer.pk)})
    assert bad.status_code == 400
    assert client.post(url, {"resident_token": "x", "offer": "not-a-uuid"}).status_code == 400
    assert browser(zs_operator).get(url).status_code == 404
    assert browser(resident).get(url).status_code == 403


def test_catalogue_and_offer_say_what_the_balance_affords(resident, merchant):
    from tanpuhui.ledger.tests.factories import fund

    fund(resident, 150)
    cheap = OfferFactory(merchant=merchant, price_coins=100, title="LED 灯泡")
    dear = OfferFactory(merchant=merchant, price_coins=1200, title="电影票")
    client = browser(resident)
    page = client.get(reverse("web:offers") + "?lang=en")
    cards = {c["offer"].pk: c["short"] for c in page.context["cards"]}
    assert cards == {cheap.pk: 0, dear.pk: 1050} and page.context["affordable"] == 1
    html = page.content.decode()
    assert "1,050 coins short" in html and "You can redeem this now" in html
    detail = client.get(reverse("web:offer-detail", args=[dear.pk])).content.decode()
    assert 'data-testid="redeem"' not in detail  # nothing to confirm for an offer out of reach


def test_redeeming_asks_for_confirmation_first(rich_resident, offer):
    client = browser(rich_resident)
    confirm = client.get(reverse("web:offer-redeem", args=[offer.pk]) + "?lang=en")
    html = confirm.content.decode()
    assert 'data-testid="confirm-redeem"' in html and confirm.context["after"] == 990
    assert not Voucher.objects.exists()  # looking at the confirmation spends nothing
    client.post(reverse("web:offer-redeem", args=[offer.pk]), {"request_key": confirm.context["request_key"]})
    assert Voucher.objects.count() == 1
    again = client.get(reverse("web:offer-redeem", args=[offer.pk])).content.decode()
    assert 'data-testid="confirm-redeem"' not in again  # the per-resident limit (1) is reached


def test_the_voucher_page_polls_until_the_cashier_verifies(rich_resident, offer, cashier):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    client = browser(rich_resident)
    status = reverse("web:voucher-status", args=[voucher.pk])
    page = client.get(reverse("web:voucher-detail", args=[voucher.pk])).content.decode()
    assert f'hx-get="{status}"' in page and 'hx-trigger="every 3s"' in page
    services.voucher_verify(user=cashier, code=voucher.code)
    fragment = client.get(status).content.decode()
    assert 'data-status="verified"' in fragment and "体育西店" in fragment
    assert "hx-trigger" not in fragment  # used: the page stops asking
    assert 'id="voucher-qr" hx-swap-oob="true"' in fragment  # and the QR code goes away
