"""benchmarks/wechat.py runs end to end with a tiny N on a database of its own (dropped afterwards);
its timed figures are printed there, never asserted here."""

import os
import subprocess
import sys
from pathlib import Path


def test_the_benchmark_runs_with_tiny_n(bench_database):
    name, admin_url = bench_database
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "BENCH_DB": name, "BENCH_PG_ADMIN": admin_url}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(root / "benchmarks" / "wechat.py"), "--clicks", "5", "--senders", "4"],
        cwd=root, env=env, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "1 token fetch(es), 4 sent" in result.stdout
