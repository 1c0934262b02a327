"""Labels audiences: the certification body (its staff see the applications it handles — those of the
city centres under its provincial centre) and the label verifier (only the applications assigned to
them). Enterprises use ``enterprises.audiences.ENTERPRISE``; the catalogue and verification pages are
``PUBLIC``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.accounts.models import Role
from tanpuhui.common.scoping import Audience, register


def _body_rows(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user.centre_id})


def _assigned_rows(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user})


CERTIFICATION_BODY = register(
    Audience(
        "certification_body",
        "Certification body staff: the label applications and certificates their body handles.",
        allows=lambda user: user.is_superuser or user.has_role(Role.CERTIFICATION_STAFF),
        scope_rows=_body_rows,
        lookup="body_centre",
    )
)
LABEL_VERIFIER = register(
    Audience(
        "label_verifier",
        "An accredited verifier: the label applications assigned to them, and only those.",
        allows=lambda user: user.is_superuser or user.has_role(Role.VERIFIER),
        scope_rows=_assigned_rows,
        lookup="verifier",
    )
)
