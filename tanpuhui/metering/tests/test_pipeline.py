"""The pipeline end to end on the database the suite runs on (PostgreSQL: the COPY path)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import BindingFactory, ResidentFactory
from tanpuhui.metering.models import Batch, DataProvider, Reduction, RowError, SourceRecord
from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload

pytestmark = pytest.mark.django_db

ELEC_HEADER = "record_id,revision,account,period_start,period_end,quantity\n"


@pytest.fixture
def power(gz):
    seed_methods(gz)
    return make_provider(gz, DataProvider.Kind.POWER_UTILITY)


@pytest.fixture
def transit(gz):
    seed_methods(gz)
    return make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)


def bind(resident, kind, number):
    return BindingFactory(resident=resident, centre=resident.centre, kind=kind, account_number=number)


class TestWorkedExample:
    def test_electricity_file_to_kg(self, power, resident):
        """Hand-computed: Sep 2025 used 300 kWh, Sep 2024 used 320 kWh, this Sep 250 kWh.

        Baseline = average of the same period one and two years earlier. Only Sep 2025 (365 days
        earlier: 2025-09-01..2025-09-30 exactly) and Sep 2024 (730 days earlier: 2024-09-02..
        2024-10-01, overlapping 29 of the reading's 30 days → 320 × 29/30 prorated, scaled back
        to 30 days → 320) are history. Baseline = (300 + 320) / 2 = 310 kWh.
        Reduction = (310 − 250) × 0.4042 kg/kWh = 24.2520 kg CO₂e.
        """
        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        text = ELEC_HEADER + (
            "A-2024-09,1,0100000001,2024-09-01,2024-09-30,320\n"
            "A-2025-09,1,0100000001,2025-09-01,2025-09-30,300\n"
            "A-2026-09,1,0100000001,2026-09-01,2026-09-30,250\n"
        )
        batch, duplicate = upload(power, "electricity_reading", text)
        assert not duplicate
        assert batch.status == Batch.Status.DONE, batch.failure_reason
        # the history is older than the binding window: it serves as baseline, it is not credited
        assert (batch.received, batch.accepted, batch.rejected, batch.matched, batch.unmatched) == (
            3,
            3,
            0,
            1,
            2,
        )
        record = SourceRecord.objects.get(external_id="A-2026-09")
        assert record.baseline == Decimal("310.0000")
        assert record.baseline_source == "history"
        reduction = Reduction.objects.get(source_record=record)
        assert reduction.kg_co2e == Decimal("24.2520")
        assert reduction.resident == resident
        assert reduction.methodology_version is not None
        assert reduction.inputs_snapshot["params"]["factor"]["value"] == "0.4042"
        assert (reduction.quantity, reduction.unit, reduction.baseline) == (
            Decimal("250"),
            "kWh",
            Decimal("310"),
        )

    def test_metro_trips(self, transit, resident):
        bind(resident, Binding.Kind.TRANSIT_CARD, "T100000001")
        text = "record_id,card,mode,boarded_at\nm1,T100000001,metro,2026-09-01T08:12:00+08:00\nm2,T100000001,bus,2026-09-01T18:00:00\n"
        batch, _ = upload(transit, "transit_trip", text)
        assert batch.quantified == 2
        kgs = dict(Reduction.objects.values_list("behaviour", "kg_co2e"))
        assert kgs == {"metro": Decimal("0.5155"), "bus": Decimal("0.1500")}


def errors_of(batch):
    """(row, field, message) of the batch's row errors, rendered in the active language."""
    return [
        (e.row_number, e.field, e.message)
        for e in RowError.objects.filter(batch=batch).order_by("row_number")
    ]


TODAY = date(2026, 11, 25)  # frozen in conftest
FUTURE = (TODAY + timedelta(days=40)).isoformat()


class TestBadInput:
    """Each bad input of the issue: a row-level or file-level reason, nothing else lost."""

    def test_wrong_column_count_rejects_the_row_only(self, power, resident):
        text = ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\na2,1,0100000001,2026-09-01\n"
        batch, _ = upload(power, "electricity_reading", text)
        assert (batch.received, batch.accepted, batch.rejected) == (2, 1, 1)
        assert errors_of(batch) == [(3, "", "expected 6 fields, got 4")]

    def test_bom_and_crlf_are_read(self, power):
        text = "\ufeff" + ELEC_HEADER.replace("\n", "\r\n") + "a1,1,0100000001,2026-09-01,2026-09-30,100\r\n"
        batch, _ = upload(power, "electricity_reading", text.encode("utf-8"))
        assert batch.status == Batch.Status.DONE
        assert (batch.received, batch.accepted) == (1, 1)
        assert SourceRecord.objects.get().account == "0100000001"

    def test_quoted_newline_stays_in_one_row_and_row_numbers_follow_records(self, transit):
        text = (
            "record_id,card,mode,boarded_at,origin\n"
            't1,T100000001,metro,2026-09-01T08:00:00,"体育西路\nB口"\n'
            "t2,T100000001,tram,2026-09-01T09:00:00,x\n"
        )
        batch, _ = upload(transit, "transit_trip", text)
        assert batch.accepted == 1
        assert SourceRecord.objects.get().origin == "体育西路\nB口"
        assert errors_of(batch) == [(3, "mode", "must be bus or metro")]

    def test_non_utf8_row_is_rejected_the_rest_kept(self, power):
        raw = (
            ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\n"
        ).encode() + "a2,1,0100000001,2026-09-01,2026-09-30,1\xe9\n".encode("latin-1")
        batch, _ = upload(power, "electricity_reading", raw)
        assert (batch.accepted, batch.rejected) == (1, 1)
        assert errors_of(batch)[0][2] == "not valid UTF-8"

    def test_gbk_header_rejects_the_file(self, power):
        raw = "记录,账号\n1,2\n".encode("gbk")
        batch, _ = upload(power, "electricity_reading", raw)
        assert batch.status == Batch.Status.REJECTED
        assert "UTF-8" in batch.failure_reason

    @pytest.mark.parametrize("raw", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
    def test_empty_file_is_rejected(self, power, raw):
        batch, _ = upload(power, "electricity_reading", raw)
        assert batch.status == Batch.Status.REJECTED
        assert batch.failure_reason == "The file is empty."

    def test_header_only_is_done_with_nothing(self, power):
        batch, _ = upload(power, "electricity_reading", ELEC_HEADER)
        assert batch.status == Batch.Status.DONE
        assert (batch.received, batch.accepted) == (0, 0)
        assert "no data rows" in batch.failure_reason

    def test_missing_columns_reject_the_file(self, power):
        batch, _ = upload(power, "electricity_reading", "record_id,account\nx,1\n")
        assert batch.status == Batch.Status.REJECTED
        assert "period_start" in batch.failure_reason

    def test_ten_megabyte_line_is_a_row_error_not_a_crash(self, power):
        huge = "a0,1,0100000001,2026-09-01,2026-09-30," + "9" * (10 * 1024 * 1024) + "\n"
        text = ELEC_HEADER + huge + "a1,1,0100000001,2026-09-01,2026-09-30,100\n"
        batch, _ = upload(power, "electricity_reading", text)
        assert (batch.received, batch.accepted, batch.rejected) == (2, 1, 1)
        assert errors_of(batch)[0][0] == 2
        assert "longer than" in errors_of(batch)[0][2]

    @pytest.mark.parametrize(
        ("quantity", "reason"),
        [
            ("-5", "must be positive"),
            ("NaN", "not a finite number"),
            ("inf", "not a finite number"),
            ("1e30", "implausibly large"),
            ("250000", "implausibly large"),
            ("abc", "not a number"),
        ],
    )
    def test_bad_readings(self, power, quantity, reason):
        batch, _ = upload(
            power, "electricity_reading", ELEC_HEADER + f"a1,1,0100000001,2026-09-01,2026-09-30,{quantity}\n"
        )
        assert batch.rejected == 1
        ((row, field, text),) = errors_of(batch)
        assert (row, field) == (2, "quantity")
        assert text.startswith(reason)

    @pytest.mark.parametrize(
        ("start", "end", "field", "reason"),
        [
            ("2026-09-01", FUTURE, "period_end", "in the future"),
            ("2026-13-01", "2026-09-30", "period_start", "not a date (YYYY-MM-DD)"),
            ("2026/09/01", "2026-09-30", "period_start", "not a date (YYYY-MM-DD)"),
            ("2026-09-30", "2026-09-01", "period_end", "before period_start"),
            ("2020-01-01", "2026-09-01", "period_end", "period longer than a year"),
        ],
    )
    def test_bad_periods(self, power, start, end, field, reason):
        batch, _ = upload(power, "electricity_reading", ELEC_HEADER + f"a1,1,0100000001,{start},{end},100\n")
        assert errors_of(batch) == [(2, field, reason)]

    def test_unknown_and_other_centre_accounts_look_the_same(self, power, zs):
        other = ResidentFactory(centre=zs)
        bind(other, Binding.Kind.ELECTRICITY, "0200000001")  # bound in ZS, not in GZ
        text = (
            ELEC_HEADER
            + "a1,1,0200000001,2026-09-01,2026-09-30,100\na2,1,0999999999,2026-09-01,2026-09-30,100\n"
        )
        batch, _ = upload(power, "electricity_reading", text)
        assert (batch.accepted, batch.matched, batch.unmatched, batch.rejected) == (2, 0, 2, 0)
        assert not Reduction.objects.exists()
        assert errors_of(batch) == []  # nothing tells the provider which accounts exist

    def test_jsonl_rows(self, power):
        text = (
            '{"record_id": "j1", "account": "0100000001", "period_start": "2026-09-01", "period_end": "2026-09-30", "quantity": 12.5}\n'
            '{"record_id": "j2", "account": "0100000001", "period_start": "2026-09-01", "period_end": "2026-09-30", "quantity": NaN}\n'
            "[1, 2]\n"
            "{not json\n"
            '{"record_id": "j5"}\n'
        )
        batch, _ = upload(power, "electricity_reading", text, file_format="jsonl")
        assert (batch.received, batch.accepted, batch.rejected) == (5, 1, 4)
        assert [e[2] for e in errors_of(batch)] == [
            "not a finite number",
            "not a JSON object",
            "not valid JSON",
            "required",
        ]

    def test_units_are_converted_with_pint(self, power):
        text = "record_id,account,period_start,period_end,quantity,unit\nu1,0100000001,2026-09-01,2026-09-30,0.25,MWh\nu2,0100000001,2026-09-01,2026-09-30,3,m3\n"
        batch, _ = upload(power, "electricity_reading", text)
        assert SourceRecord.objects.get().quantity == Decimal("250.0000")
        assert errors_of(batch) == [(3, "unit", "unit not accepted here")]

    def test_implausible_bike_speed_is_rejected(self, gz, resident):
        seed_methods(gz)
        bikes = make_provider(gz, DataProvider.Kind.BIKE_SHARE_OPERATOR)
        text = (
            "record_id,account,started_at,ended_at,distance_km\n"
            "b1,bike-gz-00001,2026-09-01T07:40:00,2026-09-01T08:00:00,4.0\n"
            "b2,bike-gz-00001,2026-09-01T09:00:00,2026-09-01T09:10:00,20\n"
        )
        batch, _ = upload(bikes, "bike_trip", text)
        assert batch.accepted == 1
        assert errors_of(batch)[0][2].startswith("implausible speed 120.0 km/h (limit 25)")


class TestDuplicates:
    def test_same_file_twice_answers_the_existing_batch(self, power, resident):
        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        text = ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\n"
        power.centre.parameters = {"metering": {"default_baseline_per_day": {"electricity_reading": "5"}}}
        power.centre.save()
        first, dup1 = upload(power, "electricity_reading", text)
        second, dup2 = upload(power, "electricity_reading", text)
        assert (dup1, dup2) == (False, True)
        assert second.pk == first.pk
        assert Batch.objects.count() == 1
        assert Reduction.objects.count() == 1

    def test_same_record_in_another_file_counts_once(self, power, resident):
        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        power.centre.parameters = {"metering": {"default_baseline_per_day": {"electricity_reading": "5"}}}
        power.centre.save()
        upload(power, "electricity_reading", ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\n")
        batch, _ = upload(
            power,
            "electricity_reading",
            ELEC_HEADER
            + "a1,1,0100000001,2026-09-01,2026-09-30,100\na1,1,0100000001,2026-09-01,2026-09-30,100\nb1,1,0100000001,2026-08-01,2026-08-31,90\n",
        )
        assert (batch.received, batch.accepted, batch.duplicates) == (3, 1, 2)  # only b1 is new
        assert SourceRecord.objects.count() == 2
        assert Reduction.objects.count() == 2
        # default baseline 5 kWh/day × 30 days = 150; (150 − 100) × 0.4042 = 20.2100
        assert Reduction.objects.get(source_record__external_id="a1").kg_co2e == Decimal("20.2100")

    def test_corrected_record_adds_an_adjustment_never_an_edit(self, power, resident):
        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        power.centre.parameters = {"metering": {"default_baseline_per_day": {"electricity_reading": "5"}}}
        power.centre.save()
        upload(power, "electricity_reading", ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\n")
        original = Reduction.objects.get()
        assert original.kg_co2e == Decimal("20.2100")
        batch, _ = upload(
            power, "electricity_reading", ELEC_HEADER + "a1,2,0100000001,2026-09-01,2026-09-30,120\n"
        )
        assert (batch.revised, batch.quantified) == (1, 1)
        adjustment = Reduction.objects.get(kind=Reduction.Kind.ADJUSTMENT)
        # (150 − 120) × 0.4042 = 12.1260; difference −8.0840
        assert adjustment.kg_co2e == Decimal("-8.0840")
        assert adjustment.adjusts == original
        assert adjustment.record_revision == 2
        original.refresh_from_db()
        assert original.kg_co2e == Decimal("20.2100") and original.record_revision == 1
        # an older revision arriving late changes nothing; re-sending revision 2 neither
        late, _ = upload(
            power,
            "electricity_reading",
            ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\nx,1,9,2026-09-01,2026-09-30,1\n",
        )
        assert late.duplicates == 1
        assert Reduction.objects.filter(source_record__external_id="a1").count() == 2
        total = sum(
            Reduction.objects.filter(source_record__external_id="a1").values_list("kg_co2e", flat=True)
        )
        assert total == Decimal("12.1260")

    def test_cross_provider_duplicate_trip_counts_once(self, gz, resident):
        seed_methods(gz)
        yct = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR, code="yct")
        metro = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR, code="metro")
        bind(resident, Binding.Kind.TRANSIT_CARD, "T100000001")
        header = "record_id,card,mode,boarded_at\n"
        upload(yct, "transit_trip", header + "y1,T100000001,metro,2026-09-01T08:12:05+08:00\n")
        batch, _ = upload(
            metro,
            "transit_trip",
            header
            + "M-9,t100000001,metro,2026-09-01T00:12:40Z\nM-10,T100000001,metro,2026-09-01T08:20:00+08:00\n",
        )
        assert (batch.accepted, batch.duplicates, batch.quantified) == (1, 1, 1)
        assert Reduction.objects.filter(behaviour="metro").count() == 2

    def test_counters_add_up_a_delivered_record_is_a_duplicate_not_accepted(self, power, resident):
        """received = accepted + duplicates + rejected: a row already delivered is counted once, as a
        duplicate; a correction is accepted (and revised); a bad row is rejected."""
        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        upload(power, "electricity_reading", ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\n")
        batch, _ = upload(
            power,
            "electricity_reading",
            ELEC_HEADER
            + "a1,1,0100000001,2026-09-01,2026-09-30,100\n"  # delivered before: duplicate
            + "b1,1,0100000001,2026-08-01,2026-08-31,90\n"  # new: accepted
            + "b1,1,0100000001,2026-08-01,2026-08-31,90\n"  # repeated in the file: duplicate
            + "c1,1,0100000001,2026-07-01,2026-07-31,-1\n",  # rejected
        )
        counters = (batch.received, batch.accepted, batch.duplicates, batch.rejected, batch.revised)
        assert counters == (4, 1, 2, 1, 0)
        assert batch.received == batch.accepted + batch.duplicates + batch.rejected
        corrected, _ = upload(
            power, "electricity_reading", ELEC_HEADER + "a1,2,0100000001,2026-09-01,2026-09-30,110\n"
        )
        assert (corrected.received, corrected.accepted, corrected.duplicates, corrected.revised) == (
            1,
            1,
            0,
            1,
        )


class TestLateBinding:
    def test_records_wait_and_quantify_when_the_resident_binds(
        self, transit, resident, django_capture_on_commit_callbacks
    ):
        from tanpuhui.accounts.services import binding_create

        header = "record_id,card,mode,boarded_at\n"
        recent = (timezone.now() - timedelta(days=10)).isoformat()
        old = (timezone.now() - timedelta(days=200)).isoformat()
        batch, _ = upload(
            transit, "transit_trip", header + f"r1,T100000009,metro,{recent}\nr2,T100000009,bus,{old}\n"
        )
        assert (batch.matched, batch.unmatched, batch.quantified) == (0, 2, 0)
        with django_capture_on_commit_callbacks(execute=True):
            binding_create(resident=resident, kind="transit_card", account_number="T100000009")
        reductions = Reduction.objects.filter(resident=resident)
        assert list(reductions.values_list("source_record__external_id", flat=True)) == [
            "r1"
        ]  # r2 is outside 90 days
        assert SourceRecord.objects.get(external_id="r2").resident is None
        batch.refresh_from_db()
        assert (batch.matched, batch.unmatched, batch.quantified) == (1, 1, 1)

    def test_signal_sent_on_commit_with_centre_and_batch(
        self, power, resident, django_capture_on_commit_callbacks
    ):
        from tanpuhui.metering.signals import reductions_quantified

        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        power.centre.parameters = {"metering": {"default_baseline_per_day": {"electricity_reading": "5"}}}
        power.centre.save()
        received = []

        def receiver(sender, centre_ids, batch_id, **kwargs):
            received.append((centre_ids, batch_id))

        reductions_quantified.connect(receiver)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                batch, _ = upload(
                    power, "electricity_reading", ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\n"
                )
        finally:
            reductions_quantified.disconnect(receiver)
        assert received == [([power.centre_id], batch.pk)]


class TestReproducible:
    def test_rerunning_quantification_writes_nothing_new(self, power, resident):
        from tanpuhui.metering.services import quantify

        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        power.centre.parameters = {"metering": {"default_baseline_per_day": {"electricity_reading": "5"}}}
        power.centre.save()
        _batch, _ = upload(
            power, "electricity_reading", ELEC_HEADER + "a1,1,0100000001,2026-09-01,2026-09-30,100\n"
        )
        before = list(Reduction.objects.values_list("id", "kg_co2e", "snapshot_id", "snapshot__data"))
        assert quantify(scope="r.centre_id = %s", scope_params=[power.centre_id], centres=[power.centre]) == 0
        assert list(Reduction.objects.values_list("id", "kg_co2e", "snapshot_id", "snapshot__data")) == before

    def test_reductions_are_append_only(self, power, resident):
        from tanpuhui.common.models import AppendOnlyError

        bind(resident, Binding.Kind.TRANSIT_CARD, "T100000001")
        reduction = Reduction(
            centre=power.centre,
            resident=resident,
            behaviour="bus",
            period_start=TODAY,
            period_end=TODAY,
            kg_co2e=1,
        )
        reduction.save()
        with pytest.raises(AppendOnlyError):
            reduction.save()


class TestOtherBehaviours:
    def test_walking_steps_capped_per_day(self, gz, resident):
        """8 000 steps × 0.00005 kg/step = 0.4000 > cap 0.296 → 0.2960; 3 000 steps → 0.1500."""
        seed_methods(gz)
        bikes = make_provider(gz, DataProvider.Kind.BIKE_SHARE_OPERATOR)
        bind(resident, Binding.Kind.BIKE_SHARE, "bike-gz-00001")
        text = "record_id,account,date,steps\nw1,bike-gz-00001,2026-09-01,8000\nw2,bike-gz-00001,2026-09-02,3000\nw3,bike-gz-00001,2026-09-03,70000\n"
        batch, _ = upload(bikes, "walking_steps", text)
        assert errors_of(batch) == [(4, "steps", "implausibly many steps for one day")]
        kgs = sorted(Reduction.objects.values_list("kg_co2e", flat=True))
        assert kgs == [Decimal("0.1500"), Decimal("0.2960")]

    def test_cycling_distance_times_substitution(self, gz, resident):
        """4.0 km × 0.272 kg/km × 0.31 = 0.33728 → 0.3373 kg."""
        seed_methods(gz)
        bikes = make_provider(gz, DataProvider.Kind.BIKE_SHARE_OPERATOR)
        bind(resident, Binding.Kind.BIKE_SHARE, "bike-gz-00001")
        text = "record_id,account,started_at,ended_at,distance_km\nb1,bike-gz-00001,2026-09-01T07:40:00,2026-09-01T08:00:00,4.0\n"
        upload(bikes, "bike_trip", text)
        assert Reduction.objects.get().kg_co2e == Decimal("0.3373")

    def test_forest_plots_and_surveys(self, zs):
        """A broadleaf plot of 2.5 ha surveyed over 2026-01-01..2026-06-30 (181 days):
        2.5 × 181/365 = 1.2397 ha·a × 8 500 kg/ha/a = 10 537.4500 kg CO₂e."""
        seed_methods(zs)
        owner = ResidentFactory(centre=zs, phone="13920000001")
        surveyor = make_provider(zs, DataProvider.Kind.FORESTRY_SURVEYOR)
        plots = (
            "record_id,owner,owner_phone,area_ha,forest_type,latitude,longitude\n"
            "ZS-WG-0001,五桂山桂南村 李家,13920000001,2.5,broadleaf,22.4561,113.4012\n"
            "ZS-WG-0002,五桂山龙塘村,,4,conifer,22.43,113.41\n"
            "ZS-WG-0003,bad,,-1,conifer,22.43,113.41\n"
        )
        batch, _ = upload(surveyor, "forest_plot", plots)
        assert (batch.accepted, batch.rejected) == (2, 1)
        surveys = (
            "record_id,plot_id,activity,period_start,period_end,area_ha\n"
            "S1,ZS-WG-0001,afforestation,2026-01-01,2026-06-30,2.5\n"
            "S2,ZS-WG-0002,afforestation,2026-01-01,2026-06-30,4\n"
        )
        batch, _ = upload(surveyor, "forest_survey", surveys)
        assert (batch.matched, batch.unmatched, batch.quantified) == (1, 1, 1)
        reduction = Reduction.objects.get()
        assert reduction.resident == owner
        assert reduction.quantity == Decimal("1.2397")
        assert reduction.kg_co2e == Decimal("10537.4500")


class TestExecutemanyPath:
    def test_the_sqlite_loading_path_gives_the_same_result(self, power, resident, monkeypatch):
        """The SQLite fallback (executemany instead of COPY), exercised on whatever database runs."""
        from tanpuhui.metering import services

        monkeypatch.setattr(services.Pipeline, "_copy", services.Pipeline._executemany)
        bind(resident, Binding.Kind.ELECTRICITY, "0100000001")
        text = ELEC_HEADER + (
            "A-2024-09,1,0100000001,2024-09-01,2024-09-30,320\n"
            "A-2025-09,1,0100000001,2025-09-01,2025-09-30,300\n"
            "A-2026-09,1,0100000001,2026-09-01,2026-09-30,250\n"
        )
        batch, _ = upload(power, "electricity_reading", text)
        assert batch.accepted == 3
        assert Reduction.objects.get(source_record__external_id="A-2026-09").kg_co2e == Decimal("24.2520")


class TestFactorHistory:
    def test_a_new_factor_applies_from_its_date_only(self, transit, resident):
        """Metro trip factor 0.5155 until 2026-09-15, then 0.6000: each trip gets its date's value."""
        from tanpuhui.methodology.models import Parameter

        old = Parameter.objects.get(code="t_metro", centre=transit.centre)
        Parameter.objects.filter(pk=old.pk).update(valid_to=date(2026, 9, 15))
        Parameter.objects.create(
            code="t_metro", region="centre", centre=transit.centre, value=Decimal("0.6"), unit="kg_co2e/trip",
            valid_from=date(2026, 9, 15), name_zh="t", name_en="t", source_publication="p", source_issuer="i",
            source_year=2026,
        )  # fmt: skip
        bind(resident, Binding.Kind.TRANSIT_CARD, "T100000001")
        rows = "".join(f"m{d},T100000001,metro,2026-09-{d:02d}T08:00:00\n" for d in (10, 14, 15, 20))
        upload(transit, "transit_trip", "record_id,card,mode,boarded_at\n" + rows)
        kgs = dict(Reduction.objects.values_list("source_record__external_id", "kg_co2e"))
        assert kgs == {
            "m10": Decimal("0.5155"),
            "m14": Decimal("0.5155"),
            "m15": Decimal("0.6000"),
            "m20": Decimal("0.6000"),
        }

    def test_records_older_than_the_binding_window_are_not_credited(self, transit, resident):
        bind(resident, Binding.Kind.TRANSIT_CARD, "T100000001")
        text = "record_id,card,mode,boarded_at\nold,T100000001,bus,2026-06-01T08:00:00\nnew,T100000001,bus,2026-11-01T08:00:00\n"
        batch, _ = upload(transit, "transit_trip", text)
        assert (batch.matched, batch.unmatched) == (1, 1)
        assert list(Reduction.objects.values_list("source_record__external_id", flat=True)) == ["new"]


class TestLateBindingTenancy:
    def test_a_binding_in_another_centre_never_claims_the_records(
        self, transit, zs, django_capture_on_commit_callbacks
    ):
        from tanpuhui.accounts.services import binding_create

        upload(
            transit,
            "transit_trip",
            "record_id,card,mode,boarded_at\nr1,T100000009,metro,2026-11-20T08:00:00\n",
        )
        outsider = ResidentFactory(centre=zs)
        with django_capture_on_commit_callbacks(execute=True):
            binding_create(resident=outsider, kind="transit_card", account_number="T100000009")
        assert SourceRecord.objects.get().resident is None
        assert not Reduction.objects.exists()
