"""Account operations: registration, login throttling, bindings, real-name, tokens, API keys, roles."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import django.dispatch
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.identifiers import normalise_email, normalise_identifier, normalise_phone
from tanpuhui.accounts.models import (
    STAFF_ROLES,
    ApiKey,
    AuthToken,
    Binding,
    RealNameVerification,
    Role,
    RoleAssignment,
    User,
)
from tanpuhui.common.errors import (
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unprocessable,
    ValidationFailed,
)
from tanpuhui.common.services import audit_record, client_ip
from tanpuhui.tenancy.models import Centre

# Sent after a binding is created (inside its transaction's on_commit): metering re-matches
# records that arrived before the resident bound the account.
binding_created = django.dispatch.Signal()

TOKEN_LIFETIME = timedelta(days=30)
API_KEY_ROTATION_GRACE = timedelta(hours=24)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


# --- registration -----------------------------------------------------------------------------


def phone_checked(phone: str) -> str:
    """The normal form of a mobile number given for a new account, or a 400 on the ``phone`` field."""
    try:
        return normalise_phone(phone)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"phone": exc.messages}) from exc


def email_checked(email: str) -> str:
    """The normal form of an e-mail address given for an account, or a 400 on the ``email`` field."""
    try:
        return normalise_email(email)
    except DjangoValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"email": exc.messages}) from exc


@transaction.atomic
def resident_register(*, centre_code: str, phone: str, password: str, display_name: str) -> User:
    centre = Centre.objects.filter(code=centre_code).first()
    if centre is None or not centre.accepts_residents:
        raise ValidationFailed(
            _("Unknown operation centre."), fields={"centre": [_("Unknown operation centre.")]}
        )
    phone = phone_checked(phone)
    if User.objects.filter(phone=phone).exists():
        raise Conflict(
            _("This mobile number is already registered."),
            code="phone_taken",
            fields={"phone": [_("This mobile number is already registered.")]},
        )
    user = User(phone=phone, display_name=display_name, centre=centre)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("Choose a stronger password."), fields={"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent registration of the same number
        raise Conflict(
            _("This mobile number is already registered."),
            code="phone_taken",
            fields={"phone": [_("This mobile number is already registered.")]},
        ) from exc
    RoleAssignment.objects.create(user=user, role=Role.RESIDENT, centre=centre)
    return user


_UNSET = object()


@transaction.atomic
def profile_update(
    *, user: User, display_name: str | None = None, email: str | object | None = _UNSET
) -> User:
    """Change the display name and/or e-mail (``email=None`` removes it; an e-mail is one account's)."""
    update_fields = []
    if display_name is not None:
        user.display_name = display_name
        update_fields.append("display_name")
    if email is not _UNSET:
        email = email_checked(str(email)) if email else None
        if email and User.objects.filter(email=email).exclude(pk=user.pk).exists():
            raise _email_taken()
        user.email = email
        update_fields.append("email")
    if update_fields:
        try:
            with transaction.atomic():
                user.save(update_fields=update_fields)
        except IntegrityError as exc:  # a concurrent change took the e-mail
            raise _email_taken() from exc
    return user


@transaction.atomic
def resident_rename(
    *, actor: User, resident: User, display_name: str, request: HttpRequest | None = None
) -> User:
    """Staff correct a resident's display name (the caller has scoped the resident to the staff
    member's centres); the old and new names go in the audit log."""
    display_name = (display_name or "").strip()
    if not display_name:
        raise ValidationFailed(_("Give a name."), fields={"display_name": [_("Give a name.")]})
    old = resident.display_name
    if display_name == old:
        return resident
    resident = profile_update(user=resident, display_name=display_name)
    audit_record(
        actor=actor,
        action="resident.rename",
        target=resident,
        centre=resident.centre,
        data={"from": old, "to": display_name},
        request=request,
    )
    return resident


def _email_taken() -> Conflict:
    message = _("This e-mail is already in use.")
    return Conflict(message, code="email_taken", fields={"email": [message]})


# --- login with throttling ---------------------------------------------------------------------


def _failure_keys(username: str, ip: str | None) -> list[str]:
    # The account key is the identifier's normal form: the one the backend looks the account up by,
    # so every spelling that reaches an account counts toward (and is stopped by) its lock-out.
    keys = [f"login-fail:user:{_sha256(normalise_identifier(username))}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def login_attempt(*, request: HttpRequest, username: str, password: str) -> User:
    """Authenticate by phone or e-mail, locking the account (and address) out after repeated failures.

    Both the web login form and the API token endpoint go through here, so the lock-out is the same.
    """
    ip = client_ip(request)
    username = normalise_identifier(username)
    keys = _failure_keys(username, ip)
    limit = settings.LOGIN_FAILURE_LIMIT
    # The address limit is wider: many people can share one carrier-grade NAT address.
    if (cache.get(keys[0]) or 0) >= limit or (len(keys) > 1 and (cache.get(keys[1]) or 0) >= limit * 10):
        raise TooManyRequests(
            _("Too many failed attempts. Try again in %(minutes)d minutes.")
            % {"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            code="locked_out",
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        for key in keys:
            cache.add(key, 0, settings.LOGIN_LOCKOUT_SECONDS)
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
        raise ValidationFailed(_("Wrong mobile number/e-mail or password."), code="invalid_credentials")
    cache.delete(keys[0])
    return user


def token_issue(*, user: User, client: str = "") -> str:
    secret = secrets.token_urlsafe(32)
    AuthToken.objects.create(
        user=user, key_hash=_sha256(secret), expires_at=timezone.now() + TOKEN_LIFETIME, client=client[:100]
    )
    return secret


def token_find(secret: str) -> AuthToken | None:
    token = AuthToken.objects.select_related("user").filter(key_hash=_sha256(secret)).first()
    if token is None or token.expires_at <= timezone.now() or not token.user.is_active:
        return None
    return token


def token_revoke(*, token: AuthToken) -> None:
    token.delete()


# --- bindings ---------------------------------------------------------------------------------

_NUMBER_RULES = {
    Binding.Kind.ELECTRICITY: re.compile(r"^[0-9]{6,20}$"),
    Binding.Kind.WATER: re.compile(r"^[0-9A-Z]{5,20}$"),
    Binding.Kind.GAS: re.compile(r"^[0-9A-Z]{5,20}$"),
    Binding.Kind.TRANSIT_CARD: re.compile(r"^[0-9A-Z]{8,20}$"),
    Binding.Kind.BIKE_SHARE: re.compile(r"^[0-9A-Za-z_\-]{4,40}$"),
}


def normalise_account_number(kind: str, raw: str) -> str:
    number = re.sub(r"[\s\-]", "", raw or "") if kind != Binding.Kind.BIKE_SHARE else (raw or "").strip()
    if kind != Binding.Kind.BIKE_SHARE:
        number = number.upper()
    return number


def _binding_taken() -> Conflict:
    message = _(
        "This number is already bound to another account. Contact the operation centre if it is yours."
    )
    return Conflict(message, code="binding_taken", fields={"account_number": [message]})


@transaction.atomic
def binding_create(*, resident: User, kind: str, account_number: str, label: str = "") -> Binding:
    if not resident.is_resident:
        raise Forbidden(_("Only residents bind accounts and cards."), code="not_a_resident")
    if kind not in Binding.Kind.values:
        raise ValidationFailed(_("Unknown binding kind."), fields={"kind": [_("Unknown binding kind.")]})
    if resident.centre_id is None:
        raise ValidationFailed(_("Register to an operation centre first."), code="no_centre")
    number = normalise_account_number(kind, account_number)
    if not _NUMBER_RULES[Binding.Kind(kind)].fullmatch(number):
        raise ValidationFailed(
            _("This does not look like a valid number for this kind."),
            fields={"account_number": [_("This does not look like a valid number for this kind.")]},
        )
    active = Binding.objects.filter(
        centre_id=resident.centre_id, kind=kind, account_number=number, unbound_at__isnull=True
    ).first()
    if active is not None:
        if active.resident_id == resident.pk:
            return active
        raise _binding_taken()
    try:
        with transaction.atomic():
            binding = Binding.objects.create(
                resident=resident, centre_id=resident.centre_id, kind=kind, account_number=number, label=label
            )
    except IntegrityError as exc:  # lost a race against another resident
        raise _binding_taken() from exc
    transaction.on_commit(lambda: binding_created.send(sender=Binding, binding=binding))
    return binding


@transaction.atomic
def binding_remove(*, resident: User, binding_id: int) -> Binding:
    binding = (
        Binding.objects.select_for_update()
        .filter(pk=binding_id, resident=resident, unbound_at__isnull=True)
        .first()
    )
    if binding is None:
        raise NotFound(_("No such binding."))
    binding.unbound_at = timezone.now()
    binding.save(update_fields=["unbound_at", "updated_at"])
    return binding


@transaction.atomic
def binding_release(
    *, binding: Binding, actor: User, reason: str, request: HttpRequest | None = None
) -> Binding:
    """Staff end a resident's binding — e.g. when another resident proves the account is theirs.

    The row stays (history explains past matches); the number becomes free to bind again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason."), fields={"reason": [_("Give a reason.")]})
    binding = Binding.objects.select_for_update(of=("self",)).get(pk=binding.pk)
    if binding.unbound_at is not None:
        raise Conflict(_("This binding has already ended."), code="binding_already_ended")
    binding.unbound_at = timezone.now()
    binding.save(update_fields=["unbound_at", "updated_at"])
    audit_record(
        actor=actor,
        action="binding.release",
        target=binding,
        data={"resident": str(binding.resident_id), "kind": binding.kind, "reason": reason[:500]},
        request=request,
    )
    return binding


# --- real-name verification -------------------------------------------------------------------

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_number_is_valid(number: str) -> bool:
    """GB 11643-1999 resident identity number: 17 digits and an ISO 7064 MOD 11-2 check character."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number, flags=re.ASCII):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17]


def id_number_hash(number: str) -> str:
    return hmac.new(settings.IDENTITY_HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def real_name_verify(*, user: User, full_name: str, id_number: str) -> RealNameVerification:
    number = (id_number or "").strip().upper()
    if not id_number_is_valid(number):
        raise ValidationFailed(_("Invalid ID number."), fields={"id_number": [_("Invalid ID number.")]})
    full_name = (full_name or "").strip()
    if not full_name:
        raise ValidationFailed(_("Enter your full name."), fields={"full_name": [_("Enter your full name.")]})
    digest = id_number_hash(number)
    existing = RealNameVerification.objects.filter(id_number_hash=digest).exclude(user=user).exists()
    if existing:
        raise Conflict(
            _("This ID number is already verified on another account."),
            code="identity_taken",
            fields={"id_number": [_("Already verified on another account.")]},
        )
    verification, _created = RealNameVerification.objects.update_or_create(
        user=user, defaults={"full_name": full_name, "id_number_hash": digest, "id_number_last4": number[-4:]}
    )
    user.real_name_verified_at = timezone.now()
    user.save(update_fields=["real_name_verified_at"])
    return verification


# --- API keys ---------------------------------------------------------------------------------


def api_key_issue(*, user: User, name: str, created_by: User | None = None) -> tuple[ApiKey, str]:
    """Create a key; the returned plaintext is shown once and never stored."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        user=user, name=name, prefix=prefix, key_hash=_sha256(secret), created_by=created_by
    )
    return key, f"{prefix}.{secret}"


@transaction.atomic
def provider_key_issue(*, provider: User, name: str, actor: User | None) -> tuple[ApiKey, str]:
    """Staff issue a key to a data provider's service account; the plaintext is returned once."""
    if not provider.is_active or not provider.has_role(Role.DATA_PROVIDER):
        raise Unprocessable(
            _("API keys are issued to active data-provider accounts only."),
            code="not_a_data_provider",
            fields={"provider": [_("Not an active data-provider account.")]},
        )
    key, plaintext = api_key_issue(user=provider, name=name, created_by=actor)
    audit_record(actor=actor, action="api_key.issue", target=key, centre=provider.centre)
    return key, plaintext


def api_key_authenticate(raw: str) -> ApiKey | None:
    prefix, _sep, secret = raw.partition(".")
    if not prefix or not secret:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or not key.is_usable() or not key.user.is_active:
        return None
    if not hmac.compare_digest(key.key_hash, _sha256(secret)):
        return None
    return key


@transaction.atomic
def api_key_rotate(*, key: ApiKey, actor: User | None = None) -> tuple[ApiKey, str]:
    """Issue a successor and let the old key work for a grace period, so deliveries don't break."""
    key = ApiKey.objects.select_for_update(of=("self",)).select_related("user__centre").get(pk=key.pk)
    if not key.is_usable():
        raise Conflict(_("This key is revoked or expired; issue a new one instead."), code="key_not_usable")
    grace_end = timezone.now() + API_KEY_ROTATION_GRACE
    if key.expires_at is None or key.expires_at > grace_end:
        key.expires_at = grace_end
        key.save(update_fields=["expires_at", "updated_at"])
    new_key, plaintext = api_key_issue(user=key.user, name=key.name, created_by=actor)
    audit_record(
        actor=actor,
        action="api_key.rotate",
        target=key,
        centre=key.user.centre,
        data={"new_prefix": new_key.prefix},
    )
    return new_key, plaintext


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: User | None = None) -> ApiKey:
    key = ApiKey.objects.select_for_update(of=("self",)).select_related("user__centre").get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor, action="api_key.revoke", target=key, centre=key.user.centre)
    return key


# --- roles ------------------------------------------------------------------------------------


@transaction.atomic
def role_grant(*, user: User, role: str, centre: Centre, granted_by: User | None = None) -> RoleAssignment:
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, centre=centre, defaults={"granted_by": granted_by}
    )
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if user.centre_id is None:
        user.centre = centre
        user.save(update_fields=["centre"])
    user.__dict__.pop("_roles", None)
    user.__dict__.pop("_visible_centre_ids", None)
    if granted_by is not None:
        audit_record(
            actor=granted_by,
            action="role.grant",
            target=assignment,
            centre=centre,
            data={"user": str(user.pk), "role": role},
        )
    return assignment
