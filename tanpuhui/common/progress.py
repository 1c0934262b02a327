"""Progress bars for management commands (tqdm), shown only when a person is watching.

A command run by cron, a container or a test writes to a pipe: it gets no bar (no control characters in
its log), just its usual summary lines. At a terminal the bar goes to stderr, so stdout stays the
command's result.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TextIO

from django.db import connections
from tqdm import tqdm


def wanted(stdout: Any) -> bool:
    """Whether ``stdout`` (a command's ``self.stdout``, an OutputWrapper) is a terminal."""
    isatty = getattr(stdout, "isatty", None)
    return bool(isatty and isatty())


def bar(stdout: Any, *, total: int | None, desc: str, unit: str = "it", stream: TextIO | None = None) -> tqdm:
    """A tqdm bar, disabled (every call a no-op) unless ``stdout`` is a terminal."""
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=unit == "B",
        file=stream or sys.stderr,
        disable=not wanted(stdout),
        dynamic_ncols=True,
        leave=True,
    )


def steps(progress: tqdm) -> Callable[[str], None]:
    """A ``progress`` callback for a check that names its steps: each call finishes the previous step."""
    started = [False]

    def step(name: str) -> None:
        if started[0]:
            progress.update(1)
        started[0] = True
        progress.set_postfix_str(name, refresh=True)

    return step


class Watch:
    """Move ``progress`` to ``read()`` every ``interval`` seconds from a thread of its own, while the
    command's own thread does the work (a batch's stages commit their counters; the thread reads them).

    ``read`` returns (position, label). The thread's database connection is closed when it stops."""

    def __init__(self, progress: tqdm, read: Callable[[], tuple[int, str]], interval: float = 0.5) -> None:
        self.progress, self.read, self.interval = progress, read, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="progress")

    def __enter__(self) -> Watch:
        if not self.progress.disable:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
        self._show()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self._show()
                except Exception:  # noqa: S112 — a bar that cannot read now shows the next reading
                    continue
        finally:
            connections.close_all()

    def _show(self) -> None:
        if self.progress.disable:
            return
        position, label = self.read()
        self.progress.n = position
        self.progress.set_postfix_str(label, refresh=False)
        self.progress.refresh()
