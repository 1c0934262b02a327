"""Users, their roles per centre, residents' account bindings, tokens and API keys."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tanpuhui.accounts.identifiers import (
    normalise_email,
    normalise_identifier,
    normalise_phone,
    validate_phone,
)
from tanpuhui.common.models import TimeStampedModel

# A mobile number as typed: valid when its normal form is 11 ASCII digits (see accounts/identifiers.py).
phone_validator = validate_phone


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    CENTRE_OPERATOR = "centre_operator", _("Centre operator")
    CENTRE_REVIEWER = "centre_reviewer", _("Centre reviewer")
    CENTRE_FINANCE = "centre_finance", _("Centre finance")
    PROVINCIAL_OFFICER = "provincial_officer", _("Provincial officer")
    PILOT_MANAGER = "pilot_manager", _("Pilot manager")
    MERCHANT_STAFF = "merchant_staff", _("Merchant staff")
    ENTERPRISE_STAFF = "enterprise_staff", _("Enterprise staff")
    DATA_PROVIDER = "data_provider", _("Data provider")
    CERTIFICATION_STAFF = "certification_staff", _("Certification body staff")
    VERIFIER = "verifier", _("Third-party verifier")
    TOWN_STATISTICIAN = "town_statistician", _("Town statistician")


# Roles that work in the back office on a centre's data (scoped by centre).
STAFF_ROLES = frozenset(
    {
        Role.CENTRE_OPERATOR,
        Role.CENTRE_REVIEWER,
        Role.CENTRE_FINANCE,
        Role.PROVINCIAL_OFFICER,
        Role.PILOT_MANAGER,
    }
)
# Roles that add and suspend data providers and issue, rotate and revoke their API keys (the staff
# API, the staff pages and the admin all ask this one set).
PROVIDER_MANAGER_ROLES = frozenset({Role.CENTRE_OPERATOR, Role.PROVINCIAL_OFFICER})
# Roles held at a provincial centre that extend to every centre under it.
PROVINCIAL_ROLES = frozenset({Role.PROVINCIAL_OFFICER, Role.PILOT_MANAGER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, phone=None, password=None, **extra):
        """Phone and e-mail are stored in their normal form; an invalid one is a ``ValidationError``."""
        email = extra.pop("email", None)
        if not phone and not email:
            raise ValueError("A user needs a mobile number or an e-mail address")
        user = self.model(
            phone=normalise_phone(phone) if phone else None,
            email=normalise_email(email) if email else None,
            **extra,
        )
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: normalise_identifier(username)})

    def get_by_identifier(self, identifier: str) -> User | None:
        """The account whose phone or e-mail *is* this identifier's normal form (exact, never iexact:
        PostgreSQL's UPPER() folds a dotless ı into I, which is how look-alikes used to get in)."""
        normal = normalise_identifier(identifier)
        if not normal:
            return None
        return self.filter(Q(phone=normal) | Q(email=normal)).first()

    def create_superuser(self, phone=None, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(phone, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One person (or, for data providers, one service identity) across web and API."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    phone = models.CharField(
        _("mobile number"), max_length=11, unique=True, null=True, blank=True, validators=[phone_validator]
    )
    email = models.EmailField(_("e-mail"), unique=True, null=True, blank=True)
    display_name = models.CharField(_("display name"), max_length=50)
    centre = models.ForeignKey(
        "tenancy.Centre",
        verbose_name=_("operation centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Home centre: the centre a resident registered to, or the staff member's centre."),
    )
    # The community (residential committee) a resident lives in, as its code in the pilots' place
    # hierarchy (e.g. "gz-yuexiu-dufu"). Only aggregates of ≥ 5 residents are ever shown per community.
    # (db_default: bulk loaders that COPY users name only the columns they know.)
    community = models.CharField(
        _("community"), max_length=40, blank=True, default="", db_default="", db_index=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("back-office access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    real_name_verified_at = models.DateTimeField(_("real-name verified"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["date_joined"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__isnull=False) | Q(email__isnull=False), name="user_has_phone_or_email"
            ),
            # The backstop for "two spellings, one account": e-mails are stored case-folded (so the
            # exact unique index is also a case-insensitive one) and phones are ASCII digits.
            models.CheckConstraint(
                condition=Q(email__isnull=True) | Q(email=Lower("email")), name="user_email_lower_case"
            ),
            models.CheckConstraint(
                condition=Q(phone__isnull=True) | Q(phone__regex=r"^1[3-9][0-9]{9}\Z"),
                name="user_phone_ascii_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.phone or self.email or str(self.id)

    @classmethod
    def normalize_username(cls, username):
        return normalise_identifier(username)

    def clean(self):
        # Before validate_unique / validate_constraints, so a variant spelling of a taken identifier is
        # reported as taken (the admin user form goes through here).
        super().clean()
        self.phone = normalise_identifier(self.phone) or None
        self.email = normalise_identifier(self.email) or None

    def save(self, *args, **kwargs):
        # Every writer stores the normal form, whichever path it came through.
        self.phone = normalise_identifier(self.phone) or None
        self.email = normalise_identifier(self.email) or None
        super().save(*args, **kwargs)

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}" if self.phone else ""

    def roles(self) -> set[str]:
        cached = getattr(self, "_roles", None)
        if cached is None:
            cached = set(self.role_assignments.values_list("role", flat=True))
            self._roles = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_resident(self) -> bool:
        return self.has_role(Role.RESIDENT)

    @property
    def is_centre_staff(self) -> bool:
        return self.is_superuser or self.has_role(*STAFF_ROLES)


class RoleAssignment(TimeStampedModel):
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    centre = models.ForeignKey(
        "tenancy.Centre",
        verbose_name=_("operation centre"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "centre"], name="role_once_per_centre")
        ]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.centre.code}"


class Binding(TimeStampedModel):
    """A utility account, transit card or bike-share account a resident links to the profile.

    Providers' records are matched to residents through these. Unbinding keeps the row
    (``unbound_at``) so past matches stay explainable; only one active binding may hold a
    given number per centre and kind.
    """

    class Kind(models.TextChoices):
        ELECTRICITY = "electricity", _("Electricity account")
        WATER = "water", _("Water account")
        GAS = "gas", _("Gas account")
        TRANSIT_CARD = "transit_card", _("Transit card")
        BIKE_SHARE = "bike_share", _("Bike-share account")

    resident = models.ForeignKey(
        User, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="bindings"
    )
    centre = models.ForeignKey(
        "tenancy.Centre",
        verbose_name=_("operation centre"),
        on_delete=models.PROTECT,
        related_name="bindings",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    account_number = models.CharField(_("account or card number"), max_length=40)
    label = models.CharField(_("label"), max_length=40, blank=True)
    unbound_at = models.DateTimeField(_("unbound at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "kind", "account_number"],
                condition=Q(unbound_at__isnull=True),
                name="binding_active_unique_per_centre_kind",
            )
        ]
        indexes = [models.Index(fields=["centre", "kind", "account_number"])]
        verbose_name = _("binding")
        verbose_name_plural = _("bindings")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return "•••• " + self.account_number[-4:]

    @property
    def is_active(self) -> bool:
        return self.unbound_at is None


class RealNameVerification(TimeStampedModel):
    """The real-name step: the name as given and a keyed hash of the ID number, never the number."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="real_name")
    full_name = models.CharField(_("full name"), max_length=50)
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_last4 = models.CharField(_("ID number, last 4"), max_length=4)
    method = models.CharField(_("method"), max_length=32, default="self_declared")

    class Meta:
        verbose_name = _("real-name verification")
        verbose_name_plural = _("real-name verifications")


class AuthToken(models.Model):
    """A bearer token for the app or mini-program; stored as a SHA-256 of the secret."""

    key_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    client = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("sign-in token")
        verbose_name_plural = _("sign-in tokens")

    def __str__(self) -> str:
        return f"token of {self.user_id} ({self.client or 'app'})"


class ApiKey(TimeStampedModel):
    """A data provider's (or integration's) key: ``<prefix>.<secret>``, stored hashed.

    Rotation issues a new key and lets the old one live for a grace period; revocation ends it now.
    """

    user = models.ForeignKey(
        User, verbose_name=_("service account"), on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("issued by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
