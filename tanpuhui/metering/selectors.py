"""Reads: batches, error reports, residents' reductions with their explanation, monthly totals."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import PROVIDER_MANAGER_ROLES, ApiKey, User
from tanpuhui.common.errors import ValidationFailed
from tanpuhui.common.filters import MonthField
from tanpuhui.metering.models import (
    Batch,
    Behaviour,
    DataProvider,
    Reduction,
    RowError,
    SourceRecord,
    UnmatchedReason,
    row_error_message,
)
from tanpuhui.metering.quantification import binding_cutoff_day
from tanpuhui.methodology import formulas
from tanpuhui.methodology.models import Parameter
from tanpuhui.tenancy.models import Centre

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """Neutralise spreadsheet formula injection: a leading = + - @ TAB CR gets a leading '."""
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def batch_list() -> QuerySet[Batch]:
    return Batch.objects.select_related("provider", "centre").order_by("-created_at")


def batches_in_flight() -> dict[tuple[str, str], int]:
    """Batches not finished yet, counted by (status, stage): the backlog a dashboard watches."""
    rows = (
        Batch.objects.filter(status__in=[Batch.Status.RECEIVED, Batch.Status.PROCESSING])
        .values_list("status", "stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(status, stage): n for status, stage, n in rows}


def batch_errors_csv(batch: Batch, language: str | None = None) -> Iterator[str]:
    """The rejected rows as CSV, each message rendered in ``language`` (default: the active one,
    captured now — the response streams after the request's language is gone)."""
    return _errors_csv_rows(batch, language or translation.get_language() or settings.LANGUAGE_CODE)


def _errors_csv_rows(batch: Batch, language: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["row", "field", "reason", "raw_value", "code"])
    yield flush()
    rows = RowError.objects.filter(batch=batch).order_by("row_number", "id")
    values = rows.values_list("row_number", "field", "code", "params", "reason", "raw_value")
    chunk = []
    for error in values.iterator(chunk_size=2000):
        chunk.append(error)
        if len(chunk) >= 500:
            _render_errors(writer, chunk, language)
            chunk = []
            yield flush()
    if chunk:
        _render_errors(writer, chunk, language)
        yield flush()
    stored = rows.count()
    if batch.rejected > stored:
        with translation.override(language):
            more = _("%(n)d further rejected rows not listed") % {"n": batch.rejected - stored}
        writer.writerow(["", "", more, "", ""])
        yield flush()


def _render_errors(writer: Any, chunk: list, language: str) -> None:
    with translation.override(language):
        for number, field, code, params, reason, raw in chunk:
            message = row_error_message(code, params, reason)
            writer.writerow([number, csv_safe(field), csv_safe(message), csv_safe(raw), code])


def unmatched_records() -> QuerySet[SourceRecord]:
    return (
        SourceRecord.objects.filter(resident__isnull=True)
        .exclude(record_type="forest_plot")
        .select_related("provider", "centre")
        .order_by("-created_at")
    )


def unmatched_reason(record: SourceRecord, today: date | None = None) -> str:
    """The reason of one unmatched record, by the binding window rule (``quantification.binding_cutoff_day``)."""
    if not record.binding_kind:
        return UnmatchedReason.NO_PLOT_OWNER
    if record.end_day < binding_cutoff_day(record.centre, today):
        return UnmatchedReason.TOO_OLD
    return UnmatchedReason.NO_BINDING_YET


def month_bounds(month: str) -> tuple[date, date]:
    """``YYYY-MM`` → (first day, first day of the next month), read by the one month rule
    (``common.filters.MonthField``, also behind the ``month`` list filter)."""
    try:
        return MonthField().clean(month)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"month": exc.messages}) from exc


def reductions_of(resident: User) -> QuerySet[Reduction]:
    return (
        Reduction.objects.filter(resident=resident)
        .select_related("source_record", "methodology_version__methodology", "snapshot")
        .order_by("-period_end", "-id")
    )


def monthly_totals(resident: User, months: int = 6, today: date | None = None) -> dict:
    """{"months": ["2026-06", …], "series": {behaviour: [kg per month]}, "totals": [kg per month]}."""
    from django.utils import timezone

    today = today or timezone.localdate()
    keys = []
    year, mon = today.year, today.month
    for _i in range(months):
        keys.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    keys.reverse()
    start, _end = month_bounds(keys[0])
    rows = (
        Reduction.objects.filter(resident=resident, period_end__gte=start)
        .values("behaviour", "period_end__year", "period_end__month")
        .annotate(kg=Sum("kg_co2e"))
    )
    series: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * len(keys))
    for row in rows:
        key = f"{row['period_end__year']:04d}-{row['period_end__month']:02d}"
        if key in keys:
            series[row["behaviour"]][keys.index(key)] += row["kg"] or Decimal(0)
    totals = [sum((s[i] for s in series.values()), Decimal(0)) for i in range(len(keys))]
    ordered = {b: series[b] for b in Behaviour.values if b in series}
    return {"months": keys, "series": ordered, "totals": totals}


def reduction_explanation(reduction: Reduction) -> dict:
    """Record → methodology version → parameters (value, unit, source) → figure."""
    record = reduction.source_record
    snapshot = reduction.inputs_snapshot or {}
    version = reduction.methodology_version
    formula = formulas.FORMULAS.get(snapshot.get("formula", ""))
    params = snapshot.get("params") or {}
    published = Parameter.objects.in_bulk([info.get("parameter_id") for info in params.values()])
    parameters = []
    for slot, info in sorted(params.items()):
        source = published.get(info.get("parameter_id"))
        parameters.append(
            {
                "slot": slot,
                "value": info.get("value", ""),
                "unit": info.get("unit", ""),
                "parameter_id": info.get("parameter_id"),
                "source": source.source_label if source else "",
                "url": source.source_url if source else "",
                "region": source.region if source else "",
                "year": source.year if source else None,
            }
        )
    return {
        "record": None
        if record is None
        else {
            "record_type": record.record_type,
            "record_id": record.external_id,
            "revision": reduction.record_revision,
            "provider": record.provider.name,
            "account": "•••• " + record.account[-4:],
            "period_start": record.period_start,
            "period_end": record.period_end,
        },
        "inputs": {
            "quantity": reduction.quantity,
            "unit": reduction.unit,
            "baseline": reduction.baseline,
            "baseline_source": record.baseline_source if record else "",
            "distance_km": reduction.distance_km,
        },
        "methodology": {
            "version_id": version.pk if version else snapshot.get("version_id"),
            "code": snapshot.get("methodology", ""),
            "name": str(version.methodology.name) if version else "",
            "version": snapshot.get("version", ""),
            "formula": snapshot.get("formula", ""),
            "formula_name": str(formula.name) if formula else "",
            "formula_words": str(formula.words) if formula else "",
            "source": version.source_text if version else "",
            "rounding": snapshot.get("rounding", ""),
        },
        "parameters": parameters,
        "kg_co2e": reduction.kg_co2e,
        "adjustments": [
            {"id": a.pk, "kg_co2e": a.kg_co2e, "created_at": a.created_at, "revision": a.record_revision}
            for a in reduction.adjustments.order_by("id")
        ],
    }


def reductions_by_month(centres: QuerySet, *, since: date) -> dict[tuple[int, date], dict]:
    """Per centre of ``centres`` and calendar month (of the period's end) from ``since``: kg CO₂e reduced
    (adjustments included, so a correction lowers its month) and participants — distinct residents with
    a reduction that month. (centre id, first day of the month) → {"kg_co2e", "participants"}; one
    grouped query over the (centre, behaviour, period_end) index."""
    rows = (
        Reduction.objects.filter(centre__in=centres, period_end__gte=since)
        .annotate(month=TruncMonth("period_end"))
        .values("centre_id", "month")
        .annotate(kg=Sum("kg_co2e"), participants=Count("resident_id", distinct=True))
        .order_by()
    )
    return {
        (r["centre_id"], r["month"]): {"kg_co2e": r["kg"] or Decimal("0"), "participants": r["participants"]}
        for r in rows
    }


# A batch still received or processing this long after upload has lost its way (the worker renews its
# lease every few seconds; a normal 200 MiB file finishes in minutes).
STUCK_AFTER_MINUTES = 60


def batches_needing_attention(batches: QuerySet[Batch], *, now: datetime | None = None) -> QuerySet[Batch]:
    """Batches of ``batches`` that need a person: rejected or failed, finished with rejected rows in
    the last 30 days, or stuck (received or processing for over an hour)."""
    now = now or timezone.now()
    stuck = Q(status__in=[Batch.Status.RECEIVED, Batch.Status.PROCESSING]) & Q(
        created_at__lt=now - timedelta(minutes=STUCK_AFTER_MINUTES)
    )
    errors = Q(status__in=[Batch.Status.REJECTED, Batch.Status.FAILED]) | Q(
        status=Batch.Status.DONE, rejected__gt=0
    )
    return batches.filter(stuck | (errors & Q(created_at__gte=now - timedelta(days=30))))


def unmatched_waiting(records: QuerySet[SourceRecord], centres: Iterable[Centre]) -> QuerySet[SourceRecord]:
    """Unmatched records of ``records`` that a binding made today could still credit: a binding kind
    and a period inside its centre's binding window (the rest are counted as too old, never matched)."""
    inside = Q(pk__in=[])
    for centre in centres:
        inside |= Q(centre=centre, end_day__gte=binding_cutoff_day(centre))
    return (
        records.filter(resident__isnull=True)
        .exclude(record_type="forest_plot")
        .exclude(binding_kind="")
        .filter(inside)
    )


def batches_waiting(user: User) -> int:
    """The staff member's batches needing attention (the console's task and the navigation badge)."""
    return batches_needing_attention(STAFF.scope(Batch.objects.all(), user)).count()


def unmatched_waiting_count(user: User) -> int:
    centres = list(STAFF.scope(Centre.objects.all(), user, "pk"))
    return unmatched_waiting(STAFF.scope(SourceRecord.objects.all(), user), centres).count()


# --- providers and their keys (staff pages) -------------------------------------------------------


def manages_providers(user: Any) -> bool:
    return bool(user.is_superuser or user.has_role(*PROVIDER_MANAGER_ROLES))


def provider_list() -> QuerySet[DataProvider]:
    return DataProvider.objects.select_related("centre", "service_user").order_by("centre__code", "name")


def provider_keys(provider: DataProvider) -> QuerySet[ApiKey]:
    """The provider's keys, newest first (a provider without a service user has none)."""
    owner = provider.service_user
    if owner is None:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(user=owner).select_related("created_by").order_by("-created_at")
