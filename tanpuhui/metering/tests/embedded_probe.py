"""Drives the embedded (SQLite) setup from separate processes, as `make run` does: one process
processes a large provider file while another logs residents in.

Used by test_embedded_sqlite.py; each mode is one process:
  setup   DIR N      the demo data and a CSV of N transit trips on the demo's bound cards
  process DIR        receive and process that file (the background worker's job); prints the result
  resume  DIR        process the newest batch again, as the next worker does after a crash
  logins  DIR        log a resident in over the API until the batch has finished; one JSON line each
The database comes from DATABASE_URL (a SQLite file in DIR).
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanpuhui.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")  # the worker's follow-up tasks run inline

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from tanpuhui.accounts.models import Binding  # noqa: E402
from tanpuhui.metering.models import Batch, DataProvider, Reduction, SourceRecord  # noqa: E402
from tanpuhui.metering.services import batch_process, batch_receive  # noqa: E402

CENTRE = "DG"
RESIDENT = "13930000001"  # a Dongguan demo resident (README: 139<d><n>, d = 3 DG)
PASSWORD = "demo-pass-2016"


def _provider() -> DataProvider:
    return next(
        p
        for p in DataProvider.objects.filter(centre__code=CENTRE).order_by("pk")
        if "transit_trip" in (p.record_types or [])
    )


def setup(folder: Path, rows: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("demo_load", verbosity=0)
    cards = list(
        Binding.objects.filter(centre__code=CENTRE, kind="transit_card", unbound_at__isnull=True)
        .order_by("pk")
        .values_list("account_number", flat=True)
    )
    start = datetime(2026, 11, 1, 6, 0, tzinfo=timezone(timedelta(hours=8)))
    with open(folder / "trips.csv", "w") as out:
        out.write("record_id,card,mode,boarded_at,distance_km\n")
        for i in range(rows):  # one boarding a minute per card: every row is its own trip
            boarded = start + timedelta(minutes=i // len(cards))
            out.write(
                f"EMB{i:08d},{cards[i % len(cards)]},{'metro' if i % 2 else 'bus'},"
                f"{boarded.isoformat()},{1 + i % 20}.5\n"
            )


COUNTERS = ("received", "accepted", "rejected", "duplicates", "revised", "matched", "unmatched", "quantified")


def _result(batch: Batch, started: float) -> str:
    return json.dumps(
        {
            "status": batch.status,
            "seconds": time.monotonic() - started,
            "records": SourceRecord.objects.filter(batch_id=batch.pk).count(),
            "reductions": Reduction.objects.filter(batch_id=batch.pk).count(),
            **{name: getattr(batch, name) for name in COUNTERS},
        }
    )


def process(folder: Path) -> None:
    with open(folder / "trips.csv", "rb") as handle:
        batch, _dup = batch_receive(
            provider=_provider(), record_type="transit_trip", file_format="csv", stream=handle, enqueue=False
        )
    started = time.monotonic()
    print(_result(batch_process(batch_id=batch.pk), started))


def resume(folder: Path) -> None:
    """What the next worker does with a batch whose worker died (its lease has run out)."""
    batch = Batch.objects.order_by("-created_at").first()
    assert batch is not None
    started = time.monotonic()
    print(_result(batch_process(batch_id=batch.pk), started))


def logins(folder: Path) -> None:
    client = Client(raise_request_exception=False)
    seen_processing = False
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        batch = Batch.objects.order_by("-created_at").values("status", "stage").first()
        processing = batch is not None and batch["status"] == Batch.Status.PROCESSING
        if seen_processing and not processing:
            return
        if not processing:
            time.sleep(0.05)
            continue
        seen_processing = True
        started = time.monotonic()
        response = client.post(
            "/api/v1/auth/token",
            {"username": RESIDENT, "password": PASSWORD},
            content_type="application/json",
        )
        print(
            json.dumps(
                {
                    "status": response.status_code,
                    "seconds": round(time.monotonic() - started, 3),
                    "stage": batch["stage"],
                    "json": response.headers.get("Content-Type", "").startswith("application/json"),
                }
            ),
            flush=True,
        )
        time.sleep(0.1)


if __name__ == "__main__":
    mode, folder = sys.argv[1], Path(sys.argv[2])
    if mode == "setup":
        setup(folder, int(sys.argv[3]))
    elif mode == "process":
        process(folder)
    elif mode == "resume":
        resume(folder)
    else:
        logins(folder)
