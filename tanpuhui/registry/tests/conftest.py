import pytest


@pytest.fixture(autouse=True)
def registry_seed(db):
    """Claim rules and holidays as migration 0003 seeds them (a transactional test may flush them)."""
    from django.apps import apps

    from tanpuhui.registry import seed

    seed.load(apps.get_model("registry", "ClaimRule"), apps.get_model("registry", "Holiday"))
