"""The bulk posting engine (``services.postings_post``): the same rules as a single posting."""

import pytest
from django.db import transaction

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.ledger import services
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.errors import IdempotencyMismatch, InsufficientCoins
from tanpuhui.ledger.models import Account, ConversionRun, Transfer, TransferKind
from tanpuhui.ledger.tests.factories import default_rule, fund, make_reduction, merchant_account

pytestmark = pytest.mark.django_db


def spends(wallets, shop, amount=3, prefix="bulk"):
    return [
        services.Posting(
            f"{prefix}:{w.pk}", [services.Leg(debit=w, credit=shop, amount=amount, kind=TransferKind.SPEND)]
        )
        for w in wallets
    ]


def test_bulk_posts_many_postings_once(gz):
    residents = ResidentFactory.create_batch(3, centre=gz)
    for r in residents:
        fund(r, 10)
    wallets = [services.wallet_of(r) for r in residents]
    shop = merchant_account(gz)
    with transaction.atomic():
        first = services.postings_post(postings=spends(wallets, shop), memo="bulk")
    assert sorted(first) == sorted((f"bulk:{w.pk}", 0) for w in wallets)
    with transaction.atomic():
        again = services.postings_post(postings=spends(wallets, shop), memo="bulk")  # a retry: replayed
    assert again == first
    assert [Account.objects.get(pk=w.pk).balance for w in wallets] == [7, 7, 7]
    assert Account.objects.get(pk=shop.pk).balance == 9
    assert Transfer.objects.filter(kind=TransferKind.SPEND).count() == 3
    assert ledger_check().ok


def test_bulk_same_key_different_legs_is_a_mismatch(gz):
    resident = ResidentFactory(centre=gz)
    fund(resident, 10)
    wallet, shop = services.wallet_of(resident), merchant_account(gz)
    with transaction.atomic():
        services.postings_post(postings=spends([wallet], shop, amount=3))
    with pytest.raises(IdempotencyMismatch), transaction.atomic():
        services.postings_post(postings=spends([wallet], shop, amount=4))
    assert Account.objects.get(pk=wallet.pk).balance == 7


def test_bulk_floor_refuses_the_whole_bulk(gz):
    rich, poor = ResidentFactory(centre=gz), ResidentFactory(centre=gz)
    fund(rich, 10)
    fund(poor, 2)
    wallets = [services.wallet_of(rich), services.wallet_of(poor)]
    with pytest.raises(InsufficientCoins), transaction.atomic():
        services.postings_post(postings=spends(wallets, merchant_account(gz), amount=3))
    assert [Account.objects.get(pk=w.pk).balance for w in wallets] == [10, 2]
    assert not Transfer.objects.filter(kind=TransferKind.SPEND).exists()


@pytest.mark.django_db(transaction=True)
def test_bulk_needs_the_callers_transaction(gz):
    resident = ResidentFactory(centre=gz)
    fund(resident, 10)
    with pytest.raises(RuntimeError):
        services.postings_post(postings=spends([services.wallet_of(resident)], merchant_account(gz)))


def test_a_conversion_posting_is_an_ordinary_posting(resident, gz):
    """Conversion posts through the same engine: its key replays through ``transfers_post`` (same
    request hash) instead of being a foreign row the single-posting path cannot recognise."""
    from tanpuhui.ledger.conversion import reductions_convert

    default_rule(gz, "10")
    make_reduction(resident, "2")  # 20 coins
    reductions_convert()
    (earn,) = Transfer.objects.filter(kind=TransferKind.EARN)
    run = ConversionRun.objects.get()
    replay = services.transfers_post(
        legs=[services.Leg(debit=earn.debit_id, credit=earn.credit_id, amount=20, kind=TransferKind.EARN)],
        idempotency_key=earn.idempotency_key,
        cause=run,
        memo="conversion",
    )
    assert [t.pk for t in replay] == [earn.pk]
    assert services.wallet_of(resident).balance == 20
    with pytest.raises(IdempotencyMismatch):
        services.transfer_post(
            debit=earn.debit_id, credit=earn.credit_id, amount=21, kind=TransferKind.EARN,
            idempotency_key=earn.idempotency_key, cause=run,
        )  # fmt: skip
