"""Expiry: coins expire ``expiry_months`` (centre's current conversion rule; 0 = never) after they
arrived in the wallet, first in, first out.

FIFO without lots: every coin leaving a wallet (spend, donation, reversal, recovery, earlier expiry)
uses up its oldest coins first, so the coins older than the cut-off that are still there number
``max(0, Σ credits before the cut-off − Σ all debits)``. Those move to the centre's breakage account
as one EXPIRY transfer per wallet and day (idempotency key ``expiry:<wallet>:<date>``), computed
under the wallet's lock.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tanpuhui.ledger.errors import InsufficientCoins
from tanpuhui.ledger.models import Account, AccountKind, ConversionRule, Transfer, TransferKind
from tanpuhui.ledger.services import breakage_of, transfer_post

WARN_DAYS = 30


def add_months(day: datetime, months: int) -> datetime:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def expiry_months_of(centre_id: int, on: date | None = None) -> int:
    on = on or timezone.localdate()
    rule = (
        ConversionRule.objects.filter(centre_id=centre_id, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    return rule.expiry_months if rule else 0


def _old_unspent(account_id: int, cutoff: datetime) -> int:
    inflow = (
        Transfer.objects.filter(credit_id=account_id, created_at__lt=cutoff).aggregate(s=Sum("amount"))["s"]
        or 0
    )
    outflow = Transfer.objects.filter(debit_id=account_id).aggregate(s=Sum("amount"))["s"] or 0
    return max(0, inflow - outflow)


def expiring_soon(account: Account, now: datetime | None = None) -> dict:
    """Coins of this wallet that expire within ``WARN_DAYS`` days (and by when)."""
    now = now or timezone.now()
    months = expiry_months_of(account.centre_id, timezone.localdate(now))
    if not months or account.balance <= 0:
        return {"amount": 0, "before": None}
    horizon = now + timedelta(days=WARN_DAYS)
    amount = min(account.balance, _old_unspent(account.pk, add_months(horizon, -months)))
    return {"amount": amount, "before": horizon if amount else None}


def coins_expire(*, now: datetime | None = None, centre_ids=None) -> dict:
    """Expire what is due in every wallet (of ``centre_ids``, or all). Idempotent per day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    expired = wallets = 0
    holding = Account.objects.filter(kind=AccountKind.WALLET, balance__gt=0)
    if centre_ids is not None:
        holding = holding.filter(centre_id__in=centre_ids)
    centre_ids = set(holding.values_list("centre_id", flat=True))
    for centre_id in sorted(centre_ids):
        months = expiry_months_of(centre_id, today)
        if not months:
            continue
        cutoff = add_months(now, -months)
        candidates = Account.objects.filter(
            kind=AccountKind.WALLET, centre_id=centre_id, balance__gt=0, transfers_in__created_at__lt=cutoff
        ).distinct()
        breakage = breakage_of(centre_id)
        for wallet_id in candidates.values_list("pk", flat=True):
            key = f"expiry:{wallet_id}:{today.isoformat()}"
            if Transfer.objects.filter(idempotency_key=key).exists():
                continue
            with transaction.atomic():
                wallet = Account.objects.select_for_update().get(pk=wallet_id)
                due = min(wallet.balance, _old_unspent(wallet_id, cutoff))
                if due <= 0:
                    continue
                try:
                    transfer_post(
                        debit=wallet,
                        credit=breakage,
                        amount=due,
                        kind=TransferKind.EXPIRY,
                        idempotency_key=key,
                        memo=f"expired: earned before {cutoff:%Y-%m-%d}",
                    )
                except InsufficientCoins:  # pragma: no cover — we hold the wallet lock
                    continue
            expired += due
            wallets += 1
    return {"coins_expired": expired, "wallets": wallets}
