"""Registry audiences: account holders (the members of a registry account) and third-party verifiers.
Centre staff (``STAFF``) manage their centre's projects; the provincial authority (``PROVINCIAL``)
approves, issues, cancels and freezes; everybody reads the public registry (``PUBLIC``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.accounts.models import Role
from tanpuhui.common.scoping import Audience, register


def _holder_rows(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user}).distinct()


def _verifier_rows(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user.centre_id})


HOLDER = register(
    Audience(
        "registry_holder",
        "A registry account's members: the credits their accounts hold, and only those.",
        allows=lambda user: user.is_superuser or user.registry_accounts.exists(),
        scope_rows=_holder_rows,
        lookup="account__members",
    )
)
VERIFIER = register(
    Audience(
        "verifier",
        "A third-party verifier: the monitoring reports of the centre they are accredited at.",
        allows=lambda user: user.is_superuser or user.has_role(Role.VERIFIER),
        scope_rows=_verifier_rows,
        lookup="project__centre",
    )
)
