from __future__ import annotations

from typing import Any

from django.db import models

from tanpuhui.common.models import AuditEvent


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    centre=None,
    data: dict[str, Any] | None = None,
    request=None,
) -> AuditEvent:
    """Append one audit event. Call inside the transaction of the action it records."""
    if centre is None and target is not None:
        centre = getattr(target, "centre", None)
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        centre=centre,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
        ip_address=client_ip(request),
    )
