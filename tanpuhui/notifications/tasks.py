from celery import shared_task

from tanpuhui.notifications.services import vouchers_notify_expiring


@shared_task(name="notifications.vouchers_expiring")
def vouchers_expiring() -> int:
    return vouchers_notify_expiring()
