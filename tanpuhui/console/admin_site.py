"""The Django admin's home is for platform administrators (superusers).

Centre staff run their day in the console (``/console/``): one who opens the admin's home or an app's
page is sent there with a short note, instead of Django's list of every table. Data providers, their
API keys and the audit log have console pages of their own; the admin forms staff may still need
(residents, until the console has a page for them) stay open to them, scoped to their centres by
``common.admin.CentreScopedAdmin``, and are linked from the console's navigation. Residents and other
signed-in users who open the admin go home.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def is_platform_admin(user) -> bool:
    return bool(user.is_active and user.is_superuser)


class PlatformAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Tanpuhui platform administration")
    site_title = gettext_lazy("Tanpuhui platform administration")
    index_title = gettext_lazy("Platform administration")

    def _to_console(self, request: HttpRequest) -> HttpResponse:
        if not getattr(request.user, "is_centre_staff", False):
            return redirect("web:home")
        messages.info(
            request,
            _(
                "The administration pages are for platform administrators. "
                "Everything your centre needs is in this console."
            ),
        )
        return redirect("web:console")

    # Django types these as TemplateResponse; a redirect is what staff get instead.
    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:  # type: ignore[override]
        if not is_platform_admin(request.user):
            return self._to_console(request)
        return super().index(request, extra_context)

    def app_index(  # type: ignore[override]
        self, request: HttpRequest, app_label: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if not is_platform_admin(request.user):
            return self._to_console(request)
        return super().app_index(request, app_label, extra_context)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not self.has_permission(request):
            return self._to_console(request)
        return super().login(request, extra_context)
