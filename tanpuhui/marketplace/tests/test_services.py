from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from freezegun import freeze_time

from tanpuhui.common.errors import Conflict, NotFound, TooManyRequests, ValidationFailed
from tanpuhui.common.models import AuditEvent
from tanpuhui.funding.models import FundingPool
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.errors import InsufficientCoins
from tanpuhui.ledger.models import Account, AccountKind
from tanpuhui.marketplace import selectors, services
from tanpuhui.marketplace.models import Merchant, MerchantStaff, Offer, VerificationAttempt, Voucher
from tanpuhui.marketplace.tests.factories import OfferFactory, make_uscc

pytestmark = pytest.mark.django_db


def balance(account) -> int:
    return Account.objects.get(pk=account.pk).balance


def merchant_account(merchant):
    return ledger.account_get_or_create(kind=AccountKind.MERCHANT, centre=merchant.centre, owner=merchant)


# --- onboarding ------------------------------------------------------------------------------------


def test_apply_then_approve_makes_applicant_manager(gz, resident, gz_operator):
    merchant = services.merchant_apply(
        applicant=resident,
        centre=gz,
        name="绿色灯具",
        licence_number=make_uscc(42).lower(),
        contact_name="王",
        contact_phone="020-1234567",
        outlets=[{"name": "北京路店", "address": "越秀区北京路1号"}],
    )
    assert merchant.status == Merchant.Status.PENDING
    assert merchant.licence_number == make_uscc(42)
    services.merchant_review(merchant=merchant, actor=gz_operator, approve=True)
    link = MerchantStaff.objects.get(user=resident)
    assert link.role == MerchantStaff.Role.MANAGER and link.merchant == merchant
    assert AuditEvent.objects.filter(action="merchant.approve", target_id=str(merchant.pk)).exists()
    with pytest.raises(Conflict):  # decided once
        services.merchant_review(merchant=merchant, actor=gz_operator, approve=False, reason="x")


def test_apply_refuses_bad_licence_and_duplicates(gz, resident, gz_operator):
    kwargs = dict(
        applicant=resident,
        centre=gz,
        name="a",
        contact_name="b",
        contact_phone="1234567",
        outlets=[{"name": "n", "address": "a"}],
    )
    with pytest.raises(ValidationFailed) as bad:
        services.merchant_apply(licence_number="91440101000000000X", **kwargs)
    assert bad.value.code == "invalid_licence"
    services.merchant_apply(licence_number=make_uscc(5), **kwargs)
    with pytest.raises(Conflict):
        services.merchant_apply(licence_number=make_uscc(5), **kwargs)
    assert Merchant.objects.count() == 1


def test_reject_needs_reason_and_is_audited(gz, resident, gz_operator):
    merchant = services.merchant_apply(
        applicant=resident,
        centre=gz,
        name="a",
        licence_number=make_uscc(9),
        contact_name="b",
        contact_phone="1234567",
        outlets=[{"name": "n", "address": "a"}],
    )
    with pytest.raises(ValidationFailed):
        services.merchant_review(merchant=merchant, actor=gz_operator, approve=False, reason=" ")
    services.merchant_review(merchant=merchant, actor=gz_operator, approve=False, reason="执照过期")
    merchant.refresh_from_db()
    assert merchant.status == Merchant.Status.REJECTED and merchant.review_reason == "执照过期"
    assert not MerchantStaff.objects.filter(user=resident).exists()
    assert AuditEvent.objects.get(action="merchant.reject").data == {"reason": "执照过期"}


def test_manager_creates_cashier_for_own_outlet_only(manager, other_merchant):
    from tanpuhui.marketplace.tests.factories import OutletFactory

    foreign = OutletFactory(merchant=other_merchant)
    with pytest.raises(ValidationFailed):
        services.merchant_staff_create(
            manager=manager,
            phone="13611112222",
            display_name="收银",
            password="good-pass-2016",
            role="cashier",
            outlet_id=foreign.pk,
        )
    link = services.merchant_staff_create(
        manager=manager,
        phone="13611112222",
        display_name="收银",
        password="good-pass-2016",
        role="cashier",
        outlet_id=manager.outlet_id,
    )
    assert link.user.has_role("merchant_staff") and link.merchant == manager.merchant
    with pytest.raises(Exception):  # noqa: B017 - a cashier may not add staff
        services.merchant_staff_create(
            manager=link,
            phone="13611113333",
            display_name="x",
            password="good-pass-2016",
            role="cashier",
            outlet_id=None,
        )


def test_offer_draft_submit_approve(manager, gz_operator):
    now = timezone.now()
    offer = services.offer_create(
        staff=manager,
        title="大米5kg",
        category="groceries",
        price_coins=300,
        stock=10,
        valid_from=now,
        valid_until=now + timedelta(days=10),
        yuan_value=Decimal("25.00"),
    )
    assert offer.status == Offer.Status.DRAFT
    services.offer_submit(staff=manager, offer=offer)
    services.offer_review(offer=offer, actor=gz_operator, approve=True)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.APPROVED
    with pytest.raises(Conflict):
        services.offer_update(staff=manager, offer=offer, title="改")


def test_offer_window_and_foreign_pool_refused(manager, zs):
    now = timezone.now()
    pool = FundingPool.objects.create(
        centre=zs, name_zh="中山补贴", name_en="ZS", source="government_subsidy"
    )
    with pytest.raises(ValidationFailed) as window:
        services.offer_create(
            staff=manager,
            title="x",
            category="groceries",
            price_coins=1,
            stock=1,
            valid_from=now,
            valid_until=now - timedelta(days=1),
            yuan_value=1,
        )
    assert "valid_until" in window.value.fields
    with pytest.raises(ValidationFailed) as foreign:
        services.offer_create(
            staff=manager,
            title="x",
            category="groceries",
            price_coins=1,
            stock=1,
            valid_from=now,
            valid_until=now + timedelta(days=1),
            yuan_value=1,
            funding_pool=pool,
        )
    assert "funding_pool" in foreign.value.fields


# --- redemption ------------------------------------------------------------------------------------


def test_redeem_moves_coins_and_stock_together(rich_resident, offer):
    wallet = ledger.wallet_of(rich_resident)
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    offer.refresh_from_db()
    assert offer.redeemed == 1
    assert balance(wallet) == 990
    assert balance(merchant_account(offer.merchant)) == 10
    assert voucher.status == Voucher.Status.ISSUED and voucher.expires_at > timezone.now()
    assert len(voucher.code) == 12


# Offsets from the moment the test runs (not from collection: a long suite can take longer than the
# offset, which once let a flash sale "5 minutes from now" start before its test ran).
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"valid_from": timedelta(hours=1), "valid_until": timedelta(days=1)}, "not_started"),
        ({"flash_starts_at": timedelta(minutes=5)}, "not_started"),
        ({"valid_from": -timedelta(days=2), "valid_until": -timedelta(days=1)}, "ended"),
        ({"stock": 0}, "sold_out"),
    ],
)
def test_redeem_refusals_change_nothing(rich_resident, offer, changes, code):
    now = timezone.now()
    changes = {k: now + v if isinstance(v, timedelta) else v for k, v in changes.items()}
    Offer.objects.filter(pk=offer.pk).update(**changes)
    with pytest.raises(Conflict) as refused:
        services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    assert refused.value.code == code
    assert Voucher.objects.count() == 0
    assert balance(ledger.wallet_of(rich_resident)) == 1000


def test_limit_reached_and_insufficient_coins(rich_resident, resident, offer):
    services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    with pytest.raises(Conflict) as limit:
        services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    assert limit.value.code == "limit_reached"
    poor = OfferFactory(merchant=offer.merchant, price_coins=5000)
    with pytest.raises(InsufficientCoins):
        services.voucher_redeem(offer_id=poor.pk, resident=rich_resident)
    poor.refresh_from_db()
    assert poor.redeemed == 0  # the reservation rolled back with the refused transfer
    assert Voucher.objects.filter(offer=poor).count() == 0


def test_other_centre_or_unapproved_offer_is_not_found(other_resident, offer, rich_resident):
    with pytest.raises(NotFound):
        services.voucher_redeem(offer_id=offer.pk, resident=other_resident)
    Offer.objects.filter(pk=offer.pk).update(status=Offer.Status.PENDING)
    with pytest.raises(NotFound):
        services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)


def test_same_idempotency_key_returns_same_voucher(rich_resident, offer):
    Offer.objects.filter(pk=offer.pk).update(per_resident_limit=5)
    first = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident, idempotency_key="k1")
    again = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident, idempotency_key="k1")
    assert first.pk == again.pk
    assert balance(ledger.wallet_of(rich_resident)) == 990


# --- verification ----------------------------------------------------------------------------------


def test_verify_once_then_already_used_with_time_and_outlet(rich_resident, offer, cashier):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    received = []

    def on_verified(sender, voucher, **kwargs):
        received.append(voucher.pk)

    services.voucher_verified.connect(on_verified)
    try:
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            done = services.voucher_verify(user=cashier, code=voucher.display_code.lower())
    finally:
        services.voucher_verified.disconnect(on_verified)
    assert done.status == Voucher.Status.VERIFIED and received == [voucher.pk]
    with pytest.raises(Conflict) as again:
        services.voucher_verify(user=cashier, code=voucher.code)
    assert again.value.code == "already_used"
    assert "体育西店" in again.value.message
    outcomes = list(VerificationAttempt.objects.order_by("at", "id").values_list("outcome", flat=True))
    assert outcomes == ["verified", "already_used"]


def test_other_merchants_code_answers_like_unknown(rich_resident, offer, other_cashier):
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    with pytest.raises(NotFound) as foreign:
        services.voucher_verify(user=other_cashier, code=voucher.code)
    with pytest.raises(NotFound) as unknown:
        services.voucher_verify(user=other_cashier, code="0000-0000-0000")
    assert foreign.value.code == unknown.value.code == "unknown_code"
    assert foreign.value.message == unknown.value.message
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_malformed_code_and_throttle(cashier):
    with pytest.raises(ValidationFailed) as bad:
        services.voucher_verify(user=cashier, code="not-a-code")
    assert bad.value.code == "malformed_code"
    for _ in range(services.VERIFY_FAILURE_LIMIT - 1):
        with pytest.raises(NotFound):
            services.voucher_verify(user=cashier, code="0000-0000-0000")
    with pytest.raises(TooManyRequests):
        services.voucher_verify(user=cashier, code="0000-0000-0000")
    later = timezone.now() + services.VERIFY_FAILURE_WINDOW + timedelta(seconds=1)
    with freeze_time(later), pytest.raises(NotFound):
        services.voucher_verify(user=cashier, code="0000-0000-0000")


def test_non_staff_cannot_verify(resident):
    from tanpuhui.common.errors import Forbidden

    with pytest.raises(Forbidden):
        services.voucher_verify(user=resident, code="0000-0000-0000")


# --- expiry ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", ["refund", "forfeit"])
def test_expiry_returns_or_forfeits_coins(rich_resident, offer, cashier, policy):
    Offer.objects.filter(pk=offer.pk).update(expiry_policy=policy, voucher_valid_days=1)
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    assert services.vouchers_expire() == 0
    later = timezone.now() + timedelta(days=2)
    assert services.vouchers_expire(now=later) == 1
    assert services.vouchers_expire(now=later) == 0  # once
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.EXPIRED and voucher.expiry_transfer_id
    wallet = balance(ledger.wallet_of(rich_resident))
    breakage = balance(ledger.breakage_of(offer.centre))
    assert (wallet, breakage) == ((1000, 0) if policy == "refund" else (990, 10))
    assert balance(merchant_account(offer.merchant)) == 0
    with pytest.raises(Conflict) as late:
        services.voucher_verify(user=cashier, code=voucher.code)
    assert late.value.code == "expired"


# --- settlement ------------------------------------------------------------------------------------


def test_settlement_per_funding_source(rich_resident, offer, cashier, gz):
    pool = FundingPool.objects.create(
        centre=gz,
        name_zh="广州市政府补贴",
        name_en="GZ",
        source="government_subsidy",
        budget_yuan=Decimal("100"),
    )
    pooled = OfferFactory(merchant=offer.merchant, funding_pool=pool, yuan_value="12.50")
    v1 = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    v2 = services.voucher_redeem(offer_id=pooled.pk, resident=rich_resident)
    services.voucher_verify(user=cashier, code=v1.code)
    services.voucher_verify(user=cashier, code=v2.code)
    now = timezone.now()
    lines = selectors.settlement_lines(
        Merchant.objects.filter(pk=offer.merchant_id),
        start=now - timedelta(hours=1),
        end=now + timedelta(hours=1),
    )
    by_source = {ln.funding_source: (ln.vouchers, ln.yuan) for ln in lines}
    assert by_source == {"merchant": (1, Decimal("5.00")), "广州市政府补贴": (1, Decimal("12.50"))}
    assert selectors.pool_verified_yuan(pool) == Decimal("12.50")


def test_booth_redeem_hands_over_once_per_request(gz, rich_resident, offer, cashier):
    from tanpuhui.marketplace import codes
    from tanpuhui.marketplace.models import Event

    event = Event.objects.create(
        centre=gz,
        name="低碳日",
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    Offer.objects.filter(pk=offer.pk).update(event=event)
    token = codes.resident_token(rich_resident)
    first = services.event_booth_redeem(
        event=event, user=cashier, resident_token=token, offer_id=offer.pk, idempotency_key="booth-1"
    )
    again = services.event_booth_redeem(
        event=event, user=cashier, resident_token=token, offer_id=offer.pk, idempotency_key="booth-1"
    )
    assert first.pk == again.pk and again.status == Voucher.Status.VERIFIED
    assert again.verified_outlet.name == "体育西店"
    assert AuditEvent.objects.filter(action="event.booth_redeem").count() == 1
    assert balance(ledger.wallet_of(rich_resident)) == 990
    Event.objects.filter(pk=event.pk).update(
        ends_at=timezone.now() - timedelta(minutes=1), starts_at=timezone.now() - timedelta(hours=2)
    )
    event.refresh_from_db()
    with pytest.raises(Conflict) as closed:
        services.event_booth_redeem(event=event, user=cashier, resident_token=token, offer_id=offer.pk)
    assert closed.value.code == "event_closed"


def test_expiry_runs_on_the_beat_schedule(rich_resident, offer):
    from django.conf import settings

    from tanpuhui.marketplace import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["marketplace-expire-vouchers"]
    assert entry["task"] == "tanpuhui.marketplace.tasks.expire_vouchers"
    voucher = services.voucher_redeem(offer_id=offer.pk, resident=rich_resident)
    Voucher.objects.filter(pk=voucher.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.expire_vouchers.delay().get() == 1
    assert Voucher.objects.get(pk=voucher.pk).status == Voucher.Status.EXPIRED
