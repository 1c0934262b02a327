import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from tanpuhui.common.models import AppendOnlyError
from tanpuhui.ledger import services
from tanpuhui.ledger.errors import AccountNotFound, AlreadyReversed, InvalidAmount
from tanpuhui.ledger.models import Account, AccountKind, Transfer, TransferKind
from tanpuhui.ledger.services import IdempotencyMismatch, InsufficientCoins, Leg
from tanpuhui.ledger.tests.factories import fund, merchant_account

pytestmark = pytest.mark.django_db


def total_balance() -> int:
    return Account.objects.aggregate(s=Sum("balance"))["s"] or 0


def test_earn_and_spend_keep_sum_zero(resident, gz):
    fund(resident, 100)
    wallet = services.wallet_of(resident)
    merchant = merchant_account(gz)
    services.transfer_post(
        debit=wallet, credit=merchant, amount=30, kind=TransferKind.SPEND, idempotency_key="s1"
    )
    wallet.refresh_from_db()
    merchant.refresh_from_db()
    assert (wallet.balance, merchant.balance, services.issuance_of(gz).balance) == (70, 30, -100)
    assert total_balance() == 0


def test_wallet_of_is_stable(resident):
    assert services.wallet_of(resident).pk == services.wallet_of(resident).pk
    assert services.wallet_of(resident).user == resident


def test_same_key_same_request_replays_without_second_effect(resident, gz):
    fund(resident, 50)
    wallet, merchant = services.wallet_of(resident), merchant_account(gz)
    first = services.transfer_post(
        debit=wallet, credit=merchant, amount=20, kind="spend", idempotency_key="k"
    )
    again = services.transfer_post(
        debit=wallet, credit=merchant, amount=20, kind="spend", idempotency_key="k"
    )
    assert first.pk == again.pk
    wallet.refresh_from_db()
    assert wallet.balance == 30
    assert Transfer.objects.filter(idempotency_key="k").count() == 1


def test_same_key_different_request_raises(resident, gz):
    fund(resident, 50)
    wallet, merchant = services.wallet_of(resident), merchant_account(gz)
    services.transfer_post(debit=wallet, credit=merchant, amount=20, kind="spend", idempotency_key="k")
    with pytest.raises(IdempotencyMismatch) as exc:
        services.transfer_post(debit=wallet, credit=merchant, amount=21, kind="spend", idempotency_key="k")
    assert exc.value.code == "idempotency_key_reused" and exc.value.status_code == 422
    wallet.refresh_from_db()
    assert wallet.balance == 30


def test_overspend_is_refused_and_nothing_changes(resident, gz):
    fund(resident, 10)
    wallet, merchant = services.wallet_of(resident), merchant_account(gz)
    count = Transfer.objects.count()
    with pytest.raises(InsufficientCoins) as exc:
        services.transfer_post(debit=wallet, credit=merchant, amount=11, kind="spend", idempotency_key="o")
    assert exc.value.code == "insufficient_coins" and exc.value.status_code == 409
    wallet.refresh_from_db()
    assert wallet.balance == 10 and Transfer.objects.count() == count


@pytest.mark.parametrize("amount", [0, -5, 1.5, "10", True, None, 10**16])
def test_bad_amounts_are_refused(resident, gz, amount):
    fund(resident, 10)
    with pytest.raises(InvalidAmount):
        services.transfer_post(
            debit=services.wallet_of(resident),
            credit=merchant_account(gz),
            amount=amount,
            kind="spend",
            idempotency_key="bad",
        )
    assert not Transfer.objects.filter(idempotency_key="bad").exists()


@pytest.mark.parametrize("other", [999999, 10**20, -1, "7", None])
def test_unknown_account(resident, other):
    fund(resident, 10)
    with pytest.raises(AccountNotFound):
        services.transfer_post(
            debit=services.wallet_of(resident), credit=other, amount=1, kind="spend", idempotency_key="u"
        )
    assert services.wallet_of(resident).balance == 10


def test_multi_leg_posting_is_all_or_nothing(resident, gz):
    fund(resident, 10)
    wallet = services.wallet_of(resident)
    merchant, escrow = merchant_account(gz), merchant_account(gz, "m2")
    with pytest.raises(InsufficientCoins):
        services.transfers_post(
            legs=[Leg(wallet, merchant, 6, "spend"), Leg(wallet, escrow, 6, "pledge")],
            idempotency_key="multi",
        )
    assert Transfer.objects.filter(idempotency_key="multi").count() == 0
    out = services.transfers_post(
        legs=[Leg(wallet, merchant, 6, "spend"), Leg(wallet, escrow, 4, "pledge")], idempotency_key="multi"
    )
    assert [t.leg for t in out] == [0, 1]
    wallet.refresh_from_db()
    assert wallet.balance == 0 and total_balance() == 0


def test_reverse_once_only(resident, gz):
    fund(resident, 10)
    wallet, merchant = services.wallet_of(resident), merchant_account(gz)
    spend = services.transfer_post(
        debit=wallet, credit=merchant, amount=7, kind="spend", idempotency_key="sp"
    )
    rev = services.transfer_reverse(transfer=spend, idempotency_key="rev1")
    assert rev.reverses_id == spend.pk and rev.debit_id == merchant.pk and rev.credit_id == wallet.pk
    assert services.transfer_reverse(transfer=spend, idempotency_key="rev1").pk == rev.pk
    with pytest.raises(AlreadyReversed):
        services.transfer_reverse(transfer=spend, idempotency_key="rev2")
    wallet.refresh_from_db()
    assert wallet.balance == 10


def test_partial_reversals_are_bounded(resident, gz):
    fund(resident, 10)
    wallet, merchant = services.wallet_of(resident), merchant_account(gz)
    spend = services.transfer_post(
        debit=wallet, credit=merchant, amount=7, kind="spend", idempotency_key="sp"
    )
    services.transfer_reverse(transfer=spend, idempotency_key="r1", amount=4)
    with pytest.raises(AlreadyReversed):
        services.transfer_reverse(transfer=spend, idempotency_key="r2", amount=4)
    services.transfer_reverse(transfer=spend, idempotency_key="r3", amount=3)
    wallet.refresh_from_db()
    assert wallet.balance == 10


def test_transfers_are_append_only(resident):
    transfer = fund(resident, 5)
    with pytest.raises(AppendOnlyError):
        transfer.save()
    with pytest.raises(AppendOnlyError):
        transfer.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger is PostgreSQL-only")
def test_append_only_trigger_refuses_raw_update(resident):
    transfer = fund(resident, 5)
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_transfer SET amount = 500 WHERE id = %s", [transfer.pk])


def test_database_refuses_negative_wallet(resident):
    wallet = services.wallet_of(resident)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=wallet.pk).update(balance=-1)


def test_account_get_or_create_by_owner(gz, resident):
    a = services.account_get_or_create(kind=AccountKind.ESCROW, centre=gz, owner=("funding.project", "7"))
    b = services.account_get_or_create(kind=AccountKind.ESCROW, centre=gz, owner=("funding.project", "7"))
    assert a.pk == b.pk and not a.allow_negative
    assert services.issuance_of(gz).allow_negative
