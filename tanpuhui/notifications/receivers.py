"""The hooks the producers offer, connected in ``apps.NotificationsConfig.ready()``. Each receiver is
thin: it calls one builder in ``services``. A failing builder never undoes the producer's work: it
runs in a savepoint and is logged (the hourly sweep and the builders' idempotency repair gaps)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, transaction

from tanpuhui.notifications import services

logger = logging.getLogger(__name__)


def _safely(build: Callable[[], Any], what: str) -> None:
    try:
        with transaction.atomic():
            build()
    except DatabaseError:
        logger.exception("notifications for %s could not be written", what)


def on_coins_converted(sender, run_id: int, **kwargs) -> None:
    _safely(lambda: services.coins_notify_run(run_id=run_id), f"conversion run {run_id}")


def on_voucher_saved(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        _safely(lambda: services.voucher_notify_issued(voucher=instance), f"voucher {instance.pk}")


def on_voucher_verified(sender, voucher, **kwargs) -> None:
    _safely(lambda: services.voucher_notify_used(voucher=voucher), f"voucher {voucher.pk}")


def on_project_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw and instance.settled_at is not None:
        _safely(lambda: services.pledges_notify_outcome(project=instance), f"project {instance.pk}")
