import threading

import pytest
from django.db import connection
from django.urls import reverse

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
from tanpuhui.ledger import services
from tanpuhui.ledger.conversion import reductions_convert
from tanpuhui.ledger.models import Account, AccountKind, IdempotencyRecord, Transfer
from tanpuhui.ledger.tests.factories import default_rule, make_reduction

pytestmark = pytest.mark.django_db
WALLET = "/api/v1/me/wallet"
TRANSFERS = "/api/v1/me/wallet/transfers"
REWARDS = "/api/v1/staff/ledger/rewards"


@pytest.fixture
def earned(resident, gz):
    default_rule(gz, "10")
    reduction = make_reduction(resident, "1.25", "metro")
    reductions_convert()
    return reduction


def test_wallet(client_for, resident, earned):
    body = client_for(resident).get(WALLET).json()
    assert body["balance"] == 12 and body["fraction_milli"] == 500
    assert body["lifetime_earned"] == 12 and body["lifetime_spent"] == 0
    assert body["expiring_soon"] == {"amount": 0, "before": None}


def test_wallet_transfers_explain_earnings(client_for, resident, earned, django_assert_max_num_queries):
    client = client_for(resident)
    with django_assert_max_num_queries(12):
        body = client.get(TRANSFERS).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["kind"] == "earn" and item["amount"] == 12 and item["direction"] == "in"
    award = item["awards"][0]
    assert award["behaviour"] == "metro" and award["kg_co2e"] == "1.2500" and award["coins"] == "12.500"
    assert award["rule_version"] == 1 and award["reduction"] == earned.pk
    explained = client.get(award["explanation"]).json()
    assert explained["arithmetic"].startswith("1.2500 kg × 10.0000 coins/kg × 1.000 = 12.500")


def test_other_resident_sees_nothing_of_mine(client_for, resident, other_resident, earned):
    client = client_for(other_resident)
    assert client.get(TRANSFERS).json()["count"] == 0
    assert client.get(WALLET).json()["balance"] == 0
    assert client.get(f"/api/v1/me/coin-awards/{earned.pk}").status_code == 404


def test_staff_cannot_use_resident_wallet(client_for, gz_operator):
    assert client_for(gz_operator).get(WALLET).status_code == 403


def test_anonymous_refused(api):
    assert api.get(WALLET).status_code in (401, 403)


# --- staff summary ----------------------------------------------------------------------------


def test_staff_summary_scoped(client_for, gz_operator, zs_operator, provincial_officer, resident, earned, zs):
    gz_body = client_for(gz_operator).get("/api/v1/staff/ledger/summary").json()
    assert [c["centre"] for c in gz_body["centres"]] == ["GZ"] and gz_body["centres"][0]["issued"] == 12
    assert gz_body["province"] is None
    zs_body = client_for(zs_operator).get("/api/v1/staff/ledger/summary").json()
    assert [c["centre"] for c in zs_body["centres"]] == ["ZS"] and zs_body["centres"][0]["issued"] == 0
    prov = client_for(provincial_officer).get("/api/v1/staff/ledger/summary").json()
    assert prov["province"]["issued"] == 12 and {c["centre"] for c in prov["centres"]} >= {"GZ", "ZS"}


def test_resident_cannot_read_staff_summary(client_for, resident):
    assert client_for(resident).get("/api/v1/staff/ledger/summary").status_code == 403


# --- staff rewards: idempotency and bad input -------------------------------------------------


@pytest.fixture
def pool(gz):
    account = services.account_get_or_create(kind=AccountKind.POOL, centre=gz, code="green-travel")
    services.pool_issue(pool=account, amount=100, idempotency_key="seed-pool")
    return account


def post(client, body, key="k-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(REWARDS, body, format="json", **headers)


def ledger_state():
    # (a wallet may be opened with 0 coins on first use; no coin may move)
    return list(
        Account.objects.exclude(balance=0).order_by("pk").values_list("pk", "balance")
    ), Transfer.objects.count()


def test_reward_and_replay(client_for, gz_operator, resident, pool):
    client = client_for(gz_operator)
    body = {"pool": pool.pk, "resident": str(resident.pk), "amount": 30}
    first = post(client, body)
    assert first.status_code == 201 and first.json()["pool_balance"] == 70
    again = post(client, body)
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert services.wallet_of(resident).balance == 30
    changed = post(client, {**body, "amount": 31})
    assert changed.status_code == 422 and changed.json()["error"]["code"] == "idempotency_key_reused"
    assert services.wallet_of(resident).balance == 30


def test_reward_requires_key(client_for, gz_operator, resident, pool):
    response = post(
        client_for(gz_operator), {"pool": pool.pk, "resident": str(resident.pk), "amount": 1}, key=None
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "idempotency_key_required"


@pytest.mark.parametrize(
    "amount,status,code",
    [
        (-5, 400, "invalid"),
        (0, 400, "invalid"),
        (1.5, 400, "invalid"),
        ("ten", 400, "invalid"),
        (True, 400, "invalid"),
        (101, 409, "insufficient_coins"),
    ],
)
def test_reward_bad_amounts_leave_ledger_unchanged(
    client_for, gz_operator, resident, pool, amount, status, code
):
    before = ledger_state()
    response = post(
        client_for(gz_operator), {"pool": pool.pk, "resident": str(resident.pk), "amount": amount}
    )
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert ledger_state() == before
    assert not IdempotencyRecord.objects.exists()  # errors are not stored: the key can be retried


def test_reward_unknown_pool_and_other_tenants(
    client_for, gz_operator, zs_operator, resident, other_resident, pool, zs
):
    before = ledger_state()
    gz = client_for(gz_operator)
    assert post(gz, {"pool": 999999, "resident": str(resident.pk), "amount": 1}).status_code == 404
    # another centre's resident
    assert (
        post(gz, {"pool": pool.pk, "resident": str(other_resident.pk), "amount": 1}, key="k2").status_code
        == 404
    )
    # another centre's staff using GZ's pool
    assert (
        post(
            client_for(zs_operator), {"pool": pool.pk, "resident": str(resident.pk), "amount": 1}
        ).status_code
        == 404
    )
    assert ledger_state() == before


def test_reward_needs_finance_or_operator(client_for, gz, resident, pool):
    reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
    assert (
        post(client_for(reviewer), {"pool": pool.pk, "resident": str(resident.pk), "amount": 1}).status_code
        == 403
    )
    assert (
        post(client_for(resident), {"pool": pool.pk, "resident": str(resident.pk), "amount": 1}).status_code
        == 403
    )


def test_in_flight_duplicate_gets_409(client_for, gz_operator, resident, pool):
    IdempotencyRecord.objects.create(user=gz_operator, scope="staff_reward", key="busy", request_hash="x")
    body = {"pool": pool.pk, "resident": str(resident.pk), "amount": 1}
    # same key, different hash → 422; make the hash match to see the in-flight 409
    from tanpuhui.ledger import idempotency

    response = post(client_for(gz_operator), body, key="busy")
    assert response.status_code == 422
    rec = IdempotencyRecord.objects.get(key="busy")
    original = idempotency.request_hash
    try:
        idempotency.request_hash = lambda request: "x"
        response = post(client_for(gz_operator), body, key="busy")
    finally:
        idempotency.request_hash = original
    assert response.status_code == 409 and response.json()["error"]["code"] == "request_in_progress"
    assert rec.state == "in_progress" and services.wallet_of(resident).balance == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_api_requests_have_one_effect(gz, province):
    from rest_framework.test import APIClient

    operator = make_staff(Role.CENTRE_OPERATOR, gz)
    resident = ResidentFactory(centre=gz)
    pool = services.account_get_or_create(kind=AccountKind.POOL, centre=gz, code="p")
    services.pool_issue(pool=pool, amount=100, idempotency_key="seed")
    statuses, barrier = [], threading.Barrier(8)

    def hit():
        try:
            client = APIClient()
            client.force_authenticate(operator)
            barrier.wait()
            statuses.append(
                post(
                    client, {"pool": pool.pk, "resident": str(resident.pk), "amount": 10}, key="dup"
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {201, 409} and 201 in statuses
    assert services.wallet_of(resident).balance == 10
    assert Transfer.objects.filter(kind="reward").count() == 1


# --- pages ------------------------------------------------------------------------------------


def test_wallet_page(client, resident, earned):
    client.force_login(resident)
    response = client.get(reverse("web:wallet"))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="wallet-balance">12<' in html and "<svg" in html


def test_staff_page_scoped(client, gz_operator, zs_operator, earned, resident):
    client.force_login(gz_operator)
    html = client.get(reverse("web:staff-ledger")).content.decode()
    assert "GZ" in html and ">12<" in html
    client.force_login(zs_operator)
    html = client.get(reverse("web:staff-ledger")).content.decode()
    assert "ZS" in html and ">12<" not in html


def test_pages_refuse_wrong_role(client, resident, gz_operator):
    client.force_login(resident)
    assert client.get(reverse("web:staff-ledger")).status_code == 403
    client.force_login(gz_operator)
    assert client.get(reverse("web:wallet")).status_code == 403


def test_admin_accounts_scoped(client, gz_operator, zs_operator, resident, earned):
    wallet = services.wallet_of(resident)
    client.force_login(gz_operator)
    response = client.get("/admin/ledger/account/")
    assert response.status_code == 200 and f"/admin/ledger/account/{wallet.pk}/" in response.content.decode()
    client.force_login(zs_operator)
    response = client.get("/admin/ledger/account/")
    assert (
        response.status_code == 200 and f"/admin/ledger/account/{wallet.pk}/" not in response.content.decode()
    )
    assert client.get(f"/admin/ledger/account/{wallet.pk}/change/").status_code in (302, 404)
