"""A centre's WeChat service account, the residents linked to it, the inbound messages seen (for
deduplicating WeChat's retries) and the log of template messages sent."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel
from tanpuhui.wechat import secrets_box


class OfficialAccount(TimeStampedModel):
    """One service account (服务号) per centre, and optionally its mini-program. Secrets are stored
    sealed (``secrets_box``) or read from ``WECHAT_<CENTRE>_SECRET`` / ``_TOKEN`` / ``_AES_KEY`` /
    ``_MINI_SECRET`` in the environment, which win over the stored value."""

    class Mode(models.TextChoices):
        PLAIN = "plain", _("Plain text (明文模式)")
        SAFE = "safe", _("Safe mode, encrypted (安全模式)")

    centre = models.OneToOneField(
        "tenancy.Centre", verbose_name=_("operation centre"), on_delete=models.PROTECT, related_name="wechat"
    )
    name = models.CharField(_("account name"), max_length=100)
    app_id = models.CharField(_("AppID"), max_length=32, unique=True)
    secret_sealed = models.TextField(blank=True, editable=False)
    token_sealed = models.TextField(blank=True, editable=False)
    aes_key_sealed = models.TextField(blank=True, editable=False)
    mode = models.CharField(_("message mode"), max_length=8, choices=Mode.choices, default=Mode.SAFE)
    mini_app_id = models.CharField(_("mini-program AppID"), max_length=32, blank=True)
    mini_secret_sealed = models.TextField(blank=True, editable=False)
    # notification kind → template id (模板消息 / 订阅消息), set by the centre in the WeChat back office
    templates = models.JSONField(_("template ids"), default=dict, blank=True)
    welcome = models.TextField(_("welcome message"), blank=True)
    enabled = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["centre__code"]
        verbose_name = _("WeChat service account")
        verbose_name_plural = _("WeChat service accounts")

    def __str__(self) -> str:
        return f"{self.name} ({self.app_id})"

    def _secret(self, field: str, env: str) -> str:
        return os.environ.get(f"WECHAT_{self.centre.code}_{env}", "") or secrets_box.unseal(
            getattr(self, field)
        )

    @property
    def secret(self) -> str:
        return self._secret("secret_sealed", "SECRET")

    @property
    def token(self) -> str:
        return self._secret("token_sealed", "TOKEN")

    @property
    def aes_key(self) -> str:
        return self._secret("aes_key_sealed", "AES_KEY")

    @property
    def mini_secret(self) -> str:
        return self._secret("mini_secret_sealed", "MINI_SECRET")

    def has(self, name: str) -> bool:
        """Whether a secret is set (the page says "set" or "not set", never the value)."""
        return bool(getattr(self, name))


class Link(TimeStampedModel):
    """A resident's WeChat identity at one centre's account: the openid (per app), the unionid where
    WeChat gives one, and whether the resident agreed to be sent messages."""

    class Channel(models.TextChoices):
        OFFICIAL = "official", _("Service account")
        MINI = "mini", _("Mini-program")

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="links")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.OFFICIAL)
    openid = models.CharField(max_length=64)
    unionid = models.CharField(max_length=64, blank=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_links"
    )
    consent = models.BooleanField(_("messages on WeChat"), default=True)
    followed = models.BooleanField(default=True, help_text="follows the account (unsubscribe clears it)")
    nickname = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "channel", "openid"], name="wechat_openid_once"),
            models.UniqueConstraint(fields=["account", "channel", "resident"], name="wechat_resident_once"),
        ]
        verbose_name = _("WeChat link")
        verbose_name_plural = _("WeChat links")

    def __str__(self) -> str:
        return f"{self.openid} → {self.resident_id}"


class Inbound(models.Model):
    """One message or event WeChat delivered. ``key`` is the MsgId, or FromUserName + CreateTime +
    Event for events; unique per account, so a retry of the same message is answered once."""

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    from_user = models.CharField(max_length=64)
    msg_type = models.CharField(max_length=16)
    event = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="wechat_inbound_once")]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.event} from {self.from_user}"


class Send(AppendOnlyModel):
    """The record of every attempt to send a template message: append-only. At most one ``sent``
    row per notification and link (a partial unique index)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Failed")
        DEFERRED = "deferred", _("Held back by the rate limit")

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(OfficialAccount, on_delete=models.PROTECT, related_name="+")
    # Plain references (no database constraint): the log outlives an unlinked WeChat or a deleted message.
    link = models.ForeignKey(Link, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    openid = models.CharField(max_length=64)
    kind = models.CharField(max_length=24)
    attempt = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=8, choices=Status.choices)
    errcode = models.IntegerField(default=0)
    msgid = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "link"], condition=Q(status="sent"), name="wechat_sent_once"
            )
        ]
