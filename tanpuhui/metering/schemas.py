"""The record types providers deliver, each declared ONCE: its fields with their rules (type,
bounds, pattern, unit, required), record-level checks, where each staging column comes from, and
examples. One source for the row check (``parsing``), the one-pass SQL validation (``fastload``),
the OpenAPI description and docs/provider-guide.md. The rules are in ``rules``; docs/contributing.md
("Adding a provider record type") shows how to add one."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tanpuhui.accounts.models import Binding
from tanpuhui.metering.models import Behaviour, DataProvider, RecordType
from tanpuhui.metering.rules import (
    Account,
    Amount,
    Check,
    Const,
    Count,
    Day,
    F,
    Json,
    Limit,
    LocalDay,
    Moment,
    OneOf,
    Pattern,
    Period,
    RecordId,
    Revision,
    Ride,
    Rule,
    Staging,
    Text,
    Today,
    TripKey,
    UnitOf,
    Years,
)


@dataclass(frozen=True)
class Field:
    name: str
    required: bool  # the column must be in the file
    description: str
    example: str
    rule: Rule


@dataclass(frozen=True)
class RecordSchema:
    record_type: str
    description: str
    fields: tuple[Field, ...]
    unit: str  # canonical unit of ``quantity`` after conversion
    staging: Staging
    checks: tuple[Check, ...] = ()
    binding_kind: str = ""
    provider_kinds: tuple[str, ...] = ()
    accepted_units: tuple[str, ...] = field(default=())

    @property
    def behaviours(self) -> tuple[str, ...]:
        """The behaviours its records may have: the methodologies quantification resolves."""
        source = self.staging.sources()["behaviour"]
        if isinstance(source, Const):
            return (source.value,) if source.value else ()
        assert isinstance(source, F)
        rule = next(f.rule for f in self.fields if f.name == source.name)
        assert isinstance(rule, OneOf)
        return rule.choices

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def example_csv(self) -> str:
        return ",".join(self.columns) + "\n" + ",".join(f.example for f in self.fields) + "\n"

    def example_jsonl(self) -> str:
        import json

        return json.dumps({f.name: f.example for f in self.fields if f.example}, ensure_ascii=False) + "\n"


_ID = Field(
    "record_id",
    True,
    "Your unique id of the record (≤ 64 characters); never reused.",
    "E2026-000123",
    RecordId(),
)
_REV = Field(
    "revision",
    False,
    "Correction counter, default 1. Resend a corrected record with the same record_id and a higher "
    "revision: it supersedes the earlier one and the difference is applied as an adjustment.",
    "1",
    Revision(maximum=1_000_000),
)
_AREA = Amount(low=Decimal(0), high=Decimal(10_000), positive=True)  # hectares of one plot


def _utility(
    record_type, kind, behaviour, what, unit, units, example_qty, account_example, provider_kind, limit
):
    """A household's metered consumption; ``limit``: the most one billing period may plausibly be."""
    return RecordSchema(
        record_type=record_type,
        description=f"One {what} billing reading of a household account for a billing period.",
        fields=(
            _ID,
            _REV,
            Field(
                "account",
                True,
                f"The {what} account number as printed on the bill.",
                account_example,
                Account(kind),
            ),
            Field("period_start", True, "First day of the billing period, YYYY-MM-DD.", "2026-09-01", Day()),
            Field(
                "period_end",
                True,
                "Last day of the billing period (inclusive), YYYY-MM-DD.",
                "2026-09-30",
                Day(),
            ),
            Field(
                "quantity",
                True,
                f"Consumption in the period, in {unit} unless `unit` says otherwise.",
                example_qty,
                Amount(low=Decimal(0), high=Decimal(limit), unit="unit"),
            ),
            Field(
                "unit", False, "Unit of quantity: " + ", ".join(units) + f" (default {unit}).", unit, UnitOf()
            ),
        ),
        checks=(Period(max_days=366),),
        staging=Staging(
            account="account",
            behaviour=Const(behaviour),
            period_start="period_start",
            period_end="period_end",
            quantity="quantity",
            unit="unit",
        ),
        unit=unit,
        binding_kind=kind,
        provider_kinds=(provider_kind,),
        accepted_units=units,
    )


SCHEMAS: dict[str, RecordSchema] = {
    s.record_type: s
    for s in [
        _utility(
            RecordType.ELECTRICITY,
            Binding.Kind.ELECTRICITY,
            Behaviour.ELECTRICITY_SAVING,
            "electricity",
            "kWh",
            ("kWh", "MWh", "Wh"),
            "231.5",
            "0100000001",
            DataProvider.Kind.POWER_UTILITY,
            limit=100_000,  # kWh per billing period, a household
        ),
        _utility(
            RecordType.WATER,
            Binding.Kind.WATER,
            Behaviour.WATER_SAVING,
            "tap water",
            "m3",
            ("m3", "L"),
            "12.0",
            "W10000001",
            DataProvider.Kind.WATER_UTILITY,
            limit=10_000,
        ),
        _utility(
            RecordType.GAS,
            Binding.Kind.GAS,
            Behaviour.GAS_SAVING,
            "piped natural gas",
            "m3",
            ("m3",),
            "15.2",
            "G10000001",
            DataProvider.Kind.GAS_UTILITY,
            limit=10_000,
        ),
        RecordSchema(
            record_type=RecordType.TRANSIT_TRIP,
            description="One boarding of a bus or metro with a transit card.",
            fields=(
                _ID,
                _REV,
                Field(
                    "card", True, "Transit card number.", "T1000000001", Account(Binding.Kind.TRANSIT_CARD)
                ),
                Field(
                    "mode",
                    True,
                    "`bus` or `metro`.",
                    "metro",
                    OneOf((Behaviour.BUS.value, Behaviour.METRO.value), code="bad_mode", lower=True),
                ),
                Field(
                    "boarded_at",
                    True,
                    "Boarding time, ISO 8601; without an offset it is China Standard Time (UTC+8).",
                    "2026-09-01T08:12:00+08:00",
                    Moment(),
                ),
                Field("origin", False, "Boarding station or stop.", "体育西路", Text(64)),
                Field("destination", False, "Alighting station or stop.", "珠江新城", Text(64)),
                Field(
                    "distance_km",
                    False,
                    "Travelled distance in km, if known (0 < d ≤ 200).",
                    "3.2",
                    Amount(low=Decimal(0), high=Decimal(200), positive=True, optional=True),
                ),
            ),
            staging=Staging(
                account="card",
                behaviour="mode",
                period_start=LocalDay("boarded_at"),
                period_end=LocalDay("boarded_at"),
                occurred_at="boarded_at",
                quantity=Const(Decimal(1)),
                unit=Const("trip"),
                distance_km="distance_km",
                mode="mode",
                origin="origin",
                destination="destination",
                trip_key=TripKey(mode="mode", card="card", at="boarded_at"),
            ),
            unit="trip",
            binding_kind=Binding.Kind.TRANSIT_CARD,
            provider_kinds=(DataProvider.Kind.TRANSIT_OPERATOR,),
        ),
        RecordSchema(
            record_type=RecordType.BIKE_TRIP,
            description="One shared-bike ride. Rides faster than the plausibility limit are rejected.",
            fields=(
                _ID,
                _REV,
                Field(
                    "account",
                    True,
                    "Bike-share account id.",
                    "bike-gz-00001",
                    Account(Binding.Kind.BIKE_SHARE),
                ),
                Field(
                    "started_at",
                    True,
                    "Unlock time, ISO 8601 (default UTC+8).",
                    "2026-09-01T07:40:00+08:00",
                    Moment(),
                ),
                Field(
                    "ended_at",
                    True,
                    "Lock time, ISO 8601, after started_at, within 24 h.",
                    "2026-09-01T07:58:00+08:00",
                    Moment(),
                ),
                Field(
                    "distance_km",
                    True,
                    "Ridden distance in km (0 < d ≤ 100).",
                    "3.6",
                    Amount(low=Decimal(0), high=Limit("bike_max_distance_km"), positive=True),
                ),
            ),
            checks=(Ride(start="started_at", end="ended_at", distance="distance_km", max_hours=24),),
            staging=Staging(
                account="account",
                behaviour=Const(Behaviour.CYCLING.value),
                period_start=LocalDay("started_at"),
                period_end=LocalDay("started_at"),
                occurred_at="started_at",
                quantity="distance_km",
                unit=Const("km"),
                distance_km="distance_km",
            ),
            unit="km",
            binding_kind=Binding.Kind.BIKE_SHARE,
            provider_kinds=(DataProvider.Kind.BIKE_SHARE_OPERATOR,),
        ),
        RecordSchema(
            record_type=RecordType.WALKING_STEPS,
            description="Steps walked by an app account on one day (one record per account and day).",
            fields=(
                _ID,
                _REV,
                Field(
                    "account",
                    True,
                    "The mobility-app account (same id as its bike-share account).",
                    "bike-gz-00001",
                    Account(Binding.Kind.BIKE_SHARE),
                ),
                Field("date", True, "The day, YYYY-MM-DD.", "2026-09-01", Day()),
                Field(
                    "steps",
                    True,
                    "Steps that day, integer 0–100 000.",
                    "8500",
                    Count(Limit("walking_max_steps"), bad="bad_steps", too_many="too_many_steps"),
                ),
            ),
            staging=Staging(
                account="account",
                behaviour=Const(Behaviour.WALKING.value),
                period_start="date",
                period_end="date",
                quantity="steps",
                unit=Const("step"),
            ),
            unit="step",
            binding_kind=Binding.Kind.BIKE_SHARE,
            provider_kinds=(DataProvider.Kind.BIKE_SHARE_OPERATOR,),
        ),
        RecordSchema(
            record_type=RecordType.FOREST_PLOT,
            description="Registration (or correction, with a higher revision) of a forest plot.",
            fields=(
                Field(
                    "record_id", True, "The plot id (≤ 40 characters).", "ZS-WG-0001", RecordId(max_len=40)
                ),
                _REV,
                Field(
                    "owner",
                    True,
                    "Owner village or household.",
                    "五桂山桂南村 李家",
                    Text(100, required=True),
                ),
                Field(
                    "owner_phone",
                    False,
                    "Mobile number of the owning household's registered resident.",
                    "13920000001",
                    Pattern(r"1[3-9][0-9]{9}", code="bad_phone"),
                ),
                Field("area_ha", True, "Area in hectares (0 < a ≤ 10 000).", "2.5", _AREA),
                Field(
                    "forest_type",
                    True,
                    "Forest type, e.g. broadleaf, conifer, mixed, eucalyptus.",
                    "broadleaf",
                    Text(40, required=True),
                ),
                Field(
                    "latitude",
                    True,
                    "WGS 84 latitude.",
                    "22.4561",
                    Amount(low=Decimal(-90), high=Decimal(90)),
                ),
                Field(
                    "longitude",
                    True,
                    "WGS 84 longitude.",
                    "113.4012",
                    Amount(low=Decimal(-180), high=Decimal(180)),
                ),
            ),
            staging=Staging(
                account="record_id",
                behaviour=Const(""),
                period_start=Today(),
                period_end=Today(),
                quantity="area_ha",
                unit=Const("ha"),
                mode="forest_type",
                attrs=Json(("owner", "owner_phone", "latitude", "longitude")),
            ),
            unit="ha",
            provider_kinds=(DataProvider.Kind.FORESTRY_SURVEYOR,),
        ),
        RecordSchema(
            record_type=RecordType.FOREST_SURVEY,
            description="A surveyor's record of a plot's afforestation or forest management over a period.",
            fields=(
                _ID,
                _REV,
                Field("plot_id", True, "A registered plot id.", "ZS-WG-0001", Text(40, required=True)),
                Field(
                    "activity",
                    True,
                    "`afforestation` or `forest_management`.",
                    "afforestation",
                    OneOf(
                        (Behaviour.AFFORESTATION.value, Behaviour.FOREST_MANAGEMENT.value),
                        code="bad_activity",
                    ),
                ),
                Field("period_start", True, "First day surveyed, YYYY-MM-DD.", "2026-01-01", Day()),
                Field(
                    "period_end",
                    True,
                    "Last day surveyed (inclusive), ≤ 366 days later.",
                    "2026-06-30",
                    Day(),
                ),
                Field("area_ha", True, "Area under the activity in hectares.", "2.5", _AREA),
            ),
            checks=(Period(max_days=366),),
            staging=Staging(
                account="plot_id",
                behaviour="activity",
                period_start="period_start",
                period_end="period_end",
                quantity=Years("area_ha"),
                unit=Const("ha_year"),
                attrs=Json(("area_ha",)),
            ),
            unit="ha_year",
            provider_kinds=(DataProvider.Kind.FORESTRY_SURVEYOR,),
        ),
    ]
}

PROVIDER_RECORD_TYPES: dict[str, list[str]] = {}
for _schema in SCHEMAS.values():
    for _kind in _schema.provider_kinds:
        PROVIDER_RECORD_TYPES.setdefault(_kind, []).append(_schema.record_type)


def openapi_description() -> str:
    """Markdown for the upload endpoint: every record type's columns and an example."""
    parts = []
    for schema in SCHEMAS.values():
        rows = "\n".join(
            f"| `{f.name}` | {'yes' if f.required else 'no'} | {f.description} | `{f.example}` |"
            for f in schema.fields
        )
        parts.append(
            f"### `{schema.record_type}`\n{schema.description} Quantity unit: `{schema.unit}`.\n\n"
            f"| field | required | meaning | example |\n|---|---|---|---|\n{rows}\n\n"
            f"CSV example:\n```\n{schema.example_csv()}```\n"
        )
    return "\n".join(parts)
