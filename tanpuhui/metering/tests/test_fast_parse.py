"""The CSV fast path gives exactly the full converter's tuple, or steps aside for it."""

from __future__ import annotations

import pytest

from tanpuhui.metering.parsing import RowConverter, RowProblem
from tanpuhui.metering.schemas import SCHEMAS

ELEC = ["record_id", "revision", "account", "period_start", "period_end", "quantity"]
TRIP = ["record_id", "card", "mode", "boarded_at", "origin", "destination", "distance_km"]


def _both(record_type: str, columns: list[str], row: list[str]):
    converter = RowConverter(SCHEMAS[record_type], "b")
    fast = converter.fast_converter(columns)
    assert fast is not None
    try:
        full = converter.convert(dict(zip(columns, row, strict=True)), 2)
    except RowProblem:
        full = None
    return fast(row, 2), full


@pytest.mark.parametrize(
    "row",
    [
        ["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "123.4"],
        ["E2", "", "0500000001", "2026-09-01", "2026-09-30", "0"],
        ["E3", "2", "ab12", "2026-01-01", "2026-01-31", "99999.99995"],
    ],
)
def test_plain_readings_take_the_fast_path_with_identical_values(row):
    fast, full = _both("electricity_reading", ELEC, row)
    assert fast is not None and fast == full


@pytest.mark.parametrize(
    "row",
    [
        ["E1", "1", "05-0000-0001", "2026-09-01", "2026-09-30", "1"],  # needs normalising
        ["E1", "1", "0500000001", " 2026-09-01", "2026-09-30", "1"],  # needs stripping
        ["E1", "1", "0500000001", "2026-09-30", "2026-09-01", "1"],  # end before start
        ["E1", "1", "0500000001", "2099-09-01", "2099-09-30", "1"],  # future
        ["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "NaN"],
        ["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "-1"],
        ["E1", "1", "0500000001", "2026-09-01", "2026-09-30", "100001"],
        ["E1", "0", "0500000001", "2026-09-01", "2026-09-30", "1"],
        ["bad id", "1", "0500000001", "2026-09-01", "2026-09-30", "1"],
        ["E1", "1", "ß" * 40, "2026-09-01", "2026-09-30", "1"],
    ],
)
def test_anything_unusual_goes_to_the_full_converter(row):
    fast, _full = _both("electricity_reading", ELEC, row)
    assert fast is None


def test_trips_match_the_full_converter():
    row = ["T1", "t5000000001", "metro", "2026-09-01T08:00:30+08:00", "A1", "B2", ""]
    fast, full = _both("transit_trip", TRIP, row)
    assert fast is not None and fast == full
    assert fast[5] == "T5000000001" and fast[19].startswith("metro|T5000000001|")
    for bad in (
        ["T1", "t5000000001", "Metro", "2026-09-01T08:00:30+08:00", "A1", "B2", ""],
        ["T1", "t5000000001", "tram", "2026-09-01T08:00:30+08:00", "A1", "B2", ""],
        ["T1", "t5000000001", "bus", "2099-09-01T08:00:30+08:00", "A1", "B2", ""],
        ["T1", "t5000000001", "bus", "2026-09-01T08:00:30+08:00", "A1", "B2", "-3"],
        ["T1", "t5000000001", "bus", "2026-09-01T08:00:30+08:00", "x" * 65, "B2", ""],
    ):
        assert _both("transit_trip", TRIP, bad)[0] is None
