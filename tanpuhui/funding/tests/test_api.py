from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
from tanpuhui.funding import services
from tanpuhui.funding.models import FundingPool

pytestmark = pytest.mark.django_db


def test_pools_appropriations_report_and_walls(
    gz, zs, gz_operator, zs_operator, provincial_officer, client_for, resident
):
    api = client_for(gz_operator)
    r = api.post(
        "/api/v1/staff/pools",
        {"centre": "GZ", "source": "government_subsidy", "name_zh": "市财政", "name_en": "City"},
        format="json",
    )
    assert r.status_code == 201
    pid = r.json()["id"]
    assert (
        api.post(
            "/api/v1/staff/pools",
            {"centre": "ZS", "source": "commercial", "name_zh": "x", "name_en": "x"},
            format="json",
        ).status_code
        == 404
    )
    r = api.post(
        f"/api/v1/staff/pools/{pid}/appropriations", {"yuan": "5000", "reference": "粤财-1"}, format="json"
    )
    assert r.status_code == 201 and r.json()["budget_yuan"] == "5000.00"
    assert (
        api.post(
            f"/api/v1/staff/pools/{pid}/appropriations", {"yuan": "-5", "reference": "r"}, format="json"
        ).status_code
        == 400
    )
    services.pool_draw_for_voucher(pool_id=pid, yuan=Decimal("120"), reference="V1")
    report = api.get("/api/v1/staff/pools/report").json()
    assert report["totals"]["yuan_in"] == "5000.00" and report["totals"]["yuan_out"] == "120.00"
    assert report["totals"]["yuan_remaining"] == "4880.00"
    zs_api = client_for(zs_operator)
    assert (
        zs_api.post(
            f"/api/v1/staff/pools/{pid}/appropriations", {"yuan": "1", "reference": "z"}, format="json"
        ).status_code
        == 404
    )
    assert zs_api.get("/api/v1/staff/pools/report").json()["pools"] == []
    services.pool_create(centre=zs, source="commercial", name_zh="某银行", name_en="Bank", actor=zs_operator)
    rollup = client_for(provincial_officer).get("/api/v1/staff/pools/rollup").json()
    assert [c["centre"] for c in rollup["centres"]] == ["GZ", "ZS"]
    assert client_for(resident).get("/api/v1/staff/pools/report").status_code == 403


def test_campaign_preview_and_create_via_api(gz, gz_operator, zs_operator, client_for):
    pool = services.pool_create(
        centre=gz, source="government_subsidy", name_zh="补贴", name_en="Subsidy", actor=gz_operator
    )
    services.pool_appropriate(pool_id=pool.pk, yuan=Decimal("100"), reference="r", actor=gz_operator)
    start = timezone.now()
    body = {
        "centre": "GZ",
        "pool": pool.pk,
        "kind": "multiplier",
        "name": "低碳日地铁双倍",
        "behaviours": ["metro"],
        "multiplier": "2",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=1)).isoformat(),
    }
    r = client_for(gz_operator).post("/api/v1/staff/campaigns/preview", body, format="json")
    assert (
        r.status_code == 200 and r.json()["affordable"] is True and r.json()["pool_available_coins"] == 10000
    )
    assert client_for(zs_operator).post("/api/v1/staff/campaigns", body, format="json").status_code == 404
    r = client_for(gz_operator).post("/api/v1/staff/campaigns", body, format="json")
    assert r.status_code == 201


def test_crowdfunding_pledge_via_api(gz, zs, gz_operator, client_for, coin_ledger):
    r = client_for(gz_operator).post(
        "/api/v1/staff/crowdfunding",
        {
            "centre": "GZ",
            "kind": "ev_charger",
            "title": "光伏充电桩",
            "target_coins": 500,
            "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201
    pid = r.json()["id"]
    resident = ResidentFactory(centre=gz)
    coin_ledger.fund(resident, 300)
    api = client_for(resident)
    assert (
        api.post(f"/api/v1/crowdfunding/{pid}/pledges", {"coins": 100}, format="json").status_code == 400
    )  # no key
    r = api.post(
        f"/api/v1/crowdfunding/{pid}/pledges", {"coins": 301}, format="json", HTTP_IDEMPOTENCY_KEY="a"
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "insufficient_coins"
    r = api.post(
        f"/api/v1/crowdfunding/{pid}/pledges", {"coins": 100}, format="json", HTTP_IDEMPOTENCY_KEY="b"
    )
    assert r.status_code == 201
    r = api.post(
        f"/api/v1/crowdfunding/{pid}/pledges", {"coins": 100}, format="json", HTTP_IDEMPOTENCY_KEY="b"
    )
    assert r.status_code == 201 and r["Idempotent-Replayed"] == "true"
    assert api.get(f"/api/v1/crowdfunding/{pid}").json()["pledged_coins"] == 100
    assert coin_ledger.wallet_balance(resident) == 200
    outsider = client_for(ResidentFactory(centre=zs))
    assert outsider.get(f"/api/v1/crowdfunding/{pid}").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/crowdfunding/{pid}/pledges", {"coins": 1}, format="json", HTTP_IDEMPOTENCY_KEY="c"
        ).status_code
        == 404
    )
    assert (
        client_for(gz_operator)
        .post(f"/api/v1/crowdfunding/{pid}/pledges", {"coins": 1}, format="json", HTTP_IDEMPOTENCY_KEY="d")
        .status_code
        == 403
    )


def test_causes_via_api_and_pages(gz, zs, gz_operator, zs_operator, client_for, coin_ledger, client):
    r = client_for(gz_operator).post(
        "/api/v1/staff/causes", {"centre": "GZ", "kind": "mangrove", "title": "南沙红树林保护"}, format="json"
    )
    cid = r.json()["id"]
    assert (
        client_for(zs_operator)
        .post(f"/api/v1/staff/causes/{cid}/updates", {"title": "x", "body": "y"}, format="json")
        .status_code
        == 404
    )
    assert (
        client_for(gz_operator)
        .post(
            f"/api/v1/staff/causes/{cid}/updates",
            {"title": "补种红树苗800株", "body": "…", "coins_spent": 50},
            format="json",
        )
        .status_code
        == 201
    )
    resident = ResidentFactory(centre=gz)
    coin_ledger.fund(resident, 80)
    api = client_for(resident)
    assert (
        api.post(
            f"/api/v1/causes/{cid}/donations", {"coins": 81}, format="json", HTTP_IDEMPOTENCY_KEY="1"
        ).status_code
        == 409
    )
    assert (
        api.post(
            f"/api/v1/causes/{cid}/donations", {"coins": 80}, format="json", HTTP_IDEMPOTENCY_KEY="2"
        ).status_code
        == 201
    )
    causes = api.get("/api/v1/causes").json()["results"]
    assert causes[0]["donated_coins"] == 80 and causes[0]["updates"][0]["title"] == "补种红树苗800株"
    assert client_for(ResidentFactory(centre=zs)).get("/api/v1/causes").json()["results"] == []
    client.force_login(resident)
    assert "南沙红树林保护" in client.get("/causes/").content.decode()


def test_crowdfunding_pages_and_pledge_form(gz, gz_operator, client, coin_ledger):
    project = services.crowdfunding_create(
        centre=gz,
        actor=gz_operator,
        kind="allotment",
        title="社区菜园",
        target_coins=100,
        deadline=timezone.now() + timedelta(days=1),
    )
    resident = ResidentFactory(centre=gz)
    coin_ledger.fund(resident, 50)
    client.force_login(resident)
    assert "社区菜园" in client.get("/crowdfunding/").content.decode()
    page = client.get(f"/crowdfunding/{project.pk}/").content.decode()
    assert "hx-get" in page
    client.post(f"/crowdfunding/{project.pk}/pledge", {"coins": "30", "key": "k1"})
    client.post(f"/crowdfunding/{project.pk}/pledge", {"coins": "30", "key": "k1"})  # double submit: once
    progress = client.get(f"/crowdfunding/{project.pk}/progress").content.decode()
    assert 'data-testid="pledged">30<' in progress
    client.force_login(gz_operator)
    assert client.get("/staff/funding/").status_code == 200
    assert FundingPool.objects.count() == 0


def test_staff_report_page_is_staff_only(gz, client):
    client.force_login(ResidentFactory(centre=gz))
    assert client.get("/staff/funding/").status_code == 404
    client.force_login(make_staff(Role.CENTRE_FINANCE, gz))
    assert client.get("/staff/funding/").status_code == 200


def test_list_endpoints_query_count_does_not_grow(gz, gz_operator, client_for, django_assert_max_num_queries):
    for i in range(5):
        services.crowdfunding_create(
            centre=gz,
            actor=gz_operator,
            kind="allotment",
            title=f"菜园{i}",
            target_coins=100,
            deadline=timezone.now() + timedelta(days=1),
        )
        cause = services.cause_create(centre=gz, actor=gz_operator, kind="tree_planting", title=f"植树{i}")
        services.cause_update_publish(cause=cause, actor=gz_operator, title="t", body="b")
    resident = ResidentFactory(centre=gz)
    api = client_for(resident)
    with django_assert_max_num_queries(6):
        assert len(api.get("/api/v1/crowdfunding").json()["results"]) == 5
    with django_assert_max_num_queries(7):
        assert len(api.get("/api/v1/causes").json()["results"]) == 5


def test_staff_lists_are_scoped_to_the_centre(gz, gz_operator, zs_operator, provincial_officer, client_for):
    from tanpuhui.enterprises.tests.factories import make_enterprise

    make_enterprise(gz, verified=False)
    pool = services.pool_create(
        centre=gz, source="government_subsidy", name_zh="补贴", name_en="S", actor=gz_operator
    )
    services.pool_appropriate(pool_id=pool.pk, yuan=Decimal("100"), reference="r", actor=gz_operator)
    services.crowdfunding_create(
        centre=gz,
        actor=gz_operator,
        kind="allotment",
        title="菜园",
        target_coins=10,
        deadline=timezone.now() + timedelta(days=1),
    )
    services.cause_create(centre=gz, actor=gz_operator, kind="mangrove", title="红树林")
    start = timezone.now()
    services.campaign_create(
        centre=gz,
        pool_id=pool.pk,
        actor=gz_operator,
        kind="event",
        name="低碳日",
        starts_at=start,
        ends_at=start + timedelta(days=1),
        behaviours=[],
    )
    urls = [
        "/api/v1/staff/enterprises",
        "/api/v1/staff/crowdfunding",
        "/api/v1/staff/causes",
        "/api/v1/staff/campaigns",
        "/api/v1/staff/pools",
    ]

    def count(client, url):
        body = client.get(url).json()
        return len(body["results"] if isinstance(body, dict) else body)

    for url in urls:
        assert count(client_for(gz_operator), url) == 1, url
        assert count(client_for(zs_operator), url) == 0, url
        assert count(client_for(provincial_officer), url) == 1, url
