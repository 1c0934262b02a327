import logging
import re
import time
import uuid

import structlog
from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils import translation

from tanpuhui.common import metrics
from tanpuhui.common.logcontext import bind_user

access_log = structlog.get_logger("tanpuhui.request")


class LanguageMiddleware:
    """Simplified Chinese unless the visitor chose otherwise.

    The choice comes from ``?lang=`` (kept in the language cookie by the switch view) or the
    cookie itself; the browser's Accept-Language is deliberately ignored so the product
    opens in Chinese for everyone, as the operation centres asked.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if request.GET.get("lang") in self.supported:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 86400, samesite="Lax")
        translation.deactivate()
        return response


REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class RequestIdMiddleware:
    """One id per request, in every log line written while it is served and in the ``X-Request-ID`` header.

    A well-formed id sent by the proxy in front (``X-Request-ID``, 8–64 of ``A-Za-z0-9._:-``) is kept so
    the proxy's log and ours share it; anything else gets a fresh one. The id is bound in structlog's
    context variables: the LOGGING formatter (settings) adds it to every record, including those of
    plain ``logging.getLogger(__name__)`` loggers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = sent if _REQUEST_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished, dispatch_uid="tanpuhui.forget_request_id")
def _forget_request_id(**kwargs) -> None:
    # Not when the middleware returns: Django logs the response ("Not Found: …", a 500's traceback) after
    # the middleware chain, and those lines need the id too. request_finished comes after them.
    structlog.contextvars.unbind_contextvars("request_id", "user_id", "centre")


def route_of(request) -> str:
    """The route's name (``api:provider-batches``), else its pattern; bounded, so fit for a metric label."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith(settings.STATIC_URL) else "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestContextMiddleware:
    """After authentication: binds the session's user for the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bind_user(getattr(request, "user", None))
        return self.get_response(request)


class RequestMetricsMiddleware:
    """Counts and times every request by route name, method and status (``/metrics``), and with
    ``LOG_REQUESTS`` writes one access line a request (route, status, milliseconds, user, centre)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.log_requests = getattr(settings, "LOG_REQUESTS", False)

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        seconds = time.monotonic() - started
        route = route_of(request)
        metrics.request_observed(
            route=route, method=request.method, status=response.status_code, seconds=seconds
        )
        if self.log_requests:
            bind_user(getattr(request, "user", None))  # an API call authenticated inside its view
            access_log.log(
                logging.WARNING if response.status_code >= 500 else logging.INFO,
                "request",
                method=request.method,
                route=route,
                status=response.status_code,
                ms=round(seconds * 1000, 1),
            )
        return response
