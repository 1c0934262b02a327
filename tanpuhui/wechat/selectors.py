"""Reads of the WeChat channel."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from tanpuhui.accounts.models import Role, User
from tanpuhui.tenancy.models import Centre
from tanpuhui.wechat.models import Link, OfficialAccount


def links() -> QuerySet[Link]:
    return Link.objects.select_related("account", "account__centre").order_by("created_at")


def accounts() -> QuerySet[OfficialAccount]:
    return OfficialAccount.objects.select_related("centre").annotate(linked=Count("links"))


def account_of_centre(centre_id: Any) -> OfficialAccount | None:
    if centre_id is None:
        return None
    return OfficialAccount.objects.select_related("centre").filter(centre_id=centre_id, enabled=True).first()


def operates(user: User, centre: Centre) -> bool:
    return (
        user.is_superuser or user.role_assignments.filter(role=Role.CENTRE_OPERATOR, centre=centre).exists()
    )


def form_initial(account: OfficialAccount | None) -> dict[str, Any]:
    """The form's starting values: everything but the secrets (write-only)."""
    if account is None:
        return {"mode": OfficialAccount.Mode.SAFE, "enabled": True}
    initial: dict[str, Any] = {
        "name": account.name,
        "app_id": account.app_id,
        "mode": account.mode,
        "mini_app_id": account.mini_app_id,
        "welcome": account.welcome,
        "enabled": account.enabled,
    }
    for kind, template_id in (account.templates or {}).items():
        initial[f"template_{kind}"] = template_id
    return initial
