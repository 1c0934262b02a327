"""Root URLs. Each bounded context exposes ``api_patterns`` and ``web_patterns`` in its ``urls.py``;
they are mounted here so apps never edit this file."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from tanpuhui.common import health

CONTEXTS = [
    "tenancy",
    "accounts",
    "methodology",
    "metering",
    "ledger",
    "marketplace",
    "funding",
    "enterprises",
    "registry",
    "pilots",
    "labels",
    "inventories",
    "notifications",
    "wechat",
    "console",
    "web",
]

api_patterns: list = []
web_patterns: list = []
for context in CONTEXTS:
    module = import_module(f"tanpuhui.{context}.urls")
    api_patterns += getattr(module, "api_patterns", [])
    web_patterns += getattr(module, "web_patterns", [])

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    # Operations (docs/operations.md): liveness, readiness, Prometheus metrics.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics_view, name="metrics"),
    path("", include((web_patterns, "web"))),
]
handler400 = "tanpuhui.common.views.bad_request"
handler404 = "tanpuhui.common.views.not_found"
handler500 = "tanpuhui.common.views.server_error"

if settings.SERVE_MEDIA:
    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))
