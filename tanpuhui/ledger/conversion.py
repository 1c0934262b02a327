"""Reductions → coins, in bulk, exactly once.

A run claims unclaimed reductions with one set-based ``INSERT … SELECT … ON CONFLICT DO NOTHING
RETURNING`` into ``metering.ReductionClaim`` (unique per reduction, purpose "coins"): a reduction
claimed by another run, or for another purpose, is never converted again. Within the same
transaction it computes each reduction's milli-coins (integer arithmetic), applies caps, records a
``CoinAward`` row per reduction, posts one transfer per resident (EARN, or REVERSAL/RECOVERY for
clawbacks) and changes the balances. Whole coins go to the wallet; the fraction (0–999 milli-coins)
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

import bisect
import hashlib
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.common.errors import ValidationFailed
from tanpuhui.ledger.models import (
    Account,
    AccountKind,
    CampaignMultiplier,
    CapPeriod,
    CoinAward,
    ConversionCap,
    ConversionRule,
    ConversionRun,
    Transfer,
    TransferKind,
)
from tanpuhui.ledger.services import issuance_of
from tanpuhui.metering.models import Behaviour, Reduction, ReductionClaim
from tanpuhui.tenancy.models import Centre

CHUNK = 20_000
# pg_advisory_xact_lock key: conversion runs are serialised (claims alone already make them safe;
# the lock just avoids two runs waiting on each other's claims row by row).
ADVISORY_KEY = 0x7470_4C45  # "tpLE"
RUN_CAUSE = "ledger.conversionrun"
PERIODS = tuple(CapPeriod.values)  # (TextChoices.values is computed on every access: too slow in the loop)


# --- rules and campaigns ----------------------------------------------------------------------


def _decimal(value, name: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Enter a number."), fields={name: [str(value)]}) from exc
    if not result.is_finite():
        raise ValidationFailed(_("Enter a number."), fields={name: [str(value)]})
    return result


@transaction.atomic
def conversion_rule_create(
    *,
    centre,
    effective_from: date,
    coins_per_kg,
    expiry_months: int = 24,
    caps: list[dict] | tuple = (),
    notes: str = "",
) -> ConversionRule:
    """Add the next version of ``centre``'s conversion rule. ``caps``: ``[{"behaviour": "bus" or "",
    "period": "day"|"month"|"year", "max_coins": 50}, …]``."""
    rate = _decimal(coins_per_kg, "coins_per_kg")
    if rate < 0 or rate.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValidationFailed(
            _("Use a non-negative rate with at most 4 decimals."), fields={"coins_per_kg": [str(rate)]}
        )
    # Versions are numbered per centre: lock the centre row so two staff publishing at the same
    # moment queue up instead of colliding on the unique (centre, version).
    Centre.objects.select_for_update().filter(pk=centre.pk).first()
    last = ConversionRule.objects.filter(centre=centre).aggregate(v=Max("version"))["v"] or 0
    rule = ConversionRule.objects.create(
        centre=centre,
        version=last + 1,
        effective_from=effective_from,
        coins_per_kg=rate,
        expiry_months=expiry_months,
        notes=notes,
    )
    for cap in caps:
        behaviour = cap.get("behaviour", "") or ""
        if behaviour and behaviour not in Behaviour.values:
            raise ValidationFailed(_("Unknown behaviour."), fields={"behaviour": [behaviour]})
        if cap["period"] not in CapPeriod.values or int(cap["max_coins"]) < 0:
            raise ValidationFailed(_("Invalid cap."), fields={"caps": [str(cap)]})
        ConversionCap.objects.create(
            rule=rule, behaviour=behaviour, period=cap["period"], max_coins=int(cap["max_coins"])
        )
    return rule


def campaign_multiplier_create(
    *, centre, name: str, starts_on: date, ends_on: date, factor, behaviour: str = "", cause=None
) -> CampaignMultiplier:
    """A campaign: reductions of ``behaviour`` ("" = all) in ``centre`` whose period ends between
    ``starts_on`` and ``ends_on`` (inclusive) earn ``factor`` × coins (0 < factor ≤ 100, 3 decimals).
    Overlapping campaigns don't stack: the largest factor applies. ``cause``: e.g. the enterprises
    campaign row, recorded as ``cause_type``/``cause_id``."""
    value = _decimal(factor, "factor")
    if not (0 < value <= 100) or value.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValidationFailed(_("The factor must be between 0 and 100."), fields={"factor": [str(value)]})
    if ends_on < starts_on:
        raise ValidationFailed(_("The campaign ends before it starts."), fields={"ends_on": [str(ends_on)]})
    if behaviour and behaviour not in Behaviour.values:
        raise ValidationFailed(_("Unknown behaviour."), fields={"behaviour": [behaviour]})
    cause_type, cause_id = ("", "") if cause is None else (cause._meta.label_lower, str(cause.pk))
    return CampaignMultiplier.objects.create(
        centre=centre,
        name=name[:100],
        behaviour=behaviour,
        starts_on=starts_on,
        ends_on=ends_on,
        factor=value,
        cause_type=cause_type,
        cause_id=cause_id,
    )


# --- the run ----------------------------------------------------------------------------------


@dataclass
class ConversionResult:
    runs: int = 0
    reductions: int = 0
    coins_earned: int = 0
    coins_reversed: int = 0
    run_ids: list[int] = field(default_factory=list)


def reductions_convert(*, centre_ids=None, batch_id: str = "", chunk_size: int = CHUNK) -> ConversionResult:
    """Convert every unclaimed reduction (of ``centre_ids``, or all) into coins. Safe to run
    concurrently and repeatedly: each reduction is converted at most once."""
    result = ConversionResult()
    after_id = 0  # everything eligible up to here was claimed by an earlier chunk of this call
    while True:
        started = time.perf_counter()
        with transaction.atomic():
            run = _convert_chunk(
                centre_ids=centre_ids, batch_id=batch_id, chunk_size=chunk_size, after_id=after_id
            )
        TIMINGS["chunk incl. commit"] += time.perf_counter() - started
        if run is None:
            break
        after_id = run.max_reduction_id
        result.runs += 1
        result.run_ids.append(run.pk)
        result.reductions += run.reductions
        result.coins_earned += run.coins_earned
        result.coins_reversed += run.coins_reversed
        if run.reductions < chunk_size:
            break
    return result


def _claim(run: ConversionRun, centre_ids, chunk_size: int, after_id: int = 0) -> list[int]:
    red, claim = Reduction._meta.db_table, ReductionClaim._meta.db_table
    params: list = [timezone.now(), f"run:{run.pk}", after_id]
    centre_sql = ""
    if centre_ids is not None:
        ids = [int(c) for c in centre_ids] or [-1]
        centre_sql = f" AND r.centre_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    params.append(chunk_size)
    sql = f"""
        INSERT INTO {claim} (reduction_id, purpose, claimed_at, reference)
        SELECT r.id, 'coins', %s, %s FROM {red} r
        LEFT JOIN {claim} c ON c.reduction_id = r.id
        LEFT JOIN {claim} pc ON pc.reduction_id = r.adjusts_id
        WHERE r.id > %s AND c.id IS NULL AND (r.adjusts_id IS NULL OR pc.id IS NULL OR pc.purpose = 'coins'){centre_sql}
        ORDER BY r.id LIMIT %s
        ON CONFLICT (reduction_id) DO NOTHING
        RETURNING reduction_id
    """  # noqa: S608 — table names from model meta; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _kg_text(kg_e4: int) -> str:
    sign = "-" if kg_e4 < 0 else ""
    whole, frac = divmod(abs(kg_e4), 10000)
    return f"{sign}{whole}.{frac:04d}"


class _Rules:
    """Rule versions, caps and multipliers of the centres in a chunk, with memoised look-ups."""

    def __init__(self, centre_ids):
        self.by_centre: dict[int, list[ConversionRule]] = defaultdict(list)
        for rule in ConversionRule.objects.filter(centre_id__in=centre_ids).order_by("effective_from"):
            self.by_centre[rule.centre_id].append(rule)
        self.starts = {c: [r.effective_from for r in rules] for c, rules in self.by_centre.items()}
        self.caps: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
        for cap in ConversionCap.objects.filter(rule__centre_id__in=centre_ids):
            self.caps[cap.rule_id].append((cap.behaviour, cap.period, cap.max_coins * 1000))
        self.multipliers = list(CampaignMultiplier.objects.filter(centre_id__in=centre_ids))
        self._rule_memo: dict = {}
        self._mult_memo: dict = {}

    def rule(self, centre_id: int, day: date) -> ConversionRule | None:
        key = (centre_id, day)
        if key not in self._rule_memo:
            starts = self.starts.get(centre_id, [])
            i = bisect.bisect_right(starts, day) - 1
            self._rule_memo[key] = self.by_centre[centre_id][i] if i >= 0 else None
        return self._rule_memo[key]

    def multiplier(self, centre_id: int, behaviour: str, day: date) -> tuple[int, CampaignMultiplier | None]:
        key = (centre_id, behaviour, day)
        if key not in self._mult_memo:
            best: CampaignMultiplier | None = None
            for m in self.multipliers:
                if (
                    m.centre_id == centre_id
                    and m.behaviour in ("", behaviour)
                    and m.starts_on <= day <= m.ends_on
                    and (best is None or m.factor > best.factor)
                ):
                    best = m
            self._mult_memo[key] = (int(best.factor * 1000), best) if best else (1000, None)
        return self._mult_memo[key]


def _period_key(period: str, day: date) -> date:
    """The first day of the cap period containing ``day`` (the same key SQL's date_trunc gives)."""
    if period == CapPeriod.DAY:
        return day
    if period == CapPeriod.MONTH:
        return day.replace(day=1)
    return date(day.year, 1, 1)


def _period_next(period: str, start: date) -> date:
    """The first day of the cap period after the one starting at ``start``."""
    if period == CapPeriod.DAY:
        return start + timedelta(days=1)
    if period == CapPeriod.MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


# Seconds spent per phase of the conversion (cumulative, per process): printed by the benchmark.
TIMINGS: dict[str, float] = defaultdict(float)


class _Stopwatch:
    def __init__(self):
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        TIMINGS[phase] += now - self.last
        self.last = now


def _load_usage(usage: dict, rows: list[tuple], pairs, first: date, last: date) -> None:
    """Milli-coins already awarded per cap (behaviour or "", period, period start) to the residents
    of ``rows``, for the cap periods those rows fall in. Only the caps in force are aggregated, and
    for a behaviour's cap only residents with that behaviour in the chunk."""
    residents = {r[1] for r in rows}
    if connection.vendor == "postgresql":
        table = CoinAward._meta.db_table
        with connection.cursor() as cursor:
            for cap_beh, period in pairs:
                # exactly the (resident, cap period) windows this chunk falls in
                windows = sorted(
                    {(r[1], _period_key(period, r[4])) for r in rows if not cap_beh or r[3] == cap_beh}
                )
                if not windows:
                    continue
                behaviour_sql = " AND a.behaviour = %s" if cap_beh else ""
                cursor.execute(
                    f"""SELECT u.r, u.s, SUM(a.milli_awarded)::bigint
                        FROM unnest(%s::uuid[], %s::date[], %s::date[]) AS u(r, s, e)
                        JOIN {table} a ON a.resident_id = u.r AND a.period_end >= u.s AND a.period_end < u.e{behaviour_sql}
                        GROUP BY 1, 2""",  # noqa: S608
                    [
                        [w[0] for w in windows],
                        [w[1] for w in windows],
                        [_period_next(period, w[1]) for w in windows],
                        *([cap_beh] if cap_beh else []),
                    ],
                )
                for resident_id, key, total in cursor.fetchall():
                    usage[(resident_id, cap_beh, period, key)] += int(total)
        return
    rows = (
        CoinAward.objects.filter(
            resident_id__in=residents, period_end__gte=date(first.year, 1, 1), period_end__lte=last
        )
        .values("resident_id", "behaviour", "period_end")
        .annotate(total=Sum("milli_awarded"))
        .values_list("resident_id", "behaviour", "period_end", "total")
    )
    for resident_id, behaviour, day, total in rows:
        for cap_beh, period in pairs:
            if cap_beh in ("", behaviour):
                usage[(_as_uuid(resident_id), cap_beh, period, _period_key(period, day))] += int(total)


def _convert_chunk(*, centre_ids, batch_id: str, chunk_size: int, after_id: int = 0) -> ConversionRun | None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
    run = ConversionRun.objects.create(batch_id=str(batch_id or "")[:64])
    mark = _Stopwatch()
    claimed = _claim(run, centre_ids, chunk_size, after_id)
    if not claimed:
        transaction.set_rollback(True)
        return None
    red, claim = Reduction._meta.db_table, ReductionClaim._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            where, param = "r.id = ANY(%s::bigint[])", claimed
            join = ""
        else:
            where, param = "c.reference = %s", f"run:{run.pk}"
            join = f" JOIN {claim} c ON c.reduction_id = r.id"
        cursor.execute(
            f"""SELECT r.id, r.resident_id, r.centre_id, r.behaviour, r.period_end,
                       ROUND(r.kg_co2e * 10000), r.adjusts_id
                FROM {red} r{join}
                WHERE {where} ORDER BY r.resident_id, r.id""",  # noqa: S608
            [param],
        )
        rows = cursor.fetchall()
    rows = [
        (rid, _as_uuid(res), cid, beh, _as_date(pe), int(kg), adj) for rid, res, cid, beh, pe, kg, adj in rows
    ]
    run.max_reduction_id = max(r[0] for r in rows)
    centres = {r[2] for r in rows}
    mark("claim+fetch")
    rules = _Rules(centres)
    # Cap usage so far: milli awarded per (resident, cap behaviour or "", period, period start).
    pairs = sorted({(beh, period) for caps in rules.caps.values() for beh, period, _limit in caps})
    any_caps = bool(pairs)
    usage: dict = defaultdict(int)
    if any_caps:
        days = [r[4] for r in rows]
        _load_usage(usage, rows, pairs, min(days), date(max(days).year, 12, 31))
    pairs_for: dict[str, list] = {}

    def touch(resident, behaviour: str, day: date, amount: int) -> None:
        if behaviour not in pairs_for:
            pairs_for[behaviour] = [(b, p) for b, p in pairs if b in ("", behaviour)]
        for cap_beh, period in pairs_for[behaviour]:
            usage[(resident, cap_beh, period, _period_key(period, day))] += amount

    # Corrected reductions: each adjustment belongs to the root it (transitively) corrects; its
    # parent has a lower id and the same resident, so within this chunk it was seen first.
    in_chunk = {r[0] for r in rows}
    outside = {r[6] for r in rows if r[6] is not None} - in_chunk
    root_of: dict[int, int] = {}
    state: dict[int, list[int]] = {}
    if outside:
        root_of.update(
            CoinAward.objects.filter(reduction_id__in=outside).values_list("reduction_id", "root_id")
        )
        for parent in outside:
            root_of.setdefault(parent, parent)
        for root_id, kg_sum, milli_sum in (
            CoinAward.objects.filter(root_id__in={root_of[p] for p in outside})
            .values("root_id")
            .annotate(kg=Sum("kg_co2e"), milli=Sum("milli_awarded"))
            .values_list("root_id", "kg", "milli")
        ):
            state[root_id] = [int(Decimal(kg_sum) * 10000), int(milli_sum)]

    mark("rules+usage")
    awards: list[list] = []
    net: dict[tuple, int] = defaultdict(int)  # (resident, centre) → milli
    for rid, resident, centre_id, behaviour, day, kg_e4, adj in rows:
        root = rid if adj is None else root_of.get(adj, adj)
        root_of[rid] = root
        rule_id = mult_id = None
        factor_e3 = 1000
        capped_by = ""
        if adj is not None and kg_e4 < 0:
            k_total, a_total = state.get(root, [0, 0])
            new_k = k_total + kg_e4
            if k_total <= 0 or a_total <= 0:
                clawback = 0
            elif new_k <= 0:
                clawback = a_total
            else:
                clawback = a_total - a_total * new_k // k_total
            computed = awarded = -clawback
            state[root] = [new_k, a_total - clawback]
            if any_caps and clawback:
                touch(resident, behaviour, day, -clawback)
        else:
            rule = rules.rule(centre_id, day)
            computed = 0
            if rule is not None and kg_e4 > 0:
                rule_id = rule.pk
                factor_e3, mult = rules.multiplier(centre_id, behaviour, day)
                mult_id = mult.pk if mult else None
                computed = kg_e4 * int(rule.coins_per_kg * 10000) * factor_e3 // 10**8
            awarded = computed
            caps = rules.caps.get(rule_id, ()) if rule_id else ()
            if caps and awarded > 0:
                for cap_beh, period, limit in caps:
                    if cap_beh not in ("", behaviour):
                        continue
                    room = max(0, limit - usage[(resident, cap_beh, period, _period_key(period, day))])
                    if room < awarded:
                        awarded, capped_by = room, f"{cap_beh or '*'}/{period}"
            if any_caps and awarded > 0:
                touch(resident, behaviour, day, awarded)
            k_total, a_total = state.get(root, [0, 0])
            state[root] = [k_total + max(kg_e4, 0), a_total + awarded]
        net[(resident, centre_id)] += awarded
        awards.append(
            [
                rid,
                root,
                resident,
                centre_id,
                behaviour,
                day,
                kg_e4,
                rule_id,
                mult_id,
                factor_e3,
                computed,
                awarded,
                capped_by,
            ]
        )

    mark("compute")
    transfer_of = _post_coins(run, net)
    mark("post")
    _insert_awards(run, awards, transfer_of)
    mark("awards")
    run.reductions = len(rows)
    run.finished_at = timezone.now()
    run.save(update_fields=["reductions", "finished_at", "coins_earned", "coins_reversed"])
    return run


def _post_coins(run: ConversionRun, net: dict[tuple, int]) -> dict[tuple, int]:
    """One posting per resident: EARN (+ RECOVERY of debt) or REVERSAL clawback (wallet, then debt)."""
    keys = list(net)
    centres = {c for _r, c in keys}
    owner_ids = {str(r) for r, _c in keys}
    issuance = {centre_id: issuance_of(centre_id).pk for centre_id in centres}

    def accounts_of(kind: str) -> dict[tuple, int]:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""SELECT owner_id, centre_id, id FROM {Account._meta.db_table}
                        WHERE kind = %s AND owner_type = 'accounts.user' AND code = ''
                          AND owner_id = ANY(%s::text[]) AND centre_id = ANY(%s::bigint[])""",  # noqa: S608
                    [kind, list(owner_ids), list(centres)],
                )
                found = cursor.fetchall()
        else:
            found = Account.objects.filter(
                kind=kind, owner_type="accounts.user", owner_id__in=owner_ids, centre_id__in=centres, code=""
            ).values_list("owner_id", "centre_id", "pk")
        return {(uuid.UUID(o), c): pk for o, c, pk in found}

    wallets = accounts_of(AccountKind.WALLET)
    missing = [k for k in keys if k not in wallets]
    if missing:
        _create_user_accounts(AccountKind.WALLET, missing)
        wallets = accounts_of(AccountKind.WALLET)
    debts = accounts_of(AccountKind.DEBT)
    needs_debt = [k for k, milli in net.items() if milli < 0 and k not in debts]
    if needs_debt:
        _create_user_accounts(AccountKind.DEBT, needs_debt)
        debts = accounts_of(AccountKind.DEBT)

    lock_ids = sorted({*issuance.values(), *wallets.values(), *debts.values()})
    state = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT id, balance, fraction_milli FROM {Account._meta.db_table}
                    WHERE id = ANY(%s::bigint[]) ORDER BY id FOR UPDATE""",  # noqa: S608
                [lock_ids],
            )
            state = {pk: [bal, frac] for pk, bal, frac in cursor.fetchall()}
        lock_ids = []
    for start in range(0, len(lock_ids), 10000):
        part = lock_ids[start : start + 10000]
        state.update(
            {
                pk: [bal, frac]
                for pk, bal, frac in Account.objects.select_for_update()
                .filter(pk__in=part)
                .order_by("pk")
                .values_list("pk", "balance", "fraction_milli")
            }
        )

    now = timezone.now()
    legs: list[tuple] = []  # (resident key, debit, credit, amount, kind)
    delta: dict[int, int] = defaultdict(int)
    new_fraction: dict[int, int] = {}
    for key in keys:
        _resident, centre_id = key
        wallet, iss, debt = wallets[key], issuance[centre_id], debts.get(key)
        coins, fraction = divmod(state[wallet][1] + net[key], 1000)
        new_fraction[wallet] = fraction
        if coins > 0:
            legs.append((key, iss, wallet, coins, TransferKind.EARN))
            run.coins_earned += coins
            owed = -state[debt][0] if debt else 0
            if owed > 0:
                legs.append((key, wallet, debt, min(coins, owed), TransferKind.RECOVERY))
        elif coins < 0:
            owed = -coins
            run.coins_reversed += owed
            from_wallet = min(owed, state[wallet][0])
            if from_wallet:
                legs.append((key, wallet, iss, from_wallet, TransferKind.REVERSAL))
            if owed - from_wallet:
                legs.append((key, debt, iss, owed - from_wallet, TransferKind.REVERSAL))
    for _key, debit, credit, amount, _kind in legs:
        delta[debit] -= amount
        delta[credit] += amount

    counters: dict[tuple, int] = defaultdict(int)
    rows = []
    for key, debit, credit, amount, kind in legs:
        leg = counters[key]
        counters[key] += 1
        idem = f"conv:{run.pk}:{key[0]}:{key[1]}"
        rows.append((debit, credit, amount, str(kind), idem, leg, hashlib.sha256(idem.encode()).hexdigest()))
    created_ids = _insert_transfers(rows, str(run.pk), now)
    transfer_of: dict[tuple, int] = {}
    for (key, *_rest), row in zip(legs, rows, strict=True):
        transfer_of.setdefault(key, created_ids[(row[4], row[5])])

    _apply_deltas(delta, new_fraction)
    return transfer_of


def _create_user_accounts(kind: str, keys: list[tuple]) -> None:
    """Open the (resident, centre) accounts of ``kind`` that don't exist yet (set-based)."""
    negative = kind in (AccountKind.DEBT,)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {Account._meta.db_table}
                      (centre_id, kind, user_id, owner_type, owner_id, code, balance, allow_negative, fraction_milli, created_at)
                    SELECT c, %s, u, 'accounts.user', u::text, '', 0, %s, 0, %s
                    FROM unnest(%s::uuid[], %s::bigint[]) AS v(u, c)
                    ON CONFLICT DO NOTHING""",  # noqa: S608
                [kind, negative, timezone.now(), [r for r, _c in keys], [c for _r, c in keys]],
            )
        return
    Account.objects.bulk_create(
        [
            Account(
                centre_id=c,
                kind=kind,
                user_id=r,
                owner_type="accounts.user",
                owner_id=str(r),
                allow_negative=negative,
            )
            for r, c in keys
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


def _insert_transfers(rows: list[tuple], run_id: str, now) -> dict[tuple[str, int], int]:
    """Insert conversion transfers; returns {(idempotency_key, leg): id}."""
    if not rows:
        return {}
    if connection.vendor == "postgresql":
        ids: dict[tuple[str, int], int] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 20000):
                part = rows[start : start + 20000]
                cursor.execute(
                    f"""INSERT INTO {Transfer._meta.db_table}
                          (debit_id, credit_id, amount, kind, idempotency_key, leg, request_hash,
                           cause_type, cause_id, created_at, memo)
                        SELECT d, c, a, k, i, n, h, %s, %s, %s, 'conversion'
                        FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::int[], %s::text[])
                             AS v(d, c, a, k, i, n, h)
                        RETURNING id, idempotency_key, leg""",  # noqa: S608
                    [RUN_CAUSE, run_id, now, *(list(col) for col in zip(*part, strict=True))],
                )
                ids.update({(key, leg): pk for pk, key, leg in cursor.fetchall()})
        return ids
    created = Transfer.objects.bulk_create(
        [
            Transfer(
                debit_id=d,
                credit_id=c,
                amount=a,
                kind=k,
                idempotency_key=i,
                leg=n,
                request_hash=h,
                cause_type=RUN_CAUSE,
                cause_id=run_id,
                created_at=now,
                memo="conversion",
            )
            for d, c, a, k, i, n, h in rows
        ],
        batch_size=2000,
    )
    return {(t.idempotency_key, t.leg): t.pk for t in created}


def _apply_deltas(delta: dict[int, int], fraction: dict[int, int]) -> None:
    ids = sorted(set(delta) | set(fraction))
    if not ids:
        return
    if connection.vendor == "postgresql":
        table = Account._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {table} AS a
                    SET balance = a.balance + v.delta,
                        fraction_milli = COALESCE(v.frac, a.fraction_milli)
                    FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS v(id, delta, frac)
                    WHERE a.id = v.id""",  # noqa: S608
                [ids, [delta.get(i, 0) for i in ids], [fraction.get(i) for i in ids]],
            )
        return
    from django.db.models import F

    for pk in ids:
        updates: dict = {}
        if delta.get(pk):
            updates["balance"] = F("balance") + delta[pk]
        if pk in fraction:
            updates["fraction_milli"] = fraction[pk]
        if updates:
            Account.objects.filter(pk=pk).update(**updates)


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
    "transfer_id",
)


def _award_row(run_id, award, transfer_of) -> tuple:
    (
        rid,
        root,
        resident,
        centre_id,
        behaviour,
        day,
        kg_e4,
        rule_id,
        mult_id,
        factor_e3,
        computed,
        awarded,
        capped,
    ) = award
    return (
        run_id,
        rid,
        root,
        resident,
        centre_id,
        behaviour,
        day,
        _kg_text(kg_e4),
        rule_id,
        mult_id,
        f"{factor_e3 // 1000}.{factor_e3 % 1000:03d}",
        computed,
        awarded,
        capped,
        transfer_of.get((resident, centre_id)),
    )


def _insert_awards(run: ConversionRun, awards: list[list], transfer_of: dict) -> None:
    if connection.vendor == "postgresql":
        table = CoinAward._meta.db_table
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(AWARD_COLUMNS)}) FROM STDIN") as copy:
                for award in awards:
                    copy.write_row(_award_row(run.pk, award, transfer_of))
        return
    CoinAward.objects.bulk_create(
        [
            CoinAward(**dict(zip(AWARD_COLUMNS, _award_row(run.pk, a, transfer_of), strict=True)))
            for a in awards
        ],
        batch_size=2000,
    )
