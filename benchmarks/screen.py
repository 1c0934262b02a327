"""Community screens at volume: the screen JSON under 32 concurrent clients, and the incremental refresh.

    .venv/bin/python benchmarks/screen.py                       # 10⁶ reductions, 20,000 residents, 50 communities
    .venv/bin/python benchmarks/screen.py --reductions 20000 --residents 400 --communities 5 --new 2000 --seconds 2

What it does (127.0.0.1, its own database ``tp_bench_screen``, recreated each run):
1. migrates a fresh PostgreSQL database; one centre, ``--communities`` community pilots each with a
   screen, ``--residents`` residents spread over them (``User.community``), ``--reductions``
   reductions over the last 12 months written by one ``INSERT … SELECT generate_series``;
2. folds them into the aggregates (``pilots.aggregates.refresh``) — timed;
3. starts gunicorn (``--workers`` sync workers; its stderr goes to a file) and runs 32 client threads
   for ``--seconds`` each against (a) a trivial endpoint of the same server — the screen URL with an
   unknown token: middleware, routing, one indexed query, a small error body — and (b) the screen JSON
   of random communities, with the document cache switched off (``PILOTS_SCREEN_CACHE_SECONDS=0``) so
   every request builds the document from the aggregates. Throughput, p50/p99, ratio (target ≥ 0.5×);
4. appends ``--new`` reductions with a bare ``INSERT … SELECT`` (timed) and refreshes (timed):
   ratio insert/refresh (target ≥ 0.2×: the refresh costs at most 5× writing the rows);
5. checks the aggregates against a full scan (Σ kg and count per community). Exit 1 if a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import PG_ADMIN, free_port, percentile, recreate_database, start_gunicorn  # noqa: E402

DB_NAME = os.environ.get("BENCH_DB", "tp_bench_screen")
CLIENTS = 32


INSERT_REDUCTIONS = """
INSERT INTO metering_reduction (centre_id, resident_id, behaviour, period_start, period_end, kg_co2e, kind,
                                created_at, quantity, unit, inputs_snapshot)
SELECT %(centre)s, r.id, (ARRAY['metro','bus','cycling','electricity_saving','walking'])[1 + g %% 5],
       d, d, round((0.1 + (g %% 97) / 50.0)::numeric, 4), 'original', now(), 1 + g %% 3, 'trip', '{}'::jsonb
FROM generate_series(%(start)s, %(stop)s) AS g
JOIN bench_residents r ON r.rn = (g::bigint * 7919) %% %(residents)s
CROSS JOIN LATERAL (SELECT (current_date - (g %% %(days)s))::date AS d) AS day
"""


def setup_data(args) -> list[str]:
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from tanpuhui.accounts.models import Role, RoleAssignment, User
    from tanpuhui.pilots.models import Pilot, Place, Screen
    from tanpuhui.tenancy import demo as tenancy_demo
    from tanpuhui.tenancy.models import Centre

    tenancy_demo.load()
    gz = Centre.objects.get(code="GZ")
    city = Place.objects.create(code="gz", kind="city", name_zh="广州市", region=gz.region, centre=gz)
    district = Place.objects.create(
        code="gz-d", kind="district", name_zh="区", parent=city, region=gz.region, centre=gz
    )
    town = Place.objects.create(
        code="gz-t", kind="town", name_zh="街道", parent=district, region=gz.region, centre=gz
    )
    tokens = []
    for i in range(args.communities):
        place = Place.objects.create(
            code=f"gz-c{i}",
            kind="community",
            name_zh=f"第{i}社区",
            parent=town,
            region=gz.region,
            centre=gz,
            households=400,
        )
        pilot = Pilot.objects.create(
            level="community",
            community_type="existing_urban",
            name_zh=f"第{i}社区试点",
            designation="city",
            year=2014,
            place=place,
            centre=gz,
            managing_organisation="居委会",
        )
        tokens.append(Screen.objects.create(pilot=pilot).token)
    shared = make_password("bench-pass-2016")
    users = User.objects.bulk_create(
        [
            User(
                phone=f"1370{i:07d}",
                display_name=f"居民{i}",
                centre=gz,
                password=shared,
                community=f"gz-c{i % args.communities}",
            )
            for i in range(args.residents)
        ],
        batch_size=5000,
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=Role.RESIDENT, centre=gz) for u in users], batch_size=5000
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_residents AS SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn "
            "FROM accounts_user WHERE community <> ''"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_residents (rn)")
        cursor.execute(
            INSERT_REDUCTIONS,
            {"centre": gz.pk, "start": 1, "stop": args.reductions, "residents": args.residents, "days": 365},
        )
        cursor.execute("ANALYZE metering_reduction")
    return tokens


def load(port: int, paths: list[str], seconds: float, expect: int) -> tuple[float, list[float], int]:
    """CLIENTS threads, each with one keep-alive connection, request for ``seconds``; → (req/s, latencies, bad)."""
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    bad = [0] * CLIENTS
    barrier = threading.Barrier(CLIENTS + 1)

    def client(i: int) -> None:
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            try:
                conn.request("GET", rng.choice(paths), headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status != expect:
                    bad[i] += 1
            except (OSError, http.client.HTTPException):
                bad[i] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            latencies[i].append(time.perf_counter() - start)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join(seconds + 90)
    wall = time.perf_counter() - start
    flat = [x for xs in latencies for x in xs]
    return len(flat) / wall, flat, sum(bad)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reductions", type=int, default=1_000_000)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--communities", type=int, default=50)
    parser.add_argument("--new", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true", help=f"leave {DB_NAME} for inspection")
    args = parser.parse_args()
    url = recreate_database(DB_NAME)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tanpuhui.settings",
        "DJANGO_DEBUG": "0",
        "TANPUHUI_TESTING": "0",
        "LOG_LEVEL": "WARNING",
        "PILOTS_SCREEN_CACHE_SECONDS": "0",
    }
    os.environ.update(env)
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    t0 = time.perf_counter()
    tokens = setup_data(args)
    print(
        f"setup: {args.communities} communities, {args.residents} residents, {args.reductions} reductions "
        f"({time.perf_counter() - t0:.1f} s)"
    )
    from django.db import connection

    from tanpuhui.pilots import aggregates

    t0 = time.perf_counter()
    aggregates.refresh()
    print(f"first refresh (all {args.reductions} reductions): {time.perf_counter() - t0:.2f} s")
    connection.close()

    failures: list[str] = []
    port = free_port()
    server_log = Path(tempfile.gettempdir()) / f"{DB_NAME}-gunicorn.log"
    server = start_gunicorn(port, args.workers, env, server_log)
    try:
        screens = [f"/api/v1/screens/{t}" for t in tokens]
        unknown = ["/api/v1/screens/no-such-screen-token"]
        load(port, screens[:8] + unknown, 1.0, 200)  # warm every worker (imports, connections)
        trivial_rps, trivial_lat, _ = load(port, unknown, args.seconds, 404)
        screen_rps, screen_lat, screen_bad = load(port, screens, args.seconds, 200)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", screens[0], headers={"Host": "127.0.0.1"})
        sample = json.loads(conn.getresponse().read())
        conn.close()
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM metering_reduction")
        top = cursor.fetchone()[0]
        from tanpuhui.tenancy.models import Centre

        gz = Centre.objects.get(code="GZ").pk
        t0 = time.perf_counter()
        cursor.execute(
            INSERT_REDUCTIONS,
            {"centre": gz, "start": top + 1, "stop": top + args.new, "residents": args.residents, "days": 30},
        )
        connection.commit() if not connection.get_autocommit() else None
        insert_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = aggregates.refresh()
    refresh_s = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.community, COUNT(*), SUM(r.kg_co2e) FROM metering_reduction r JOIN accounts_user u "
            "ON u.id = r.resident_id WHERE u.community <> '' GROUP BY 1"
        )
        scan = {c: (n, kg) for c, n, kg in cursor.fetchall()}
        cursor.execute(
            "SELECT community, SUM(reductions), SUM(kg_co2e) FROM pilots_communitymonth GROUP BY 1"
        )
        folded = {c: (n, kg) for c, n, kg in cursor.fetchall()}

    load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg()[:2])
    print(
        f"server: gunicorn, {args.workers} sync workers, {CLIENTS} client threads × {args.seconds:.0f} s; "
        f"load average {load_avg} (1, 5 min; the cores are shared)"
    )
    print(
        f"trivial GET (unknown screen token, 404): {trivial_rps:.0f} req/s, p50 {percentile(trivial_lat, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(trivial_lat, 0.99) * 1000:.0f} ms"
    )
    print(
        f"screen JSON (built per request from the aggregates): {screen_rps:.0f} req/s, "
        f"p50 {percentile(screen_lat, 0.5) * 1000:.0f} ms, p99 {percentile(screen_lat, 0.99) * 1000:.0f} ms, {screen_bad} errors"
    )
    print(f"  ratio screen/trivial throughput: {screen_rps / trivial_rps:.2f}× (target ≥ 0.5×)")
    print(
        f"new reductions: bare INSERT … SELECT of {args.new}: {insert_s:.2f} s; refresh: {refresh_s:.2f} s "
        f"({result['groups']} community-month groups)"
    )
    print(f"  ratio insert/refresh: {insert_s / refresh_s:.2f}× (target ≥ 0.2×)")

    def check(ok: bool, label: str) -> None:
        print(f"  [{'ok' if ok else 'FAIL'}] {label}")
        if not ok:
            failures.append(label)

    print("checks:")
    check(screen_bad == 0, "every screen request answered 200")
    check(folded == scan, f"aggregates equal a full scan for all {len(scan)} communities")
    check(sample.get("participation", {}).get("min_group") == 5, "the document has its participation block")
    connection.close()
    if not args.keep_db:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
