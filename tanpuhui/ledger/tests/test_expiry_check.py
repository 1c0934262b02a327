import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from tanpuhui.ledger import services
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.expiry import coins_expire, expiring_soon
from tanpuhui.ledger.models import Account, LedgerCheck, Transfer, TransferKind
from tanpuhui.ledger.tests.factories import default_rule, fund, merchant_account

pytestmark = pytest.mark.django_db


def at(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_fifo_expiry_after_24_months(resident, gz):
    default_rule(gz, expiry_months=24)
    with freeze_time(at(2024, 1, 1, 12)):
        fund(resident, 100, key="a")
    with freeze_time(at(2024, 6, 1, 12)):
        fund(resident, 50, key="b")
    wallet = services.wallet_of(resident)
    with freeze_time(at(2024, 7, 1, 12)):
        services.transfer_post(
            debit=wallet, credit=merchant_account(gz), amount=30, kind="spend", idempotency_key="s"
        )
    with freeze_time(at(2025, 12, 31, 12)):
        assert coins_expire()["coins_expired"] == 0
    with freeze_time(at(2026, 1, 2, 12)):
        assert coins_expire() == {"coins_expired": 70, "wallets": 1}  # 100 old − 30 spent (FIFO)
        assert coins_expire()["coins_expired"] == 0  # idempotent
    wallet.refresh_from_db()
    assert wallet.balance == 50
    expiry = Transfer.objects.get(kind=TransferKind.EXPIRY)
    assert expiry.credit == services.breakage_of(gz)
    with freeze_time(at(2026, 5, 15, 12)):
        soon = expiring_soon(wallet)
        assert soon["amount"] == 50 and soon["before"] is not None
    with freeze_time(at(2026, 3, 1, 12)):
        assert expiring_soon(wallet)["amount"] == 0
    assert ledger_check().ok


def test_no_expiry_when_policy_is_zero(resident, gz):
    default_rule(gz, expiry_months=0)
    with freeze_time(at(2020, 1, 1)):
        fund(resident, 10, key="old")
    assert coins_expire()["coins_expired"] == 0


def test_ledger_check_command_clean_and_dirty(resident, gz, capsys):
    fund(resident, 10)
    call_command("ledger_check")
    assert LedgerCheck.objects.latest("ran_at").ok
    wallet = services.wallet_of(resident)
    Account.objects.filter(pk=wallet.pk).update(balance=11)  # corrupt the cache
    with pytest.raises(SystemExit) as exc:
        call_command("ledger_check")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert f'"account": {wallet.pk}' in out and "balance_mismatch" in out and "sum_not_zero" in out
    assert not LedgerCheck.objects.latest("ran_at").ok


def test_periodic_tasks_are_scheduled():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"ledger.expire_coins", "ledger.check", "ledger.convert_reductions"} <= tasks


def test_check_task_records_result(resident):
    from tanpuhui.ledger.tasks import check_ledger, expire_coins

    fund(resident, 3)
    assert check_ledger.delay().get() == {"ok": True, "problems": 0}
    assert expire_coins.delay().get()["coins_expired"] == 0
