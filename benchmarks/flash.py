"""Flash-sale load: N concurrent residents race for the last U units of one offer over HTTP.

    .venv/bin/python benchmarks/flash.py                 # 500 clients, last 100 units, 4 gunicorn workers
    .venv/bin/python benchmarks/flash.py --clients 40 --units 10 --workers 2   # quick smoke run

What it does (everything on 127.0.0.1, its own database ``tp_bench_flash``, recreated each run):
1. migrates a fresh PostgreSQL database, creates one centre, one approved offer whose stock has only
   ``--units`` left, ``--clients`` residents each with enough coins and a bearer token;
2. starts gunicorn (``--workers`` sync workers) on a free local port;
3. trivial endpoint: every client GETs ``/api/v1/offers/{id}`` at once (authenticated read of the same
   offer: token lookup + one query) — requests/s;
4. flash sale: every client POSTs ``/api/v1/offers/{id}/redeem`` with its own Idempotency-Key at once —
   redemption requests/s (successes and 409s alike), p50/p99 latency, and the ratio to step 3;
5. checks: exactly ``units`` vouchers, stock exhausted and never negative, every other client a 409
   ``sold_out``, no resident over the per-resident limit, ``ledger_check`` clean (Σ balances 0, every
   cached balance equal to its transfers). Exit status 1 if any check fails.
Clients are threads with one stdlib HTTP connection each, released together by a barrier; every
request has a timeout and the whole run is bounded.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import PG_ADMIN, free_port, percentile, recreate_database, start_gunicorn  # noqa: E402

DB_NAME = os.environ.get("BENCH_DB", "tp_bench_flash")
REQUEST_TIMEOUT = 60


def setup_data(clients: int, units: int) -> tuple[str, list[str]]:
    """Centre, offer with ``units`` left, ``clients`` funded residents with tokens. Returns (offer id, tokens)."""
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from tanpuhui.accounts.models import Role, RoleAssignment, User
    from tanpuhui.accounts.services import token_issue
    from tanpuhui.ledger import services as ledger
    from tanpuhui.ledger.models import TransferKind
    from tanpuhui.marketplace.codes import uscc_check_char
    from tanpuhui.marketplace.models import Merchant, Offer, Outlet
    from tanpuhui.tenancy import demo as tenancy_demo
    from tanpuhui.tenancy.models import Centre

    tenancy_demo.load()
    gz = Centre.objects.get(code="GZ")
    merchant = Merchant.objects.create(
        centre=gz,
        name="秒杀影城",
        licence_number="91440101MA5CK0P3X" + uscc_check_char("91440101MA5CK0P3X"),
        contact_name="林",
        contact_phone="020-1234567",
        status=Merchant.Status.APPROVED,
    )
    Outlet.objects.create(merchant=merchant, name="天河店", address="天河路208号")
    stock = units + 900
    offer = Offer.objects.create(
        merchant=merchant,
        centre=gz,
        title="电影票半价秒杀",
        category="movies",
        price_coins=400,
        stock=stock,
        redeemed=stock - units,  # 900 already gone: the race is for the last `units`
        per_resident_limit=1,
        valid_from=timezone.now() - timedelta(hours=1),
        valid_until=timezone.now() + timedelta(days=1),
        yuan_value="17.50",
        status=Offer.Status.APPROVED,
    )
    shared = make_password("bench-pass-2016")
    users = User.objects.bulk_create(
        [
            User(phone=f"1360{i:07d}", display_name=f"居民{i}", centre=gz, password=shared)
            for i in range(clients)
        ]
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.RESIDENT, centre=gz) for u in users])
    issuance = ledger.issuance_of(gz)
    tokens = []
    for user in users:
        ledger.transfer_post(
            debit=issuance,
            credit=ledger.wallet_of(user),
            amount=1000,
            kind=TransferKind.EARN,
            idempotency_key=f"bench:fund:{user.pk}",
        )
        tokens.append(token_issue(user=user, client="bench"))
    return str(offer.pk), tokens


def storm(
    port: int, requests: Sequence[tuple[str, str, dict, bytes | None]]
) -> tuple[float, list[tuple[int, float, dict]]]:
    """Fire all requests at once (one thread and connection each); returns (wall seconds, results)."""
    barrier = threading.Barrier(len(requests) + 1)
    results: list = [None] * len(requests)

    def client(i, method, path, headers, body):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        with contextlib.suppress(OSError):  # a refused connect is retried by request() and counted there
            conn.connect()
        barrier.wait()
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            status, payload = 0, json.dumps({"error": {"code": type(exc).__name__}}).encode()
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        try:
            data = json.loads(payload or b"{}")
        except ValueError:
            data = {}
        results[i] = (status, elapsed, data)

    threads = [threading.Thread(target=client, args=(i, *r), daemon=True) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join(REQUEST_TIMEOUT + 5)
    wall = time.perf_counter() - start
    return wall, [r if r is not None else (0, REQUEST_TIMEOUT, {}) for r in results]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep-db", action="store_true", help="leave tp_bench_flash for inspection")
    args = parser.parse_args()
    if not 1 <= args.units < args.clients <= 2000:
        parser.error("need 1 <= units < clients <= 2000")

    url = recreate_database(DB_NAME)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "tanpuhui.settings",
        "DJANGO_DEBUG": "0",
        "TANPUHUI_TESTING": "0",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    t0 = time.perf_counter()
    offer_id, tokens = setup_data(args.clients, args.units)
    print(
        f"setup: {args.clients} residents with 1000 coins each, offer {offer_id} with {args.units} units left "
        f"({time.perf_counter() - t0:.1f} s)"
    )

    port = free_port()
    server_log = Path(tempfile.gettempdir()) / f"{DB_NAME}-gunicorn.log"
    server = start_gunicorn(port, args.workers, env, server_log)
    failures: list[str] = []
    try:
        auth = [{"Authorization": f"Bearer {t}", "Host": "127.0.0.1"} for t in tokens]
        detail = f"/api/v1/offers/{offer_id}"
        warm = [("GET", detail, auth[i], None) for i in range(min(20, len(auth)))]
        storm(port, warm)  # every worker has imported everything and holds a DB connection

        trivial_wall, trivial = storm(port, [("GET", detail, h, None) for h in auth])
        trivial_ok = sum(1 for s, _, _ in trivial if s == 200)
        trivial_rps = len(trivial) / trivial_wall

        redeem = [
            (
                "POST",
                f"{detail}/redeem",
                {**h, "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
                b"{}",
            )
            for h in auth
        ]
        redeem_wall, results = storm(port, redeem)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()

    latencies = [e for _, e, _ in results]
    created = [r for r in results if r[0] == 201]
    conflicts = [r for r in results if r[0] == 409]
    codes: dict[str, int] = {}
    for status, _, data in results:
        key = f"{status} {data.get('error', {}).get('code', '')}".strip()
        codes[key] = codes.get(key, 0) + 1
    redeem_rps = len(results) / redeem_wall

    from django.db.models import Count

    from tanpuhui.ledger.check import ledger_check
    from tanpuhui.marketplace.models import Offer, Voucher

    offer = Offer.objects.get(pk=offer_id)
    vouchers = Voucher.objects.filter(offer=offer).count()
    over_limit = (
        Voucher.objects.filter(offer=offer)
        .values("resident")
        .annotate(n=Count("id"))
        .filter(n__gt=offer.per_resident_limit)
        .count()
    )
    ledger = ledger_check(record=False)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()[:2])
    print(
        f"server: gunicorn, {args.workers} sync workers, PostgreSQL database {DB_NAME}, 127.0.0.1:{port}; "
        f"load average {load} (1, 5 min: the cores are shared)"
    )
    print(
        f"trivial GET {detail}: {len(trivial)} concurrent requests, {trivial_ok} × 200, "
        f"{trivial_rps:.0f} req/s, p50 {statistics.median([e for _, e, _ in trivial]) * 1000:.0f} ms"
    )
    print(
        f"flash redeem: {len(results)} concurrent clients for the last {args.units} units in {redeem_wall:.2f} s"
    )
    print(
        f"  redemption requests/s: {redeem_rps:.0f}  (successful vouchers/s: {len(created) / redeem_wall:.0f})"
    )
    print(
        f"  latency p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p99 {percentile(latencies, 0.99) * 1000:.0f} ms"
    )
    print(f"  responses: {dict(sorted(codes.items()))}")
    print(f"  ratio redeem/trivial throughput: {redeem_rps / trivial_rps:.2f}× (target ≥ 0.5×)")

    def check(ok: bool, label: str) -> None:
        print(f"  [{'ok' if ok else 'FAIL'}] {label}")
        if not ok:
            failures.append(label)

    print("checks:")
    check(
        len(created) == args.units and vouchers == args.units, f"exactly {args.units} vouchers ({vouchers})"
    )
    check(offer.redeemed == offer.stock, f"stock exhausted, never oversold ({offer.redeemed}/{offer.stock})")
    check(
        len(conflicts) == args.clients - args.units and codes.get("409 sold_out", 0) == len(conflicts),
        f"every other client got 409 sold_out ({len(conflicts)})",
    )
    check(over_limit == 0, "no resident over the per-resident limit")
    check(
        ledger.ok and ledger.total_balance == 0,
        f"ledger_check clean ({ledger.accounts_checked} accounts, Σ={ledger.total_balance})",
    )
    if not args.keep_db:
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
