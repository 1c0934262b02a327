"""Races with real threads on PostgreSQL: no oversell, per-resident limit, a voucher verified once."""

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common.errors import ServiceError
from tanpuhui.ledger.models import Account
from tanpuhui.ledger.tests.factories import fund
from tanpuhui.marketplace import services
from tanpuhui.marketplace.models import Offer, VerificationAttempt, Voucher
from tanpuhui.marketplace.tests.factories import OfferFactory, make_merchant_staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and real concurrency")


def race(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released at once; return each result or error code."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except ServiceError as error:
            results[i] = error.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_sixty_residents_race_for_the_last_seven_units(gz, merchant):
    offer = OfferFactory(merchant=merchant, stock=7, price_coins=10)
    residents = [ResidentFactory(centre=gz) for _ in range(60)]
    for r in residents:
        fund(r, 100)
    results = race(60, lambda i: services.voucher_redeem(offer_id=offer.pk, resident=residents[i]).code)
    codes = [r for r in results if isinstance(r, str) and len(r) == 12]
    refused = [r for r in results if r not in codes]
    assert len(codes) == 7 and len(set(codes)) == 7
    assert set(refused) == {"sold_out"} and len(refused) == 53
    offer.refresh_from_db()
    assert offer.redeemed == offer.stock == 7
    assert Voucher.objects.filter(offer=offer).count() == 7
    wallets = Account.objects.filter(kind="wallet", user__in=residents).aggregate(s=Sum("balance"))["s"]
    assert wallets == 60 * 100 - 7 * 10
    assert Account.objects.aggregate(s=Sum("balance"))["s"] == 0  # no coin created or lost


def test_one_resident_racing_past_the_limit(gz, merchant, resident):
    offer = OfferFactory(merchant=merchant, stock=100, per_resident_limit=2, price_coins=5)
    fund(resident, 1000)
    results = race(12, lambda i: services.voucher_redeem(offer_id=offer.pk, resident=resident).code)
    assert sum(1 for r in results if isinstance(r, str) and len(r) == 12) == 2
    assert {r for r in results if not (isinstance(r, str) and len(r) == 12)} == {"limit_reached"}
    offer.refresh_from_db()
    assert offer.redeemed == 2
    assert Account.objects.get(kind="wallet", user=resident).balance == 990


@pytest.mark.parametrize("limit", [1, 10])
def test_same_idempotency_key_racing_creates_one_voucher(gz, merchant, resident, limit):
    offer = OfferFactory(merchant=merchant, stock=100, per_resident_limit=limit, price_coins=5)
    fund(resident, 1000)

    def work(i):
        return services.voucher_redeem(offer_id=offer.pk, resident=resident, idempotency_key="same").pk

    results = race(8, work)
    assert Voucher.objects.filter(offer=offer).count() == 1
    assert Account.objects.get(kind="wallet", user=resident).balance == 995
    assert len(set(results)) == 1 and not isinstance(results[0], str)  # every racer got the same voucher


def test_two_cashiers_verify_the_same_code_once(gz, merchant, resident):
    offer = OfferFactory(merchant=merchant)
    fund(resident, 100)
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=resident)
    cashiers = [make_merchant_staff(merchant).user for _ in range(6)]
    results = race(6, lambda i: services.voucher_verify(user=cashiers[i], code=voucher.code).status)
    assert results.count("verified") == 1
    assert results.count("already_used") == 5
    assert VerificationAttempt.objects.filter(voucher=voucher, outcome="verified").count() == 1
    assert Offer.objects.get(pk=offer.pk).redeemed == 1
