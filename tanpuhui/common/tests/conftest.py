"""The streaming replica and PgBouncer that ``scripts/replica.sh`` runs beside the test PostgreSQL."""

from __future__ import annotations

import copy
import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from tanpuhui.common.replica import REPLICA

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "replica.sh"
REPLICA_PORT = int(os.environ.get("REPLICA_PORT", "5433"))
PGBOUNCER_PORT = int(os.environ.get("PGBOUNCER_PORT", "6432"))


@pytest.fixture(scope="session")
def replica_servers() -> dict[str, int]:
    """Starts (or finds running) the replica and PgBouncer. They stay up after the run, so the next
    run starts at once; ``scripts/replica.sh stop`` removes both and the replica's slot."""
    primary = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        pytest.skip("the replica and PgBouncer tests need PostgreSQL (DATABASE_URL)")
    if not glob.glob("/usr/lib/postgresql/*/bin/pg_ctl") or not shutil.which("pg_basebackup"):
        pytest.skip("PostgreSQL's server binaries (pg_ctl, pg_basebackup) are not installed on this machine")
    if (primary.get("HOST") or "127.0.0.1") not in ("127.0.0.1", "localhost"):
        pytest.skip("the test replica streams from a PostgreSQL on this machine")
    env = {
        **os.environ,
        "PRIMARY_PORT": str(primary.get("PORT") or 5432),
        "REPLICA_PORT": str(REPLICA_PORT),
        "PGBOUNCER_PORT": str(PGBOUNCER_PORT),
    }
    subprocess.run(  # noqa: S603 - our own script, fixed arguments
        ["bash", str(SCRIPT), "start"],  # noqa: S607 - bash from PATH, as make runs it
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        timeout=600,
    )
    return {"replica": REPLICA_PORT, "pgbouncer": PGBOUNCER_PORT}


def replica_sql(sql: str, port: int = REPLICA_PORT):
    """One statement on the replica as the superuser (pausing and resuming its replay)."""
    with psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        return conn.execute(sql).fetchone()


@pytest.fixture
def replica_alias(replica_servers, transactional_db):
    """The ``replica`` alias, as settings make it from DATABASE_REPLICA_URL, on the test database's name."""
    config = copy.deepcopy(connections["default"].settings_dict)
    config.update(PORT=replica_servers["replica"], TEST={**config.get("TEST", {}), "MIRROR": "default"})
    connections.settings[REPLICA] = config
    test_case = _running_test_case()
    declared = test_case.databases
    test_case.databases = frozenset({*declared, REPLICA})
    wait_for_replay()  # the test database's own creation, before the first read
    try:
        yield REPLICA
    finally:
        test_case.databases = declared
        replica_sql("SELECT pg_wal_replay_resume()")
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def _running_test_case() -> type:
    """The test case class pytest-django made for this test. It lets a test reach only the aliases it
    declared when the class was made, before this fixture added ``replica``: declare it there too."""
    patched = BaseDatabaseWrapper.ensure_connection
    for cell in patched.__closure__ or ():
        if isinstance(cell.cell_contents, type) and hasattr(cell.cell_contents, "databases"):
            return cell.cell_contents
    raise AssertionError("no test case is running (use the transactional_db fixture)")


def wait_for_replay(timeout: float = 30.0) -> None:
    """Until the replica has replayed everything the primary wrote so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT CAST(pg_current_wal_insert_lsn() AS text)")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        (caught_up,) = replica_sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
        if caught_up:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica did not replay up to {target} within {timeout} s")
        time.sleep(0.05)
