from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import UserFactory, make_staff
from tanpuhui.common.errors import Conflict, Forbidden, NotFound, Unprocessable, ValidationFailed
from tanpuhui.enterprises import services
from tanpuhui.enterprises.models import Donation, Enterprise, ReductionYear, ReviewEvent
from tanpuhui.enterprises.quantification import quantify
from tanpuhui.enterprises.tests.factories import (
    credit_code,
    make_approved_project,
    make_enterprise,
    make_project,
    pdf,
    streetlight_readings,
)
from tanpuhui.enterprises.validators import ALPHABET, check_character, credit_code_problem
from tanpuhui.funding import coins
from tanpuhui.funding.models import FundingPool
from tanpuhui.funding.selectors import pool_coins_of

pytestmark = pytest.mark.django_db


# --- unified social credit code ------------------------------------------------------------------


def test_credit_code_check_character():
    assert credit_code_problem("91350100M000100Y43") is None  # the example printed in GB 32100-2015 guides
    assert credit_code_problem("91350100M000100Y44") == "check_character"
    assert credit_code_problem("91350100M000100Y4") == "length"
    assert credit_code_problem("9135010OM000100Y43") == "characters"  # letter O is not in the alphabet


def test_register_rejects_bad_check_character(gz):
    with pytest.raises(ValidationFailed) as exc:
        services.enterprise_register(
            user=UserFactory(centre=gz),
            name="x",
            credit_code="91350100M000100Y44",
            sector="lighting",
            centre_code="GZ",
        )
    assert exc.value.code == "invalid_credit_code"


def test_register_makes_user_enterprise_staff_and_duplicate_code_conflicts(gz):
    user = UserFactory(centre=gz)
    code = credit_code()
    enterprise = services.enterprise_register(
        user=user, name="甲", credit_code=code.lower(), sector="lighting", centre_code="GZ"
    )
    assert enterprise.credit_code == code and enterprise.status == Enterprise.Status.PENDING
    user.__dict__.pop("_roles", None)
    assert user.has_role(Role.ENTERPRISE_STAFF)
    with pytest.raises(Conflict):
        services.enterprise_register(
            user=UserFactory(centre=gz), name="乙", credit_code=code, sector="lighting", centre_code="GZ"
        )


def test_verification_by_own_centre_staff_only(gz, zs, zs_operator, gz_operator):
    enterprise, _user = make_enterprise(gz, verified=False)
    with pytest.raises(NotFound):
        services.enterprise_verify(enterprise_id=enterprise.pk, actor=zs_operator, approve=True)
    services.enterprise_verify(enterprise_id=enterprise.pk, actor=gz_operator, approve=True)
    enterprise.refresh_from_db()
    assert enterprise.status == Enterprise.Status.VERIFIED and enterprise.verified_by == gz_operator
    with pytest.raises(Conflict):
        services.enterprise_verify(enterprise_id=enterprise.pk, actor=gz_operator, approve=False)


def test_unverified_enterprise_cannot_create_projects(gz):
    enterprise, user = make_enterprise(gz, verified=False)
    with pytest.raises(Conflict) as exc:
        make_project(enterprise, user)
    assert exc.value.code == "enterprise_not_verified"


# --- quantification ------------------------------------------------------------------------------


def test_streetlight_worked_example():
    """181 sodium lamps → LED save 265,000 kWh/year; reported 265 t at 1 kg/kWh.

    South China grid 2023: 0.4042 kg CO2/kWh → 265,000 × 0.4042 = 107,113 kg = 107.113 t.
    """
    from types import SimpleNamespace

    rows = [SimpleNamespace(**r) for r in streetlight_readings()]
    result = quantify(rows, on=date(2026, 6, 1))  # the 2023 factor is in force from 2026-01-15
    assert Decimal(result["kg_co2e"]) == Decimal("107113.000")
    year = result["years"][0]
    assert year["year"] == 2023
    electricity = year["carriers"]["electricity"]
    assert Decimal(electricity["saving"]) == Decimal("265000.000")
    factor = electricity["factors"][0]
    assert Decimal(factor["value"]) == Decimal("0.4042") and factor["year"] == 2023 and factor["source"]
    # quantified before the 2023 value was published, the 2022 value (0.3869) applied
    earlier = quantify(rows, on=date(2025, 6, 1))
    assert Decimal(earlier["kg_co2e"]) == Decimal("102528.500")


# --- projects: bad input -------------------------------------------------------------------------


def test_overlapping_project_period_same_site_conflicts(gz):
    enterprise, user = make_enterprise(gz)
    make_project(enterprise, user)
    with pytest.raises(Conflict) as exc:
        make_project(enterprise, user, period_start=date(2023, 6, 1), period_end=date(2024, 5, 31))
    assert exc.value.code == "overlapping_period"
    # another site, or a period after, is fine
    make_project(enterprise, user, site="东莞某厂二车间")
    make_project(enterprise, user, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31))


def test_reading_larger_saving_than_baseline_refused(gz):
    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user)
    rows = streetlight_readings()
    rows[3]["project_qty"] = Decimal("-100")
    with pytest.raises(ValidationFailed) as exc:
        services.readings_replace(project=project, actor=user, readings=rows)
    assert exc.value.code == "reduction_exceeds_baseline"
    assert "readings[3]" in exc.value.fields
    assert project.readings.count() == 0


def test_reading_outside_period_and_duplicates_refused(gz):
    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user)
    rows = streetlight_readings()
    rows.append(dict(rows[0]))
    rows.append({**rows[0], "month": date(2025, 1, 1)})
    with pytest.raises(ValidationFailed) as exc:
        services.readings_replace(project=project, actor=user, readings=rows)
    assert set(exc.value.fields) == {"readings[12]", "readings[13]"}


def test_document_type_size_and_hash(gz, settings):
    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user)
    doc = services.document_upload(project=project, actor=user, upload=pdf(), doc_type="metering_report")
    import hashlib

    assert doc.sha256 == hashlib.sha256(b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n").hexdigest()
    assert doc.content_type == "application/pdf"
    with pytest.raises(Conflict):
        services.document_upload(project=project, actor=user, upload=pdf("again.pdf"), doc_type="photo")
    # an executable renamed to .pdf
    with pytest.raises(ValidationFailed) as exc:
        services.document_upload(
            project=project,
            actor=user,
            upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00" * 10),
            doc_type="photo",
        )
    assert exc.value.code == "file_type"
    with pytest.raises(ValidationFailed) as exc:
        services.document_upload(
            project=project,
            actor=user,
            upload=SimpleUploadedFile("x.exe", b"%PDF-1.4 fake"),
            doc_type="photo",
        )
    assert exc.value.code == "file_type"
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (services.MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(ValidationFailed) as exc:
        services.document_upload(project=project, actor=user, upload=big, doc_type="photo")
    assert exc.value.code == "file_too_large"


# --- review workflow -----------------------------------------------------------------------------


def test_review_workflow_each_step_recorded(gz):
    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user)
    with pytest.raises(Unprocessable):
        services.project_transition(project_id=project.pk, actor=user, step="submit")  # no readings yet
    services.readings_replace(project=project, actor=user, readings=streetlight_readings())
    services.document_upload(project=project, actor=user, upload=pdf(), doc_type="metering_report")
    services.project_transition(project_id=project.pk, actor=user, step="submit")
    operator = make_staff(Role.CENTRE_OPERATOR, gz)
    reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
    services.project_transition(project_id=project.pk, actor=operator, step="start_review")
    with pytest.raises(Forbidden):  # an operator may open a review but not decide it
        services.project_transition(project_id=project.pk, actor=operator, step="approve")
    with pytest.raises(ValidationFailed):  # returning needs a comment
        services.project_transition(project_id=project.pk, actor=reviewer, step="return")
    services.project_transition(
        project_id=project.pk, actor=reviewer, step="return", comment="Attach the lamp invoice."
    )
    project.refresh_from_db()
    assert project.status == "returned" and project.editable
    services.document_upload(
        project=project, actor=user, upload=pdf("invoice.pdf", b"%PDF-1.4 invoice"), doc_type="invoice"
    )
    services.project_transition(project_id=project.pk, actor=user, step="submit")
    services.project_transition(project_id=project.pk, actor=reviewer, step="start_review")
    services.project_transition(project_id=project.pk, actor=reviewer, step="approve")
    project.refresh_from_db()
    assert project.status == "approved" and project.kg_co2e == Decimal("107113.000")
    steps = list(ReviewEvent.objects.filter(project=project).values_list("from_status", "to_status", "role"))
    assert steps == [
        ("draft", "submitted", "enterprise_staff"),
        ("submitted", "under_review", "centre_operator"),
        ("under_review", "returned", "centre_reviewer"),
        ("returned", "submitted", "enterprise_staff"),
        ("submitted", "under_review", "centre_reviewer"),
        ("under_review", "approved", "centre_reviewer"),
    ]
    year = ReductionYear.objects.get(project=project)
    assert year.year == 2023 and year.kg_co2e == Decimal("107113.000")
    with pytest.raises(Conflict):
        services.project_transition(project_id=project.pk, actor=reviewer, step="reject", comment="x")
    with pytest.raises(Conflict):  # approved projects are frozen
        services.readings_replace(project=project, actor=user, readings=streetlight_readings())


def test_review_event_is_append_only(gz):
    enterprise, user = make_enterprise(gz)
    project = make_approved_project(enterprise, user)
    event = ReviewEvent.objects.filter(project=project).first()
    from tanpuhui.common.models import AppendOnlyError

    with pytest.raises(AppendOnlyError):
        event.save()


def test_other_centre_reviewer_and_other_enterprise_walls(gz, zs):
    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user)
    services.readings_replace(project=project, actor=user, readings=streetlight_readings())
    services.document_upload(project=project, actor=user, upload=pdf(), doc_type="metering_report")
    _other, stranger = make_enterprise(gz, name="别家公司")
    with pytest.raises(NotFound):
        services.project_transition(project_id=project.pk, actor=stranger, step="submit")
    services.project_transition(project_id=project.pk, actor=user, step="submit")
    with pytest.raises(NotFound):
        services.project_transition(
            project_id=project.pk, actor=make_staff(Role.CENTRE_REVIEWER, zs), step="start_review"
        )


# --- donation ------------------------------------------------------------------------------------


def test_donate_part_then_rest_then_no_more(gz, coin_ledger):
    enterprise, user = make_enterprise(gz)
    project = make_approved_project(enterprise, user)
    year = project.years.get()
    first = services.donation_create(
        enterprise=enterprise,
        actor=user,
        reduction_year_id=year.pk,
        kg_co2e=Decimal("100000"),
        idempotency_key="d1",
        public_thanks=True,
    )
    assert first.coins == 100000  # default rule: 1 coin per kg
    pool = FundingPool.objects.get(pk=first.pool_id)
    assert pool.source == "enterprise_donation" and pool_coins_of(pool).balance == 100000
    assert coin_ledger.balance(coins.pool_account(pool)) == 100000
    # the same request again is a replay, not a second donation
    again = services.donation_create(
        enterprise=enterprise,
        actor=user,
        reduction_year_id=year.pk,
        kg_co2e=Decimal("100000"),
        idempotency_key="d1",
    )
    assert again.pk == first.pk and Donation.objects.count() == 1
    with pytest.raises(Unprocessable) as exc:
        services.donation_create(
            enterprise=enterprise,
            actor=user,
            reduction_year_id=year.pk,
            kg_co2e=Decimal("7113.001"),
            idempotency_key="d2",
        )
    assert exc.value.code == "exceeds_approved"
    services.donation_create(
        enterprise=enterprise,
        actor=user,
        reduction_year_id=year.pk,
        kg_co2e=Decimal("7113"),
        idempotency_key="d3",
    )
    year.refresh_from_db()
    assert year.available_kg == 0
    assert pool_coins_of(pool).balance == pool_coins_of(pool).coins_in == 107113
    # ... and what was donated can't later be sold as a credit
    with pytest.raises(Unprocessable):
        services.reduction_year_claim(reduction_year_id=year.pk, kg=Decimal("0.001"), purpose="credit")
    enterprise.refresh_from_db()
    assert enterprise.public_thanks


def test_database_refuses_overclaim_even_without_the_service(gz):
    from django.db import IntegrityError, transaction

    enterprise, user = make_enterprise(gz)
    year = make_approved_project(enterprise, user).years.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReductionYear.objects.filter(pk=year.pk).update(
            donated_kg=Decimal("100000"), credited_kg=Decimal("10000")
        )


def test_donation_walls(gz):
    enterprise, user = make_enterprise(gz)
    year = make_approved_project(enterprise, user).years.get()
    other, other_user = make_enterprise(gz, name="别家公司")
    with pytest.raises(NotFound):
        services.donation_create(
            enterprise=other,
            actor=other_user,
            reduction_year_id=year.pk,
            kg_co2e=Decimal("1"),
            idempotency_key="x",
        )
    with pytest.raises(ValidationFailed):
        services.donation_create(
            enterprise=enterprise,
            actor=user,
            reduction_year_id=year.pk,
            kg_co2e=Decimal("0"),
            idempotency_key="y",
        )
    services.donation_create(
        enterprise=enterprise,
        actor=user,
        reduction_year_id=year.pk,
        kg_co2e=Decimal("5"),
        idempotency_key="z",
    )
    with pytest.raises(Unprocessable) as exc:  # same key, different amount: a conflict, not a replay
        services.donation_create(
            enterprise=enterprise,
            actor=user,
            reduction_year_id=year.pk,
            kg_co2e=Decimal("6"),
            idempotency_key="z",
        )
    assert exc.value.code == "idempotency_mismatch"


@pytest.mark.django_db(transaction=True)
def test_concurrent_donations_never_exceed_the_approved_tonnes(gz):
    """Four threads each try to donate 40 t of a 107.113 t year: exactly two succeed."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    enterprise, user = make_enterprise(gz)
    year = make_approved_project(enterprise, user).years.get()
    barrier = threading.Barrier(4)
    results: list = []

    def donate(i):
        barrier.wait()
        try:
            services.donation_create(
                enterprise=enterprise,
                actor=user,
                reduction_year_id=year.pk,
                kg_co2e=Decimal("40000"),
                idempotency_key=f"t{i}",
            )
            results.append("ok")
        except Unprocessable as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=donate, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["exceeds_approved", "exceeds_approved", "ok", "ok"]
    year.refresh_from_db()
    assert year.donated_kg == Decimal("80000.000")
    pool = Donation.objects.first().pool
    assert pool_coins_of(pool).balance == 80000


def test_gas_uses_the_registry_and_a_missing_factor_is_a_422(gz):
    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user, kind="boiler", site="锅炉房")
    rows = [
        {
            "month": date(2023, 1, 1),
            "carrier": "natural_gas",
            "baseline_qty": Decimal("100"),
            "project_qty": Decimal("80"),
        }
    ]
    services.readings_replace(project=project, actor=user, readings=rows)
    project.refresh_from_db()
    assert project.kg_co2e == Decimal("43.244")  # 20 m³ × 2.1622 kg/m³ (NDRC 2013 default, seeded registry)
    from tanpuhui.methodology.models import Parameter
    from tanpuhui.methodology.registry import MethodUnavailable

    Parameter.objects.filter(code="natural_gas_ef").update(valid_from=date(2099, 1, 1))
    with pytest.raises(MethodUnavailable):  # no factor in force: a 422, not a guess
        services.readings_replace(project=project, actor=user, readings=rows)


@given(
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
    st.sampled_from(ALPHABET),
)
def test_credit_code_check_catches_every_single_wrong_check_character(head, region, org, wrong):
    body = head + region + org
    good = body + check_character(body)
    assert credit_code_problem(good) is None
    if wrong != good[-1]:
        assert credit_code_problem(body + wrong) == "check_character"


def test_enterprise_kg_follow_the_one_rounding_rule(gz):
    """kg CO₂e are rounded as everywhere else (methodology.formulas.round_kg: 4 places, half up):
    1 m³ of gas saved × 2.1622 kg/m³ = 2.1622 kg (the old 3-place rule made it 2.162)."""
    from tanpuhui.methodology.formulas import round_kg

    enterprise, user = make_enterprise(gz)
    project = make_project(enterprise, user, kind="boiler", site="锅炉房")
    rows = [{"month": date(2023, 1, 1), "carrier": "natural_gas", "baseline_qty": Decimal("100"),
             "project_qty": Decimal("99")}]  # fmt: skip
    services.readings_replace(project=project, actor=user, readings=rows)
    project.refresh_from_db()
    assert project.kg_co2e == Decimal("2.1622") == round_kg(Decimal("2.1622"))
