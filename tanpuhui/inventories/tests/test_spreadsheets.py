"""Spreadsheet import: the template round-trips, a second import counts nothing twice, and a bad file
is refused whole with its errors cell by cell (sheet, row, column, reason)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tanpuhui.inventories import services, spreadsheets
from tanpuhui.inventories.tests.factories import make_inventory, make_statistician

pytestmark = pytest.mark.django_db


def _book(edit) -> bytes:
    book = load_workbook(io.BytesIO(spreadsheets.template_xlsx()))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(user, inventory, name: str, content: bytes):
    api = APIClient()
    api.force_authenticate(user)
    return api.post(
        f"/api/v1/inventories/town/{inventory.pk}/import",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_the_template_imports_and_a_second_import_counts_nothing_twice(zs):
    inventory = make_inventory(make_statistician(zs), rows=[])
    content = spreadsheets.template_xlsx()
    first = _upload(inventory.created_by, inventory, "template.xlsx", content)
    assert first.status_code == 200, first.json()
    count = inventory.rows.count()
    assert first.json()["rows"] == count == 9
    total = json.loads(services.inventory_calculate(inventory=inventory).result)["basic_plus"]
    assert _upload(inventory.created_by, inventory, "template.xlsx", content).status_code == 200
    assert inventory.rows.count() == count
    assert json.loads(services.inventory_calculate(inventory=inventory).result)["basic_plus"] == total
    inventory.refresh_from_db(fields=["population", "gdp_e4yuan"])
    assert inventory.population == 150000


def test_a_bad_workbook_is_refused_whole_with_errors_per_cell(zs):
    inventory = make_inventory(make_statistician(zs), rows=[])

    def spoil(book):
        energy = book["能源"]
        energy["C2"] = "twelve hundred"  # text in a number cell
        energy["B3"] = "kerosene_x"  # unknown fuel
        energy["D4"] = "t"  # electricity in tonnes
        transport = book["交通"]
        transport["C2"] = "=100*90"  # a formula
        waste = book["废弃物"]
        waste.merge_cells("E2:F2")
        afolu = book["农业林业"]
        afolu["A1"], afolu["B1"] = afolu["B1"].value, afolu["A1"].value  # moved columns

    response = _upload(inventory.created_by, inventory, "bad.xlsx", _book(spoil))
    assert response.status_code == 400 and response.json()["error"]["code"] == "import_rejected"
    with pytest.raises(spreadsheets.ImportRejected) as caught:
        spreadsheets.import_file(
            inventory=inventory, actor=inventory.created_by, name="bad.xlsx", content=_book(spoil)
        )
    cells = {(e.sheet, e.row, e.column.split(" ")[0]) for e in caught.value.cells}
    assert cells >= {
        ("能源", 2, "C"),
        ("能源", 3, "B"),
        ("能源", 4, "D"),
        ("交通", 2, "C"),
        ("废弃物", 2, "E"),
        ("农业林业", 1, "A"),
        ("农业林业", 1, "B"),
    }
    assert inventory.rows.count() == 0  # nothing half-imported


def test_csv_errors_name_row_and_column_and_duplicates_in_one_file_are_refused(zs):
    inventory = make_inventory(make_statistician(zs), rows=[])
    header = ",".join(spreadsheets.HEADER)
    body = (
        f"{header}\n"
        "manufacturing,diesel,100,t,bureau,,,,,\n"
        "manufacturing,diesel,100,t,bureau,,,,,\n"
        "nowhere,diesel,1,t,bureau,,,,,\n"
        "residential,lpg,-4,t,bureau,,,,,\n"
    )
    with pytest.raises(spreadsheets.ImportRejected) as caught:
        spreadsheets.import_file(
            inventory=inventory, actor=inventory.created_by, name="energy.csv", content=body.encode()
        )
    found = [(e.row, e.column.split(" ")[0]) for e in caught.value.cells]
    assert found == [(3, "A"), (4, "A"), (5, "C")]
    assert inventory.rows.count() == 0
    good = spreadsheets.import_file(
        inventory=inventory,
        actor=inventory.created_by,
        name="energy.csv",
        content=spreadsheets.template_csv("energy").encode(),
    )
    assert (
        good == 3 and inventory.rows.filter(category="residential", subject="natural_gas").get().amount == 350
    )


def test_not_a_spreadsheet_is_a_clear_400(zs):
    inventory = make_inventory(make_statistician(zs), rows=[])
    response = _upload(inventory.created_by, inventory, "data.xlsx", b"not a zip")
    assert response.status_code == 400 and "XLSX" in response.json()["error"]["fields"]["file"][0]
