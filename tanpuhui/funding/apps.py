from django.apps import AppConfig
from django.conf import settings


class FundingConfig(AppConfig):
    name = "tanpuhui.funding"
    label = "funding"

    def ready(self):
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "funding-crowdfunding-settle",
            {"task": "funding.crowdfunding_settle_due", "schedule": 60.0},
        )
