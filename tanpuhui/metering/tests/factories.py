"""Metering test helpers: providers, methodology versions with known values, uploads."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from tanpuhui.metering import services
from tanpuhui.metering.models import Batch, DataProvider
from tanpuhui.methodology.models import Methodology, MethodologyVersion, Parameter, VersionParameter

SOURCE = {"source_publication": "test fixture", "source_issuer": "tests", "source_year": 2024}

# behaviour → (formula, {slot: (parameter code, value, unit, qualifier)})
TEST_METHODS = {
    "electricity_saving": ("utility_saving_kwh", {"factor": ("t_grid", "0.4042", "kg_co2e/kWh", "")}),
    "water_saving": ("utility_saving_m3", {"factor": ("t_water", "0.1684", "kg_co2e/m**3", "")}),
    "gas_saving": ("utility_saving_m3", {"factor": ("t_gas", "2.162", "kg_co2e/m**3", "")}),
    "metro": ("transit_per_trip", {"trip_factor": ("t_metro", "0.5155", "kg_co2e/trip", "")}),
    "bus": ("transit_per_trip", {"trip_factor": ("t_bus", "0.15", "kg_co2e/trip", "")}),
    "cycling": (
        "active_travel",
        {
            "substituted_factor": ("t_car", "0.272", "kg_co2e/km", ""),
            "substitution_share": ("t_share", "0.31", "dimensionless", ""),
            "max_daily_km": ("t_bike_km", "60", "km", ""),
            "max_speed_kmh": ("t_bike_speed", "25", "km/hour", ""),
        },
    ),
    "walking": (
        "walking_steps",
        {
            "step_factor": ("t_step_credit", "0.00005", "kg_co2e/step", ""),
            "daily_cap": ("t_walk_cap", "0.296", "kg_co2e", ""),
            "max_daily_steps": ("t_steps_max", "60000", "step", ""),
        },
    ),
    "afforestation": (
        "forest_sink",
        {"sink_per_ha": ("t_sink", "{variant}", "kg_co2e/hectare/year", "{variant}")},
    ),
}
FOREST_SINKS = {"broadleaf": "8500", "conifer": "6000"}


def seed_methods(centre, *, behaviours=None, effective_from=date(2000, 1, 1)) -> None:
    """Centre-specific versions (they win over any global one) with the values above."""
    for behaviour, (formula, slots) in TEST_METHODS.items():
        if behaviours and behaviour not in behaviours:
            continue
        methodology, _ = Methodology.objects.get_or_create(
            behaviour=behaviour, defaults={"code": behaviour, "name_zh": behaviour, "name_en": behaviour}
        )
        version = MethodologyVersion.objects.create(
            methodology=methodology, label=f"t-{centre.code}", formula=formula, centre=centre,
            effective_from=effective_from,
        )  # fmt: skip
        for slot, (code, value, unit, qualifier) in slots.items():
            VersionParameter.objects.create(
                version=version, slot=slot, code=f"{code}", regions="centre", qualifier=qualifier
            )
            values = FOREST_SINKS if value == "{variant}" else {"": value}
            for qual, number in values.items():
                Parameter.objects.get_or_create(
                    code=code, qualifier=qual, region="centre", centre=centre,
                    defaults={"name_zh": code, "name_en": code, "value": Decimal(number), "unit": unit,
                              "valid_from": effective_from, **SOURCE},
                )  # fmt: skip


def make_provider(centre, kind=DataProvider.Kind.POWER_UTILITY, code=None) -> DataProvider:
    return services.provider_create(
        centre=centre,
        code=code or f"{kind}-{centre.code}".lower()[:40],
        name=f"{kind} {centre.code}",
        kind=kind,
    )


def upload(provider, record_type: str, text: str | bytes, *, file_format="csv") -> tuple[Batch, bool]:
    """Receive and process synchronously (what the worker does)."""
    raw = text.encode() if isinstance(text, str) else text
    batch, duplicate = services.batch_receive(
        provider=provider,
        record_type=record_type,
        file_format=file_format,
        stream=io.BytesIO(raw),
        enqueue=False,
    )
    if not duplicate:
        batch = services.batch_process(batch_id=batch.pk)
    return batch, duplicate
