"""The dashboard page, its exports and API, and the screen page."""

import io

import pytest
from openpyxl import load_workbook

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.pilots import services
from tanpuhui.pilots.tests.factories import make_appropriation, make_pilot

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(province, gz, zs):
    return make_staff(Role.PROVINCIAL_OFFICER, province)


def test_dashboard_shows_pilots_funding_and_exports(gz, zs, officer, client):
    make_appropriation(make_pilot(gz), amount_fen=2_000_000_00)
    make_pilot(zs)
    client.force_login(officer)
    page = client.get("/staff/pilots/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "guangdong.geojson" in body and "echarts.min.js" in body
    assert "//cdn" not in body
    csv = client.get("/staff/pilots/export.csv")
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").count("\n") == 3
    xlsx = client.get("/staff/pilots/export.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0].max_row == 3
    assert book.worksheets[1].cell(2, 4).value == 2_000_000


def test_city_staff_dashboard_counts_only_their_city(gz, zs, client_for):
    make_pilot(gz)
    make_pilot(zs)
    data = client_for(make_staff(Role.CENTRE_OPERATOR, gz)).get("/api/v1/pilots/dashboard").json()
    assert sum(data["levels"].values()) == 1
    assert [c["code"] for c in data["centres"]] == ["GZ"]


def test_screen_page_in_english_on_request(gz, client):
    pilot = make_pilot(gz)
    screen = services.screen_create(pilot=pilot, actor=make_staff(Role.CENTRE_OPERATOR, gz))
    zh = client.get(f"/screens/{screen.token}/").content.decode()
    en = client.get(f"/screens/{screen.token}/?lang=en").content.decode()
    assert "本月碳排放" in zh and "Emissions this month" in en


def test_pilot_page_shows_evaluation_and_is_walled(gz, zs, client):
    from tanpuhui.pilots.models import Indicator

    pilot = make_pilot(gz, community_type="rural")
    c1 = Indicator.objects.get(indicator_set__pilot_type="rural", code="C1")
    services.indicator_value_report(
        pilot=pilot, actor=pilot.manager, indicator_id=c1.pk, year=2016, value=6, evidence="x"
    )
    client.force_login(make_staff(Role.CENTRE_OPERATOR, gz))
    page = client.get(f"/staff/pilots/{pilot.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "可再生能源替代率" in body and "尚未对照原文核实" in body
    client.force_login(make_staff(Role.CENTRE_OPERATOR, zs))
    assert client.get(f"/staff/pilots/{pilot.pk}/").status_code == 404


def test_manager_page_lists_only_their_pilots(gz, client):
    mine, theirs = make_pilot(gz), make_pilot(gz)
    client.force_login(mine.manager)
    body = client.get("/staff/my-pilots/").content.decode()
    assert mine.name_zh in body and theirs.name_zh not in body
    assert client.get(f"/staff/my-pilots/{mine.pk}/").status_code == 200
    assert client.get(f"/staff/my-pilots/{theirs.pk}/").status_code == 404
