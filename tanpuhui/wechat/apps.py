from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WechatConfig(AppConfig):
    """The WeChat channel sits above notifications (it forwards their events) and below the console."""

    name = "tanpuhui.wechat"
    label = "wechat"
    verbose_name = _("WeChat")

    def ready(self):
        from celery.schedules import crontab
        from django.conf import settings

        from tanpuhui.notifications.signals import notifications_written
        from tanpuhui.wechat import receivers

        notifications_written.connect(receivers.on_notifications_written, dispatch_uid="wechat-forward")
        settings.CELERY_BEAT_SCHEDULE.setdefault(
            "wechat-inbound-prune", {"task": "wechat.inbound_prune", "schedule": crontab(minute=35, hour=4)}
        )
