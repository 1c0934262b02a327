"""Reads behind the resident home: composed from the contexts below (the home page is their one
summary; each figure keeps the meaning its own context gives it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from tanpuhui.accounts.models import User
from tanpuhui.ledger import selectors as ledger
from tanpuhui.ledger.models import TransferKind
from tanpuhui.marketplace import selectors as marketplace
from tanpuhui.marketplace.models import Offer
from tanpuhui.metering.models import Behaviour, Reduction
from tanpuhui.notifications import selectors as notifications
from tanpuhui.notifications.models import Notification
from tanpuhui.web.equivalences import Equivalent, equivalents

ACTIVITY_DAYS = 14


@dataclass(frozen=True)
class Goal:
    offer: Offer | None  # the cheapest offer the balance cannot pay yet (None: every offer is affordable)
    affordable: int  # offers on sale, in stock, the balance pays now
    needed: int  # coins still missing for ``offer``
    percent: int  # balance / price, 0–100


def _month_start(today: date) -> datetime:
    return timezone.make_aware(datetime.combine(today.replace(day=1), time.min))


def goal_for(resident: User, balance: int, *, now: datetime | None = None) -> Goal:
    now = now or timezone.now()
    on_sale = marketplace.offers_live(resident, now=now).filter(redeemed__lt=F("stock"))
    affordable = on_sale.filter(price_coins__lte=balance).count()
    offer = on_sale.filter(price_coins__gt=balance).order_by("price_coins", "title").first()
    if offer is None:
        return Goal(None, affordable, 0, 100)
    return Goal(offer, affordable, offer.price_coins - balance, min(100, balance * 100 // offer.price_coins))


def month_figures(resident: User, *, today: date) -> dict[str, Any]:
    """This month's kg CO₂e (reductions whose period ends this month) and coins (credited this month)."""
    start = today.replace(day=1)
    kg = Reduction.objects.filter(resident=resident, period_end__gte=start, period_end__lte=today).aggregate(
        s=Sum("kg_co2e")
    )["s"] or Decimal(0)
    wallet = ledger.wallet_account(resident)
    coins = 0
    if wallet is not None:
        coins = (
            wallet.transfers_in.filter(kind=TransferKind.EARN, created_at__gte=_month_start(today)).aggregate(
                s=Sum("amount")
            )["s"]
            or 0
        )
    return {"kg": kg, "coins": coins}


@dataclass(frozen=True)
class DayActivity:
    day: date
    kg: Decimal
    coins: Decimal
    lines: list[dict[str, Any]]  # behaviour label, count, kg


def activity_by_day(resident: User, *, today: date, days: int = ACTIVITY_DAYS) -> list[DayActivity]:
    """The last ``days`` days with reductions, newest first: per behaviour the records and kg, and
    the coins they earned (fractions included: the wallet shows whole coins)."""
    rows = (
        Reduction.objects.filter(resident=resident, period_end__gt=today - timedelta(days=days))
        .values("period_end", "behaviour")
        .annotate(
            n=Count("id", filter=Q(kind=Reduction.Kind.ORIGINAL)),
            kg=Sum("kg_co2e"),
            milli=Sum("coin_award__milli_awarded"),
        )
        .order_by("-period_end", "behaviour")
    )
    out: dict[date, DayActivity] = {}
    for row in rows:
        day = row["period_end"]
        entry = out.get(day)
        if entry is None:
            entry = out[day] = DayActivity(day, Decimal(0), Decimal(0), [])
        kg, coins = row["kg"] or Decimal(0), Decimal(row["milli"] or 0) / 1000
        entry.lines.append(
            {
                "behaviour": row["behaviour"],
                "label": Behaviour(row["behaviour"]).label,
                "count": row["n"],
                "kg": kg,
            }
        )
        out[day] = DayActivity(day, entry.kg + kg, entry.coins + coins, entry.lines)
    return list(out.values())


def resident_home(resident: User, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    wallet = ledger.wallet_summary(resident)
    month = month_figures(resident, today=today)
    total_kg = Reduction.objects.filter(resident=resident).aggregate(s=Sum("kg_co2e"))["s"] or Decimal(0)
    everyday: list[Equivalent] = equivalents(total_kg, centre_id=resident.centre_id, on=today)
    latest: list[Notification] = list(notifications.inbox(resident)[:3])
    return {
        "wallet": wallet,
        "month": month,
        "total_kg": total_kg,
        "goal": goal_for(resident, wallet["balance"], now=now),
        "everyday": everyday,
        "activity": activity_by_day(resident, today=today),
        "latest": latest,
        "unread": notifications.unread_count(resident),
    }
