"""Funding pools: where the money (yuan) and donated coins behind rewards come from.

CONTRACT: the marketplace points offers at ``FundingPool`` (who reimburses the merchant); the
funding context owns everything else about pools (budgets, appropriations, ledger accounts).

A pool's coins have one truth, the ledger: its spendable coins are the balance of its ledger account
(kind POOL, owner the pool) and the coins it reserved for issued vouchers the balance of its hold
account (kind ESCROW, code ``vouchers``); its coin inflows and outflows are the transfers into and
out of those two accounts (``selectors.pool_coins``). The ledger's floor (balance ≥ 0) is what keeps
a pool from being overdrawn, whoever spends from it (vouchers, staff rewards). The pool row keeps
only its yuan figures: ``yuan_spent <= budget_yuan`` is a CheckConstraint, changed with one
conditional UPDATE. Every yuan change and every donation or voucher payment is also an append-only
``PoolMovement`` (the report's rows). ``ledger_check`` verifies that all of these agree.

Crowdfunding, public-welfare causes and campaigns live here too: they are the other ways the
centre raises and spends coins for low-carbon ends.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.fields import coin_validators
from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel, UUIDModel


class FundingPool(TimeStampedModel):
    class Source(models.TextChoices):
        GOVERNMENT_SUBSIDY = "government_subsidy", _("Government subsidy")
        COMMERCIAL = "commercial", _("Commercial incentive")
        ENTERPRISE_DONATION = "enterprise_donation", _("Enterprise donation")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="funding_pools")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    budget_yuan = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2, default=0)
    sponsor = models.CharField(_("sponsor"), max_length=200, blank=True)
    yuan_spent = models.DecimalField(_("spent (yuan)"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["centre", "name_zh"]
        verbose_name = _("funding pool")
        verbose_name_plural = _("funding pools")
        constraints = [
            models.CheckConstraint(
                condition=Q(yuan_spent__gte=0) & Q(yuan_spent__lte=F("budget_yuan")),
                name="pool_yuan_not_overdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre.code} {self.name_zh}"

    @property
    def holds_coins(self) -> bool:
        return self.source == self.Source.ENTERPRISE_DONATION

    @property
    def yuan_remaining(self):
        return self.budget_yuan - self.yuan_spent


class PoolMovement(AppendOnlyModel):
    """One inflow or outflow of a pool, in yuan or coins (never both non-zero by convention)."""

    class Kind(models.TextChoices):
        APPROPRIATION = "appropriation", _("Appropriation")
        SPONSORSHIP = "sponsorship", _("Sponsor top-up")
        ENTERPRISE_DONATION = "enterprise_donation", _("Enterprise donation")
        VOUCHER = "voucher", _("Voucher verified")
        CAMPAIGN = "campaign", _("Campaign bonus")

    pool = models.ForeignKey(FundingPool, on_delete=models.PROTECT, related_name="movements")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    yuan = models.DecimalField(max_digits=14, decimal_places=2, default=0, help_text="+ in, − out")
    coins = models.BigIntegerField(default=0, help_text="+ in, − out")
    reference = models.CharField(max_length=100)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "kind", "reference"], name="pool_movement_once_per_reference"
            )
        ]
        verbose_name = _("pool movement")
        verbose_name_plural = _("pool movements")


class Campaign(UUIDModel):
    class Kind(models.TextChoices):
        MULTIPLIER = "multiplier", _("Coin multiplier")
        SPECIAL_OFFER = "special_offer", _("Special offer")
        FLASH_REDEMPTION = "flash_redemption", _("Flash redemption")
        EVENT = "event", _("Event (e.g. Low Carbon Day)")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="campaigns")
    pool = models.ForeignKey(FundingPool, on_delete=models.PROTECT, related_name="campaigns")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    behaviours = models.JSONField(default=list, blank=True)
    multiplier = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    preview_coins = models.BigIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="campaign_period_ordered"),
            models.CheckConstraint(
                condition=Q(multiplier__gte=1) & Q(multiplier__lte=10), name="campaign_multiplier_range"
            ),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class CrowdfundingProject(UUIDModel):
    class Kind(models.TextChoices):
        ROOFTOP_PV = "rooftop_pv", _("Community rooftop PV")
        ALLOTMENT = "allotment", _("Community allotment")
        EV_CHARGER = "ev_charger", _("Solar EV charger")
        OTHER = "other", _("Other low-carbon project")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUCCEEDED = "succeeded", _("Funded")
        FAILED = "failed", _("Not funded — refunded")

    centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="crowdfunding_projects"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(blank=True)
    target_coins = models.BigIntegerField(_("target (coins)"), validators=coin_validators())
    deadline = models.DateTimeField(_("deadline"))
    pledged_coins = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["deadline"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_coins__gt=0) & Q(pledged_coins__gte=0), name="crowdfunding_amounts"
            )
        ]
        verbose_name = _("crowdfunding project")
        verbose_name_plural = _("crowdfunding projects")

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return min(100, int(self.pledged_coins * 100 / self.target_coins)) if self.target_coins else 0


class Pledge(TimeStampedModel):
    class Status(models.TextChoices):
        HELD = "held", _("Held in escrow")
        RELEASED = "released", _("Released to the project")
        REFUNDED = "refunded", _("Refunded")

    project = models.ForeignKey(CrowdfundingProject, on_delete=models.PROTECT, related_name="pledges")
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges")
    coins = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD)
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(coins__gt=0), name="pledge_positive")]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")


class Cause(UUIDModel):
    class Kind(models.TextChoices):
        TREE_PLANTING = "tree_planting", _("Tree planting")
        MANGROVE = "mangrove", _("Mangrove protection")
        OTHER = "other", _("Other public-welfare cause")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="causes")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(blank=True)
    donated_coins = models.BigIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("public-welfare cause")
        verbose_name_plural = _("public-welfare causes")

    def __str__(self) -> str:
        return self.title


class CauseDonation(TimeStampedModel):
    cause = models.ForeignKey(Cause, on_delete=models.PROTECT, related_name="donations")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cause_donations"
    )
    coins = models.BigIntegerField()
    idempotency_key = models.CharField(max_length=100, unique=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(coins__gt=0), name="cause_donation_positive")]
        verbose_name = _("cause donation")
        verbose_name_plural = _("cause donations")


class CauseUpdate(TimeStampedModel):
    """What the coins achieved: 'planted 1,200 seedlings on 3 ha at …'."""

    cause = models.ForeignKey(Cause, on_delete=models.CASCADE, related_name="updates")
    title = models.CharField(max_length=200)
    body = models.TextField()
    coins_spent = models.BigIntegerField(default=0, validators=coin_validators(min_value=0))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cause update")
        verbose_name_plural = _("cause updates")
