"""The report page and its exports hold the same totals; the city and province add towns up."""

import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.inventories.tests.factories import make_inventory, make_statistician, publish, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(zs):
    reviewer = make_staff(Role.CENTRE_REVIEWER, zs)
    inventory = make_inventory(
        make_statistician(zs),
        rows=[row("manufacturing", "diesel", "100", "t"), row("landfill", "msw", "1000", "t")],
        population=2000,
        gdp_e4yuan=1000,
    )
    other = make_inventory(make_statistician(zs), rows=[row("residential", "lpg", "10", "t")], population=100)
    publish(other, reviewer)
    return publish(inventory, reviewer), reviewer


def _figure(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)


def test_page_xlsx_and_pdf_hold_the_same_totals(published):
    inventory, _ = published
    page = Client().get(f"/inventories/{inventory.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    basic, basic_plus = _figure(html, "basic"), _figure(html, "basic-plus")
    assert basic_plus == "1255.652999" and basic == basic_plus
    assert _figure(html, "per-capita") == "0.6278"
    xlsx = Client().get(f"/inventories/{inventory.pk}/report.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True)}
    assert str(summary["BASIC+ (t CO2e)"]) == basic_plus
    gpc = {r[0]: r for r in book["GPC"].iter_rows(values_only=True) if r and r[0]}
    assert str(gpc["BASIC+"][5]) == basic_plus and str(gpc["I.3"][2]) == "310.652999"
    assert gpc["I.1"][6] == "NE"  # no figure and no key given: not estimated
    pdf = Client().get(f"/inventories/{inventory.pk}/report.pdf").content
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    for figure in (basic_plus, "310.652999", _figure(html, "co2"), inventory.calculation.sha256):
        assert f"({figure})".encode() in pdf
    assert Client().get(f"/inventories/{inventory.pk}/report.pdf").content == pdf  # reproducible


def test_drafts_are_not_public(zs):
    inventory = make_inventory(make_statistician(zs))
    assert Client().get(f"/inventories/{inventory.pk}/").status_code == 404
    assert Client().get(f"/api/v1/inventories/published/{inventory.pk}").status_code == 404


def test_city_page_adds_its_towns_up_and_the_comparison_shows_both(published, gz):
    inventory, reviewer = published
    city = Client()
    city.force_login(reviewer)
    roll_up = city.get("/api/v1/inventories/city").json()
    # 1255.652999 + 10 t LPG at home: 10 × 50.179 / 1000 = 0.50179 TJ; CO2 0.50179 × 17.2 × 0.98 × 44/12
    # = 31.013298 t, CH4 0.00250895 t × 21 = 0.052688, N2O 0.000050179 t × 310 = 0.015555 → 31.081542
    assert roll_up == [
        {"city": "ZS市", "year": 2022, "towns": 2, "population": 2100, "basic_plus": "1286.734541"}
    ]
    other_city = Client()
    other_city.force_login(make_staff(Role.CENTRE_REVIEWER, gz))
    assert other_city.get("/api/v1/inventories/city").json() == []
    html = Client().get(f"/inventories/{inventory.pk}/").content.decode()
    assert html.count("<tr", html.index('data-testid="comparison"')) >= 3
