from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from tanpuhui.common.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` reverse proxies it is the entry those
    proxies appended to X-Forwarded-For (entries further left are client-supplied and untrusted)."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    centre: Any = None,  # a Centre or its id
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
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
