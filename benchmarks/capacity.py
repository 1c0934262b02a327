#!/usr/bin/env python
"""Capacity model: how fast Celery workers drain a day's provider data, with 1 and 2 workers.

For each pool size (1, then 2 worker processes sharing one Redis queue), on a fresh PostgreSQL
database: R residents with a transit card, P transit operators, B batches of trips (N rows in all)
received, then every batch queued at once. Each worker processes batches (validate → load → match →
quantify) and the conversions they trigger. Prints, per pool size, ingestion rows/s (first batch
started → last batch finished) and conversion reductions/s (first conversion run started → last run
posted), per worker, the 2-worker/1-worker scaling ratio measured in the same run, and the capacity
model the README's table comes from: workers needed to drain a province's day in under an hour.

    .venv/bin/python benchmarks/capacity.py                         # N = 200,000 rows, 8 batches
    .venv/bin/python benchmarks/capacity.py --rows 40000 --batches 4 # quick

Needs Redis on 127.0.0.1:6379 (``scripts/ensure-services.sh`` starts it); uses Redis database 9.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402
    load_average,
    recreate_database,
    send_celery_task,
    setup_django,
    start_celery_workers,
)

REDIS = "redis://127.0.0.1:6379/9"
# the province (assumptions stated in the README's table)
TRIPS_PER_DAY = 10_000_000
RESIDENTS = 120_000_000
ENROLLED = 0.10  # share of residents who have joined (bound a card or an account)
OTHER_RECORDS_PER_ENROLLED_PER_DAY = 0.2  # monthly meter readings, bike rides, steps… per day
DRAIN_SECONDS = 3600


def trips(batch: int, rows: int, residents: int, today) -> bytes:
    rng = random.Random(batch)
    base = timezone_now_local(today) - timedelta(days=3)
    lines = ["record_id,revision,card,mode,boarded_at,origin,destination,distance_km"]
    for i in range(rows):
        who = rng.randint(1, residents * 10 // 9)  # ~10 % unknown cards
        at = base + timedelta(seconds=(i * 37) % 200_000)
        mode = "metro" if i % 3 else "bus"
        lines.append(f"B{batch}-{i},1,T5{who:09d},{mode},{at:%Y-%m-%dT%H:%M:%S}+08:00,A{i % 97},B{i % 89},")
    return ("\n".join(lines) + "\n").encode()


def timezone_now_local(today):
    from datetime import datetime

    return datetime(today.year, today.month, today.day, 7, 0)


def one_pool(*, workers: int, rows: int, batches: int, residents: int, providers: int, database: str) -> dict:
    from django.core.management import call_command
    from django.db import connections
    from django.db.models import Max, Min
    from django.utils import timezone

    from benchmarks.ingest import ensure_world
    from tanpuhui.ledger.conversion import conversion_rule_create
    from tanpuhui.ledger.models import ConversionRun
    from tanpuhui.metering import services
    from tanpuhui.metering.models import Batch, DataProvider, Reduction, ReductionClaim

    connections.close_all()
    url = recreate_database(database)
    call_command("migrate", verbosity=0)
    centre, _ = ensure_world(residents)
    conversion_rule_create(
        centre=centre, effective_from=timezone.localdate() - timedelta(days=400), coins_per_kg="10"
    )
    operators = [
        services.provider_create(
            centre=centre,
            code=f"cap-transit-{p}",
            name=f"operator {p}",
            kind=DataProvider.Kind.TRANSIT_OPERATOR,
        )
        for p in range(providers)
    ]
    today = timezone.localdate()
    per_batch = rows // batches
    ids = []
    for b in range(batches):
        batch, _dup = services.batch_receive(
            provider=operators[b % providers],
            record_type="transit_trip",
            file_format="csv",
            stream=io.BytesIO(trips(b, per_batch, residents, today)),
            enqueue=False,
        )
        ids.append(str(batch.pk))
    connections.close_all()
    queue = f"capacity-{uuid.uuid4().hex[:8]}"
    logs = Path(tempfile.mkdtemp(prefix="bench-capacity-"))
    pool = start_celery_workers(workers, database_url=url, redis_url=REDIS, queue=queue, log_dir=logs)
    try:
        time.sleep(3)  # the workers connect
        for batch_id in ids:
            send_celery_task(REDIS, queue, "tanpuhui.metering.tasks.batch_process_task", batch_id=batch_id)
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            done = Batch.objects.filter(
                pk__in=ids, status__in=[Batch.Status.DONE, Batch.Status.FAILED]
            ).count()
            if done == len(ids):
                unclaimed = Reduction.objects.filter(claim__isnull=True).exists()
                unposted = ConversionRun.objects.exclude(state=ConversionRun.State.POSTED).exists()
                if not unclaimed and not unposted:
                    break
            if any(w.poll() is not None for w in pool):
                raise RuntimeError(
                    "a worker died: " + "".join(p.read_text()[-1500:] for p in logs.glob("*.log"))
                )
            time.sleep(0.5)
        else:
            raise RuntimeError("not drained within an hour")
    finally:
        for w in pool:
            w.terminate()
        for w in pool:
            w.wait(30)
    window = Batch.objects.filter(pk__in=ids).aggregate(a=Min("started_at"), b=Max("finished_at"))
    ingest_s = (window["b"] - window["a"]).total_seconds()
    conv = ConversionRun.objects.aggregate(a=Min("started_at"), b=Max("finished_at"))
    convert_s = (conv["b"] - conv["a"]).total_seconds() if conv["a"] else 0.0
    reductions = ReductionClaim.objects.count()
    received = sum(Batch.objects.filter(pk__in=ids).values_list("received", flat=True))
    failed = Batch.objects.filter(pk__in=ids, status=Batch.Status.FAILED).count()
    return {
        "workers": workers,
        "rows": received,
        "failed": failed,
        "ingest_s": ingest_s,
        "ingest_per_s": received / ingest_s,
        "reductions": reductions,
        "convert_s": convert_s,
        "convert_per_s": reductions / convert_s if convert_s else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--providers", type=int, default=4, help="one load per provider at a time")
    parser.add_argument("--residents", type=int, default=50_000)
    parser.add_argument("--database", default="tp_bench_capacity")
    args = parser.parse_args()
    setup_django(f"postgres://postgres@127.0.0.1:5432/{args.database}")
    print(
        f"{args.rows:,} trips in {args.batches} batches from {args.providers} operators; {load_average()}",
        flush=True,
    )
    results = {}
    for workers in (1, 2):
        r = one_pool(
            workers=workers, rows=args.rows, batches=args.batches, residents=args.residents,
            providers=args.providers, database=args.database,
        )  # fmt: skip
        results[workers] = r
        print(
            f"{workers} worker{'s' if workers > 1 else ' '}: ingest {r['ingest_per_s']:,.0f} rows/s "
            f"({r['rows']:,} in {r['ingest_s']:.1f} s; {r['ingest_per_s'] / workers:,.0f} per worker), "
            f"convert {r['convert_per_s']:,.0f} reductions/s ({r['reductions']:,} in {r['convert_s']:.1f} s); "
            f"failed batches {r['failed']}; {load_average()}",
            flush=True,
        )
    one, two = results[1], results[2]
    ingest_scaling = two["ingest_per_s"] / one["ingest_per_s"]
    convert_scaling = two["convert_per_s"] / one["convert_per_s"] if one["convert_per_s"] else 0.0
    print(f"scaling 2 workers / 1 worker: ingestion {ingest_scaling:.2f}×, conversion {convert_scaling:.2f}×")

    enrolled = RESIDENTS * ENROLLED
    day_rows = TRIPS_PER_DAY + enrolled * OTHER_RECORDS_PER_ENROLLED_PER_DAY
    need = day_rows / DRAIN_SECONDS
    per_worker = one["ingest_per_s"]
    # each worker beyond the first adds what the second one added here (a conservative straight line)
    added = max(two["ingest_per_s"] - one["ingest_per_s"], per_worker * 0.1)
    workers_needed = 1 + math.ceil(max(need - per_worker, 0) / added)
    print(
        f"capacity model: a day of {day_rows:,.0f} rows ({TRIPS_PER_DAY:,} trips + {enrolled:,.0f} enrolled "
        f"residents × {OTHER_RECORDS_PER_ENROLLED_PER_DAY} other records) drained in an hour needs "
        f"{need:,.0f} rows/s → {workers_needed} ingestion worker{'s' if workers_needed > 1 else ''} at {per_worker:,.0f} rows/s for the first "
        f"and {added:,.0f} rows/s for each next one (measured here); conversion at "
        f"{one['convert_per_s']:,.0f} reductions/s per worker"
    )


if __name__ == "__main__":
    main()
