"""The embedded setup (`make run` on SQLite) keeps answering while a large batch processes.

SQLite has one writer at a time: a login (it writes a token) waits for the batch's open write
transaction, up to the busy timeout, then fails with "database is locked". The pipeline keeps
every SQLite transaction to a window of rows, so no wait comes near the timeout, whatever the
file's size. The test shrinks the busy timeout to 2 s and processes a file whose stages, each in
one transaction, held the write lock for longer than that (the failure this test reproduced).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = Path(__file__).with_name("embedded_probe.py")
ROWS = 200_000


def _run(mode: str, folder: Path, env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 — our own script
        [sys.executable, str(PROBE), mode, str(folder), *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT, check=False,
    )  # fmt: skip


def test_logins_answer_while_a_large_batch_processes_on_sqlite(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TANPUHUI_TESTING")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "SQLITE_BUSY_TIMEOUT": "2",
        "METERING_SQLITE_WINDOW_ROWS": "10000",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "METERING_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
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
