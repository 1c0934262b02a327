"""The scoping mechanism for API views: put one of these mixins first in every view's bases.

``CentreScopedMixin`` — staff views: rows of the centres the user may see (``tenancy.selectors``).
``ResidentOwnedMixin`` — resident views: the user's own rows only.
Views never filter by centre or owner by hand; a row outside the scope is a 404, not a 403, so
its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rest_framework import permissions

from tanpuhui.tenancy.selectors import scope_to_user, visible_centre_ids


class IsCentreStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_centre_staff)


class IsResident(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_resident)


class HasRole(permissions.BasePermission):
    """``permission_classes = [HasRole.of("merchant_staff")]``."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*self.roles)))


class ManagedByRolesMixin:
    """Everyone the view lets in may read; only ``manage_roles`` may write (POST, PATCH, DELETE…)."""

    manage_roles: Sequence[str] = ()

    def get_permissions(self):
        checks = super().get_permissions()  # type: ignore[misc]
        if self.request.method not in permissions.SAFE_METHODS:  # type: ignore[attr-defined]
            checks.append(HasRole.of(*self.manage_roles)())
        return checks


class CentreScopedMixin:
    centre_lookup = "centre"
    permission_classes: Sequence[Any] = [IsCentreStaff]

    def get_queryset(self):
        return scope_to_user(super().get_queryset(), self.request.user, self.centre_lookup)  # type: ignore[misc]

    def visible_centre_ids(self):
        return visible_centre_ids(self.request.user)  # type: ignore[attr-defined]


class ResidentOwnedMixin:
    owner_lookup = "resident"
    permission_classes: Sequence[Any] = [IsResident]

    def get_queryset(self):
        return super().get_queryset().filter(**{self.owner_lookup: self.request.user})  # type: ignore[misc]
