"""The calculation against worked examples computed by hand from the published defaults.

Diesel in manufacturing, China's defaults (provincial guideline 2011): NCV 42.652 GJ/t, carbon
content 20.2 t C/TJ, oxidation 98 %; CH4 3 kg/TJ and N2O 0.6 kg/TJ (IPCC 2006 vol. 2 table 2.3).
100 t diesel → 100 × 42.652 / 1000 = 4.2652 TJ
  CO2 = 4.2652 × 20.2 × 0.98 × 44/12 = 309.590964 t (309.59096373…)
  CH4 = 4.2652 × 3 / 1000 = 0.012796 t (0.0127956); N2O = 4.2652 × 0.6 / 1000 = 0.002559 t (0.00255912)
  SAR (CH4 21, N2O 310): 309.5909637 + 0.2687076 + 0.7933272 = 310.652999 t CO2e
  AR5 (CH4 28, N2O 265): 309.5909637 + 0.3582768 + 0.6781668 = 310.627407 t CO2e

Natural gas in homes, China's defaults: 389.31 GJ/10⁴ Nm³, 15.3 t C/TJ, 99 %; CH4 5, N2O 0.1 kg/TJ
(IPCC table 2.5). 50 000 Nm³ (entered in Nm³: 5 × 10⁴ Nm³) → 1.94655 TJ
  CO2 = 1.94655 × 15.3 × 0.99 × 44/12 = 108.109440 t (108.1094404…)
  CH4 = 0.00973275 t → 0.009733; N2O = 0.000194655 → 0.000195
"""

import json
from decimal import Decimal

import pytest

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.errors import Conflict, ValidationFailed
from tanpuhui.inventories import services
from tanpuhui.inventories.models import Calculation, FactorSet, Inventory
from tanpuhui.inventories.tests.factories import make_inventory, make_statistician, publish, row

pytestmark = pytest.mark.django_db


def _result(inventory, gwp=None):

    calculation = services.inventory_calculate(inventory=inventory, gwp_code=gwp)
    return json.loads(calculation.result)


def test_diesel_worked_example_per_gas_and_in_co2e_under_sar_and_ar5(zs):
    inventory = make_inventory(make_statistician(zs))
    sar = _result(inventory)
    assert sar["by_gas"] == {"co2": "309.590964", "ch4": "0.012796", "n2o": "0.002559"}
    assert sar["basic_plus"] == "310.652999"
    ar5 = _result(inventory, "AR5")
    assert ar5["by_gas"] == sar["by_gas"]
    assert ar5["basic_plus"] == "310.627407"


def test_natural_gas_in_cubic_metres_converts_to_ten_thousand_cubic_metres(zs):
    inventory = make_inventory(
        make_statistician(zs), rows=[row("residential", "natural_gas", "50000", "Nm3")]
    )
    result = _result(inventory)
    assert inventory.rows.get().amount == Decimal("5")
    assert result["by_gas"] == {"co2": "108.109440", "ch4": "0.009733", "n2o": "0.000195"}


def test_tier_2_own_factor_replaces_the_default(zs):
    # Own NCV 43 GJ/t and CO2 factor 73 000 kg/TJ: 100 t → 4.3 TJ → 313.9 t CO2;
    # CH4 4.3 × 3 / 1000 = 0.0129, N2O 4.3 × 0.6 / 1000 = 0.00258 (defaults, on the own TJ).
    inventory = make_inventory(
        make_statistician(zs),
        rows=[row("manufacturing", "diesel", "100", "t", own_ncv="43", own_ef_co2="73000", own_source="lab")],
    )
    assert _result(inventory)["by_gas"] == {"co2": "313.900000", "ch4": "0.012900", "n2o": "0.002580"}


def test_one_activity_set_reports_under_both_trees_with_basic_and_basic_plus(zs):
    # Diesel 100 t as above (310.652999, I.3 scope 1 / 1.1.2); landfill 1000 t (III.1 scope 1 / 5.1):
    # CH4 = 1000 × 0.15 × 0.5 × 1.0 × 0.5 × 16/12 × (1 − 0.1) = 45 t → SAR 945 t CO2e;
    # clinker 1000 t (IV.1 / 2.1): 520 t CO2 — in BASIC+ only.
    inventory = make_inventory(
        make_statistician(zs),
        rows=[
            row("manufacturing", "diesel", "100", "t"),
            row("landfill", "msw", "1000", "t"),
            row("clinker", "clinker", "1", "kt"),
        ],
    )
    result = _result(inventory)
    assert result["provincial"]["1.1.2"] == "310.652999"
    assert result["provincial"]["5.1"] == "945.000000"
    assert result["provincial"]["2"] == "520.000000"
    assert result["gpc"]["I.3"]["scope1"] == "310.652999"
    assert result["gpc"]["III"]["scope1"] == "945.000000"
    assert result["basic"] == "1255.652999"
    assert result["basic_plus"] == "1775.652999"
    assert result["provincial_direct"] == result["basic_plus"]
    assert {c["code"] for c in result["completeness"] if c["tree"] == "gpc"} >= {"I.1", "V.1"}


def test_electricity_is_scope_2_and_indirect_in_the_provincial_tree(zs):
    inventory = make_inventory(
        make_statistician(zs), rows=[row("electricity_residential", "grid", "1", "GWh")]
    )
    result = _result(inventory)
    factor = services.calculation_inputs(inventory=inventory)["rows"][0]["factors"]["grid_ef"]["value"]
    expected = (Decimal(1000) * Decimal(factor)).quantize(Decimal("0.000001"))
    assert result["gpc"]["I.1"]["scope2"] == format(expected, "f")
    assert result["provincial_indirect"] == format(expected, "f")
    assert result["provincial_direct"] == "0"


def test_per_capita_per_gdp_yoy_and_uncertainty(zs):
    statistician = make_statistician(zs)
    reviewer = make_staff(Role.CENTRE_REVIEWER, zs)
    first = make_inventory(statistician, year=2021, population=1000, gdp_e4yuan=Decimal("100"))
    publish(first, reviewer)
    second = make_inventory(
        statistician, year=2022, rows=[row("manufacturing", "diesel", "110", "t")], population=1000
    )
    result = _result(second)
    # 110 t: 340.550060 t CO2 + 0.014075 × 21 + 0.002815 × 310 = 341.718298 t; per capita / 1000; +10 %.
    assert result["basic_plus"] == "341.718298"
    assert result["per_capita"] == "0.3417"
    assert result["yoy_pct"] == "10.00"
    assert result["per_gdp"] is None
    # Approach 1 for one row: CO2 dominates, √(5² + 2² + 3² + 2²) = √42 = 6.48 %.
    assert Decimal(result["uncertainty_pct"]) == pytest.approx(Decimal("6.48"), abs=Decimal("0.05"))


def test_stored_result_is_byte_reproducible_and_published_one_never_changes(zs):
    statistician = make_statistician(zs)
    inventory = publish(make_inventory(statistician), make_staff(Role.CENTRE_REVIEWER, zs))
    stored = inventory.calculation
    assert services.calculation_verify(calculation=stored)
    recalculated = services.inventory_calculate(inventory=inventory, gwp_code="AR6")
    inventory = Inventory.objects.get(pk=inventory.pk)
    assert inventory.calculation_id == stored.pk and recalculated.pk != stored.pk
    assert Calculation.objects.get(pk=stored.pk).result == stored.result
    with pytest.raises(Conflict):
        services.row_put(inventory=inventory, actor=statistician, data=row("residential", "lpg", "1", "t"))


def test_bad_rows_are_refused_field_by_field(zs):
    inventory = make_inventory(make_statistician(zs))
    cases = [
        (row("nowhere", "diesel", "1", "t"), "category"),
        (row("manufacturing", "kerosene_x", "1", "t"), "subject"),
        (row("manufacturing", "diesel", "1", "MWh"), "unit"),
        (row("manufacturing", "diesel", "-1", "t"), "quantity"),
        (row("manufacturing", "diesel", "1e9", "t"), "quantity"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationFailed) as caught:
            services.row_put(inventory=inventory, actor=inventory.created_by, data=data)
        assert field in caught.value.fields


def test_ar6_uses_the_fossil_methane_value_for_fuels_and_the_other_for_waste(zs):
    # Diesel as above under AR6: 309.5909637 + 0.0127956 × 29.8 + 0.00255912 × 273 = 310.670912 t CO2e
    # (0.38130888 + 0.69863976). Landfill 1000 t: 45 t CH4 × 27.9 = 1255.5 t CO2e (biogenic).
    inventory = make_inventory(
        make_statistician(zs),
        rows=[row("manufacturing", "diesel", "100", "t"), row("landfill", "msw", "1000", "t")],
        gwp="AR6",
    )
    result = _result(inventory)
    assert result["gpc"]["I.3"]["scope1"] == "310.670912"
    assert result["gpc"]["III.1"]["scope1"] == "1255.500000"


def test_ipcc_set_gives_co2_from_kg_per_tj(zs):
    # IPCC 2006 defaults: diesel NCV 43.0 GJ/t, 74 100 kg CO2/TJ → 100 t = 4.3 TJ → 318.63 t CO2.
    statistician = make_statistician(zs)
    inventory = services.inventory_create(
        actor=statistician,
        town=statistician.town_desks.get().town,
        year=2022,
        factor_set=FactorSet.objects.get(code="ipcc2006"),
    )
    services.row_put(inventory=inventory, actor=statistician, data=row("manufacturing", "diesel", "100", "t"))
    assert _result(inventory)["by_gas"]["co2"] == "318.630000"
