"""Reconciliation: recompute every balance from the transfers and look for anything that doesn't add up."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import django.dispatch
from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from tanpuhui.common import metrics
from tanpuhui.ledger.conversion import RUN_CAUSE, lease
from tanpuhui.ledger.models import (
    Account,
    AccountKind,
    CoinAward,
    ConversionRun,
    LedgerCheck,
    Transfer,
    TransferKind,
)
from tanpuhui.metering.models import Reduction, ReductionClaim

# Apps above the ledger add their own reconciliation: a receiver returns a list of problem dicts, each
# ``{"problem": <code>, **details}`` (funding connects ``pool_ledger_problems`` in its ready()).
extra_checks = django.dispatch.Signal()


@dataclass
class CheckResult:
    ok: bool = True
    accounts_checked: int = 0
    total_balance: int = 0
    problems: list[dict] = field(default_factory=list)

    def add(self, kind: str, **details) -> None:
        self.ok = False
        self.problems.append({"problem": kind, **details})


STEPS = 5  # what a command's progress bar counts (the names ``progress`` is told)


def ledger_check(*, record: bool = False, progress: Callable[[str], None] | None = None) -> CheckResult:
    """Checks: (1) each cached balance = Σ credits − Σ debits; (2) Σ balances = 0; (3) no account below
    its floor; (4) each reduction converted at most once and only under a "coins" claim; (5) per
    wallet, milli-coins awarded = 1000 × conversion coins posted + carried fraction (residents of a run
    being posted are counted once it is; a run whose lease ran out unposted is ``conversion_unposted``); (6) each award's
    resident, centre and root are its reduction's (``award_copy_mismatch``); (7) every funding
    pool's figures agree with its ledger accounts (``funding.selectors.pool_ledger_problems``, connected
    to ``extra_checks`` by the funding app: the ledger does not import the apps above it).

    ``progress`` is told the name of each step as it starts (the command's progress bar); ``record``
    keeps the result for the staff page and the ``/metrics`` gauges."""
    step = progress or (lambda _name: None)
    started = time.monotonic()
    result = CheckResult()
    step("balances")
    table, transfers = Account._meta.db_table, Transfer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.id, a.balance, COALESCE(cr.s, 0) - COALESCE(db.s, 0)
                FROM {table} a
                LEFT JOIN (SELECT credit_id AS id, SUM(amount) AS s FROM {transfers} GROUP BY credit_id) cr ON cr.id = a.id
                LEFT JOIN (SELECT debit_id AS id, SUM(amount) AS s FROM {transfers} GROUP BY debit_id) db ON db.id = a.id
            """  # noqa: S608 — table names from model meta
        )
        rows = cursor.fetchall()
    result.accounts_checked = len(rows)
    for account_id, cached, computed in rows:
        result.total_balance += int(cached)
        if int(cached) != int(computed):
            result.add(
                "balance_mismatch", account=account_id, cached=int(cached), from_transfers=int(computed)
            )
    if result.total_balance != 0:
        result.add("sum_not_zero", total=result.total_balance)
    for pk, bal in Account.objects.filter(balance__lt=0, allow_negative=False).values_list("pk", "balance"):
        result.add("below_floor", account=pk, balance=bal)
    step("conversions")
    for reduction_id, n in (
        CoinAward.objects.values("reduction_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("reduction_id", "n")
    ):
        result.add("converted_twice", reduction=reduction_id, awards=n)
    unclaimed = CoinAward.objects.exclude(
        reduction_id__in=ReductionClaim.objects.filter(purpose="coins").values("reduction_id")
    ).values_list("reduction_id", flat=True)[:100]
    for reduction_id in unclaimed:
        result.add("award_without_coins_claim", reduction=reduction_id)
    step("award copies")
    _check_award_copies(result)
    step("fractions")
    _check_fractions(result)
    step("funding pools")
    _check_extra(result)
    if record:
        metrics.check_finished(
            name="ledger_check",
            ok=result.ok,
            problems=len(result.problems),
            seconds=time.monotonic() - started,
        )
        LedgerCheck.objects.create(
            ok=result.ok,
            accounts_checked=result.accounts_checked,
            total_balance=result.total_balance,
            problems=result.problems[:1000],
            ran_at=timezone.now(),
        )
    return result


def _check_award_copies(result: CheckResult) -> None:
    """An award's resident, centre and root copy its reduction's (they carry no database constraint
    of their own): the resident and centre are the reduction's, and the root is the reduction itself
    for an original, else the root of the reduction it adjusts (that one itself if it was never
    converted)."""
    award, reduction = CoinAward._meta.db_table, Reduction._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT a.reduction_id FROM {award} a
                JOIN {reduction} r ON r.id = a.reduction_id
                LEFT JOIN {award} pa ON pa.reduction_id = r.adjusts_id
                WHERE r.resident_id IS NULL OR a.resident_id <> r.resident_id OR a.centre_id <> r.centre_id
                   OR a.root_id <> CASE WHEN r.adjusts_id IS NULL THEN r.id
                                        ELSE COALESCE(pa.root_id, r.adjusts_id) END
                ORDER BY a.reduction_id LIMIT 100"""  # noqa: S608 — table names from model meta
        )
        for (reduction_id,) in cursor.fetchall():
            result.add("award_copy_mismatch", reduction=reduction_id)


def _check_fractions(result: CheckResult) -> None:
    unposted = ConversionRun.objects.exclude(state=ConversionRun.State.POSTED)
    for run_id, heartbeat in unposted.filter(heartbeat_at__lt=timezone.now() - lease()).values_list(
        "pk", "heartbeat_at"
    ):
        result.add("conversion_unposted", run=run_id, heartbeat=str(heartbeat))
    # residents with awards in a run not yet posted: checked once it is (usually none; read first, so
    # the big aggregate below never carries a NOT IN over the awards)
    pending = set(
        CoinAward.objects.filter(run__in=list(unposted.values_list("pk", flat=True)))
        .values_list("resident_id", flat=True)
        .distinct()
    )
    awarded = {
        resident_id: milli
        for resident_id, milli in CoinAward.objects.values("resident_id")
        .annotate(m=Sum("milli_awarded"))
        .values_list("resident_id", "m")
        if resident_id not in pending
    }
    if not awarded:
        return
    wallets = {
        a.user_id: a
        for a in Account.objects.filter(kind=AccountKind.WALLET, user_id__in=awarded).only(
            "id", "user_id", "fraction_milli"
        )
    }
    conv = Transfer.objects.filter(cause_type=RUN_CAUSE)
    earned = dict(
        conv.filter(kind=TransferKind.EARN)
        .values("credit__user_id")
        .annotate(s=Sum("amount"))
        .values_list("credit__user_id", "s")
    )
    clawed = dict(
        conv.filter(kind=TransferKind.REVERSAL)
        .filter(Q(debit__kind=AccountKind.WALLET) | Q(debit__kind=AccountKind.DEBT))
        .values("debit__user_id")
        .annotate(s=Sum("amount"))
        .values_list("debit__user_id", "s")
    )
    for user_id, milli in awarded.items():
        wallet = wallets.get(user_id)
        fraction = wallet.fraction_milli if wallet else 0
        posted = earned.get(user_id, 0) - clawed.get(user_id, 0)
        if int(milli) != posted * 1000 + fraction:
            result.add(
                "conversion_mismatch",
                account=wallet.pk if wallet else None,
                awarded_milli=int(milli),
                posted_coins=posted,
                fraction_milli=fraction,
            )


def _check_extra(result: CheckResult) -> None:
    """Checks the apps above the ledger add: each receiver of ``extra_checks`` returns its problems."""
    for _receiver, problems in extra_checks.send(sender=CheckResult):
        for problem in cast("list[dict[str, Any]]", problems or []):
            details = dict(problem)
            result.add(details.pop("problem"), **details)
