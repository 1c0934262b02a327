"""The registry's audit (``manage.py registry_check``): set-based SQL, one statement per rule.

1. Per prefix (a vintage of one project and methodology): Σ issued = Σ live blocks (active, frozen,
   retired, cancelled) — every issued serial is held, retired or cancelled exactly once.
2. No serial in two live blocks (overlapping live ranges of one prefix): on PostgreSQL, proved by the
   exclusion constraint being in force (a missing guard is itself a problem, and then the ranges are
   compared); elsewhere one ordered pass.
3. Every child's range lies inside its parent's (same prefix, min start and max end within the
   parent's), the children of a parent tile it exactly (Σ quantity, first start, last end), and a parent
   with children is superseded — one grouped pass over the child→parent join.
4. No reduction in two reports (the unique index says so; this proves it), and none credited against
   the claim rules (a reported reduction whose claim purpose the rules exclude).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count

from tanpuhui.common import metrics
from tanpuhui.metering.models import ReductionClaim
from tanpuhui.registry.models import ClaimRule, CreditBlock, Issuance, ReportReduction


@dataclass
class CheckResult:
    problems: list[dict[str, Any]] = field(default_factory=list)
    prefixes: int = 0
    blocks: int = 0
    issued: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, **data: Any) -> None:
        self.problems.append({"code": code, **data})


# The exclusion constraint of migration 0002 (PostgreSQL): no serial in two live blocks, ever.
OVERLAP_GUARD = "block_live_ranges_disjoint"


STEPS = 4  # what a command's progress bar counts: totals, overlaps, lineage, double counting


def run(
    limit: int = 100, *, record: bool = False, progress: Callable[[str], None] | None = None
) -> CheckResult:
    """Every rule above; ``record`` keeps the outcome for the ``/metrics`` gauges, ``progress`` is told
    each rule's name as it starts."""
    step = progress or (lambda _name: None)
    started = time.monotonic()
    result = CheckResult()
    table, issuances = CreditBlock._meta.db_table, Issuance._meta.db_table
    step("totals")
    with connection.cursor() as cursor:
        # 1. Σ issued = Σ live per prefix, and the number of blocks, in one statement.
        cursor.execute(
            f"""
            WITH held AS (
              SELECT prefix, SUM(CASE WHEN status <> 'superseded' THEN quantity ELSE 0 END) AS s, COUNT(*) AS n
              FROM {table} GROUP BY prefix
            ), issued AS (SELECT prefix, SUM(quantity) AS s FROM {issuances} GROUP BY prefix)
            SELECT i.prefix, h.prefix, COALESCE(i.s, 0), COALESCE(h.s, 0), COALESCE(h.n, 0)
            FROM issued i FULL OUTER JOIN held h ON h.prefix = i.prefix
            """  # noqa: S608 — table names come from the models
        )
        for issued_prefix, held_prefix, issued, live, blocks in cursor.fetchall():
            result.blocks += int(blocks)
            if issued_prefix is not None:
                result.prefixes += 1
                result.issued += int(issued)
            if int(issued) != int(live):
                result.add(
                    "totals_differ", prefix=issued_prefix or held_prefix, issued=int(issued), live=int(live)
                )
        # 2. Overlapping live ranges: on PostgreSQL the exclusion constraint refuses them as they are
        # written, so the audit proves the guard is in force instead of sorting every block; where it
        # is not (SQLite, or someone dropped it), one ordered pass finds them.
        step("overlaps")
        if not _overlap_guard_in_force(cursor, table):
            if connection.vendor == "postgresql":
                result.add("overlap_guard_missing", constraint=OVERLAP_GUARD)
            cursor.execute(
                f"""
                SELECT prefix, id, serial_start, prev_end FROM (
                  SELECT prefix, id, serial_start,
                         MAX(serial_end) OVER (PARTITION BY prefix ORDER BY serial_start, id
                                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
                  FROM {table} WHERE status <> 'superseded') t
                WHERE prev_end IS NOT NULL AND serial_start <= prev_end LIMIT %s
                """,  # noqa: S608 — the table name comes from the model
                [limit],
            )
            for prefix, pk, start, prev_end in cursor.fetchall():
                result.add(
                    "overlapping_live_blocks", prefix=prefix, block=pk, start=start, previous_end=prev_end
                )
        step("lineage")
        # 3. Children tile their parent: the children aggregated first (one pass), then each parent
        # looked up once.
        cursor.execute(
            f"""
            SELECT p.id, p.quantity, p.status, c.q,
                   c.lo < p.serial_start OR c.hi > p.serial_end OR c.pmin <> p.prefix OR c.pmax <> p.prefix
            FROM (SELECT parent_id, SUM(quantity) AS q, MIN(serial_start) AS lo, MAX(serial_end) AS hi,
                         MIN(prefix) AS pmin, MAX(prefix) AS pmax
                  FROM {table} WHERE parent_id IS NOT NULL GROUP BY parent_id) c
            JOIN {table} p ON p.id = c.parent_id
            WHERE c.q <> p.quantity OR c.lo <> p.serial_start OR c.hi <> p.serial_end OR p.status <> 'superseded'
               OR c.pmin <> p.prefix OR c.pmax <> p.prefix
            LIMIT %s
            """,  # noqa: S608 — the table name comes from the model
            [limit],
        )
        for pk, qty, status, children, outside in cursor.fetchall():
            if outside:
                result.add("child_outside_parent", parent=pk)
            else:
                result.add(
                    "children_do_not_tile_parent", block=pk, quantity=qty, status=status, children=children
                )
    step("double counting")
    twice = (
        ReportReduction.objects.values("reduction_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("reduction_id", "n")
    )
    for reduction_id, n in twice[:limit]:
        result.add("reduction_in_two_reports", reduction=reduction_id, reports=n)
    excluded = list(ClaimRule.objects.filter(may_credit=False).values_list("purpose", flat=True))
    # A report's own "credit" claims are expected; any other excluded purpose (a donation) is not.
    bad = ReductionClaim.objects.filter(
        purpose__in=[p for p in excluded if p != ReductionClaim.Purpose.CREDIT],
        reduction_id__in=ReportReduction.objects.values("reduction_id"),
    ).values_list("reduction_id", "purpose")
    for reduction_id, purpose in bad[:limit]:
        result.add("credited_against_claim_rule", reduction=reduction_id, purpose=purpose)
    if record:
        metrics.check_finished(
            name="registry_check",
            ok=result.ok,
            problems=len(result.problems),
            seconds=time.monotonic() - started,
        )
    return result


def _overlap_guard_in_force(cursor: Any, table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    cursor.execute(
        "SELECT convalidated FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
        [OVERLAP_GUARD, table],
    )
    row = cursor.fetchone()
    return bool(row and row[0])
