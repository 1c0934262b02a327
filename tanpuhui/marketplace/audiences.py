"""Audiences of the marketplace: merchant staff (their own merchant's rows) and the event booth
(centre staff of the event's centre, or staff of a merchant with an offer in it). See ``common.scoping``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.common.scoping import Audience, register
from tanpuhui.marketplace import selectors


def _own_merchant(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    link = selectors.staff_link(user)
    if link is None:
        return queryset.none()
    return queryset.filter(**{lookup: link.merchant_id})


def _booth_events(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{f"{lookup}__in": selectors.events_for_booth(user).values("pk")})


MERCHANT = register(
    Audience(
        "merchant",
        "Staff of an approved merchant: their own merchant's rows.",
        allows=lambda user: selectors.staff_link(user) is not None,
        scope_rows=_own_merchant,
        lookup="merchant",
    )
)
BOOTH = register(
    Audience(
        "booth",
        "Who may run an event's booth: centre staff of its centre, or staff of a merchant offering there.",
        allows=lambda user: bool(user.is_centre_staff or selectors.staff_link(user)),
        scope_rows=_booth_events,
        lookup="pk",
    )
)
