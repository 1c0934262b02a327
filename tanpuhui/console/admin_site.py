"""The Django admin is for platform administrators (superusers) only.

Centre staff run their day in the console (``/console/``); one who opens ``/admin/`` is sent there with a
short note instead of Django's "not authorised" login form. Residents and other signed-in users go home.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class PlatformAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Tanpuhui platform administration")
    site_title = gettext_lazy("Tanpuhui platform administration")
    index_title = gettext_lazy("Platform administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not self.has_permission(request):
            if getattr(user, "is_centre_staff", False):
                messages.info(
                    request,
                    _(
                        "The administration pages are for platform administrators. "
                        "Everything your centre needs is in this console."
                    ),
                )
                return redirect("web:console")
            return redirect("web:home")
        return super().login(request, extra_context)
