"""The benchmark script runs end to end with a tiny N (its figures belong in docs, not in tests)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.postgres
@pytest.mark.django_db
def test_ingest_benchmark_runs_with_tiny_n(bench_database):
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark measures the PostgreSQL COPY path")
    name, url = bench_database  # unique per run and worker, dropped after the test
    out = subprocess.run(  # noqa: S603 — our own script
        [sys.executable, str(ROOT / "benchmarks" / "ingest.py"), "--n", "300", "--residents", "100", "--database", name],
        capture_output=True, text=True, timeout=600, env={**os.environ, "DATABASE_URL": url}, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert "end-to-end / raw COPY throughput ratio" in out.stdout
    assert "'received': 300" in out.stdout
