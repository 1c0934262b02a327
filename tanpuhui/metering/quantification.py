"""Quantification and the binding window: the statements that turn matched records into
reductions, shared by the staged pipeline (``services``) and the one-pass load (``fastload``)."""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tanpuhui.metering import sql
from tanpuhui.metering.models import Behaviour, InputsSnapshot
from tanpuhui.methodology import registry
from tanpuhui.methodology.registry import MethodUnavailable, resolve

logger = logging.getLogger(__name__)

DEFAULT_LATE_BINDING_DAYS = 90
EPOCH = date(1970, 1, 1)
FOREST_FALLBACK_VARIANT = "guangdong_average"


def metering_params(centre) -> dict:
    return (centre.parameters or {}).get("metering", {}) if centre is not None else {}


def window_days(centre) -> int:
    return int(metering_params(centre).get("late_binding_days", DEFAULT_LATE_BINDING_DAYS))


def binding_cutoff_day(centre, on: date | None = None) -> int:
    """The binding window as a day number: a binding made on ``on`` (default today) credits only
    records whose period ended on this day or later. A record still unmatched whose period ended
    before today's cutoff can never be credited (no binding made from now on reaches it)."""
    on = on or timezone.localdate()
    return (on - timedelta(days=window_days(centre)) - EPOCH).days


SNAPSHOT_KEYS = (
    "methodology",
    "behaviour",
    "version_id",
    "version",
    "formula",
    "config",
    "variant",
    "rounding",
)


def compact_snapshot(full: dict) -> dict:
    """What each reduction stores: the method and every value, unit and parameter id it used.

    Parameters are immutable (a new value is a new row), so the id is the reference to the
    published source; the explanation reads source, issuer and year from it. This keeps a
    million reductions from each repeating a kilobyte of source titles."""
    compact = {key: full[key] for key in SNAPSHOT_KEYS if key in full}
    compact["params"] = {
        slot: {"value": info["value"], "unit": info["unit"], "parameter_id": info["parameter_id"]}
        for slot, info in (full.get("params") or {}).items()
    }
    return compact


def snapshot_id(compact: dict) -> int:
    """The shared row holding these inputs (created once; immutable)."""
    text = json.dumps(compact, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()
    found = InputsSnapshot.objects.filter(digest=digest).values_list("pk", flat=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return InputsSnapshot.objects.create(digest=digest, data=json.loads(text)).pk
    except IntegrityError:  # created by a parallel worker
        return InputsSnapshot.objects.get(digest=digest).pk


def quantify(*, scope: str, scope_params: list, centres) -> int:
    """Quantify the matched records in ``scope`` (an SQL condition on alias ``r``): baselines,
    adjustments of revised records, then originals. Idempotent; returns reductions written."""
    now = timezone.now()
    created = 0
    with connection.cursor() as cursor:
        cursor.execute(sql.baseline_from_history(scope), scope_params)
        for centre in centres:
            defaults = metering_params(centre).get("default_baseline_per_day", {})
            for record_type, per_day in sorted(defaults.items()):
                cursor.execute(
                    sql.baseline_default(scope),
                    [Decimal(str(per_day)), *scope_params, record_type, centre.pk],
                )
        cursor.execute(
            sql.PENDING_GROUPS.format(rec=sql.REC, red=sql.RED, scope=scope), [*scope_params, True]
        )
        pending = cursor.fetchall()
        groups: dict[tuple, list] = defaultdict(list)
        boundaries: dict[str, list[date]] = {}
        resolved: dict[tuple, Any] = {}
        unavailable: set[tuple[str, str]] = set()
        for centre_id, behaviour, mode, period_end in pending:
            if isinstance(period_end, str):
                period_end = date.fromisoformat(period_end)
            forest = behaviour in (Behaviour.AFFORESTATION, Behaviour.FOREST_MANAGEMENT)
            variant = mode if forest else ""
            if behaviour not in boundaries:
                boundaries[behaviour] = sorted(
                    registry.resolution_edges(behaviour=behaviour, any_centre=True)
                )
            segment = (centre_id, behaviour, variant, bisect.bisect_right(boundaries[behaviour], period_end))
            if segment not in resolved:
                resolved[segment] = None
                # A forest type without its own sink factor falls back to the provincial average.
                for candidate in [variant, FOREST_FALLBACK_VARIANT] if forest else [""]:
                    try:
                        resolved[segment] = resolve(
                            behaviour=behaviour, centre_id=centre_id, on=period_end, variant=candidate
                        )
                        break
                    except MethodUnavailable:
                        continue
            method = resolved[segment]
            if method is None:
                unavailable.add((behaviour, variant))
                continue
            key = (centre_id, behaviour, variant, method.version_id, tuple(sorted(method.param_ids.items())))
            groups[key].append((period_end, method))
        for behaviour, variant in sorted(unavailable):
            logger.warning("no methodology available for %s %s: those records wait", behaviour, variant)
        columns = {"quantity": "r.quantity", "baseline": "r.baseline", "distance_km": "r.distance_km"}
        for (centre_id, behaviour, variant, version_id, _ids), items in groups.items():
            method = items[0][1]
            expr, expr_params = method.sql(columns=columns)
            snapshot = snapshot_id(compact_snapshot(method.inputs_snapshot()))
            days = sorted({(d - EPOCH).days for d, _m in items})
            group = (
                f"r.centre_id = %s AND r.behaviour = %s AND r.end_day IN ({', '.join(['%s'] * len(days))})"
            )
            group_params: list = [centre_id, behaviour, *days]
            if variant:
                group += " AND r.mode = %s"
                group_params.append(variant)
            if method.spec.uses_baseline:
                group += " AND r.baseline IS NOT NULL"
            cursor.execute(
                sql.insert_adjustments(scope, group, expr),
                [*expr_params, now, version_id, snapshot, *scope_params, *group_params, True, *expr_params],
            )  # fmt: skip
            created += max(cursor.rowcount, 0)
            cursor.execute(sql.clear_requantify(scope, group), [False, *scope_params, *group_params, True])
            cursor.execute(
                sql.insert_originals(scope, group, expr),
                [*expr_params, now, version_id, snapshot, *scope_params, *group_params],
            )
            created += max(cursor.rowcount, 0)
    return created
