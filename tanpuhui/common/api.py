"""Permission pieces for API views. Scoping (who may call a view, which rows they see) is
``common.scoping``: every API view puts ``AudienceMixin`` first and names its ``audience``; the pieces
here are extra role checks on top of an audience."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rest_framework import permissions

if TYPE_CHECKING:
    from rest_framework.generics import GenericAPIView

    _ApiBase = GenericAPIView
else:
    _ApiBase = object


class HasRole(permissions.BasePermission):
    """``permission_classes = [HasRole.of("merchant_staff")]``."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type[HasRole]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.has_role(*self.roles)))


class ManagedByRolesMixin(_ApiBase):
    """Everyone the view lets in may read; only ``manage_roles`` may write (POST, PATCH, DELETE…)."""

    manage_roles: Sequence[str] = ()

    def get_permissions(self) -> Sequence[Any]:
        checks: list[Any] = list(super().get_permissions())
        if self.request.method not in permissions.SAFE_METHODS:
            checks.append(HasRole.of(*self.manage_roles)())
        return checks
