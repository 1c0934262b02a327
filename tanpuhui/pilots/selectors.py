"""Reads of the pilots context: lists, the screen document and the provincial dashboard."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import Role, RoleAssignment
from tanpuhui.common.errors import NotFound
from tanpuhui.ledger.models import Transfer, TransferKind
from tanpuhui.marketplace.models import Merchant, Voucher
from tanpuhui.metering.models import Reduction
from tanpuhui.pilots.aggregates import MIN_GROUP
from tanpuhui.pilots.models import (
    Appropriation,
    CommunityMonth,
    CommunityResidentWeek,
    EmissionReport,
    Measure,
    Pilot,
    Screen,
)
from tanpuhui.tenancy.models import Centre

# How long a built screen document is reused (the screens refresh every minute anyway); 0 turns the
# cache off (benchmarks/screen.py measures both).
SCREEN_CACHE_SECONDS = int(os.environ.get("PILOTS_SCREEN_CACHE_SECONDS", "60"))
TIPS = (
    gettext_noop("Switch lights off when you leave a room: a 10 W LED left on all night uses 0.1 kWh."),
    gettext_noop("Take the metro or bus: each trip earns carbon-inclusion coins."),
    gettext_noop("Sort kitchen waste for the community compost."),
    gettext_noop("Set the air conditioner to 26 °C in summer."),
    gettext_noop("Walk or cycle for trips under 3 km."),
    gettext_noop("Bring your own bag and cup."),
)


def pilot_list() -> QuerySet[Pilot]:
    return Pilot.objects.select_related("place", "place__parent", "centre", "manager", "enterprise").order_by(
        "level", "name_zh"
    )


def pilot_detail() -> QuerySet[Pilot]:
    return pilot_list().prefetch_related("events", "documents", "appropriations", "measures", "screens")


def _round(value: Decimal | None, places: str = "0.1") -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal(places)))


def screen_document(token: str, *, today: date | None = None) -> dict[str, Any]:
    """The one JSON document a screen shows (cached briefly; built from precomputed aggregates)."""
    language = (get_language() or "zh-hans")[:2]
    key = f"pilots:screen:{token}:{language}"
    cached = cache.get(key) if SCREEN_CACHE_SECONDS else None
    if cached is not None:
        return cached
    screen = Screen.objects.select_related("pilot", "pilot__place").filter(token=token, active=True).first()
    if screen is None or screen.pilot.status == Pilot.Status.REVOKED:
        raise NotFound("No such screen.", code="unknown_screen")
    document = _build(screen, today or date.today())
    if SCREEN_CACHE_SECONDS:
        cache.set(key, document, SCREEN_CACHE_SECONDS)
    return document


def _build(screen: Screen, today: date) -> dict[str, Any]:
    pilot, place = screen.pilot, screen.pilot.place
    households = place.households or 0
    reports = list(EmissionReport.objects.filter(pilot=pilot, month__year__in=[today.year, today.year - 1]))
    latest = max((r.month for r in reports if r.source != EmissionReport.Source.PV), default=None)
    year = latest.year if latest else today.year

    def by_source(rows: list[EmissionReport]) -> list[dict[str, Any]]:
        totals: dict[str, Decimal] = {}
        for r in rows:
            if r.source != EmissionReport.Source.PV:
                totals[r.source] = totals.get(r.source, Decimal(0)) + r.kg_co2e
        return [
            {"source": s, "label": str(EmissionReport.Source(s).label), "t_co2e": _round(kg / 1000, "0.01")}
            for s, kg in sorted(totals.items())
        ]

    month_rows = [r for r in reports if r.month == latest]
    year_rows = [r for r in reports if r.month.year == year]
    year_kg = sum((r.kg_co2e for r in year_rows if r.source != EmissionReport.Source.PV), Decimal(0))
    months_reported = len({r.month for r in year_rows if r.source != EmissionReport.Source.PV})
    annualised_per_household = (
        year_kg / 1000 / households * 12 / months_reported if households and months_reported else None
    )
    pv = [r for r in year_rows if r.source == EmissionReport.Source.PV]
    factors = sorted(
        {(r.factor_code, str(r.factor_value.normalize()), r.factor_unit, r.factor_source) for r in reports}
    )
    community = place.code
    week_start = today - timedelta(days=today.weekday())
    week = CommunityResidentWeek.objects.filter(community=community, week=week_start).aggregate(
        residents=Count("resident_id", filter=Q(reductions__gt=0)),
        kg=Sum("kg_co2e"),
        trips=Sum("green_trips"),
        coins=Sum("milli_coins"),
    )
    year_weeks = CommunityResidentWeek.objects.filter(
        community=community, week__year=today.year, reductions__gt=0
    )
    year_residents = year_weeks.values("resident_id").distinct().count()
    year_kg_reduced = CommunityMonth.objects.filter(community=community, month__year=today.year).aggregate(
        kg=Sum("kg_co2e")
    )["kg"]
    shown_week = (week["residents"] or 0) >= MIN_GROUP
    shown_year = year_residents >= MIN_GROUP
    participation = {
        "min_group": MIN_GROUP,
        "week_start": week_start.isoformat(),
        "residents_this_week": week["residents"] if shown_week else None,
        "t_reduced_this_week": _round((week["kg"] or Decimal(0)) / 1000, "0.001") if shown_week else None,
        "green_trips_this_week": week["trips"] if shown_week else None,
        "coins_this_week": (week["coins"] or 0) // 1000 if shown_week else None,
        "residents_this_year": year_residents if shown_year else None,
        "t_reduced_this_year": _round((year_kg_reduced or Decimal(0)) / 1000, "0.001")
        if shown_year
        else None,
        "suppressed": not (shown_week and shown_year),
    }
    return {
        "community": {"code": place.code, "name": place.name, "households": households or None},
        "pilot": {"name": pilot.name, "level": pilot.level, "status": pilot.status},
        "period": {
            "month": latest.isoformat()[:7] if latest else None,
            "year": year,
            "months_reported": months_reported,
        },
        "emissions": {
            "month_by_source": by_source(month_rows),
            "year_by_source": by_source(year_rows),
            "month_t_co2e": _round(
                sum((r.kg_co2e for r in month_rows if r.source != "pv"), Decimal(0)) / 1000, "0.01"
            ),
            "year_t_co2e": _round(year_kg / 1000, "0.01"),
            "t_per_household_annualised": _round(annualised_per_household, "0.001"),
            "baseline_year": pilot.baseline_year,
            "baseline_t_per_household": _round(pilot.baseline_t_per_household, "0.001"),
            "target_t_per_household": _round(pilot.target_t_per_household, "0.001"),
        },
        "solar": {
            "kwh_this_year": _round(sum((r.quantity for r in pv), Decimal(0)), "1"),
            "t_avoided_this_year": _round(sum((r.kg_co2e for r in pv), Decimal(0)) / 1000, "0.01"),
        },
        "participation": participation,
        "tips": [_(tip) for tip in TIPS],
        "factors": [{"code": c, "value": v, "unit": u, "source": s} for c, v, u, s in factors],
        "refresh_seconds": max(SCREEN_CACHE_SECONDS, 30),
    }


# --- dashboard -----------------------------------------------------------------------------------


def dashboard(pilots: QuerySet[Pilot], centres: QuerySet[Centre]) -> dict[str, Any]:
    """What the commission's dashboard shows, for the pilots and centres the caller may see."""
    by_city: dict[str, dict[str, Any]] = {}
    for p in pilots.select_related(
        "place", "place__parent", "place__parent__parent", "place__parent__parent__parent"
    ):
        city = p.place.city()
        row = by_city.setdefault(
            city.code,
            {"code": city.code, "name": city.name, "adcode": city.adcode, "pilots": 0, "by_level": {}},
        )
        row["pilots"] += 1
        row["by_level"][p.level] = row["by_level"].get(p.level, 0) + 1
    levels = {r["level"]: r["n"] for r in pilots.values("level").annotate(n=Count("id"))}
    statuses = {r["status"]: r["n"] for r in pilots.values("status").annotate(n=Count("id"))}
    appropriations = Appropriation.objects.filter(pilot__in=pilots)
    funding = list(
        appropriations.values("pilot__level", "year", "source")
        .annotate(appropriated=Sum("amount_fen"), disbursed=Sum("disbursed_fen"), n=Count("id"))
        .order_by("year", "pilot__level", "source")
    )
    totals = appropriations.aggregate(appropriated=Sum("amount_fen"), disbursed=Sum("disbursed_fen"))
    measures = list(
        Measure.objects.filter(pilot__in=pilots, annual_kg_co2e__isnull=False)
        .values("kind")
        .annotate(kg=Sum("annual_kg_co2e"), n=Count("id"))
        .order_by("-kg")
    )
    return {
        "levels": levels,
        "statuses": statuses,
        "cities": sorted(by_city.values(), key=lambda r: -r["pilots"]),
        "funding": funding,
        "funding_totals": {k: v or 0 for k, v in totals.items()},
        "measures": measures,
        "centres": centre_figures(centres),
    }


def centre_figures(centres: QuerySet[Centre]) -> list[dict[str, Any]]:
    """Carbon-inclusion figures per centre (grouped queries, one per figure)."""
    ids = list(centres.filter(kind=Centre.Kind.CITY).values_list("pk", flat=True))

    def grouped(qs: QuerySet, field: str = "centre_id", **agg: Any) -> dict[Any, dict[str, Any]]:
        return {r[field]: r for r in qs.values(field).annotate(**agg)}

    residents = grouped(
        RoleAssignment.objects.filter(role=Role.RESIDENT, centre_id__in=ids),
        n=Count("user_id", distinct=True),
    )
    reductions = grouped(Reduction.objects.filter(centre_id__in=ids), kg=Sum("kg_co2e"))
    issued = grouped(
        Transfer.objects.filter(kind=TransferKind.EARN, credit__centre_id__in=ids),
        field="credit__centre_id",
        coins=Sum("amount"),
    )
    spent = grouped(
        Transfer.objects.filter(kind=TransferKind.SPEND, debit__centre_id__in=ids),
        field="debit__centre_id",
        coins=Sum("amount"),
    )
    merchants = grouped(Merchant.objects.filter(centre_id__in=ids, status="approved"), n=Count("id"))
    vouchers = grouped(
        Voucher.objects.filter(centre_id__in=ids, status=Voucher.Status.VERIFIED), n=Count("id")
    )
    rows = []
    for centre in Centre.objects.filter(pk__in=ids).order_by("code"):
        rows.append(
            {
                "code": centre.code,
                "name": centre.name,
                "residents": residents.get(centre.pk, {}).get("n", 0),
                "t_co2e": _round((reductions.get(centre.pk, {}).get("kg") or Decimal(0)) / 1000, "0.01"),
                "coins_issued": issued.get(centre.pk, {}).get("coins") or 0,
                "coins_redeemed": spent.get(centre.pk, {}).get("coins") or 0,
                "merchants": merchants.get(centre.pk, {}).get("n", 0),
                "vouchers_verified": vouchers.get(centre.pk, {}).get("n", 0),
            }
        )
    return rows
