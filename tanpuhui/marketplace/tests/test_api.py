"""HTTP behaviour: status codes, machine codes, idempotency, and the permission wall of every endpoint."""

from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.models import Account
from tanpuhui.marketplace import codes, services
from tanpuhui.marketplace.models import Event, Merchant, Offer, Voucher
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory, make_uscc

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def redeem(client, offer, key="k-1", body=None):
    return client.post(url("offer-redeem", offer.pk), body or {}, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_catalogue_lists_live_offers_of_own_centre_with_category_filter(client_for, rich_resident, offer, zs):
    OfferFactory(merchant=offer.merchant, category="movies", title="电影票")
    OfferFactory(merchant=offer.merchant, status=Offer.Status.PENDING, title="未审核")
    OfferFactory(merchant=MerchantFactory(centre=zs), title="中山的")
    OfferFactory(
        merchant=offer.merchant,
        title="已结束",
        valid_from=timezone.now() - timedelta(days=3),
        valid_until=timezone.now() - timedelta(days=1),
    )
    client = client_for(rich_resident)
    titles = {o["title"] for o in client.get(url("offers")).json()["results"]}
    assert titles == {offer.title, "电影票"}
    movies = client.get(url("offers"), {"category": "movies"}).json()["results"]
    assert [o["title"] for o in movies] == ["电影票"]
    assert client.get(url("offers"), {"category": "weapons"}).status_code == 400
    detail = client.get(url("offer-detail", offer.pk)).json()
    assert detail["stock_left"] == 5 and detail["price_coins"] == 10


def test_redeem_201_then_replay_then_mismatch(client_for, rich_resident, offer):
    Offer.objects.filter(pk=offer.pk).update(per_resident_limit=3)
    client = client_for(rich_resident)
    first = redeem(client, offer)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert codes.voucher_code_normalise(body["code"]) is not None and body["status"] == "issued"
    replay = redeem(client, offer)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == body["id"]
    mismatch = redeem(client, offer, body={"quantity": 1, "note": "x"})
    assert mismatch.status_code == 422
    assert Voucher.objects.count() == 1
    assert Account.objects.get(pk=ledger.wallet_of(rich_resident).pk).balance == 990
    assert client.post(url("offer-redeem", offer.pk), {}, format="json").status_code == 400  # no key
    mine = client.get(url("me-vouchers")).json()["results"]
    assert [v["id"] for v in mine] == [body["id"]]


@pytest.mark.parametrize("quantity", [0, -1, 2, 10**12, "many", None])
def test_absurd_quantities_are_400_and_change_nothing(client_for, rich_resident, offer, quantity):
    response = redeem(client_for(rich_resident), offer, body={"quantity": quantity})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert Voucher.objects.count() == 0


def test_machine_codes(client_for, rich_resident, resident, offer):
    client = client_for(rich_resident)
    assert redeem(client, offer, "a").status_code == 201
    limit = redeem(client, offer, "b")
    assert (limit.status_code, limit.json()["error"]["code"]) == (409, "limit_reached")
    Offer.objects.filter(pk=offer.pk).update(redeemed=5)
    Offer.objects.filter(pk=offer.pk).update(per_resident_limit=9)
    sold = redeem(client, offer, "c")
    assert (sold.status_code, sold.json()["error"]["code"]) == (409, "sold_out")
    later = OfferFactory(merchant=offer.merchant, flash_starts_at=timezone.now() + timedelta(hours=1))
    early = redeem(client, later, "d")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "not_started")
    dear = OfferFactory(merchant=offer.merchant, price_coins=999_999)
    poor = redeem(client, dear, "e")
    assert (poor.status_code, poor.json()["error"]["code"]) == (409, "insufficient_coins")


def test_unknown_and_other_centre_offer_is_404(client_for, other_resident, rich_resident, offer):
    assert redeem(client_for(other_resident), offer).status_code == 404
    assert client_for(other_resident).get(url("offer-detail", offer.pk)).status_code == 404
    import uuid

    assert redeem(client_for(rich_resident), type("O", (), {"pk": uuid.uuid4()})).status_code == 404


def test_verify_endpoint(client_for, rich_resident, offer, cashier, other_cashier):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    other = client_for(other_cashier).post(url("merchant-verify"), {"code": voucher.code}, format="json")
    unknown = client_for(other_cashier).post(
        url("merchant-verify"), {"code": "0000-0000-0000"}, format="json"
    )
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()
    malformed = client_for(cashier).post(url("merchant-verify"), {"code": "hello"}, format="json")
    assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "malformed_code")
    ok = client_for(cashier).post(url("merchant-verify"), {"code": voucher.display_code}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "verified"
    again = client_for(cashier).post(url("merchant-verify"), {"code": voucher.code}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_used")
    assert again.json()["error"]["fields"]["outlet"] == "体育西店"


def test_verify_throttled_after_ten_failures(client_for, cashier):
    client = client_for(cashier)
    statuses = [
        client.post(url("merchant-verify"), {"code": "0000-0000-0000"}, format="json").status_code
        for _ in range(11)
    ]
    assert statuses == [404] * 10 + [429]


def test_settlement_json_csv_xlsx(client_for, rich_resident, offer, cashier, gz_operator, zs_operator):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    services.voucher_verify(user=cashier, code=voucher.code)
    today = timezone.localdate().isoformat()
    params = {"start": today, "end": today}
    mine = client_for(cashier).get(url("merchant-settlement"), params).json()
    assert mine["total_vouchers"] == 1 and mine["total_yuan"] == "5.00"
    csv_body = client_for(cashier).get(url("merchant-settlement"), {**params, "export": "csv"})
    assert csv_body["Content-Type"].startswith("text/csv")
    assert (
        "天河米铺" in csv_body.content.decode("utf-8-sig")
        and voucher.display_code in csv_body.content.decode()
    )
    xlsx = client_for(gz_operator).get(url("staff-settlement"), {**params, "export": "xlsx"})
    import io

    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book["summary"]["A3"].value == "天河米铺" and book["summary"]["F3"].value == 5.0
    assert client_for(zs_operator).get(url("staff-settlement"), params).json()["total_vouchers"] == 0
    bad = client_for(cashier).get(url("merchant-settlement"), {"start": today, "end": "2000-01-01"})
    assert bad.status_code == 400


def test_onboarding_over_http(client_for, resident, gz_operator, zs_operator):
    body = {
        "centre": "GZ",
        "name": "珠江面包坊",
        "licence_number": make_uscc(77),
        "contact_name": "李",
        "contact_phone": "020-88886666",
        "outlets": [{"name": "江南西店", "address": "海珠区江南西路2号"}],
    }
    created = client_for(resident).post(url("merchant-apply"), body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    bad = client_for(resident).post(
        url("merchant-apply"), {**body, "licence_number": "9" * 18}, format="json"
    )
    assert bad.status_code == 400
    assert (
        client_for(zs_operator)
        .post(url("staff-merchant-review", pk), {"decision": "approve"}, format="json")
        .status_code
        == 404
    )
    rejected = client_for(gz_operator).post(
        url("staff-merchant-review", pk), {"decision": "reject"}, format="json"
    )
    assert rejected.status_code == 400  # a rejection needs a reason
    ok = client_for(gz_operator).post(
        url("staff-merchant-review", pk), {"decision": "approve"}, format="json"
    )
    assert ok.json()["status"] == "approved"
    assert client_for(resident).get(url("merchant-me")).json()["name"] == "珠江面包坊"


def test_offer_lifecycle_over_http(client_for, manager, cashier, gz_operator, zs_operator):
    now = timezone.now()
    body = {
        "title": "LED灯泡",
        "category": "low_carbon",
        "price_coins": 200,
        "stock": 50,
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=5)).isoformat(),
        "yuan_value": "15.00",
    }
    for bad in ({"price_coins": 0}, {"price_coins": -5}, {"stock": 10**9}, {"category": "x"}):
        assert (
            client_for(manager.user).post(url("merchant-offers"), {**body, **bad}, format="json").status_code
            == 400
        )
    assert client_for(cashier).post(url("merchant-offers"), body, format="json").status_code == 403
    created = client_for(manager.user).post(url("merchant-offers"), body, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert client_for(manager.user).post(url("merchant-offer-submit", pk)).json()["status"] == "pending"
    assert (
        client_for(zs_operator)
        .post(url("staff-offer-review", pk), {"decision": "approve"}, format="json")
        .status_code
        == 404
    )
    pending = client_for(gz_operator).get(url("staff-offers"), {"status": "pending"}).json()["results"]
    assert [o["id"] for o in pending] == [pk]
    assert (
        client_for(gz_operator)
        .post(url("staff-offer-review", pk), {"decision": "approve"}, format="json")
        .json()["status"]
        == "approved"
    )


# --- permission walls --------------------------------------------------------------------------------


@pytest.fixture
def walls(merchant, offer, other_merchant, gz, zs):
    other_offer = OfferFactory(merchant=other_merchant)
    event = Event.objects.create(
        centre=gz,
        name="低碳日",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=5),
    )
    return {"offer": offer, "other_offer": other_offer, "merchant": merchant, "event": event}


RESIDENT_ONLY = ["offers", "me-vouchers"]
MERCHANT_ONLY = ["merchant-me", "merchant-staff", "merchant-offers"]
STAFF_ONLY = ["staff-merchants", "staff-offers"]


def test_permission_walls(client_for, walls, resident, cashier, gz_operator, zs_operator, api):
    for name in RESIDENT_ONLY:
        assert client_for(resident).get(url(name)).status_code == 200
        assert client_for(cashier).get(url(name)).status_code == 403
        assert client_for(gz_operator).get(url(name)).status_code == 403
        assert api.get(url(name)).status_code in (401, 403)
    for name in MERCHANT_ONLY:
        assert client_for(cashier).get(url(name)).status_code == 200
        assert client_for(resident).get(url(name)).status_code == 403
        assert client_for(gz_operator).get(url(name)).status_code == 403
    for name in STAFF_ONLY:
        assert client_for(gz_operator).get(url(name)).status_code == 200
        assert client_for(resident).get(url(name)).status_code == 403
        assert client_for(cashier).get(url(name)).status_code == 403
    # another centre's staff see none of GZ's rows
    assert client_for(zs_operator).get(url("staff-merchants")).json()["count"] == 0
    assert client_for(zs_operator).get(url("staff-offers")).json()["count"] == 0
    # a merchant sees only its own offers; another merchant's offer is 404
    assert client_for(cashier).get(url("merchant-offer-detail", walls["other_offer"].pk)).status_code == 404
    assert client_for(cashier).get(url("merchant-offer-detail", walls["offer"].pk)).status_code == 200
    # verify and settlement are merchant-only
    assert client_for(resident).post(url("merchant-verify"), {"code": "x"}, format="json").status_code == 403
    assert (
        client_for(gz_operator).post(url("merchant-verify"), {"code": "x"}, format="json").status_code == 403
    )
    today = timezone.localdate().isoformat()
    assert (
        client_for(resident).get(url("staff-settlement"), {"start": today, "end": today}).status_code == 403
    )
    assert client_for(cashier).get(url("staff-settlement"), {"start": today, "end": today}).status_code == 403
    foreign = client_for(zs_operator).get(
        url("staff-settlement"), {"start": today, "end": today, "merchant": str(walls["merchant"].pk)}
    )
    assert foreign.status_code == 404
    # staff cannot redeem; residents cannot review
    assert redeem(client_for(gz_operator), walls["offer"]).status_code == 403
    assert (
        client_for(resident)
        .post(url("staff-offer-review", walls["offer"].pk), {"decision": "approve"}, format="json")
        .status_code
        == 403
    )
    # event booth: residents refused, other centre's staff 404
    event = walls["event"]
    assert client_for(resident).get(url("event-stats", event.pk)).status_code == 403
    assert client_for(zs_operator).get(url("event-stats", event.pk)).status_code == 404
    assert client_for(gz_operator).get(url("event-stats", event.pk)).json() == {"redemptions": 0, "coins": 0}


def test_a_resident_sees_only_own_vouchers(client_for, rich_resident, offer, gz):
    from tanpuhui.accounts.tests.factories import ResidentFactory
    from tanpuhui.ledger.tests.factories import fund

    neighbour = ResidentFactory(centre=gz)
    fund(neighbour, 100)
    theirs = services.voucher_redeem(offer_id=offer.pk, resident=neighbour)
    client = client_for(rich_resident)
    assert client.get(url("me-vouchers")).json()["count"] == 0
    assert client.get(url("me-voucher-detail", theirs.pk)).status_code == 404


def test_suspended_merchant_staff_lose_access(client_for, cashier, merchant):
    Merchant.objects.filter(pk=merchant.pk).update(status=Merchant.Status.SUSPENDED)
    assert client_for(cashier).get(url("merchant-me")).status_code == 403


def test_event_booth_redeem(client_for, walls, rich_resident, gz_operator, other_resident, cashier):
    event = walls["event"]
    booth_offer = OfferFactory(merchant=walls["merchant"], event=event, price_coins=30)
    token = codes.resident_token(rich_resident)
    client = client_for(gz_operator)
    body = {"resident_token": token, "offer": str(booth_offer.pk)}
    done = client.post(url("event-booth-redeem", event.pk), body, format="json", HTTP_IDEMPOTENCY_KEY="b1")
    assert done.status_code == 201, done.json()
    assert done.json()["status"] == "verified"
    assert client.get(url("event-stats", event.pk)).json() == {"redemptions": 1, "coins": 30}
    forged = client.post(
        url("event-booth-redeem", event.pk),
        {**body, "resident_token": token[:-3] + "abc"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="b2",
    )
    assert (forged.status_code, forged.json()["error"]["code"]) == (400, "invalid_resident_code")
    foreign = client.post(
        url("event-booth-redeem", event.pk),
        {**body, "resident_token": codes.resident_token(other_resident)},
        format="json",
        HTTP_IDEMPOTENCY_KEY="b3",
    )
    assert foreign.status_code == 400
    # merchant staff run the booth for their own offers only
    other = make_staff(Role.CENTRE_REVIEWER, walls["merchant"].centre)
    assert other.is_centre_staff
    assert client_for(cashier).get(url("event-stats", event.pk)).status_code == 200


def test_list_endpoints_do_not_query_per_row(
    client_for, rich_resident, merchant, django_assert_max_num_queries
):
    from tanpuhui.ledger.tests.factories import fund

    fund(rich_resident, 10_000)
    offers = [OfferFactory(merchant=merchant, per_resident_limit=5) for _ in range(12)]
    for offer in offers[:6]:
        services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    client = client_for(rich_resident)
    with django_assert_max_num_queries(6):
        assert len(client.get(url("offers")).json()["results"]) == 12
    with django_assert_max_num_queries(6):
        assert client.get(url("me-vouchers")).json()["count"] == 6


def test_offer_image_upload(client_for, manager):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (31, 138, 76)).save(buffer, format="PNG")
    now = timezone.now()
    body = {
        "title": "环保袋",
        "category": "low_carbon",
        "price_coins": 20,
        "stock": 5,
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=5)).isoformat(),
        "yuan_value": "2.00",
    }
    client = client_for(manager.user)
    bogus = client.post(
        url("merchant-offers"),
        {**body, "image": SimpleUploadedFile("x.png", b"not an image")},
        format="multipart",
    )
    assert bogus.status_code == 400 and "image" in bogus.json()["error"]["fields"]
    png = SimpleUploadedFile("bag.png", buffer.getvalue(), content_type="image/png")
    created = client.post(url("merchant-offers"), {**body, "image": png}, format="multipart")
    assert created.status_code == 201, created.json()
    assert created.json()["image"].startswith("/media/offers/")
    Offer.objects.get(pk=created.json()["id"]).image.delete(save=False)
