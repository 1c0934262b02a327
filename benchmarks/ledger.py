#!/usr/bin/env python
"""Ledger benchmark (PostgreSQL). Prints, in one run:

1. single postings/s through ``ledger.services.transfer_post`` with N concurrent workers (threads,
   one connection each), next to the raw single-row ``UPDATE … SET balance = balance + 1`` rate of
   the same database with the same workers — and their ratio (target ≥ 0.3×);
2. bulk conversion of R reductions into coin transfers (``reductions_convert``) as reductions/s,
   next to raw ``COPY`` of the same R reductions into ``metering_reduction`` — and their ratio
   (target ≥ 0.1×).

Usage::

    .venv/bin/python benchmarks/ledger.py                       # 8 workers, 8000 postings, 1,000,000 reductions
    .venv/bin/python benchmarks/ledger.py --postings 800 --reductions 20000   # quick

The database (default ``postgres://postgres@127.0.0.1:5432/tp_bench_ledger``) is dropped and created
afresh, then migrated, so every run starts from the same empty state.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import in_processes, in_threads, load_average, recreate_database, setup_django  # noqa: E402


def bench_postings(
    *,
    workers: int,
    postings: int,
    wallets: int = 2000,
    merchants: int = 200,
    processes: bool = False,
    rounds: int = 4,
) -> dict:
    """Spends wallet → merchant through the service vs raw single-row UPDATEs, both in threads of this
    process (one interpreter lock: the service's Python work queues behind it) or in processes."""
    parallel = in_processes if processes else in_threads
    from django.db import connection

    from tanpuhui.ledger import services
    from tanpuhui.ledger.models import Account, AccountKind, TransferKind
    from tanpuhui.tenancy.models import Centre, Region

    region, _ = Region.objects.get_or_create(
        code="GD", defaults={"name_zh": "广东省", "name_en": "Guangdong"}
    )
    centre, _ = Centre.objects.get_or_create(
        code="BENCHP", defaults={"region": region, "name_zh": "基准", "name_en": "Bench"}
    )
    issuance = services.issuance_of(centre)
    base = Account.objects.filter(centre=centre, kind=AccountKind.WALLET).count()
    Account.objects.bulk_create(
        [
            Account(centre=centre, kind=AccountKind.WALLET, owner_type="bench", owner_id=str(base + i))
            for i in range(wallets)
        ]
    )
    wallet_ids = list(
        Account.objects.filter(centre=centre, kind=AccountKind.WALLET).values_list("pk", flat=True)
    )
    merchant_ids = [
        services.account_get_or_create(kind=AccountKind.MERCHANT, centre=centre, code=f"m{i}").pk
        for i in range(merchants)
    ]
    for i, pk in enumerate(wallet_ids):
        services.transfer_post(
            debit=issuance,
            credit=pk,
            amount=10**6,
            kind=TransferKind.EARN,
            idempotency_key=f"bench-fund:{pk}:{i}",
        )
    per_worker = postings // workers
    # the most rounds (up to ``rounds``) that share each worker's postings out evenly
    rounds = next(r for r in range(max(1, min(rounds, per_worker)), 0, -1) if per_worker % r == 0)
    per_round = per_worker // rounds
    run_id = uuid.uuid4().hex[:8]
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_raw; CREATE TABLE bench_raw (id bigint PRIMARY KEY, balance bigint)"
        )
        cursor.execute("INSERT INTO bench_raw SELECT g, 0 FROM generate_series(1, %s) g", [wallets])

    def service_worker(n: int, round_: int) -> None:
        rng = random.Random(n * 1000 + round_)
        for j in range(per_round):
            services.transfer_post(
                debit=rng.choice(wallet_ids),
                credit=rng.choice(merchant_ids),
                amount=1,
                kind=TransferKind.SPEND,
                idempotency_key=f"bench:{run_id}:{n}:{round_}:{j}",
            )

    def raw_worker(n: int, round_: int) -> None:
        rng = random.Random(n * 1000 + round_)
        with connection.cursor() as cursor:
            for _ in range(per_round):
                cursor.execute(
                    "UPDATE bench_raw SET balance = balance + 1 WHERE id = %s", [rng.randint(1, wallets)]
                )

    # The two alternate in rounds, so a machine whose load changes during the run weighs on both alike.
    service_s = raw_s = 0.0
    for round_ in range(rounds):
        service_s += parallel(workers, lambda n, r=round_: service_worker(n, r))[0]
        raw_s += parallel(workers, lambda n, r=round_: raw_worker(n, r))[0]
    done = per_worker * workers
    return {
        "postings": done,
        "service_per_s": done / service_s,
        "raw_update_per_s": done / raw_s,
        "ratio": (done / service_s) / (done / raw_s),
    }


def _timed(fn, name: str, timings: dict[str, float]):
    """``fn``, adding its wall time to ``timings[name]`` (the benchmark times the conversion's stages
    from outside: production code keeps no timing globals)."""

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timings[name] += time.perf_counter() - started

    return timed


def bench_conversion(*, reductions: int, per_resident: int = 20, chunk_size: int | None = None) -> dict:
    """COPY ``reductions`` reductions (timed: the raw COPY rate), then convert them all (timed)."""
    from django.db import connection

    from tanpuhui.accounts.models import User
    from tanpuhui.ledger import conversion, services
    from tanpuhui.ledger.check import ledger_check
    from tanpuhui.ledger.conversion import CHUNK, conversion_rule_create, reductions_convert
    from tanpuhui.ledger.models import CoinAward
    from tanpuhui.metering.models import Reduction
    from tanpuhui.tenancy.models import Centre, Region

    region, _ = Region.objects.get_or_create(
        code="GD", defaults={"name_zh": "广东省", "name_en": "Guangdong"}
    )
    code = f"BC{uuid.uuid4().hex[:6].upper()}"
    centre = Centre.objects.create(code=code, region=region, name_zh="基准", name_en="Bench")
    conversion_rule_create(
        centre=centre,
        effective_from=date(2020, 1, 1),
        coins_per_kg="10",
        caps=[
            {"behaviour": "bus", "period": "day", "max_coins": 50},
            {"behaviour": "", "period": "month", "max_coins": 3000},
        ],
    )
    residents = max(1, reductions // per_resident)
    user_ids = [uuid.uuid4() for _ in range(residents)]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {User._meta.db_table} (id, password, is_superuser, display_name, centre_id, is_active, is_staff, "
            "date_joined, email) FROM STDIN"
        ) as copy,
    ):
        for i, uid in enumerate(user_ids):
            copy.write_row(
                (
                    uid,
                    "!",
                    False,
                    f"b{i}",
                    centre.pk,
                    True,
                    False,
                    "2026-01-01T00:00:00Z",
                    f"{uid.hex}@bench.invalid",
                )
            )

    behaviours = ["bus", "metro", "cycling", "walking", "electricity_saving"]
    rng = random.Random(7)
    rows = []
    start_day = date(2026, 1, 1)
    for i in range(reductions):
        uid = user_ids[i % residents]
        day = start_day + timedelta(days=rng.randint(0, 300))
        rows.append(
            (
                centre.pk,
                uid,
                behaviours[i % 5],
                day,
                day,
                f"{rng.randint(1, 40000) / 10000:.4f}",
                "original",
                "2026-11-01T00:00:00Z",
                "",
                "{}",
            )
        )
    copy_started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {Reduction._meta.db_table} (centre_id, resident_id, behaviour, period_start, period_end, kg_co2e, kind, created_at, unit, inputs_snapshot) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
    copy_s = time.perf_counter() - copy_started
    del rows

    timings: dict[str, float] = defaultdict(float)
    stages = [
        (conversion, "chunk_price"),  # one chunk priced: the next five, before its commit
        (conversion, "claim"),
        (conversion.RuleBook, "load"),
        (conversion, "usage_load"),
        (conversion, "history_load"),
        (conversion, "price"),
        (conversion, "awards_insert"),
        (conversion, "run_post"),  # the posting phase, commits included: the next three and the locks
        (conversion, "run_nets"),
        (conversion, "coin_postings"),
        (services, "postings_post"),
    ]
    originals = [(owner, name, owner.__dict__[name]) for owner, name in stages]
    for owner, name, _fn in originals:
        setattr(owner, name, _timed(getattr(owner, name), name, timings))
    try:
        convert_started = time.perf_counter()
        result = reductions_convert(centre_ids=[centre.pk], chunk_size=chunk_size or CHUNK)
        convert_s = time.perf_counter() - convert_started
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)
    # the pricing chunks' commits (their deferred foreign-key checks) and the claims' loop
    timings["pricing_commit"] = convert_s - timings["chunk_price"] - timings["run_post"]
    assert result.reductions == reductions, result
    assert CoinAward.objects.filter(centre=centre).count() == reductions
    check_started = time.perf_counter()
    check = ledger_check()
    check_s = time.perf_counter() - check_started
    assert check.ok, check.problems[:5]
    return {
        "reductions": reductions,
        "residents": residents,
        "coins_earned": result.coins_earned,
        "copy_per_s": reductions / copy_s,
        "convert_per_s": reductions / convert_s,
        "ratio": (reductions / convert_s) / (reductions / copy_s),
        "convert_s": convert_s,
        "ledger_check_s": check_s,
        "phases": {k: round(v, 1) for k, v in timings.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/tp_bench_ledger")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--postings", type=int, default=8000)
    parser.add_argument("--reductions", type=int, default=1_000_000, help="0 skips the conversion part")
    args = parser.parse_args()

    base, name = args.database_url.rsplit("/", 1)
    recreate_database(name, admin_url=f"{base}/postgres")
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        f"database {args.database_url.rsplit('/', 1)[1]} (fresh); workers={args.workers}; {load_average()}",
        flush=True,
    )

    for shape, processes in (("processes", True), ("threads", False)):
        p = bench_postings(workers=args.workers, postings=args.postings, processes=processes)
        print(
            f"postings  : {p['postings']} single postings, {args.workers} worker {shape}: "
            f"service {p['service_per_s']:,.0f}/s vs raw UPDATE {p['raw_update_per_s']:,.0f}/s "
            f"→ ratio {p['ratio']:.2f}× (target ≥ 0.30×{'' if processes else '; threads share one interpreter lock'})",
            flush=True,
        )
    if args.reductions <= 0:
        return
    c = bench_conversion(reductions=args.reductions)
    print(
        f"conversion: {c['reductions']:,} reductions ({c['residents']:,} residents, {c['coins_earned']:,} coins): "
        f"convert {c['convert_per_s']:,.0f} rows/s ({c['convert_s']:.1f} s) vs raw COPY {c['copy_per_s']:,.0f} rows/s "
        f"→ ratio {c['ratio']:.2f}× (target ≥ 0.10×); ledger_check clean in {c['ledger_check_s']:.1f} s",
        flush=True,
    )
    print(f"conversion phases (s): {c['phases']}", flush=True)
    print(f"end: {load_average()}", flush=True)


if __name__ == "__main__":
    main()
