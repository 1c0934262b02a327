"""Error views: API paths answer in the one JSON error shape, pages with the site's templates."""

from django.http import JsonResponse
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
