import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from tanpuhui.common.errors import Conflict, ValidationFailed
from tanpuhui.ledger import conversion, selectors, services
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.conversion import campaign_multiplier_create, reductions_convert
from tanpuhui.ledger.models import CampaignMultiplier, CoinAward, ConversionRun, Transfer, TransferKind
from tanpuhui.ledger.tests.factories import default_rule, make_reduction, merchant_account
from tanpuhui.metering.models import ReductionClaim

pytestmark = pytest.mark.django_db
D = datetime.date


def balance(resident) -> int:
    return services.wallet_of(resident).balance


def test_worked_example_rate_and_fraction_carry(resident, gz):
    # 10 coins per kg: 0.25 kg → 2.5 coins → 2 coins now, 500 milli carried; another 0.25 kg → 3 coins.
    default_rule(gz, "10")
    make_reduction(resident, "0.25")
    reductions_convert()
    wallet = services.wallet_of(resident)
    assert (wallet.balance, wallet.fraction_milli) == (2, 500)
    make_reduction(resident, "0.25")
    reductions_convert()
    wallet.refresh_from_db()
    assert (wallet.balance, wallet.fraction_milli) == (5, 0)
    assert ledger_check().ok


def test_conversion_is_idempotent_and_claims_once(resident, gz):
    default_rule(gz)
    reduction = make_reduction(resident, "1.5")
    first = reductions_convert()
    second = reductions_convert()
    assert (first.reductions, second.reductions) == (1, 0)
    assert balance(resident) == 15
    assert ReductionClaim.objects.get(reduction=reduction).purpose == "coins"
    award = CoinAward.objects.get(reduction=reduction)
    assert award.milli_awarded == 15000
    assert Transfer.objects.get(pk=selectors.award_transfer_id(award)).kind == TransferKind.EARN


def test_reduction_claimed_elsewhere_is_not_converted(resident, gz):
    default_rule(gz)
    reduction = make_reduction(resident, "5")
    ReductionClaim.objects.create(reduction=reduction, purpose="credit")
    assert reductions_convert().reductions == 0
    assert balance(resident) == 0


def test_rule_versions_by_effective_date(resident, gz):
    default_rule(gz, "10", effective_from=D(2020, 1, 1))
    default_rule(gz, "20", effective_from=D(2026, 6, 1))
    old = make_reduction(resident, "1", period_end=D(2026, 5, 31))
    new = make_reduction(resident, "1", period_end=D(2026, 6, 1))
    reductions_convert()
    assert CoinAward.objects.get(reduction=old).rule.version == 1
    assert CoinAward.objects.get(reduction=new).rule.version == 2
    assert balance(resident) == 30


def test_no_rule_no_coins_but_claimed(resident, gz):
    make_reduction(resident, "3")
    reductions_convert()
    assert balance(resident) == 0
    assert CoinAward.objects.get().rule is None


def test_caps_per_behaviour_and_total(resident, gz):
    default_rule(
        gz,
        "10",
        caps=[
            {"behaviour": "bus", "period": "day", "max_coins": 5},
            {"behaviour": "", "period": "month", "max_coins": 12},
        ],
    )
    make_reduction(resident, "1", "bus", D(2026, 11, 1))  # 10 → 5 (bus/day)
    make_reduction(resident, "1", "bus", D(2026, 11, 1))  # 10 → 0
    make_reduction(resident, "1", "metro", D(2026, 11, 2))  # 10 → 7 (*/month: 12 − 5)
    reductions_convert()
    awards = list(CoinAward.objects.order_by("reduction_id").values_list("milli_awarded", "capped_by"))
    assert awards == [(5000, "bus/day"), (0, "bus/day"), (7000, "*/month")]
    assert balance(resident) == 12
    make_reduction(resident, "1", "metro", D(2026, 12, 1))  # a new month
    reductions_convert()
    assert balance(resident) == 22


def test_multiplier_applies_once_within_its_window(resident, gz):
    default_rule(gz, "10")
    campaign_multiplier_create(
        centre=gz, name="Low Carbon Day", starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30), factor="2"
    )
    campaign_multiplier_create(
        centre=gz,
        name="Bus week",
        behaviour="bus",
        starts_on=D(2026, 7, 10),
        ends_on=D(2026, 7, 16),
        factor="1.5",
    )
    make_reduction(resident, "1", "bus", D(2026, 6, 12))
    make_reduction(resident, "1", "bus", D(2026, 7, 1))
    make_reduction(resident, "1", "bus", D(2026, 7, 16))
    reductions_convert()
    reductions_convert()  # converted once
    awards = list(CoinAward.objects.order_by("reduction_id").values_list("factor", "milli_awarded"))
    assert awards == [(Decimal("2.000"), 20000), (Decimal("1.000"), 10000), (Decimal("1.500"), 15000)]
    assert balance(resident) == 45


@pytest.mark.parametrize(
    ("behaviour", "starts_on", "ends_on"),
    [
        ("bus", D(2026, 6, 30), D(2026, 7, 5)),  # the all-behaviours campaign's last day
        ("", D(2026, 5, 1), D(2026, 6, 1)),  # all behaviours meet the bus campaign
        ("metro", D(2026, 6, 10), D(2026, 6, 11)),
    ],
)
def test_overlapping_multipliers_are_refused(gz, behaviour, starts_on, ends_on):
    """One overlap policy (ledger.rules): campaigns never overlap, so none stack or compete."""
    campaign_multiplier_create(
        centre=gz, name="Low Carbon Day", starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30), factor="2"
    )
    with pytest.raises(Conflict) as exc:
        campaign_multiplier_create(
            centre=gz, name="again", behaviour=behaviour, starts_on=starts_on, ends_on=ends_on, factor="3"
        )
    assert exc.value.code == "overlapping_campaign"
    assert CampaignMultiplier.objects.count() == 1


@pytest.mark.parametrize("factor", ["1", "0.5", "10.01", "1.005", "0", "-2", "nan"])
def test_multiplier_bound_is_above_1_and_at_most_10(gz, factor):
    with pytest.raises(ValidationFailed):
        campaign_multiplier_create(
            centre=gz, name="x", starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30), factor=factor
        )
    assert not CampaignMultiplier.objects.exists()


def test_multiplier_of_10_in_another_centre_is_independent(gz, zs):
    campaign_multiplier_create(
        centre=gz, name="a", starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30), factor="10"
    )
    campaign_multiplier_create(
        centre=zs, name="b", starts_on=D(2026, 6, 1), ends_on=D(2026, 6, 30), factor="10"
    )
    assert CampaignMultiplier.objects.count() == 2


def test_multiplier_in_other_centre_does_not_apply(resident, gz, zs):
    default_rule(gz, "10")
    campaign_multiplier_create(
        centre=zs, name="ZS", starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), factor="3"
    )
    make_reduction(resident, "1")
    reductions_convert()
    assert balance(resident) == 10


def test_negative_adjustment_claws_back_proportionally(resident, gz):
    default_rule(gz, "10")
    original = make_reduction(resident, "2")  # 20 coins
    reductions_convert()
    make_reduction(resident, "-0.5", adjusts=original)  # 25% less → −5
    reductions_convert()
    assert balance(resident) == 15
    rev = Transfer.objects.filter(kind=TransferKind.REVERSAL).get()
    assert rev.amount == 5 and rev.credit == services.issuance_of(gz)
    assert ledger_check().ok


def test_revocation_after_spending_creates_debt_recovered_from_future_earnings(resident, gz):
    default_rule(gz, "10")
    original = make_reduction(resident, "2")  # 20 coins
    reductions_convert()
    wallet = services.wallet_of(resident)
    services.transfer_post(
        debit=wallet, credit=merchant_account(gz), amount=15, kind="spend", idempotency_key="buy"
    )
    make_reduction(resident, "-2", adjusts=original)  # revoke all 20: 5 from the wallet, 15 owed
    reductions_convert()
    debt = services.debt_account_of(resident)
    assert (balance(resident), debt.balance) == (0, -15)
    make_reduction(resident, "1")  # earns 10 → all recovered
    reductions_convert()
    debt.refresh_from_db()
    assert (balance(resident), debt.balance) == (0, -5)
    make_reduction(resident, "1")  # earns 10 → 5 recovered, 5 kept
    reductions_convert()
    debt.refresh_from_db()
    assert (balance(resident), debt.balance) == (5, 0)
    assert ledger_check().ok


def test_adjustment_in_same_run_as_original(resident, gz):
    default_rule(gz, "10")
    original = make_reduction(resident, "1")
    make_reduction(resident, "-1", adjusts=original)
    reductions_convert()
    assert balance(resident) == 0
    assert CoinAward.objects.count() == 2


def test_conversion_runs_on_quantified_signal(resident, gz, django_capture_on_commit_callbacks):
    from tanpuhui.metering.signals import reductions_quantified

    default_rule(gz, "10")
    make_reduction(resident, "1")
    reductions_quantified.send(sender=None, centre_ids=[gz.pk], batch_id="b1")
    assert balance(resident) == 10


def test_chunks(resident, other_resident, gz, zs):
    default_rule(gz, "10")
    default_rule(zs, "1")
    for _ in range(5):
        make_reduction(resident, "1")
        make_reduction(other_resident, "1")
    result = reductions_convert(chunk_size=3)
    # four chunks priced, one run: each resident's coins posted once, whatever the chunks
    assert result.reductions == 10 and result.runs == 1
    assert set(ReductionClaim.objects.values_list("reference", flat=True)) == {f"run:{result.run_ids[0]}"}
    assert Transfer.objects.filter(kind=TransferKind.EARN).count() == 2
    assert (balance(resident), balance(other_resident)) == (50, 5)
    assert ledger_check().ok


def _priced_not_posted(*, chunk_size: int = 100):
    """A run whose worker died after pricing its chunks and before posting them."""
    with transaction.atomic():
        run, _claimed, _last = conversion.chunk_price(
            run=None, centre_ids=None, batch_id="", chunk_size=chunk_size
        )
    ConversionRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - conversion.lease() * 2)
    return run


def test_a_run_priced_but_never_posted_is_posted_by_the_next_worker(resident, other_resident, gz, zs):
    default_rule(gz, "10")
    default_rule(zs, "10")
    make_reduction(resident, "1.25")
    make_reduction(other_resident, "2")
    run = _priced_not_posted()
    assert balance(resident) == 0 and CoinAward.objects.count() == 2
    check = ledger_check()
    # the awards wait for their posting: not a mismatch, but a run whose lease ran out is reported
    assert [p["problem"] for p in check.problems] == ["conversion_unposted"]
    assert reductions_convert().reductions == 0  # already claimed: a new run does not price them again
    assert conversion.conversions_finish() == [run.pk]
    assert (balance(resident), balance(other_resident)) == (12, 20)
    assert conversion.conversions_finish() == []
    assert ledger_check().ok
    assert ConversionRun.objects.get(pk=run.pk).state == ConversionRun.State.POSTED


def test_a_live_run_is_left_to_its_owner(resident, gz):
    default_rule(gz, "10")
    make_reduction(resident, "1")
    run = _priced_not_posted()
    ConversionRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
    assert conversion.conversions_finish() == []
    assert ledger_check().ok  # pending, not wrong
    conversion.run_post(run_id=run.pk)
    assert balance(resident) == 10 and ledger_check().ok


def test_posting_resumes_after_the_last_resident_posted(resident, other_resident, gz, zs, monkeypatch):
    default_rule(gz, "10")
    default_rule(zs, "10")
    for who in (resident, other_resident):
        make_reduction(who, "1")
        make_reduction(who, "0.55")
    run = _priced_not_posted()
    real_post, calls = conversion.post, []

    def dies_on_the_second_group(**kwargs):
        calls.append(kwargs["net"])
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        real_post(**kwargs)

    monkeypatch.setattr(conversion, "post", dies_on_the_second_group)
    with pytest.raises(RuntimeError):
        conversion.run_post(run_id=run.pk, group_size=1)
    first = next(iter(calls[0]))
    assert ConversionRun.objects.get(pk=run.pk).posted_through == f"{first[0]}:{first[1]}"
    monkeypatch.setattr(conversion, "post", real_post)
    conversion.run_post(run_id=run.pk, group_size=1)
    # each resident posted once, with the net of both reductions (15.5 coins: 15 and 500 milli carried)
    assert (balance(resident), balance(other_resident)) == (15, 15)
    assert Transfer.objects.filter(kind=TransferKind.EARN).count() == 2
    assert ledger_check().ok


def test_a_run_taken_over_stops_pricing(resident, gz):
    default_rule(gz, "10")
    make_reduction(resident, "1")
    run = _priced_not_posted()
    conversion.conversions_finish()
    make_reduction(resident, "2")
    with transaction.atomic():
        assert conversion.chunk_price(run=run, centre_ids=None, batch_id="", chunk_size=100) is None
    assert reductions_convert().reductions == 1  # the rest goes to a later run
    assert balance(resident) == 30 and ledger_check().ok


def test_cap_usage_carries_across_runs(resident, gz):
    default_rule(gz, "10", caps=[{"behaviour": "bus", "period": "day", "max_coins": 5}])
    make_reduction(resident, "0.4", "bus", D(2026, 11, 1))  # 4 coins
    reductions_convert()
    make_reduction(resident, "1", "bus", D(2026, 11, 1))  # 10 → 1 (room left today)
    reductions_convert()
    wallet = services.wallet_of(resident)
    assert (wallet.balance, wallet.fraction_milli) == (5, 0)
    assert ledger_check().ok


def test_year_cap_across_runs_and_months(resident, gz):
    default_rule(gz, "10", caps=[{"behaviour": "", "period": "year", "max_coins": 15}])
    make_reduction(resident, "1", "walking", D(2026, 1, 15))  # 10
    reductions_convert()
    make_reduction(resident, "1", "cycling", D(2026, 12, 15))  # 10 → 5
    make_reduction(resident, "1", "cycling", D(2027, 1, 2))  # a new year: 10
    reductions_convert()
    awards = list(CoinAward.objects.order_by("reduction_id").values_list("milli_awarded", "capped_by"))
    assert awards == [(10000, ""), (5000, "*/year"), (10000, "")]


def test_claim_walks_past_other_centres_and_claims_for_other_purposes(resident, other_resident, gz, zs):
    # gz, zs, zs, zs, gz, gz (claimed for credits), gz — chunks of 2 over gz only: the walk reads two
    # candidates a statement, so the first chunk needs three statements, and nothing is skipped.
    default_rule(gz, "10")
    default_rule(zs, "10")
    first = make_reduction(resident, "1")
    for _ in range(3):
        make_reduction(other_resident, "1")
    second = make_reduction(resident, "1")
    ReductionClaim.objects.create(reduction=make_reduction(resident, "5"), purpose="credit")
    third = make_reduction(resident, "1")
    result = reductions_convert(centre_ids=[gz.pk], chunk_size=2)
    assert result.reductions == 3 and result.runs == 1
    assert set(CoinAward.objects.values_list("reduction_id", flat=True)) == {first.pk, second.pk, third.pk}
    assert balance(resident) == 30 and balance(other_resident) == 0
    assert reductions_convert(centre_ids=[gz.pk], chunk_size=2).reductions == 0
    assert ledger_check().ok


def test_ledger_check_verifies_the_awards_copies_of_their_reduction(resident, other_resident, gz):
    # An award's resident, centre and root copy its reduction's without a constraint of their own:
    # the check proves them, across runs (the adjustment's root comes from the earlier award).
    from tanpuhui.ledger.models import ConversionRun

    default_rule(gz, "10")
    original = make_reduction(resident, "2")
    reductions_convert()
    make_reduction(resident, "-1", adjusts=original)
    reductions_convert()
    assert ledger_check().ok
    assert set(CoinAward.objects.values_list("root_id", flat=True)) == {original.pk}
    stray = make_reduction(resident, "1")
    ReductionClaim.objects.create(reduction=stray, purpose="coins")
    CoinAward.objects.create(
        run=ConversionRun.objects.create(),
        reduction=stray,
        root=stray,
        resident=other_resident,  # not the reduction's resident
        centre=gz,
        behaviour="bus",
        period_end=stray.period_end,
        kg_co2e=Decimal("1"),
        milli_computed=0,
        milli_awarded=0,
    )
    result = ledger_check()
    assert result.problems == [{"problem": "award_copy_mismatch", "reduction": stray.pk}]


def test_beat_finishes_dead_workers_runs(settings, resident, gz):
    from tanpuhui.ledger import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["ledger-finish-conversions"]
    assert entry["task"] == tasks.finish_conversions.name == "ledger.finish_conversions"
    default_rule(gz, "10")
    make_reduction(resident, "1")
    run = _priced_not_posted()
    assert tasks.finish_conversions() == {"finished": [run.pk]}
    assert balance(resident) == 10
