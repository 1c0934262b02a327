import uuid

import pytest

from tanpuhui.registry.models import CreditBlock, Movement
from tanpuhui.registry.tests.factories import account, issued_block

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def test_serial_search_api(api, gz, province):
    _block, _holder, _officer = issued_block(gz, province, quantity=50)
    r = api.get("/api/v1/registry/serials/GD-PHCER-METRO-0001-2026-7")
    assert r.status_code == 200
    assert r.json()["block"]["serial"] == "GD-PHCER-METRO-0001-2026-1-50" and r.json()["lineage"] == []
    assert (
        api.get("/api/v1/registry/serials/GD-PHCER-METRO-0001-2026-51").json()["error"]["code"]
        == "unknown_serial"
    )
    bad = api.get("/api/v1/registry/serials/GD-PHCER-METRO-0001-2026-9-3")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "reversed_range"


def test_holder_transfers_and_retires_through_the_api(client_for, api, gz, zs, province):
    block, holder, _officer = issued_block(gz, province, quantity=50)
    buyer, _ = account(gz)
    client = client_for(holder)
    r = _post(
        client,
        "/api/v1/registry/my/transfers",
        {"block": block.pk, "quantity": "20", "to_account": str(buyer.pk), "price_fen": 2500},
    )
    assert r.status_code == 201, r.json()
    assert r.json()["block"]["serial"] == "GD-PHCER-METRO-0001-2026-1-20"
    lineage = api.get("/api/v1/registry/serials/GD-PHCER-METRO-0001-2026-5").json()["lineage"]
    assert [b["serial"] for b in lineage] == ["GD-PHCER-METRO-0001-2026-1-50"]
    before = (CreditBlock.objects.count(), Movement.objects.count())
    for body, status, code in [
        ({"block": block.pk, "quantity": "31", "to_account": str(buyer.pk)}, 422, "insufficient_credits"),
        ({"block": block.pk, "quantity": "1.5", "to_account": str(buyer.pk)}, 400, "bad_quantity"),
        ({"block": block.pk, "quantity": "-2", "to_account": str(buyer.pk)}, 400, "bad_quantity"),
    ]:
        r = _post(client, "/api/v1/registry/my/transfers", body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code)
    # another account's block is not found
    stranger = client_for(account(zs)[1])
    r = _post(
        stranger,
        "/api/v1/registry/my/transfers",
        {"block": block.pk, "quantity": "1", "to_account": str(buyer.pk)},
    )
    assert r.status_code == 404
    assert (CreditBlock.objects.count(), Movement.objects.count()) == before
    r = _post(
        client,
        "/api/v1/registry/my/retirements",
        {"block": block.pk, "quantity": "5", "beneficiary": "低碳日", "purpose": "voluntary"},
    )
    assert r.status_code == 201
    retired = CreditBlock.objects.get(status="retired").pk
    r = _post(
        client,
        "/api/v1/registry/my/retirements",
        {"block": retired, "quantity": "1", "beneficiary": "x", "purpose": "voluntary"},
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "retired")
    assert api.get("/api/v1/registry/retirements").json()["results"][0]["beneficiary"] == "低碳日"
    holdings = {h["kind"]: h["credits"] for h in api.get("/api/v1/registry/holdings").json()}
    assert holdings == {"centre": 45}


def test_only_the_authority_cancels(client_for, gz, province):
    block, holder, officer = issued_block(gz, province, quantity=10)
    body = {"block": block.pk, "quantity": "2", "reason": "数据错误"}
    assert _post(client_for(holder), "/api/v1/registry/authority/cancellations", body).status_code == 403
    r = _post(client_for(officer), "/api/v1/registry/authority/cancellations", body)
    assert r.status_code == 201 and r.json()["block"]["status"] == "cancelled"


def test_public_pages_and_csv(client, gz, province):
    _block, _holder, _officer = issued_block(gz, province, quantity=10)
    assert client.get("/registry/").status_code == 200
    page = client.get("/registry/serials/?serial=GD-PHCER-METRO-0001-2026-3")
    assert "GD-PHCER-METRO-0001-2026-1-10" in page.content.decode()
    csv = client.get("/registry/export.csv").content.decode("utf-8-sig")
    assert "GD-PHCER-METRO-0001-2026-1-10" in csv
