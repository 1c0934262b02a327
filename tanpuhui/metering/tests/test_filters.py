"""List filters of metering (``metering/filters.py``): a valid value narrows the list, an invalid one is a
400 naming the parameter — on the API; the reductions page says so and shows every reduction."""

import datetime
from decimal import Decimal

import pytest

from tanpuhui.metering.models import Reduction

pytestmark = pytest.mark.django_db


def invalid_fields(response):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    return error["fields"]


@pytest.fixture
def reductions(resident):
    def make(behaviour, day):
        return Reduction.objects.create(
            centre=resident.centre,
            resident=resident,
            behaviour=behaviour,
            period_start=day,
            period_end=day,
            kg_co2e=Decimal("1.5"),
            kind="original",
        )

    return [make("metro", datetime.date(2026, 9, 30)), make("bus", datetime.date(2026, 10, 1))]


def test_my_reductions_by_behaviour_and_month(client_for, resident, reductions):
    metro, bus = reductions
    client = client_for(resident)
    assert [
        r["id"] for r in client.get("/api/v1/me/reductions", {"behaviour": "metro"}).json()["results"]
    ] == [metro.pk]
    assert [r["id"] for r in client.get("/api/v1/me/reductions", {"month": "2026-10"}).json()["results"]] == [
        bus.pk
    ]
    december = client.get("/api/v1/me/reductions", {"month": "2026-12"}).json()
    assert december["count"] == 0


@pytest.mark.parametrize(
    "params", [{"behaviour": "flying"}, {"month": "2026-13"}, {"month": "0000-01"}, {"month": "1800-01"}]
)
def test_my_reductions_invalid_values(client_for, resident, reductions, params):
    response = client_for(resident).get("/api/v1/me/reductions", params)
    fields = invalid_fields(response)
    assert list(fields) == list(params) and all(isinstance(m, str) and m for m in fields[next(iter(params))])


def test_my_reductions_page_says_a_bad_month_is_bad(client, resident, reductions):
    client.force_login(resident)
    page = client.get("/me/reductions/", {"month": "2026-13"})
    assert page.status_code == 200
    assert [str(m) for m in page.context["messages"]] != []
    assert page.context["page"].paginator.count == 2 and page.context["month"] == ""
    october = client.get("/me/reductions/", {"month": "2026-10"})
    assert october.context["page"].paginator.count == 1 and october.context["month"] == "2026-10"
