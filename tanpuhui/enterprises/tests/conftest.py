from datetime import date
from decimal import Decimal

import pytest

from tanpuhui.funding.tests.conftest import coin_ledger  # noqa: F401 (shared autouse fixture)


@pytest.fixture(autouse=True)
def grid_factor(db):
    """The South China grid factor for 2023 (0.4042 kg CO2/kWh, the figure issue 7 works with)."""
    from tanpuhui.methodology.models import Parameter

    return Parameter.objects.create(
        code="grid_ef",
        name_zh="南方区域电网平均二氧化碳排放因子",
        name_en="China Southern Power Grid average CO2 emission factor",
        value=Decimal("0.4042"),
        unit="kg_co2e/kWh",
        region="south_china_grid",
        year=2023,
        source_publication="Regional grid average emission factors (test value)",
        source_issuer="MEE",
        source_year=2024,
        valid_from=date(2023, 1, 1),
    )
