"""What the ledger tells an operator: coins issued and redeemed (counted on commit, on both posting
paths), the last ``ledger_check`` as a gauge, and progress bars at a terminal only."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from tanpuhui.common import metrics
from tanpuhui.common.models import CheckOutcome
from tanpuhui.ledger import services
from tanpuhui.ledger.models import TransferKind
from tanpuhui.ledger.tests.factories import fund, merchant_account

pytestmark = pytest.mark.django_db(transaction=True)


def _issued() -> float:
    return metrics.COINS_ISSUED._value.get()


def _redeemed() -> float:
    return metrics.COINS_REDEEMED._value.get()


def test_coins_issued_and_redeemed_are_counted_when_committed(resident, gz):
    issued, redeemed = _issued(), _redeemed()
    fund(resident, 100)  # an "earn" posting
    wallet, merchant = services.wallet_of(resident), merchant_account(gz)
    services.transfer_post(
        debit=wallet, credit=merchant, amount=30, kind=TransferKind.SPEND, idempotency_key="s1"
    )
    services.transfer_post(
        debit=wallet, credit=merchant, amount=30, kind=TransferKind.SPEND, idempotency_key="s1"
    )
    assert (_issued() - issued, _redeemed() - redeemed) == (100, 30)  # a replay moves nothing: not counted

    with pytest.raises(RuntimeError), transaction.atomic():
        services.transfer_post(
            debit=wallet, credit=merchant, amount=5, kind=TransferKind.SPEND, idempotency_key="s2"
        )
        raise RuntimeError("rolled back")
    assert _redeemed() - redeemed == 30  # a rolled-back posting never happened


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ledger_check_keeps_its_outcome_and_shows_a_bar_at_a_terminal(resident, capsys):
    fund(resident, 10)
    piped = io.StringIO()
    call_command("ledger_check", stdout=piped)
    assert "ledger_check: OK" in piped.getvalue() and capsys.readouterr().err == ""
    outcome = CheckOutcome.objects.get(name="ledger_check")
    assert (outcome.ok, outcome.problems) == (True, 0)

    call_command("ledger_check", "--no-record", stdout=_Terminal())
    assert "ledger_check: 100%" in capsys.readouterr().err.replace("ledger_check:  ", "ledger_check: ")
    assert CheckOutcome.objects.get(name="ledger_check").finished_at == outcome.finished_at  # not recorded


def test_convert_command_reports_and_refuses_an_unknown_centre(resident, gz):
    out = io.StringIO()
    call_command("convert", "--centre", gz.code, stdout=out)
    assert out.getvalue().startswith("convert: ") and "0 reductions" in out.getvalue()
    with pytest.raises(CommandError, match="No centre XX"):
        call_command("convert", "--centre", "XX", stdout=io.StringIO())
