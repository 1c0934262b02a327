from tanpuhui.funding.tests.conftest import coin_ledger  # noqa: F401 (shared autouse fixture)
