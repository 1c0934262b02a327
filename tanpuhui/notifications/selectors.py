"""Reads of the message centre."""

from __future__ import annotations

from django.db.models import QuerySet

from tanpuhui.notifications.models import Notification


def inbox(recipient) -> QuerySet[Notification]:
    """The recipient's messages, newest first."""
    return Notification.objects.filter(recipient=recipient).order_by("-created_at", "-id")


def unread_count(recipient) -> int:
    """Unread messages (the navigation badge); 0 for anyone not signed in."""
    if not getattr(recipient, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=recipient, read_at__isnull=True).count()
