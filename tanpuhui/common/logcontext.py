"""What every log line of a request carries besides its id (structlog context variables)."""

from __future__ import annotations

from typing import Any

import structlog


def bind_user(user: Any) -> None:
    """Add who is asking to every later log line of this request: ``user_id`` and ``centre`` (the id of
    their operation centre). Called once the user is known — by ``RequestContextMiddleware`` for
    session logins and by the API views' audience mixin once DRF authenticated a token or API key."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    structlog.contextvars.bind_contextvars(user_id=str(user.pk), centre=getattr(user, "centre_id", None))
