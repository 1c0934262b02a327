from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PilotsConfig(AppConfig):
    name = "tanpuhui.pilots"
    label = "pilots"
    verbose_name = _("Low-carbon pilots")

    def ready(self):
        from django.conf import settings

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "pilots-screen-refresh",
            {"task": "tanpuhui.pilots.tasks.screen_refresh", "schedule": 300.0},
        )
