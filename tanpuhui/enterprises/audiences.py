"""Enterprise audiences: enterprise staff see their own enterprises' rows; any signed-in user may
register an enterprise and then sees the ones they are a member of."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import Role
from tanpuhui.common.scoping import Audience, register


def _member_of(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user})


ENTERPRISE = register(
    Audience(
        "enterprise",
        "Enterprise staff: the rows of the enterprises they are a member of.",
        allows=lambda user: user.is_superuser or user.has_role(Role.ENTERPRISE_STAFF),
        scope_rows=_member_of,
        lookup="enterprise__members__user",
    )
)
ENTERPRISE_APPLICANT = register(
    Audience(
        "enterprise_applicant",
        "Any signed-in user: registers an enterprise and sees the enterprises they are a member of.",
        allows=bool,
        scope_rows=_member_of,
        lookup="members__user",
    )
)


def _member_or_staff(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    own = ENTERPRISE_APPLICANT.scope(queryset, user, "enterprise__members__user")
    if not user.is_centre_staff:
        return own
    return (own | STAFF.scope(queryset, user)).distinct()


PROJECT_VIEWER = register(
    Audience(
        "project_viewer",
        "A retrofit project's page: its enterprise's members, and the staff of its centre.",
        allows=bool,
        scope_rows=_member_or_staff,
    )
)
