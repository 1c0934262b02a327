#!/usr/bin/env python
"""Metering ingest benchmark: upload → validated → loaded (dedup) → matched → quantified, on PostgreSQL.

Generates N synthetic records (half electricity readings, half transit trips; ~10 % of accounts
unknown) for a centre with R residents who have bound an electricity account and a transit card,
pushes both files through the real pipeline stage by stage, and in the same run times a raw
``COPY`` of the same files into a bare table. Prints records/s per stage, the end-to-end ratio
to raw COPY, and the peak memory (RSS) of the process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/anything .venv/bin/python benchmarks/ingest.py
    … --n 1000000            one run of N records (default: N = 10⁵ and 10⁶, each in its own process)
    … --residents 200000     residents with bindings (default 200 000)
    … --database tp_bench_ingest   the database used (created if missing; default tp_bench_ingest)
    … --path staged|one-pass|both  which load path (``METERING_SQL_FASTPATH``); ``both`` runs them
                             alternately in one process, ``--repeat`` times each (default: one-pass)

Not part of the test suite (a tiny-N smoke test runs it); it never touches the database named
in DATABASE_URL, only the dedicated one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import create_database_sql  # noqa: E402


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def ensure_database(url: str, name: str) -> str:
    import psycopg

    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL (the benchmark measures the COPY path).")
    admin = _with_database(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(create_database_sql(name))
    return _with_database(url, name)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanpuhui.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def ensure_world(residents: int):
    """A bench centre, R residents with an electricity and a transit-card binding, two providers."""
    from django.db import connection

    from tanpuhui.metering.models import DataProvider
    from tanpuhui.metering.services import provider_create
    from tanpuhui.tenancy.models import Centre, Region

    region, _ = Region.objects.get_or_create(
        code="GD", defaults={"name_zh": "广东省", "name_en": "Guangdong"}
    )
    centre, _ = Centre.objects.get_or_create(
        code="BENCH",
        defaults={
            "name_zh": "基准测试中心",
            "name_en": "Benchmark centre",
            "region": region,
            "parameters": {"metering": {"default_baseline_per_day": {"electricity_reading": "9"}}},
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM accounts_user WHERE centre_id = %s AND phone LIKE '16%%'", [centre.pk]
        )
        have = cursor.fetchone()[0]
        if have < residents:
            cursor.execute(
                """
                INSERT INTO accounts_user (id, phone, display_name, centre_id, password, is_active, is_staff,
                                           is_superuser, date_joined)
                SELECT gen_random_uuid(), '16' || lpad(g::text, 9, '0'), 'bench ' || g, %s, '!', true, false,
                       false, now()
                FROM generate_series(%s, %s) g
                ON CONFLICT DO NOTHING
                """,
                [centre.pk, have + 1, residents],
            )
            cursor.execute(
                """
                INSERT INTO accounts_binding (created_at, updated_at, resident_id, centre_id, kind, account_number,
                                              label)
                SELECT now() - interval '1 day', now(), u.id, u.centre_id, k.kind,
                       CASE WHEN k.kind = 'electricity' THEN '05' || substr(u.phone, 3)
                            ELSE 'T5' || substr(u.phone, 3) END, ''
                FROM accounts_user u CROSS JOIN (VALUES ('electricity'), ('transit_card')) AS k(kind)
                WHERE u.centre_id = %s AND u.phone LIKE '16%%'
                ON CONFLICT DO NOTHING
                """,
                [centre.pk],
            )
        cursor.execute("ANALYZE accounts_user; ANALYZE accounts_binding")
    providers = {}
    for code, kind in (
        ("bench-power", DataProvider.Kind.POWER_UTILITY),
        ("bench-transit", DataProvider.Kind.TRANSIT_OPERATOR),
    ):
        provider = DataProvider.objects.filter(centre=centre, code=code).first()
        providers[kind] = provider or provider_create(centre=centre, code=code, name=code, kind=kind)
    return centre, providers


def reset_metering(centre) -> None:
    """Each run starts from empty metering tables, so nothing is skipped as a duplicate."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE metering_reduction DISABLE TRIGGER USER")
        cursor.execute(
            "TRUNCATE metering_reductionclaim, metering_reduction, metering_sourcerecord, metering_rowerror, "
            "metering_stagedrecord, metering_batch CASCADE"
        )
        cursor.execute("ALTER TABLE metering_reduction ENABLE TRIGGER USER")


def generate(path_elec: Path, path_trips: Path, n: int, residents: int, today: date) -> None:
    """Stream N records to two CSV files (never held in memory)."""
    rng = random.Random(2016)
    half = n // 2
    with open(path_elec, "w", newline="") as out:
        out.write("record_id,revision,account,period_start,period_end,quantity\n")
        months = []
        first = today.replace(day=1)
        for _i in range(2):  # recent months: inside the centre's binding window
            end = first - timedelta(days=1)
            first = end.replace(day=1)
            months.append((first.isoformat(), end.isoformat()))
        for i in range(half):
            who = rng.randint(1, residents * 10 // 9)  # ~10 % unknown accounts
            start_text, end_text = months[i % 2]
            out.write(
                f"E{i},1,05{who:09d},{start_text},{end_text},{rng.randint(80, 400)}.{rng.randint(0, 9)}\n"
            )
    base = datetime(today.year, today.month, today.day, 8, 0) - timedelta(days=60)
    with open(path_trips, "w", newline="") as out:
        out.write("record_id,card,mode,boarded_at,origin,destination,distance_km\n")
        for i in range(n - half):
            who = rng.randint(1, residents * 10 // 9)
            boarded = base + timedelta(minutes=i % 80000, seconds=rng.randint(0, 59))
            mode = "metro" if i % 3 else "bus"
            out.write(f"T{i},T5{who:09d},{mode},{boarded:%Y-%m-%dT%H:%M:%S}+08:00,A{i % 97},B{i % 89},\n")


def raw_copy_seconds(paths: list[Path]) -> float:
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(
            "CREATE TABLE bench_raw_copy (c1 text, c2 text, c3 text, c4 text, c5 text, c6 text, c7 text)"
        )
        for path in paths:
            with open(path) as header:
                columns = header.readline().count(",") + 1
            started = time.perf_counter()
            with (
                cursor.cursor.copy(
                    f"COPY bench_raw_copy ({', '.join(f'c{i + 1}' for i in range(columns))}) FROM STDIN "
                    "WITH (FORMAT csv, HEADER true)"
                ) as copy,
                open(path, "rb") as handle,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            total += time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_copy")
    return total


def write_floor_seconds() -> dict:
    """What writing the pipeline's output alone costs on this server: the records and reductions
    just produced, copied by ``INSERT … SELECT`` into empty tables — once with the product's
    indexes, once with only the two unique indexes the requirements imply (a record once per
    provider and id; one original reduction per record). No parsing, validation, matching or
    arithmetic: a ceiling for any pipeline that keeps one record and one reduction per input row."""
    from django.db import connection

    timings = {}
    with connection.cursor() as cursor:
        for label, with_indexes in (("product indexes", True), ("unique keys only", False)):
            cursor.execute("DROP TABLE IF EXISTS bench_floor_rec, bench_floor_red")
            including = "INCLUDING ALL" if with_indexes else "INCLUDING DEFAULTS INCLUDING IDENTITY"
            cursor.execute(f"CREATE TABLE bench_floor_rec (LIKE metering_sourcerecord {including})")
            cursor.execute(f"CREATE TABLE bench_floor_red (LIKE metering_reduction {including})")
            if not with_indexes:
                cursor.execute("CREATE UNIQUE INDEX ON bench_floor_rec (provider_id, external_id)")
                cursor.execute(
                    "CREATE UNIQUE INDEX ON bench_floor_red (source_record_id) WHERE kind = 'original'"
                )
            cursor.execute("CHECKPOINT")
            started = time.perf_counter()
            cursor.execute("INSERT INTO bench_floor_rec SELECT * FROM metering_sourcerecord")
            cursor.execute("INSERT INTO bench_floor_red SELECT * FROM metering_reduction")
            timings[label] = time.perf_counter() - started
        cursor.execute("DROP TABLE IF EXISTS bench_floor_rec, bench_floor_red")
    return timings


class StatementTimer:
    """``--explain-slow``: the slowest SQL statements of the run (to find a bad plan)."""

    def __init__(self):
        self.timings: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.timings.append((time.perf_counter() - started, " ".join(sql.split())[:160]))


def run_once(
    n: int,
    residents: int,
    slow: bool = False,
    convert: bool = True,
    measure_floor: bool = True,
    load_path: str = "one-pass",
) -> dict:
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from tanpuhui.metering import services
    from tanpuhui.metering.models import Batch, DataProvider

    centre, providers = ensure_world(residents)
    reset_metering(centre)
    today = timezone.localdate()
    tmp = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    settings.METERING_SQL_FASTPATH = load_path == "one-pass"
    settings.METERING_UPLOAD_DIR = tmp / "uploads"  # the pipeline's copies, removed below
    elec, trips = tmp / "electricity.csv", tmp / "trips.csv"
    generate(elec, trips, n, residents, today)
    stages = {"upload": 0.0, "validate+stage": 0.0, "load (dedup)": 0.0, "match": 0.0, "quantify": 0.0}
    counts = {"received": 0, "accepted": 0, "matched": 0, "quantified": 0, "rejected": 0}
    timer = StatementTimer()
    # Coin conversion (the ledger's receiver of ``reductions_quantified``) runs on a Celery worker in
    # production, after the pipeline; with eager Celery it would run inside "quantify". Hold the
    # signals during the timed stages and time the conversion on its own (not in end to end).
    from tanpuhui.metering.signals import reductions_quantified

    held: list[dict] = []
    receivers = reductions_quantified.receivers
    reductions_quantified.receivers = []
    reductions_quantified.sender_receivers_cache.clear()
    original_send = reductions_quantified.send

    def hold(sender, **kwargs):
        held.append({"sender": sender, **kwargs})
        return []

    reductions_quantified.send = hold  # type: ignore[method-assign]
    wrapper = connection.execute_wrapper(timer) if slow else None
    if wrapper:
        wrapper.__enter__()
    for path, kind, record_type in (
        (elec, DataProvider.Kind.POWER_UTILITY, "electricity_reading"),
        (trips, DataProvider.Kind.TRANSIT_OPERATOR, "transit_trip"),
    ):
        started = time.perf_counter()
        with open(path, "rb") as handle:
            batch, _dup = services.batch_receive(
                provider=providers[kind],
                record_type=record_type,
                file_format="csv",
                stream=handle,
                enqueue=False,
            )
        stages["upload"] += time.perf_counter() - started
        batch = Batch.objects.select_related("provider", "centre").get(pk=batch.pk)
        pipeline = services.Pipeline(batch)
        for label, stage in (
            ("validate+stage", pipeline.stage_validate),
            ("load (dedup)", pipeline.stage_load),
            ("match", pipeline.stage_match),
            ("quantify", pipeline.stage_quantify),
        ):
            started = time.perf_counter()
            with transaction.atomic():
                stage()
            stages[label] += time.perf_counter() - started
        batch.refresh_from_db()
        for key in counts:
            counts[key] += getattr(batch, key)
    reductions_quantified.send = original_send  # type: ignore[method-assign]
    reductions_quantified.receivers = receivers
    reductions_quantified.sender_receivers_cache.clear()
    pipeline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    for kwargs in held if convert else []:
        with transaction.atomic():
            reductions_quantified.send(**kwargs)
    downstream = time.perf_counter() - started
    if wrapper:
        wrapper.__exit__(None, None, None)
        for seconds, text in sorted(timer.timings, reverse=True)[
            : int(os.environ.get("BENCH_SLOW_TOP", "12"))
        ]:
            print(f"{seconds:8.2f}s  {text}", file=sys.stderr)
    raw = raw_copy_seconds([elec, trips])
    floor = write_floor_seconds() if measure_floor else {}
    shutil.rmtree(tmp, ignore_errors=True)
    end_to_end = sum(stages.values())
    return {
        "n": n,
        "path": load_path,
        "residents": residents,
        "stages": stages,
        "end_to_end_s": end_to_end,
        "raw_copy_s": raw,
        "coin_conversion_s": downstream if convert else None,
        "write_floor_s": floor,
        "pipeline_peak_rss_mb": pipeline_rss,
        "counts": counts,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def report(result: dict) -> None:
    n = result["n"]
    print(f"\nN = {n:,} records, {result['residents']:,} residents with bindings, {result['path']} path")
    print(f"  {'stage':<16}{'seconds':>10}{'records/s':>14}")
    for label, seconds in result["stages"].items():
        print(f"  {label:<16}{seconds:>10.2f}{n / seconds if seconds else 0:>14,.0f}")
    e2e, raw = result["end_to_end_s"], result["raw_copy_s"]
    print(f"  {'end to end':<16}{e2e:>10.2f}{n / e2e:>14,.0f}")
    print(f"  {'raw COPY':<16}{raw:>10.2f}{n / raw:>14,.0f}")
    print(f"  end-to-end / raw COPY throughput ratio: {raw / e2e:.3f}  (target ≥ 0.10)")
    for label, seconds in (result.get("write_floor_s") or {}).items():
        print(
            f"  floor, writing the output rows only ({label}): {seconds:.2f} s = {n / seconds:,.0f} records/s, "
            f"{raw / seconds:.3f} × raw COPY"
        )
    conversion = result.get("coin_conversion_s")
    if conversion is not None:
        print(f"  (downstream, not in end to end: ledger coin conversion {conversion:.2f} s)")
    print(f"  counts: {result['counts']}")
    print(
        f"  peak RSS: {result['peak_rss_mb']:.0f} MB (pipeline stages only: {result['pipeline_peak_rss_mb']:.0f} MB)"
    )


def summary(n: int, runs: dict[str, list[float]]) -> None:
    """Per path: the end-to-end seconds of every run, their median and spread (max / min)."""
    print(f"\nend to end, N = {n:,}, runs in the order they ran (alternating paths):")
    medians = {}
    for path, seconds in runs.items():
        ordered = sorted(seconds)
        medians[path] = statistics.median(ordered)
        spread = ordered[-1] / ordered[0] if ordered[0] else 0
        listed = ", ".join(f"{s:.1f}" for s in seconds)
        print(f"  {path:<9} {listed}  s; median {medians[path]:.1f} s = {n / medians[path]:,.0f} records/s, "
              f"max/min {spread:.2f}")  # fmt: skip
    if len(medians) == 2:
        print(f"  one-pass / staged median time: {medians['one-pass'] / medians['staged']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, help="one run with N records (default: 10⁵ and 10⁶)")
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--database", default="tp_bench_ingest")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # child mode
    parser.add_argument(
        "--skip-conversion", action="store_true", help="do not time the ledger's coin conversion afterwards"
    )
    parser.add_argument("--explain-slow", action="store_true", help="print the slowest statements")
    parser.add_argument(
        "--skip-floor", action="store_true", help="do not time writing the output rows alone (the floor)"
    )
    parser.add_argument("--path", choices=("staged", "one-pass", "both"), default="one-pass")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path (with --n)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    bench_url = ensure_database(url, args.database)
    if args.n is not None:
        setup_django(bench_url)
        paths = ["staged", "one-pass"] if args.path == "both" else [args.path]
        runs: dict[str, list[float]] = {p: [] for p in paths}
        for _round in range(max(args.repeat, 1)):
            for path in paths:  # alternately, so both see the same machine
                result = run_once(
                    args.n,
                    args.residents,
                    slow=args.explain_slow,
                    convert=not args.skip_conversion,
                    measure_floor=not args.skip_floor,
                    load_path=path,
                )
                runs[path].append(result["end_to_end_s"])
                print(json.dumps(result)) if args.json else report(result)
        if not args.json and (len(paths) > 1 or args.repeat > 1):
            summary(args.n, runs)
        return
    # Each N in its own process, so each peak RSS is that run's own.
    results = []
    for n in (100_000, 1_000_000):
        out = subprocess.run(
            [sys.executable, __file__, "--n", str(n), "--residents", str(args.residents), "--database", args.database, "--json",
             *(["--skip-conversion"] if args.skip_conversion else []), *(["--skip-floor"] if args.skip_floor else [])],
            check=True, capture_output=True, text=True, env={**os.environ, "DATABASE_URL": url},
        )  # fmt: skip
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        report(results[-1])
    small, large = results
    print(f"\npeak RSS: {small['peak_rss_mb']:.0f} MB at N = 10⁵, {large['peak_rss_mb']:.0f} MB at N = 10⁶ "
          f"(×{large['peak_rss_mb'] / small['peak_rss_mb']:.2f} for ×10 records)")  # fmt: skip


if __name__ == "__main__":
    main()
