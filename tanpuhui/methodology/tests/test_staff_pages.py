"""The staff pages where a centre's operators (and provincial officers) publish new parameter values."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.models import AuditEvent
from tanpuhui.methodology.models import Parameter
from tanpuhui.methodology.tests.factories import ParameterFactory

pytestmark = pytest.mark.django_db


def centre_value(centre, name, **extra):
    return ParameterFactory(
        code="test_water_ef",
        name_zh=name,
        name_en=name,
        value=Decimal("0.29"),
        unit="kg_co2e/m**3",
        region="centre",
        centre=centre,
        **{"valid_from": date(2016, 1, 1), **extra},
    )


@pytest.fixture
def values(gz, zs):
    return {"gz": centre_value(gz, "广州自来水因子"), "zs": centre_value(zs, "中山自来水因子")}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def publish_url(parameter) -> str:
    return reverse("web:staff-parameter-publish", args=[parameter.pk])


def form(**changes):
    data = {
        "value": "0.31",
        "unit": "kg_co2e/m**3",
        "valid_from": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "source_publication": "广州市供水排水年报",
        "source_issuer": "广州市水务局",
        "source_year": "2026",
        "year": "2025",
        "source_url": "https://example.org/report",
        "derivation": "年报电耗乘以电网因子",
    }
    data.update(changes)
    return data


def test_the_operator_lists_their_centres_values_only(gz_operator, values):
    response = signed_in(gz_operator).get(reverse("web:staff-parameters"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "广州自来水因子" in page and "中山自来水因子" not in page
    assert publish_url(values["gz"]) in page
    # regional values are the provincial officers' to publish
    regional = Parameter.objects.filter(centre__isnull=True, superseded_by__isnull=True).first()
    if regional is not None:
        assert publish_url(regional) not in page


def test_the_provincial_officer_lists_every_centre_and_regional_values(provincial_officer, values):
    ParameterFactory(
        code="test_grid_ef", name_zh="南方电网因子", unit="kg_co2e/kWh", region="south_china_grid"
    )
    page = signed_in(provincial_officer).get(reverse("web:staff-parameters")).content.decode()
    assert "广州自来水因子" in page and "中山自来水因子" in page and "南方电网因子" in page


def test_staff_who_do_not_publish_see_an_explanation(gz, values):
    reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
    page = signed_in(reviewer).get(reverse("web:staff-parameters")).content.decode()
    assert "广州自来水因子" not in page and 'data-testid="staff-parameters-empty"' in page
    assert signed_in(reviewer).get(publish_url(values["gz"])).status_code == 404


def test_the_publish_form_renders_for_the_operator(gz_operator, values):
    response = signed_in(gz_operator).get(publish_url(values["gz"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "广州自来水因子" in page and "kg CO₂e/m³" in page and "t CO₂e/m³" in page


def test_another_centres_value_is_not_found(gz_operator, values):
    client = signed_in(gz_operator)
    assert client.get(publish_url(values["zs"])).status_code == 404
    assert client.post(publish_url(values["zs"]), form()).status_code == 404
    assert Parameter.objects.filter(centre=values["zs"].centre).count() == 1


def test_anonymous_visitors_sign_in_and_residents_are_refused(resident, values):
    for url in (reverse("web:staff-parameters"), publish_url(values["gz"])):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert signed_in(resident).get(url).status_code == 403
    assert signed_in(resident).post(publish_url(values["gz"]), form()).status_code == 403
    assert Parameter.objects.filter(code="test_water_ef").count() == 2


def test_publishing_adds_a_value_and_keeps_the_old_one(gz_operator, values):
    old = values["gz"]
    response = signed_in(gz_operator).post(publish_url(old), form())
    assert response.status_code == 302 and response["Location"] == reverse("web:staff-parameters")
    new = Parameter.objects.get(code="test_water_ef", centre=old.centre, superseded_by__isnull=True)
    assert new.pk != old.pk and new.value == Decimal("0.31") and new.published_by == gz_operator
    assert (
        new.source_issuer == "广州市水务局" and new.year == 2025 and new.derivation == "年报电耗乘以电网因子"
    )
    old.refresh_from_db()
    assert old.value == Decimal("0.29") and old.superseded_by == new
    assert old.valid_to == timezone.localdate() + timedelta(days=10)
    assert AuditEvent.objects.filter(action="methodology.parameter_publish", target_id=str(new.pk)).exists()


def test_a_value_in_another_unit_is_converted_by_the_service(gz_operator, values):
    response = signed_in(gz_operator).post(
        publish_url(values["gz"]), form(value="0.00031", unit="t_co2e/m**3")
    )
    assert response.status_code == 302
    new = Parameter.objects.get(code="test_water_ef", centre=values["gz"].centre, superseded_by__isnull=True)
    assert new.unit == "t_co2e/m**3"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"value": "-1"}, "value"),
        ({"value": "abc"}, "value"),
        ({"source_publication": ""}, "source_publication"),
        ({"source_issuer": ""}, "source_issuer"),
        ({"valid_from": "2020-01-01"}, "valid_from"),
        ({"valid_from": "not a date"}, "valid_from"),
        ({"unit": "kg_co2e/kWh"}, "unit"),
        ({"source_url": "not a web address"}, "source_url"),
        ({"source_year": "twenty"}, "source_year"),
    ],
)
def test_bad_input_is_a_400_with_the_fields_message(gz_operator, values, changes, field):
    response = signed_in(gz_operator).post(publish_url(values["gz"]), form(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and errors[field][0]
    assert 'class="error"' in response.content.decode()
    assert Parameter.objects.filter(code="test_water_ef").count() == 2


def test_a_value_already_scheduled_later_is_a_field_error(gz_operator, gz):
    later = timezone.localdate() + timedelta(days=30)
    scheduled = centre_value(gz, "广州自来水因子", valid_from=later)
    response = signed_in(gz_operator).post(publish_url(scheduled), form())
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["valid_from"]
    assert Parameter.objects.filter(code="test_water_ef").count() == 1
