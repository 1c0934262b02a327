"""The screen benchmark runs end to end with a tiny N (figures are the script's job, not a test's)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.postgres
@pytest.mark.django_db
def test_screen_benchmark_smoke(bench_database):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL")
    name, admin_url = bench_database
    env = {**os.environ, "BENCH_DB": name, "BENCH_PG_ADMIN": admin_url}
    run = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [
            sys.executable,
            str(ROOT / "benchmarks/screen.py"),
            *("--reductions", "3000", "--residents", "60", "--communities", "3", "--new", "300"),
            *("--seconds", "0.5", "--workers", "1"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "aggregates equal a full scan" in run.stdout and "FAIL" not in run.stdout
    assert "ratio screen/trivial throughput" in run.stdout and "ratio insert/refresh" in run.stdout
