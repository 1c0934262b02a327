"""Marketplace writes: onboarding, offers, redemption, verification (核销), expiry, event booths.

Coins move only through ``tanpuhui.ledger.services``, inside the transaction that reserves stock and
writes the voucher. Hook for the funding context: ``voucher_verified`` is sent on commit of every
verification (kwargs ``voucher``); pool balances in yuan decrease by ``voucher.yuan_value`` for
``voucher.funding_pool``. ``selectors.pool_verified_yuan`` gives the same figure in aggregate. A
redemption reserves the pool's share in the same transaction and an expiry frees it, through
``marketplace.pools`` (the funding context registers itself there: the marketplace never imports it).
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import django.dispatch
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.services import phone_checked, role_grant
from tanpuhui.common.errors import (
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    TooManyRequests,
    ValidationFailed,
)
from tanpuhui.common.services import audit_record, client_ip
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.models import Account, AccountKind, TransferKind
from tanpuhui.marketplace import codes, pools, selectors
from tanpuhui.marketplace.models import (
    Event,
    Merchant,
    MerchantStaff,
    Offer,
    Outlet,
    VerificationAttempt,
    Voucher,
)
from tanpuhui.tenancy.models import Centre

logger = logging.getLogger(__name__)

# Sent on commit of a verification: ``voucher_verified.send(sender=Voucher, voucher=voucher)``.
voucher_verified = django.dispatch.Signal()

VERIFY_FAILURE_LIMIT = 10
VERIFY_FAILURE_WINDOW = timedelta(minutes=10)

OFFER_FIELDS = {
    "title",
    "description",
    "image",
    "category",
    "price_coins",
    "stock",
    "per_resident_limit",
    "valid_from",
    "valid_until",
    "flash_starts_at",
    "voucher_valid_days",
    "terms",
    "funding_pool",
    "yuan_value",
    "expiry_policy",
    "event",
}


# --- merchants ---------------------------------------------------------------------------------


@transaction.atomic
def merchant_apply(
    *,
    applicant: User | None,
    centre: Centre,
    name: str,
    licence_number: str,
    contact_name: str,
    contact_phone: str,
    outlets: list[dict[str, str]],
) -> Merchant:
    licence_number = licence_number.strip().upper()
    if not codes.uscc_is_valid(licence_number):
        message = _("Enter a valid 18-character unified social credit code.")
        raise ValidationFailed(message, code="invalid_licence", fields={"licence_number": [message]})
    if not outlets:
        message = _("Add at least one outlet.")
        raise ValidationFailed(message, fields={"outlets": [message]})
    if not centre.accepts_residents:
        raise ValidationFailed(
            _("Unknown operation centre."), fields={"centre": [_("Unknown operation centre.")]}
        )
    taken = (
        Merchant.objects.filter(centre=centre, licence_number=licence_number)
        .exclude(status=Merchant.Status.REJECTED)
        .exists()
    )
    if taken:
        message = _("A merchant with this licence is already registered at this centre.")
        raise Conflict(message, code="licence_taken", fields={"licence_number": [message]})
    try:
        with transaction.atomic():
            merchant = Merchant.objects.create(
                centre=centre,
                name=name,
                licence_number=licence_number,
                contact_name=contact_name,
                contact_phone=contact_phone,
                applicant=applicant if applicant is not None and applicant.is_authenticated else None,
            )
    except IntegrityError as exc:
        message = _("A merchant with this licence is already registered at this centre.")
        raise Conflict(message, code="licence_taken", fields={"licence_number": [message]}) from exc
    Outlet.objects.bulk_create(
        [Outlet(merchant=merchant, name=o["name"], address=o["address"]) for o in outlets]
    )
    return merchant


def _review(
    obj: Merchant | Offer,
    *,
    actor: User | None,
    approve: bool,
    reason: str,
    request: HttpRequest | None,
    action: str,
) -> None:
    pending = obj.Status.PENDING
    if obj.status != pending:
        raise Conflict(_("Only applications awaiting review can be decided."), code="not_pending")
    if not approve and not reason.strip():
        message = _("Give a reason for the rejection.")
        raise ValidationFailed(message, fields={"reason": [message]})
    obj.status = obj.Status.APPROVED if approve else obj.Status.REJECTED
    obj.reviewed_by = actor
    obj.reviewed_at = timezone.now()
    obj.review_reason = reason.strip()
    obj.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=f"{action}.{'approve' if approve else 'reject'}",
        target=obj,
        data={"reason": obj.review_reason},
        request=request,
    )


@transaction.atomic
def merchant_review(
    *,
    merchant: Merchant,
    actor: User | None,
    approve: bool,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Merchant:
    merchant = Merchant.objects.select_for_update().get(pk=merchant.pk)
    _review(merchant, actor=actor, approve=approve, reason=reason, request=request, action="merchant")
    applicant = merchant.applicant
    if approve and applicant is not None and not MerchantStaff.objects.filter(user=applicant).exists():
        _staff_link(
            user=applicant, merchant=merchant, outlet=None, role=MerchantStaff.Role.MANAGER, actor=actor
        )
    return merchant


def _staff_link(
    *, user: User, merchant: Merchant, outlet: Outlet | None, role: str, actor: User | None
) -> MerchantStaff:
    role_grant(user=user, role=Role.MERCHANT_STAFF, centre=merchant.centre, granted_by=actor)
    return MerchantStaff.objects.create(user=user, merchant=merchant, outlet=outlet, role=role)


@transaction.atomic
def merchant_staff_create(
    *,
    manager: MerchantStaff,
    phone: str,
    display_name: str,
    password: str,
    role: str,
    outlet_id: int | None,
    request: HttpRequest | None = None,
) -> MerchantStaff:
    """A manager opens a login for a cashier (or another manager) at one of the merchant's outlets."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError as DjangoValidationError

    if manager.role != MerchantStaff.Role.MANAGER:
        raise Forbidden(_("Only a merchant manager can add staff."), code="not_manager")
    outlet = None
    if outlet_id is not None:
        outlet = Outlet.objects.filter(pk=outlet_id, merchant=manager.merchant).first()
        if outlet is None:
            raise ValidationFailed(_("Unknown outlet."), fields={"outlet": [_("Unknown outlet.")]})
    phone = phone_checked(phone)
    if User.objects.filter(phone=phone).exists():
        message = _("This mobile number is already registered.")
        raise Conflict(message, code="phone_taken", fields={"phone": [message]})
    user = User(phone=phone, display_name=display_name, centre=manager.merchant.centre)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(_("Choose a stronger password."), fields={"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    link = _staff_link(user=user, merchant=manager.merchant, outlet=outlet, role=role, actor=manager.user)
    audit_record(
        actor=manager.user,
        action="merchant.staff_create",
        target=link,
        centre=manager.merchant.centre,
        data={"role": role, "outlet": outlet.pk if outlet else None},
        request=request,
    )
    return link


def merchant_staff_of(user: Any) -> MerchantStaff:
    """The active staff link of ``user`` at an approved merchant, or Forbidden."""
    link = selectors.staff_link(user)
    if link is None:
        raise Forbidden(_("You are not staff of an approved merchant."), code="not_merchant_staff")
    return link


# --- offers ------------------------------------------------------------------------------------


def _offer_validate(offer: Offer) -> None:
    errors: dict[str, list[str]] = {}
    if offer.valid_from and offer.valid_until and offer.valid_until <= offer.valid_from:
        errors["valid_until"] = [_("The end must be after the start.")]
    if (
        offer.flash_starts_at
        and offer.valid_until
        and not (offer.valid_from <= offer.flash_starts_at < offer.valid_until)
    ):
        errors["flash_starts_at"] = [_("The flash start must fall inside the sale window.")]
    if offer.funding_pool is not None and offer.funding_pool.centre_id != offer.centre_id:
        errors["funding_pool"] = [_("Unknown funding pool.")]
    if offer.event is not None and offer.event.centre_id != offer.centre_id:
        errors["event"] = [_("Unknown event.")]
    if offer.stock < offer.redeemed:
        errors["stock"] = [_("Stock cannot go below the vouchers already issued.")]
    if errors:
        raise ValidationFailed(_("Invalid input."), fields=errors)


@transaction.atomic
def offer_create(*, staff: MerchantStaff, request: HttpRequest | None = None, **fields: Any) -> Offer:
    if staff.role != MerchantStaff.Role.MANAGER:
        raise Forbidden(_("Only a merchant manager can edit offers."), code="not_manager")
    offer = Offer(merchant=staff.merchant, centre=staff.merchant.centre)
    for name, value in fields.items():
        if name in OFFER_FIELDS:
            setattr(offer, name, value)
    _offer_validate(offer)
    offer.save()
    return offer


@transaction.atomic
def offer_update(*, staff: MerchantStaff, offer: Offer, **fields: Any) -> Offer:
    if staff.role != MerchantStaff.Role.MANAGER:
        raise Forbidden(_("Only a merchant manager can edit offers."), code="not_manager")
    offer = Offer.objects.select_for_update().get(pk=offer.pk, merchant=staff.merchant)
    if offer.status not in (Offer.Status.DRAFT, Offer.Status.REJECTED):
        raise Conflict(_("Only drafts can be edited."), code="not_draft")
    for name, value in fields.items():
        if name in OFFER_FIELDS:
            setattr(offer, name, value)
    offer.status = Offer.Status.DRAFT
    _offer_validate(offer)
    offer.save()
    return offer


@transaction.atomic
def offer_submit(*, staff: MerchantStaff, offer: Offer) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk, merchant=staff.merchant)
    if offer.status not in (Offer.Status.DRAFT, Offer.Status.REJECTED):
        raise Conflict(_("Only drafts can be submitted."), code="not_draft")
    offer.status = Offer.Status.PENDING
    offer.save(update_fields=["status", "updated_at"])
    return offer


@transaction.atomic
def offer_review(
    *, offer: Offer, actor: User, approve: bool, reason: str = "", request: HttpRequest | None = None
) -> Offer:
    offer = Offer.objects.select_for_update().get(pk=offer.pk)
    _review(offer, actor=actor, approve=approve, reason=reason, request=request, action="offer")
    return offer


# --- redemption --------------------------------------------------------------------------------


def _merchant_account(merchant: Merchant) -> Account:
    return ledger.account_get_or_create(kind=AccountKind.MERCHANT, centre=merchant.centre_id, owner=merchant)


def _check_window(offer: Offer, now: datetime) -> None:
    if now < offer.sale_starts_at:
        raise Conflict(
            _("This offer is not on sale yet."),
            code="not_started",
            fields={"starts_at": offer.sale_starts_at.isoformat()},
        )
    if now >= offer.valid_until:
        raise Conflict(_("This offer has ended."), code="ended")


_VOUCHER_NS = uuid.UUID("6f1d8a52-3c1e-4b8e-9a57-8d0c6b7e2f10")


class _Replay(Exception):  # control flow only: never leaves voucher_redeem
    def __init__(self, voucher: Voucher):
        self.voucher = voucher


def _limit_reached(offer: Offer) -> Conflict:
    return Conflict(
        _("You have reached the limit of %(n)d for this offer.") % {"n": offer.per_resident_limit},
        code="limit_reached",
    )


def _pool_reserve(offer: Offer, voucher_id: uuid.UUID) -> pools.Reservation:
    """The offer's pool share of one voucher, from the funder (409 ``pool_exhausted`` if none).

    A yuan pool's refusal comes at once; a donation pool's reservation is a ledger leg (pool account
    → its hold account) that ``voucher_redeem`` posts together with the resident's payment. The
    voucher's verification pays from that reservation; its expiry frees it.
    """
    return pools.reserve(pool_id=offer.funding_pool_id, yuan=Decimal(offer.yuan_value), voucher_id=voucher_id)


def voucher_redeem(
    *,
    offer_id: uuid.UUID | str,
    resident: User,
    idempotency_key: str | None = None,
    issued_by: User | None = None,
    event: Event | None = None,
    now: datetime | None = None,
) -> Voucher:
    """Spend the resident's coins on one unit of an offer; returns the new voucher.

    Stock is reserved by one conditional UPDATE (0 rows = sold out). That UPDATE also holds the offer
    row lock until commit, so the per-resident count taken after it cannot race (and the unique
    ``(offer, resident, ordinal)`` constraint backs it). The ledger transfer is in the same
    transaction: insufficient coins roll the reservation back.
    """
    now = now or timezone.now()

    def replayed() -> Voucher | None:
        # The same request (same key) may have committed meanwhile — a retry after a lost response,
        # or a racing duplicate that won. It gets that voucher back, never a refusal its own success caused.
        if not idempotency_key:
            return None
        return Voucher.objects.filter(request_key=idempotency_key, resident=resident).first()

    done = replayed()
    if done is not None:
        return done
    offer = selectors.offers_for_resident(resident).filter(pk=offer_id).select_related("merchant").first()
    if offer is None:
        raise NotFound(_("No such offer."), code="offer_not_found")
    _check_window(offer, now)
    held = Voucher.objects.filter(offer=offer, resident=resident).count()
    if held >= offer.per_resident_limit:
        if (done := replayed()) is not None:
            return done
        raise _limit_reached(offer)
    if offer.redeemed >= offer.stock:
        if (done := replayed()) is not None:
            return done
        raise Conflict(_("Sold out."), code="sold_out")

    # Looked up (or created) before the stock lock is taken: the locked section stays short.
    wallet = ledger.wallet_of(resident)
    merchant_account = _merchant_account(offer.merchant)
    # One request (one idempotency key) → one voucher id, so racing duplicates post the same ledger request.
    voucher_id = uuid.uuid5(_VOUCHER_NS, idempotency_key) if idempotency_key else uuid.uuid4()
    try:
        with transaction.atomic():
            reserved = Offer.objects.filter(
                pk=offer.pk, status=Offer.Status.APPROVED, redeemed__lt=F("stock")
            ).update(redeemed=F("redeemed") + 1)
            if not reserved:
                if (done := replayed()) is not None:  # our twin took the last unit
                    raise _Replay(done)
                raise Conflict(_("Sold out."), code="sold_out")
            # The offer row is locked until commit: racers for this offer queue here, so this count is exact.
            held = Voucher.objects.filter(offer=offer, resident=resident).count()
            if held >= offer.per_resident_limit:
                if (
                    done := replayed()
                ) is not None:  # a duplicate of this very request committed while we waited
                    raise _Replay(done)
                raise _limit_reached(offer)
            reservation = _pool_reserve(offer, voucher_id)
            try:
                transfer = ledger.transfers_post(
                    legs=[
                        ledger.Leg(
                            debit=wallet,
                            credit=merchant_account,
                            amount=offer.price_coins,
                            kind=TransferKind.SPEND,
                        ),
                        *reservation.legs,  # the pool's share, held for this voucher (donation pools)
                    ],
                    idempotency_key=idempotency_key or f"marketplace:redeem:{voucher_id}",
                    cause=(Voucher._meta.label_lower, str(voucher_id)),
                    memo=offer.title[:200],
                    actor=issued_by or resident,
                )[0]
            except ledger.InsufficientCoins as exc:
                short = (exc.fields or {}).get("accounts", {})
                if reservation.pool_account_id in short:
                    raise pools.exhausted() from exc
                raise
            voucher = None
            for _attempt in range(3):
                try:
                    with transaction.atomic():
                        voucher = Voucher.objects.create(
                            id=voucher_id,
                            code=codes.voucher_code_new(),
                            offer=offer,
                            merchant_id=offer.merchant_id,
                            centre_id=offer.centre_id,
                            resident=resident,
                            ordinal=held + 1,
                            price_coins=offer.price_coins,
                            yuan_value=offer.yuan_value,
                            funding_pool_id=offer.funding_pool_id,
                            expires_at=now + timedelta(days=offer.voucher_valid_days),
                            event=event,
                            issued_by=issued_by,
                            request_key=idempotency_key or None,
                            redeem_transfer_id=str(transfer.pk),
                        )
                    break
                except IntegrityError as exc:
                    if (first := replayed()) is not None:  # the same request raced us and won
                        raise _Replay(first) from exc
                    if Voucher.objects.filter(offer=offer, resident=resident, ordinal=held + 1).exists():
                        raise _limit_reached(offer) from exc
            if voucher is None:  # pragma: no cover - three 55-bit collisions in a row
                raise Conflict(_("Please try again."), code="retry")
    except _Replay as replay:
        return replay.voucher
    return voucher


# --- verification (核销) -------------------------------------------------------------------------


def _attempt(
    *,
    link: MerchantStaff,
    code: str,
    outcome: str,
    voucher: Voucher | None = None,
    request: HttpRequest | None = None,
) -> None:
    VerificationAttempt.objects.create(
        staff=link.user,
        merchant=link.merchant,
        outlet=link.outlet,
        code_entered=(code or "")[:40],
        voucher=voucher,
        outcome=outcome,
        ip_address=client_ip(request),
    )


def voucher_verify(
    *, user: User, code: str, request: HttpRequest | None = None, now: datetime | None = None
) -> Voucher:
    """Mark a voucher of the staff member's merchant as used, once.

    Every attempt is logged; ``VERIFY_FAILURE_LIMIT`` failures within ``VERIFY_FAILURE_WINDOW`` lock the
    staff member out (429). A code of another merchant answers exactly like an unknown code.
    """
    link = merchant_staff_of(user)
    now = now or timezone.now()
    Outcome = VerificationAttempt.Outcome
    failures = (
        VerificationAttempt.objects.filter(staff=user, at__gte=now - VERIFY_FAILURE_WINDOW)
        .exclude(outcome__in=[Outcome.VERIFIED, Outcome.THROTTLED])
        .count()
    )
    if failures >= VERIFY_FAILURE_LIMIT:
        _attempt(link=link, code=code, outcome=Outcome.THROTTLED, request=request)
        raise TooManyRequests(
            _("Too many failed attempts. Try again in %(minutes)d minutes.")
            % {"minutes": int(VERIFY_FAILURE_WINDOW.total_seconds() // 60)},
            code="too_many_failures",
        )
    normalised = codes.voucher_code_normalise(code)
    if normalised is None:
        _attempt(link=link, code=code, outcome=Outcome.MALFORMED, request=request)
        message = _("This is not a valid voucher code.")
        raise ValidationFailed(message, code="malformed_code", fields={"code": [message]})
    voucher = Voucher.objects.filter(code=normalised, merchant=link.merchant).first()
    if voucher is None:
        _attempt(link=link, code=normalised, outcome=Outcome.UNKNOWN, request=request)
        raise NotFound(_("No voucher with this code."), code="unknown_code")

    with transaction.atomic():
        done = Voucher.objects.filter(pk=voucher.pk, status=Voucher.Status.ISSUED, expires_at__gt=now).update(
            status=Voucher.Status.VERIFIED,
            verified_at=now,
            verified_by=user,
            verified_outlet=link.outlet,
            updated_at=now,
        )
        if done:
            _attempt(link=link, code=normalised, outcome=Outcome.VERIFIED, voucher=voucher, request=request)
            voucher.refresh_from_db()
            transaction.on_commit(lambda: voucher_verified.send(sender=Voucher, voucher=voucher))
            return voucher

    voucher.refresh_from_db()
    if voucher.status == Voucher.Status.VERIFIED:
        _attempt(link=link, code=normalised, outcome=Outcome.ALREADY_USED, voucher=voucher, request=request)
        raise _already_used(voucher)
    _attempt(link=link, code=normalised, outcome=Outcome.EXPIRED, voucher=voucher, request=request)
    raise Conflict(_("This voucher has expired."), code="expired")


def _already_used(voucher: Voucher) -> Conflict:
    where = voucher.verified_outlet.name if voucher.verified_outlet else _("the event booth")
    verified_at = voucher.verified_at or timezone.now()  # always set for a verified voucher (db check)
    when = date_format(timezone.localtime(verified_at), "Y-m-d H:i")
    return Conflict(
        _("Already used at %(when)s by %(where)s.") % {"when": when, "where": where},
        code="already_used",
        fields={"verified_at": verified_at.isoformat(), "outlet": where},
    )


# --- expiry ------------------------------------------------------------------------------------


def voucher_expire(*, voucher: Voucher, now: datetime | None = None) -> bool:
    """Expire one unused voucher; return its coins to the resident or forfeit them (breakage)."""
    now = now or timezone.now()
    with transaction.atomic():
        done = Voucher.objects.filter(
            pk=voucher.pk, status=Voucher.Status.ISSUED, expires_at__lte=now
        ).update(status=Voucher.Status.EXPIRED, expired_at=now, updated_at=now)
        if not done:
            return False
        voucher = Voucher.objects.select_related("offer", "merchant", "resident").get(pk=voucher.pk)
        key = f"marketplace:expire:{voucher.pk}"
        merchant_account = _merchant_account(voucher.merchant)
        if voucher.offer.expiry_policy == Offer.ExpiryPolicy.REFUND:
            transfer = ledger.transfer_reverse(
                transfer=int(voucher.redeem_transfer_id),
                idempotency_key=key,
                memo=_("Unused voucher expired: coins returned"),
            )
        else:
            transfer = ledger.transfer_post(
                debit=merchant_account,
                credit=ledger.breakage_of(voucher.centre),
                amount=voucher.price_coins,
                kind=TransferKind.EXPIRY,
                idempotency_key=key,
                cause=voucher,
                memo=_("Unused voucher expired: coins forfeited"),
            )
        Voucher.objects.filter(pk=voucher.pk).update(expiry_transfer_id=str(transfer.pk))
        if voucher.funding_pool_id is not None:
            pools.release(voucher_id=voucher.pk)  # the pool's reserved share is free again
    return True


def vouchers_expire(*, now: datetime | None = None, batch: int = 500) -> int:
    now = now or timezone.now()
    count = 0
    due = Voucher.objects.filter(status=Voucher.Status.ISSUED, expires_at__lte=now).order_by("expires_at")
    for voucher in due[:batch]:
        try:
            count += voucher_expire(voucher=voucher, now=now)
        except ServiceError:  # e.g. the coins already left the merchant account: retried next run
            logger.exception("voucher %s could not be expired", voucher.pk)
    return count


# --- event booth -------------------------------------------------------------------------------


def event_booth_redeem(
    *,
    event: Event,
    user: User,
    resident_token: str,
    offer_id: uuid.UUID | str,
    idempotency_key: str | None = None,
    request: HttpRequest | None = None,
) -> Voucher:
    """Booth staff redeem an event offer for a resident present with their personal QR code.

    The voucher is issued and handed over on the spot (verified at once, outlet empty).
    """
    resident_id = codes.resident_token_read(resident_token)
    resident = (
        User.objects.filter(pk=resident_id, is_active=True, centre=event.centre).first()
        if resident_id
        else None
    )
    if resident is None or not resident.is_resident:
        message = _("This personal code is not valid (expired, forged or from another centre).")
        raise ValidationFailed(message, code="invalid_resident_code", fields={"resident_token": [message]})
    if not event.is_on():
        raise Conflict(_("The event is not open."), code="event_closed")
    offer = Offer.objects.filter(pk=offer_id, event=event).first()
    if offer is None:
        raise NotFound(_("No such offer."), code="offer_not_found")
    link = selectors.staff_link(user)
    if not user.is_centre_staff and (link is None or link.merchant_id != offer.merchant_id):
        raise NotFound(_("No such offer."), code="offer_not_found")
    with transaction.atomic():
        voucher = voucher_redeem(
            offer_id=offer.pk, resident=resident, issued_by=user, event=event, idempotency_key=idempotency_key
        )
        now = timezone.now()
        handed_over = Voucher.objects.filter(pk=voucher.pk, status=Voucher.Status.ISSUED).update(
            status=Voucher.Status.VERIFIED,
            verified_at=now,
            verified_by=user,
            verified_outlet=link.outlet if link else None,
            updated_at=now,
        )
        voucher.refresh_from_db()
        if handed_over:  # not on a replay of the same request
            audit_record(
                actor=user, action="event.booth_redeem", target=voucher, centre=event.centre, request=request
            )
            transaction.on_commit(lambda: voucher_verified.send(sender=Voucher, voucher=voucher))
    return voucher
