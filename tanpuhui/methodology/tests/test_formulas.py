"""Each formula's Python value equals the SQL expression's value computed by the database."""

from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tanpuhui.methodology import formulas

# Row values as metering stores them: NUMERIC with 4 places; factors with up to 6 places.
amounts = st.decimals(min_value=0, max_value=10**7, places=4, allow_nan=False, allow_infinity=False)
maybe = st.one_of(st.none(), amounts)
factors = st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False, allow_infinity=False)
shares = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)

CONFIGS = {
    "utility_saving_kwh": [{}, {"tiers": ["0.05", "0.10", "0.15"]}],
    "utility_saving_m3": [{}, {"tiers": ["0.05", "0.10", "0.15"]}],
    "water_saving_supply_energy": [{}, {"tiers": ["0.1"]}],
}


def params_for(formula, draw_factor, draw_share):
    values = {}
    for slot in formula.slots:
        values[slot.name] = draw_share if slot.unit == "dimensionless" else draw_factor
    return values


def sql_value(formula, params, config, row):
    expression, args = formula.sql(params, config)
    values_sql = "VALUES (CAST(%s AS NUMERIC), CAST(%s AS NUMERIC), CAST(%s AS NUMERIC))"
    with connection.cursor() as cursor:
        # placeholders appear in text order: the expression's first, then the row's
        cursor.execute(
            f"SELECT {expression} FROM ({values_sql}) AS row_(quantity, baseline, distance_km)",  # noqa: S608
            [*args, row["quantity"], row["baseline"], row["distance_km"]],
        )
        (value,) = cursor.fetchone()
    return None if value is None else Decimal(str(value))


@pytest.mark.django_db
@pytest.mark.parametrize("code", sorted(formulas.FORMULAS))
def test_sql_equals_python(code):
    if connection.vendor != "postgresql":
        pytest.skip("exact NUMERIC equality is a PostgreSQL property; SQLite computes in floats")
    formula = formulas.FORMULAS[code]

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        quantity=amounts,
        baseline=maybe,
        distance=maybe,
        factor=factors,
        share=shares,
        config=st.sampled_from(CONFIGS.get(code, [{}])),
    )
    def check(quantity, baseline, distance, factor, share, config):
        params = params_for(formula, factor, share)
        expected = formula.evaluate(
            params, config, quantity=quantity, baseline=baseline, distance_km=distance
        )
        got = sql_value(
            formula, params, config, {"quantity": quantity, "baseline": baseline, "distance_km": distance}
        )
        assert got == expected, (params, config, quantity, baseline, distance)
        assert expected >= 0
        assert expected == expected.quantize(Decimal("0.0001"))

    check()


def test_unit_conversion_and_mismatch():
    assert formulas.convert(Decimal("0.5703"), "t_co2e/MWh", "kg_co2e/kWh") == Decimal("0.5703")
    assert formulas.convert(Decimal("150"), "g_co2e/trip", "kg_co2e/trip") == Decimal("0.15")
    assert formulas.convert(Decimal("1.7156"), "t_co2e/hectare/year", "kg_co2e/hectare/year") == Decimal(
        "1715.6"
    )
    with pytest.raises(formulas.UnitMismatch):  # plain mass is not CO2e: never implied
        formulas.convert(Decimal("0.5"), "kg/kWh", "kg_co2e/kWh")
    with pytest.raises(formulas.UnitMismatch):
        formulas.convert(Decimal("0.5"), "kg_co2e/m**3", "kg_co2e/kWh")
    with pytest.raises(formulas.UnitMismatch):
        formulas.parse_unit("bananas/kWh")


def test_rounding_is_half_up_to_four_places():
    f = formulas.FORMULAS["transit_per_trip"]
    assert f.evaluate({"trip_factor": Decimal("0.00005")}, quantity=1) == Decimal("0.0001")
    assert f.evaluate({"trip_factor": Decimal("0.00004999")}, quantity=1) == Decimal("0.0000")
    assert f.evaluate({"trip_factor": Decimal("0.12345")}, quantity=1) == Decimal("0.1235")


def test_tiers_are_validated():
    f = formulas.FORMULAS["utility_saving_kwh"]
    for bad in (["0.1", "0.05"], ["1.5"], [], ["x"]):
        with pytest.raises(ValueError):
            f.validate_config({"tiers": bad})
    with pytest.raises(ValueError):
        f.validate_config({"unknown": 1})


def test_column_mapping_rejects_injection():
    f = formulas.FORMULAS["transit_per_trip"]
    sql, _ = f.sql({"trip_factor": Decimal("1")}, columns={"quantity": "s.qty"})
    assert "s.qty" in sql
    with pytest.raises(ValueError):
        f.sql({"trip_factor": Decimal("1")}, columns={"quantity": "1); DROP TABLE x; --"})
