"""The one error shape of the API: ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from tanpuhui.common.errors import ServiceError

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail: Any) -> Any:
    """Turn DRF's nested ErrorDetail structures into plain strings/lists/dicts."""
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def request_error(exc: Exception) -> tuple[int, dict[str, Any]] | None:
    """Status and body for the errors Django raises while reading a request (else None).

    Django turns these into its HTML "Bad Request (400)" page; the API answers them in its own shape:
    a body over DATA_UPLOAD_MAX_MEMORY_SIZE is 413, too many fields or any other malformed or
    suspicious request is 400. Used by the DRF handler below and by the 400 handler view for
    requests that fail before reaching an API view.
    """
    if isinstance(exc, RequestDataTooBig):
        mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return 413, error_body(
            "request_too_large", _("The request body is larger than %(mb)d MB.") % {"mb": mb}
        )
    if isinstance(exc, TooManyFieldsSent):
        return 400, error_body("too_many_fields", _("The request has too many fields."))
    if isinstance(exc, SuspiciousOperation | BadRequest):
        return 400, error_body("bad_request", _("The request could not be understood."))
    return None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("invalid", _("Invalid input."), fields), status=400)
    request_failure = request_error(exc)
    if request_failure is not None:
        logger.warning("api request refused: %r", exc)
        return Response(request_failure[1], status=request_failure[0])
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _flatten(detail) if isinstance(detail, dict) else {"non_field_errors": _flatten(detail)}
        response.data = error_body("invalid", _("Invalid input."), fields)
    elif isinstance(exc, exceptions.ParseError):
        response.data = error_body("malformed_request", str(exc.detail))
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        message = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        response.data = error_body(str(code), str(message))
    if response.status_code >= status.HTTP_500_INTERNAL_SERVER_ERROR:  # pragma: no cover
        logger.error("api error %s", exc)
    return response
