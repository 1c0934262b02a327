import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from tanpuhui.funding import coins, selectors, services
from tanpuhui.funding.models import CrowdfundingProject, FundingPool, Pledge, PoolMovement

pytestmark = pytest.mark.django_db


def subsidy(centre, actor, yuan="1000"):
    pool = services.pool_create(
        centre=centre, source="government_subsidy", name_zh="市财政补贴", name_en="City subsidy", actor=actor
    )
    return services.pool_appropriate(pool_id=pool.pk, yuan=Decimal(yuan), reference="粤财2024-1", actor=actor)


# --- pools -----------------------------------------------------------------------------------------


def test_appropriation_and_voucher_draws_until_exhausted(gz, gz_operator):
    pool = subsidy(gz, gz_operator, "25")
    assert pool.budget_yuan == Decimal("25.00")
    services.pool_draw_for_voucher(pool_id=pool.pk, yuan=Decimal("10"), reference="V1")
    services.pool_draw_for_voucher(pool_id=pool.pk, yuan=Decimal("10"), reference="V2")
    services.pool_draw_for_voucher(pool_id=pool.pk, yuan=Decimal("10"), reference="V2")  # repeated hook: once
    with pytest.raises(Conflict) as exc:
        services.pool_draw_for_voucher(pool_id=pool.pk, yuan=Decimal("10"), reference="V3")
    assert exc.value.code == "pool_exhausted"
    pool.refresh_from_db()
    assert pool.yuan_spent == Decimal("20.00") and pool.yuan_remaining == Decimal("5.00")
    with pytest.raises(Conflict):  # same appropriation reference twice
        services.pool_appropriate(
            pool_id=pool.pk, yuan=Decimal("1"), reference="粤财2024-1", actor=gz_operator
        )
    with pytest.raises(ValidationFailed):
        services.pool_appropriate(pool_id=pool.pk, yuan=Decimal("-1"), reference="neg", actor=gz_operator)


def test_database_refuses_overdraw(gz, gz_operator):
    from django.db import IntegrityError, transaction

    pool = subsidy(gz, gz_operator, "5")
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingPool.objects.filter(pk=pool.pk).update(yuan_spent=Decimal("6"))
    from tanpuhui.ledger.models import Account

    donation_pool = services.donation_pool_for(centre=gz)
    services.pool_receive_donation(pool=donation_pool, coins=10, reference="donation:floor")
    with pytest.raises(IntegrityError), transaction.atomic():  # a pool's coins are its ledger account's
        Account.objects.filter(pk=coins.pool_account(donation_pool).pk).update(balance=-1)


def test_coin_pool_pays_vouchers_in_coins(gz, coin_ledger):
    pool = services.donation_pool_for(centre=gz)
    services.pool_receive_donation(pool=pool, coins=1500, reference="donation:t")
    services.pool_draw_for_voucher(
        pool_id=pool.pk, yuan=Decimal("10"), reference="V1"
    )  # 10 yuan × 100 coins/yuan
    figures = selectors.pool_coins_of(pool)
    assert (figures.balance, figures.coins_in, figures.coins_out) == (500, 1500, 1000)
    assert coin_ledger.balance(coins.pool_account(pool)) == 500
    with pytest.raises(Conflict):
        services.pool_draw_for_voucher(pool_id=pool.pk, yuan=Decimal("10"), reference="V2")


def test_report_and_provincial_rollup(gz, zs, gz_operator, zs_operator):
    subsidy(gz, gz_operator, "100")
    p2 = subsidy(zs, zs_operator, "40")
    services.pool_draw_for_voucher(pool_id=p2.pk, yuan=Decimal("15"), reference="V1")
    services.pool_receive_donation(
        pool=services.donation_pool_for(centre=zs), coins=700, reference="donation:x"
    )
    report = selectors.pool_report(FundingPool.objects.filter(centre=zs))
    assert report["totals"]["yuan_in"] == Decimal("40.00") and report["totals"]["yuan_out"] == Decimal(
        "15.00"
    )
    assert (
        report["totals"]["yuan_remaining"] == Decimal("25.00") and report["totals"]["coins_remaining"] == 700
    )
    rollup = selectors.provincial_rollup(FundingPool.objects.all())
    by_centre = {row["centre"]: row for row in rollup["centres"]}
    assert by_centre["GZ"]["yuan_remaining"] == Decimal("100.00")
    assert (
        rollup["totals"]["yuan_remaining"] == Decimal("125.00") and rollup["totals"]["coins_remaining"] == 700
    )


# --- campaigns -------------------------------------------------------------------------------------


def test_campaign_preview_from_last_30_days(gz, gz_operator, resident):
    from tanpuhui.metering.models import Reduction

    today = timezone.localdate()
    for days_ago in (1, 10, 29):
        Reduction.objects.create(
            centre=gz,
            resident=resident,
            behaviour="metro",
            period_start=today - timedelta(days=days_ago),
            period_end=today - timedelta(days=days_ago),
            kg_co2e=Decimal("100"),
        )
    Reduction.objects.create(  # too old, and another behaviour: not counted
        centre=gz,
        resident=resident,
        behaviour="metro",
        period_start=today - timedelta(days=60),
        period_end=today - timedelta(days=60),
        kg_co2e=Decimal("1000"),
    )
    pool = subsidy(gz, gz_operator, "100")  # 100 yuan = 10,000 coins
    start = timezone.now()
    preview = services.campaign_preview(
        centre=gz,
        pool=pool,
        behaviours=["metro"],
        multiplier=Decimal("2"),
        starts_at=start,
        ends_at=start + timedelta(days=10),
    )
    # 300 kg / 30 days × 10 days × 1 coin/kg × (2 − 1) = 100 coins
    assert preview["expected_extra_coins"] == 100 and preview["affordable"]
    campaign = services.campaign_create(
        centre=gz,
        pool_id=pool.pk,
        actor=gz_operator,
        kind="multiplier",
        name="低碳日双倍",
        starts_at=start,
        ends_at=start + timedelta(days=10),
        behaviours=["metro"],
        multiplier=Decimal("2"),
    )
    assert campaign.preview_coins == 100
    from tanpuhui.ledger.models import CampaignMultiplier

    (multiplier,) = CampaignMultiplier.objects.filter(centre=gz)  # what the ledger's conversion applies
    assert multiplier.behaviour == "metro" and multiplier.factor == Decimal("2")
    assert multiplier.cause_id == str(campaign.pk)
    assert (multiplier.ends_on - multiplier.starts_on).days in (9, 10)
    with pytest.raises(Conflict):  # a second multiplier on the same behaviour would compound
        services.campaign_create(
            centre=gz,
            pool_id=pool.pk,
            actor=gz_operator,
            kind="multiplier",
            name="又一个",
            starts_at=start,
            ends_at=start + timedelta(days=2),
            behaviours=["metro", "bus"],
            multiplier=Decimal("3"),
        )
    with pytest.raises(Unprocessable) as exc:  # 10× for ~8 years costs more than the pool holds
        services.campaign_create(
            centre=gz,
            pool_id=pool.pk,
            actor=gz_operator,
            kind="multiplier",
            name="太贵",
            starts_at=start + timedelta(days=20),
            ends_at=start + timedelta(days=3000),
            behaviours=["metro"],
            multiplier=Decimal("10"),
        )
    assert exc.value.code == "pool_insufficient"
    assert CampaignMultiplier.objects.count() == 1


def test_donation_rate_follows_the_ledger_conversion_rule(gz):
    from datetime import date

    from tanpuhui.ledger.conversion import conversion_rule_create

    assert services.coins_per_kg(centre=gz)[0] == Decimal("1")  # documented default
    conversion_rule_create(centre=gz, effective_from=date(2020, 1, 1), coins_per_kg=Decimal("0.5"))
    rate, rule = services.coins_per_kg(centre=gz)
    assert rate == Decimal("0.5") and "v1" in rule


# --- crowdfunding ----------------------------------------------------------------------------------


def project(centre, actor, target=1000, hours=24):
    return services.crowdfunding_create(
        centre=centre,
        actor=actor,
        kind="rooftop_pv",
        title="小榄北区屋顶光伏",
        target_coins=target,
        deadline=timezone.now() + timedelta(hours=hours),
    )


def test_pledges_reach_target_and_release(gz, gz_operator, coin_ledger):
    p = project(gz, gz_operator)
    a, b = ResidentFactory(centre=gz), ResidentFactory(centre=gz)
    coin_ledger.fund(a, 700)
    coin_ledger.fund(b, 700)
    services.pledge_create(project_id=p.pk, resident=a, coins=600, idempotency_key="a1")
    services.pledge_create(project_id=p.pk, resident=a, coins=600, idempotency_key="a1")  # replay
    assert coin_ledger.wallet_balance(a) == 100
    assert coin_ledger.balance(coins.escrow_account(p)) == 600
    services.pledge_create(project_id=p.pk, resident=b, coins=400, idempotency_key="b1")
    p.refresh_from_db()
    assert p.status == "succeeded" and p.pledged_coins == 1000
    assert coin_ledger.balance(coins.escrow_account(p)) == 0
    assert coin_ledger.balance(coins.project_account(p)) == 1000
    assert set(p.pledges.values_list("status", flat=True)) == {"released"}
    with pytest.raises(Conflict):
        services.pledge_create(project_id=p.pk, resident=b, coins=1, idempotency_key="b2")


def test_missed_target_refunds_everyone_once(gz, gz_operator, coin_ledger):
    p = project(gz, gz_operator)
    residents = [ResidentFactory(centre=gz) for _ in range(3)]
    for i, r in enumerate(residents):
        coin_ledger.fund(r, 100)
        services.pledge_create(project_id=p.pk, resident=r, coins=50 + i, idempotency_key=f"k{i}")
    with freeze_time(timezone.now() + timedelta(hours=25)):
        assert services.crowdfunding_settle_due() == 1
        services.crowdfunding_settle(project_id=p.pk)  # again: nothing more happens
        assert services.crowdfunding_settle_due() == 0
    p.refresh_from_db()
    assert p.status == "failed"
    assert [coin_ledger.wallet_balance(r) for r in residents] == [100, 100, 100]
    assert coin_ledger.balance(coins.escrow_account(p)) == 0
    assert set(Pledge.objects.filter(project=p).values_list("status", flat=True)) == {"refunded"}


def test_pledge_bad_input(gz, zs, gz_operator, coin_ledger):
    p = project(gz, gz_operator)
    r = ResidentFactory(centre=gz)
    coin_ledger.fund(r, 10)
    with pytest.raises(Conflict) as exc:
        services.pledge_create(project_id=p.pk, resident=r, coins=11, idempotency_key="too-much")
    assert exc.value.code == "insufficient_coins"
    assert coin_ledger.wallet_balance(r) == 10 and not Pledge.objects.exists()
    with pytest.raises(ValidationFailed):
        services.pledge_create(project_id=p.pk, resident=r, coins=0, idempotency_key="zero")
    with pytest.raises(NotFound):  # another centre's resident doesn't see the project
        services.pledge_create(
            project_id=p.pk, resident=ResidentFactory(centre=zs), coins=1, idempotency_key="zs"
        )
    with freeze_time(timezone.now() + timedelta(hours=24, seconds=1)), pytest.raises(Conflict) as exc:
        services.pledge_create(project_id=p.pk, resident=r, coins=5, idempotency_key="late")
    assert exc.value.code == "deadline_passed"
    services.pledge_create(project_id=p.pk, resident=r, coins=5, idempotency_key="k")
    with pytest.raises(Unprocessable):
        services.pledge_create(project_id=p.pk, resident=r, coins=6, idempotency_key="k")


@pytest.mark.django_db(transaction=True)
def test_pledges_racing_settlement_lose_no_coin(gz, gz_operator, coin_ledger):
    """Concurrent pledges and a settlement at the deadline: every coin ends in a wallet or the escrow's outcome."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    p = project(gz, gz_operator, target=10_000, hours=1)
    residents = [ResidentFactory(centre=gz) for _ in range(8)]
    for r in residents:
        coin_ledger.fund(r, 100)
    CrowdfundingProject.objects.filter(pk=p.pk).update(deadline=timezone.now() + timedelta(milliseconds=300))
    barrier = threading.Barrier(len(residents) + 1)
    outcomes: list = []

    def pledge(r):
        barrier.wait()
        try:
            for i in range(20):
                services.pledge_create(project_id=p.pk, resident=r, coins=5, idempotency_key=f"{r.pk}:{i}")
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    def settle():
        barrier.wait()
        import time

        time.sleep(0.3)
        for _ in range(5):
            services.crowdfunding_settle(project_id=p.pk)
            time.sleep(0.05)
        connection.close()

    threads = [threading.Thread(target=pledge, args=(r,)) for r in residents] + [
        threading.Thread(target=settle)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    services.crowdfunding_settle(project_id=p.pk)
    p.refresh_from_db()
    assert p.status == "failed"
    assert all(coin_ledger.wallet_balance(r) == 100 for r in residents)  # every pledge refunded
    assert coin_ledger.balance(coins.escrow_account(p)) == 0
    assert not Pledge.objects.filter(project=p, status="held").exists()
    assert p.pledged_coins == sum(Pledge.objects.filter(project=p).values_list("coins", flat=True))
    assert PoolMovement.objects.count() == 0


# --- causes ----------------------------------------------------------------------------------------


def test_cause_donation_and_update(gz, zs, gz_operator, coin_ledger):
    cause = services.cause_create(centre=gz, actor=gz_operator, kind="tree_planting", title="帽峰山植树")
    r = ResidentFactory(centre=gz)
    coin_ledger.fund(r, 300)
    services.cause_donate(cause_id=cause.pk, resident=r, coins=200, idempotency_key="c1")
    services.cause_donate(cause_id=cause.pk, resident=r, coins=200, idempotency_key="c1")
    with pytest.raises(Conflict):
        services.cause_donate(cause_id=cause.pk, resident=r, coins=200, idempotency_key="c2")
    with pytest.raises(NotFound):
        services.cause_donate(
            cause_id=cause.pk, resident=ResidentFactory(centre=zs), coins=1, idempotency_key="c3"
        )
    cause.refresh_from_db()
    assert cause.donated_coins == 200 and coin_ledger.balance(coins.cause_account(cause)) == 200
    update = services.cause_update_publish(
        cause=cause, actor=gz_operator, title="种下120棵树", body="…", coins_spent=200
    )
    assert list(cause.updates.all()) == [update]


def test_voucher_verified_hook_draws_from_the_pool(gz, gz_operator, django_capture_on_commit_callbacks):
    from types import SimpleNamespace

    from tanpuhui.funding.receivers import on_voucher_verified
    from tanpuhui.marketplace.services import voucher_verified

    pool = subsidy(gz, gz_operator, "30")
    voucher = SimpleNamespace(pk=1, funding_pool_id=pool.pk, yuan_value=Decimal("25.00"), centre=gz)
    assert any(r[1]() is on_voucher_verified for r in voucher_verified.receivers if callable(r[1]))
    on_voucher_verified(sender=None, voucher=voucher)
    on_voucher_verified(sender=None, voucher=voucher)  # the same voucher twice: paid once
    pool.refresh_from_db()
    assert pool.yuan_spent == Decimal("25.00")
    on_voucher_verified(
        sender=None,
        voucher=SimpleNamespace(pk=2, funding_pool_id=pool.pk, yuan_value=Decimal("25.00"), centre=gz),
    )
    pool.refresh_from_db()
    assert pool.yuan_spent == Decimal("25.00")  # not overdrawn; the shortfall is an audit event
    from tanpuhui.common.models import AuditEvent

    assert AuditEvent.objects.filter(action="pool.unfunded_voucher").exists()
