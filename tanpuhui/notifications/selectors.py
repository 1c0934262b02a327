"""Reads of the message centre."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tanpuhui.notifications.models import Notification


def inbox(recipient: Any) -> QuerySet[Notification]:
    """The recipient's messages, newest first."""
    return Notification.objects.filter(recipient=recipient).order_by("-created_at", "-id")


def unread_count(recipient: Any) -> int:
    """Unread messages (the navigation badge); 0 for anyone not signed in."""
    if not getattr(recipient, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
