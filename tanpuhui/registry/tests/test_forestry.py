from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.errors import Unprocessable, ValidationFailed
from tanpuhui.methodology import registry as methods
from tanpuhui.registry import forestry_seed, services
from tanpuhui.registry.models import CarbonProject, RegistryAccount
from tanpuhui.registry.tests.factories import account

pytestmark = pytest.mark.django_db


@pytest.fixture
def forest_project(zs):
    from tanpuhui.methodology import seed

    seed.apply()
    forestry_seed.apply(apps)
    village, _ = account(zs, RegistryAccount.Kind.VILLAGE, name="英德市石门台村")
    operator = make_staff(Role.CENTRE_OPERATOR, zs)
    project = services.project_create(
        actor=operator,
        centre=zs,
        owner=village,
        methodology_code="forest_by_type",
        title="英德市森林经营碳普惠项目",
        kind=CarbonProject.Kind.FORESTRY,
        crediting_start=date(2016, 1, 1),
        crediting_end=date(2035, 12, 31),
    )
    return project, operator


def test_sink_formula_by_forest_type(zs):
    from tanpuhui.methodology import seed

    seed.apply()
    forestry_seed.apply(apps)
    m = methods.resolve(
        behaviour="forestry_phcer", centre_id=zs.pk, on=date(2020, 12, 31), variant="broadleaf"
    )
    # 1 ha·yr × 2.0 m³ × 1.514 × (1 + 0.262) × 482 kg/m³ × 0.47 × 44/12
    expected = (
        Decimal("2.0")
        * Decimal("1.514")
        * Decimal("1.262")
        * 482
        * Decimal("0.47")
        * Decimal("3.666666666667")
    )
    assert m.evaluate(quantity=1) == expected.quantize(Decimal("0.0001"))
    assert m.limits["max_sink_per_ha"] == Decimal(30000)


def test_yingde_2020_is_plausible_and_five_tonnes_per_mu_is_not(forest_project):
    project, operator = forest_project
    # Yingde's 2020 forest project: 456.3 ha → 1,448 t (≈ 3.2 t/ha/yr)
    plot = services.plot_record(
        project=project, surveyor=operator, plot_id="YD-2020", year=2020, forest_type="broadleaf", area_ha="456.3",
        claimed_t="1448",
    )  # fmt: skip
    tonnes = plot.kg_co2e / 1000
    assert abs(tonnes - 1448) / 1448 < Decimal("0.02")
    assert Decimal("3.1") < tonnes / Decimal("456.3") < Decimal("3.3")
    assert plot.methodology_version.methodology.code == "forest_by_type" and plot.inputs
    # "5 t per mu per year": 15 mu = 1 ha → 75 t/ha/yr
    with pytest.raises(Unprocessable) as error:
        services.plot_record(
            project=project, surveyor=operator, plot_id="YD-press", year=2020, forest_type="broadleaf",
            area_ha="456.3", claimed_t=str(Decimal("456.3") * 75),
        )  # fmt: skip
    assert error.value.code == "implausible_sink"
    with pytest.raises(ValidationFailed):
        services.plot_record(
            project=project, surveyor=operator, plot_id="x", year=2020, forest_type="bamboo", area_ha="1"
        )
    with pytest.raises(ValidationFailed):
        services.plot_record(
            project=project, surveyor=operator, plot_id="x", year=2020, forest_type="broadleaf", area_ha="-1"
        )


def test_plots_enter_one_report(forest_project):
    project, operator = forest_project
    services.plot_record(
        project=project, surveyor=operator, plot_id="P1", year=2020, forest_type="eucalyptus", area_ha="10"
    )
    report = services.report_create(
        actor=operator, project=project, period_start=date(2020, 1, 1), period_end=date(2020, 12, 31)
    )
    assert report.tonnes > 0 and report.plots.count() == 1
    with pytest.raises(Unprocessable):
        services.report_create(
            actor=operator, project=project, period_start=date(2020, 1, 1), period_end=date(2020, 12, 31)
        )
