"""The one-pass PostgreSQL load (``metering.fastload``) gives exactly what the staged pipeline gives.

Each test processes the same file twice — once with the one-pass load (GZ) and once with it
switched off (ZS, the staged pipeline) — and compares records, reductions, counters and row errors.
"""

from decimal import Decimal

import pytest
from django.db import connection

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory
from tanpuhui.metering import fastload
from tanpuhui.metering.models import DataProvider, Reduction, RowError, SourceRecord
from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-pass load is PostgreSQL's"),
]

ELEC_HEADER = "record_id,revision,account,period_start,period_end,quantity,unit\n"
TRIP_HEADER = "record_id,revision,card,mode,boarded_at,origin,destination,distance_km\n"

# Rows the SQL predicate accepts, rows only Python accepts, and rows nobody accepts.
ELEC_ROWS = [
    "e1,1,0100000001,2026-09-01,2026-09-30,100,",  # plain
    "e2,,0100000001,2026-08-01,2026-08-31,90.25,",  # revision empty → 1
    "e3,1, 0100-000001 ,2026-07-01,2026-07-31,80,",  # account with spaces and a dash (Python)
    "e4,1,0100000001,2026-06-01,2026-06-30,0.1,MWh",  # another unit (Python, pint)
    "e5,1,0100000001,2026-05-01,2026-05-31, 70 ,",  # spaces around the number (Python)
    "e6,1,0100000001,2026-02-01,2026-02-30,70,",  # no such day
    "e7,1,0100000001,2026-12-01,2026-12-31,70,",  # future
    "e8,1,0100000001,2026-04-01,2026-04-30,-5,",  # negative
    "e9,1,0100000001,2026-04-01,2026-04-30,1.00005,",  # five decimals (Python rounds)
    "电表10,1,0100000001,2026-03-01,2026-03-31,60,",  # non-ASCII id (Python)
    "e11,0,0100000001,2026-03-01,2026-03-31,60,",  # revision 0
    "e12,1,0200000002,2026-09-01,2026-09-30,100,",  # unknown account: kept, unmatched
]
TRIP_ROWS = [
    "t1,1,T100000001,metro,2026-09-01T08:00:00+08:00,体育西路,珠江新城,",
    "t2,1,T100000001,bus,2026-09-01T09:00:00,A,B,3.5",  # naive time: centre time zone
    "t3,1,t100000001,metro,2026-09-01T10:00:00Z,A,B,",  # lower-case card, UTC (Python)
    "t4,1,T100000001,Metro,2026-09-01T11:00:00+08:00,A,B,",  # capitalised mode (Python)
    "t5,1,T100000001,metro,2026-09-01T12:00:00+08:00,  A ,B\u3000,",  # spaces to strip (Python)
    "t6,1,T100000001,metro,2026-09-01T25:00:00+08:00,A,B,",  # no such hour
    "t7,1,T100000001,tram,2026-09-01T13:00:00+08:00,A,B,",  # not a mode
    "t8,1,T100000001,metro,2026-09-01T14:00:00+08:00,A,B,250",  # implausible distance
    "t9,1,T100000001,metro,2026-09-01 15:00:00,A,B,",  # space separator (Python)
    "t10,1,T100000001,metro,2027-01-01T08:00:00+08:00,A,B,",  # future
    "t11,1,T100000001,bus,2026-09-01T09:00:30+08:00,C,D,",  # the same trip as t2 (same minute)
]


@pytest.fixture
def centres(gz, zs):
    seed_methods(gz)
    seed_methods(zs)
    for centre in (gz, zs):
        resident = ResidentFactory(centre=centre)
        BindingFactory(
            resident=resident, centre=centre, kind=Binding.Kind.ELECTRICITY, account_number="0100000001"
        )
        BindingFactory(
            resident=resident, centre=centre, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000001"
        )
        centre.parameters = {"metering": {"default_baseline_per_day": {"electricity_reading": "5"}}}
        centre.save()
    return gz, zs


@pytest.fixture
def one_pass_calls(monkeypatch):
    calls = []
    original = fastload.FastLoad._load_in_one_pass

    def spy(self, losers):
        calls.append(self.batch.pk)
        return original(self, losers)

    monkeypatch.setattr(fastload.FastLoad, "_load_in_one_pass", spy)
    return calls


def run_both(centres, kind, record_type, text, settings, one_pass_calls):
    gz, zs = centres
    fast_provider, staged_provider = make_provider(gz, kind), make_provider(zs, kind)
    fast, _ = upload(fast_provider, record_type, text)
    assert one_pass_calls == [fast.pk], "the clean file should take the one-pass load"
    settings.METERING_SQL_FASTPATH = False
    staged, _ = upload(staged_provider, record_type, text)
    settings.METERING_SQL_FASTPATH = True
    assert one_pass_calls == [fast.pk]
    return fast, staged


RECORD_FIELDS = (
    "external_id", "revision", "account", "behaviour", "period_start", "period_end", "start_day", "end_day",
    "occurred_at", "quantity", "unit", "distance_km", "distance_source", "mode", "origin", "destination",
    "trip_key", "baseline", "baseline_source", "needs_requantify",
)  # fmt: skip
COUNTERS = (
    "received", "accepted", "rejected", "duplicates", "revised", "matched", "unmatched", "too_old", "quantified",
)  # fmt: skip


def outcome(batch):
    records = sorted(
        (*(getattr(r, f) for f in RECORD_FIELDS), r.resident_id is not None)
        for r in SourceRecord.objects.filter(batch=batch)
    )
    reductions = sorted(
        (r.source_record.external_id, r.behaviour, r.kg_co2e, r.kind, r.quantity, r.baseline, r.distance_km)
        for r in Reduction.objects.filter(batch=batch).select_related("source_record")
    )
    errors = list(
        RowError.objects.filter(batch=batch).values_list("row_number", "field", "code", "params", "raw_value")
    )
    counters = tuple(getattr(batch, name) for name in COUNTERS)
    return records, reductions, errors, counters


def test_readings_give_the_same_records_reductions_and_errors(centres, settings, one_pass_calls):
    text = ELEC_HEADER + "\n".join(ELEC_ROWS) + "\n"
    fast, staged = run_both(
        centres, DataProvider.Kind.POWER_UTILITY, "electricity_reading", text, settings, one_pass_calls
    )
    fast_outcome = outcome(fast)
    assert fast_outcome == outcome(staged)
    records, reductions, errors, _counters = fast_outcome
    assert {r[0] for r in records} == {"e1", "e2", "e3", "e4", "e5", "e9", "电表10", "e12"}
    assert [e[0] for e in errors] == [7, 8, 9, 12]  # e6, e7, e8, e11 (header is row 1)
    assert [e[2] for e in errors] == ["not_a_date", "in_future", "not_positive", "bad_revision"]
    # the binding is made today (window 90 days: periods ending from 2026-08-27): e3, e4, e5, e9 and
    # 电表10 ended earlier and can never match; e12's account is unknown but still within the window
    counters = dict(zip(COUNTERS, _counters, strict=True))
    assert (counters["unmatched"], counters["too_old"]) == (6, 5)
    assert counters["received"] == counters["accepted"] + counters["duplicates"] + counters["rejected"]
    # e1: default baseline 5 kWh/day × 30 days = 150; (150 − 100) × 0.4042 = 20.2100
    assert ("e1", "electricity_saving", Decimal("20.2100")) == reductions[0][:3]


def test_trips_give_the_same_records_reductions_and_errors(centres, settings, one_pass_calls):
    text = TRIP_HEADER + "\n".join(TRIP_ROWS) + "\n"
    fast, staged = run_both(
        centres, DataProvider.Kind.TRANSIT_OPERATOR, "transit_trip", text, settings, one_pass_calls
    )
    fast_outcome = outcome(fast)
    assert fast_outcome == outcome(staged)
    records, _reductions, _errors, counters = fast_outcome
    assert {r[0] for r in records} == {"t1", "t2", "t3", "t4", "t5", "t9"}
    assert dict(zip(COUNTERS, counters, strict=True))["duplicates"] == 1  # t11 is t2's trip
    origins = {r[0]: (r[14], r[15]) for r in records}
    assert origins["t1"] == ("体育西路", "珠江新城") and origins["t5"] == ("A", "B")


def test_duplicates_inside_the_file_resolve_like_the_staged_pipeline(centres, settings, one_pass_calls):
    """The same id twice (the higher revision wins, then the first row) and the same trip under two
    ids (the first row wins), with a Python-accepted row among them."""
    text = ELEC_HEADER + (
        "d1,1,0100000001,2026-09-01,2026-09-30,100,\n"
        "d1,2,0100000001,2026-09-01,2026-09-30,110,\n"
        "d1,2,0100000001,2026-09-01,2026-09-30,999,\n"
        "d2,1, 0100000001,2026-08-01,2026-08-31,95,\n"
        "d2,1,0100000001,2026-08-01,2026-08-31,96,\n"
    )
    fast, staged = run_both(
        centres, DataProvider.Kind.POWER_UTILITY, "electricity_reading", text, settings, one_pass_calls
    )
    assert outcome(fast) == outcome(staged)
    assert SourceRecord.objects.get(batch=fast, external_id="d1").quantity == Decimal("110")
    assert SourceRecord.objects.get(batch=fast, external_id="d2").quantity == Decimal("95")
    assert fast.duplicates == 3


def test_a_revision_of_an_earlier_batch_becomes_an_adjustment(centres, settings, one_pass_calls):
    gz, _zs = centres
    provider = make_provider(gz, DataProvider.Kind.POWER_UTILITY)
    upload(provider, "electricity_reading", ELEC_HEADER + "r1,1,0100000001,2026-09-01,2026-09-30,100,\n")
    batch, _ = upload(
        provider,
        "electricity_reading",
        ELEC_HEADER
        + "r1,2,0100000001,2026-09-01,2026-09-30,120,\nr2,1,0100000001,2026-08-01,2026-08-31,90,\n",
    )
    assert len(one_pass_calls) == 2
    assert (batch.accepted, batch.revised, batch.duplicates, batch.quantified) == (2, 1, 0, 2)
    adjustment = Reduction.objects.get(kind=Reduction.Kind.ADJUSTMENT)
    assert adjustment.kg_co2e == Decimal("-8.0840")  # (150 − 120) × 0.4042 − 20.2100


def test_a_file_with_quotes_takes_the_python_path(centres, one_pass_calls):
    gz, _zs = centres
    provider = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    batch, _ = upload(
        provider, "transit_trip", TRIP_HEADER + 'q1,1,T100000001,metro,2026-09-01T08:00:00,"A,1",B,\n'
    )
    assert one_pass_calls == []
    assert batch.accepted == 1
    assert SourceRecord.objects.get().origin == "A,1"


def test_history_baselines_are_the_staged_pipelines(centres, settings, one_pass_calls):
    """The worked example of test_pipeline (baseline (300 + 320) / 2 = 310 kWh, (310 − 250) × 0.4042 =
    24.2520 kg), with the history delivered in an earlier file: the one-pass load computes it."""
    history = ELEC_HEADER + (
        "h-2024-09,1,0100000001,2024-09-01,2024-09-30,320,\nh-2025-09,1,0100000001,2025-09-01,2025-09-30,300,\n"
    )
    for centre in centres:
        upload(
            make_provider(centre, DataProvider.Kind.POWER_UTILITY, code="history"),
            "electricity_reading",
            history,
        )
    one_pass_calls.clear()  # a file of two years is its own history: it took the staged pipeline
    text = ELEC_HEADER + "h-2026-09,1,0100000001,2026-09-01,2026-09-30,250,\n"
    fast, staged = run_both(
        centres, DataProvider.Kind.POWER_UTILITY, "electricity_reading", text, settings, one_pass_calls
    )
    assert outcome(fast) == outcome(staged)
    record = SourceRecord.objects.get(batch=fast)
    assert (record.baseline, record.baseline_source) == (Decimal("310.0000"), "history")
    assert Reduction.objects.get(batch=fast).kg_co2e == Decimal("24.2520")


def test_a_unique_violation_hands_the_batch_to_the_staged_pipeline(
    centres, settings, one_pass_calls, monkeypatch
):
    """If the one-pass INSERT hits a unique index anyway (another provider's batch committed the same
    trip a moment earlier), it rolls back to its savepoint and the staged pipeline decides. Here
    the in-file duplicate check is switched off, so the trip index itself refuses the second row."""
    monkeypatch.setattr(fastload.FastLoad, "_in_file_losers", lambda self: ([], 0))
    text = TRIP_HEADER + (
        "u1,1,T100000001,metro,2026-09-01T08:00:10+08:00,A,B,\nu2,1,T100000001,metro,2026-09-01T08:00:50+08:00,A,B,\n"
    )
    fast, staged = run_both(
        centres, DataProvider.Kind.TRANSIT_OPERATOR, "transit_trip", text, settings, one_pass_calls
    )
    assert outcome(fast) == outcome(staged)
    assert (fast.accepted, fast.duplicates, fast.quantified) == (1, 1, 1)
    assert SourceRecord.objects.get(batch=fast).external_id == "u1"
