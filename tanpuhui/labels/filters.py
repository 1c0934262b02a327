"""Catalogue filters (``common.filters``): search certified products and labels by product, company,
category, scheme and status. Without a status the catalogue shows valid certificates only; expiry is
read from the dates, so a certificate past its date is never listed as valid."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tanpuhui.labels.models import Certificate, LowCarbonSpec

CATEGORIES = [("paper", _("Paper")), ("textiles", _("Textiles")), *LowCarbonSpec.Product.choices]
SCHEMES = [
    ("gd", _("Guangdong carbon label")),
    ("hk", _("Hong Kong carbon label")),
    ("gba", _("Greater Bay Area label")),
    ("national", _("National label")),
    ("low_carbon", _("Low-carbon product certificate")),
]
STATUSES = [*Certificate.Status.choices, ("all", _("All"))]


class CatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=100, label=_("Product or number"))
    enterprise = django_filters.CharFilter(method="by_enterprise", max_length=100, label=_("Company"))
    category = django_filters.ChoiceFilter(choices=CATEGORIES, label=_("Category"))
    scheme = django_filters.ChoiceFilter(choices=SCHEMES, method="by_scheme", label=_("Label"))
    status = django_filters.ChoiceFilter(choices=STATUSES, method="by_status", label=_("Status"))

    class Meta:
        model = Certificate
        fields = ["q", "enterprise", "category", "scheme", "status"]

    @property
    def qs(self) -> QuerySet:
        rows = super().qs
        if not self.form.cleaned_data.get("status"):
            rows = self.by_status(rows, "status", Certificate.Status.VALID)
        return rows

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(product_name__icontains=value) | Q(number__iexact=value.strip()))

    def by_enterprise(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(enterprise__name__icontains=value)

    def by_scheme(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "low_carbon":
            return queryset.filter(kind=Certificate.Kind.LOW_CARBON)
        return queryset.filter(scheme__code=value)

    def by_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = timezone.localdate()
        if value == Certificate.Status.VALID:
            return queryset.filter(status=Certificate.Status.VALID, valid_until__gte=today)
        if value == Certificate.Status.EXPIRED:
            return queryset.filter(
                Q(status=Certificate.Status.EXPIRED)
                | Q(status=Certificate.Status.VALID, valid_until__lt=today)
            )
        if value == "all":
            return queryset
        return queryset.filter(status=value)
