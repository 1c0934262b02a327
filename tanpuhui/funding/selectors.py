"""Reads for funding: pool reports (coins and yuan), the provincial roll-up, active campaign multipliers.

A pool's coin figures are read from the ledger (``pool_coins``), never stored on the pool row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from tanpuhui.funding.coins import VOUCHER_HOLD_CODE
from tanpuhui.funding.models import Campaign, Cause, CrowdfundingProject, FundingPool, PoolMovement
from tanpuhui.ledger.models import Account, AccountKind, Transfer, TransferKind
from tanpuhui.marketplace.models import Voucher
from tanpuhui.tenancy.models import Centre

POOL_OWNER = FundingPool._meta.label_lower


@dataclass(frozen=True)
class PoolCoins:
    """A pool's coins as its two ledger accounts say: spendable (POOL) and reserved for vouchers (hold).

    ``coins_in``/``coins_out`` are the transfers into/out of the pair from any other account; moves
    between the pair (a reservation, a released reservation) are neither. By construction of the
    ledger, ``coins_in - coins_out == balance + reserved`` unless a cached balance was tampered with
    (``ledger_check`` reports that).
    """

    balance: int = 0
    reserved: int = 0
    coins_in: int = 0
    coins_out: int = 0
    pool_account: int | None = None
    hold_account: int | None = None


def _pool_accounts(pool_ids: list[int]) -> dict[int, tuple[int, str]]:
    """Ledger account id → (pool id, "pool" | "hold"), for the accounts that exist (never creates one)."""
    out: dict[int, tuple[int, str]] = {}
    rows = Account.objects.filter(
        owner_type=POOL_OWNER,
        owner_id__in=[str(pk) for pk in pool_ids],
        kind__in=[AccountKind.POOL, AccountKind.ESCROW],
    ).values_list("pk", "owner_id", "kind", "code")
    for pk, owner_id, kind, code in rows:
        if kind == AccountKind.POOL and code == "":
            out[pk] = (int(owner_id), "pool")
        elif kind == AccountKind.ESCROW and code == VOUCHER_HOLD_CODE:
            out[pk] = (int(owner_id), "hold")
    return out


def pool_coins(pools: Iterable[FundingPool]) -> dict[int, PoolCoins]:
    """Coin figures per pool id, from the ledger: three queries whatever the number of pools."""
    pool_ids = [p.pk for p in pools]
    accounts = _pool_accounts(pool_ids)
    ids = list(accounts)
    balances = dict(Account.objects.filter(pk__in=ids).values_list("pk", "balance"))
    credits = dict(
        Transfer.objects.filter(credit_id__in=ids)
        .values_list("credit_id")
        .annotate(s=Sum("amount"))
        .values_list("credit_id", "s")
    )
    debits = dict(
        Transfer.objects.filter(debit_id__in=ids)
        .values_list("debit_id")
        .annotate(s=Sum("amount"))
        .values_list("debit_id", "s")
    )
    internal: dict[int, int] = defaultdict(int)  # moves between a pool's own two accounts
    for debit, credit, total in (
        Transfer.objects.filter(debit_id__in=ids, credit_id__in=ids)
        .values_list("debit_id", "credit_id")
        .annotate(s=Sum("amount"))
        .values_list("debit_id", "credit_id", "s")
    ):
        if accounts[debit][0] == accounts[credit][0]:
            internal[accounts[debit][0]] += int(total)
    figures: dict[int, dict] = {
        pk: {"balance": 0, "reserved": 0, "coins_in": 0, "coins_out": 0} for pk in pool_ids
    }
    for account_id, (pool_id, role) in accounts.items():
        f = figures[pool_id]
        f["balance" if role == "pool" else "reserved"] += int(balances.get(account_id, 0))
        f["pool_account" if role == "pool" else "hold_account"] = account_id
        f["coins_in"] += int(credits.get(account_id, 0))
        f["coins_out"] += int(debits.get(account_id, 0))
    for pool_id, amount in internal.items():
        figures[pool_id]["coins_in"] -= amount
        figures[pool_id]["coins_out"] -= amount
    return {pk: PoolCoins(**f) for pk, f in figures.items()}


def pool_coins_of(pool: FundingPool) -> PoolCoins:
    return pool_coins([pool])[pool.pk]


def pools_with_coins(pools: Iterable[FundingPool]) -> list[FundingPool]:
    """The pools, each with its ledger figures as ``coins_balance``, ``coins_reserved``, ``coins_in``, ``coins_out``."""
    pools = list(pools)
    figures = pool_coins(pools)
    for pool in pools:
        f = figures[pool.pk]
        # Attached like a queryset annotation, for the report template; typed by PoolCoins.
        pool.coins_balance, pool.coins_reserved = f.balance, f.reserved  # type: ignore[attr-defined]
        pool.coins_in, pool.coins_out = f.coins_in, f.coins_out  # type: ignore[attr-defined]
    return pools


DEFAULT_COINS_PER_YUAN = Decimal("100")


def coins_per_yuan(*, centre: Centre) -> Decimal:
    """Coins a yuan of reward is worth at ``centre`` (documented parameter ``coins_per_yuan``, default 100)."""
    return Decimal(str((centre.parameters or {}).get("coins_per_yuan", DEFAULT_COINS_PER_YUAN)))


def _coins_per_yuan(centre: Centre) -> Decimal:
    return coins_per_yuan(centre=centre)


def _pool_row(pool: FundingPool, coins: PoolCoins) -> dict:
    """Inflows are everything ever granted (budget, coins received), outflows everything paid out.

    Coins remaining are the spendable ones; coins reserved for issued vouchers are shown apart (and
    count as neither in nor out until the voucher is verified or expires)."""
    rate = _coins_per_yuan(pool.centre)
    yuan_remaining = pool.budget_yuan - pool.yuan_spent
    return {
        "id": pool.pk,
        "centre": pool.centre.code,
        "name_zh": pool.name_zh,
        "name_en": pool.name_en,
        "source": pool.source,
        "yuan_in": pool.budget_yuan,
        "yuan_out": pool.yuan_spent,
        "yuan_remaining": yuan_remaining,
        "coins_in": coins.coins_in,
        "coins_out": coins.coins_out,
        "coins_reserved": coins.reserved,
        "coins_remaining": coins.balance,
        "coins_per_yuan": rate,
        # everything expressed in coins, for one comparable figure per pool
        "remaining_as_coins": coins.balance + int(yuan_remaining * rate),
    }


TOTAL_KEYS = (
    "yuan_in",
    "yuan_out",
    "yuan_remaining",
    "coins_in",
    "coins_out",
    "coins_reserved",
    "coins_remaining",
    "remaining_as_coins",
)


def _totals(rows: Iterable[dict[str, Any]]) -> dict:
    return {k: sum((r[k] for r in rows), Decimal("0.00") if k.startswith("yuan") else 0) for k in TOTAL_KEYS}


def pool_report(pools: QuerySet[FundingPool]) -> dict:
    """Inflows, outflows and what remains, per pool, in yuan and coins. ``pools`` is already scoped."""
    ordered = list(pools.select_related("centre").order_by("centre__code", "pk"))
    figures = pool_coins(ordered)
    rows = [_pool_row(p, figures[p.pk]) for p in ordered]
    return {"pools": rows, "totals": _totals(rows)}


def provincial_rollup(pools: QuerySet[FundingPool]) -> dict:
    report = pool_report(pools)
    by_centre: dict[str, list] = defaultdict(list)
    for row in report["pools"]:
        by_centre[row["centre"]].append(row)
    centres = [{"centre": code, **_totals(rows)} for code, rows in sorted(by_centre.items())]
    return {"centres": centres, "totals": report["totals"]}


def campaigns_current(*, centre: Centre) -> QuerySet[Campaign]:
    return Campaign.objects.filter(centre=centre, ends_at__gt=timezone.now()).order_by("starts_at")


def crowdfunding_for_centre(*, centre: Centre) -> QuerySet[CrowdfundingProject]:
    return CrowdfundingProject.objects.filter(centre=centre).order_by("status", "deadline")


def causes_for_centre(*, centre: Centre) -> QuerySet[Cause]:
    return Cause.objects.filter(centre=centre, active=True).prefetch_related("updates")


def pool_total_coins(pools: Iterable[FundingPool]) -> int:
    """Spendable coins of ``pools`` together (their ledger accounts' balances)."""
    return sum(f.balance for f in pool_coins(pools).values())


# --- agreement with the ledger (ledger_check) -------------------------------------------------


def pool_ledger_problems() -> list[dict]:
    """Every way a pool's figures could disagree with its ledger accounts or its report rows.

    - ``pool_balance_mismatch``: the pool's coins in − out (transfers) ≠ spendable + reserved (balances);
    - ``pool_reserved_mismatch``: the hold account ≠ the reservations of the pool's issued vouchers;
    - ``pool_voucher_unsettled``: a verified or expired voucher whose reservation is still held;
    - ``pool_yuan_mismatch``: ``budget_yuan`` / ``yuan_spent`` ≠ the pool's movements (appropriations,
      top-ups, voucher payments).
    """
    problems: list[dict] = []
    pools = list(FundingPool.objects.order_by("pk"))
    figures = pool_coins(pools)
    voucher_type = Voucher._meta.label_lower
    for pool in pools:
        f = figures[pool.pk]
        if f.coins_in - f.coins_out != f.balance + f.reserved:
            problems.append(
                {
                    "problem": "pool_balance_mismatch",
                    "pool": pool.pk,
                    "balance": f.balance,
                    "reserved": f.reserved,
                    "coins_in": f.coins_in,
                    "coins_out": f.coins_out,
                }
            )
        if f.hold_account is not None:
            held: dict[str, int] = defaultdict(int)
            for cause_id, amount in Transfer.objects.filter(
                credit_id=f.hold_account, kind=TransferKind.HOLD, cause_type=voucher_type
            ).values_list("cause_id", "amount"):
                held[cause_id] += int(amount)
            for cause_id, amount in Transfer.objects.filter(
                debit_id=f.hold_account, cause_type=voucher_type
            ).values_list("cause_id", "amount"):
                held[cause_id] -= int(amount)
            status: dict[str, str] = {
                str(pk): s for pk, s in Voucher.objects.filter(pk__in=list(held)).values_list("pk", "status")
            }
            issued = sum(c for v, c in held.items() if status.get(v) == Voucher.Status.ISSUED)
            if issued != f.reserved:
                problems.append(
                    {
                        "problem": "pool_reserved_mismatch",
                        "pool": pool.pk,
                        "reserved": f.reserved,
                        "issued_vouchers": issued,
                    }
                )
            for voucher_id, coins in sorted(held.items()):
                if coins and status.get(voucher_id) != Voucher.Status.ISSUED:
                    problems.append(
                        {
                            "problem": "pool_voucher_unsettled",
                            "pool": pool.pk,
                            "voucher": voucher_id,
                            "status": status.get(voucher_id),
                            "coins": coins,
                        }
                    )
        moved = dict(
            PoolMovement.objects.filter(pool=pool)
            .values_list("kind")
            .annotate(s=Sum("yuan"))
            .values_list("kind", "s")
        )
        zero = Decimal("0")
        budget = moved.get(PoolMovement.Kind.APPROPRIATION, zero) + moved.get(
            PoolMovement.Kind.SPONSORSHIP, zero
        )
        spent = -moved.get(PoolMovement.Kind.VOUCHER, zero)
        if budget != pool.budget_yuan or spent != pool.yuan_spent:
            problems.append(
                {
                    "problem": "pool_yuan_mismatch",
                    "pool": pool.pk,
                    "budget_yuan": str(pool.budget_yuan),
                    "budget_from_movements": str(budget),
                    "yuan_spent": str(pool.yuan_spent),
                    "spent_from_movements": str(spent),
                }
            )
    return problems
