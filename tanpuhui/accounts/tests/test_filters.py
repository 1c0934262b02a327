"""List filters of accounts (``accounts/filters.py``): a valid value narrows the list, an invalid one is a
400 naming the parameter."""

import pytest

from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def invalid_fields(response):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    return error["fields"]


def test_staff_residents_search(client_for, gz_operator, gz):
    found = ResidentFactory(centre=gz, display_name="王小明")
    ResidentFactory(centre=gz, display_name="李四")
    client = client_for(gz_operator)
    rows = client.get("/api/v1/staff/residents", {"q": "小明"}).json()["results"]
    assert [r["id"] for r in rows] == [str(found.pk)]
    assert list(invalid_fields(client.get("/api/v1/staff/residents", {"q": "x" * 101}))) == ["q"]


def test_staff_bindings_by_resident_and_number(client_for, gz_operator, gz):
    held = BindingFactory(
        resident=ResidentFactory(centre=gz), kind="transit_card", account_number="T123456789"
    )
    BindingFactory(resident=ResidentFactory(centre=gz), kind="transit_card", account_number="T987654321")
    client = client_for(gz_operator)
    by_resident = client.get("/api/v1/staff/bindings", {"resident": str(held.resident_id)}).json()
    assert [r["id"] for r in by_resident["results"]] == [held.pk]
    by_number = client.get("/api/v1/staff/bindings", {"kind": "transit_card", "number": "T123456789"}).json()
    assert [r["id"] for r in by_number["results"]] == [held.pk]
    assert list(invalid_fields(client.get("/api/v1/staff/bindings", {"resident": "not-a-uuid"}))) == [
        "resident"
    ]
    bad_kind = client.get("/api/v1/staff/bindings", {"kind": "passport", "number": "T123456789"})
    assert list(invalid_fields(bad_kind)) == ["kind"]
    too_long = client.get("/api/v1/staff/bindings", {"kind": "transit_card", "number": "9" * 41})
    assert list(invalid_fields(too_long)) == ["number"]
