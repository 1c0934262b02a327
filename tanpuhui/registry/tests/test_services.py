from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from freezegun import freeze_time

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from tanpuhui.ledger.tests.factories import make_reduction
from tanpuhui.metering.models import ReductionClaim
from tanpuhui.registry import check, services
from tanpuhui.registry.models import (
    CreditBlock,
    Issuance,
    MonitoringReport,
    Movement,
    RegistryAccount,
    Retirement,
)
from tanpuhui.registry.tests.factories import account, authority, ets_emitter, issued_block, key, project

pytestmark = pytest.mark.django_db
S = CreditBlock.Status


def _state():
    return (
        list(
            CreditBlock.objects.order_by("pk").values_list(
                "pk", "status", "account_id", "serial_start", "serial_end"
            )
        ),
        Movement.objects.count(),
        Retirement.objects.count(),
    )


# Serials ---------------------------------------------------------------------------------------


def test_serial_format_and_parse(gz, province):
    block, _holder, _officer = issued_block(gz, province, quantity=100)
    assert block.serial == "GD-PHCER-METRO-0001-2026-1-100"
    assert services.serial_parse("gd-phcer-metro-0001-2026-42") == services.Serial(
        "GD-PHCER-METRO-0001-2026", 42, 42
    )
    assert services.block_holding("GD-PHCER-METRO-0001-2026-42").pk == block.pk
    for bad in ("GD-PHCER-METRO-0001-2026-10-5", "GD-PHCER-METRO-0001-2026-0", "nonsense"):
        with pytest.raises(ValidationFailed):
            services.block_holding(bad)
    with pytest.raises(NotFound):
        services.block_holding("GD-PHCER-METRO-0001-2026-101")
    with pytest.raises(NotFound):
        services.block_holding("GD-PHCER-METRO-0001-2026-90-101")  # runs past the block


def test_issuance_continues_serials_and_refuses_overlaps(gz, province):
    block, _holder, officer = issued_block(gz, province, quantity=100)
    second = services.credits_issue(
        project=block.project, vintage=2026, quantity=50, actor=officer, idempotency_key=key()
    )
    assert (second.serial_start, second.serial_end) == (101, 150)
    before = _state()
    with pytest.raises(Conflict) as error:
        services.credits_issue(
            project=block.project,
            vintage=2026,
            quantity=10,
            actor=officer,
            idempotency_key=key(),
            serial_start=95,
        )
    assert error.value.code == "overlapping_range"
    for quantity in (0, -3, "2.5", Decimal("0.5"), True, None, "abc", "NaN"):
        with pytest.raises(ValidationFailed) as error:
            services.credits_issue(
                project=block.project, vintage=2026, quantity=quantity, actor=officer, idempotency_key=key()
            )
        assert error.value.code == "bad_quantity"
    assert _state() == before


def test_only_the_authority_issues(gz, province):
    block, holder, _officer = issued_block(gz, province)
    with pytest.raises(Forbidden):
        services.credits_issue(
            project=block.project,
            vintage=2026,
            quantity=1,
            actor=make_staff(Role.CENTRE_OPERATOR, gz),
            idempotency_key=key(),
        )
    with pytest.raises(Forbidden):
        services.credits_cancel(
            block_id=block.pk, quantity=1, actor=holder, idempotency_key=key(), reason="x"
        )


def test_database_refuses_a_range_that_disagrees_with_its_quantity(gz, province):
    block, _holder, _officer = issued_block(gz, province)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditBlock.objects.filter(pk=block.pk).update(serial_end=block.serial_end + 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint is PostgreSQL's")
def test_database_refuses_overlapping_live_blocks(gz, province):
    block, _holder, _officer = issued_block(gz, province)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditBlock.objects.create(
            prefix=block.prefix,
            serial_start=50,
            serial_end=59,
            quantity=10,
            account=block.account,
            issuance=block.issuance,
            project=block.project,
            vintage=block.vintage,
        )
    # A superseded block's range may be re-covered by its children (that is how a split works).
    services.credits_transfer(
        block_id=block.pk, quantity=10, to_account=account(gz)[0], actor=_holder, idempotency_key=key()
    )
    assert CreditBlock.objects.filter(prefix=block.prefix).count() == 3


# Split and lineage -----------------------------------------------------------------------------


def test_partial_transfer_splits_with_lineage(gz, province):
    block, holder, _officer = issued_block(gz, province, quantity=100)
    buyer, _ = account(gz, RegistryAccount.Kind.EXCHANGE, name="广州碳排放权交易所")
    movement = services.credits_transfer(
        block_id=block.pk, quantity=30, to_account=buyer, actor=holder, idempotency_key="t1"
    )
    block.refresh_from_db()
    assert block.status == S.SUPERSEDED and block.quantity == 100  # the parent keeps its own range
    moved, rest = block.children.order_by("serial_start")
    assert (moved.serial_start, moved.serial_end, moved.account) == (1, 30, buyer)
    assert (rest.serial_start, rest.serial_end, rest.account_id) == (31, 100, block.account_id)
    assert movement.block == moved and movement.source == block
    # the same key again changes nothing and returns the first movement
    again = services.credits_transfer(
        block_id=block.pk, quantity=30, to_account=buyer, actor=holder, idempotency_key="t1"
    )
    assert again.pk == movement.pk and CreditBlock.objects.count() == 3
    # naming the old (split) block moves the remainder that now holds its serials
    services.credits_transfer(
        block_id=block.pk, quantity=5, to_account=buyer, actor=holder, idempotency_key="t2"
    )
    assert set(CreditBlock.objects.filter(parent=rest).values_list("serial_start", "serial_end")) == {
        (31, 35),
        (36, 100),
    }
    assert services.block_holding("GD-PHCER-METRO-0001-2026-33").account == buyer
    assert check.run().ok


def test_bad_movements_change_nothing(gz, zs, province):
    block, holder, _officer = issued_block(gz, province, quantity=10)
    other, other_member = account(zs)
    before = _state()
    cases = [
        (Unprocessable, "insufficient_credits", dict(quantity=11, actor=holder)),
        (Forbidden, "not_holder", dict(quantity=1, actor=other_member)),
        (ValidationFailed, "bad_quantity", dict(quantity="1.5", actor=holder)),
        (ValidationFailed, "bad_quantity", dict(quantity=0, actor=holder)),
    ]
    for error, code, kwargs in cases:
        with pytest.raises(error) as raised:
            services.credits_transfer(block_id=block.pk, to_account=other, idempotency_key=key(), **kwargs)
        assert raised.value.code == code
    with pytest.raises(ValidationFailed):
        services.credits_transfer(
            block_id=block.pk, quantity=1, to_account=block.account, actor=holder, idempotency_key=key()
        )
    with pytest.raises(NotFound):
        services.credits_transfer(
            block_id=10**9, quantity=1, to_account=other, actor=holder, idempotency_key=key()
        )
    assert _state() == before


def test_retirement_is_final(gz, province):
    block, holder, officer = issued_block(gz, province, quantity=10)
    retirement = services.credits_retire(
        block_id=block.pk,
        quantity=4,
        actor=holder,
        idempotency_key=key(),
        beneficiary="2026 广东低碳日",
        purpose="voluntary",
        event="低碳日活动碳中和",
    )
    assert (retirement.block.serial_start, retirement.block.serial_end, retirement.block.status) == (
        1,
        4,
        S.RETIRED,
    )
    before = _state()
    other, _ = account(gz)
    retired_id = retirement.block_id
    with pytest.raises(Conflict) as error:
        services.credits_retire(
            block_id=retired_id,
            quantity=1,
            actor=holder,
            idempotency_key=key(),
            beneficiary="x",
            purpose="voluntary",
        )
    assert error.value.code == "retired"
    with pytest.raises(Conflict):
        services.credits_transfer(
            block_id=retired_id, quantity=1, to_account=other, actor=holder, idempotency_key=key()
        )
    with pytest.raises(Conflict):
        services.credits_cancel(
            block_id=retired_id, quantity=1, actor=officer, idempotency_key=key(), reason="x"
        )
    assert _state() == before


def test_freeze_blocks_moves_until_released(gz, province):
    block, holder, officer = issued_block(gz, province, quantity=10)
    other, _ = account(gz)
    services.credits_freeze(block_id=block.pk, actor=officer, idempotency_key=key(), reason="权属争议")
    with pytest.raises(Conflict) as error:
        services.credits_transfer(
            block_id=block.pk, quantity=1, to_account=other, actor=holder, idempotency_key=key()
        )
    assert error.value.code == "frozen"
    with pytest.raises(Forbidden):
        services.credits_freeze(
            block_id=block.pk, actor=holder, idempotency_key=key(), reason="x", freeze=False
        )
    services.credits_freeze(
        block_id=block.pk, actor=officer, idempotency_key=key(), reason="已解决", freeze=False
    )
    services.credits_transfer(
        block_id=block.pk, quantity=1, to_account=other, actor=holder, idempotency_key=key()
    )


def test_cancellation_by_the_authority(gz, province):
    block, _holder, officer = issued_block(gz, province, quantity=10)
    with pytest.raises(ValidationFailed):
        services.credits_cancel(
            block_id=block.pk, quantity=2, actor=officer, idempotency_key=key(), reason=" "
        )
    movement = services.credits_cancel(
        block_id=block.pk, quantity=2, actor=officer, idempotency_key=key(), reason="监测数据错误"
    )
    assert movement.block.status == S.CANCELLED
    result = check.run()
    assert result.ok and result.issued == 10


def test_ets_cap(gz, province):
    block, holder, _officer = issued_block(gz, province, quantity=500)
    emitter, emitter_member = ets_emitter(gz, emissions_t=2_000)  # cap 200 t for 2026
    services.credits_transfer(
        block_id=block.pk, quantity=300, to_account=emitter, actor=holder, idempotency_key=key()
    )
    held = CreditBlock.objects.get(account=emitter)
    kwargs = dict(actor=emitter_member, beneficiary="广州某电厂", purpose="ets_compliance")
    services.credits_retire(
        block_id=held.pk, quantity=150, compliance_year=2026, idempotency_key=key(), **kwargs
    )
    before = _state()
    with pytest.raises(Unprocessable) as error:
        services.credits_retire(
            block_id=held.pk, quantity=51, compliance_year=2026, idempotency_key=key(), **kwargs
        )
    assert error.value.code == "ets_cap_exceeded"
    with pytest.raises(Unprocessable) as error:
        services.credits_retire(
            block_id=held.pk, quantity=1, compliance_year=2027, idempotency_key=key(), **kwargs
        )
    assert error.value.code == "no_ets_cap"
    with pytest.raises(ValidationFailed):
        services.credits_retire(block_id=held.pk, quantity=1, idempotency_key=key(), **kwargs)
    assert _state() == before
    services.credits_retire(
        block_id=held.pk, quantity=50, compliance_year=2026, idempotency_key=key(), **kwargs
    )


def test_registry_check_finds_problems(gz, province):
    block, _holder, _officer = issued_block(gz, province, quantity=10)
    assert check.run().ok
    Issuance.objects.filter(pk=block.issuance_id).update(quantity=11, serial_end=11)
    problems = check.run().problems
    assert [p["code"] for p in problems] == ["totals_differ"]


# Monitoring reports ----------------------------------------------------------------------------


def _report_setup(gz, province):
    owner, _ = account(gz)
    proj = project(gz, owner)
    from tanpuhui.accounts.tests.factories import ResidentFactory

    resident = ResidentFactory(centre=gz)
    rows = [
        make_reduction(resident, "600", behaviour="metro", period_end=date(2026, 3, d)) for d in (1, 2, 3)
    ]
    return proj, rows


def test_report_workflow_end_to_end(gz, province):
    proj, rows = _report_setup(gz, province)
    ReductionClaim.objects.create(reduction=rows[0], purpose="coins")  # rewarded with coins: may be credited
    donated = make_reduction(rows[1].resident, "5000", behaviour="metro", period_end=date(2026, 3, 4))
    ReductionClaim.objects.create(reduction=donated, purpose="donation")  # donated: may not
    operator = make_staff(Role.CENTRE_OPERATOR, gz)
    report = services.report_create(
        actor=operator, project=proj, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
    )
    assert (
        report.kg_total == Decimal("1800") and report.tonnes == 1 and report.carried_out_kg == Decimal("800")
    )
    assert report.reductions.count() == 3
    assert ReductionClaim.objects.get(reduction=rows[1]).purpose == "credit"
    with freeze_time("2026-04-01"):
        report = services.report_open_notice(report_id=report.pk, actor=operator, start=date(2026, 4, 1))
    # 7 working days from Wed 1 April 2026, with Qingming (4–6 April): 1,2,3,7,8,9,10 → ends 11 April
    assert report.notice_end == date(2026, 4, 11)
    verifier = make_staff(Role.VERIFIER, gz)
    with freeze_time("2026-04-08"), pytest.raises(Conflict) as error:
        services.report_verify(report_id=report.pk, actor=verifier, statement="ok")
    assert error.value.code == "notice_running"
    with pytest.raises(Forbidden):
        services.report_verify(report_id=report.pk, actor=operator, statement="ok")
    with freeze_time("2026-04-13"):
        report = services.report_verify(
            report_id=report.pk, actor=verifier, statement="核查无误，核减 100 kg", adjustment_kg="-100"
        )
    assert report.tonnes == 1 and report.carried_out_kg == Decimal("700")
    with pytest.raises(Forbidden):
        services.report_approve(report_id=report.pk, actor=operator)
    with pytest.raises(Conflict):
        services.report_approve(report_id=report.pk, actor=authority(province))  # city review comes first
    reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
    services.report_city_review(report_id=report.pk, actor=reviewer, comment="初审通过")
    officer = authority(province)
    services.report_approve(report_id=report.pk, actor=officer)
    issued = services.report_issue(report_id=report.pk, actor=officer)
    assert [i.quantity for i in issued] == [1]
    with pytest.raises(Conflict) as error:
        services.report_issue(report_id=report.pk, actor=officer)
    assert error.value.code == "already_issued"
    report.refresh_from_db()
    assert report.state == MonitoringReport.State.ISSUED
    assert list(report.steps.order_by("id").values_list("step", flat=True)) == [
        "create",
        "public_notice",
        "verification",
        "city_review",
        "provincial_approval",
        "issuance",
    ]
    # a second report takes none of the same reductions and carries the 700 kg in
    for d in (5, 6):
        make_reduction(rows[0].resident, "200", behaviour="metro", period_end=date(2026, 4, d))
    second = services.report_create(
        actor=operator, project=proj, period_start=date(2026, 3, 1), period_end=date(2026, 4, 30)
    )
    assert second.kg_total == Decimal("400") and second.carried_in_kg == Decimal("700") and second.tonnes == 1
    assert check.run().ok


def test_report_bad_input(gz, zs, province):
    proj, _rows = _report_setup(gz, province)
    operator = make_staff(Role.CENTRE_OPERATOR, gz)
    with pytest.raises(ValidationFailed):
        services.report_create(
            actor=operator, project=proj, period_start=date(2026, 3, 31), period_end=date(2026, 3, 1)
        )
    with pytest.raises(Forbidden):
        services.report_create(
            actor=make_staff(Role.CENTRE_OPERATOR, zs),
            project=proj,
            period_start=date(2026, 3, 1),
            period_end=date(2026, 3, 31),
        )
    services.report_create(
        actor=operator, project=proj, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
    )
    with pytest.raises(Unprocessable) as error:
        services.report_create(
            actor=operator, project=proj, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
        )
    assert error.value.code == "nothing_to_report"


def test_rejection_frees_the_reductions(gz, province):
    proj, rows = _report_setup(gz, province)
    operator = make_staff(Role.CENTRE_OPERATOR, gz)
    report = services.report_create(
        actor=operator, project=proj, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
    )
    services.report_open_notice(report_id=report.pk, actor=operator)
    services.report_reject(report_id=report.pk, actor=operator, comment="公示期收到异议")
    assert not ReductionClaim.objects.filter(reduction__in=rows).exists()
    again = services.report_create(
        actor=operator, project=proj, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
    )
    assert again.reductions.count() == 3


def test_working_days_use_the_calendar():
    # National Day 2026: 1–7 October off, Saturday 10 October a working day
    assert services.add_working_days(date(2026, 9, 30), 7) == date(2026, 10, 15)
    assert services.is_working_day(date(2026, 10, 10)) and not services.is_working_day(date(2026, 10, 5))


def test_registry_check_finds_a_child_outside_its_parent_and_a_bad_tiling(gz, province):
    block, holder, _officer = issued_block(gz, province, quantity=10)
    services.credits_transfer(
        block_id=block.pk, quantity=3, to_account=account(gz)[0], actor=holder, idempotency_key=key()
    )
    rest = CreditBlock.objects.get(parent=block, serial_start=4)
    CreditBlock.objects.filter(pk=rest.pk).update(serial_end=11, quantity=8)
    codes = {p["code"] for p in check.run().problems}
    assert {"child_outside_parent", "totals_differ"} <= codes


def test_registry_check_reports_a_missing_overlap_guard_and_then_compares_the_ranges(gz, province):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the guard is PostgreSQL's exclusion constraint")
    block, _holder, _officer = issued_block(gz, province, quantity=10)
    assert check.run().ok
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: DDL may run
        cursor.execute(f"ALTER TABLE registry_creditblock DROP CONSTRAINT {check.OVERLAP_GUARD}")
    # with the guard gone a second live block over the same serials can be written, and is found
    twin = CreditBlock.objects.get(pk=block.pk)
    twin.pk = None
    twin.save()
    codes = [p["code"] for p in check.run().problems]
    assert "overlap_guard_missing" in codes and "overlapping_live_blocks" in codes
