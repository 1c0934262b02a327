"""The data provider's audience: a provider's service identity sees its own provider's rows."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.accounts.models import Role
from tanpuhui.common.scoping import Audience, register


def _own_provider(queryset: QuerySet, user: Any, lookup: str) -> QuerySet:
    return queryset.filter(**{lookup: user})


PROVIDER = register(
    Audience(
        "provider",
        "A data provider's service identity (API key): its own provider's batches.",
        allows=lambda user: user.is_superuser or user.has_role(Role.DATA_PROVIDER),
        scope_rows=_own_provider,
        lookup="provider__service_user",
    )
)
