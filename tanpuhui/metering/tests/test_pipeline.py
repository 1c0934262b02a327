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
        assert (batch.received, batch.accepted, batch.rejected, batch.matched) == (3, 3, 0, 3)
        record = SourceRecord.objects.get(external_id="A-2026-09")
        assert record.baseline == Decimal("310.0000")
        assert record.baseline_source == "history"
        reduction = Reduction.objects.get(source_record=record)
        assert reduction.kg_co2e == Decimal("24.2520")
        assert reduction.resident == resident
        assert reduction.methodology_version is not None
        assert reduction.inputs_snapshot["params"]["factor"]["value"] == "0.4042"
        assert (reduction.quantity, reduction.unit, reduction.baseline) == (Decimal("250"), "kWh", Decimal("310"))

    def test_metro_trips(self, transit, resident):
        bind(resident, Binding.Kind.TRANSIT_CARD, "T100000001")
        text = "record_id,card,mode,boarded_at\nm1,T100000001,metro,2026-09-01T08:12:00+08:00\nm2,T100000001,bus,2026-09-01T18:00:00\n"
        batch, _ = upload(transit, "transit_trip", text)
        assert batch.quantified == 2
        kgs = dict(Reduction.objects.values_list("behaviour", "kg_co2e"))
        assert kgs == {"metro": Decimal("0.5155"), "bus": Decimal("0.1500")}
