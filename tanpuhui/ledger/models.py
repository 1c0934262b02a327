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

from tanpuhui.common.fields import coin_validators
from tanpuhui.common.models import AppendOnlyModel
from tanpuhui.metering.models import Behaviour


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
    HOLD = "hold", _("Reserved for a voucher")


class Account(models.Model):
    """A coin account. Owner is either a user (``user``: wallets, debt) or any row
    (``owner_type`` = ``app_label.model``, ``owner_id`` = its pk as text: merchants, projects, pools)."""

    id = models.BigAutoField(primary_key=True)
    # (no single-column indexes on centre and user: the unique (centre, …) and (user, kind) cover them)
    centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="coin_accounts", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coin_accounts",
        db_index=False,
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
    # (no single-column indexes: (debit, created_at) and (credit, created_at) cover them)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_out", db_index=False)
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_in", db_index=False)
    amount = models.PositiveBigIntegerField(_("amount"))
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    cause_type = models.CharField(max_length=64, blank=True, default="")
    cause_id = models.CharField(max_length=64, blank=True, default="")
    idempotency_key = models.CharField(max_length=200)
    leg = models.PositiveSmallIntegerField(default=0)
    request_hash = models.CharField(max_length=64)
    # reverses and actor are empty on most rows: indexed only where set (partial indexes below)
    reverses = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    memo = models.CharField(max_length=200, blank=True, default="")

    # set on a page of transfers by ``selectors.award_lines_attach`` (not a column)
    award_lines: list[CoinAward]

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit=models.F("credit")), name="ledger_transfer_two_accounts"
            ),
            models.UniqueConstraint(fields=["idempotency_key", "leg"], name="ledger_transfer_key_leg_unique"),
        ]
        indexes = [
            models.Index(fields=["debit", "created_at"]),
            models.Index(fields=["credit", "created_at"]),
            models.Index(fields=["cause_type", "cause_id"]),
            models.Index(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="ledger_transfer_reverses"
            ),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="ledger_transfer_actor"),
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


# --- conversion: reductions → coins -----------------------------------------------------------


class ConversionRule(models.Model):
    """A centre's conversion rule, versioned: the version in force for a reduction is the one with the
    latest ``effective_from`` on or before the reduction's ``period_end``. Rows are never edited once
    used; a change is a new version."""

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="conversion_rules")
    version = models.PositiveIntegerField()
    effective_from = models.DateField(_("effective from"))
    coins_per_kg = models.DecimalField(_("coins per kg CO₂e"), max_digits=10, decimal_places=4)
    expiry_months = models.PositiveSmallIntegerField(
        _("coins expire after (months)"), default=24, help_text=_("0 = coins never expire.")
    )
    notes = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["centre", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "version"], name="ledger_rule_version_unique"),
            models.UniqueConstraint(fields=["centre", "effective_from"], name="ledger_rule_effective_unique"),
            models.CheckConstraint(condition=Q(coins_per_kg__gte=0), name="ledger_rule_rate_non_negative"),
        ]
        verbose_name = _("conversion rule")
        verbose_name_plural = _("conversion rules")

    def __str__(self) -> str:
        return f"{self.centre_id} v{self.version} from {self.effective_from}: {self.coins_per_kg}/kg"


class CapPeriod(models.TextChoices):
    DAY = "day", _("per day")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class ConversionCap(models.Model):
    """At most ``max_coins`` per resident per period, for one behaviour or (blank) all behaviours."""

    rule = models.ForeignKey(ConversionRule, on_delete=models.CASCADE, related_name="caps")
    behaviour = models.CharField(max_length=32, blank=True, help_text=_("Blank: all behaviours together."))
    period = models.CharField(max_length=8, choices=CapPeriod.choices)
    max_coins = models.PositiveIntegerField(validators=coin_validators(min_value=0))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "behaviour", "period"], name="ledger_cap_unique")
        ]
        verbose_name = _("conversion cap")
        verbose_name_plural = _("conversion caps")

    def __str__(self) -> str:
        return f"{self.behaviour or '*'} {self.period} ≤ {self.max_coins}"


class CampaignMultiplier(models.Model):
    """Reductions of ``behaviour`` (blank: any) in ``centre`` whose period ends within
    [``starts_on``, ``ends_on``] earn ``factor`` × coins (1 < factor ≤ 10). Campaigns never overlap
    (the one policy, ``ledger.rules``): create through ``rules.campaign_multipliers_create``."""

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="coin_multipliers")
    name = models.CharField(max_length=100)
    behaviour = models.CharField(max_length=32, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    factor = models.DecimalField(max_digits=6, decimal_places=3)
    cause_type = models.CharField(max_length=64, blank=True, default="")
    cause_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["centre", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(factor__gt=1) & Q(factor__lte=10), name="ledger_multiplier_factor"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="ledger_multiplier_window"
            ),
        ]
        verbose_name = _("campaign multiplier")
        verbose_name_plural = _("campaign multipliers")

    def __str__(self) -> str:
        return f"{self.name} ×{self.factor}"


class ConversionRun(models.Model):
    """One conversion (every chunk of reductions one call claimed) — the cause of its coin transfers.

    Two phases: while *pricing*, each chunk claims, prices and records its awards in a transaction of
    its own, without touching a wallet; once *priced*, each resident's net is posted once, a group of
    residents per transaction, ``posted_through`` the last (resident, centre) posted; then *posted*.
    ``heartbeat_at`` is the lease: a run not posted whose heartbeat is older than
    the lease (``conversion.lease()``) is finished by ``conversions_finish`` (its owner died)."""

    class State(models.TextChoices):
        PRICING = "pricing", _("pricing")
        PRICED = "priced", _("priced, not yet posted")
        POSTED = "posted", _("posted")

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    batch_id = models.CharField(max_length=64, blank=True)
    reductions = models.PositiveIntegerField(default=0)
    coins_earned = models.BigIntegerField(default=0)
    coins_reversed = models.BigIntegerField(default=0)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PRICING, db_default="posted")
    posted_through = models.CharField(max_length=64, blank=True, default="", db_default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["heartbeat_at"], condition=~Q(state="posted"), name="ledger_run_unposted"),
        ]
        verbose_name = _("conversion run")
        verbose_name_plural = _("conversion runs")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.reductions} reductions)"


class CoinAward(AppendOnlyModel):
    """Why a reduction earned what it earned: one row per converted reduction (unique)."""

    id = models.BigAutoField(primary_key=True)
    # indexed with (resident, centre) below: the posting phase sums a run's awards per resident
    run = models.ForeignKey(ConversionRun, on_delete=models.PROTECT, related_name="awards", db_index=False)
    reduction = models.OneToOneField(
        "metering.Reduction", on_delete=models.PROTECT, related_name="coin_award"
    )
    # root, resident and centre copy the reduction's (its root: the original a chain of adjustments
    # corrects), so they carry no database constraint of their own — the reduction's constraint is the
    # backstop and ``ledger_check`` verifies every copy (``award_copy_mismatch``). Django still protects
    # them on delete; their lookups use the (resident, period_end) and (root) indexes.
    root = models.ForeignKey(
        "metering.Reduction", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coin_awards",
        db_constraint=False,
        db_index=False,
    )
    centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    behaviour = models.CharField(max_length=32, choices=Behaviour.choices)
    period_end = models.DateField()
    kg_co2e = models.DecimalField(max_digits=14, decimal_places=4)
    rule = models.ForeignKey(
        ConversionRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    multiplier = models.ForeignKey(  # most awards have none: indexed only where set
        CampaignMultiplier, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    factor = models.DecimalField(max_digits=6, decimal_places=3, default=1)
    milli_computed = models.BigIntegerField(help_text=_("milli-coins before caps"))
    milli_awarded = models.BigIntegerField(help_text=_("milli-coins after caps (negative: clawback)"))
    capped_by = models.CharField(max_length=48, blank=True)
    # No link to the transfer: an award is written before its run posts, and the transfer is found by
    # its key, conv:<run>:<resident>:<centre> (``selectors.award_lines``) — one posting per resident
    # per run, however many chunks priced their reductions.

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["run", "resident", "centre"], name="ledger_award_run_resident"),
            models.Index(fields=["resident", "period_end"]),
            models.Index(fields=["root"]),
            models.Index(
                fields=["multiplier"], condition=Q(multiplier__isnull=False), name="ledger_award_multiplier"
            ),
        ]
        verbose_name = _("coin award")
        verbose_name_plural = _("coin awards")

    def __str__(self) -> str:
        return f"reduction {self.reduction_id}: {self.milli_awarded / 1000:.3f} coins"


class LedgerCheck(models.Model):
    """The result of one reconciliation (``manage.py ledger_check``)."""

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    ok = models.BooleanField()
    accounts_checked = models.PositiveIntegerField(default=0)
    total_balance = models.BigIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ran_at"]
        verbose_name = _("ledger check")
        verbose_name_plural = _("ledger checks")

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'DIFFERENCES'}"
