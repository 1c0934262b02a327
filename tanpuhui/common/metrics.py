"""Prometheus metrics (prometheus-client), in the lowest layer so every app records without upward imports.

Three kinds of figure:

- **events counted where they happen** (requests, batch stages, coins moved): counters and histograms of
  this process. Under gunicorn (several worker processes) and Celery, set ``PROMETHEUS_MULTIPROC_DIR`` to
  an empty folder shared by every process of the host; ``/metrics`` then adds them up
  (docs/operations.md "Metrics").
- **states read when Prometheus scrapes** (queue depth, batches waiting): ``register_source`` takes a
  function returning samples; apps register theirs in ``AppConfig.ready()``.
- **the last result of a check** (``ledger_check``, ``registry_check``): written to the database by
  ``check_finished`` wherever the check runs (a command, a beat task), read at scrape time — a command's
  process ends before any scrape, so an in-memory gauge would never be seen.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import REGISTRY, Collector

from tanpuhui.common.models import CheckOutcome

logger = logging.getLogger(__name__)

NAMESPACE = "tanpuhui"
# No ``*_created`` series beside every counter and histogram: they double the series and no query uses them.
disable_created_metrics()

HTTP_REQUESTS = Counter(
    "http_requests", "Requests answered, by route name, method and status.", ["route", "method", "status"],
    namespace=NAMESPACE,
)  # fmt: skip
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "Time to answer a request, by route name and method.", ["route", "method"],
    namespace=NAMESPACE,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip
BATCH_ROWS = Counter(
    "metering_batch_rows", "Provider rows through a stage of the batch pipeline.", ["stage"],
    namespace=NAMESPACE,
)  # fmt: skip
BATCH_STAGE_SECONDS = Histogram(
    "metering_batch_stage_duration_seconds", "Time one batch spent in a stage.", ["stage"],
    namespace=NAMESPACE,
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800),
)  # fmt: skip
COINS_ISSUED = Counter(
    "coins_issued",
    "Coins credited to residents (conversion of reductions, pool rewards).",
    namespace=NAMESPACE,
)
COINS_REDEEMED = Counter("coins_redeemed", "Coins residents spent on vouchers.", namespace=NAMESPACE)

# Transfer kinds (ledger.models.TransferKind values) that count as issued or redeemed.
ISSUED_KINDS = frozenset({"earn", "reward"})
REDEEMED_KINDS = frozenset({"spend"})


def request_observed(*, route: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_LATENCY.labels(route, method).observe(seconds)


def batch_stage_done(*, stage: str, rows: int, seconds: float) -> None:
    """A stage of a batch committed (call it on commit: a rolled-back stage is redone and counted then)."""
    BATCH_ROWS.labels(stage).inc(max(rows, 0))
    BATCH_STAGE_SECONDS.labels(stage).observe(seconds)


def coins_moved(amounts: Iterable[tuple[str, int]]) -> None:
    """Count posted transfers ``(kind, amount)`` once their transaction commits."""
    issued = redeemed = 0
    for kind, amount in amounts:
        if kind in ISSUED_KINDS:
            issued += amount
        elif kind in REDEEMED_KINDS:
            redeemed += amount
    if issued or redeemed:
        transaction.on_commit(lambda: _coins_committed(issued, redeemed))


def _coins_committed(issued: int, redeemed: int) -> None:
    if issued:
        COINS_ISSUED.inc(issued)
    if redeemed:
        COINS_REDEEMED.inc(redeemed)


# --- checks ----------------------------------------------------------------------------------------


def check_finished(*, name: str, ok: bool, problems: int, seconds: float) -> None:
    """Keep the outcome of a named check (``ledger_check``, ``registry_check``) for the gauges."""
    CheckOutcome.objects.update_or_create(
        name=name, defaults={"ok": ok, "problems": problems, "seconds": seconds}
    )


# --- read at scrape time --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class Source:
    name: str
    documentation: str
    read: Callable[[], Iterable[Sample]]


SOURCES: dict[str, Source] = {}


def register_source(name: str, documentation: str, read: Callable[[], Iterable[Sample]]) -> None:
    """A gauge computed when Prometheus scrapes (a count in the database, a queue's length)."""
    SOURCES[name] = Source(name, documentation, read)


class _ScrapeCollector(Collector):
    def describe(self) -> list[Metric]:
        return []  # read only when scraped (not at registration: it queries the database)

    def collect(self) -> Iterator[Metric]:
        for source in SOURCES.values():
            try:
                samples = list(source.read())
            except Exception as exc:  # one unreadable source must not hide every other metric
                logger.warning("metrics source %s failed: %s", source.name, type(exc).__name__)
                continue
            labels = sorted({key for sample in samples for key in sample.labels})
            family = GaugeMetricFamily(f"{NAMESPACE}_{source.name}", source.documentation, labels=labels)
            for sample in samples:
                family.add_metric([sample.labels.get(key, "") for key in labels], sample.value)
            yield family


def _checks() -> Iterator[Metric]:
    ok = GaugeMetricFamily(
        f"{NAMESPACE}_check_ok", "1 if the check's last run found nothing wrong.", labels=["check"]
    )
    problems = GaugeMetricFamily(
        f"{NAMESPACE}_check_problems", "Problems the check's last run found.", labels=["check"]
    )
    seconds = GaugeMetricFamily(
        f"{NAMESPACE}_check_duration_seconds", "How long the check's last run took.", labels=["check"]
    )
    finished = GaugeMetricFamily(
        f"{NAMESPACE}_check_last_run_timestamp_seconds",
        "When the check last finished (Unix time).",
        labels=["check"],
    )
    for outcome in CheckOutcome.objects.all():
        ok.add_metric([outcome.name], 1.0 if outcome.ok else 0.0)
        problems.add_metric([outcome.name], outcome.problems)
        seconds.add_metric([outcome.name], outcome.seconds)
        finished.add_metric([outcome.name], outcome.finished_at.timestamp())
    yield from (ok, problems, seconds, finished)


class _ChecksCollector(Collector):
    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        try:
            yield from list(_checks())
        except Exception as exc:
            logger.warning("check gauges unavailable: %s", type(exc).__name__)


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


_SCRAPED: list[Collector] = [_ScrapeCollector(), _ChecksCollector()]
for _collector in _SCRAPED:
    REGISTRY.register(_collector)


def exposition() -> bytes:
    """The text format Prometheus scrapes: this process's counters (in multiprocess mode, every process's,
    added up from ``PROMETHEUS_MULTIPROC_DIR``) plus the figures read now."""
    if not multiprocess():
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    for collector in _SCRAPED:
        registry.register(collector)
    return generate_latest(registry)


def serve(port: int) -> None:
    """Serve this process's counters (every process's, in multiprocess mode) on ``port`` — for a Celery
    worker host, whose batches and coins the web's ``/metrics`` does not see unless they share
    ``PROMETHEUS_MULTIPROC_DIR``. Without the figures read at scrape time: the web's endpoint has those."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        start_http_server(port, registry=registry)
    else:
        start_http_server(port)


def process_exited(pid: int) -> None:
    """Forget a finished process's live gauges in multiprocess mode (gunicorn's ``child_exit`` hook,
    Celery's ``worker_process_shutdown``); its counters stay in the sums."""
    if multiprocess():
        mark_process_dead(pid)


class Timer:
    """``with Timer() as t: ...; t.seconds``."""

    def __enter__(self) -> Timer:
        self.started = time.monotonic()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.started
