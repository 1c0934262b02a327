"""Fixtures shared by every context's tests: two city centres under one province, and API clients."""

import os
import tempfile
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


def pytest_configure(config):
    """One migrated database per run for the benchmark scripts' smoke runs to copy (the xdist workers
    inherit the name from the controller's environment)."""
    if not hasattr(config, "workerinput"):
        os.environ["TANPUHUI_BENCH_TEMPLATE"] = f"tp_benchtmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"


def pytest_sessionfinish(session):
    name = os.environ.get("TANPUHUI_BENCH_TEMPLATE")
    if (
        hasattr(session.config, "workerinput")
        or not name
        or not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    ):
        return
    import psycopg

    admin = (
        os.environ["DATABASE_URL"].rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    lock = os.path.join(tempfile.gettempdir(), f"{name}.lock")
    if os.path.exists(lock):
        os.remove(lock)


@pytest.fixture(scope="session")
def bench_template():
    """The run's migrated template (made by the first worker that needs it, under a file lock), named in
    ``BENCH_PG_TEMPLATE`` for the benchmark scripts this worker starts."""
    import fcntl
    import subprocess
    import sys

    import psycopg

    name = os.environ["TANPUHUI_BENCH_TEMPLATE"]
    settings = connection.settings_dict
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings.get("PASSWORD") else "")
    server = f"postgresql://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    with open(os.path.join(tempfile.gettempdir(), f"{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            ready = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s AND datallowconn", [name]
            ).fetchone()
            if not ready:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"')
        if not ready:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                env={**os.environ, "DATABASE_URL": f"{server}/{name}"},
                check=True,
                timeout=600,
            )
    os.environ["BENCH_PG_TEMPLATE"] = name
    return name


@pytest.fixture
def bench_database(bench_template):
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
