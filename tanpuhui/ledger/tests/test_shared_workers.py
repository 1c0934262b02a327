"""Two real Celery workers share one Redis queue. One is killed (SIGKILL) in the middle of a
provider's batch of 10⁵ rows, or in the middle of a conversion run; the other takes the work over
once the dead one's lease has run out, and the result is what a clean run gives: records,
reductions, counters, coins, and a clean ``ledger_check``.

PostgreSQL and Redis (scripts/ensure-services.sh starts it): the workers are other processes, so the
test data is committed (transactional_db). Each test has its own queue and Redis database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from tanpuhui.accounts.models import User
from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.models import Account, AccountKind, CoinAward, ConversionRun, Transfer, TransferKind
from tanpuhui.ledger.tests.factories import default_rule
from tanpuhui.metering import services as metering
from tanpuhui.metering.models import Batch, Reduction, ReductionClaim
from tanpuhui.metering.tests.test_recovery import outcome, receive, stage_of, trips_csv, wait_for, world

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

__all__ = ["world"]  # a fixture of the recovery tests, used here too

ROOT = Path(__file__).resolve().parents[3]
LEASE = 2  # seconds, for batches and conversion runs alike
VISIBILITY = 4  # seconds before Redis hands an unacknowledged task to another worker
CONVERTED = 30_000  # reductions of the conversion test: 30 chunks of 1,000, killed after the third

WORKER = """
import sys, django
django.setup()
from tanpuhui.celery import app
url, queue, name, visibility = sys.argv[1:5]
app.conf.broker_url = url
app.conf.task_default_queue = queue
app.conf.broker_transport_options = {"visibility_timeout": int(visibility)}
app.conf.task_always_eager = False
app.worker_main(["worker", "--pool=solo", "-Q", queue, "-n", name + "@%h", "--without-heartbeat",
                 "--without-mingle", "--without-gossip", "--loglevel=WARNING"])
"""


@pytest.fixture(autouse=True)
def _real_services():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: workers in other processes")
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (make test starts it)")


@pytest.fixture(autouse=True)
def _frozen_today():
    """The workers run in real time: so does this module."""
    yield


class Workers:
    """Celery workers on a queue of their own in a Redis database of their own."""

    def __init__(self, folder: Path):
        import redis

        self.folder = folder
        worker_id = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        self.db = 11 + int(worker_id.removeprefix("gw") or 0) % 4
        self.url = f"redis://127.0.0.1:6379/{self.db}"
        self.queue = f"tanpuhui-test-{uuid.uuid4().hex[:8]}"
        self.redis = redis.Redis.from_url(self.url)
        self.redis.flushdb()
        self.processes: dict[str, subprocess.Popen] = {}
        self.log_files: list = []

    def start(self, name: str) -> subprocess.Popen:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tanpuhui.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "METERING_BATCH_LEASE_SECONDS": str(LEASE),
            "LEDGER_CONVERSION_LEASE_SECONDS": str(LEASE),
            "METERING_SQL_FASTPATH": "0",  # as the recovery tests: the staged pipeline
            # where this test's uploads are (each test has its own folder: tanpuhui/conftest.py)
            "METERING_UPLOAD_DIR": str(settings.METERING_UPLOAD_DIR),
            "REPORTS_DIR": str(settings.REPORTS_DIR),
        }
        env.pop("REDIS_URL", None)
        log = (self.folder / f"{name}.log").open("wb")
        self.log_files.append(log)
        process = subprocess.Popen(  # noqa: S603 — our own worker
            [sys.executable, "-c", WORKER, self.url, self.queue, name, str(VISIBILITY)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        self.processes[name] = process
        return process

    def send(self, task: str, **kwargs) -> None:
        from celery import Celery

        producer = Celery(set_as_current=False, broker=self.url)
        producer.send_task(task, kwargs=kwargs, queue=self.queue)
        producer.close()

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(10)
        for log in self.log_files:
            log.close()
        self.redis.flushdb()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-2000:] for p in self.folder.glob("*.log"))


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop()


def coins_by_card(centre) -> dict[str, tuple[int, int]]:
    """Each bound card's resident's wallet: (balance, carried milli-coins)."""
    wallets = {
        a.user_id: (a.balance, a.fraction_milli)
        for a in Account.objects.filter(centre=centre, kind=AccountKind.WALLET)
    }
    return {
        card: wallets.get(user_id, (0, 0))
        for card, user_id in User.objects.filter(bindings__centre=centre).values_list(
            "bindings__account_number", "pk"
        )
    }


def test_a_batch_whose_worker_is_killed_is_finished_by_the_other_worker(world, workers, settings):
    settings.METERING_SQL_FASTPATH = False  # as the workers
    gz, zs = world
    for centre in (gz, zs):
        default_rule(centre, "10")
    raw = trips_csv(100_000)
    batch = receive(gz, raw)
    workers.start("a")
    workers.send("tanpuhui.metering.tasks.batch_process_task", batch_id=str(batch.pk))
    try:
        wait_for(lambda: stage_of(batch) == Batch.Stage.LOADING, 120, "worker a to load the batch")
    except AssertionError:
        raise AssertionError(workers.logs()) from None
    workers.start("b")  # both workers share the queue from here on
    time.sleep(0.3)
    workers.kill("a")
    batch.refresh_from_db()
    assert batch.status == Batch.Status.PROCESSING, "the kill came after the batch"

    # Redis gives the unacknowledged task to b once its visibility timeout has passed; b resumes the
    # batch once a's lease ran out, then converts its reductions.
    def finished():
        return (
            Batch.objects.filter(pk=batch.pk, status=Batch.Status.DONE).exists()
            and not Reduction.objects.filter(batch_id=batch.pk, claim__isnull=True).exists()
        )

    try:
        wait_for(finished, 180, "worker b to finish the batch and its conversion", interval=0.5)
        wait_for(
            lambda: not ConversionRun.objects.exclude(state=ConversionRun.State.POSTED).exists(),
            60,
            "the conversion to be posted",
            interval=0.5,
        )
    except AssertionError:
        raise AssertionError(workers.logs()) from None
    resumed = outcome(batch)
    batch.refresh_from_db()
    assert batch.attempts == 2

    clean = receive(zs, raw)
    metering.batch_process(batch_id=clean.pk)  # in this process; its conversion runs eagerly
    assert resumed == outcome(clean)
    assert coins_by_card(gz) == coins_by_card(zs)
    assert sum(b for b, _f in coins_by_card(gz).values()) > 10_000
    assert ledger_check().ok


def _reductions(centre, residents: list, n: int) -> None:
    """``n`` reductions of 0.0001–4 kg, round robin over ``residents``, in one COPY."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {Reduction._meta.db_table} (centre_id, resident_id, behaviour, period_start, period_end,"
            " kg_co2e, kind, created_at, unit, inputs_snapshot) FROM STDIN"
        ) as copy,
    ):
        for i in range(n):
            day = date(2026, 1 + i % 10, 1 + i % 28)
            kg = f"{(i * 7919) % 40000 / 10000 + 0.0001:.4f}"
            copy.write_row(
                (centre.pk, residents[i % len(residents)].pk, "metro", day, day, kg, "original",
                 "2026-11-01T00:00:00Z", "", "{}")
            )  # fmt: skip


def test_a_conversion_whose_worker_is_killed_is_finished_by_the_other_worker(gz, workers):
    default_rule(gz, "10")  # 10 coins per kg, no caps: each reduction earns exactly its kg × 10 000 milli
    residents = [ResidentFactory(centre=gz) for _ in range(50)]
    _reductions(gz, residents, CONVERTED)
    expected = {
        r.pk: int(Reduction.objects.filter(resident=r).aggregate(s=Sum("kg_co2e"))["s"] * 10_000)
        for r in residents
    }
    workers.start("a")
    workers.send("ledger.convert_reductions", chunk_size=1_000)
    try:
        wait_for(lambda: ConversionRun.objects.filter(reductions__gte=3_000).exists(), 120, "a run to price")
    except AssertionError:
        raise AssertionError(workers.logs()) from None
    workers.start("b")  # both workers share the queue from here on
    workers.kill("a")
    run = ConversionRun.objects.get()
    assert run.state != ConversionRun.State.POSTED, "the kill came after the run"
    # b gets the redelivered task (the rest of the reductions, a new run); the dead run is finished
    # by the beat task once its lease ran out
    time.sleep(LEASE + 0.5)
    workers.send("ledger.finish_conversions")

    def done():
        return (
            ReductionClaim.objects.count() == CONVERTED
            and not ConversionRun.objects.exclude(state=ConversionRun.State.POSTED).exists()
        )

    try:
        wait_for(done, 180, "worker b to finish the conversion", interval=0.5)
    except AssertionError:
        raise AssertionError(workers.logs()) from None
    assert CoinAward.objects.count() == CONVERTED
    wallets = {a.user_id: a for a in Account.objects.filter(kind=AccountKind.WALLET)}
    got = {pk: wallets[pk].balance * 1000 + wallets[pk].fraction_milli for pk in expected}
    assert got == expected
    # one posting per resident per run, never one per chunk
    earns = defaultdict(int)
    for user_id in Transfer.objects.filter(kind=TransferKind.EARN).values_list("credit__user_id", flat=True):
        earns[user_id] += 1
    assert max(earns.values()) <= ConversionRun.objects.count() <= 3
    assert ledger_check().ok
