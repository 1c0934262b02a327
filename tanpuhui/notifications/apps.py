from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The message centre sits above every context that produces events for residents and listens
    to the hooks they offer: it imports them, they never import it (docs/contributing.md, "Layers")."""

    name = "tanpuhui.notifications"
    label = "notifications"
    verbose_name = _("Messages")

    def ready(self):
        from celery.schedules import crontab
        from django.conf import settings
        from django.db.models.signals import post_save

        from tanpuhui.funding.models import CrowdfundingProject
        from tanpuhui.ledger.signals import coins_converted
        from tanpuhui.marketplace.models import Voucher
        from tanpuhui.marketplace.services import voucher_verified
        from tanpuhui.notifications import receivers

        coins_converted.connect(receivers.on_coins_converted, dispatch_uid="notifications-coins")
        voucher_verified.connect(receivers.on_voucher_verified, dispatch_uid="notifications-voucher-used")
        post_save.connect(receivers.on_voucher_saved, sender=Voucher, dispatch_uid="notifications-voucher")
        post_save.connect(
            receivers.on_project_saved, sender=CrowdfundingProject, dispatch_uid="notifications-pledges"
        )
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "notifications-vouchers-expiring",
            {"task": "notifications.vouchers_expiring", "schedule": crontab(minute=20)},
        )
