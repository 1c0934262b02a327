from django.apps import AppConfig
from django.conf import settings


class FundingConfig(AppConfig):
    name = "tanpuhui.funding"
    label = "funding"

    def ready(self):
        from tanpuhui.funding.receivers import on_voucher_verified
        from tanpuhui.marketplace.services import voucher_verified

        voucher_verified.connect(on_voucher_verified, dispatch_uid="funding-voucher-verified")
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "funding-crowdfunding-settle",
            {"task": "funding.crowdfunding_settle_due", "schedule": 60.0},
        )
