"""Reads of the centre tree. (Which centres a *user* may see depends on their roles: ``accounts.selectors``.)"""

from __future__ import annotations

from django.db.models import QuerySet

from tanpuhui.tenancy.models import Centre


def centre_list_public() -> QuerySet[Centre]:
    return (
        Centre.objects.filter(kind=Centre.Kind.CITY)
        .exclude(status=Centre.Status.SUSPENDED)
        .select_related("region")
    )
