"""The record types providers deliver: fields, units, rules and examples — one source for the
parser, the OpenAPI description and docs/provider-guide.md."""

from __future__ import annotations

from dataclasses import dataclass, field

from tanpuhui.accounts.models import Binding
from tanpuhui.metering.models import Behaviour, DataProvider, RecordType


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    description: str
    example: str


@dataclass(frozen=True)
class RecordSchema:
    record_type: str
    description: str
    fields: tuple[Field, ...]
    unit: str  # canonical unit of ``quantity`` after conversion
    binding_kind: str = ""
    behaviour: str = ""
    provider_kinds: tuple[str, ...] = ()
    accepted_units: tuple[str, ...] = field(default=())

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
    "record_id", True, "Your unique id of the record (≤ 64 characters); never reused.", "E2026-000123"
)
_REV = Field(
    "revision",
    False,
    "Correction counter, default 1. Resend a corrected record with the same record_id and a higher "
    "revision: it supersedes the earlier one and the difference is applied as an adjustment.",
    "1",
)


def _utility(record_type, kind, behaviour, what, unit, units, example_qty, account_example, provider_kind):
    return RecordSchema(
        record_type=record_type,
        description=f"One {what} billing reading of a household account for a billing period.",
        fields=(
            _ID,
            _REV,
            Field("account", True, f"The {what} account number as printed on the bill.", account_example),
            Field("period_start", True, "First day of the billing period, YYYY-MM-DD.", "2026-09-01"),
            Field(
                "period_end", True, "Last day of the billing period (inclusive), YYYY-MM-DD.", "2026-09-30"
            ),
            Field(
                "quantity",
                True,
                f"Consumption in the period, in {unit} unless `unit` says otherwise.",
                example_qty,
            ),
            Field("unit", False, "Unit of quantity: " + ", ".join(units) + f" (default {unit}).", unit),
        ),
        unit=unit,
        binding_kind=kind,
        behaviour=behaviour,
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
        ),
        RecordSchema(
            record_type=RecordType.TRANSIT_TRIP,
            description="One boarding of a bus or metro with a transit card.",
            fields=(
                _ID,
                _REV,
                Field("card", True, "Transit card number.", "T1000000001"),
                Field("mode", True, "`bus` or `metro`.", "metro"),
                Field(
                    "boarded_at",
                    True,
                    "Boarding time, ISO 8601; without an offset it is China Standard Time (UTC+8).",
                    "2026-09-01T08:12:00+08:00",
                ),
                Field("origin", False, "Boarding station or stop.", "体育西路"),
                Field("destination", False, "Alighting station or stop.", "珠江新城"),
                Field("distance_km", False, "Travelled distance in km, if known (0 < d ≤ 200).", "3.2"),
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
                Field("account", True, "Bike-share account id.", "bike-gz-00001"),
                Field(
                    "started_at", True, "Unlock time, ISO 8601 (default UTC+8).", "2026-09-01T07:40:00+08:00"
                ),
                Field(
                    "ended_at",
                    True,
                    "Lock time, ISO 8601, after started_at, within 24 h.",
                    "2026-09-01T07:58:00+08:00",
                ),
                Field("distance_km", True, "Ridden distance in km (0 < d ≤ 100).", "3.6"),
            ),
            unit="km",
            binding_kind=Binding.Kind.BIKE_SHARE,
            behaviour=Behaviour.CYCLING,
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
                ),
                Field("date", True, "The day, YYYY-MM-DD.", "2026-09-01"),
                Field("steps", True, "Steps that day, integer 0–100 000.", "8500"),
            ),
            unit="step",
            binding_kind=Binding.Kind.BIKE_SHARE,
            behaviour=Behaviour.WALKING,
            provider_kinds=(DataProvider.Kind.BIKE_SHARE_OPERATOR,),
        ),
        RecordSchema(
            record_type=RecordType.FOREST_PLOT,
            description="Registration (or correction, with a higher revision) of a forest plot.",
            fields=(
                Field("record_id", True, "The plot id (≤ 40 characters).", "ZS-WG-0001"),
                _REV,
                Field("owner", True, "Owner village or household.", "五桂山桂南村 李家"),
                Field(
                    "owner_phone",
                    False,
                    "Mobile number of the owning household's registered resident.",
                    "13920000001",
                ),
                Field("area_ha", True, "Area in hectares (0 < a ≤ 10 000).", "2.5"),
                Field(
                    "forest_type",
                    True,
                    "Forest type, e.g. broadleaf, conifer, mixed, eucalyptus.",
                    "broadleaf",
                ),
                Field("latitude", True, "WGS 84 latitude.", "22.4561"),
                Field("longitude", True, "WGS 84 longitude.", "113.4012"),
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
                Field("plot_id", True, "A registered plot id.", "ZS-WG-0001"),
                Field("activity", True, "`afforestation` or `forest_management`.", "afforestation"),
                Field("period_start", True, "First day surveyed, YYYY-MM-DD.", "2026-01-01"),
                Field("period_end", True, "Last day surveyed (inclusive), ≤ 366 days later.", "2026-06-30"),
                Field("area_ha", True, "Area under the activity in hectares.", "2.5"),
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
