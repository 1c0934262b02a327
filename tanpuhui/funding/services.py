"""Funding operations: pools (budgets, donations, voucher draws), campaigns, crowdfunding, causes.

Coins move only through ``funding.coins`` (the ledger), and a pool's coins are only there (its ledger
account, and its hold account for issued vouchers): the ledger's floor keeps a pool from being
overdrawn. The yuan counters move with one conditional UPDATE each, under CheckConstraints.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import Conflict, NotFound, Unprocessable, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.funding import coins as ledger
from tanpuhui.funding.models import (
    Campaign,
    Cause,
    CauseDonation,
    CauseUpdate,
    CrowdfundingProject,
    FundingPool,
    Pledge,
    PoolMovement,
)
from tanpuhui.funding.selectors import coins_per_yuan, pool_coins_of
from tanpuhui.ledger import rules
from tanpuhui.ledger import services as coin_ledger
from tanpuhui.ledger.models import Account, Transfer, TransferKind
from tanpuhui.ledger.services import Leg
from tanpuhui.marketplace.models import Voucher
from tanpuhui.marketplace.pools import Reservation
from tanpuhui.metering.models import Reduction
from tanpuhui.methodology.formulas import round_kg
from tanpuhui.tenancy.models import Centre

Source = FundingPool.Source

# Documented centre parameter (tenancy.Centre.parameters):
#   coins_per_yuan — coins a yuan of reward is worth, to report yuan pools in coins (default 100;
#                    read by funding.selectors.coins_per_yuan)
# (coins_per_kg, the rate for donated kg without a conversion rule, is the ledger's: ledger.rules.)


def coins_per_kg(*, centre: Centre) -> tuple[Decimal, str]:
    """The rate turning kg CO2e into coins at ``centre`` today, and which rule it came from: the
    ledger's (``ledger.rules.coins_per_kg_in_force``), the same rate residents' reductions earn."""
    return rules.coins_per_kg_in_force(centre=centre)


# --- pools -----------------------------------------------------------------------------------------


@transaction.atomic
def pool_create(
    *, centre: Centre, source: str, name_zh: str, name_en: str, actor: User | None, sponsor: str = ""
) -> FundingPool:
    if source not in Source.values:
        raise ValidationFailed(_("Unknown pool source."), fields={"source": [_("Unknown pool source.")]})
    pool = FundingPool.objects.create(
        centre=centre, source=source, name_zh=name_zh, name_en=name_en, sponsor=sponsor
    )
    audit_record(actor=actor, action="pool.create", target=pool)
    return pool


def donation_pool_for(*, centre: Centre) -> FundingPool:
    pool = (
        FundingPool.objects.filter(centre=centre, source=Source.ENTERPRISE_DONATION)
        .order_by("created_at")
        .first()
    )
    if pool is None:
        pool = FundingPool.objects.create(
            centre=centre,
            source=Source.ENTERPRISE_DONATION,
            name_zh=f"{centre.name_zh}企业减排捐赠池",
            name_en=f"{centre.name_en} enterprise donation pool",
        )
    return pool


def _movement(
    *,
    pool: FundingPool,
    kind: str,
    reference: str,
    yuan: Decimal = Decimal(0),
    coins: int = 0,
    note: str = "",
    actor: User | None = None,
) -> PoolMovement:
    return PoolMovement.objects.create(
        pool=pool, kind=kind, reference=reference, yuan=yuan, coins=coins, note=note[:300], actor=actor
    )


@transaction.atomic
def pool_appropriate(
    *,
    pool_id: int,
    yuan: Decimal,
    reference: str,
    actor: User | None,
    note: str = "",
    request: HttpRequest | None = None,
) -> FundingPool:
    """Add budget to a yuan pool: an appropriation (subsidy) or a sponsor's top-up (commercial)."""
    pool = FundingPool.objects.select_for_update().filter(pk=pool_id).first()
    if pool is None:
        raise NotFound(_("Not found."))
    if pool.holds_coins:
        raise Conflict(_("A donation pool receives coins, not yuan."), code="wrong_pool_kind")
    yuan = Decimal(yuan)
    if yuan <= 0:
        raise ValidationFailed(
            _("Enter a positive amount."), fields={"yuan": [_("Enter a positive amount.")]}
        )
    kind = (
        PoolMovement.Kind.APPROPRIATION
        if pool.source == Source.GOVERNMENT_SUBSIDY
        else PoolMovement.Kind.SPONSORSHIP
    )
    if PoolMovement.objects.filter(pool=pool, kind=kind, reference=reference).exists():
        raise Conflict(_("This reference was already booked."), code="duplicate_reference")
    FundingPool.objects.filter(pk=pool.pk).update(budget_yuan=F("budget_yuan") + yuan)
    _movement(pool=pool, kind=kind, reference=reference, yuan=yuan, note=note, actor=actor)
    audit_record(
        actor=actor, action="pool.appropriate", target=pool, data={"yuan": str(yuan)}, request=request
    )
    pool.refresh_from_db()
    return pool


def pool_receive_donation(
    *, pool: FundingPool, coins: int, reference: str, actor: User | None = None, cause: Any = None
) -> None:
    """Donated reductions become coins in the pool: minted by the centre's issuer into the pool account.

    The pool's coin figures are its ledger account's (``selectors.pool_coins``): nothing else to count.
    """
    with transaction.atomic():
        if coins > 0:
            ledger.move(
                debit=ledger.issuance_account(pool.centre),
                credit=ledger.pool_account(pool),
                amount=coins,
                kind="issue_to_pool",
                key=f"funding:{reference}",
                memo=f"enterprise donation {reference}",
                actor=actor,
                cause=cause,
            )
        _movement(
            pool=pool,
            kind=PoolMovement.Kind.ENTERPRISE_DONATION,
            reference=reference,
            coins=coins,
            actor=actor,
        )


VOUCHER_CAUSE = "marketplace.voucher"


def _voucher_coins(pool: FundingPool, yuan: Decimal) -> int:
    """What a voucher of ``yuan`` costs a coin pool: yuan × the centre's ``coins_per_yuan``."""
    return int((Decimal(yuan) * coins_per_yuan(centre=pool.centre)).to_integral_value())


def _hold_of(voucher_id: uuid.UUID | str) -> Any:
    return (
        Transfer.objects.filter(kind=TransferKind.HOLD, cause_type=VOUCHER_CAUSE, cause_id=str(voucher_id))
        .order_by("pk")
        .first()
    )


def pool_reserve_for_voucher(*, pool_id: int, yuan: Decimal, voucher_id: uuid.UUID | str) -> Reservation:
    """The marketplace's call inside the redeem transaction: the pool's share of one voucher.

    A yuan pool counts its issued vouchers against the budget (refused with 409 ``pool_exhausted``); the
    pool row is locked for the rest of the transaction (PostgreSQL) so offers sharing a pool cannot
    over-commit it between them. A donation pool reserves in the ledger: the returned leg moves
    ``yuan × coins_per_yuan`` coins from its account to its hold account (kind HOLD), and the caller
    posts it in the SAME posting as the resident's payment (one lock order for all the accounts, all
    or nothing). The reserved coins are then no longer spendable by anyone else (staff rewards, other
    vouchers), and the voucher's verification finds them in the hold. When the ledger refuses the
    posting for lack of coins in ``pool_account_id``, the caller reports ``pool_exhausted``.
    """
    pool = FundingPool.objects.select_for_update().select_related("centre").filter(pk=pool_id).first()
    if pool is None:
        raise NotFound(_("Not found."))
    yuan = Decimal(yuan)
    if pool.holds_coins:
        coins = _voucher_coins(pool, yuan)
        if coins <= 0:
            return Reservation(legs=[])
        source = ledger.pool_account(pool)
        leg = Leg(debit=source, credit=ledger.hold_account(pool), amount=coins, kind="hold")
        return Reservation(legs=[leg], pool_account_id=source.pk)
    outstanding = Voucher.objects.filter(funding_pool_id=pool.pk, status=Voucher.Status.ISSUED).aggregate(
        s=Sum("yuan_value")
    )["s"] or Decimal(0)
    if pool.yuan_remaining < yuan + outstanding:
        raise pool_exhausted()
    return Reservation(legs=[])


def pool_exhausted() -> Conflict:
    return Conflict(_("The funding pool for this offer is exhausted."), code="pool_exhausted")


def pool_release_for_voucher(*, voucher_id: uuid.UUID | str) -> None:
    """An unused voucher expired: its reserved coins go back to the pool (the hold is reversed). Once."""
    hold = _hold_of(voucher_id)
    if hold is None:  # a yuan pool, or a voucher issued before reservations were kept in the ledger
        return
    coin_ledger.transfer_reverse(
        transfer=hold, idempotency_key=f"funding:release:{voucher_id}", memo=f"voucher {voucher_id} expired"
    )


def pool_draw_for_voucher(
    *, pool_id: int, yuan: Decimal, reference: str, voucher_id: uuid.UUID | str | None = None
) -> PoolMovement:
    """The marketplace's hook when a voucher funded by ``pool_id`` is verified (核销).

    Yuan pools: ``yuan_spent`` grows by the voucher's yuan value, never past the budget. A donation pool
    pays in coins, which are retired: the coins reserved at redemption leave the pool's hold account
    (exactly the reserved amount, so this cannot fail for lack of coins). A voucher without a
    reservation (issued before reservations were kept in the ledger, or a direct call) pays
    ``yuan × coins_per_yuan`` from the pool's spendable coins, or is refused ``pool_exhausted``.
    Idempotent per reference: a repeated hook returns the first movement.
    """
    yuan = Decimal(yuan)
    existing = PoolMovement.objects.filter(
        pool_id=pool_id, kind=PoolMovement.Kind.VOUCHER, reference=reference
    ).first()
    if existing is not None:
        return existing
    exhausted = Conflict(_("The funding pool is exhausted."), code="pool_exhausted")
    try:
        with transaction.atomic():
            pool = FundingPool.objects.select_related("centre").filter(pk=pool_id).first()
            if pool is None:
                raise NotFound(_("Not found."))
            if pool.holds_coins:
                hold = _hold_of(voucher_id) if voucher_id is not None else None
                if hold is not None:
                    source, coins = ledger.hold_account(pool), int(hold.amount)
                else:
                    source, coins = ledger.pool_account(pool), _voucher_coins(pool, yuan)
                try:
                    ledger.move(
                        debit=source,
                        credit=ledger.retired_account(pool.centre),
                        amount=coins,
                        kind="settlement",
                        key=f"funding:voucher:{pool.pk}:{reference}",
                        memo=f"voucher {reference}",
                        cause=(VOUCHER_CAUSE, str(voucher_id)) if hold is not None else None,
                    )
                except ledger.InsufficientCoins as exc:
                    raise exhausted from exc
                return _movement(pool=pool, kind=PoolMovement.Kind.VOUCHER, reference=reference, coins=-coins)
            updated = FundingPool.objects.filter(pk=pool.pk, budget_yuan__gte=F("yuan_spent") + yuan).update(
                yuan_spent=F("yuan_spent") + yuan
            )
            if updated != 1:
                raise exhausted
            return _movement(pool=pool, kind=PoolMovement.Kind.VOUCHER, reference=reference, yuan=-yuan)
    except IntegrityError:
        return PoolMovement.objects.get(pool_id=pool_id, kind=PoolMovement.Kind.VOUCHER, reference=reference)


# --- campaigns -------------------------------------------------------------------------------------


def _campaign_days(starts_at: datetime, ends_at: datetime) -> tuple[date, date]:
    """The days a campaign covers (the ledger applies multipliers by the day a reduction's period ends)."""
    return (
        timezone.localtime(starts_at).date(),
        timezone.localtime(ends_at - timedelta(microseconds=1)).date(),
    )


def campaign_preview(
    *,
    centre: Centre,
    pool: FundingPool,
    behaviours: list[str],
    multiplier: Decimal,
    starts_at: datetime,
    ends_at: datetime,
) -> dict[str, Any]:
    """Expected extra coins: last 30 days' reductions of those behaviours at the centre, per day, × days × rate × (m − 1)."""
    since = timezone.localdate() - timedelta(days=30)
    kg = Reduction.objects.filter(centre=centre, behaviour__in=behaviours, period_end__gte=since).aggregate(
        s=Sum("kg_co2e")
    )["s"] or Decimal(0)
    days = max(Decimal(1), Decimal((ends_at - starts_at).total_seconds()) / Decimal(86400))
    rate, rule = coins_per_kg(centre=centre)
    extra = int((Decimal(kg) / 30 * days * rate * (Decimal(multiplier) - 1)).to_integral_value())
    if pool.holds_coins:
        available = pool_coins_of(pool).balance
    else:
        available = int(pool.yuan_remaining * coins_per_yuan(centre=centre))
    return {
        "kg_last_30_days": str(round_kg(Decimal(kg))),
        "days": str(days.quantize(Decimal("0.01"))),
        "coins_per_kg": str(rate),
        "rule": rule,
        "expected_extra_coins": extra,
        "pool_available_coins": available,
        "affordable": extra <= available,
    }


@transaction.atomic
def campaign_create(
    *,
    centre: Centre,
    pool_id: int,
    actor: User,
    kind: str,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    behaviours: list[str],
    multiplier: Decimal = Decimal(1),
    description: str = "",
) -> Campaign:
    pool = FundingPool.objects.filter(pk=pool_id, centre=centre).first()
    if pool is None:
        raise NotFound(_("No such funding pool at this centre."))
    if ends_at <= starts_at:
        raise ValidationFailed(
            _("The campaign ends before it starts."),
            fields={"ends_at": [_("The campaign ends before it starts.")]},
        )
    multiplier = Decimal(multiplier)
    starts_on, ends_on = _campaign_days(starts_at, ends_at)
    if kind == Campaign.Kind.MULTIPLIER:
        if not behaviours:
            raise ValidationFailed(
                _("Choose the behaviours."), fields={"behaviours": [_("Choose the behaviours.")]}
            )
        # The ledger owns the bound and the overlap policy (ledger.rules): checked before the cost.
        multiplier = rules.multiplier_check(
            centre=centre, behaviours=behaviours, starts_on=starts_on, ends_on=ends_on, factor=multiplier
        )
    else:
        multiplier = Decimal(1)
    preview = campaign_preview(
        centre=centre,
        pool=pool,
        behaviours=behaviours,
        multiplier=multiplier,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    if not preview["affordable"]:
        raise Unprocessable(
            _("The expected cost is more than the pool can pay."),
            code="pool_insufficient",
            fields={"preview": [str(preview)]},
        )
    campaign = Campaign.objects.create(
        centre=centre,
        pool=pool,
        kind=kind,
        name=name,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        behaviours=behaviours,
        multiplier=multiplier,
        preview_coins=preview["expected_extra_coins"],
        preview=preview,
        created_by=actor,
    )
    if kind == Campaign.Kind.MULTIPLIER:
        # The ledger's conversion applies the multiplier (one row per behaviour, cause = this campaign).
        rules.campaign_multipliers_create(
            centre=centre,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            factor=multiplier,
            behaviours=behaviours,
            cause=campaign,
        )
    audit_record(actor=actor, action="campaign.create", target=campaign)
    return campaign


# --- crowdfunding ----------------------------------------------------------------------------------


@transaction.atomic
def crowdfunding_create(
    *,
    centre: Centre,
    actor: User,
    kind: str,
    title: str,
    target_coins: int,
    deadline: datetime,
    description: str = "",
) -> CrowdfundingProject:
    if target_coins <= 0:
        raise ValidationFailed(
            _("Set a positive target."), fields={"target_coins": [_("Set a positive target.")]}
        )
    if deadline <= timezone.now():
        raise ValidationFailed(
            _("The deadline must be in the future."),
            fields={"deadline": [_("The deadline must be in the future.")]},
        )
    project = CrowdfundingProject.objects.create(
        centre=centre,
        kind=kind,
        title=title,
        description=description,
        target_coins=target_coins,
        deadline=deadline,
        created_by=actor,
    )
    audit_record(actor=actor, action="crowdfunding.create", target=project)
    return project


def pledge_create(*, project_id: uuid.UUID | str, resident: User, coins: int, idempotency_key: str) -> Pledge:
    """Move coins from the resident's wallet into the project's escrow, under a lock on the project row.

    The lock orders a pledge against settlement: a pledge either commits before the deadline (and
    settlement then sees it) or finds the deadline passed and is refused — no coin is lost between them.
    """
    existing = Pledge.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if (
            existing.resident_id != resident.pk
            or existing.project_id != project_id
            or existing.coins != coins
        ):
            raise Unprocessable(
                _("This idempotency key was used for a different request."), code="idempotency_mismatch"
            )
        return existing
    if coins <= 0:
        raise ValidationFailed(
            _("Pledge a positive number of coins."),
            fields={"coins": [_("Pledge a positive number of coins.")]},
        )
    if resident.centre_id is None:
        raise NotFound(_("Not found."))
    with transaction.atomic():
        project = (
            CrowdfundingProject.objects.select_for_update()
            .filter(pk=project_id, centre_id=resident.centre_id)
            .first()
        )
        if project is None:
            raise NotFound(_("Not found."))
        if project.status != CrowdfundingProject.Status.OPEN or timezone.now() >= project.deadline:
            raise Conflict(
                _("This project no longer takes pledges: its deadline has passed."), code="deadline_passed"
            )
        pledge = Pledge.objects.create(
            project=project, resident=resident, coins=coins, idempotency_key=idempotency_key
        )
        _resident_pays(
            resident=resident,
            credit=ledger.escrow_account(project),
            coins=coins,
            kind="pledge",
            key=f"pledge:{pledge.pk}",
            memo=project.title,
            cause=pledge,
        )
        CrowdfundingProject.objects.filter(pk=project.pk).update(pledged_coins=F("pledged_coins") + coins)
        project.refresh_from_db()
        if project.pledged_coins >= project.target_coins:
            _release(project)
    return pledge


def _resident_pays(
    *, resident: User, credit: Account, coins: int, kind: str, key: str, memo: str, cause: Any
) -> None:
    """Move a resident's own coins (pledge, donation); "not enough" is reported on the coins field."""
    try:
        ledger.move(
            debit=ledger.wallet(resident),
            credit=credit,
            amount=coins,
            kind=kind,
            key=key,
            memo=memo,
            actor=resident,
            cause=cause,
        )
    except ledger.InsufficientCoins as exc:
        raise Conflict(
            _("You don't have that many coins."),
            code="insufficient_coins",
            fields={"coins": [_("You don't have that many coins.")]},
        ) from exc


def _release(project: CrowdfundingProject) -> None:
    held = project.pledges.filter(status=Pledge.Status.HELD)
    total = held.aggregate(s=Sum("coins"))["s"] or 0
    if total:
        ledger.move(
            debit=ledger.escrow_account(project),
            credit=ledger.project_account(project),
            amount=total,
            kind="release",
            key=f"crowdfund-release:{project.pk}",
            memo=project.title,
            cause=project,
        )
    held.update(status=Pledge.Status.RELEASED)
    project.status = CrowdfundingProject.Status.SUCCEEDED
    project.settled_at = timezone.now()
    project.save(update_fields=["status", "settled_at", "updated_at"])


def crowdfunding_settle(*, project_id: uuid.UUID | str) -> CrowdfundingProject:
    """After the deadline: release if the target was met, else refund every pledge. Safe to run again."""
    with transaction.atomic():
        project = CrowdfundingProject.objects.select_for_update().get(pk=project_id)
        if project.status != CrowdfundingProject.Status.OPEN or timezone.now() < project.deadline:
            return project
        if project.pledged_coins >= project.target_coins:
            _release(project)
            return project
        for pledge in project.pledges.select_related("resident").filter(status=Pledge.Status.HELD):
            ledger.move(
                debit=ledger.escrow_account(project),
                credit=ledger.wallet(pledge.resident),
                amount=pledge.coins,
                kind="refund",
                key=f"pledge-refund:{pledge.pk}",
                memo=project.title,
                cause=pledge,
            )
            pledge.status = Pledge.Status.REFUNDED
            pledge.save(update_fields=["status", "updated_at"])
        project.status = CrowdfundingProject.Status.FAILED
        project.settled_at = timezone.now()
        project.save(update_fields=["status", "settled_at", "updated_at"])
        return project


def crowdfunding_settle_due() -> int:
    due = CrowdfundingProject.objects.filter(
        status=CrowdfundingProject.Status.OPEN, deadline__lte=timezone.now()
    )
    count = 0
    for pk in due.values_list("pk", flat=True):
        crowdfunding_settle(project_id=pk)
        count += 1
    return count


# --- public welfare --------------------------------------------------------------------------------


@transaction.atomic
def cause_create(*, centre: Centre, actor: User, kind: str, title: str, description: str = "") -> Cause:
    cause = Cause.objects.create(centre=centre, kind=kind, title=title, description=description)
    audit_record(actor=actor, action="cause.create", target=cause)
    return cause


def cause_donate(
    *, cause_id: uuid.UUID | str, resident: User, coins: int, idempotency_key: str
) -> CauseDonation:
    existing = CauseDonation.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.resident_id != resident.pk or existing.cause_id != cause_id or existing.coins != coins:
            raise Unprocessable(
                _("This idempotency key was used for a different request."), code="idempotency_mismatch"
            )
        return existing
    if coins <= 0:
        raise ValidationFailed(
            _("Donate a positive number of coins."),
            fields={"coins": [_("Donate a positive number of coins.")]},
        )
    if resident.centre_id is None:
        raise NotFound(_("Not found."))
    with transaction.atomic():
        cause = Cause.objects.filter(pk=cause_id, centre_id=resident.centre_id, active=True).first()
        if cause is None:
            raise NotFound(_("Not found."))
        donation = CauseDonation.objects.create(
            cause=cause, resident=resident, coins=coins, idempotency_key=idempotency_key
        )
        _resident_pays(
            resident=resident,
            credit=ledger.cause_account(cause),
            coins=coins,
            kind="donation",
            key=f"cause-donation:{donation.pk}",
            memo=cause.title,
            cause=donation,
        )
        Cause.objects.filter(pk=cause.pk).update(donated_coins=F("donated_coins") + coins)
    return donation


@transaction.atomic
def cause_update_publish(
    *, cause: Cause, actor: User, title: str, body: str, coins_spent: int = 0
) -> CauseUpdate:
    update = CauseUpdate.objects.create(
        cause=cause, title=title, body=body, coins_spent=coins_spent, author=actor
    )
    audit_record(actor=actor, action="cause.update", target=cause, data={"title": title})
    return update
