"""Liveness (``/healthz``), readiness (``/readyz``) and metrics (``/metrics``) for the platform's operators.

``/healthz`` says the process answers (no dependency is touched: a load balancer restarts what fails it).
``/readyz`` checks what a request needs — the database, the read replica and its lag (when a ``replica``
alias is configured), the task broker, file storage — and answers 503 when a critical one fails, so the
balancer stops sending traffic. A lagging or missing replica is reported as ``degraded`` (200): reads can
still be served by the primary. Answers name each check and its time, never a host, URL or secret.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from tanpuhui.common import metrics
from tanpuhui.common.scoping import PUBLIC, page_for

REPLICA = "replica"


@dataclass
class Check:
    name: str
    critical: bool
    run: Callable[[], dict[str, Any] | None]


def _database() -> dict[str, Any] | None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def replica_lag_seconds() -> float:
    """Seconds the replica's replay is behind; 0 when it has replayed everything it received (an idle
    primary writes nothing, so the last replayed transaction's age alone would look like lag)."""
    connection = connections[REPLICA]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT 1")
            return 0.0
        cursor.execute(
            """SELECT CASE
                 WHEN NOT pg_is_in_recovery() THEN 0
                 WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                 ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
               END"""
        )
        return float(cursor.fetchone()[0])


def _replica() -> dict[str, Any] | None:
    lag = replica_lag_seconds()
    limit = float(getattr(settings, "READYZ_MAX_REPLICA_LAG_SECONDS", 30))
    if lag > limit:
        raise _Failed("lagging", lag_seconds=round(lag, 3))
    return {"lag_seconds": round(lag, 3)}


def _broker() -> dict[str, Any] | None:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
        return None
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise _Failed("queue folder missing or read-only")
        return None
    raise _Failed("unknown broker")


def _storage() -> dict[str, Any] | None:
    for alias in ("default", "uploads", "reports"):
        store = storages[alias]
        if isinstance(store, FileSystemStorage):
            folder = Path(store.location)
            folder.mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK):
                raise _Failed("folder read-only", storage=alias)
        else:
            store.exists(".readyz")  # one HEAD request: bucket reachable, credentials accepted
    return None


class _Failed(Exception):
    def __init__(self, reason: str, **details: Any) -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details


def checks() -> list[Check]:
    found = [Check("database", True, _database)]
    if REPLICA in settings.DATABASES:
        found.append(Check("replica", False, _replica))
    found += [Check("broker", True, _broker), Check("storage", True, _storage)]
    return found


def readiness(selected: Iterable[Check] | None = None) -> tuple[int, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    status = "ok"
    for check in selected if selected is not None else checks():
        started = time.monotonic()
        entry: dict[str, Any] = {"ok": True}
        try:
            entry.update(check.run() or {})
        except _Failed as exc:
            entry = {"ok": False, "reason": exc.reason, **exc.details}
        except Exception as exc:  # what failed, never its message (it may hold a host or a secret)
            entry = {"ok": False, "reason": type(exc).__name__}
        entry["ms"] = round((time.monotonic() - started) * 1000, 1)
        entry["critical"] = check.critical
        results[check.name] = entry
        if not entry["ok"]:
            status = "unavailable" if check.critical else ("degraded" if status == "ok" else status)
    return (503 if status == "unavailable" else 200), {"status": status, "checks": results}


@never_cache
@page_for(PUBLIC)
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@page_for(PUBLIC)
def readyz(request: HttpRequest) -> JsonResponse:
    code, body = readiness()
    return JsonResponse(body, status=code)


@never_cache
@page_for(PUBLIC)
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus' text format. Public like the probes (nothing personal or secret in it); the proxy in
    front keeps it to the monitoring network (docs/operations.md)."""
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


# --- queue depth, read when Prometheus scrapes ------------------------------------------------------


def _queue_depth() -> Iterable[metrics.Sample]:
    """Messages waiting in each Celery queue (Redis: the queue's list; filesystem: its folder)."""
    url = settings.CELERY_BROKER_URL
    queues = sorted({getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")} | _routed_queues())
    if url.startswith(("redis://", "rediss://")):
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        for queue in queues:
            yield metrics.Sample({"queue": queue}, float(client.llen(queue)))
        return
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        waiting = sum(1 for _ in folder.glob("*.msg")) if folder.is_dir() else 0
        yield metrics.Sample({"queue": "filesystem"}, float(waiting))


def _routed_queues() -> set[str]:
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    return {route["queue"] for route in routes.values() if isinstance(route, dict) and "queue" in route}


metrics.register_source("queue_depth", "Tasks waiting in the broker, by queue.", _queue_depth)
