"""Reductions → coins, in bulk, exactly once: claim → price (chunk by chunk) → post (once per resident).

A run claims unclaimed reductions with one set-based ``INSERT … SELECT … ON CONFLICT DO NOTHING
RETURNING`` into ``metering.ReductionClaim`` (unique per reduction, purpose "coins"): a reduction
claimed by another run, or for another purpose, is never converted again. Within the same
transaction ``price`` (a pure function over named rows: no database) computes each reduction's
milli-coins (integer arithmetic) and applies caps; ``post`` posts one posting per resident (EARN, or
REVERSAL/RECOVERY for clawbacks) through the ledger's bulk posting engine
(``services.postings_post``: lock order, floors, idempotency, set-based balance changes) and records a
``CoinAward`` row per reduction. Rules, caps and campaign multipliers come from ``ledger.rules``. Whole coins go to the wallet; the fraction (0–999 milli-coins)
stays on the wallet account (``fraction_milli``) and is carried into the next conversion.

Arithmetic (all integers): kg is read in 1/10 000 kg, the rule rate in 1/10 000 coin per kg and the
campaign factor in 1/1000, so ``milli = kg_e4 × rate_e4 × factor_e3 // 10⁸`` (floor).

Caps bound the milli-coins *awarded* (after multipliers) per resident and period (day / month /
year of the reduction's ``period_end``), per behaviour and for all behaviours together.

Negative adjustments claw back in proportion to the kg removed from what the corrected reduction
(its root) was awarded: with K kg awarded A milli so far, removing d kg leaves ``A × (K−d) // K``,
so revoking everything claws back exactly A. Clawbacks follow the reversal policy (docs/ledger.md):
take what the wallet holds, and record the rest as debt, recovered from future earnings.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from tanpuhui.common import db as sqlite
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.models import AccountKind, CoinAward, ConversionRun, TransferKind
from tanpuhui.ledger.rules import (
    NO_MULTIPLIER_E3,
    RuleBook,
    campaign_multiplier_create,
    conversion_rule_create,
    period_next,
    period_start,
)
from tanpuhui.ledger.signals import coins_converted
from tanpuhui.ledger.sqlarrays import array_literal
from tanpuhui.metering.models import Reduction, ReductionClaim

__all__ = [
    "Award",
    "Claimed",
    "ConversionResult",
    "campaign_multiplier_create",
    "conversion_rule_create",
    "price",
    "reductions_convert",
]

CHUNK = 20_000
POST_GROUP = 20_000  # residents posted per transaction (their wallets locked for that long)
# pg_advisory_xact_lock key: conversion runs are serialised (claims alone already make them safe;
# the lock just avoids two runs waiting on each other's claims row by row).
ADVISORY_KEY = 0x7470_4C45  # "tpLE"
RUN_CAUSE = ConversionRun._meta.label_lower  # "ledger.conversionrun": the cause of conversion transfers


class Claimed(NamedTuple):
    """A reduction claimed for coins (kg in 1/10 000 kg)."""

    reduction_id: int
    resident_id: str  # the resident's UUID as canonical text (hashes and compares at C speed)
    centre_id: int
    behaviour: str
    period_end: date
    kg_e4: int
    adjusts_id: int | None = None


class Award(NamedTuple):
    """What one reduction earned, and why (one ``CoinAward`` row)."""

    reduction_id: int
    root_id: int
    resident_id: str
    centre_id: int
    behaviour: str
    period_end: date
    kg_e4: int
    rule_id: int | None
    multiplier_id: int | None
    factor_e3: int
    milli_computed: int
    milli_awarded: int
    capped_by: str


# (resident, cap behaviour or "", period, period start) → milli-coins awarded so far
UsageKey = tuple[str, str, str, date]


class Awarded(NamedTuple):
    """What a corrected reduction's root was awarded so far: kg and milli-coins."""

    kg_e4: int
    milli: int


@dataclass
class ConversionResult:
    runs: int = 0
    reductions: int = 0
    coins_earned: int = 0
    coins_reversed: int = 0
    run_ids: list[int] = field(default_factory=list)


# --- the run ----------------------------------------------------------------------------------


def reductions_convert(
    *, centre_ids: Iterable[int] | None = None, batch_id: str = "", chunk_size: int | None = None
) -> ConversionResult:
    """Convert every unclaimed reduction (of ``centre_ids``, or all) into coins. Safe to run
    concurrently and repeatedly: each reduction is converted at most once. One call is one run: its
    chunks are priced first (claims and awards, no wallet touched), then each resident's net is posted
    once. On SQLite a chunk is a short window (``common.db``), so residents' writes never wait long."""
    if chunk_size is None:
        chunk_size = min(CHUNK, sqlite.window_rows()) if sqlite.one_writer() else CHUNK
    centres = None if centre_ids is None else [int(c) for c in centre_ids]
    run: ConversionRun | None = None
    after_id = 0  # everything eligible up to here was claimed by an earlier chunk of this call
    while True:
        with transaction.atomic():
            priced = chunk_price(
                run=run, centre_ids=centres, batch_id=batch_id, chunk_size=chunk_size, after_id=after_id
            )
        if priced is None:
            break
        run, claimed, after_id = priced
        if claimed < chunk_size:
            break
        if sqlite.one_writer():
            sqlite.let_writers_in()
    result = ConversionResult()
    if run is None:
        return result
    run = run_post(run_id=run.pk)
    coins_converted.send(sender=ConversionRun, run_id=run.pk)
    result.runs = 1
    result.run_ids.append(run.pk)
    result.reductions = run.reductions
    result.coins_earned = run.coins_earned
    result.coins_reversed = run.coins_reversed
    return result


def chunk_price(
    *,
    run: ConversionRun | None,
    centre_ids: list[int] | None,
    batch_id: str,
    chunk_size: int,
    after_id: int = 0,
) -> tuple[ConversionRun, int, int] | None:
    """Price one chunk of ``run`` (a new run when None; inside the caller's transaction): claim →
    price → record the awards. Returns the run, how many reductions it claimed and the highest id
    (the next chunk claims above it); None when nothing is left to claim, or when the run was taken
    over (its lease ran out and ``conversions_finish`` posted it: the rest goes to a later run)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
    now = timezone.now()
    if run is None:
        run = ConversionRun.objects.create(
            batch_id=str(batch_id or "")[:64], state=ConversionRun.State.PRICING, heartbeat_at=now
        )
    else:
        run = ConversionRun.objects.select_for_update().get(pk=run.pk)
        if run.state != ConversionRun.State.PRICING:
            return None
    rows = claim(run=run, centre_ids=centre_ids, chunk_size=chunk_size, after_id=after_id)
    if not rows:
        if not run.reductions:
            transaction.set_rollback(True)  # a run that claimed nothing leaves no row
        return None
    book = RuleBook.load({r.centre_id for r in rows})
    usage = usage_load(rows=rows, book=book)
    roots, history = history_load(rows=rows)
    awards = price(rows, book=book, usage=usage, roots=roots, history=history)
    awards_insert(run=run, awards=awards)
    ConversionRun.objects.filter(pk=run.pk).update(reductions=F("reductions") + len(rows), heartbeat_at=now)
    run.reductions += len(rows)
    return run, len(rows), max(r.reduction_id for r in rows)


def run_post(*, run_id: int, group_size: int | None = None) -> ConversionRun:
    """Post a priced run: each resident's net milli-coins once, ``group_size`` residents a
    transaction (their wallets locked only for that transaction), resuming after ``posted_through``
    — so a run whose poster died is finished by the next one, and each resident is posted once."""
    if group_size is None:
        group_size = min(POST_GROUP, sqlite.window_rows()) if sqlite.one_writer() else POST_GROUP
    while True:
        with transaction.atomic():
            run = ConversionRun.objects.select_for_update().get(pk=run_id)
            if run.state == ConversionRun.State.POSTED:
                return run
            net = run_nets(run=run, limit=group_size)
            if not net:
                run.state = ConversionRun.State.POSTED
                run.finished_at = run.heartbeat_at = timezone.now()
                run.save(update_fields=["state", "finished_at", "heartbeat_at"])
                return run
            post(run=run, net=net)
            last_resident, last_centre = next(reversed(net))
            run.state = ConversionRun.State.PRICED
            run.posted_through = f"{last_resident}:{last_centre}"
            run.heartbeat_at = timezone.now()
            run.save(
                update_fields=["state", "posted_through", "heartbeat_at", "coins_earned", "coins_reversed"]
            )
        if sqlite.one_writer():
            sqlite.let_writers_in()


def run_nets(*, run: ConversionRun, limit: int) -> dict[ResidentKey, int]:
    """The next ``limit`` (resident, centre) of ``run`` after its ``posted_through``, in that order,
    with each one's net milli-coins over all of the run's awards (index: run, resident, centre)."""
    awards = CoinAward.objects.filter(run=run)
    if run.posted_through:
        resident, centre = run.posted_through.rsplit(":", 1)
        awards = awards.filter(
            Q(resident_id__gt=uuid.UUID(resident))
            | Q(resident_id=uuid.UUID(resident), centre_id__gt=int(centre))
        )
    rows = (
        awards.values("resident_id", "centre_id")
        .annotate(milli=Sum("milli_awarded"))
        .order_by("resident_id", "centre_id")
        .values_list("resident_id", "centre_id", "milli")[:limit]
    )
    return {(resident_text(r), int(c)): int(m) for r, c, m in rows}


def lease() -> timedelta:
    """A run not posted whose heartbeat is older than this lost its owner: ``conversions_finish``
    posts it (setting ``LEDGER_CONVERSION_LEASE_SECONDS``; a chunk or a group takes seconds)."""
    return timedelta(seconds=max(int(getattr(settings, "LEDGER_CONVERSION_LEASE_SECONDS", 600)), 1))


def conversions_finish(*, stale_after: timedelta | None = None) -> list[int]:
    """Post every run whose owner stopped before posting it (its heartbeat older than the lease):
    a run still pricing is closed where it stands (its claimed reductions are priced; the rest is
    left to a later run) and posted. Returns the runs finished."""
    cutoff = timezone.now() - (lease() if stale_after is None else stale_after)
    finished = []
    for run_id in (
        ConversionRun.objects.exclude(state=ConversionRun.State.POSTED)
        .filter(heartbeat_at__lt=cutoff)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            run = ConversionRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
            if run is None or run.state == ConversionRun.State.POSTED:
                continue  # someone else is on it, or just finished it
            if run.heartbeat_at and run.heartbeat_at >= cutoff:
                continue  # alive after all
            run.state = ConversionRun.State.PRICED
            run.heartbeat_at = timezone.now()
            run.save(update_fields=["state", "heartbeat_at"])
        run_post(run_id=run_id)
        coins_converted.send(sender=ConversionRun, run_id=run_id)
        finished.append(run_id)
    return finished


# --- claim ------------------------------------------------------------------------------------


def claim(
    *, run: ConversionRun, centre_ids: list[int] | None, chunk_size: int, after_id: int = 0
) -> list[Claimed]:
    """Claim up to ``chunk_size`` unclaimed reductions (ids above ``after_id``, lowest first) for
    ``run`` and read them, ordered by resident then id (an adjustment after the reduction it corrects).
    Fewer than ``chunk_size`` means nothing above ``after_id`` is left to claim."""
    if connection.vendor == "postgresql":
        return _claim_pg(run=run, centre_ids=centre_ids, chunk_size=chunk_size, after_id=after_id)
    red, claim_table = Reduction._meta.db_table, ReductionClaim._meta.db_table
    params: list[Any] = [timezone.now(), f"run:{run.pk}", after_id]
    centre_sql = ""
    if centre_ids is not None:
        ids = centre_ids or [-1]
        centre_sql = f" AND r.centre_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    params.append(chunk_size)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {claim_table} (reduction_id, purpose, claimed_at, reference)
                SELECT r.id, 'coins', %s, %s FROM {red} r
                LEFT JOIN {claim_table} c ON c.reduction_id = r.id
                LEFT JOIN {claim_table} pc ON pc.reduction_id = r.adjusts_id
                WHERE r.id > %s AND c.id IS NULL
                  AND (r.adjusts_id IS NULL OR pc.id IS NULL OR pc.purpose = 'coins'){centre_sql}
                ORDER BY r.id LIMIT %s
                ON CONFLICT (reduction_id) DO NOTHING
                RETURNING reduction_id""",  # noqa: S608 — table names from model meta; values are parameters
            params,
        )
        if not cursor.fetchall():
            return []
        # this chunk's claims: the run's earlier chunks claimed the ids up to after_id
        cursor.execute(
            f"""SELECT {CLAIMED_COLUMNS} FROM {red} r JOIN {claim_table} c ON c.reduction_id = r.id
                WHERE c.reference = %s AND r.id > %s ORDER BY r.resident_id, r.id""",  # noqa: S608
            [f"run:{run.pk}", after_id],
        )
        return [_claimed(row) for row in cursor.fetchall()]


CLAIMED_COLUMNS = (
    "r.id, r.resident_id, r.centre_id, r.behaviour, r.period_end, ROUND(r.kg_co2e * 10000), r.adjusts_id"
)
# PostgreSQL hands the resident id over as text (SQLite stores it as 32 hex digits: see resident_text)
CLAIMED_COLUMNS_PG = CLAIMED_COLUMNS.replace("r.resident_id", "r.resident_id::text")


def resident_text(value: Any) -> str:
    """A resident id as canonical UUID text, whatever form the database gave it in."""
    if isinstance(value, str) and len(value) == 36:
        return value
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def _claimed(row: Sequence[Any]) -> Claimed:
    rid, res, cid, beh, pe, kg, adj = row
    return Claimed(rid, resident_text(res), cid, beh, _as_date(pe), int(kg), adj)


def _claim_pg(
    *, run: ConversionRun, centre_ids: list[int] | None, chunk_size: int, after_id: int
) -> list[Claimed]:
    """PostgreSQL: walk the reductions in primary-key order, ``chunk_size`` candidates a statement,
    claiming the eligible ones, until the chunk is full or no reduction is left. Each statement reads
    a bounded range of the primary key whatever the planner's statistics say (filtering by centre
    first would scan every reduction of the centre above ``after_id``, chunk after chunk)."""
    red, claim_table = Reduction._meta.db_table, ReductionClaim._meta.db_table
    centre_sql = "" if centre_ids is None else " AND r.centre_id = ANY(%(centres)s::bigint[])"
    sql = f"""
        WITH candidate AS MATERIALIZED (
            SELECT id FROM {red} WHERE id > %(after)s ORDER BY id LIMIT %(window)s
        ), claimed AS (
            INSERT INTO {claim_table} (reduction_id, purpose, claimed_at, reference)
            SELECT r.id, 'coins', %(now)s, %(ref)s FROM candidate JOIN {red} r ON r.id = candidate.id
            WHERE NOT EXISTS (SELECT 1 FROM {claim_table} c WHERE c.reduction_id = r.id)
              AND (r.adjusts_id IS NULL OR NOT EXISTS (
                   SELECT 1 FROM {claim_table} pc WHERE pc.reduction_id = r.adjusts_id AND pc.purpose <> 'coins'
              )){centre_sql}
            ORDER BY r.id LIMIT %(want)s
            ON CONFLICT (reduction_id) DO NOTHING
            RETURNING reduction_id
        )
        SELECT {CLAIMED_COLUMNS_PG}, (SELECT max(id) FROM candidate)
        FROM claimed JOIN {red} r ON r.id = claimed.reduction_id
        UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, (SELECT max(id) FROM candidate)
    """  # noqa: S608 — table names from model meta; values are parameters
    rows: list[Claimed] = []
    params: dict[str, Any] = {
        "now": timezone.now(),
        "ref": f"run:{run.pk}",
        "window": chunk_size,
        "centres": array_literal(centre_ids or [-1]),
    }
    with connection.cursor() as cursor:
        while len(rows) < chunk_size:
            want = chunk_size - len(rows)
            cursor.execute(sql, {**params, "after": after_id, "want": want})
            result = cursor.fetchall()
            # the row without a reduction says how far this statement read
            last_candidate = next(row[-1] for row in result if row[0] is None)
            got = [_claimed(row[:-1]) for row in result if row[0] is not None]
            rows += got
            if last_candidate is None:  # no reduction above after_id
                break
            # a full take may have left eligible candidates behind its last claim: go on from there
            after_id = max(r.reduction_id for r in got) if len(got) == want else last_candidate
    rows.sort(key=lambda r: (r.resident_id, r.reduction_id))
    return rows


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def usage_load(*, rows: Sequence[Claimed], book: RuleBook) -> dict[UsageKey, int]:
    """Milli-coins already awarded per cap (behaviour or "", period, period start) to the residents
    of ``rows``, for the cap periods those rows fall in. Only the caps in force are aggregated, and
    for a behaviour's cap only residents with that behaviour in the chunk."""
    usage: dict[UsageKey, int] = defaultdict(int)
    pairs = book.cap_pairs
    if not pairs:
        return usage
    if connection.vendor == "postgresql":
        # exactly the (resident, cap, period) windows this chunk falls in, all caps in one statement
        pairs_for = {b: [(c, p) for c, p in pairs if c in ("", b)] for b in {r.behaviour for r in rows}}
        windows = {
            (r.resident_id, cap_beh, period, period_start(period, r.period_end))
            for r in rows
            for cap_beh, period in pairs_for[r.behaviour]
        }
        if not windows:
            return usage
        columns = list(zip(*windows, strict=True))
        ends = [period_next(p, d) for p, d in zip(columns[2], columns[3], strict=True)]
        table = CoinAward._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT u.r::text, u.b, u.p, u.s, SUM(a.milli_awarded)::bigint
                    FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::date[], %s::date[]) AS u(r, b, p, s, e)
                    JOIN {table} a ON a.resident_id = u.r AND a.period_end >= u.s AND a.period_end < u.e
                                  AND (u.b = '' OR a.behaviour = u.b)
                    GROUP BY 1, 2, 3, 4""",  # noqa: S608 — table name from model meta; values are parameters
                [*(array_literal(c) for c in columns), array_literal(ends)],
            )
            for resident_id, cap_beh, period, start, total in cursor.fetchall():
                usage[(resident_id, cap_beh, period, start)] += int(total)
        return usage
    days = [r.period_end for r in rows]
    totals = (
        CoinAward.objects.filter(
            resident_id__in={r.resident_id for r in rows},
            period_end__gte=date(min(days).year, 1, 1),
            period_end__lte=date(max(days).year, 12, 31),
        )
        .values("resident_id", "behaviour", "period_end")
        .annotate(total=Sum("milli_awarded"))
        .values_list("resident_id", "behaviour", "period_end", "total")
    )
    for resident_id, behaviour, day, total in totals:
        for cap_beh, period in pairs:
            if cap_beh in ("", behaviour):
                usage[(resident_text(resident_id), cap_beh, period, period_start(period, day))] += int(total)
    return usage


def history_load(*, rows: Sequence[Claimed]) -> tuple[dict[int, int], dict[int, Awarded]]:
    """For adjustments of reductions converted in earlier runs: the root each parent belongs to, and
    what each such root was awarded so far (kg and milli-coins)."""
    in_chunk = {r.reduction_id for r in rows}
    outside = {r.adjusts_id for r in rows if r.adjusts_id is not None} - in_chunk
    if not outside:
        return {}, {}
    roots: dict[int, int] = dict(
        CoinAward.objects.filter(reduction_id__in=outside).values_list("reduction_id", "root_id")
    )
    for parent in outside:
        roots.setdefault(parent, parent)
    history = {
        root_id: Awarded(int(Decimal(kg_sum) * 10000), int(milli_sum))
        for root_id, kg_sum, milli_sum in CoinAward.objects.filter(root_id__in=set(roots.values()))
        .values("root_id")
        .annotate(kg=Sum("kg_co2e"), milli=Sum("milli_awarded"))
        .values_list("root_id", "kg", "milli")
    }
    return roots, history


# --- price (pure) -----------------------------------------------------------------------------


def price(
    rows: Sequence[Claimed],
    *,
    book: RuleBook,
    usage: dict[UsageKey, int] | None = None,
    roots: dict[int, int] | None = None,
    history: dict[int, Awarded] | None = None,
) -> list[Award]:
    """Each reduction's milli-coins: ``kg_e4 × rate_e4 × factor_e3 // 10⁸`` (floor), capped by the
    rule's caps given ``usage`` so far; a negative adjustment claws back in proportion to the kg it
    removes from what its root was awarded (``history``). Pure: reads no database and changes none
    of its arguments. ``rows`` in resident then id order (an adjustment after what it corrects)."""
    used: dict[UsageKey, int] = defaultdict(int, usage or {})
    root_of = dict(roots or {})
    state = dict(history or {})
    pairs_for: dict[str, list[tuple[str, str]]] = {}

    def touch(resident: str, behaviour: str, day: date, amount: int) -> None:
        if behaviour not in pairs_for:
            pairs_for[behaviour] = [(b, p) for b, p in book.cap_pairs if b in ("", behaviour)]
        for cap_beh, period in pairs_for[behaviour]:
            used[(resident, cap_beh, period, period_start(period, day))] += amount

    awards: list[Award] = []
    for row in rows:
        root = row.reduction_id if row.adjusts_id is None else root_of.get(row.adjusts_id, row.adjusts_id)
        root_of[row.reduction_id] = root
        so_far = state.get(root, Awarded(0, 0))
        rule = multiplier = None
        factor_e3, capped_by = NO_MULTIPLIER_E3, ""
        if row.adjusts_id is not None and row.kg_e4 < 0:
            left = so_far.kg_e4 + row.kg_e4
            if so_far.kg_e4 <= 0 or so_far.milli <= 0:
                clawback = 0
            elif left <= 0:
                clawback = so_far.milli
            else:
                clawback = so_far.milli - so_far.milli * left // so_far.kg_e4
            computed = awarded = -clawback
            state[root] = Awarded(left, so_far.milli - clawback)
            if clawback:
                touch(row.resident_id, row.behaviour, row.period_end, -clawback)
        else:
            rule = book.rule(row.centre_id, row.period_end)
            computed = 0
            if rule is not None and row.kg_e4 > 0:
                multiplier = book.multiplier(row.centre_id, row.behaviour, row.period_end)
                factor_e3 = multiplier.factor_e3 if multiplier else NO_MULTIPLIER_E3
                computed = row.kg_e4 * rule.rate_e4 * factor_e3 // 10**8
            awarded = computed
            for cap in rule.caps if rule and awarded > 0 else ():
                if cap.behaviour in ("", row.behaviour):
                    key = (
                        row.resident_id,
                        cap.behaviour,
                        cap.period,
                        period_start(cap.period, row.period_end),
                    )
                    room = max(0, cap.limit_milli - used[key])
                    if room < awarded:
                        awarded, capped_by = room, f"{cap.behaviour or '*'}/{cap.period}"
            if awarded > 0:
                touch(row.resident_id, row.behaviour, row.period_end, awarded)
            state[root] = Awarded(so_far.kg_e4 + max(row.kg_e4, 0), so_far.milli + awarded)
        awards.append(
            Award(
                reduction_id=row.reduction_id,
                root_id=root,
                resident_id=row.resident_id,
                centre_id=row.centre_id,
                behaviour=row.behaviour,
                period_end=row.period_end,
                kg_e4=row.kg_e4,
                rule_id=rule.pk if rule else None,
                multiplier_id=multiplier.pk if multiplier else None,
                factor_e3=factor_e3,
                milli_computed=computed,
                milli_awarded=awarded,
                capped_by=capped_by,
            )
        )
    return awards


# --- post -------------------------------------------------------------------------------------


ResidentKey = tuple[str, int]  # (resident id as text, centre)


class CoinPlan(NamedTuple):
    postings: list[ledger.Posting]
    fractions: dict[int, int]  # wallet → milli-coins carried forward
    coins_earned: int
    coins_reversed: int


def coin_postings(
    *,
    run_id: int,
    net: dict[ResidentKey, int],
    wallets: dict[ResidentKey, int],
    debts: dict[ResidentKey, int],
    issuance: dict[int, int],
    locked: dict[int, ledger.LockedAccount],
) -> CoinPlan:
    """One posting per resident from their net milli-coins (pure): whole coins EARN (+ RECOVERY of
    debt) or are clawed back (REVERSAL: the wallet first, then debt); the fraction carries forward."""
    postings: list[ledger.Posting] = []
    fractions: dict[int, int] = {}
    earned = reversed_ = 0
    for key, milli in net.items():
        wallet, iss, debt = wallets[key], issuance[key[1]], debts.get(key)
        coins, fractions[wallet] = divmod(locked[wallet].fraction_milli + milli, 1000)
        legs: list[ledger.Leg] = []
        if coins > 0:
            earned += coins
            legs.append(ledger.Leg(debit=iss, credit=wallet, amount=coins, kind=TransferKind.EARN))
            owed = -locked[debt].balance if debt else 0
            if debt and owed > 0:
                legs.append(
                    ledger.Leg(debit=wallet, credit=debt, amount=min(coins, owed), kind=TransferKind.RECOVERY)
                )
        elif coins < 0:
            owed = -coins
            reversed_ += owed
            from_wallet = min(owed, locked[wallet].balance)
            if from_wallet:
                legs.append(
                    ledger.Leg(debit=wallet, credit=iss, amount=from_wallet, kind=TransferKind.REVERSAL)
                )
            if owed - from_wallet:
                assert debt is not None  # opened for every resident whose net is negative
                legs.append(
                    ledger.Leg(debit=debt, credit=iss, amount=owed - from_wallet, kind=TransferKind.REVERSAL)
                )
        if legs:
            postings.append(
                ledger.Posting(posting_key(run_id=run_id, resident_id=key[0], centre_id=key[1]), legs)
            )
    return CoinPlan(postings, fractions, earned, reversed_)


def post(*, run: ConversionRun, net: dict[ResidentKey, int]) -> None:
    """Post ``net`` (milli-coins per resident of ``run``) through the ledger's bulk posting engine:
    one posting per resident, keyed ``conv:<run>:<resident>:<centre>``."""
    issuance = {c: ledger.issuance_of(c).pk for c in sorted({c for _r, c in net})}
    # one look-up that is also the lock: wallets (opened if missing), debts (opened for clawbacks)
    # and the issuance accounts, in pk order
    accounts = ledger.user_accounts_lock(
        keys=net,
        kinds=(AccountKind.WALLET, AccountKind.DEBT),
        open_={AccountKind.WALLET: net, AccountKind.DEBT: [k for k, m in net.items() if m < 0]},
        with_ids=issuance.values(),
    )
    wallets: dict[ResidentKey, int] = {}
    debts: dict[ResidentKey, int] = {}
    for (kind, resident_id, centre_id), pk in accounts.ids.items():
        (wallets if kind == AccountKind.WALLET else debts)[(resident_id, centre_id)] = pk
    locked = accounts.locked
    plan = coin_postings(
        run_id=run.pk, net=net, wallets=wallets, debts=debts, issuance=issuance, locked=locked
    )
    ledger.postings_post(
        postings=plan.postings, cause=run, memo="conversion", locked=locked, fractions=plan.fractions
    )
    run.coins_earned += plan.coins_earned
    run.coins_reversed += plan.coins_reversed


def posting_key(*, run_id: int, resident_id: Any, centre_id: int) -> str:
    """The idempotency key of a run's posting for one resident: how a transfer finds its awards."""
    return f"conv:{run_id}:{resident_text(resident_id)}:{centre_id}"


def posting_key_parse(key: str) -> tuple[int, str, int]:
    """``posting_key``'s parts back: (run, resident as UUID text, centre)."""
    _conv, run_id, resident_id, centre_id = key.split(":")
    return int(run_id), resident_id, int(centre_id)


AWARD_COLUMNS = (
    "run_id",
    "reduction_id",
    "root_id",
    "resident_id",
    "centre_id",
    "behaviour",
    "period_end",
    "kg_co2e",
    "rule_id",
    "multiplier_id",
    "factor",
    "milli_computed",
    "milli_awarded",
    "capped_by",
)


def _kg_text(kg_e4: int) -> str:
    sign = "-" if kg_e4 < 0 else ""
    whole, frac = divmod(abs(kg_e4), 10000)
    return f"{sign}{whole}.{frac:04d}"


def _award_row(run_id: int, a: Award) -> tuple[Any, ...]:
    return (
        run_id,
        a.reduction_id,
        a.root_id,
        a.resident_id,
        a.centre_id,
        a.behaviour,
        a.period_end,
        _kg_text(a.kg_e4),
        a.rule_id,
        a.multiplier_id,
        f"{a.factor_e3 // 1000}.{a.factor_e3 % 1000:03d}",
        a.milli_computed,
        a.milli_awarded,
        a.capped_by,
    )


def awards_insert(*, run: ConversionRun, awards: Sequence[Award]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {CoinAward._meta.db_table} ({', '.join(AWARD_COLUMNS)}) FROM STDIN") as copy:
                for award in awards:
                    copy.write_row(_award_row(run.pk, award))
        return
    CoinAward.objects.bulk_create(
        [CoinAward(**dict(zip(AWARD_COLUMNS, _award_row(run.pk, a), strict=True))) for a in awards],
        batch_size=2000,
    )
