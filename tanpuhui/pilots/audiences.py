"""Pilot audiences: a pilot manager sees the pilots they manage; commission staff (city centre staff,
provincial officers) review the pilots of the centres they work for — a city its own, the province
all of them. The public sees a community's screen at its token only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import Role
from tanpuhui.common.scoping import Audience, register

REVIEWER_ROLES = (Role.CENTRE_OPERATOR, Role.CENTRE_REVIEWER, Role.CENTRE_FINANCE, Role.PROVINCIAL_OFFICER)


def _managed_by(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user})


def _by_centre(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return STAFF.scope(queryset, user, lookup)


PILOT = register(
    Audience(
        "pilot",
        "A pilot manager: the pilots they manage and everything reported for them.",
        allows=lambda user: user.is_superuser or user.has_role(Role.PILOT_MANAGER),
        scope_rows=_managed_by,
        lookup="manager",
    )
)
PILOT_REVIEWER = register(
    Audience(
        "pilot_reviewer",
        "Commission staff: the pilots of the centres they work for (a provincial officer: all under it).",
        allows=lambda user: user.is_superuser or user.has_role(*REVIEWER_ROLES),
        scope_rows=_by_centre,
        lookup="centre",
    )
)
