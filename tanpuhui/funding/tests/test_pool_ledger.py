"""A pool's figures are its ledger accounts' figures (issue 11, item 6): one truth, no coin spent twice.

The stories: a donation pool funds an offer; staff also pay rewards from the pool's ledger account
(POST /api/v1/staff/ledger/rewards). Before the fix the pool row kept its own coin counters, rewards
drained the ledger account behind them, and the verified voucher then drew nothing (the hook failed
with insufficient_coins) while /api/v1/staff/pools still showed the old balance.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.funding import coins, services
from tanpuhui.funding.models import FundingPool
from tanpuhui.funding.selectors import pool_coins_of
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.models import Account, AccountKind, Transfer
from tanpuhui.ledger.tests.factories import fund
from tanpuhui.marketplace import services as marketplace
from tanpuhui.marketplace.models import Voucher
from tanpuhui.marketplace.tests.factories import (
    MerchantFactory,
    OfferFactory,
    OutletFactory,
    make_merchant_staff,
)

pytestmark = pytest.mark.django_db
POOLS = "/api/v1/staff/pools"
REWARDS = "/api/v1/staff/ledger/rewards"


@pytest.fixture
def neighbour(gz):
    """Another resident of the pool's centre, who receives the staff rewards."""
    return ResidentFactory(centre=gz)


@pytest.fixture
def donation_pool(gz):
    """An enterprise-donation pool holding 1,000 coins (5.00 yuan = 500 coins at 100 coins/yuan)."""
    pool = services.donation_pool_for(centre=gz)
    services.pool_receive_donation(pool=pool, coins=1000, reference="donation:story")
    return pool


@pytest.fixture
def pool_offer(gz, donation_pool):
    merchant = MerchantFactory(centre=gz, name="绿色超市")
    OutletFactory(merchant=merchant, name="珠江新城店")
    offer = OfferFactory(
        merchant=merchant, funding_pool=donation_pool, yuan_value="5.00", price_coins=10, per_resident_limit=5
    )
    return offer, make_merchant_staff(merchant).user


def _reward(client, pool, resident, amount, key):
    account = coins.pool_account(pool)
    return client.post(
        REWARDS,
        {"pool": account.pk, "resident": str(resident.pk), "amount": amount},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def _redeem(client, offer, key):
    return client.post(
        reverse("api:offer-redeem", args=[offer.pk]), {}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def _pool_accounts(pool) -> list[int]:
    return list(
        Account.objects.filter(owner_type="funding.fundingpool", owner_id=str(pool.pk)).values_list(
            "pk", flat=True
        )
    )


def _ledger_figures(pool) -> dict:
    """What the ledger says about the pool, computed here from the transfers, independently of the code."""
    ids = _pool_accounts(pool)
    outside_in = Transfer.objects.filter(credit_id__in=ids).exclude(debit_id__in=ids)
    outside_out = Transfer.objects.filter(debit_id__in=ids).exclude(credit_id__in=ids)
    coins_in = outside_in.aggregate(s=Sum("amount"))["s"] or 0
    coins_out = outside_out.aggregate(s=Sum("amount"))["s"] or 0
    spendable = Account.objects.get(pk=coins.pool_account(pool).pk).balance
    return {"coins_in": coins_in, "coins_out": coins_out, "coins_balance": spendable}


def _api_figures(client, pool) -> dict:
    rows = {row["id"]: row for row in client.get(POOLS).json()}
    row = rows[pool.pk]
    return {k: row[k] for k in ("coins_in", "coins_out", "coins_balance")}


def _retired(gz) -> int:
    return Account.objects.get(pk=coins.retired_account(gz).pk).balance


def test_voucher_redeemed_and_verified_draws_its_coins_once_even_after_rewards(
    client_for,
    gz,
    gz_operator,
    resident,
    neighbour,
    donation_pool,
    pool_offer,
    django_capture_on_commit_callbacks,
):
    offer, cashier = pool_offer
    fund(resident, 100)
    staff = client_for(gz_operator)
    assert _redeem(client_for(resident), offer, "story-1").status_code == 201
    voucher = Voucher.objects.get(offer=offer)
    # The voucher's 500 coins are the pool's commitment: rewards may spend only the other 500.
    refused = _reward(staff, donation_pool, neighbour, 800, "reward-too-much")
    assert refused.status_code == 409, refused.json()
    assert _reward(staff, donation_pool, neighbour, 400, "reward-ok").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        verified = client_for(cashier).post(
            reverse("api:merchant-verify"), {"code": voucher.code}, format="json"
        )
    assert verified.status_code == 200, verified.json()
    # The verified 5.00-yuan voucher drew exactly 500 coins from the pool, once.
    assert _retired(gz) == 500
    assert _api_figures(staff, donation_pool) == _ledger_figures(donation_pool)
    assert _ledger_figures(donation_pool) == {"coins_in": 1000, "coins_out": 900, "coins_balance": 100}
    assert ledger_check().ok, ledger_check().problems


def test_rewards_then_vouchers_from_the_same_pool_never_spend_a_coin_twice(
    client_for,
    gz,
    gz_operator,
    resident,
    neighbour,
    donation_pool,
    pool_offer,
    django_capture_on_commit_callbacks,
):
    offer, cashier = pool_offer
    fund(resident, 100)
    staff = client_for(gz_operator)
    assert _reward(staff, donation_pool, neighbour, 700, "reward-first").status_code == 201
    assert _api_figures(staff, donation_pool) == _ledger_figures(donation_pool)
    assert _api_figures(staff, donation_pool)["coins_balance"] == 300
    # 300 coins left cannot fund a 500-coin voucher: refused at redeem, nothing spent.
    refused = _redeem(client_for(resident), offer, "story-2")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "pool_exhausted")
    assert Voucher.objects.filter(offer=offer).count() == 0
    assert Account.objects.get(pk=coins.wallet(resident).pk).balance == 100
    # A new donation makes room; the voucher is then reserved, verified and paid once.
    services.pool_receive_donation(pool=donation_pool, coins=200, reference="donation:top-up")
    assert _redeem(client_for(resident), offer, "story-2b").status_code == 201
    voucher = Voucher.objects.get(offer=offer)
    assert _reward(staff, donation_pool, neighbour, 1, "reward-reserved").status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        marketplace.voucher_verify(user=cashier, code=voucher.code)
    assert _retired(gz) == 500
    assert _ledger_figures(donation_pool) == {"coins_in": 1200, "coins_out": 1200, "coins_balance": 0}
    assert _api_figures(staff, donation_pool) == _ledger_figures(donation_pool)
    assert ledger_check().ok, ledger_check().problems


def test_an_expired_voucher_frees_its_coins_back_to_the_pool(gz, resident, donation_pool, pool_offer):
    offer, _cashier = pool_offer
    fund(resident, 100)
    voucher = marketplace.voucher_redeem(offer_id=offer.pk, resident=resident)
    assert Account.objects.get(pk=coins.pool_account(donation_pool).pk).balance == 500
    Voucher.objects.filter(pk=voucher.pk).update(expires_at=voucher.created_at)
    assert marketplace.vouchers_expire() == 1
    assert Account.objects.get(pk=coins.pool_account(donation_pool).pk).balance == 1000
    assert _retired(gz) == 0
    assert ledger_check().ok, ledger_check().problems


def _problems(kind: str) -> list[dict]:
    return [p for p in ledger_check().problems if p["problem"] == kind]


def test_ledger_check_reports_a_pool_that_disagrees_with_its_ledger_accounts(
    gz, gz_operator, resident, donation_pool, pool_offer
):
    offer, _cashier = pool_offer
    fund(resident, 100)
    voucher = marketplace.voucher_redeem(offer_id=offer.pk, resident=resident)
    assert ledger_check().ok, ledger_check().problems
    with connection.cursor() as cursor:  # the voucher is marked used behind the ledger's back
        cursor.execute(
            f"UPDATE {Voucher._meta.db_table} SET status = 'verified', verified_at = now() WHERE id = %s",  # noqa: S608
            [voucher.pk],
        )
    reported = _problems("pool_reserved_mismatch")
    assert reported and reported[0]["pool"] == donation_pool.pk, ledger_check().problems
    assert _problems("pool_voucher_unsettled")[0]["voucher"] == str(voucher.pk)


def test_ledger_check_reports_a_pool_account_balance_changed_by_hand(gz, donation_pool):
    account = coins.pool_account(donation_pool)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Account._meta.db_table} SET balance = balance + 7 WHERE id = %s",  # noqa: S608
            [account.pk],
        )
    reported = _problems("pool_balance_mismatch")
    assert reported and reported[0]["pool"] == donation_pool.pk, ledger_check().problems


def test_ledger_check_reports_yuan_spent_that_no_voucher_explains(gz, gz_operator):
    pool = services.pool_create(
        centre=gz, source="government_subsidy", name_zh="补贴", name_en="Subsidy", actor=gz_operator
    )
    services.pool_appropriate(pool_id=pool.pk, yuan=Decimal("100"), reference="R-1", actor=gz_operator)
    services.pool_draw_for_voucher(pool_id=pool.pk, yuan=Decimal("10"), reference="V1")
    assert ledger_check().ok, ledger_check().problems
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {FundingPool._meta.db_table} SET yuan_spent = 3 WHERE id = %s", [pool.pk])  # noqa: S608
    reported = _problems("pool_yuan_mismatch")
    assert reported and reported[0]["pool"] == pool.pk, ledger_check().problems


def test_reward_from_a_pool_account_is_refused_beyond_its_free_coins(gz, resident, donation_pool, pool_offer):
    from tanpuhui.ledger import services as ledger

    offer, _cashier = pool_offer
    fund(resident, 100)
    marketplace.voucher_redeem(offer_id=offer.pk, resident=resident)
    pool_account = Account.objects.get(kind=AccountKind.POOL, owner_id=str(donation_pool.pk))
    with pytest.raises(ledger.InsufficientCoins):
        ledger.pool_reward(pool=pool_account, resident=resident, amount=501, idempotency_key="r-501")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrency")
@pytest.mark.django_db(transaction=True)
def test_rewards_racing_redemptions_never_overdraw_the_pool(gz, province):
    """8 threads: half redeem pool-funded vouchers (500 coins each), half pay 300-coin rewards from the
    same pool account, all at once and to the same residents (so every posting shares accounts)."""
    import threading

    from tanpuhui.ledger import services as ledger

    pool = services.donation_pool_for(centre=gz)
    services.pool_receive_donation(pool=pool, coins=2000, reference="donation:race")
    merchant = MerchantFactory(centre=gz)
    OutletFactory(merchant=merchant)
    offer = OfferFactory(
        merchant=merchant, funding_pool=pool, yuan_value="5.00", price_coins=10, per_resident_limit=1
    )
    residents = [ResidentFactory(centre=gz) for _ in range(4)]
    for r in residents:
        fund(r, 100)
    pool_account = coins.pool_account(pool)
    outcomes, barrier = [], threading.Barrier(8)

    def redeem(resident):
        try:
            barrier.wait()
            marketplace.voucher_redeem(offer_id=offer.pk, resident=resident)
            outcomes.append("voucher")
        except marketplace.Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    def reward(resident, n):
        try:
            barrier.wait()
            ledger.pool_reward(pool=pool_account, resident=resident, amount=300, idempotency_key=f"race-{n}")
            outcomes.append("reward")
        except ledger.InsufficientCoins:
            outcomes.append("insufficient_coins")
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(r,)) for r in residents]
    threads += [threading.Thread(target=reward, args=(r, n)) for n, r in enumerate(residents)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 8 and set(outcomes) <= {
        "voucher",
        "reward",
        "pool_exhausted",
        "insufficient_coins",
    }
    vouchers, rewards = outcomes.count("voucher"), outcomes.count("reward")
    figures = pool_coins_of(pool)
    assert figures.reserved == 500 * vouchers and figures.coins_out == 300 * rewards
    assert figures.balance == 2000 - 500 * vouchers - 300 * rewards >= 0
    assert ledger_check().ok, ledger_check().problems
