"""List filters: django-filter ``FilterSet``s, one ``filters.py`` per app, with one error behaviour.

A list view names its ``filterset_class``; :class:`FilterBackend` (the project's only filter backend,
``REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]``) applies it to the queryset the view's audience already
scoped (``AudienceMixin.get_queryset``), so a filter only narrows what the caller may see. An invalid
value — a choice that does not exist, a malformed id or month, a term that is too long — is a 400 in
the one error shape, ``{"error": {"code": "invalid", "message": …, "fields": {param: [message]}}}``,
never silently ignored. Pages use the same FilterSets through :func:`filter_page`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from tanpuhui.common.audit import ACTIONS
from tanpuhui.common.fields import validate_period_day
from tanpuhui.common.models import AuditEvent

MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


def filter_errors(filterset: django_filters.FilterSet) -> dict[str, list[str]]:
    """The invalid parameters of a bound FilterSet: ``{param: [message, …]}``."""
    return {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}


class FilterBackend(DjangoFilterBackend):
    """Applies the view's ``filterset_class``; an invalid value is a DRF ``ValidationError`` with one
    message list per parameter, which ``common.exceptions.api_exception_handler`` turns into the one
    error shape."""

    def filter_queryset(self, request: Any, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset))
        return filterset.qs


def filter_page(
    filterset_class: type[django_filters.FilterSet], data: Any, queryset: QuerySet, request: Any = None
) -> tuple[QuerySet, dict[str, list[str]]]:
    """A page's list through the same FilterSet as its API: ``(rows, errors)``. With an invalid value
    the page shows ``errors`` and the unfiltered rows (a page answers, it does not 400)."""
    filterset = filterset_class(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        return queryset, filter_errors(filterset)
    return filterset.qs, {}


class MonthField(forms.CharField):
    """``YYYY-MM`` within the supported years; cleans to ``(first day, first day of next month)``."""

    default_error_messages = {"invalid": _("Use YYYY-MM.")}

    def to_python(self, value: Any) -> tuple[date, date] | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        match = MONTH.match(text)
        if match is None:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        try:
            start = date(year, month, 1)
        except ValueError as exc:  # year 0000
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from exc
        validate_period_day(start)
        return start, date(year + (month == 12), month % 12 + 1, 1)


@extend_schema_field(
    {"type": "string", "pattern": MONTH.pattern, "example": "2026-10", "description": "YYYY-MM"}
)
class MonthFilter(django_filters.Filter):
    """Rows whose ``field_name`` date falls in the month given as ``YYYY-MM``."""

    field_class = MonthField

    def filter(self, qs: QuerySet, value: tuple[date, date] | None) -> QuerySet:
        if not value:
            return qs
        start, end = value
        return qs.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


class AuditEventFilter(django_filters.FilterSet):
    """The audit-log page: by action (one of the named actions) and by day, from and up to."""

    action = django_filters.ChoiceFilter(label=_("Action"), choices=sorted(ACTIONS.items()))
    since = django_filters.DateFilter(
        label=_("From"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("Until"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "since", "until"]
