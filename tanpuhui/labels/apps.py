from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabelsConfig(AppConfig):
    name = "tanpuhui.labels"
    label = "labels"
    verbose_name = _("Carbon labels")

    def ready(self):
        from celery.schedules import crontab
        from django.conf import settings

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "labels-certificates-expire",
            {"task": "labels.certificates_expire", "schedule": crontab(hour=1, minute=5)},
        )
