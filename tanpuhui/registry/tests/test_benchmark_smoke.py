"""The benchmark script runs end to end with a tiny N (its figures belong in docs, not in tests)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_registry_benchmark_runs_with_tiny_n(bench_database):
    name, admin_url = bench_database  # unique per run and worker, dropped after the test
    out = subprocess.run(  # noqa: S603 — our own script
        [sys.executable, str(ROOT / "benchmarks" / "registry.py"), "--credits", "600", "--blocks", "8",
         "--movements", "30", "--clients", "3", "--hot", "2", "--database", name],
        capture_output=True, text=True, timeout=600, env={**os.environ, "BENCH_PG_ADMIN": admin_url}, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "movement / raw hot-row UPDATE ratio" in out.stdout
    assert "registry_check clean: True" in out.stdout
