from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "tanpuhui.marketplace"
    label = "marketplace"
    verbose_name = _("Marketplace")

    def ready(self):
        from django.conf import settings

        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "marketplace-expire-vouchers",
            {"task": "tanpuhui.marketplace.tasks.expire_vouchers", "schedule": 15 * 60},
        )
