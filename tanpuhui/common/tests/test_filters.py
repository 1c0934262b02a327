"""One error behaviour for every list filter, generated from the URL conf.

Every API list route whose view declares a ``filterset_class`` is called by a member of its audience
with, in turn, an invalid value for each filter that has one (an unknown choice, a malformed id or
month, a term over its length): each must be a 400 in the one error shape naming that parameter.
A list view that reads ``query_params`` in ``get_queryset`` (a hand-rolled filter) fails the check.
"""

from __future__ import annotations

import inspect

import pytest
from django import forms
from rest_framework.generics import ListAPIView

from tanpuhui.common.filters import MonthField
from tanpuhui.common.tests.test_walls import ROUTES, client_as
from tanpuhui.common.tests.walls import AUDIENCE_MEMBER, MEMBERS

pytestmark = pytest.mark.django_db

FILTERED = [r for r in ROUTES if getattr(r.view, "filterset_class", None) is not None]


def bad_value(field: forms.Field) -> str | None:
    """A value the form field refuses, or None when it accepts any text."""
    if isinstance(field, forms.ChoiceField):
        return "no-such-choice"
    if isinstance(field, forms.UUIDField):
        return "not-a-uuid"
    if isinstance(field, MonthField):
        return "2026-13"
    if isinstance(field, forms.CharField) and field.max_length:
        return "x" * (field.max_length + 1)
    return None


def bad_values(route) -> dict[str, str]:
    declared = route.view.filterset_class.base_filters
    found = {name: bad_value(f.field) for name, f in declared.items()}
    return {name: value for name, value in found.items() if value is not None}


def test_the_known_list_filters_are_declared_as_filtersets():
    routes = {r.route for r in FILTERED}
    known = {
        "offers",
        "staff/merchants",
        "staff/offers",
        "staff/residents",
        "staff/bindings",
        "me/reductions",
    }
    assert known <= routes, known - routes
    assert all(bad_values(r) for r in FILTERED), "every filter set has a filter that can be given a bad value"


def test_no_list_view_filters_query_parameters_by_hand():
    by_hand = []
    for route in ROUTES:
        view = route.view
        if not issubclass(view, ListAPIView) or "get_queryset" not in vars(view):
            continue
        if "query_params" in inspect.getsource(view.get_queryset):
            by_hand.append(route.route)
    assert by_hand == [], "declare a filterset_class (<app>/filters.py) instead"


CASES = [(route, name, value) for route in FILTERED for name, value in bad_values(route).items()]


@pytest.mark.parametrize(("route", "param", "value"), CASES, ids=lambda c: getattr(c, "route", c))
def test_every_list_filter_answers_a_bad_value_with_400_in_the_one_shape(route, param, value, gz):
    kind = AUDIENCE_MEMBER[route.audience.name]
    member = MEMBERS[kind](gz) if kind is not None else None  # a public list: an anonymous visitor
    response = client_as(member).get(route.url(), {param: value})
    assert response.status_code == 400, (route.route, param, response.content)
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == "invalid" and body["error"]["message"]
    messages = body["error"]["fields"][param]
    assert list(body["error"]["fields"]) == [param]
    assert messages and all(isinstance(m, str) and m and m != value for m in messages)
