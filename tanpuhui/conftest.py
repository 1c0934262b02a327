"""Fixtures shared by every context's tests: two city centres under one province, and API clients."""

import os
import uuid

import pytest

# Imported before any test freezes the clock: DRF's throttles read ``timer = time.time`` when their
# module is first imported, so a first import under freezegun kept the fake clock (as an unbound
# function) for every later test, and the next throttled request failed with a TypeError.
import rest_framework.throttling  # noqa: F401
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
from tanpuhui.tenancy.tests.factories import CentreFactory, ProvincialCentreFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_files(tmp_path):
    """Generated reports and provider files go to the test's folder, never to the clone's var/."""
    from django.conf import settings

    folder = tmp_path
    old = settings.REPORTS_DIR, settings.METERING_UPLOAD_DIR
    settings.REPORTS_DIR, settings.METERING_UPLOAD_DIR = folder / "reports", folder / "provider-uploads"
    yield
    settings.REPORTS_DIR, settings.METERING_UPLOAD_DIR = old


@pytest.fixture
def bench_database():
    """A PostgreSQL database for a benchmark script, ``(name, admin_url)``, dropped afterwards.

    The name is unique per run and per xdist worker (pid + random suffix), so two runs of the suite at
    once never share, or drop, each other's database; the teardown checks that it is gone.
    """
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark scripts run on PostgreSQL")
    import psycopg

    settings = connection.settings_dict
    name = f"tp_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings.get("PASSWORD") else "")
    admin_url = f"postgresql://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/postgres"
    yield name, admin_url
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        left = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    assert left is None, f"benchmark database {name} was left behind"


@pytest.fixture
def province(db):
    return ProvincialCentreFactory()


@pytest.fixture
def gz(province):
    return CentreFactory(
        code="GZ", name_zh="广州碳普惠运营中心", name_en="Guangzhou Operation Centre", parent=province
    )


@pytest.fixture
def zs(province):
    return CentreFactory(
        code="ZS",
        name_zh="中山碳普惠运营中心",
        name_en="Zhongshan Operation Centre",
        city_zh="中山",
        city_en="Zhongshan",
        parent=province,
    )


@pytest.fixture
def resident(gz):
    return ResidentFactory(centre=gz)


@pytest.fixture
def other_resident(zs):
    return ResidentFactory(centre=zs)


@pytest.fixture
def gz_operator(gz):
    return make_staff(Role.CENTRE_OPERATOR, gz)


@pytest.fixture
def zs_operator(zs):
    return make_staff(Role.CENTRE_OPERATOR, zs)


@pytest.fixture
def provincial_officer(province, gz, zs):
    return make_staff(Role.PROVINCIAL_OFFICER, province)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for():
    """``client_for(user)`` → an APIClient authenticated as ``user`` (force_authenticate)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
