from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from tanpuhui.methodology import services
from tanpuhui.methodology.models import Parameter

pytestmark = pytest.mark.django_db


def test_public_list_shows_versions_formulas_and_sourced_parameters(api):
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/methodologies")
    assert response.status_code == 200
    assert len(queries) <= 6  # methodologies, versions (+centres), slots, parameters (+centres)
    by_code = {m["code"]: m for m in response.json()}
    assert set(by_code) >= {
        "electricity_saving",
        "water_saving",
        "gas_saving",
        "bus",
        "metro",
        "cycling",
        "walking",
        "afforestation",
        "forest_management",
    }
    electricity = by_code["electricity_saving"]
    version = electricity["versions"][0]
    assert version["formula"] == "utility_saving_kwh" and version["quantity_unit"] == "kWh"
    assert version["slots"][0] == {
        "slot": "factor",
        "unit": "kg_co2e/kWh",
        "role": "factor",
        "parameter_code": "grid_ef",
        "regions": "south_china_grid,national",
        "qualifier": "",
    }
    values = {(p["region"], p["year"]): p for p in electricity["parameters"]}
    assert values[("south_china_grid", 2023)]["value"] == "0.4042"
    assert values[("national", 2021)]["superseded_by"] == values[("national", 2022)]["id"]
    assert all(
        p["source_publication"] and p["source_issuer"] and p["source_year"] for p in electricity["parameters"]
    )


def test_query_count_does_not_grow_with_history(api, provincial_officer):
    with CaptureQueriesContext(connection) as before:
        api.get("/api/v1/methodologies")
    with freeze_time("2026-06-01"):
        for month in (7, 8, 9):
            services.parameter_publish(
                actor=provincial_officer,
                code="grid_ef",
                value="0.41",
                unit="kg_co2e/kWh",
                region="south_china_grid",
                valid_from=date(2026, month, 1),
                source_publication="x",
                source_issuer="y",
                source_year=2026,
            )
    with CaptureQueriesContext(connection) as after:
        response = api.get("/api/v1/methodologies")
    assert len(after) == len(before)
    assert len([p for p in response.json()[0]["parameters"] if p["code"] == "grid_ef"]) == 8


def test_detail_and_unknown_code(api):
    response = api.get(reverse("api:methodology-detail", args=["metro"]))
    assert response.status_code == 200
    body = response.json()
    assert body["parameters"][0]["value"] == "0.5155"
    assert "10.12006" in body["parameters"][0]["source_publication"]
    missing = api.get("/api/v1/methodologies/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_api_is_read_only(api, client_for, gz_operator):
    assert api.post("/api/v1/methodologies", {}, format="json").status_code == 405
    assert client_for(gz_operator).delete("/api/v1/methodologies/metro").status_code == 405


@pytest.mark.parametrize(
    "lang, needle", [("zh-hans", "南方区域电力平均二氧化碳排放因子"), ("en", "How we compute")]
)
def test_public_page_lists_behaviours_formulas_and_sources(client, lang, needle):
    response = client.get(f"/methodologies/?lang={lang}", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="electricity_saving"' in page and "0.4042" in page and needle in page
    assert ("千克/千瓦时" if lang == "zh-hans" else "kg/kWh") in page  # units in words, not pint's spelling
    assert "kg_co2e" not in page and "transit_per_trip" not in page
    detail = client.get("/methodologies/electricity_saving/?lang=zh-hans").content.decode()
    assert "0.5568" in detail and "公告2024年第12号" in detail  # history, with its source
    assert client.get("/methodologies/nope/").status_code == 404


def test_admin_history_is_read_only_and_publishing_goes_through_the_service(
    client, gz, gz_operator, zs_operator
):
    client.force_login(gz_operator)
    grid = Parameter.objects.filter(code="grid_ef").first()
    assert client.get(reverse("admin:methodology_parameter_changelist")).status_code == 200
    change = client.post(reverse("admin:methodology_parameter_change", args=[grid.pk]), {"value": "9"})
    assert change.status_code == 403
    grid.refresh_from_db()
    assert str(grid.value.normalize()) != "9"
    form = {
        "code": "water_supply_intensity",
        "qualifier": "",
        "name_zh": "供水单位电耗",
        "name_en": "Supply intensity",
        "value": "0.31",
        "unit": "kWh/m**3",
        "region": "centre",
        "centre": gz.pk,
        "year": "2025",
        "source_publication": "GZ water annual report",
        "source_issuer": "GZ Water",
        "source_year": "2026",
        "source_url": "",
        "derivation": "",
        "valid_from": "2099-01-01",
    }
    with freeze_time("2026-06-01"):
        added = client.post(reverse("admin:methodology_parameter_add"), form)
    assert added.status_code == 302, added.content.decode()[:2000]
    assert Parameter.objects.filter(code="water_supply_intensity", centre=gz).count() == 1
    # Another centre's operator is refused by the service, shown as a form error.
    client.force_login(zs_operator)
    with freeze_time("2026-06-01"):
        refused = client.post(
            reverse("admin:methodology_parameter_add"), {**form, "valid_from": "2099-02-01"}
        )
    assert refused.status_code == 200
    assert Parameter.objects.filter(code="water_supply_intensity", centre=gz).count() == 1


def test_public_page_is_bilingual(client):
    zh = client.get("/methodologies/").content.decode()  # zh-hans is the default
    assert "我们如何计算您的二氧化碳减排量" in zh and "家庭节电" in zh and "方法学" in zh
    en = client.get("/methodologies/?lang=en").content.decode()
    assert "How we compute your CO₂ reductions" in en and "Household electricity saving" in en


def test_residents_have_no_back_office_access_to_the_registry(client, resident):
    client.force_login(resident)
    response = client.get(reverse("admin:methodology_parameter_add"))
    assert response.status_code in (302, 403)
    assert Parameter.objects.filter(code="grid_ef").count() == 5


def test_inputs_snapshot_is_deterministic_json(api):
    import json

    from tanpuhui.methodology import registry

    a = registry.resolve(behaviour="cycling", centre_id=None, on=date(2026, 3, 1)).inputs_snapshot()
    b = registry.resolve(behaviour="cycling", centre_id=None, on=date(2026, 3, 1)).inputs_snapshot()
    assert json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(
        b, sort_keys=True, ensure_ascii=False
    )
    share = a["params"]["substitution_share"]
    assert share["value"] == "0.31" and share["unit"] == "dimensionless" and "西安交通大学" in share["issuer"]
    assert a["rounding"].startswith("kg CO2e, 4 decimal places")


PUBLISH = "/api/v1/staff/methodology/parameters"
VERSIONS = "/api/v1/staff/methodology/versions"


def water(centre="GZ", **extra):
    return {
        "code": "water_supply_intensity",
        "value": "0.31",
        "unit": "kWh/m**3",
        "region": "centre",
        "centre": centre,
        "source_publication": "GZ Water annual report 2025",
        "source_issuer": "GZ Water",
        "source_year": 2026,
        "valid_from": "2026-07-01",
        **extra,
    }


@freeze_time("2026-06-01")
def test_staff_publish_parameter_tenant_walls(api, client_for, gz, zs, gz_operator, zs_operator, resident):
    assert api.post(PUBLISH, water(), format="json").status_code in (401, 403)
    assert client_for(resident).post(PUBLISH, water(), format="json").status_code == 403
    refused = client_for(zs_operator).post(PUBLISH, water(), format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_publisher"
    refused = client_for(gz_operator).post(
        PUBLISH,
        {**water(), "code": "grid_ef", "region": "south_china_grid", "centre": None, "unit": "kg_co2e/kWh"},
        format="json",
    )
    assert refused.status_code == 403  # a centre operator cannot change a global factor
    created = client_for(gz_operator).post(PUBLISH, water(), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["centre"] == "GZ" and created.json()["value"] == "0.31"
    assert Parameter.objects.filter(code="water_supply_intensity", centre=gz).count() == 1


@freeze_time("2026-06-01")
def test_staff_publish_parameter_bad_input_is_4xx(client_for, gz_operator, gz):
    client = client_for(gz_operator)
    cases = [
        ({"unit": "kg/m**3"}, "unit_mismatch"),  # the water slot expects kWh/m³
        ({"valid_from": "2026-05-01"}, "backdated"),
        ({"value": "-1"}, "invalid"),
        ({"value": "NaN"}, "invalid"),
        ({"centre": "XX"}, "invalid"),
        ({"region": "mars"}, "invalid"),
    ]
    for change, code in cases:
        response = client.post(PUBLISH, water(**change), format="json")
        assert response.status_code == 400, (change, response.json())
        assert response.json()["error"]["code"] == code, (change, response.json())


@freeze_time("2026-06-01")
def test_staff_publish_version(client_for, gz, zs, gz_operator, zs_operator):
    body = {
        "methodology": "electricity_saving",
        "label": "gz-2",
        "formula": "utility_saving_kwh",
        "centre": "GZ",
        "config": {"tiers": ["0.05", "0.10", "0.15"]},
        "slots": {"factor": {"code": "grid_ef", "regions": "south_china_grid,national"}},
        "effective_from": "2026-07-01",
        "source_text": "GZ tiered crediting",
    }
    assert client_for(zs_operator).post(VERSIONS, body, format="json").status_code == 403
    created = client_for(gz_operator).post(VERSIONS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["slots"][0]["parameter_code"] == "grid_ef" and created.json()["centre"] == "GZ"
    again = client_for(gz_operator).post(VERSIONS, body, format="json")
    assert again.status_code == 409
    bad = client_for(gz_operator).post(
        VERSIONS, {**body, "label": "gz-3", "config": {"tiers": ["2"]}}, format="json"
    )
    assert bad.status_code == 400
