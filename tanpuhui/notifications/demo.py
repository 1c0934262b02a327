"""Demo messages (``manage.py demo_load``, after every producer's demo): the producers' hooks have
already written most of them while their demos ran; this fills in what a hook could not have seen
(conversion runs from before the message centre existed, vouchers expiring within three days).
Idempotent: every message is unique per cause."""

from __future__ import annotations

from tanpuhui.ledger.models import ConversionRun
from tanpuhui.notifications import services
from tanpuhui.notifications.models import Notification


def load() -> str:
    notified = set(
        Notification.objects.filter(cause_type=services.RUN_CAUSE)
        .values_list("cause_id", flat=True)
        .distinct()
    )
    runs = [pk for pk in ConversionRun.objects.values_list("pk", flat=True) if str(pk) not in notified]
    backfilled = sum(services.coins_notify_run(run_id=run_id) for run_id in runs)
    expiring = services.vouchers_notify_expiring()
    return (
        f"{Notification.objects.count()} messages "
        f"({backfilled} coin messages backfilled, {expiring} vouchers expiring soon)"
    )
