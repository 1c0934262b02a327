"""Precomputed community aggregates for the screens and the dashboard, refreshed incrementally.

``refresh()`` folds the reductions (and coin awards) written since the last run into
``CommunityMonth`` and ``CommunityResidentWeek`` with one set-based ``INSERT … SELECT … ON CONFLICT
DO UPDATE`` each, keyed on a high-water mark of ids. A request never scans reductions."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tanpuhui.accounts.models import User
from tanpuhui.ledger.models import CoinAward
from tanpuhui.metering.models import Reduction
from tanpuhui.pilots.models import CommunityMonth, CommunityResidentWeek, RefreshMark

GREEN_TRIPS = ("bus", "metro")  # counted in trips; a cycling record is one trip
MIN_GROUP = 5  # a figure made of fewer residents is not shown


def _month(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _week(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('week', {column}) AS date)"
    return f"date({column}, 'weekday 0', '-6 days')"


def _mark(name: str) -> RefreshMark:
    RefreshMark.objects.get_or_create(name=name)
    return RefreshMark.objects.select_for_update().get(name=name)


def refresh() -> dict[str, Any]:
    """Fold new reductions and coin awards into the community aggregates; returns the counts."""
    red, users = Reduction._meta.db_table, User._meta.db_table
    awards = CoinAward._meta.db_table
    months, weeks = CommunityMonth._meta.db_table, CommunityResidentWeek._meta.db_table
    trips = ", ".join(f"'{b}'" for b in GREEN_TRIPS)
    with transaction.atomic(), connection.cursor() as cursor:
        mark = _mark("reductions")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {red}")  # noqa: S608
        high = cursor.fetchone()[0]
        low = mark.last_id
        folded = 0
        if high > low:
            cursor.execute(
                f"""
                INSERT INTO {months} (community, month, behaviour, reductions, kg_co2e)
                SELECT u.community, {_month("r.period_end")}, r.behaviour, COUNT(*), SUM(r.kg_co2e)
                FROM {red} r JOIN {users} u ON u.id = r.resident_id
                WHERE r.id > %s AND r.id <= %s AND u.community <> ''
                GROUP BY u.community, {_month("r.period_end")}, r.behaviour
                ON CONFLICT (community, month, behaviour) DO UPDATE
                SET reductions = {months}.reductions + EXCLUDED.reductions,
                    kg_co2e = {months}.kg_co2e + EXCLUDED.kg_co2e
                """,  # noqa: S608  (table names from _meta; values are parameters)
                [low, high],
            )
            folded = cursor.rowcount
            cursor.execute(
                f"""
                INSERT INTO {weeks} (community, week, resident_id, reductions, green_trips, kg_co2e, milli_coins)
                SELECT u.community, {_week("r.period_end")}, r.resident_id, COUNT(*),
                       CAST(SUM(CASE WHEN r.kind <> 'original' THEN 0
                                     WHEN r.behaviour IN ({trips}) THEN COALESCE(r.quantity, 1)
                                     WHEN r.behaviour = 'cycling' THEN 1 ELSE 0 END) AS INTEGER),
                       SUM(r.kg_co2e), 0
                FROM {red} r JOIN {users} u ON u.id = r.resident_id
                WHERE r.id > %s AND r.id <= %s AND u.community <> ''
                GROUP BY u.community, {_week("r.period_end")}, r.resident_id
                ON CONFLICT (community, week, resident_id) DO UPDATE
                SET reductions = {weeks}.reductions + EXCLUDED.reductions,
                    green_trips = {weeks}.green_trips + EXCLUDED.green_trips,
                    kg_co2e = {weeks}.kg_co2e + EXCLUDED.kg_co2e
                """,  # noqa: S608  (table names from _meta; values are parameters)
                [low, high],
            )
            RefreshMark.objects.filter(pk=mark.pk).update(last_id=high, refreshed_at=timezone.now())
        coin_mark = _mark("coin_awards")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {awards}")  # noqa: S608
        coin_high = cursor.fetchone()[0]
        if coin_high > coin_mark.last_id:
            cursor.execute(
                f"""
                INSERT INTO {weeks} (community, week, resident_id, reductions, green_trips, kg_co2e, milli_coins)
                SELECT u.community, {_week("a.period_end")}, a.resident_id, 0, 0, 0, SUM(a.milli_awarded)
                FROM {awards} a JOIN {users} u ON u.id = a.resident_id
                WHERE a.id > %s AND a.id <= %s AND u.community <> ''
                GROUP BY u.community, {_week("a.period_end")}, a.resident_id
                ON CONFLICT (community, week, resident_id) DO UPDATE
                SET milli_coins = {weeks}.milli_coins + EXCLUDED.milli_coins
                """,  # noqa: S608  (table names from _meta; values are parameters)
                [coin_mark.last_id, coin_high],
            )
            RefreshMark.objects.filter(pk=coin_mark.pk).update(last_id=coin_high, refreshed_at=timezone.now())
    return {"from_id": low, "to_id": high, "groups": folded}


def rebuild() -> dict[str, Any]:
    """Start again from nothing (after a resident moved community, or to catch rows committed late)."""
    with transaction.atomic():
        CommunityMonth.objects.all().delete()
        CommunityResidentWeek.objects.all().delete()
        RefreshMark.objects.all().delete()
    return refresh()
