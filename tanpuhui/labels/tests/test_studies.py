"""Paper and textile footprints end to end (expected figures derived in factories.py), rules, API."""

from decimal import Decimal

import pytest

from tanpuhui.common.errors import Unprocessable, ValidationFailed
from tanpuhui.enterprises.tests.factories import make_enterprise
from tanpuhui.labels import services
from tanpuhui.labels.models import ProductCategoryRule, Study
from tanpuhui.labels.tests.factories import (
    PAPER_LINES,
    PAPER_TOTAL,
    TEXTILE_LINES,
    TEXTILE_TOTAL,
    add_lines,
    make_study,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(gz):
    return make_enterprise(gz, name="东莞某造纸厂")


def test_seeded_rules_cite_what_they_follow_and_mark_unverified():
    paper = ProductCategoryRule.objects.get(code="paper", version="1.0")
    textiles = ProductCategoryRule.objects.get(code="textiles", version="1.0")
    assert "CEPI" in paper.follows and "DB4403/T 281-2022" in textiles.follows
    assert paper.unverified and textiles.unverified
    assert (paper.cutoff_flow_pct, paper.cutoff_total_pct) == (Decimal("1"), Decimal("5"))


def test_paper_footprint_end_to_end(owner):
    enterprise, user = owner
    study = make_study(enterprise, user)
    add_lines(study, PAPER_LINES)
    result = services.study_compute(study=study).result
    assert Decimal(str(result["total_kg"])) == PAPER_TOTAL
    assert result["fossil_kg"] == pytest.approx(497.622)
    assert result["biogenic_kg"] == pytest.approx(168.0)
    assert result["stages"] == pytest.approx(
        {"materials": 180.0, "energy": 181.89 + 129.732 + 168.0, "transport": 6.0}
    )
    assert result["cutoff"]["ok"] and result["cutoff"]["excluded"][0]["pct"] == pytest.approx(0.24, abs=0.001)
    # data quality: weighted by contribution (180×4 + 181.89×1 + 129.732×1 + 168×2 + 6×3) / 665.622
    assert result["data_quality"] == pytest.approx((720 + 181.89 + 129.732 + 336 + 18) / 665.622, abs=0.01)
    assert result["data_quality_ok"]
    assert result["supply"][0] == 1.0
    u = result["uncertainty"]
    assert u["draws"] == 1000 and u["p2_5"] < result["total_kg"] < u["p97_5"]
    assert {line["factor"]["code"] for line in result["lines"]} >= {"grid_ef", "lca_kraft_pulp"}


def test_textile_footprint_end_to_end(owner):
    enterprise, user = owner
    study = make_study(enterprise, user, pcr="textiles", product="涤棉混纺面料")
    add_lines(study, TEXTILE_LINES)
    result = services.study_compute(study=study).result
    assert result["total_kg"] == pytest.approx(float(TEXTILE_TOTAL), abs=1e-4)
    assert result["biogenic_kg"] == 0


def test_cutoff_breach_is_refused_and_nothing_written(owner):
    enterprise, user = owner
    study = make_study(enterprise, user)
    add_lines(study, PAPER_LINES)
    add_lines(
        study, [("materials", "淀粉", "starch", "20", "kg", "lca_kraft_pulp", "secondary", "fossil", 3, True)]
    )
    with pytest.raises(Unprocessable) as err:  # 12 kg of 679 = 1.77 % > 1 % per flow
        services.study_compute(study=study)
    assert err.value.code == "cutoff_breach"
    study.refresh_from_db()
    assert study.status == Study.Status.DRAFT and study.result == {}


def test_missing_primary_data_is_stated(owner):
    enterprise, user = owner
    study = make_study(enterprise, user)
    add_lines(study, [line for line in PAPER_LINES if line[2] != "electricity"])
    with pytest.raises(Unprocessable) as err:
        services.study_compute(study=study)
    assert err.value.code == "missing_primary_data"


def test_poor_data_quality_is_flagged(owner):
    enterprise, user = owner
    study = make_study(enterprise, user)
    lines = [(*line[:8], 5, line[9]) for line in PAPER_LINES]
    add_lines(study, lines)
    assert services.study_compute(study=study).result["data_quality_ok"] is False


@pytest.mark.parametrize(
    ("quantity", "unit", "code", "field"),
    [
        ("450", "kg", "unit_mismatch", "unit"),
        ("450", "parsecs-ish", "unit_mismatch", "unit"),
        ("-1", "kWh", "negative_quantity", "quantity"),
    ],
)
def test_bad_lines(owner, quantity, unit, code, field):
    enterprise, user = owner
    study = make_study(enterprise, user)
    with pytest.raises(ValidationFailed) as err:
        services.line_add(
            study=study,
            stage="energy",
            name="电",
            quantity=Decimal(quantity),
            unit=unit,
            factor_code="grid_ef",
            source="primary",
            data_quality=1,
        )
    assert err.value.code == code and field in err.value.fields


def test_api_create_add_compute(owner, client):
    enterprise, user = owner
    client.force_login(user)
    pcr = ProductCategoryRule.objects.get(code="paper")
    r = client.post(
        "/api/v1/labels/studies",
        {
            "enterprise": str(enterprise.pk),
            "pcr": pcr.pk,
            "product_name": "箱板纸",
            "reference_date": "2026-06-30",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    sid = r.json()["id"]
    bad = client.post(
        f"/api/v1/labels/studies/{sid}/lines",
        {
            "stage": "energy",
            "name": "电",
            "quantity": "450",
            "unit": "kg",
            "factor_code": "grid_ef",
            "source": "primary",
            "data_quality": 1,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "unit" in str(bad.json())
    study = Study.objects.get(pk=sid)
    add_lines(study, PAPER_LINES)
    r = client.post(f"/api/v1/labels/studies/{sid}/compute")
    assert r.status_code == 200, r.content
    assert Decimal(str(r.json()["result"]["total_kg"])) == PAPER_TOTAL
    assert client.get("/api/v1/labels/pcrs").status_code == 200


def test_demo_is_idempotent():
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import make_staff
    from tanpuhui.labels import demo
    from tanpuhui.labels.models import Certificate
    from tanpuhui.tenancy.tests.factories import CentreFactory, ProvincialCentreFactory

    province = ProvincialCentreFactory()
    CentreFactory(code="DG", name_zh="东莞市碳普惠中心", parent=province)
    make_staff(Role.CERTIFICATION_STAFF, province)
    first = demo.load()
    assert "665.622" in first and "7.225" in first
    assert demo.load() == first
    assert Study.objects.count() == 2
    # The paper mill and the textile exporter each hold a GD and an HK label; the motor maker a
    # low-carbon product certificate.
    codes = sorted(
        code or "low_carbon" for code in Certificate.objects.values_list("scheme__code", flat=True)
    )
    assert codes == ["gd", "gd", "hk", "hk", "low_carbon"]
    assert set(Certificate.objects.values_list("category", flat=True)) == {"paper", "textiles", "motor"}


def test_result_page_shows_stages_chart(owner, client):
    enterprise, user = owner
    study = make_study(enterprise, user)
    add_lines(study, PAPER_LINES)
    services.study_compute(study=study)
    client.force_login(user)
    page = client.get(f"/enterprise/footprints/{study.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="stage-chart"' in body and "665.6" in body
    assert client.get("/enterprise/footprints/").status_code == 200


def test_stage_outside_boundary_and_unknown_factor_are_field_errors(owner):
    enterprise, user = owner
    study = make_study(enterprise, user)
    common = {"name": "x", "quantity": Decimal("1"), "unit": "kWh", "source": "primary", "data_quality": 1}
    with pytest.raises(ValidationFailed) as err:  # paper is cradle to gate: no use stage
        services.line_add(study=study, stage="use", factor_code="grid_ef", **common)
    assert err.value.code == "stage_outside_boundary" and "stage" in err.value.fields
    with pytest.raises(ValidationFailed) as err:
        services.line_add(study=study, stage="energy", factor_code="no-such-factor", **common)
    assert err.value.code == "factor_unavailable" and "factor_code" in err.value.fields


def test_factors_come_from_the_registry(owner):
    from tanpuhui.methodology import registry

    enterprise, user = owner
    study = make_study(enterprise, user)
    add_lines(study, PAPER_LINES)
    result = services.study_compute(study=study).result
    electricity = next(line for line in result["lines"] if line["factor"]["code"] == "grid_ef")
    resolved = registry.factor(code="grid_ef", on=study.reference_date, region="south_china_grid")
    assert (
        electricity["factor"]["id"] == resolved.id
        and Decimal(electricity["factor"]["value"]) == resolved.value
    )
    assert electricity["kg"] == pytest.approx(450 * float(resolved.value))
