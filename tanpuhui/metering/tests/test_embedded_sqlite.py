"""The embedded setup (`make run` on SQLite) keeps answering while a large batch processes.

SQLite has one writer at a time: a login (it writes a token) waits for the batch's open write
transaction, up to the busy timeout, then fails with "database is locked". The pipeline keeps
every SQLite transaction to a window of rows, so no wait comes near the timeout, whatever the
file's size. The test shrinks the busy timeout to 5 s and processes a file whose stages, each in
one transaction, held the write lock for 16–24 s (the failure this test reproduced); a window holds
it for about a second, so 5 s leaves room for a busy machine without hiding that failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = Path(__file__).with_name("embedded_probe.py")
ROWS = 200_000


def _run(mode: str, folder: Path, env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own script
        [sys.executable, str(PROBE), mode, str(folder), *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT, check=False,
    )  # fmt: skip


def _embedded_env(folder: Path, **extra: str) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TANPUHUI_TESTING")},
        "DATABASE_URL": f"sqlite:///{folder / 'embedded.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "METERING_UPLOAD_DIR": str(folder / "uploads"),
        **extra,
    }


def _result(completed: subprocess.CompletedProcess) -> dict:
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result.pop("seconds")
    return result


def test_logins_answer_while_a_large_batch_processes_on_sqlite(tmp_path):
    env = _embedded_env(tmp_path, SQLITE_BUSY_TIMEOUT="5", SQLITE_WINDOW_ROWS="10000")
    made = _run("setup", tmp_path, env, str(ROWS))
    assert made.returncode == 0, made.stderr[-3000:]

    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, str(PROBE), "process", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    residents = _run("logins", tmp_path, env)
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err[-3000:]
    processed = json.loads(out.strip().splitlines()[-1])
    assert processed["status"] == "done" and processed["received"] == ROWS

    assert residents.returncode == 0, residents.stderr[-3000:]
    answers = [json.loads(line) for line in residents.stdout.splitlines() if line.startswith("{")]
    assert len(answers) >= 5, (answers, processed)  # logins really ran during the processing
    assert {a["stage"] for a in answers} >= {"validating", "loading"}, answers
    failed = [a for a in answers if a["status"] != 200]
    assert not failed, failed
    assert all(a["json"] for a in answers)


def test_a_worker_killed_between_windows_resumes_to_the_clean_result(tmp_path):
    """On SQLite the load commits window by window: a worker killed in the middle leaves some of the
    batch's records behind. The next worker starts the batch again and must end exactly where a clean
    run of the same file on the same data ends (no row taken for a duplicate of itself)."""
    rows = 60_000
    crashed, clean = tmp_path / "crashed", tmp_path / "clean"
    crashed.mkdir()
    clean.mkdir()
    settings = {"SQLITE_WINDOW_ROWS": "5000", "METERING_BATCH_LEASE_SECONDS": "1"}
    env = _embedded_env(crashed, **settings)
    made = _run("setup", crashed, env, str(rows))
    assert made.returncode == 0, made.stderr[-3000:]
    for name in os.listdir(crashed):  # the same data and file for the clean run
        if name.startswith("embedded.sqlite3") or name == "trips.csv":
            shutil.copy(crashed / name, clean / name)
    expected = _result(_run("process", clean, _embedded_env(clean, **settings)))
    assert expected["status"] == "done" and expected["records"] > 0

    worker = subprocess.Popen(  # noqa: S603
        [sys.executable, str(PROBE), "process", str(crashed)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT,
    )  # fmt: skip
    database = sqlite3.connect(crashed / "embedded.sqlite3", timeout=10)
    left_behind = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and worker.poll() is None:
        found = database.execute(
            "SELECT id, stage FROM metering_batch ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
        if found and found[1] == "loading":
            left_behind = database.execute(
                "SELECT COUNT(*) FROM metering_sourcerecord WHERE batch_id = ?", [found[0]]
            ).fetchone()[0]
            if left_behind:
                worker.send_signal(signal.SIGKILL)
                break
        time.sleep(0.02)
    worker.wait(timeout=60)
    database.close()
    assert worker.returncode == -signal.SIGKILL, "the worker finished before it could be killed mid-load"
    assert 0 < left_behind < expected["records"]

    time.sleep(1.5)  # the dead worker's lease runs out
    resumed = _result(_run("resume", crashed, env))
    assert resumed == expected
