"""The message centre: one row per event a resident should hear about.

A row keeps the facts of the event (coins, kg, counts per behaviour, the offer's or project's name),
never a rendered sentence: ``messages.describe`` words it in the reader's language when shown.
``(recipient, kind, cause_type, cause_id)`` is unique, so every producer may run twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    COINS_EARNED = "coins_earned", _("Coins earned")
    COINS_CORRECTED = "coins_corrected", _("Coins corrected")
    VOUCHER_ISSUED = "voucher_issued", _("Voucher issued")
    VOUCHER_USED = "voucher_used", _("Voucher used")
    VOUCHER_EXPIRING = "voucher_expiring", _("Voucher expiring soon")
    PLEDGE_SUCCEEDED = "pledge_succeeded", _("Crowdfunding succeeded")
    PLEDGE_REFUNDED = "pledge_refunded", _("Pledge refunded")


class Notification(models.Model):
    id = models.BigAutoField(primary_key=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # What produced it: "ledger.conversionrun" + run id, "marketplace.voucher" + voucher id, …
    cause_type = models.CharField(max_length=64)
    cause_id = models.CharField(max_length=64)
    coins = models.BigIntegerField(_("coins"), default=0)
    kg_co2e = models.DecimalField(_("kg CO₂e"), max_digits=14, decimal_places=4, null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True, help_text="behaviour → number of records")
    subject = models.CharField(max_length=200, blank=True, help_text="offer, provider or project name")
    target_id = models.CharField(max_length=64, blank=True, help_text="the voucher or project to open")
    matched_late = models.BooleanField(
        default=False, help_text="coins for records delivered earlier and matched only now (a late binding)"
    )
    due_at = models.DateTimeField(null=True, blank=True, help_text="a voucher's expiry")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "cause_type", "cause_id"], name="notification_once_per_cause"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.cause_type}:{self.cause_id})"

    @property
    def unread(self) -> bool:
        return self.read_at is None
