"""The embedded database's one rule: SQLite has one writer at a time.

A login or a binding waits for any open write transaction, up to the busy timeout
(``SQLITE_BUSY_TIMEOUT``), then fails with "database is locked". So bulk work on SQLite (a batch's
stages, coin conversion) commits per window of ``SQLITE_WINDOW_ROWS`` rows and pauses after each
commit: SQLite's busy handler polls every 100 ms, and work that began again at once would starve a
waiting writer. PostgreSQL (MVCC) needs neither.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection

STEP_PAUSE_SECONDS = 0.15


def one_writer() -> bool:
    """True on SQLite: bulk work must keep its write transactions short."""
    return connection.vendor == "sqlite"


def window_rows() -> int:
    return max(int(getattr(settings, "SQLITE_WINDOW_ROWS", 20_000)), 1)


def let_writers_in() -> None:
    """Pause after a committed window so that a waiting writer gets the lock."""
    time.sleep(STEP_PAUSE_SECONDS)
