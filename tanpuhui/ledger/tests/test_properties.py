"""Hypothesis: a state machine of ledger operations checked against a model after every step, and
property tests for caps and multipliers."""

import datetime
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.ledger import services
from tanpuhui.ledger.conversion import campaign_multiplier_create, reductions_convert
from tanpuhui.ledger.errors import AlreadyReversed, IdempotencyMismatch, InsufficientCoins
from tanpuhui.ledger.expiry import coins_expire
from tanpuhui.ledger.models import Account, CoinAward, Transfer, TransferKind
from tanpuhui.ledger.tests.factories import default_rule, make_reduction
from tanpuhui.tenancy.tests.factories import CentreFactory

_codes = itertools.count()
D = datetime.date


def new_centre():
    return CentreFactory(code=f"H{next(_codes)}")


class LedgerMachine(RuleBasedStateMachine):
    @initialize()
    def setup(self):
        self.centre = new_centre()
        default_rule(self.centre, "10", expiry_months=24)
        self.residents = [ResidentFactory(centre=self.centre) for _ in range(2)]
        self.wallets = [services.wallet_of(r) for r in self.residents]
        self.merchant = services.account_get_or_create(kind="merchant", centre=self.centre, code="m")
        self.issuance = services.issuance_of(self.centre)
        self.model = defaultdict(int)  # account pk → expected balance
        self.posted = []  # (kwargs, transfer pk) of successful postings, for replay
        self.spends = {}  # spend pk → amount not yet reversed
        self.n = 0
        self.expired_days = set()

    def key(self):
        self.n += 1
        return f"{self.centre.code}:{self.n}"

    def _post(self, **kwargs):
        transfer = services.transfer_post(**kwargs)
        self.model[kwargs["debit"].pk] -= kwargs["amount"]
        self.model[kwargs["credit"].pk] += kwargs["amount"]
        self.posted.append((kwargs, transfer.pk))
        return transfer

    @rule(who=st.integers(0, 1), amount=st.integers(1, 60))
    def credit(self, who, amount):
        self._post(
            debit=self.issuance,
            credit=self.wallets[who],
            amount=amount,
            kind=TransferKind.EARN,
            idempotency_key=self.key(),
        )

    @rule(who=st.integers(0, 1), amount=st.integers(1, 90))
    def spend(self, who, amount):
        wallet = self.wallets[who]
        kwargs = dict(
            debit=wallet,
            credit=self.merchant,
            amount=amount,
            kind=TransferKind.SPEND,
            idempotency_key=self.key(),
        )
        if self.model[wallet.pk] >= amount:
            transfer = self._post(**kwargs)
            self.spends[transfer.pk] = amount
        else:
            with pytest.raises(InsufficientCoins):
                services.transfer_post(**kwargs)

    @precondition(lambda self: self.spends)
    @rule(data=st.data())
    def reverse(self, data):
        pk = data.draw(st.sampled_from(sorted(self.spends)))
        transfer = Transfer.objects.get(pk=pk)
        if self.spends[pk] == 0:
            with pytest.raises(AlreadyReversed):
                services.transfer_reverse(transfer=transfer, idempotency_key=self.key())
            return
        services.transfer_reverse(transfer=transfer, idempotency_key=self.key())
        self.model[transfer.credit_id] -= transfer.amount
        self.model[transfer.debit_id] += transfer.amount
        self.spends[pk] = 0

    @precondition(lambda self: self.posted)
    @rule(data=st.data(), change=st.booleans())
    def replay(self, data, change):
        kwargs, pk = data.draw(st.sampled_from(self.posted))
        if change:
            with pytest.raises(IdempotencyMismatch):
                services.transfer_post(**{**kwargs, "amount": kwargs["amount"] + 1})
        else:
            assert services.transfer_post(**kwargs).pk == pk

    @rule(days=st.integers(0, 3))
    def expire(self, days):
        # Everything in the wallets is older than 24 months "then": it all expires, once per day.
        when = timezone.now() + datetime.timedelta(days=800 + days)
        day = timezone.localdate(when)
        coins_expire(now=when, centre_ids=[self.centre.pk])
        breakage = services.breakage_of(self.centre)
        for wallet in self.wallets:
            # one expiry transfer per wallet and day (written only when something was due)
            if (wallet.pk, day) not in self.expired_days and self.model[wallet.pk] > 0:
                self.model[breakage.pk] += self.model[wallet.pk]
                self.model[wallet.pk] = 0
                self.expired_days.add((wallet.pk, day))

    @invariant()
    def books_balance(self):
        accounts = Account.objects.filter(centre=self.centre)
        assert (accounts.aggregate(s=Sum("balance"))["s"] or 0) == 0
        for pk, balance, allow_negative in accounts.values_list("pk", "balance", "allow_negative"):
            assert balance == self.model[pk], (pk, balance, self.model[pk])
            assert allow_negative or balance >= 0
            credits = Transfer.objects.filter(credit_id=pk).aggregate(s=Sum("amount"))["s"] or 0
            debits = Transfer.objects.filter(debit_id=pk).aggregate(s=Sum("amount"))["s"] or 0
            assert balance == credits - debits


@pytest.mark.django_db
def test_ledger_state_machine():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


reductions = st.lists(
    st.tuples(st.sampled_from(["bus", "metro"]), st.decimals("0", "4", places=2), st.integers(0, 40)),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=reductions, bus_day=st.integers(0, 30), all_month=st.integers(0, 80), split=st.integers(0, 25))
def test_caps_are_never_exceeded(items, bus_day, all_month, split):
    centre = new_centre()
    default_rule(
        centre,
        "10",
        caps=[
            {"behaviour": "bus", "period": "day", "max_coins": bus_day},
            {"behaviour": "", "period": "month", "max_coins": all_month},
        ],
    )
    resident = ResidentFactory(centre=centre)
    for i, (behaviour, kg, offset) in enumerate(items):
        make_reduction(resident, kg, behaviour, D(2026, 1, 1) + datetime.timedelta(days=offset))
        if i == split:
            reductions_convert(centre_ids=[centre.pk])  # caps must hold across runs too
    reductions_convert(centre_ids=[centre.pk])
    awards = CoinAward.objects.filter(resident=resident)
    per_bus_day = defaultdict(int)
    per_month = defaultdict(int)
    for a in awards:
        assert 0 <= a.milli_awarded <= a.milli_computed
        if a.behaviour == "bus":
            per_bus_day[a.period_end] += a.milli_awarded
        per_month[(a.period_end.year, a.period_end.month)] += a.milli_awarded
    assert all(v <= bus_day * 1000 for v in per_bus_day.values())
    assert all(v <= all_month * 1000 for v in per_month.values())
    wallet = services.wallet_of(resident)
    total = awards.aggregate(s=Sum("milli_awarded"))["s"] or 0
    assert wallet.balance * 1000 + wallet.fraction_milli == total  # nothing lost to rounding


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kg=st.decimals("0.01", "50", places=2),
    factors=st.lists(st.decimals("1.1", "10", places=1), min_size=0, max_size=3),
    month=st.integers(1, 4),
    runs=st.integers(1, 3),
)
def test_multiplier_applies_once(kg, factors, month, runs):
    """Campaigns in months 1, 2, 3 (never overlapping); the reduction's month's campaign applies, once."""
    centre = new_centre()
    default_rule(centre, "10")
    for i, f in enumerate(factors):
        campaign_multiplier_create(
            centre=centre,
            name=f"c{i}",
            starts_on=D(2026, i + 1, 1),
            ends_on=D(2026, i + 2, 1) - datetime.timedelta(days=1),
            factor=f,
        )
    resident = ResidentFactory(centre=centre)
    make_reduction(resident, kg, "metro", D(2026, month, 15))
    for _ in range(runs):
        reductions_convert(centre_ids=[centre.pk])
    factor = factors[month - 1] if month <= len(factors) else Decimal(1)
    expected = int(kg * 10 * factor * 1000)  # floor of milli-coins
    award = CoinAward.objects.get(resident=resident)
    assert award.milli_awarded == expected
    wallet = services.wallet_of(resident)
    assert (wallet.balance, wallet.fraction_milli) == divmod(expected, 1000)
    assert Transfer.objects.filter(Q(credit=wallet) | Q(debit=wallet)).count() <= 1
