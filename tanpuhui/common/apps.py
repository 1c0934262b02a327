from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "tanpuhui.common"
    label = "common"
    verbose_name = _("Audit log")

    def ready(self):
        from tanpuhui.common import (
            checks,  # noqa: F401 — registers the deploy checks
            health,  # noqa: F401 — registers the queue-depth gauge
        )
