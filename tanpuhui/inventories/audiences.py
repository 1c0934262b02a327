"""Inventory audiences: a town statistician works on the inventories of the towns they are posted to
(``TownDesk``); the city centre's reviewers see the inventories of the towns their centre serves (a
provincial officer: every centre under the province)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import Role
from tanpuhui.common.scoping import Audience, register

REVIEWER_ROLES = (Role.CENTRE_OPERATOR, Role.CENTRE_REVIEWER, Role.PROVINCIAL_OFFICER)


def _own_towns(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{f"{lookup}__statistician_desks__user": user})


def _by_centre(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return STAFF.scope(queryset, user, lookup)


TOWN_STATISTICIAN = register(
    Audience(
        "town_statistician",
        "A town statistician: the inventories of the towns they compile.",
        allows=lambda user: user.has_role(Role.TOWN_STATISTICIAN),
        scope_rows=_own_towns,
        lookup="town",
    )
)
INVENTORY_REVIEWER = register(
    Audience(
        "inventory_reviewer",
        "City centre staff reviewing towns' inventories: the towns of the centres they work for.",
        allows=lambda user: user.is_superuser or user.has_role(*REVIEWER_ROLES),
        scope_rows=_by_centre,
        lookup="centre",
    )
)
