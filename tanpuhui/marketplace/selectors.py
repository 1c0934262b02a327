"""Marketplace reads: what a resident may see, a staff member's merchant, settlement aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from tanpuhui.accounts.models import User
from tanpuhui.accounts.selectors import visible_centre_ids
from tanpuhui.marketplace.models import Event, Merchant, MerchantStaff, Offer, Voucher


def offers_approved() -> QuerySet[Offer]:
    """Approved offers of approved merchants, every centre (ended ones included): what residents are
    shown once scoped to their home centre (the ``HOME_CENTRE`` audience)."""
    return Offer.objects.filter(status=Offer.Status.APPROVED, merchant__status=Merchant.Status.APPROVED)


def offers_for_resident(resident: User) -> QuerySet[Offer]:
    """Approved offers of approved merchants in the resident's centre (ended ones included)."""
    if resident.centre_id is None:
        return Offer.objects.none()
    return offers_approved().filter(centre_id=resident.centre_id)


def offers_live(resident: User, *, now: datetime | None = None) -> QuerySet[Offer]:
    """The resident's catalogue, soonest ending first (``filters.OfferFilter`` narrows it by category)."""
    now = now or timezone.now()
    queryset = offers_for_resident(resident).filter(valid_until__gt=now).select_related("merchant")
    return queryset.order_by("valid_until", "title")


def staff_link(user: Any) -> MerchantStaff | None:
    """The approved merchant link of ``user`` (any user object, anonymous included), cached on it."""
    if not getattr(user, "is_authenticated", False) or not user.has_role("merchant_staff"):
        return None
    cached = getattr(user, "_merchant_staff_link", None)
    if cached is None:
        cached = (
            MerchantStaff.objects.select_related("merchant", "merchant__centre", "outlet")
            .filter(user=user, active=True, merchant__status=Merchant.Status.APPROVED)
            .first()
        )
        user._merchant_staff_link = cached or False
    return cached or None


def merchant_dashboard(merchant: Merchant, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    offers = list(merchant.offers.order_by("-created_at"))
    today = Voucher.objects.filter(merchant=merchant, status=Voucher.Status.VERIFIED, verified_at__gte=start)
    return {
        "offers": offers,
        "verified_today": today.count(),
        "verified_today_yuan": today.aggregate(s=Sum("yuan_value"))["s"] or Decimal("0"),
        "recent": Voucher.objects.filter(merchant=merchant, status=Voucher.Status.VERIFIED)
        .select_related("offer", "verified_outlet")
        .order_by("-verified_at")[:10],
    }


@dataclass(frozen=True)
class SettlementLine:
    merchant_id: str
    merchant_name: str
    licence_number: str
    funding_source: str  # pool name, or "merchant" when the merchant funds the offer itself
    funding_pool_id: int | None
    vouchers: int
    coins: int
    yuan: Decimal


def settlement_lines(
    merchants: QuerySet[Merchant], *, start: datetime, end: datetime
) -> list[SettlementLine]:
    """Vouchers verified in [start, end) per merchant and funding source, with the yuan owed."""
    rows = (
        Voucher.objects.filter(
            merchant__in=merchants,
            status=Voucher.Status.VERIFIED,
            verified_at__gte=start,
            verified_at__lt=end,
        )
        .values(
            "merchant_id",
            "merchant__name",
            "merchant__licence_number",
            "funding_pool_id",
            "funding_pool__name_zh",
        )
        .annotate(n=Count("id"), coins=Sum("price_coins"), yuan=Sum("yuan_value"))
        .order_by("merchant__name", "funding_pool_id")
    )
    return [
        SettlementLine(
            merchant_id=str(r["merchant_id"]),
            merchant_name=r["merchant__name"],
            licence_number=r["merchant__licence_number"],
            funding_source=r["funding_pool__name_zh"] or "merchant",
            funding_pool_id=r["funding_pool_id"],
            vouchers=r["n"],
            coins=r["coins"] or 0,
            yuan=r["yuan"] or Decimal("0"),
        )
        for r in rows
    ]


def settlement_vouchers(
    merchants: QuerySet[Merchant], *, start: datetime, end: datetime
) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(
            merchant__in=merchants,
            status=Voucher.Status.VERIFIED,
            verified_at__gte=start,
            verified_at__lt=end,
        )
        .select_related("offer", "merchant", "funding_pool", "verified_outlet")
        .order_by("verified_at")
    )


def pool_verified_yuan(
    pool: Any,  # a funding pool (the funding context sits above)
    *,
    until: datetime | None = None,
) -> Decimal:
    """Yuan owed by ``pool`` for verified vouchers (the funding context subtracts it from the budget)."""
    queryset = Voucher.objects.filter(funding_pool=pool, status=Voucher.Status.VERIFIED)
    if until is not None:
        queryset = queryset.filter(verified_at__lt=until)
    return queryset.aggregate(s=Sum("yuan_value"))["s"] or Decimal("0")


def event_stats(event: Event) -> dict:
    agg = Voucher.objects.filter(event=event).aggregate(n=Count("id"), coins=Sum("price_coins"))
    return {"redemptions": agg["n"] or 0, "coins": agg["coins"] or 0}


def events_for_booth(user: User) -> QuerySet[Event]:
    """Events whose booth ``user`` may run: centre staff of the event's centre, or staff of a merchant
    with an offer in it."""
    queryset = Event.objects.all()
    if user.is_centre_staff:
        ids = visible_centre_ids(user)
        return queryset if ids is None else queryset.filter(centre_id__in=ids)
    link = staff_link(user)
    if link is None:
        return queryset.none()
    return queryset.filter(Q(offers__merchant=link.merchant)).distinct()
