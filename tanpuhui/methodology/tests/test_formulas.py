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
factors = st.one_of(
    *(
        st.decimals(min_value=0, max_value=1000, places=p, allow_nan=False, allow_infinity=False)
        for p in (3, 5, 6)
    )
)
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

    def check(params, config, quantity, baseline, distance):
        expected = formula.evaluate(
            params, config, quantity=quantity, baseline=baseline, distance_km=distance
        )
        row = {"quantity": quantity, "baseline": baseline, "distance_km": distance}
        got = sql_value(formula, params, config, row)
        assert got == expected, (params, config, quantity, baseline, distance)
        assert expected >= 0
        assert expected == expected.quantize(Decimal("0.0001"))

    # Ties at the fifth decimal place: half-up in Python must equal PostgreSQL's ROUND.
    tie = {
        slot.name: (Decimal("1") if slot.unit == "dimensionless" else Decimal("0.00005"))
        for slot in formula.slots
    }
    if code == "transit_distance":
        tie["mode_factor"] = Decimal("0")
    for config in CONFIGS.get(code, [{}]):
        check(tie, config, Decimal("1"), Decimal("2"), Decimal("1"))
        check(tie, config, Decimal("3"), Decimal("4"), None)

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        data=st.data(),
        quantity=amounts,
        baseline=maybe,
        distance=maybe,
        config=st.sampled_from(CONFIGS.get(code, [{}])),
    )
    def random_rows(data, quantity, baseline, distance, config):
        params = {
            slot.name: data.draw(shares if slot.unit == "dimensionless" else factors, label=slot.name)
            for slot in formula.slots
        }
        check(params, config, quantity, baseline, distance)

    random_rows()


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


@pytest.mark.parametrize("code", sorted(formulas.FORMULAS))
def test_sql_runs_on_sqlite_too(code):
    """The demo runs on SQLite: the same text works there (floating point, so close, not exact)."""
    import sqlite3

    formula = formulas.FORMULAS[code]
    params = params_for(formula, Decimal("0.4042"), Decimal("0.31"))
    config = CONFIGS.get(code, [{}])[-1]
    expression, args = formula.sql(params, config)
    db = sqlite3.connect(":memory:")
    for quantity, baseline, distance in (
        (Decimal("100"), Decimal("120"), Decimal("12.5")),
        (Decimal("3"), None, None),
    ):
        row = [
            float(quantity),
            None if baseline is None else float(baseline),
            None if distance is None else float(distance),
        ]
        value = db.execute(
            f"SELECT {expression.replace('%s', '?')} FROM (SELECT ? AS quantity, ? AS baseline, ? AS distance_km)",  # noqa: S608
            [*(str(a) for a in args), *row],
        ).fetchone()[0]
        expected = formula.evaluate(
            params, config, quantity=quantity, baseline=baseline, distance_km=distance
        )
        assert abs(Decimal(str(value)) - expected) <= Decimal("0.0001")
