"""Low-carbon product certification against configured, versioned limits: motors (energy-efficiency
grade of GB 18613 first, then kg CO₂e per kW) and aluminium profiles (kg CO₂e per tonne by surface
treatment), pass and fail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tanpuhui.common.errors import Unprocessable, ValidationFailed
from tanpuhui.enterprises.tests.factories import make_enterprise
from tanpuhui.labels import services
from tanpuhui.labels.models import LowCarbonSpec
from tanpuhui.labels.tests.factories import certifier

pytestmark = pytest.mark.django_db


@pytest.fixture
def maker(gz):
    return make_enterprise(gz, name="广东某电机有限公司")[0]


def _certify(maker, body, spec, **kw):
    today = timezone.localdate()
    args = {
        "product_name": "YE4 三相异步电动机",
        "model": "YE4-160M-4",
        "variant": "default",
        "grade": "2",
        "kg_per_unit": Decimal("38.5"),
        "inventory": {"steel": "21.0", "copper": "9.2", "electricity": "8.3"},
        "type_test_on": today - timedelta(days=20),
        "inspected_on": today - timedelta(days=10),
    }
    args.update(kw)
    return services.lowcarbon_certify(actor=body, enterprise=maker, spec=spec, **args)


def test_seeded_specs_are_versioned_data_for_four_products():
    assert set(LowCarbonSpec.objects.values_list("product", flat=True)) == {
        "motor",
        "aluminium",
        "fridge",
        "air_conditioner",
    }
    motor = LowCarbonSpec.objects.get(product="motor", version="2026.1")
    assert motor.grades_allowed == ["1", "2"] and motor.unverified


def test_motor_passes_with_grade_2_under_the_limit(maker, province, client):
    body = certifier(province)
    spec = LowCarbonSpec.objects.get(product="motor")
    certificate = _certify(maker, body, spec)  # 38.5 ≤ 45 kg CO2e per kW, grade 2 ≤ required 2
    assert certificate.number.startswith("LCP-MOT-") and certificate.kind == "low_carbon"
    assert certificate.details["limit"] == "45" and certificate.details["inventory"]["copper"] == "9.2"
    # Twelve items of the 2013 interim measures are carried (client, maker, factory, product, basis…).
    assert {"client", "manufacturer", "factory", "product_and_model", "basis", "mode", "inventory"} <= set(
        certificate.details
    )
    first = certificate.surveillance[0]
    assert first >= (certificate.issued_on + timedelta(days=180)).isoformat()
    page = client.get(f"/labels/c/{certificate.number}/").content.decode()
    assert "低碳产品认证证书" in page and "38.50 千克二氧化碳当量 / 千瓦额定输出功率" in page
    assert (
        client.get("/labels/", {"scheme": "low_carbon", "category": "motor"})
        .content.decode()
        .count("LCP-MOT-")
        == 2
    )


def test_motor_fails_on_grade_and_on_the_limit(maker, province):
    body = certifier(province)
    spec = LowCarbonSpec.objects.get(product="motor")
    with pytest.raises(Unprocessable) as grade3:
        _certify(maker, body, spec, grade="3")  # IE3, the legal minimum: not low-carbon
    assert "grade 3" in grade3.value.fields["kg_per_unit"][0]
    with pytest.raises(Unprocessable) as heavy:
        _certify(maker, body, spec, kg_per_unit=Decimal("45.01"))
    assert "exceeds the limit of 45" in heavy.value.fields["kg_per_unit"][0]


def test_aluminium_limits_by_surface_treatment(maker, province):
    body = certifier(province)
    spec = LowCarbonSpec.objects.get(product="aluminium")
    ok = _certify(
        maker,
        body,
        spec,
        product_name="6063 铝合金型材",
        model="",
        variant="anodised",
        grade="",
        kg_per_unit=Decimal("15400"),
    )
    assert ok.declared_unit == "t" and ok.details["limit"] == "15500"
    # 15,700 passes thermal-break (16,800) but fails anodised (15,500).
    assert services.lowcarbon_assess(
        spec=spec, variant="thermal_break", grade="", kg_per_unit=Decimal("15700")
    )["passed"]
    with pytest.raises(Unprocessable):
        _certify(maker, body, spec, variant="anodised", grade="", kg_per_unit=Decimal("15700"))
    with pytest.raises(ValidationFailed) as unknown:
        _certify(maker, body, spec, variant="chrome", grade="", kg_per_unit=Decimal("15000"))
    assert unknown.value.code == "unknown_variant"


def test_a_new_limit_version_leaves_issued_certificates_alone(maker, province):
    body = certifier(province)
    spec = LowCarbonSpec.objects.get(product="aluminium")
    issued = _certify(maker, body, spec, variant="powder", grade="", kg_per_unit=Decimal("15500"))
    tighter = LowCarbonSpec.objects.create(
        product="aluminium",
        version="2027.1",
        declared_unit="t",
        declared_unit_zh="每吨",
        declared_unit_en="per t",
        limits={**spec.limits, "powder": "15000"},
        follows=spec.follows,
        effective_from=spec.effective_from,
    )
    assert not services.lowcarbon_assess(
        spec=tighter, variant="powder", grade="", kg_per_unit=Decimal("15500")
    )["passed"]
    issued.refresh_from_db()
    assert issued.details["limit"] == "15600" and issued.rule == "aluminium 2026.1"


def test_decision_later_than_30_days_after_the_inspection_is_refused(maker, province):
    body = certifier(province)
    spec = LowCarbonSpec.objects.get(product="motor")
    with pytest.raises(Unprocessable) as late:
        _certify(maker, body, spec, inspected_on=timezone.localdate() - timedelta(days=31))
    assert late.value.code == "decision_overdue"


def test_another_province_body_cannot_certify(maker, province):
    from tanpuhui.common.errors import NotFound
    from tanpuhui.tenancy.tests.factories import ProvincialCentreFactory

    stranger = certifier(ProvincialCentreFactory(code="HN"))
    with pytest.raises(NotFound):
        _certify(maker, stranger, LowCarbonSpec.objects.get(product="motor"))


def test_first_surveillance_no_earlier_than_six_months(maker, province):
    from freezegun import freeze_time

    body = certifier(province)
    certificate = _certify(maker, body, LowCarbonSpec.objects.get(product="motor"))
    issued = certificate.issued_on
    with freeze_time(issued + timedelta(days=200)):
        with pytest.raises(Unprocessable) as early:
            services.surveillance_record(
                certificate=certificate, actor=body, on=issued + timedelta(days=120), passed=True
            )
        assert early.value.code == "surveillance_out_of_window"
        services.surveillance_record(
            certificate=certificate, actor=body, on=issued + timedelta(days=190), passed=True
        )
    assert certificate.visits.count() == 1
