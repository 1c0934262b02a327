"""``Idempotency-Key`` for API views that move coins.

Usage (on an ``APIView`` method)::

    class RedeemApi(APIView):
        @idempotent("voucher_redeem")
        def post(self, request):
            ...
            services.voucher_redeem(..., idempotency_key=request.idempotency_key)

- The header is required: 400 ``idempotency_key_required`` without it (1–200 characters).
- The record is (user, scope, key) with a hash of method + path + parsed body.
- Same key, same request, first one finished → the stored status and body, with the header
  ``Idempotent-Replayed: true`` (the view is not called again).
- Same key, different request → 422 ``idempotency_key_reused``.
- Same key while the first request is still running → 409 ``request_in_progress``.
- Errors (4xx ServiceErrors included) are not stored: the record is released so the client may
  retry with the same key. The view gets ``request.idempotency_key`` — a key derived from
  (scope, user, key) — to pass to ledger services, so even a retry after a crash between the
  effect and the stored response has no second effect.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from tanpuhui.common.errors import Conflict, ValidationFailed
from tanpuhui.ledger.errors import IdempotencyMismatch
from tanpuhui.ledger.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
# An in-progress record older than this is taken to belong to a crashed request and may be retried.
STALE_AFTER = timedelta(minutes=5)


def _body(request) -> object:
    data = request.data
    if hasattr(data, "lists"):  # QueryDict
        return {k: v for k, v in data.lists()}
    return data


def request_hash(request) -> str:
    payload = json.dumps(
        [request.method, request.path, _body(request)], sort_keys=True, default=str, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def service_key(scope: str, user, key: str) -> str:
    return f"api:{scope}:{user.pk}:{key}"


def idempotent(scope: str):
    def decorator(method):
        @wraps(method)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(HEADER, "").strip()
            if not key or len(key) > 200:
                raise ValidationFailed(
                    _("This request needs an Idempotency-Key header (1–200 characters)."),
                    code="idempotency_key_required",
                    fields={HEADER: [_("Required.")]},
                )
            user = request.user
            digest = request_hash(request)
            record = _claim(user=user, scope=scope, key=key, digest=digest)
            if record.state == IdempotencyRecord.State.DONE:
                response = Response(record.response_body, status=record.response_status)
                response[REPLAY_HEADER] = "true"
                return response
            request.idempotency_key = service_key(scope, user, key)
            try:
                response = method(view, request, *args, **kwargs)
            except BaseException:
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
                raise
            if response.status_code >= 400 or not isinstance(response, Response):
                IdempotencyRecord.objects.filter(pk=record.pk).delete()
                return response
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                state=IdempotencyRecord.State.DONE,
                response_status=response.status_code,
                response_body=json.loads(json.dumps(response.data, default=str)),
                completed_at=timezone.now(),
            )
            return response

        return wrapper

    return decorator


def _claim(*, user, scope: str, key: str, digest: str) -> IdempotencyRecord:
    """Create the in-progress record, or return the finished one; raise on mismatch/in-flight."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(user=user, scope=scope, key=key, request_hash=digest)
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
        if record is None:  # released in between: try again
            continue
        if record.request_hash != digest:
            raise IdempotencyMismatch(
                _("This Idempotency-Key was already used for a different request."),
                fields={HEADER: [key]},
            )
        if record.state == IdempotencyRecord.State.DONE:
            return record
        if record.created_at < timezone.now() - STALE_AFTER:
            # Taking over a crashed request: the ledger key it used is the same, so no second effect.
            IdempotencyRecord.objects.filter(pk=record.pk, state=record.state).delete()
            continue
        raise Conflict(
            _("A request with this Idempotency-Key is still in progress."), code="request_in_progress"
        )
    raise Conflict(_("A request with this Idempotency-Key is still in progress."), code="request_in_progress")
