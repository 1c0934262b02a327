"""Worked examples: inputs, the hand-computed kg CO2e and the source of every factor used.

All use the seeded registry (migration 0002). Dates pick the factor in force: the 2023 MEE/NBS
factors apply from 2026-01-15, the 2022 ones before.
"""

from datetime import date
from decimal import Decimal

import pytest

from tanpuhui.methodology import registry
from tanpuhui.methodology.models import MethodologyVersion, Parameter, VersionParameter
from tanpuhui.methodology.tests.factories import ParameterFactory

pytestmark = pytest.mark.django_db
AFTER_2023_FACTORS = date(2026, 3, 1)
BEFORE_2023_FACTORS = date(2025, 6, 1)


def kg(behaviour, centre_id=None, on=AFTER_2023_FACTORS, variant="", **row):
    method = registry.resolve(behaviour=behaviour, centre_id=centre_id, on=on, variant=variant)
    return method.evaluate(**row)


def test_electricity_south_china_grid_2023():
    # 120 kWh baseline, 100 kWh actual; South China grid 2023 = 0.4042 kg/kWh (MEE/NBS 2023 factors)
    # (120 − 100) × 0.4042 = 8.0840
    assert kg("electricity_saving", quantity=100, baseline=120) == Decimal("8.0840")


def test_electricity_south_china_grid_2022_before_the_2023_announcement():
    # Same saving on 2025-06-01: South China grid 2022 = 0.3869 → 20 × 0.3869 = 7.7380
    assert kg("electricity_saving", on=BEFORE_2023_FACTORS, quantity=100, baseline=120) == Decimal("7.7380")


def test_electricity_no_saving_no_baseline_is_zero():
    assert kg("electricity_saving", quantity=130, baseline=100) == Decimal("0.0000")  # negative → 0
    assert kg("electricity_saving", quantity=100, baseline=None) == Decimal("0.0000")  # no baseline → 0


def test_electricity_korean_style_tiers(gz):
    # A GZ-specific version with 5/10/15 % tiers (Korea carbon-point style): credited saving is the
    # baseline × the highest tier reached. Baseline 120 kWh, factor 0.4042:
    #  actual 100 (16.7 % saved) → 15 % tier → 18 kWh × 0.4042 = 7.2756
    #  actual 112 (6.7 %)        →  5 % tier →  6 kWh × 0.4042 = 2.4252
    #  actual 116 (3.3 %)        →  below the first tier → 0
    version = MethodologyVersion.objects.create(
        methodology_id=MethodologyVersion.objects.get(
            methodology__code="electricity_saving", label="1.0"
        ).methodology_id,
        label="1.0-gz-tiers",
        formula="utility_saving_kwh",
        config={"tiers": ["0.05", "0.10", "0.15"]},
        centre=gz,
        effective_from=date(2026, 1, 1),
        source_text="Korea Carbon Point tiers (5/10/15 %)",
    )
    VersionParameter.objects.create(
        version=version, slot="factor", code="grid_ef", regions="south_china_grid"
    )
    assert kg("electricity_saving", gz.pk, quantity=100, baseline=120) == Decimal("7.2756")
    assert kg("electricity_saving", gz.pk, quantity=112, baseline=120) == Decimal("2.4252")
    assert kg("electricity_saving", gz.pk, quantity=116, baseline=120) == Decimal("0.0000")


def test_gas_saving():
    # 30 m³ baseline, 25 m³ actual; natural gas 2.1622 kg/m³
    # (389.31 GJ/10⁴Nm³ × 15.3 tC/TJ × 99 % × 44/12, NDRC 2013 defaults) → 5 × 2.1622 = 10.8110
    assert kg("gas_saving", quantity=25, baseline=30) == Decimal("10.8110")


def test_water_saving_uses_the_centres_supply_intensity(gz, zs):
    # GZ publishes 0.30 kWh/m³ (test value); 12 m³ baseline, 10 m³ actual, South China grid 0.4042:
    # 2 × 0.30 × 0.4042 = 0.24252 → 0.2425
    ParameterFactory(
        code="water_supply_intensity", value=Decimal("0.30"), unit="kWh/m**3", region="centre", centre=gz
    )
    assert kg("water_saving", gz.pk, quantity=10, baseline=12) == Decimal("0.2425")
    # A centre that has published no intensity gets no figure rather than an invented one.
    with pytest.raises(registry.MethodUnavailable):
        registry.resolve(behaviour="water_saving", centre_id=zs.pk, on=AFTER_2023_FACTORS)


def test_metro_per_trip_guangzhou():
    # 3 metro trips × 0.5155 kg/trip (Huang Ying et al. 2017, average method) = 1.5465
    assert kg("metro", quantity=3) == Decimal("1.5465")


def test_bus_per_trip():
    # 4 bus trips × 105 g/trip (Wuhan "Tantan Planet" rules, Hubei Daily 2022) = 0.4200
    assert kg("bus", quantity=4) == Decimal("0.4200")


def test_cycling_substitution_share_and_limits():
    # 5.2 km × car 0.272 kg/pkm × 31 % substitution share = 0.438464 → 0.4385
    method = registry.resolve(behaviour="cycling", centre_id=None, on=AFTER_2023_FACTORS)
    assert method.evaluate(quantity=Decimal("5.2")) == Decimal("0.4385")
    assert method.limits == {"max_daily_km": Decimal("100"), "max_speed_kmh": Decimal("25")}


def test_walking_steps_with_daily_cap():
    # 7,250 steps × 0.02 g/step = 145 g (the Hubei Daily example) → 0.1450 kg
    assert kg("walking", quantity=7250) == Decimal("0.1450")
    # 20,000 steps would be 400 g: capped at Ant Forest's 296 g/day → 0.2960
    assert kg("walking", quantity=20000) == Decimal("0.2960")


def test_forest_sinks_by_forest_type(gz):
    # 2.5 ha for 1 year × 1.7156 t CO2/ha/yr (Guangdong average: (23.01 − 7.57) tC/ha / 33 yr × 44/12)
    # = 4,289.0000 kg
    for behaviour in ("afforestation", "forest_management"):
        assert kg(behaviour, variant="guangdong_average", quantity=Decimal("2.5")) == Decimal("4289.0000")
    # A forest type without a published value is refused, not guessed.
    with pytest.raises(registry.MethodUnavailable):
        registry.resolve(
            behaviour="afforestation", centre_id=gz.pk, on=AFTER_2023_FACTORS, variant="eucalyptus"
        )
    with pytest.raises(registry.MethodUnavailable):
        registry.resolve(behaviour="afforestation", centre_id=gz.pk, on=AFTER_2023_FACTORS)
    # A centre's surveyed eucalyptus value (test value 8.2 t/ha/yr): 0.5 ha × 2 years = 1 ha·yr → 8,200 kg
    ParameterFactory(
        code="forest_sink",
        qualifier="eucalyptus",
        value=Decimal("8.2"),
        unit="t_co2e/hectare/year",
        region="centre",
        centre=gz,
    )
    assert kg("afforestation", gz.pk, variant="eucalyptus", quantity=Decimal("1.0")) == Decimal("8200.0000")


def test_transit_by_distance(zs):
    # A ZS-specific bus version by distance: car 0.272 − metro-like mode 0.061 = 0.211 kg/pkm.
    #  a 12.5 km record → 12.5 × 0.211 = 2.6375
    #  2 trips without distance × default 8 km → 16 × 0.211 = 3.3760
    #  a mode dirtier than the baseline never gives a negative reduction
    methodology_id = MethodologyVersion.objects.get(methodology__code="bus", label="1.0").methodology_id
    version = MethodologyVersion.objects.create(
        methodology_id=methodology_id,
        label="zs-distance",
        formula="transit_distance",
        centre=zs,
        effective_from=date(2026, 1, 1),
        source_text="test",
    )
    ParameterFactory(code="zs_mode", value=Decimal("0.061"), unit="kg_co2e/pkm")
    ParameterFactory(code="zs_default_km", value=Decimal("8"), unit="km")
    for slot, code in (
        ("baseline_factor", "car_pkm_ef"),
        ("mode_factor", "zs_mode"),
        ("default_distance", "zs_default_km"),
    ):
        VersionParameter.objects.create(version=version, slot=slot, code=code, regions="national")
    assert kg("bus", zs.pk, quantity=1, distance_km=Decimal("12.5")) == Decimal("2.6375")
    assert kg("bus", zs.pk, quantity=2) == Decimal("3.3760")
    Parameter.objects.filter(code="zs_mode").update(value=Decimal("0.5"))
    assert kg("bus", zs.pk, quantity=1, distance_km=10) == Decimal("0.0000")


def test_enterprise_factor_hook():
    f = registry.factor(code="electricity", on=AFTER_2023_FACTORS)
    assert (f.value, f.unit, f.region, f.year) == (Decimal("0.4042"), "kg_co2e/kWh", "south_china_grid", 2023)
    assert "生态环境部" in f.source
    gas = registry.factor(code="natural_gas", on=AFTER_2023_FACTORS)  # falls back to national
    assert gas.value == Decimal("2.1622") and gas.to("kg_co2e/m**3") == Decimal("2.1622")
    reporting = registry.factor(code="grid_ef_enterprise_reporting", on=AFTER_2023_FACTORS, region="national")
    assert reporting.unit == "t_co2e/MWh" and reporting.to("kg_co2e/kWh") == Decimal("0.5703")
    assert registry.factor(code="electricity", on=AFTER_2023_FACTORS, region="national").value == Decimal(
        "0.5306"
    )
    with pytest.raises(registry.MethodUnavailable):
        registry.factor(code="hydrogen", on=AFTER_2023_FACTORS)
