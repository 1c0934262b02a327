"""The registry's audit (``manage.py registry_check``): set-based SQL, one pass per rule.

1. Per prefix (a vintage of one project and methodology): Σ issued = Σ live blocks (active, frozen,
   retired, cancelled) — every issued serial is held, retired or cancelled exactly once.
2. No serial in two live blocks (overlapping live ranges of one prefix).
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
from django.db.models import Count, Sum

from tanpuhui.common import metrics
from tanpuhui.metering.models import ReductionClaim
from tanpuhui.registry.models import LIVE, ClaimRule, CreditBlock, Issuance, ReportReduction


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


STEPS = 4  # what a command's progress bar counts: totals, overlaps, lineage, double counting


def run(
    limit: int = 100, *, record: bool = False, progress: Callable[[str], None] | None = None
) -> CheckResult:
    """Every rule above; ``record`` keeps the outcome for the ``/metrics`` gauges, ``progress`` is told
    each rule's name as it starts."""
    step = progress or (lambda _name: None)
    started = time.monotonic()
    result = CheckResult()
    step("totals")
    issued = dict(
        Issuance.objects.values("prefix").annotate(s=Sum("quantity")).values_list("prefix", "s").order_by()
    )
    held = dict(
        CreditBlock.objects.filter(LIVE)
        .values("prefix")
        .annotate(s=Sum("quantity"))
        .values_list("prefix", "s")
        .order_by()
    )
    result.prefixes = len(issued)
    result.issued = sum(issued.values())
    for prefix in sorted(set(issued) | set(held)):
        if issued.get(prefix, 0) != held.get(prefix, 0):
            result.add("totals_differ", prefix=prefix, issued=issued.get(prefix, 0), live=held.get(prefix, 0))
    table = CreditBlock._meta.db_table
    step("overlaps")
    with connection.cursor() as cursor:
        # Overlaps among live blocks, found in one ordered pass (window function, both databases).
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
            result.add("overlapping_live_blocks", prefix=prefix, block=pk, start=start, previous_end=prev_end)
        step("lineage")
        cursor.execute(
            f"""
            SELECT p.id, p.quantity, p.status, SUM(c.quantity),
                   MIN(c.serial_start) < p.serial_start OR MAX(c.serial_end) > p.serial_end
                   OR SUM(CASE WHEN c.prefix <> p.prefix THEN 1 ELSE 0 END) > 0
            FROM {table} p JOIN {table} c ON c.parent_id = p.id
            GROUP BY p.id, p.quantity, p.status, p.serial_start, p.serial_end, p.prefix
            HAVING SUM(c.quantity) <> p.quantity OR MIN(c.serial_start) <> p.serial_start
                OR MAX(c.serial_end) <> p.serial_end OR p.status <> 'superseded'
                OR SUM(CASE WHEN c.prefix <> p.prefix THEN 1 ELSE 0 END) > 0
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
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        result.blocks = cursor.fetchone()[0]
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
