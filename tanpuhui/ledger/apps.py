from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "tanpuhui.ledger"
    label = "ledger"
    verbose_name = _("Carbon coins")

    def ready(self):
        from celery.schedules import crontab
        from django.conf import settings

        from tanpuhui.metering.signals import reductions_quantified

        reductions_quantified.connect(_on_reductions_quantified, dispatch_uid="ledger.convert_on_quantified")
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "ledger-expire-coins", {"task": "ledger.expire_coins", "schedule": crontab(hour=2, minute=10)}
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "ledger-check", {"task": "ledger.check", "schedule": crontab(hour=3, minute=30)}
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            # A safety net: anything quantified but not yet converted (e.g. a lost signal).
            "ledger-convert-sweep",
            {"task": "ledger.convert_reductions", "schedule": crontab(minute="*/15")},
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            # A run whose worker died between pricing and posting is posted by the next one.
            "ledger-finish-conversions",
            {"task": "ledger.finish_conversions", "schedule": crontab(minute="*/5")},
        )


def _on_reductions_quantified(sender, centre_ids=None, batch_id="", **kwargs):
    from tanpuhui.ledger.tasks import convert_reductions

    convert_reductions.delay(
        centre_ids=list(centre_ids) if centre_ids is not None else None, batch_id=str(batch_id or "")
    )
