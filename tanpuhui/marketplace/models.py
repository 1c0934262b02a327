"""Merchants, their outlets and staff, offers, vouchers, verification attempts and on-site events.

Coins never live here: a redemption moves coins through ``ledger.services`` in the same transaction
that reserves stock and writes the voucher. Yuan owed to merchants is derived from verified vouchers
(``selectors.settlement_lines``); the funding context aggregates the same rows per pool.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel, UUIDModel
from tanpuhui.marketplace.codes import validate_uscc

MAX_STOCK = 1_000_000
MAX_PRICE_COINS = 10_000_000


class Merchant(UUIDModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="merchants")
    name = models.CharField(_("business name"), max_length=100)
    licence_number = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_uscc]
    )
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(_("review note"), max_length=500, blank=True)

    class Meta:
        ordering = ["centre", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "licence_number"],
                condition=~Q(status="rejected"),
                name="merchant_licence_once_per_centre",
            )
        ]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")

    def __str__(self) -> str:
        return self.name


class Outlet(TimeStampedModel):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="outlets")
    name = models.CharField(_("outlet name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)

    class Meta:
        ordering = ["merchant", "name"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self) -> str:
        return f"{self.merchant.name} · {self.name}"


class MerchantStaff(TimeStampedModel):
    """Links a user (role ``merchant_staff``) to one merchant and, for cashiers, one outlet."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        CASHIER = "cashier", _("Cashier")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="merchant_staff"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="staff")
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="staff")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CASHIER)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("merchant staff member")
        verbose_name_plural = _("merchant staff")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.merchant}"


class Category(models.TextChoices):
    GROCERIES = "groceries", _("Rice and groceries")
    MOVIES = "movies", _("Movie tickets")
    LOW_CARBON = "low_carbon", _("LED bulbs and low-carbon products")
    DISCOUNTS = "discounts", _("Merchant discounts")
    TRANSIT = "transit", _("Transit")
    PUBLIC_SERVICES = "public_services", _("Public services")


class Event(UUIDModel):
    """An on-site redemption event (Low Carbon Day): booth staff redeem for residents present."""

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="marketplace_events")
    name = models.CharField(_("name"), max_length=100)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start")
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return self.name

    def is_on(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at


class Offer(UUIDModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class ExpiryPolicy(models.TextChoices):
        REFUND = "refund", _("Coins returned to the resident")
        FORFEIT = "forfeit", _("Coins forfeited")

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="offers")
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="offers")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="offers")
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    image = models.ImageField(_("image"), upload_to="offers/", blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, db_index=True)
    price_coins = models.PositiveIntegerField(
        _("price (coins)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PRICE_COINS)]
    )
    stock = models.PositiveIntegerField(_("total stock"), validators=[MaxValueValidator(MAX_STOCK)])
    redeemed = models.PositiveIntegerField(_("redeemed"), default=0, editable=False)
    per_resident_limit = models.PositiveSmallIntegerField(
        _("limit per resident"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    valid_from = models.DateTimeField(_("on sale from"))
    valid_until = models.DateTimeField(_("on sale until"))
    flash_starts_at = models.DateTimeField(_("flash sale starts"), null=True, blank=True)
    voucher_valid_days = models.PositiveSmallIntegerField(
        _("voucher valid for (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    terms = models.TextField(_("terms"), blank=True)
    funding_pool = models.ForeignKey(
        "funding.FundingPool",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offers",
        help_text=_("Who reimburses the merchant; empty means the merchant funds the offer itself."),
    )
    yuan_value = models.DecimalField(
        _("yuan value per voucher"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100_000)],
    )
    expiry_policy = models.CharField(
        _("unused vouchers"), max_length=10, choices=ExpiryPolicy.choices, default=ExpiryPolicy.REFUND
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(_("review note"), max_length=500, blank=True)

    class Meta:
        ordering = ["valid_until", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(price_coins__gt=0), name="offer_price_positive"),
            models.CheckConstraint(condition=Q(redeemed__lte=F("stock")), name="offer_never_oversold"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="offer_window_ordered"),
            models.CheckConstraint(condition=Q(per_resident_limit__gte=1), name="offer_limit_positive"),
        ]
        indexes = [models.Index(fields=["centre", "status", "valid_until"])]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self) -> str:
        return self.title

    @property
    def stock_left(self) -> int:
        return max(self.stock - self.redeemed, 0)

    @property
    def sale_starts_at(self):
        return max(self.valid_from, self.flash_starts_at) if self.flash_starts_at else self.valid_from

    @property
    def funded_by_merchant(self) -> bool:
        return self.funding_pool_id is None


class Voucher(UUIDModel):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Ready to use")
        VERIFIED = "verified", _("Used")
        EXPIRED = "expired", _("Expired")

    code = models.CharField(max_length=12, unique=True)
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="vouchers")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="vouchers")
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="vouchers")
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vouchers")
    # n-th voucher of this resident for this offer: the unique constraint backs the per-resident limit.
    ordinal = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ISSUED, db_index=True)
    price_coins = models.PositiveIntegerField()
    yuan_value = models.DecimalField(max_digits=10, decimal_places=2)
    funding_pool = models.ForeignKey(
        "funding.FundingPool", null=True, blank=True, on_delete=models.PROTECT, related_name="vouchers"
    )
    expires_at = models.DateTimeField(db_index=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="vouchers"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Booth staff who redeemed on the resident's behalf"),
    )
    # The client's Idempotency-Key (scoped per user by the API): a retry finds this voucher again.
    request_key = models.CharField(max_length=220, null=True, blank=True, unique=True)
    redeem_transfer_id = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True, db_index=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_outlet = models.ForeignKey(
        Outlet, null=True, blank=True, on_delete=models.SET_NULL, related_name="verified_vouchers"
    )
    expired_at = models.DateTimeField(null=True, blank=True)
    expiry_transfer_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "resident", "ordinal"], name="voucher_ordinal_per_resident"
            ),
            models.CheckConstraint(
                condition=Q(status="verified", verified_at__isnull=False) | ~Q(status="verified"),
                name="voucher_verified_has_time",
            ),
        ]
        indexes = [models.Index(fields=["merchant", "status", "verified_at"])]
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:8]}-{self.code[8:]}"


class VerificationAttempt(AppendOnlyModel):
    """Every code typed or scanned at a counter, whatever the outcome (the throttle counts failures)."""

    class Outcome(models.TextChoices):
        VERIFIED = "verified", pgettext_lazy("voucher", "Verified")
        MALFORMED = "malformed", _("Malformed code")
        UNKNOWN = "unknown", _("Unknown code")
        ALREADY_USED = "already_used", _("Already used")
        EXPIRED = "expired", _("Expired")
        THROTTLED = "throttled", _("Throttled")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="verification_attempts")
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    code_entered = models.CharField(max_length=40)
    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["staff", "outcome", "at"])]
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome} {self.code_entered}"


class PersonalCode(models.Model):
    """A resident's short personal code for one rotation window (``codes.personal_window``).

    Issued when the resident's page shows it; looked up by code within the current and the grace window;
    rows older than the grace are deleted when the next code is issued.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    window = models.BigIntegerField(db_index=True)
    code = models.CharField(max_length=9, unique=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "window"], name="personal_code_one_per_window")
        ]
        verbose_name = _("personal code")
        verbose_name_plural = _("personal codes")

    def __str__(self) -> str:
        return f"{self.window} {self.user_id}"


class PersonalCodeAttempt(AppendOnlyModel):
    """Every personal code typed or scanned at a counter or booth (the throttle counts the failures)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    code_entered = models.CharField(max_length=40)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["staff", "ok", "at"])]
        verbose_name = _("personal code attempt")
        verbose_name_plural = _("personal code attempts")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'} {self.code_entered}"
