"""Accounts list filters (``common.filters``): they narrow what the view's audience already allows."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tanpuhui.accounts import selectors, services
from tanpuhui.accounts.models import Binding, User


class StaffResidentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=100, label=_("Name, phone tail or e-mail"))

    class Meta:
        model = User
        fields = ["q"]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return selectors.resident_search(queryset, value)


class StaffBindingFilter(django_filters.FilterSet):
    """Who holds a number: a resident's bindings, or the binding of one full number of one kind.
    Without either the list is empty — staff cannot browse every number of a centre."""

    resident = django_filters.UUIDFilter(label=_("A resident's id"))
    number = django_filters.CharFilter(
        max_length=Binding._meta.get_field("account_number").max_length,
        label=_("The full account or card number (exact match)"),
    )
    kind = django_filters.ChoiceFilter(choices=Binding.Kind.choices, label=_("Binding kind"))

    class Meta:
        model = Binding
        fields = ["resident", "number", "kind"]

    def filter_queryset(self, queryset: QuerySet[Binding]) -> QuerySet[Binding]:
        data = self.form.cleaned_data
        if data.get("resident"):
            return queryset.filter(resident_id=data["resident"])
        if data.get("number"):
            kind = data.get("kind") or ""
            return queryset.filter(
                kind=kind, account_number=services.normalise_account_number(kind, data["number"])
            )
        return queryset.none()
