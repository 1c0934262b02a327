from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "tanpuhui.registry"
    label = "registry"
    verbose_name = _("PHCER credit registry")

    def ready(self) -> None:
        from celery.schedules import crontab
        from django.conf import settings

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            # After the ledger's (03:30): a monitor sees both checks' results every morning.
            "registry-check",
            {"task": "registry.check", "schedule": crontab(hour=3, minute=50)},
        )
