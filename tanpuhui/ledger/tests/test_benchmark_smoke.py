"""The benchmark script runs (tiny N); its timed figures are printed by benchmarks/ledger.py, never asserted."""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark is PostgreSQL-only")


@pytest.mark.django_db(transaction=True)
def test_benchmark_functions_run_with_tiny_n():
    path = Path(__file__).resolve().parents[3] / "benchmarks" / "ledger.py"
    spec = importlib.util.spec_from_file_location("bench_ledger", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        postings = module.bench_postings(workers=2, postings=20, wallets=5, merchants=2)
        assert postings["postings"] == 20 and postings["ratio"] > 0
        conversion = module.bench_conversion(reductions=300, per_resident=10, chunk_size=100)
        assert conversion["reductions"] == 300 and conversion["convert_per_s"] > 0
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_raw")
