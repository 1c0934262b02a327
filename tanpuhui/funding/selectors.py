"""Reads for funding: pool reports (coins and yuan), the provincial roll-up, active campaign multipliers."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from tanpuhui.funding.models import Campaign, Cause, CrowdfundingProject, FundingPool


def _coins_per_yuan(centre) -> Decimal:
    from tanpuhui.funding.services import coins_per_yuan

    return coins_per_yuan(centre=centre)


def _pool_row(pool: FundingPool) -> dict:
    """Inflows are everything ever granted (budget, coins received), outflows everything paid out."""
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
        "coins_in": pool.coins_in,
        "coins_out": pool.coins_out,
        "coins_remaining": pool.coins_balance,
        "coins_per_yuan": rate,
        # everything expressed in coins, for one comparable figure per pool
        "remaining_as_coins": pool.coins_balance + int(yuan_remaining * rate),
    }


TOTAL_KEYS = (
    "yuan_in",
    "yuan_out",
    "yuan_remaining",
    "coins_in",
    "coins_out",
    "coins_remaining",
    "remaining_as_coins",
)


def _totals(rows) -> dict:
    return {k: sum((r[k] for r in rows), Decimal("0.00") if k.startswith("yuan") else 0) for k in TOTAL_KEYS}


def pool_report(pools: QuerySet[FundingPool]) -> dict:
    """Inflows, outflows and what remains, per pool, in yuan and coins. ``pools`` is already scoped."""
    rows = [_pool_row(p) for p in pools.select_related("centre").order_by("centre__code", "pk")]
    return {"pools": rows, "totals": _totals(rows)}


def provincial_rollup(pools: QuerySet[FundingPool]) -> dict:
    report = pool_report(pools)
    by_centre: dict[str, list] = defaultdict(list)
    for row in report["pools"]:
        by_centre[row["centre"]].append(row)
    centres = [{"centre": code, **_totals(rows)} for code, rows in sorted(by_centre.items())]
    return {"centres": centres, "totals": report["totals"]}


def campaigns_current(*, centre) -> QuerySet[Campaign]:
    return Campaign.objects.filter(centre=centre, ends_at__gt=timezone.now()).order_by("starts_at")


def crowdfunding_for_centre(*, centre) -> QuerySet[CrowdfundingProject]:
    return CrowdfundingProject.objects.filter(centre=centre).order_by("status", "deadline")


def causes_for_centre(*, centre) -> QuerySet[Cause]:
    return Cause.objects.filter(centre=centre, active=True).prefetch_related("updates")


def pool_total_coins(pools) -> int:
    return pools.aggregate(s=Sum("coins_balance"))["s"] or 0
