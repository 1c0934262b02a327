from celery import shared_task

from tanpuhui.labels import services


@shared_task(name="labels.certificates_expire")
def certificates_expire() -> int:
    """Nightly: certificates past their validity become expired."""
    return services.certificates_expire()
