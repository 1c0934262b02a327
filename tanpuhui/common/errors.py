"""Business errors raised by services; the API maps each to one JSON error shape.

Services never return error codes or raise HTTP exceptions: they raise these, and
``common.exceptions.api_exception_handler`` renders ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    status_code = 400
    default_code = "invalid"


class NotFound(ServiceError):
    status_code = 404
    default_code = "not_found"


class Forbidden(ServiceError):
    status_code = 403
    default_code = "forbidden"


class Conflict(ServiceError):
    status_code = 409
    default_code = "conflict"


class Unprocessable(ServiceError):
    status_code = 422
    default_code = "unprocessable"


class TooManyRequests(ServiceError):
    status_code = 429
    default_code = "too_many_requests"
