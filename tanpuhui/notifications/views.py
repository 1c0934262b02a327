"""The message centre's pages: the inbox and marking messages read."""

from __future__ import annotations

import contextlib

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from tanpuhui.accounts.audiences import RESIDENT
from tanpuhui.common.errors import NotFound
from tanpuhui.common.scoping import page_for
from tanpuhui.notifications import selectors, services
from tanpuhui.notifications.messages import describe


def entries(notifications) -> list[dict]:
    """What a template shows of each message (also the home page's latest messages)."""
    return [{"n": n, "m": describe(n)} for n in notifications]


def by_day(items: list[dict]) -> list[tuple]:
    days: dict = {}
    for item in items:
        days.setdefault(timezone.localtime(item["n"].created_at).date(), []).append(item)
    return list(days.items())


@page_for(RESIDENT)
def inbox(request):
    """GET: the messages by day. POST ``id=<message>`` marks one read, ``all=1`` every one."""
    if request.method == "POST":
        mark_read(request)
        if not request.htmx:
            return redirect("web:notifications")
    page = Paginator(selectors.inbox(request.user), 30).get_page(request.GET.get("page"))
    items = entries(page)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "days": by_day(items), "unread": selectors.unread_count(request.user)},
    )


def mark_read(request) -> None:
    if request.POST.get("all"):
        services.notifications_read_all(recipient=request.user)
        return
    # nothing of the reader's to mark (a bad or another's id): the inbox as it is
    with contextlib.suppress(ValueError, NotFound):
        services.notification_read(recipient=request.user, notification_id=int(request.POST.get("id", "")))
