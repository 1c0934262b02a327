"""The workflow and its walls: a town edits only its own draft, the city reviews only its towns, a
published inventory never changes and a correction is a new revision with its reason and difference."""

import pytest
from rest_framework.test import APIClient

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.services import role_grant
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.errors import Conflict, Forbidden
from tanpuhui.inventories import selectors, services
from tanpuhui.inventories.models import Inventory
from tanpuhui.inventories.tests.factories import desk_town, make_inventory, make_statistician, publish, row

pytestmark = pytest.mark.django_db


def client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_whole_workflow_through_the_api(zs):
    statistician = make_statistician(zs)
    reviewer = make_staff(Role.CENTRE_REVIEWER, zs)
    town = desk_town(statistician)
    me = client(statistician)
    created = me.post(
        "/api/v1/inventories/town", {"town": town.code, "year": 2022, "gwp": "AR5"}, format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    line = me.post(
        f"/api/v1/inventories/town/{pk}/rows",
        {
            "category": "manufacturing",
            "subject": "diesel",
            "quantity": "100",
            "unit": "t",
            "source": "bureau",
        },
        format="json",
    )
    assert line.status_code == 201 and line.json()["entered_by"] == statistician.display_name
    assert me.post(f"/api/v1/inventories/town/{pk}/submit").json()["status"] == "submitted"
    # The draft is no longer the town's to change.
    again = me.post(
        f"/api/v1/inventories/town/{pk}/rows",
        {"category": "manufacturing", "subject": "diesel", "quantity": "1", "unit": "t", "source": "x"},
        format="json",
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "inventory_not_draft"
    city = client(reviewer)
    comment = city.post(
        f"/api/v1/inventories/review/{pk}/comments",
        {"text": "Check the diesel against the energy balance.", "row": line.json()["id"]},
        format="json",
    )
    assert comment.status_code == 201 and comment.json()["line"] == "manufacturing/diesel"
    assert city.post(f"/api/v1/inventories/review/{pk}/approve").json()["status"] == "reviewed"
    published = city.post(f"/api/v1/inventories/review/{pk}/publish").json()
    assert published["status"] == "published" and published["result"]["basic_plus"] == "310.627407"
    public = APIClient().get(f"/api/v1/inventories/published/{pk}")
    assert public.status_code == 200 and public.json()["result"]["basic_plus"] == "310.627407"


def test_a_town_edits_only_its_own_draft(zs):
    owner, other = make_statistician(zs), make_statistician(zs)
    inventory = make_inventory(owner)
    with pytest.raises(Forbidden):
        services.row_put(inventory=inventory, actor=other, data=row("residential", "lpg", "1", "t"))
    seen = client(other).post(
        f"/api/v1/inventories/town/{inventory.pk}/rows",
        {"category": "residential", "subject": "lpg", "quantity": "1", "unit": "t", "source": "x"},
        format="json",
    )
    assert seen.status_code == 404
    refused = client(other).post(
        "/api/v1/inventories/town", {"town": desk_town(owner).code, "year": 2021}, format="json"
    )
    assert refused.status_code == 400 and "town" in refused.json()["error"]["fields"]


def test_reviewers_see_only_their_city(gz, zs):
    inventory = make_inventory(make_statistician(zs))
    services.inventory_submit(inventory=inventory, actor=inventory.created_by)
    assert (
        client(make_staff(Role.CENTRE_REVIEWER, gz))
        .post(f"/api/v1/inventories/review/{inventory.pk}/approve")
        .status_code
        == 404
    )
    assert (
        client(make_staff(Role.CENTRE_REVIEWER, zs))
        .post(f"/api/v1/inventories/review/{inventory.pk}/approve")
        .status_code
        == 200
    )


def test_year_outside_the_range_and_a_second_inventory_of_a_year_are_refused(zs):
    statistician = make_statistician(zs)
    api = client(statistician)
    town = desk_town(statistician).code
    assert (
        api.post("/api/v1/inventories/town", {"town": town, "year": 2004}, format="json").status_code == 400
    )
    assert (
        api.post("/api/v1/inventories/town", {"town": town, "year": 2099}, format="json").status_code == 400
    )
    assert (
        api.post("/api/v1/inventories/town", {"town": town, "year": 2020}, format="json").status_code == 201
    )
    second = api.post("/api/v1/inventories/town", {"town": town, "year": 2020}, format="json")
    assert second.status_code == 409 and second.json()["error"]["code"] == "inventory_exists"


def test_a_correction_is_a_new_revision_with_its_reason_and_difference(zs):
    statistician = make_statistician(zs)
    reviewer = make_staff(Role.CENTRE_REVIEWER, zs)
    first = publish(make_inventory(statistician), reviewer)
    stored = first.calculation.result
    with pytest.raises(Conflict):
        services.inventory_revise(
            inventory=make_inventory(statistician, year=2021), actor=statistician, reason="x"
        )
    draft = services.inventory_revise(
        inventory=first, actor=statistician, reason="Diesel double-counted a depot."
    )
    assert (draft.revision, draft.status, draft.supersedes_id) == (2, "draft", first.pk)
    services.row_put(inventory=draft, actor=statistician, data=row("manufacturing", "diesel", "90", "t"))
    second = publish(Inventory.objects.get(pk=draft.pk), reviewer)
    # The first revision and its calculation are as they were; the public list shows the correction.
    assert Inventory.objects.get(pk=first.pk).calculation.result == stored
    assert list(selectors.current_published()) == [second]
    changes = selectors.difference(second)
    assert {"line": "工业和建筑业 / diesel", "before": "100 t", "after": "90 t"} in changes
    assert changes[-1] == {"line": "BASIC+", "before": "310.652999", "after": "279.587699"}


def test_a_statistician_does_not_review_their_own_town(zs):
    statistician = make_statistician(zs)
    inventory = make_inventory(statistician)
    services.inventory_submit(inventory=inventory, actor=statistician)
    role_grant(user=statistician, role=Role.CENTRE_REVIEWER, centre=zs)
    with pytest.raises(Forbidden):
        services.inventory_review(inventory=inventory, actor=statistician)


def test_notation_keys_explain_empty_sectors_in_the_report(zs):
    statistician = make_statistician(zs)
    inventory = make_inventory(statistician)
    api = client(statistician)
    url = f"/api/v1/inventories/town/{inventory.pk}/notation-keys"
    body = {"tree": "gpc", "code": "I.7", "key": "NO", "explanation": "No coal mining in the town."}
    assert api.post(url, body, format="json").status_code == 201
    assert api.post(url, {**body, "code": "IX.9"}, format="json").status_code == 400
    services.inventory_calculate(inventory=inventory)
    data = selectors.report(Inventory.objects.get(pk=inventory.pk))
    keys = {r["code"]: r["key"] for r in data["gpc_rows"]}
    assert keys["I.7"] == "NO" and keys["I.1"] == "NE" and keys["I.3"] == ""
    completeness = {(c["code"], c["key"]) for c in data["result"]["completeness"]}
    assert ("I.7", "NO") in completeness and ("I.1", "") in completeness
