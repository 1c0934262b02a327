from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "tanpuhui.funding"
    label = "funding"
    verbose_name = _("Funding and giving")

    def ready(self):
        from tanpuhui.funding.receivers import FUNDER, on_ledger_check, on_voucher_verified
        from tanpuhui.ledger.check import extra_checks
        from tanpuhui.marketplace import pools
        from tanpuhui.marketplace.services import voucher_verified

        voucher_verified.connect(on_voucher_verified, dispatch_uid="funding-voucher-verified")
        extra_checks.connect(on_ledger_check, dispatch_uid="funding-pool-checks")
        pools.register(FUNDER)
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "funding-crowdfunding-settle",
            {"task": "funding.crowdfunding_settle_due", "schedule": 60.0},
        )
