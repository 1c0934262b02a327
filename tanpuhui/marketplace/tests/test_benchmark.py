"""The flash-sale load script runs end to end with a tiny N (figures are the script's job, not a test's)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.postgres
@pytest.mark.django_db
def test_flash_benchmark_smoke(bench_database):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL")
    name, admin_url = bench_database  # unique per run and worker, dropped after the test even if it fails
    env = {**os.environ, "BENCH_DB": name, "BENCH_PG_ADMIN": admin_url}
    run = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            str(ROOT / "benchmarks/flash.py"),
            "--clients",
            "12",
            "--units",
            "3",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "exactly 3 vouchers" in run.stdout and "FAIL" not in run.stdout
    assert "ratio redeem/trivial throughput" in run.stdout
