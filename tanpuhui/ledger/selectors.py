"""Reads: wallets, their history, why coins were earned, and staff roll-ups."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, When
from django.db.models.functions import TruncMonth

from tanpuhui.accounts.models import User
from tanpuhui.ledger.conversion import RUN_CAUSE, posting_key, posting_key_parse
from tanpuhui.ledger.expiry import expiring_soon
from tanpuhui.ledger.models import Account, AccountKind, CoinAward, LedgerCheck, Transfer, TransferKind

EARN_KINDS = (TransferKind.EARN, TransferKind.REWARD)
SPEND_KINDS = (TransferKind.SPEND, TransferKind.DONATION, TransferKind.PLEDGE)


def wallet_account(resident: User) -> Account | None:
    if resident.centre_id is None:
        return None
    return Account.objects.filter(
        kind=AccountKind.WALLET,
        centre_id=resident.centre_id,
        owner_type="accounts.user",
        owner_id=str(resident.pk),
    ).first()


def wallet_summary(resident: User) -> dict:
    wallet = wallet_account(resident)
    debt = Account.objects.filter(kind=AccountKind.DEBT, user=resident).aggregate(s=Sum("balance"))["s"] or 0
    if wallet is None:
        return {
            "account": None,
            "balance": 0,
            "fraction_milli": 0,
            "debt": -debt,
            "expiring_soon": {"amount": 0, "before": None},
            "lifetime_earned": 0,
            "lifetime_spent": 0,
        }
    earned = wallet.transfers_in.filter(kind__in=EARN_KINDS).aggregate(s=Sum("amount"))["s"] or 0
    spent = wallet.transfers_out.filter(kind__in=SPEND_KINDS).aggregate(s=Sum("amount"))["s"] or 0
    refunded = wallet.transfers_in.filter(kind=TransferKind.REFUND).aggregate(s=Sum("amount"))["s"] or 0
    return {
        "account": wallet.pk,
        "balance": wallet.balance,
        "fraction_milli": wallet.fraction_milli,
        "debt": -debt,
        "expiring_soon": expiring_soon(wallet),
        "lifetime_earned": earned,
        "lifetime_spent": max(0, spent - refunded),
    }


def wallet_transfers(resident: User) -> QuerySet[Transfer]:
    """Every transfer into or out of the resident's wallet, newest first (a page of them gets its
    award lines from ``award_lines_attach``)."""
    wallet = wallet_account(resident)
    if wallet is None:
        return Transfer.objects.none()
    return (
        Transfer.objects.filter(Q(debit=wallet) | Q(credit=wallet))
        .select_related("debit", "credit")
        .order_by("-created_at", "-id")
    )


def award_lines_attach(transfers: Iterable[Transfer]) -> list[Transfer]:
    """Give each transfer its ``award_lines``: for a conversion's posting (leg 0 of the key
    ``conv:<run>:<resident>:<centre>``) the awards of that run for that resident and centre, else
    none — two queries for a page, whatever its size."""
    page = list(transfers)
    wanted: dict[tuple[int, str, int], Transfer] = {}
    for transfer in page:
        transfer.award_lines = []
        if transfer.cause_type == RUN_CAUSE and transfer.leg == 0:
            wanted[posting_key_parse(transfer.idempotency_key)] = transfer
    if wanted:
        awards = (
            CoinAward.objects.filter(
                run_id__in={k[0] for k in wanted}, resident_id__in={uuid.UUID(k[1]) for k in wanted}
            )
            .select_related("rule", "multiplier", "reduction")
            .order_by("id")
        )
        for award in awards:
            key = (award.run_id, str(uuid.UUID(str(award.resident_id))), award.centre_id)
            if key in wanted:
                wanted[key].award_lines.append(award)
    return page


def award_transfer_id(award: CoinAward) -> int | None:
    """The transfer that posted ``award``'s coins (None: its run is not posted yet, or the resident's
    net in that run was less than a coin)."""
    key = posting_key(run_id=award.run_id, resident_id=award.resident_id, centre_id=award.centre_id)
    return Transfer.objects.filter(idempotency_key=key, leg=0).values_list("pk", flat=True).first()


def earnings_by_behaviour(resident: User) -> list[dict]:
    rows = (
        CoinAward.objects.filter(resident=resident)
        .values("behaviour")
        .annotate(milli=Sum("milli_awarded"), kg=Sum("kg_co2e"), n=Count("id"))
        .order_by("-milli")
    )
    return [
        {"behaviour": r["behaviour"], "coins": Decimal(r["milli"]) / 1000, "kg": r["kg"], "count": r["n"]}
        for r in rows
        if r["milli"]
    ]


def award_for(resident: User, reduction_id: int) -> CoinAward | None:
    return (
        CoinAward.objects.select_related("reduction", "rule", "multiplier")
        .filter(resident=resident, reduction_id=reduction_id)
        .first()
    )


def centre_summary(centres: QuerySet) -> list[dict]:
    """Per centre of ``centres`` (already scoped to the caller): coins issued, in wallets, in pools, at
    merchants, expired, owed; pools listed."""
    totals: dict = defaultdict(dict)
    accounts = Account.objects.filter(centre__in=centres)
    for centre_id, kind, total, n in accounts.values_list("centre_id", "kind").annotate(
        s=Sum("balance"), n=Count("id")
    ):
        totals[centre_id][kind] = (total or 0, n)
    pools = defaultdict(list)
    for pool in accounts.filter(kind=AccountKind.POOL).order_by("pk"):
        pools[pool.centre_id].append(
            {"id": pool.pk, "code": pool.code or pool.owner_id, "balance": pool.balance}
        )
    out = []
    for centre in centres.order_by("kind", "code"):
        t = totals.get(centre.pk, {})

        def bal(kind: str, t: dict[str, tuple[int, int]] = t) -> int:
            return t.get(kind, (0, 0))[0]

        out.append(
            {
                "centre": centre.code,
                "name": centre.name,
                "issued": -bal(AccountKind.ISSUANCE),
                "in_wallets": bal(AccountKind.WALLET),
                "wallets": t.get(AccountKind.WALLET, (0, 0))[1],
                "in_pools": bal(AccountKind.POOL),
                "at_merchants": bal(AccountKind.MERCHANT),
                "in_escrow": bal(AccountKind.ESCROW),
                "donated": bal(AccountKind.DONATION),
                "expired": bal(AccountKind.BREAKAGE),
                "owed": -bal(AccountKind.DEBT),
                "pools": pools.get(centre.pk, []),
            }
        )
    return out


def provincial_rollup(rows: list[dict]) -> dict:
    keys = [
        "issued",
        "in_wallets",
        "wallets",
        "in_pools",
        "at_merchants",
        "in_escrow",
        "donated",
        "expired",
        "owed",
    ]
    return {k: sum(r[k] for r in rows) for k in keys}


def last_check() -> LedgerCheck | None:
    return LedgerCheck.objects.order_by("-ran_at").first()


def _month(value: date | datetime) -> date:
    return (value.date() if isinstance(value, datetime) else value).replace(day=1)


def coins_issued_by_month(centres: QuerySet, *, since: datetime) -> dict[tuple[int, date], int]:
    """Coins that came into being at each of ``centres`` per calendar month from ``since``: every
    transfer out of the centre's issuance account (earned, rewards, issued to pools) less every
    transfer back into it (a reversed award). The same figure as ``centre_summary``'s "issued" (minus
    the issuance balance), month by month. (centre id, first day of the month) → coins; one query over
    the (debit, created_at) and (credit, created_at) indexes."""
    rows = (
        Transfer.objects.filter(created_at__gte=since)
        .filter(
            Q(debit__kind=AccountKind.ISSUANCE, debit__centre__in=centres)
            | Q(credit__kind=AccountKind.ISSUANCE, credit__centre__in=centres)
        )
        .annotate(
            month=TruncMonth("created_at"),
            centre=Case(
                When(debit__kind=AccountKind.ISSUANCE, then=F("debit__centre_id")),
                default=F("credit__centre_id"),
            ),
            signed=Case(When(debit__kind=AccountKind.ISSUANCE, then=F("amount")), default=-F("amount")),
        )
        .values("centre", "month")
        .annotate(coins=Sum("signed"))
        .order_by()
    )
    return {(r["centre"], _month(r["month"])): int(r["coins"] or 0) for r in rows}


def coins_redeemed_by_month(centres: QuerySet, *, since: datetime) -> dict[tuple[int, date], int]:
    """Coins residents of ``centres`` spent on vouchers per calendar month from ``since``: spend
    transfers out of wallets, less the ones reversed (a refunded unused voucher) in the month of the
    reversal. (centre id, first day of the month) → coins; one query."""
    rows = (
        Transfer.objects.filter(created_at__gte=since)
        .filter(
            Q(kind=TransferKind.SPEND, debit__kind=AccountKind.WALLET, debit__centre__in=centres)
            | Q(
                kind=TransferKind.REVERSAL,
                reverses__kind=TransferKind.SPEND,
                credit__kind=AccountKind.WALLET,
                credit__centre__in=centres,
            )
        )
        .annotate(
            month=TruncMonth("created_at"),
            centre=Case(
                When(kind=TransferKind.SPEND, then=F("debit__centre_id")), default=F("credit__centre_id")
            ),
            signed=Case(When(kind=TransferKind.SPEND, then=F("amount")), default=-F("amount")),
        )
        .values("centre", "month")
        .annotate(coins=Sum("signed"))
        .order_by()
    )
    return {(r["centre"], _month(r["month"])): int(r["coins"] or 0) for r in rows}
