"""Versioning and publishing: nothing published changes what an earlier date resolved to."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from freezegun import freeze_time

from tanpuhui.common.errors import Conflict, Forbidden, ValidationFailed
from tanpuhui.common.models import AuditEvent
from tanpuhui.metering.models import Reduction
from tanpuhui.methodology import registry, seed, services
from tanpuhui.methodology.models import MethodologyVersion, Parameter

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)
SOURCE = {"source_publication": "Test announcement", "source_issuer": "Test ministry", "source_year": 2026}


def publish_grid(actor, value="0.4100", valid_from=date(2026, 7, 1), unit="kg_co2e/kWh", **extra):
    return services.parameter_publish(
        actor=actor,
        code="grid_ef",
        value=value,
        unit=unit,
        region="south_china_grid",
        valid_from=valid_from,
        year=2024,
        **{**SOURCE, **extra},
    )


@freeze_time(TODAY)
def test_new_factor_never_changes_an_earlier_date(provincial_officer):
    before = registry.resolve(behaviour="electricity_saving", centre_id=None, on=date(2026, 6, 30))
    old_id = before.param_ids["factor"]
    new = publish_grid(provincial_officer)
    again = registry.resolve(behaviour="electricity_saving", centre_id=None, on=date(2026, 6, 30))
    assert again == before  # same version, values, ids
    after = registry.resolve(behaviour="electricity_saving", centre_id=None, on=date(2026, 7, 1))
    assert after.params["factor"] == Decimal("0.41") and after.param_ids["factor"] == new.pk
    old = Parameter.objects.get(pk=old_id)
    assert old.superseded_by_id == new.pk and old.valid_to == date(2026, 7, 1)
    assert AuditEvent.objects.filter(action="methodology.parameter_publish", target_id=str(new.pk)).exists()


@freeze_time(TODAY)
def test_publishing_converts_units_and_refuses_mismatches(provincial_officer):
    new = publish_grid(provincial_officer, value="0.4100", unit="t_co2e/MWh")
    method = registry.resolve(behaviour="electricity_saving", centre_id=None, on=date(2026, 8, 1))
    assert method.params["factor"] == Decimal("0.41") and method.units["factor"] == "kg_co2e/kWh"
    assert method.inputs_snapshot()["params"]["factor"]["source_unit"] == "t_co2e/MWh"
    for bad in ("kg/kWh", "kg_co2e/m**3", "parsecs"):
        with pytest.raises(ValidationFailed) as err:
            publish_grid(provincial_officer, unit=bad, valid_from=date(2026, 9, 1))
        assert err.value.code == "unit_mismatch"
    assert Parameter.objects.filter(code="grid_ef").order_by("-valid_from").first() == new


@freeze_time(TODAY)
def test_publishing_refuses_backdating_and_overlaps(provincial_officer):
    for day in (TODAY, TODAY - timedelta(days=30)):
        with pytest.raises(ValidationFailed) as err:
            publish_grid(provincial_officer, valid_from=day)
        assert err.value.code == "backdated"
    publish_grid(provincial_officer, valid_from=date(2026, 9, 1))
    with pytest.raises(Conflict):
        publish_grid(provincial_officer, valid_from=date(2026, 8, 1))
    with pytest.raises(ValidationFailed) as err:
        publish_grid(provincial_officer, valid_from=date(2026, 10, 1), source_publication="")
    assert err.value.code == "source_required"


@freeze_time(TODAY)
def test_who_may_publish(gz, zs, gz_operator, zs_operator, provincial_officer):
    centre_value = {
        "code": "water_supply_intensity",
        "value": "0.31",
        "unit": "kWh/m**3",
        "region": "centre",
        "valid_from": date(2026, 7, 1),
        **SOURCE,
    }
    with pytest.raises(Forbidden):  # another centre's operator
        services.parameter_publish(actor=zs_operator, centre=gz, **centre_value)
    with pytest.raises(Forbidden):  # a centre operator cannot change a global factor
        publish_grid(gz_operator)
    services.parameter_publish(actor=gz_operator, centre=gz, **centre_value)
    services.parameter_publish(actor=provincial_officer, centre=zs, **centre_value)
    publish_grid(provincial_officer)
    assert registry.resolve(behaviour="water_saving", centre_id=gz.pk, on=date(2026, 7, 2)).params[
        "supply_intensity"
    ] == Decimal("0.31")


def test_parameters_are_never_edited_or_deleted():
    parameter = Parameter.objects.get(code="grid_ef", region="south_china_grid", year=2023)
    parameter.value = Decimal("0.5")
    with pytest.raises(Conflict):
        parameter.save()
    with pytest.raises(Conflict):
        parameter.delete()
    parameter.refresh_from_db()
    parameter.derivation += " (note)"  # free-text notes may be completed
    parameter.save()


@freeze_time(TODAY)
def test_new_version_effective_boundaries(provincial_officer):
    v1 = registry.resolve(behaviour="metro", centre_id=None, on=date(2026, 6, 30))
    version = services.version_publish(
        actor=provincial_officer,
        methodology_code="metro",
        label="2.0",
        formula="transit_per_trip",
        slots={"trip_factor": ("metro_trip_reduction", "guangdong", "")},
        effective_from=date(2026, 7, 1),
        source_text="test 2.0",
    )
    assert registry.resolve(behaviour="metro", centre_id=None, on=date(2026, 6, 30)) == v1
    assert registry.resolve(behaviour="metro", centre_id=None, on=date(2026, 7, 1)).version_id == version.pk
    assert MethodologyVersion.objects.get(pk=v1.version_id).effective_to == date(2026, 7, 1)  # exclusive
    with pytest.raises(registry.MethodUnavailable):  # before the platform's first version
        registry.resolve(behaviour="metro", centre_id=None, on=date(2015, 12, 31))
    with pytest.raises(Conflict):
        services.version_publish(
            actor=provincial_officer,
            methodology_code="metro",
            label="2.0",
            formula="transit_per_trip",
            slots={"trip_factor": ("metro_trip_reduction", "guangdong", "")},
            effective_from=date(2026, 8, 1),
            source_text="dup",
        )
    with pytest.raises(ValidationFailed):  # slots must match the formula
        services.version_publish(
            actor=provincial_officer,
            methodology_code="metro",
            label="3.0",
            formula="transit_per_trip",
            slots={"wrong": ("metro_trip_reduction", "guangdong", "")},
            effective_from=date(2026, 9, 1),
            source_text="x",
        )
    with pytest.raises(ValidationFailed) as err:  # a parameter whose unit does not fit the slot
        services.version_publish(
            actor=provincial_officer,
            methodology_code="metro",
            label="3.0",
            formula="transit_per_trip",
            slots={"trip_factor": ("grid_ef", "national", "")},
            effective_from=date(2026, 9, 1),
            source_text="x",
        )
    assert err.value.code == "unit_mismatch"


@freeze_time(TODAY)
def test_centre_specific_version_overrides_global(gz, zs, gz_operator, zs_operator):
    version = services.version_publish(
        actor=gz_operator,
        centre=gz,
        methodology_code="electricity_saving",
        label="gz-tiers",
        formula="utility_saving_kwh",
        config={"tiers": ["0.05", "0.10", "0.15"]},
        slots={"factor": ("grid_ef", "south_china_grid", "")},
        effective_from=date(2026, 7, 1),
        source_text="GZ tiers",
    )
    on = date(2026, 7, 15)
    assert registry.resolve(behaviour="electricity_saving", centre_id=gz.pk, on=on).version_id == version.pk
    global_v = registry.resolve(behaviour="electricity_saving", centre_id=zs.pk, on=on)
    assert global_v.centre_id is None and global_v.config == {}
    # The global version is untouched by a centre's publication.
    assert MethodologyVersion.objects.get(pk=global_v.version_id).effective_to is None
    with pytest.raises(Forbidden):
        services.version_publish(
            actor=zs_operator,
            centre=gz,
            methodology_code="electricity_saving",
            label="x",
            formula="utility_saving_kwh",
            slots={"factor": ("grid_ef", "south_china_grid", "")},
            effective_from=date(2026, 8, 1),
            source_text="x",
        )


def _reduction_of(version, resident):
    """A real reduction of metering pointing at ``version`` (what makes a version "in use")."""
    return Reduction.objects.create(
        centre=resident.centre,
        resident=resident,
        behaviour=version.methodology.behaviour,
        period_start=TODAY,
        period_end=TODAY,
        kg_co2e=Decimal("1.5"),
        methodology_version=version,
    )


@freeze_time(TODAY)
def test_version_in_use_cannot_be_edited(provincial_officer, resident):
    version = services.version_publish(
        actor=provincial_officer,
        methodology_code="bus",
        label="2.0",
        formula="transit_per_trip",
        slots={"trip_factor": ("bus_trip_reduction", "national", "")},
        effective_from=date(2026, 7, 1),
        source_text="draft",
    )
    services.version_update(actor=provincial_officer, version_id=version.pk, source_text="corrected")
    _reduction_of(version, resident)  # a reduction points at it
    with pytest.raises(Conflict) as err:
        services.version_update(actor=provincial_officer, version_id=version.pk, source_text="again")
    assert err.value.code == "version_in_use"
    version.refresh_from_db()
    assert version.source_text == "corrected"
    version.formula = "transit_distance"
    with pytest.raises(Conflict):  # the model refuses too (admin, shell)
        version.save()


def test_in_use_detects_rows_of_other_apps_pointing_at_a_version(resident):
    version = MethodologyVersion.objects.get(methodology__code="metro", label="1.0")
    other = MethodologyVersion.objects.exclude(pk=version.pk).first()
    assert version.in_use() is False and other.in_use() is False
    _reduction_of(version, resident)
    assert version.in_use() is True  # metering's Reduction.methodology_version points at it
    assert other.in_use() is False  # only the version the row points at
    with pytest.raises(Conflict):
        version.delete()
    assert MethodologyVersion.objects.filter(pk=version.pk).exists()


def test_seed_is_idempotent():
    assert seed.apply() == {"methodologies": 0, "versions": 0, "parameters": 0}
    chain = list(Parameter.objects.filter(code="grid_ef", region="national").order_by("valid_from"))
    assert [p.year for p in chain] == [2021, 2022, 2023]
    assert [p.superseded_by_id for p in chain] == [chain[1].pk, chain[2].pk, None]
    assert [p.valid_to for p in chain[:-1]] == [chain[1].valid_from, chain[2].valid_from]


@freeze_time(TODAY)
def test_windows_split_where_factors_or_versions_change(provincial_officer, gz):
    publish_grid(provincial_officer, valid_from=date(2026, 7, 1))
    found = registry.windows(
        behaviour="electricity_saving", centre_id=gz.pk, start=date(2025, 1, 1), end=date(2026, 12, 31)
    )
    assert [(w.start, w.end, w.method.params["factor"]) for w in found] == [
        (date(2025, 1, 1), date(2026, 1, 15), Decimal("0.3869")),
        (date(2026, 1, 15), date(2026, 7, 1), Decimal("0.4042")),
        (date(2026, 7, 1), date(2026, 12, 31), Decimal("0.41")),
    ]
    # every day inside a window resolves to that window's method
    for w in found:
        assert (
            registry.resolve(behaviour="electricity_saving", centre_id=gz.pk, on=w.end - timedelta(days=1))
            == w.method
        )
    early = registry.windows(behaviour="metro", centre_id=None, start=date(2015, 6, 1), end=date(2016, 6, 1))
    assert early[0].method is None and early[0].error is not None and early[0].end == date(2016, 1, 1)
    assert early[1].method.params["trip_factor"] == Decimal("0.5155")
