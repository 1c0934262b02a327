"""Pilots: workflow, walls, funding limits (also under concurrency), measures, indicator scoring."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.errors import Conflict, Unprocessable, ValidationFailed
from tanpuhui.pilots import evaluation, services
from tanpuhui.pilots.models import Appropriation, Disbursement, Indicator, IndicatorSet, Pilot, PilotEvent
from tanpuhui.pilots.tests.factories import make_appropriation, make_community, make_pilot

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(gz):
    return make_staff(Role.CENTRE_OPERATOR, gz)


# --- workflow ------------------------------------------------------------------------------------


def test_status_workflow_in_order_with_who_when_why(gz, reviewer):
    pilot = make_pilot(gz)
    assert pilot.status == Pilot.Status.APPLIED
    for action, status in [
        ("approve", "approved"),
        ("start_construction", "construction"),
        ("accept", "accepted"),
    ]:
        pilot = services.pilot_transition(
            pilot_id=pilot.pk, actor=reviewer, action=action, reason=f"ok {action}"
        )
        assert pilot.status == status
    events = list(PilotEvent.objects.filter(pilot=pilot).values_list("from_status", "to_status", "reason"))
    assert events == [
        ("", "applied", ""),
        ("applied", "approved", "ok approve"),
        ("approved", "construction", "ok start_construction"),
        ("construction", "accepted", "ok accept"),
    ]
    assert PilotEvent.objects.filter(pilot=pilot, actor=reviewer).count() == 3


def test_out_of_order_transitions_are_refused_and_change_nothing(gz, reviewer):
    pilot = make_pilot(gz)
    with pytest.raises(Conflict) as err:
        services.pilot_transition(pilot_id=pilot.pk, actor=reviewer, action="accept")
    assert err.value.code == "transition_not_allowed"
    assert Pilot.objects.get(pk=pilot.pk).status == "applied"  # (a protected FSM field: no refresh_from_db)
    assert PilotEvent.objects.filter(pilot=pilot).count() == 1


def test_revoking_needs_a_reason_and_is_final(gz, reviewer):
    pilot = make_pilot(gz)
    with pytest.raises(ValidationFailed) as err:
        services.pilot_transition(pilot_id=pilot.pk, actor=reviewer, action="revoke", reason=" ")
    assert err.value.code == "reason_required"
    services.pilot_transition(
        pilot_id=pilot.pk, actor=reviewer, action="revoke", reason="No progress in two years"
    )
    with pytest.raises(Conflict):
        services.pilot_transition(pilot_id=pilot.pk, actor=reviewer, action="approve")


def test_status_cannot_be_set_by_hand(gz):
    pilot = make_pilot(gz)
    with pytest.raises(AttributeError):
        pilot.status = "accepted"


def test_community_pilot_needs_a_community_and_its_type(gz):
    manager = make_staff(Role.PILOT_MANAGER, gz)
    place = make_community(gz)
    with pytest.raises(ValidationFailed) as err:
        services.pilot_apply(
            actor=manager,
            level="community",
            name_zh="x",
            designation="city",
            year=2015,
            place_code=place.parent.code,
            managing_organisation="x",
            community_type="rural",
        )
    assert err.value.code == "wrong_place"


# --- walls (who sees which pilot) ----------------------------------------------------------------


def test_manager_sees_only_their_pilot_city_staff_their_city_province_all(gz, zs, province, client_for):
    mine = make_pilot(gz)
    other_gz = make_pilot(gz)
    in_zs = make_pilot(zs)
    manager = mine.manager
    ids = lambda response: {row["id"] for row in response.json()["results"]}  # noqa: E731
    assert ids(client_for(manager).get("/api/v1/pilots/mine")) == {str(mine.pk)}
    assert client_for(manager).get(f"/api/v1/pilots/mine/{other_gz.pk}").status_code == 404
    gz_staff = make_staff(Role.CENTRE_OPERATOR, gz)
    assert ids(client_for(gz_staff).get("/api/v1/pilots/review")) == {str(mine.pk), str(other_gz.pk)}
    assert client_for(gz_staff).get(f"/api/v1/pilots/review/{in_zs.pk}").status_code == 404
    officer = make_staff(Role.PROVINCIAL_OFFICER, province)
    assert ids(client_for(officer).get("/api/v1/pilots/review")) == {
        str(mine.pk),
        str(other_gz.pk),
        str(in_zs.pk),
    }
    # A pilot manager does not review, even their own pilot.
    assert (
        client_for(manager)
        .post(f"/api/v1/pilots/review/{mine.pk}/transition", {"action": "approve"})
        .status_code
        == 403
    )


def test_transition_api_out_of_order_is_409(gz, reviewer, client_for):
    pilot = make_pilot(gz)
    response = client_for(reviewer).post(
        f"/api/v1/pilots/review/{pilot.pk}/transition", {"action": "accept"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"


# --- funding -------------------------------------------------------------------------------------


def test_disbursements_reduce_the_remaining_budget_and_never_exceed_it(gz, reviewer):
    appropriation = make_appropriation(make_pilot(gz), amount_fen=100_000)
    services.disbursement_create(
        appropriation_id=appropriation.pk,
        actor=reviewer,
        milestone="开工",
        amount_fen=60_000,
        paid_on=date(2015, 3, 1),
    )
    with pytest.raises(Unprocessable) as err:
        services.disbursement_create(
            appropriation_id=appropriation.pk,
            actor=reviewer,
            milestone="验收",
            amount_fen=40_001,
            paid_on=date(2017, 5, 1),
        )
    assert err.value.code == "exceeds_appropriation"
    appropriation.refresh_from_db()
    assert (appropriation.disbursed_fen, appropriation.remaining_fen) == (60_000, 40_000)
    with pytest.raises(ValidationFailed):
        services.disbursement_create(
            appropriation_id=appropriation.pk,
            actor=reviewer,
            milestone="x",
            amount_fen=-5,
            paid_on=date(2017, 5, 1),
        )


def test_the_database_refuses_an_overdrawn_appropriation(gz):
    appropriation = make_appropriation(make_pilot(gz), amount_fen=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Appropriation.objects.filter(pk=appropriation.pk).update(disbursed_fen=101)


def test_disbursement_api_needs_an_idempotency_key_and_replays(gz, reviewer, client_for):
    appropriation = make_appropriation(make_pilot(gz), amount_fen=100_000)
    url = f"/api/v1/pilots/review/appropriations/{appropriation.pk}/disbursements"
    body = {"milestone": "开工", "amount_fen": 30_000, "paid_on": "2015-03-01"}
    client = client_for(reviewer)
    assert client.post(url, body, format="json").status_code == 400
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert Disbursement.objects.filter(appropriation=appropriation).count() == 1
    over = client.post(url, {**body, "amount_fen": 80_000}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert over.status_code == 422
    assert over.json()["error"]["code"] == "exceeds_appropriation"


@pytest.mark.django_db(transaction=True)
def test_concurrent_disbursements_never_exceed_the_appropriation(gz):
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    reviewer = make_staff(Role.CENTRE_OPERATOR, gz)
    appropriation = make_appropriation(make_pilot(gz), amount_fen=100_000)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def pay() -> None:
        try:
            barrier.wait()
            services.disbursement_create(
                appropriation_id=appropriation.pk,
                actor=reviewer,
                milestone="并发",
                amount_fen=30_000,
                paid_on=date(2015, 3, 1),
            )
            outcomes.append("paid")
        except Unprocessable:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    appropriation.refresh_from_db()
    assert sorted(outcomes) == ["paid"] * 3 + ["refused"] * 5
    assert appropriation.disbursed_fen == 90_000
    assert (
        sum(Disbursement.objects.filter(appropriation=appropriation).values_list("amount_fen", flat=True))
        == 90_000
    )


# --- measures through the methodology registry ---------------------------------------------------


def test_led_measure_is_quantified_by_the_electricity_methodology(gz):
    pilot = make_pilot(gz)
    measure = services.measure_add(
        pilot=pilot,
        actor=pilot.manager,
        kind="led_lighting",
        description="LED street lights",
        behaviour="electricity_saving",
        annual_baseline=Decimal("223000"),
        annual_quantity=Decimal("0"),
        on=date(2026, 3, 1),
        published_t_co2e=Decimal("223"),
        published_basis="1 kg CO₂ per kWh",
    )
    # 223,000 kWh × 0.4042 kg/kWh (South China grid, 2023 factor, valid from 2026-01-15)
    assert measure.annual_kg_co2e == Decimal("90136.6000")
    assert measure.methodology_version_id is not None
    assert measure.inputs["params"]["factor"]["value"] == "0.4042"


def test_a_measure_without_a_published_method_is_refused_with_422(gz):
    pilot = make_pilot(gz)
    with pytest.raises(Unprocessable):
        services.measure_add(
            pilot=pilot,
            actor=pilot.manager,
            kind="composting",
            description="x",
            behaviour="composting",
            annual_quantity=1,
        )


# --- indicators ----------------------------------------------------------------------------------


def test_seeded_rural_set_has_10_categories_28_indicators_weights_100_all_unverified():
    rural = IndicatorSet.objects.get(pilot_type="rural", version="2015")
    items = list(rural.indicators.all())
    assert len(items) == 28
    assert len({i.category_zh for i in items}) == 10
    assert sum(i.weight for i in items) == 100
    assert not any(i.verified for i in items)
    c1 = rural.indicators.get(code="C1")
    assert (c1.comparator, c1.target, c1.unit) == ("ge", Decimal("5"), "%")


def _small_set():
    return services.indicator_set_create(
        actor=None,  # type: ignore[arg-type]
        pilot_type="existing_urban",
        version="test-1",
        title="t",
        source="test",
        effective_from=date(2015, 1, 1),
        indicators=[
            {
                "code": "Q1",
                "category_zh": "交通",
                "name_zh": "公交分担率",
                "kind": "quantitative",
                "unit": "%",
                "comparator": "ge",
                "target": 60,
                "weight": 50,
                "source": "s",
            },
            {
                "code": "Q2",
                "category_zh": "能耗",
                "name_zh": "户均用电",
                "kind": "quantitative",
                "unit": "kWh",
                "comparator": "le",
                "target": 2000,
                "weight": 30,
                "source": "s",
            },
            {
                "code": "Y1",
                "category_zh": "管理",
                "name_zh": "设立机构",
                "kind": "yes_no",
                "comparator": "yes",
                "weight": 20,
                "source": "s",
            },
        ],
    )


def test_indicator_set_refuses_unknown_comparators_and_bad_weights():
    base = {
        "code": "Q1",
        "category_zh": "c",
        "name_zh": "n",
        "kind": "quantitative",
        "unit": "%",
        "target": 1,
        "source": "s",
    }
    with pytest.raises(ValidationFailed) as err:
        services.indicator_set_create(
            actor=None,
            pilot_type="park",
            version="x",
            title="t",
            source="s",
            effective_from=date(2015, 1, 1),  # type: ignore[arg-type]
            indicators=[{**base, "comparator": ">>", "weight": 100}],
        )
    assert "indicators.0.comparator" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        services.indicator_set_create(
            actor=None,
            pilot_type="park",
            version="x",
            title="t",
            source="s",
            effective_from=date(2015, 1, 1),  # type: ignore[arg-type]
            indicators=[{**base, "comparator": "ge", "weight": 90}],
        )
    assert "indicators" in err.value.fields
    assert not IndicatorSet.objects.filter(version="x").exists()


def test_scoring_weighted_yes_no_missing_override_and_year_comparison(gz, reviewer):
    small = _small_set()
    pilot = make_pilot(gz)
    q1, q2, y1 = (small.indicators.get(code=c) for c in ("Q1", "Q2", "Y1"))
    m = pilot.manager
    services.indicator_value_report(
        pilot=pilot, actor=m, indicator_id=q1.pk, year=2015, value=Decimal("30"), evidence="交通局"
    )
    previous = evaluation.evaluate(pilot, 2015)
    assert previous.total == Decimal("25.00")  # 30/60 × 50; Q2 and Y1 missing
    assert previous.missing == 2
    services.indicator_value_report(
        pilot=pilot, actor=m, indicator_id=q1.pk, year=2016, value=Decimal("66"), evidence="交通局"
    )
    services.indicator_value_report(
        pilot=pilot, actor=m, indicator_id=q2.pk, year=2016, value=Decimal("2500"), evidence="电网"
    )
    services.indicator_value_report(
        pilot=pilot, actor=m, indicator_id=y1.pk, year=2016, achieved=True, evidence="文件"
    )
    result = evaluation.evaluate(pilot, 2016)
    # 50 (met) + 30 × 2000/2500 = 24 + 20 (yes) = 94
    assert result.total == Decimal("94.00")
    assert result.grade == "excellent"
    assert result.previous_total == Decimal("25.00")
    gap = {line.indicator.code: line.gap for line in result.lines}
    assert gap["Q2"] == Decimal("500")
    with pytest.raises(ValidationFailed):
        services.score_override(
            pilot=pilot, actor=reviewer, indicator_id=q2.pk, year=2016, score="1", reason=""
        )
    services.score_override(
        pilot=pilot,
        actor=reviewer,
        indicator_id=q2.pk,
        year=2016,
        score="1",
        reason="2016 年含新入住户，按户数折算已达标",
    )
    overridden = evaluation.evaluate(pilot, 2016)
    assert overridden.total == Decimal("100.00")
    line = next(li for li in overridden.lines if li.indicator.code == "Q2")
    assert line.override_reason and line.computed == Decimal("0.8")


def test_indicator_values_of_the_wrong_type_or_range_are_refused(gz):
    small = _small_set()
    pilot = make_pilot(gz)
    q1, y1 = small.indicators.get(code="Q1"), small.indicators.get(code="Y1")
    m = pilot.manager
    for kwargs, code in [
        ({"indicator_id": q1.pk, "achieved": True}, "wrong_type"),
        ({"indicator_id": y1.pk, "value": Decimal("1")}, "wrong_type"),
        ({"indicator_id": q1.pk, "value": Decimal("140")}, "out_of_range"),
        ({"indicator_id": q1.pk, "value": Decimal("-1")}, "out_of_range"),
        ({"indicator_id": q1.pk, "value": Decimal("50"), "unit": "kWh"}, "wrong_unit"),
    ]:
        with pytest.raises(ValidationFailed) as err:
            services.indicator_value_report(pilot=pilot, actor=m, year=2016, evidence="e", **kwargs)
        assert err.value.code == code
    rural = Indicator.objects.get(indicator_set__pilot_type="rural", code="C1")
    with pytest.raises(ValidationFailed) as err:
        services.indicator_value_report(
            pilot=pilot, actor=m, indicator_id=rural.pk, year=2016, value=1, evidence="e"
        )
    assert err.value.code == "indicator_not_applicable"


def test_report_for_another_pilot_is_404(gz, client_for):
    mine, theirs = make_pilot(gz), make_pilot(gz)
    small = _small_set()
    response = client_for(mine.manager).post(
        f"/api/v1/pilots/mine/{theirs.pk}/indicator-values",
        {"indicator": small.indicators.get(code="Q1").pk, "year": 2016, "value": "50", "evidence": "x"},
        format="json",
    )
    assert response.status_code == 404
