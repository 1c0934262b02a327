"""Error views: API paths answer in the one JSON error shape, pages with the site's templates."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from tanpuhui.common.exceptions import error_body, request_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    """Django's answer to a request it could not read (too big, too many fields, suspicious)."""
    if _is_api(request):
        failure = request_error(exception) if exception is not None else None
        status, body = failure or (400, error_body("bad_request", _("The request could not be understood.")))
        return JsonResponse(body, status=status)
    return defaults.bad_request(request, exception)


def not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
    return defaults.server_error(request)


def csrf_failure(request, reason: str = ""):
    """A form sent without a valid CSRF token (``CSRF_FAILURE_VIEW``): the product's 403 page with a way
    back; API clients get the error shape. ``reason`` is Django's, for logs only, never shown."""
    if _is_api(request):
        body = error_body("csrf_failed", _("The request was refused for your safety. Reload and try again."))
        return JsonResponse(body, status=403)
    referer = request.headers.get("referer", "")
    back = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
        else ""
    )
    return render(request, "csrf_failure.html", {"back": back}, status=403)
