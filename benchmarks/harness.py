"""What every benchmark script needs, once: a fresh database, Django on it, clients as threads or as
processes, a gunicorn server on a free port, percentiles. The scripts import it as
``benchmarks.harness`` (the project root is on their ``sys.path``)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")


def create_database_sql(name: str) -> str:
    """``CREATE DATABASE name``, copied from an already migrated database when ``BENCH_PG_TEMPLATE``
    names one (the test suite's smoke runs: a copy takes a second, migrating a fresh one a minute)."""
    template = os.environ.get("BENCH_PG_TEMPLATE", "")
    return f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")


def recreate_database(name: str, *, admin_url: str = PG_ADMIN) -> str:
    """Drop and create the database ``name``; returns its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(create_database_sql(name))
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanpuhui.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    import django

    django.setup()


def in_threads(clients: int, target: Callable[[int], Any]) -> tuple[float, list[Any]]:
    """``target(n)`` in ``clients`` threads of this process, one connection each, released together;
    returns the wall time and what each call returned (in client order)."""
    from django.db import connection

    barrier = threading.Barrier(clients + 1)
    answers: list[Any] = [None] * clients
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            answers[n] = target(n)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    pool = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed, answers


def in_processes(clients: int, target: Callable[[int], Any]) -> tuple[float, list[Any]]:
    """``target(n)`` in ``clients`` forked processes, each with its own connection — how the product
    runs (gunicorn and Celery workers are processes), with no interpreter lock shared between them.
    Returns the wall time and what each call returned (picklable values, in client order)."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # a child must never reuse the parent's socket
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(clients + 1)
    answers = context.Queue()

    def run(n: int) -> None:
        try:
            barrier.wait()
            answers.put((n, "ok", target(n)))
        except BaseException as exc:
            answers.put((n, "error", repr(exc)))
        finally:
            connections.close_all()

    pool = [context.Process(target=run, args=(n,)) for n in range(clients)]
    for child in pool:
        child.start()
    barrier.wait()
    started = time.perf_counter()
    got = [answers.get(timeout=3600) for _ in pool]  # drained before join: a full pipe blocks a child
    for child in pool:
        child.join()
    elapsed = time.perf_counter() - started
    failed = [detail for _n, kind, detail in got if kind == "error"]
    if failed:
        raise RuntimeError(failed[0])
    return elapsed, [detail for _n, _kind, detail in sorted(got, key=lambda answer: answer[0])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, env: dict, log: Path) -> subprocess.Popen:
    """gunicorn (sync workers) on 127.0.0.1:``port``, answering within 60 s. Its log goes to the file
    ``log``, never to a pipe nobody reads while the load runs: once a pipe's 64 KiB buffer is full,
    every worker blocks on its next log line and requests hang until they time out."""
    log_file = log.open("wb")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "tanpuhui.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    log_file.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-2000:]) from None
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start within 60 s")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def load_average() -> str:
    """The machine's load average (benchmarks share its cores: note how busy they were)."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


CELERY_WORKER = """
import sys, django
django.setup()
from tanpuhui.celery import app
url, queue, name = sys.argv[1:4]
app.conf.broker_url = url
app.conf.task_default_queue = queue
app.conf.broker_transport_options = {"visibility_timeout": 900}
app.conf.task_always_eager = False
app.worker_main(["worker", "--pool=solo", "-Q", queue, "-n", name + "@%h", "--without-heartbeat",
                 "--without-mingle", "--without-gossip", "--loglevel=WARNING"])
"""


def start_celery_workers(
    count: int, *, database_url: str, redis_url: str, queue: str, log_dir: Path, env: dict | None = None
) -> list[subprocess.Popen]:
    """``count`` Celery worker processes (solo pool: one task at a time each, as a production worker
    process) sharing ``queue`` on Redis, on ``database_url``; their logs go to files in ``log_dir``."""
    workers = []
    for n in range(count):
        log_file = (log_dir / f"worker-{n}.log").open("wb")
        workers.append(
            subprocess.Popen(
                [sys.executable, "-c", CELERY_WORKER, redis_url, queue, f"bench{n}"],
                cwd=ROOT,
                env={
                    **os.environ,
                    **(env or {}),
                    "DJANGO_SETTINGS_MODULE": "tanpuhui.settings",
                    "DATABASE_URL": database_url,
                    "CELERY_TASK_ALWAYS_EAGER": "0",
                },
                stdout=subprocess.DEVNULL,
                stderr=log_file,
            )
        )
        log_file.close()
    return workers


def send_celery_task(redis_url: str, queue: str, task: str, **kwargs: Any) -> None:
    from celery import Celery

    producer = Celery(set_as_current=False, broker=redis_url)
    producer.send_task(task, kwargs=kwargs, queue=queue)
    producer.close()
