"""The audiences of the roles this context owns: centre staff (by centre), provincial officers, and
residents (their own rows, or their home centre's). See ``common.scoping``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.accounts.models import PROVINCIAL_ROLES
from tanpuhui.accounts.selectors import scope_to_user
from tanpuhui.common.scoping import Audience, register


def _by_centre(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return scope_to_user(queryset, user, lookup)


def _own(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user})


def _home_centre(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user.centre_id})


STAFF = register(
    Audience(
        "staff",
        "Back-office staff: the rows of the centres they work at (a provincial officer: and those under it).",
        allows=lambda user: user.is_centre_staff,
        scope_rows=_by_centre,
        lookup="centre",
    )
)
PROVINCIAL = register(
    Audience(
        "provincial",
        "Provincial officers (and the platform superuser): the province's centres.",
        allows=lambda user: user.is_superuser or user.has_role(*PROVINCIAL_ROLES),
        scope_rows=_by_centre,
        lookup="centre",
    )
)
RESIDENT = register(
    Audience(
        "resident",
        "A resident: their own rows only.",
        allows=lambda user: user.is_resident,
        scope_rows=_own,
        lookup="resident",
    )
)
HOME_CENTRE = register(
    Audience(
        "home_centre",
        "A resident: the rows of their home centre (offers, campaigns, causes).",
        allows=lambda user: user.is_resident,
        scope_rows=_home_centre,
        lookup="centre",
    )
)
CENTRE_MEMBER = register(
    Audience(
        "centre_member",
        "Anyone signed in at a centre, resident or staff: the public rows of their own centre.",
        allows=lambda user: user.centre_id is not None,
        scope_rows=_home_centre,
        lookup="centre",
    )
)
