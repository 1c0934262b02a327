"""The conversion's pricing: a pure function over named rows — no database in this file."""

import copy
import uuid
from collections import defaultdict
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tanpuhui.ledger.conversion import Awarded, Claimed, price
from tanpuhui.ledger.rules import Cap, Multiplier, RuleBook, RuleVersion, period_start

CENTRE = 7
ALICE = str(uuid.UUID(int=1))  # resident ids travel as canonical text
BOB = str(uuid.UUID(int=2))


def book(rate_e4=100_000, caps=(), multipliers=()):
    """10 coins/kg from 2026-01-01 (rule 1), optional caps and multipliers."""
    return RuleBook(
        {CENTRE: [RuleVersion(1, date(2026, 1, 1), rate_e4, tuple(caps))]}, {CENTRE: list(multipliers)}
    )


def test_worked_example_rate_multiplier_cap_and_clawback():
    # 10 coins/kg; metro ×2 in June; bus capped at 5 coins a day.
    rules = book(
        caps=[Cap("bus", "day", 5000)],
        multipliers=[Multiplier(9, "metro", date(2026, 6, 1), date(2026, 6, 30), 2000)],
    )
    rows = [
        Claimed(1, ALICE, CENTRE, "metro", date(2026, 6, 3), 2500),  # 0.25 kg × 10 × 2 = 5 coins
        Claimed(2, ALICE, CENTRE, "bus", date(2026, 6, 3), 4000),  # 4 coins
        Claimed(3, ALICE, CENTRE, "bus", date(2026, 6, 3), 4000),  # 4 more, but 1 left today
        Claimed(4, ALICE, CENTRE, "metro", date(2026, 6, 3), -1250, adjusts_id=1),  # half of #1 removed
        Claimed(5, BOB, CENTRE, "walking", date(2025, 12, 31), 10_000),  # before any rule: nothing
    ]
    awards = price(rows, book=rules)
    assert [(a.milli_computed, a.milli_awarded, a.capped_by) for a in awards] == [
        (5000, 5000, ""),
        (4000, 4000, ""),
        (4000, 1000, "bus/day"),
        (-2500, -2500, ""),
        (0, 0, ""),
    ]
    assert [a.factor_e3 for a in awards] == [2000, 1000, 1000, 1000, 1000]
    assert [a.multiplier_id for a in awards] == [9, None, None, None, None]
    assert [a.rule_id for a in awards] == [1, 1, 1, None, None]
    assert awards[3].root_id == 1


def test_clawback_of_a_reduction_converted_in_an_earlier_run_uses_its_history():
    # Reduction 10 (root 10) earned 20,000 milli for 2 kg earlier; now 0.5 kg of it is removed.
    rows = [Claimed(11, ALICE, CENTRE, "bus", date(2026, 3, 1), -5000, adjusts_id=10)]
    history = {10: Awarded(20_000, 20_000)}
    roots = {10: 10}
    (award,) = price(rows, book=book(), roots=roots, history=history)
    assert (award.root_id, award.milli_awarded) == (10, -5000)
    assert history == {10: Awarded(20_000, 20_000)} and roots == {10: 10}  # arguments untouched


def test_cap_usage_from_earlier_runs_counts():
    usage = {(ALICE, "", "month", date(2026, 6, 1)): 2_999_000}
    rules = book(caps=[Cap("", "month", 3_000_000)])
    (award,) = price([Claimed(1, ALICE, CENTRE, "bus", date(2026, 6, 9), 10_000)], book=rules, usage=usage)
    assert (award.milli_computed, award.milli_awarded, award.capped_by) == (10_000, 1000, "*/month")
    assert usage == {(ALICE, "", "month", date(2026, 6, 1)): 2_999_000}


BEHAVIOURS = ("bus", "metro", "walking")


@st.composite
def chunks(draw):
    """Rows of two residents in resident, id order; some are negative adjustments of earlier rows."""
    rows: list[Claimed] = []
    next_id = 1
    for resident in (ALICE, BOB):
        mine: list[Claimed] = []
        for _ in range(draw(st.integers(0, 12))):
            day = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 90)))
            positives = [r for r in mine if r.kg_e4 > 0]
            if positives and draw(st.booleans()):
                parent = draw(st.sampled_from(positives))
                row = Claimed(next_id, resident, CENTRE, parent.behaviour, parent.period_end,
                              -draw(st.integers(1, 30_000)), parent.reduction_id)  # fmt: skip
            else:
                row = Claimed(next_id, resident, CENTRE, draw(st.sampled_from(BEHAVIOURS)), day,
                              draw(st.integers(1, 30_000)))  # fmt: skip
            mine.append(row)
            next_id += 1
        rows += mine
    return rows


@settings(max_examples=200, deadline=None)
@given(
    rows=chunks(),
    rate_e4=st.integers(0, 200_000),
    day_cap=st.integers(0, 20_000),
    month_cap=st.integers(0, 100_000),
    factor_e3=st.integers(1001, 10_000),
)
def test_price_properties(rows, rate_e4, day_cap, month_cap, factor_e3):
    rules = book(
        rate_e4=rate_e4,
        caps=[Cap("bus", "day", day_cap), Cap("", "month", month_cap)],
        multipliers=[Multiplier(3, "metro", date(2026, 2, 1), date(2026, 2, 28), factor_e3)],
    )
    before = copy.deepcopy(rows)
    awards = price(rows, book=rules)
    assert rows == before and len(awards) == len(rows)
    per_root: dict[int, int] = defaultdict(int)
    bus_day: dict[tuple, int] = defaultdict(int)
    month: dict[tuple, int] = defaultdict(int)
    for row, award in zip(rows, awards, strict=True):
        assert award.reduction_id == row.reduction_id and award.resident_id == row.resident_id
        if row.kg_e4 > 0:
            in_campaign = row.behaviour == "metro" and row.period_end.month == 2
            assert award.factor_e3 == (factor_e3 if in_campaign else 1000)
            assert award.milli_computed == row.kg_e4 * rate_e4 * award.factor_e3 // 10**8  # floor
            assert 0 <= award.milli_awarded <= award.milli_computed
            assert (award.milli_awarded < award.milli_computed) == bool(award.capped_by)
        else:
            assert award.milli_awarded <= 0 and award.milli_awarded == award.milli_computed
        per_root[award.root_id] += award.milli_awarded
        assert per_root[award.root_id] >= 0  # a clawback never takes back more than was awarded
        if row.behaviour == "bus":
            bus_day[(row.resident_id, row.period_end)] += award.milli_awarded
        month[(row.resident_id, row.period_end.month)] += award.milli_awarded
    assert all(total <= day_cap for total in bus_day.values())
    assert all(total <= month_cap for total in month.values())


@settings(max_examples=100, deadline=None)
@given(kg=st.lists(st.integers(1, 50_000), min_size=1, max_size=5), rate_e4=st.integers(1, 200_000))
def test_revoking_everything_claws_back_exactly_what_was_awarded(kg, rate_e4):
    rows = [Claimed(i + 1, ALICE, CENTRE, "walking", date(2026, 5, 1), k) for i, k in enumerate(kg)]
    # every original fully revoked, in pieces: first half, then the rest
    next_id = len(rows) + 1
    for i, k in enumerate(kg):
        for piece in (k // 2, k - k // 2):
            if piece:
                rows.append(Claimed(next_id, ALICE, CENTRE, "walking", date(2026, 5, 1), -piece, i + 1))
                next_id += 1
    awards = price(rows, book=book(rate_e4=rate_e4))
    assert sum(a.milli_awarded for a in awards) == 0


def _read_back(prior, rules):
    """What ``usage_load`` and ``history_load`` read from the awards of earlier chunks, as plain sums."""
    usage: dict[tuple, int] = defaultdict(int)
    history: dict[int, Awarded] = {}
    for a in prior:
        for cap_behaviour, period in rules.cap_pairs:
            if cap_behaviour in ("", a.behaviour):
                usage[(a.resident_id, cap_behaviour, period, period_start(period, a.period_end))] += (
                    a.milli_awarded
                )
        kg, milli = history.get(a.root_id, Awarded(0, 0))
        history[a.root_id] = Awarded(kg + a.kg_e4, milli + a.milli_awarded)
    return usage, {a.reduction_id: a.root_id for a in prior}, history


@settings(max_examples=200, deadline=None)
@given(
    rows=chunks(),
    cuts=st.lists(st.integers(1, 24), max_size=6),
    rate_e4=st.integers(0, 200_000),
    day_cap=st.integers(0, 20_000),
    month_cap=st.integers(0, 100_000),
)
def test_pricing_chunk_by_chunk_equals_pricing_at_once(rows, cuts, rate_e4, day_cap, month_cap):
    # The conversion may cut the reductions into chunks of any size (ids in order): each chunk is
    # priced with the cap usage and clawback history its predecessors left in the awards, and the
    # awards must be exactly those of one chunk holding everything.
    rules = book(
        rate_e4=rate_e4,
        caps=[Cap("bus", "day", day_cap), Cap("", "month", month_cap)],
        multipliers=[Multiplier(3, "metro", date(2026, 2, 1), date(2026, 2, 28), 2000)],
    )
    at_once = {a.reduction_id: a for a in price(rows, book=rules)}
    prior: list = []
    low = 0
    for high in [*sorted(set(cuts)), 10**9]:
        part = [r for r in rows if low < r.reduction_id <= high]  # still in resident, id order
        usage, roots, history = _read_back(prior, rules)
        prior += price(part, book=rules, usage=usage, roots=roots, history=history)
        low = high
    assert {a.reduction_id: a for a in prior} == at_once
