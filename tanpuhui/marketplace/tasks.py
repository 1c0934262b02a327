from celery import shared_task

from tanpuhui.marketplace import services


@shared_task
def expire_vouchers() -> int:
    """Expire unused vouchers past their date; coins returned or forfeited by each offer's policy."""
    return services.vouchers_expire()
