"""The record types' rules compiled to SQL (the one-pass load) agree with the same rules compiled to
Python (the row check of every path): whatever the SQL predicate accepts, Python accepts with the
same typed values; what SQL leaves aside goes to Python, which accepts or rejects it with its code.

Each case is one row of a file: it is put in a raw table as the one-pass load puts it, the schema's
SQL plan (``rules.sql_plan``) says whether it is plainly valid and types it, and the Python
converter (``parsing.RowConverter``) judges the same texts.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tanpuhui.metering import fastload
from tanpuhui.metering.parsing import RowConverter
from tanpuhui.metering.rules import RECORD_COLUMNS, RowProblem, sql_plan, sql_ready
from tanpuhui.metering.schemas import SCHEMAS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass SQL is PostgreSQL's"),
]

ELEC = ["record_id", "revision", "account", "period_start", "period_end", "quantity"]
TRIP = ["record_id", "card", "mode", "boarded_at", "origin", "destination", "distance_km"]
RAW = "pg_temp.test_rules_raw"


def judge(record_type: str, columns: list[str], row: list[str]):
    """(the SQL plan's typed row or None, Python's typed row or the RowProblem code)."""
    converter = RowConverter(SCHEMAS[record_type], "b")
    fastload.ensure_calendar(converter.today)
    plan = sql_plan(SCHEMAS[record_type], columns, RAW, fastload.CALENDAR, converter.clock)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RAW[8:]} (rn BIGINT, {', '.join(f'c{i} TEXT' for i in range(len(columns)))})"
        )
        cursor.execute(
            f"INSERT INTO {RAW} VALUES (1, {', '.join(['%s'] * len(columns))})",  # noqa: S608
            row,
        )
        cursor.execute(
            f"SELECT {plan.projection} FROM {plan.source} WHERE COALESCE({plan.ok}, false)"  # noqa: S608
        )
        found = cursor.fetchone()
    try:
        staged = converter.for_columns(columns)(row, 2)
        python = tuple(getattr(staged, c) for c in RECORD_COLUMNS)
    except RowProblem as exc:
        python = exc.code
    return found, python


def same(sql_row, python_row) -> bool:
    """Equal column by column (NUMERIC 3.5 and Decimal 3.5000 are the same stored value)."""
    return all(
        (a == b) if not isinstance(a, Decimal) else b is not None and Decimal(a) == Decimal(b)
        for a, b in zip(sql_row, python_row, strict=True)
    )


@pytest.mark.parametrize(
    "row",
    [
        ["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "123.4"],
        ["E2", "", "0500000001", "2026-09-01", "2026-09-30", "0"],
        ["E3", "2", "ab12", "2026-01-01", "2026-01-31", "99999.9999"],
    ],
)
def test_plain_readings_are_accepted_by_sql_with_pythons_values(row):
    found, python = judge("electricity_reading", ELEC, row)
    assert found is not None and isinstance(python, tuple) and same(found, python)


@pytest.mark.parametrize(
    ("row", "python"),
    [
        (["E1", "1", "05-0000-0001", "2026-09-01", "2026-09-30", "1"], "accepted"),  # needs normalising
        (["E1", "1", "0500000001", " 2026-09-01", "2026-09-30", "1"], "accepted"),  # needs stripping
        (["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "1.00005"], "accepted"),  # Python rounds
        (["E1", "1", "0500000001", "2026-09-30", "2026-09-01", "1"], "end_before_start"),
        (["E1", "1", "0500000001", "2099-09-01", "2099-09-30", "1"], "in_future"),
        (["E1", "1", "0500000001", "2026-02-01", "2026-02-30", "1"], "not_a_date"),
        (["E1", "1", "0500000001", "2024-09-01", "2026-09-30", "1"], "period_over_a_year"),
        (["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "NaN"], "not_finite"),
        (["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "-1"], "not_positive"),
        (["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "100001"], "too_large"),
        (["E1", "0", "0500000001", "2026-09-01", "2026-09-30", "1"], "bad_revision"),
        (["E1", "1000001", "0500000001", "2026-09-01", "2026-09-30", "1"], "bad_revision"),
        (["bad id", "1", "0500000001", "2026-09-01", "2026-09-30", "1"], "bad_record_id"),
        (["E1", "1", "ß" * 41, "2026-09-01", "2026-09-30", "1"], "bad_account"),
    ],
)
def test_anything_unusual_is_left_to_python(row, python):
    found, judged = judge("electricity_reading", ELEC, row)
    assert found is None
    assert (judged if isinstance(judged, str) else "accepted") == python


def test_trips_agree_and_sql_leaves_the_unusual_to_python():
    row = ["T1", "T5000000001", "metro", "2026-09-01T08:00:30+08:00", "A1", "B2", ""]
    found, python = judge("transit_trip", TRIP, row)
    assert found is not None and isinstance(python, tuple) and same(found, python)
    assert python[2] == "T5000000001" and python[-1].startswith("metro|T5000000001|")
    lower = judge("transit_trip", TRIP, ["T1", "t5000000001", *row[2:]])  # both upper-case the card
    assert lower[0] == found and same(lower[0], lower[1])
    for bad in (
        ["T1", "T5000000001", "Metro", "2026-09-01T08:00:30+08:00", "A1", "B2", ""],
        ["T1", "T5000000001", "tram", "2026-09-01T08:00:30+08:00", "A1", "B2", ""],
        ["T1", "T5000000001", "bus", "2099-09-01T08:00:30+08:00", "A1", "B2", ""],
        ["T1", "T5000000001", "bus", "2026-09-01T08:00:30+08:00", "A1", "B2", "-3"],
        ["T1", "T5000000001", "bus", "2026-09-01T08:00:30+08:00", "A1", "B2", "201"],
        ["T1", "T5000000001", "bus", "2026-09-01T08:00:30+08:00", "x" * 65, "B2", ""],
    ):
        assert judge("transit_trip", TRIP, bad)[0] is None


def test_only_types_whose_every_rule_has_an_sql_form_take_the_one_pass_load():
    clock = RowConverter(SCHEMAS["transit_trip"], "b").clock
    ready = {name for name, schema in SCHEMAS.items() if sql_ready(schema, clock)}
    assert ready == {"electricity_reading", "water_reading", "gas_reading", "transit_trip"}


_TEXT = st.one_of(
    st.sampled_from(["", " ", "0", "1", "00", "1.5", "1.00005", "-1", "200", "200.0001", "1e3", "NaN", "x"]),
    st.text(alphabet="0123456789.-+: TZe", max_size=12),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    revision=_TEXT,
    quantity=_TEXT,
    start=st.sampled_from(["2026-09-01", "2026-9-01", "2026-09-31", "2025-08-01", "20260901"]),
    end=st.sampled_from(["2026-09-30", "2026-08-31", "2099-01-01", "2026-09-30 "]),
)
def test_whatever_sql_accepts_python_accepts_with_the_same_values(revision, quantity, start, end):
    found, python = judge("electricity_reading", ELEC, ["E1", revision, "0500000001", start, end, quantity])
    if found is not None:
        assert isinstance(python, tuple) and same(found, python), (found, python)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    at=st.sampled_from(
        [
            "2026-09-01T08:00:30+08:00",
            "2026-09-01T08:00:30",
            "2026-09-01T23:59:59",
            "2026-09-01T24:00:00",
            "2000-01-01T00:30:00",
            "2026-09-01T08:00:30Z",
            "2026-09-01 08:00:30",
        ]
    ),
    km=_TEXT,
    origin=st.sampled_from(["", "A", " A", "A\u3000", "体育西路"]),
)
def test_trip_times_and_distances_agree(at, km, origin):
    found, python = judge("transit_trip", TRIP, ["T1", "T5000000001", "bus", at, origin, "B", km])
    if found is not None:
        assert isinstance(python, tuple) and same(found, python), (found, python)
