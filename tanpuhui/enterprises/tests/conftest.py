import pytest

from tanpuhui.funding.tests.conftest import coin_ledger  # noqa: F401 (shared fixture)


@pytest.fixture(autouse=True)
def seeded_registry(db):
    """The factor registry as the methodology migrations seed it (South China grid 2023 = 0.4042 kg
    CO2/kWh, MEE/NBS, in force from 2026-01-15 — the figure issue 7 works with). Re-applied because a
    transactional test elsewhere on the worker flushes migration data."""
    from tanpuhui.methodology import seed

    seed.apply()
