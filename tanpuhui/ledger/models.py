"""Carbon-coin ledger: accounts with cached integer balances and append-only transfers.

CONTRACT (marketplace, enterprises and funding rely on it; extend, don't break):
- Coins are integers. ``Transfer`` is one immutable row: coins leave ``debit`` and arrive at
  ``credit``; ``amount`` > 0. A multi-party movement is several transfers (legs) posted in one
  transaction under one idempotency key.
- ``Account.balance`` is a cache of Σ credits − Σ debits, changed only by ``ledger.services`` with
  ``F()`` in the transaction that inserts the transfers; a database check keeps it ≥ 0 unless the
  account ``allow_negative`` (centre issuance accounts, residents' debt accounts).
- Σ of all balances is 0 by construction: coins are issued by taking the issuance account below 0.
- Nothing is updated or deleted: corrections are new transfers (``reverses`` → the corrected one).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.models import AppendOnlyModel


class AccountKind(models.TextChoices):
    WALLET = "wallet", _("Resident wallet")
    ISSUANCE = "issuance", _("Centre issuance")
    POOL = "pool", _("Funding pool")
    MERCHANT = "merchant", _("Merchant settlement")
    ESCROW = "escrow", _("Escrow")
    DONATION = "donation", _("Donations")
    BREAKAGE = "breakage", _("Expired coins (breakage)")
    DEBT = "debt", _("Resident coin debt")


# Kinds whose balance may go below zero. Issuance: coins come into being by taking it negative.
# Debt: a resident's outstanding clawback (see docs/ledger.md, "Reversal policy").
NEGATIVE_KINDS = frozenset({AccountKind.ISSUANCE, AccountKind.DEBT})


class TransferKind(models.TextChoices):
    EARN = "earn", _("Earned")
    SPEND = "spend", _("Spent")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal")
    RECOVERY = "recovery", _("Debt recovery")
    EXPIRY = "expiry", _("Expired")
    DONATION = "donation", _("Donation")
    PLEDGE = "pledge", _("Pledge")
    RELEASE = "release", _("Release")
    ISSUE_TO_POOL = "issue_to_pool", _("Issued to pool")
    REWARD = "reward", _("Reward")
    SETTLEMENT = "settlement", _("Settlement")


class Account(models.Model):
    """A coin account. Owner is either a user (``user``: wallets, debt) or any row
    (``owner_type`` = ``app_label.model``, ``owner_id`` = its pk as text: merchants, projects, pools)."""

    id = models.BigAutoField(primary_key=True)
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="coin_accounts")
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coin_accounts",
    )
    owner_type = models.CharField(max_length=64, blank=True, default="")
    owner_id = models.CharField(max_length=64, blank=True, default="")
    code = models.CharField(max_length=64, blank=True, default="")
    balance = models.BigIntegerField(_("balance"), default=0)
    allow_negative = models.BooleanField(default=False)
    # Wallets only: the fraction of a coin (in milli-coins, 0..999) carried to the next conversion.
    fraction_milli = models.IntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(allow_negative=True), name="ledger_account_balance_floor"
            ),
            models.CheckConstraint(
                condition=Q(fraction_milli__gte=0) & Q(fraction_milli__lt=1000),
                name="ledger_account_fraction_range",
            ),
            models.UniqueConstraint(
                fields=["centre", "kind", "owner_type", "owner_id", "code"], name="ledger_account_unique"
            ),
        ]
        indexes = [models.Index(fields=["user", "kind"])]
        verbose_name = _("coin account")
        verbose_name_plural = _("coin accounts")

    def __str__(self) -> str:
        owner = f" {self.owner_type}:{self.owner_id}" if self.owner_type else ""
        code = f" {self.code}" if self.code else ""
        return f"#{self.pk} {self.kind}{owner}{code}"


class Transfer(AppendOnlyModel):
    id = models.BigAutoField(primary_key=True)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_out")
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_in")
    amount = models.PositiveBigIntegerField(_("amount"))
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    cause_type = models.CharField(max_length=64, blank=True, default="")
    cause_id = models.CharField(max_length=64, blank=True, default="")
    idempotency_key = models.CharField(max_length=200)
    leg = models.PositiveSmallIntegerField(default=0)
    request_hash = models.CharField(max_length=64)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(debit=models.F("credit")), name="ledger_transfer_two_accounts"),
            models.UniqueConstraint(fields=["idempotency_key", "leg"], name="ledger_transfer_key_leg_unique"),
        ]
        indexes = [
            models.Index(fields=["debit", "created_at"]),
            models.Index(fields=["credit", "created_at"]),
            models.Index(fields=["cause_type", "cause_id"]),
        ]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.amount}: {self.debit_id} → {self.credit_id}"


class IdempotencyRecord(models.Model):
    """One API request made with an ``Idempotency-Key``: its hash and, once done, its response."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="ledger_idempotency_unique")
        ]
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.state})"
