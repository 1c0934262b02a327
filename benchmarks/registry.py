#!/usr/bin/env python
"""Registry benchmark (PostgreSQL). Prints, in one run:

1. issuance of ``--credits`` credits (default 10⁶) in ``--blocks`` serial blocks (default 10,000), through
   ``registry.services.credits_issue`` — blocks/s;
2. ``--movements`` partial transfers and retirements (default 5,000; two in three transfers, one in three
   retirements, 1–3 credits each) by ``--clients`` concurrent clients (default 32; forked processes,
   one connection each, as the product runs; ``--shape threads`` for threads of one process) against ``--hot`` hot blocks (default 4), through the services — movements/s, next to
   the same run's raw hot-row rate (``UPDATE bench_hot SET n = n - 1 WHERE id = <one of the hot rows>``,
   same clients, same count, autocommit) — and their ratio (target ≥ 0.3×);
3. ``registry_check`` on the result, timed, next to a plain ``SELECT sum(quantity)`` over the same
   blocks table — ratio sum-time / check-time (target ≥ 0.2×) — and whether the check is clean, the
   totals conserved and every serial in exactly one live block. Exit status 1 if any check fails.

    .venv/bin/python benchmarks/registry.py                          # the full size
    .venv/bin/python benchmarks/registry.py --credits 2000 --blocks 20 --movements 60 --clients 4   # quick

The database (default ``tp_bench_registry``; ``--database NAME``) is dropped, created and migrated
afresh; the admin URL comes from ``BENCH_PG_ADMIN`` (default postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import in_processes, in_threads, recreate_database, setup_django  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credits", type=int, default=1_000_000)
    parser.add_argument("--blocks", type=int, default=10_000)
    parser.add_argument("--movements", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--hot", type=int, default=4)
    parser.add_argument(
        "--shape", choices=["processes", "threads"], default="processes",
        help="clients as forked processes (as the product runs) or as threads of this process",
    )  # fmt: skip
    parser.add_argument("--database", default=os.environ.get("BENCH_DB", "tp_bench_registry"))
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}")
    url = recreate_database(args.database)
    setup_django(url)

    from datetime import date

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import UserFactory, make_staff
    from tanpuhui.common.errors import ServiceError
    from tanpuhui.methodology import seed
    from tanpuhui.registry import check, services
    from tanpuhui.registry.models import CarbonProject, CreditBlock, Issuance
    from tanpuhui.tenancy.tests.factories import CentreFactory, ProvincialCentreFactory

    seed.apply()
    province = ProvincialCentreFactory()
    centre = CentreFactory(code="GZ", parent=province)
    officer = make_staff(Role.PROVINCIAL_OFFICER, province)
    operator = make_staff(Role.CENTRE_OPERATOR, centre)
    holder = UserFactory(centre=centre)
    owner = services.account_create(
        kind="centre", name="广州碳普惠运营中心", centre=centre, members=(holder,)
    )
    buyers = [services.account_create(kind="exchange", name=f"buyer {i}", centre=centre) for i in range(8)]
    project = services.project_create(
        actor=operator, centre=centre, owner=owner, methodology_code="metro", title="bench",
        kind=CarbonProject.Kind.TRANSIT, crediting_start=date(2020, 1, 1), crediting_end=date(2030, 12, 31),
    )  # fmt: skip

    # 1. Issuance: the hot blocks big enough for every movement, the rest share what is left.
    hot_size = max(3 * args.movements // args.hot + 3, 1)
    rest_blocks = args.blocks - args.hot
    rest = args.credits - hot_size * args.hot
    if rest_blocks < 0 or rest < rest_blocks:
        parser.error("too few credits for that many blocks and movements")
    sizes = [hot_size] * args.hot + [
        rest // rest_blocks + (1 if i < rest % rest_blocks else 0) for i in range(rest_blocks)
    ]
    started = time.perf_counter()
    hot_ids = []
    for i, size in enumerate(sizes):
        issuance = services.credits_issue(
            project=project, vintage=2020 + i % 10, quantity=size, actor=officer, idempotency_key=f"issue-{i}"
        )
        if i < args.hot:
            hot_ids.append(issuance.blocks.get().pk)
    issue_s = time.perf_counter() - started
    issued = sum(sizes)
    print(
        f"issued {issued:,} credits in {len(sizes):,} blocks: {len(sizes) / issue_s:,.0f} blocks/s ({issue_s:.1f} s)"
    )

    # 2. Movements against the hot blocks vs raw hot-row UPDATEs.
    per_client = [
        args.movements // args.clients + (1 if n < args.movements % args.clients else 0)
        for n in range(args.clients)
    ]

    def mover(n: int) -> list[str]:
        refused: list[str] = []
        rng = random.Random(n)
        for k in range(per_client[n]):
            block_id = rng.choice(hot_ids)
            quantity = rng.randint(1, 3)
            key = f"move-{n}-{k}"
            try:
                if k % 3 == 2:
                    services.credits_retire(
                        block_id=block_id, quantity=quantity, actor=holder, idempotency_key=key,
                        beneficiary="2026 低碳日", purpose="voluntary",
                    )  # fmt: skip
                else:
                    services.credits_transfer(
                        block_id=block_id, quantity=quantity, to_account=rng.choice(buyers), actor=holder,
                        idempotency_key=key,
                    )  # fmt: skip
            except ServiceError as exc:
                refused.append(exc.code)
        return refused

    def run_clients(target) -> tuple[float, list[str]]:
        elapsed, answers = (in_processes if args.shape == "processes" else in_threads)(args.clients, target)
        return elapsed, [code for codes in answers for code in codes]

    move_s, refused = run_clients(mover)
    moves_per_s = args.movements / move_s

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_hot; CREATE TABLE bench_hot (id int PRIMARY KEY, n bigint)"
        )
        cursor.execute("INSERT INTO bench_hot SELECT g, 1000000 FROM generate_series(1, %s) g", [args.hot])

    def raw(n: int) -> list[str]:
        rng = random.Random(n)
        with connection.cursor() as cursor:
            for _k in range(per_client[n]):
                cursor.execute("UPDATE bench_hot SET n = n - 1 WHERE id = %s", [rng.randint(1, args.hot)])
        return []

    raw_s, _none = run_clients(raw)
    raw_per_s = args.movements / raw_s
    ratio = moves_per_s / raw_per_s
    print(
        f"movements: {args.movements:,} by {args.clients} client {args.shape} on {args.hot} hot blocks: {moves_per_s:,.0f}/s "
        f"({move_s:.1f} s; refused {len(refused)}: {sorted(set(refused))})"
    )
    print(f"raw hot-row UPDATE: {raw_per_s:,.0f}/s ({raw_s:.1f} s)")
    print(f"movement / raw hot-row UPDATE ratio: {ratio:.2f}x (target >= 0.3x)")

    # 3. registry_check vs a plain SELECT sum.
    started = time.perf_counter()
    result = check.run()
    check_s = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sum(quantity) FROM registry_creditblock")
        cursor.fetchone()
    sum_s = time.perf_counter() - started
    blocks = CreditBlock.objects.count()
    print(
        f"registry_check over {blocks:,} blocks: {check_s * 1000:.0f} ms; plain SELECT sum: {sum_s * 1000:.1f} ms"
    )
    print(f"SELECT sum / registry_check time ratio: {sum_s / check_s:.2f}x (target >= 0.2x)")
    live = CreditBlock.objects.exclude(status="superseded")
    conserved = (
        sum(live.values_list("quantity", flat=True))
        == issued
        == sum(Issuance.objects.values_list("quantity", flat=True))
    )
    buyers_hold = CreditBlock.objects.filter(account__in=buyers).exclude(status="superseded").count()
    ok = result.ok and conserved and not (set(refused) - {"insufficient_credits"}) and buyers_hold > 0
    print(f"registry_check clean: {result.ok} {result.problems[:5]}; totals conserved: {conserved}")
    print(f"load average after: {os.getloadavg()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
