"""The message centre's builders: every credit is its own message, built once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tanpuhui.accounts import services as accounts
from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import BindingFactory
from tanpuhui.ledger.conversion import reductions_convert
from tanpuhui.ledger.models import Account, AccountKind
from tanpuhui.ledger.tests.factories import default_rule, fund, make_reduction
from tanpuhui.marketplace import services as marketplace
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory, make_merchant_staff
from tanpuhui.metering.models import DataProvider
from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload
from tanpuhui.notifications import services
from tanpuhui.notifications.messages import describe
from tanpuhui.notifications.models import Kind, Notification

HEADER = "record_id,card,mode,boarded_at\n"


def trips(card: str, n: int, start: int = 0, mode: str = "metro") -> str:
    day = timezone.localdate() - timedelta(days=2)
    return "".join(
        f"{mode}{start + i},{card},{mode},{day}T{8 + (i % 12):02d}:{i % 60:02d}:00+08:00\n" for i in range(n)
    )


@pytest.fixture
def transit(gz):
    seed_methods(gz)
    default_rule(gz)
    return make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)


def wallet_balance(resident) -> int:
    return Account.objects.get(user=resident, kind=AccountKind.WALLET).balance


@pytest.mark.django_db
class TestCoinsOfARun:
    def test_a_batch_gives_each_resident_one_message_with_trips_kg_and_coins(self, transit, resident):
        BindingFactory(
            resident=resident,
            centre=transit.centre,
            kind=Binding.Kind.TRANSIT_CARD,
            account_number="T100000001",
        )
        batch, _ = upload(
            transit, "transit_trip", HEADER + trips("T100000001", 39) + trips("T100000001", 2, 100, "bus")
        )
        reductions_convert(batch_id=str(batch.pk))
        note = Notification.objects.get(recipient=resident)
        assert note.kind == Kind.COINS_EARNED
        assert note.counts == {"metro": 39, "bus": 2}
        assert note.coins == wallet_balance(resident) > 0
        assert note.kg_co2e == Decimal("39") * Decimal("0.5155") + 2 * Decimal("0.15")
        assert (note.subject, note.matched_late) == (transit.name, False)

    def test_the_message_reads_in_plain_chinese(self, transit, resident, settings):
        BindingFactory(
            resident=resident,
            centre=transit.centre,
            kind=Binding.Kind.TRANSIT_CARD,
            account_number="T100000001",
        )
        batch, _ = upload(transit, "transit_trip", HEADER + trips("T100000001", 39))
        reductions_convert(batch_id=str(batch.pk))
        from django.utils import translation

        with translation.override("zh-hans"):
            message = describe(Notification.objects.get(recipient=resident))
        coins = wallet_balance(resident)
        assert message.title == f"获得 {coins:,} 枚碳币"
        assert message.body.startswith("你乘地铁 39 次，减少二氧化碳排放 20.10 千克。")

    def test_a_late_binding_says_the_waiting_records_are_now_yours(
        self, transit, resident, django_capture_on_commit_callbacks
    ):
        upload(transit, "transit_trip", HEADER + trips("T100000009", 39))
        assert not Notification.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            accounts.binding_create(
                resident=resident, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000009"
            )
        note = Notification.objects.get(recipient=resident)
        assert note.counts == {"metro": 39}
        assert note.matched_late is True
        assert note.coins == wallet_balance(resident) == 201  # 39 × 0.5155 kg × 10 coins, floored

    def test_a_run_notified_twice_adds_nothing_and_runs_without_coins_add_nothing(self, gz, resident):
        default_rule(gz)
        make_reduction(resident, "0.05")  # half a coin: carried forward, no credit to announce
        result = reductions_convert()
        assert services.coins_notify_run(run_id=result.run_ids[0]) == 0
        make_reduction(resident, "2.5")
        result = reductions_convert()
        assert Notification.objects.filter(recipient=resident).count() == 1
        services.coins_notify_run(run_id=result.run_ids[0])
        assert Notification.objects.get(recipient=resident).coins == 25

    def test_a_clawback_is_a_correction_message(self, gz, resident):
        default_rule(gz)
        original = make_reduction(resident, "3")
        reductions_convert()
        make_reduction(resident, "-3", adjusts=original)
        reductions_convert()
        correction = Notification.objects.get(recipient=resident, kind=Kind.COINS_CORRECTED)
        assert correction.coins == -30
        assert wallet_balance(resident) == 0

    def test_two_residents_each_get_their_own_figures(self, gz, resident, other_resident):
        from tanpuhui.accounts.tests.factories import ResidentFactory

        default_rule(gz)
        neighbour = ResidentFactory(centre=gz)
        make_reduction(resident, "1")
        make_reduction(neighbour, "2", behaviour="metro")
        make_reduction(neighbour, "2", behaviour="metro")
        reductions_convert()
        got = {n.recipient_id: (n.coins, n.counts) for n in Notification.objects.all()}
        assert got == {resident.pk: (10, {"bus": 1}), neighbour.pk: (40, {"metro": 2})}


@pytest.mark.django_db
class TestVouchers:
    @pytest.fixture
    def voucher(self, gz, resident):
        fund(resident, 100)
        offer = OfferFactory(merchant=MerchantFactory(centre=gz), price_coins=30, title="五常大米 5 千克")
        return marketplace.voucher_redeem(offer_id=offer.pk, resident=resident)

    def test_redeeming_says_issued(self, voucher, resident):
        note = Notification.objects.get(recipient=resident)
        assert (note.kind, note.coins, note.subject, note.target_id) == (
            Kind.VOUCHER_ISSUED,
            30,
            "五常大米 5 千克",
            str(voucher.pk),
        )

    def test_verifying_says_used(self, voucher, resident, django_capture_on_commit_callbacks):
        cashier = make_merchant_staff(voucher.merchant).user
        with django_capture_on_commit_callbacks(execute=True):
            marketplace.voucher_verify(user=cashier, code=voucher.code)
        assert Notification.objects.filter(recipient=resident, kind=Kind.VOUCHER_USED).count() == 1

    def test_expiring_soon_is_said_once(self, voucher, resident):
        later = voucher.expires_at - timedelta(days=1)
        services.vouchers_notify_expiring(now=later)
        services.vouchers_notify_expiring(now=later + timedelta(hours=1))
        assert Notification.objects.filter(recipient=resident, kind=Kind.VOUCHER_EXPIRING).count() == 1
        assert not services.vouchers_notify_expiring(now=voucher.expires_at - timedelta(days=10))


@pytest.mark.django_db
class TestPledges:
    def _project(self, gz, operator, target):
        from tanpuhui.funding import services as funding

        return funding.crowdfunding_create(
            centre=gz, actor=operator, kind="rooftop_pv", title="社区屋顶光伏", target_coins=target,
            deadline=timezone.now() + timedelta(days=1),
        )  # fmt: skip

    @pytest.mark.parametrize(("target", "kind"), [(50, Kind.PLEDGE_SUCCEEDED), (5000, Kind.PLEDGE_REFUNDED)])
    def test_backers_hear_the_outcome_with_their_coins(self, gz, resident, gz_operator, target, kind):
        from freezegun import freeze_time

        from tanpuhui.funding import services as funding

        fund(resident, 100)
        project = self._project(gz, gz_operator, target)
        funding.pledge_create(project_id=project.pk, resident=resident, coins=40, idempotency_key="p1")
        funding.pledge_create(project_id=project.pk, resident=resident, coins=20, idempotency_key="p2")
        with freeze_time(timezone.now() + timedelta(days=2)):
            funding.crowdfunding_settle(project_id=project.pk)
            funding.crowdfunding_settle(project_id=project.pk)
        note = Notification.objects.get(recipient=resident)
        assert (note.kind, note.coins, note.subject) == (kind, 60, "社区屋顶光伏")


@pytest.mark.django_db
def test_reading_marks_only_the_readers_own(resident, other_resident):
    mine = Notification.objects.create(
        recipient=resident, kind=Kind.COINS_EARNED, cause_type="t", cause_id="1"
    )
    theirs = Notification.objects.create(
        recipient=other_resident, kind=Kind.COINS_EARNED, cause_type="t", cause_id="2"
    )
    services.notification_read(recipient=resident, notification_id=mine.pk)
    from tanpuhui.common.errors import NotFound

    with pytest.raises(NotFound):
        services.notification_read(recipient=resident, notification_id=theirs.pk)
    assert services.notifications_read_all(recipient=other_resident) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is not None
