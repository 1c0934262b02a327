"""Real threads on PostgreSQL: mixed credit / spend / reverse / duplicate / convert, then the books must add up."""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Count, Sum

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common.errors import ServiceError
from tanpuhui.ledger import services
from tanpuhui.ledger.check import ledger_check
from tanpuhui.ledger.conversion import reductions_convert
from tanpuhui.ledger.models import Account, AccountKind, CoinAward, Transfer, TransferKind
from tanpuhui.ledger.tests.factories import default_rule, make_reduction
from tanpuhui.tenancy.tests.factories import CentreFactory

THREADS = 32
OPS = 25

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"),
]


@pytest.mark.django_db(transaction=True)
def test_32_threads_mixed_postings_keep_the_books():
    gz = CentreFactory(code="GZ")
    default_rule(gz, "10")
    residents = [ResidentFactory(centre=gz) for _ in range(6)]
    wallets = [services.wallet_of(r).pk for r in residents]
    merchants = [
        services.account_get_or_create(kind=AccountKind.MERCHANT, centre=gz, code=f"m{i}").pk
        for i in range(3)
    ]
    issuance = services.issuance_of(gz).pk
    for r in residents:
        for k in range(40):
            make_reduction(r, f"{(k % 7) * 0.13 + 0.05:.2f}", ["bus", "metro", "cycling"][k % 3])
    reduction_count = len(residents) * 40

    spends: list[int] = []
    lock = threading.Lock()
    unexpected: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def worker(n: int) -> None:
        rng = random.Random(n)
        try:
            barrier.wait()
            for j in range(OPS):
                op = rng.choice(["credit", "spend", "spend", "reverse", "dup", "shared", "convert"])
                try:
                    if op == "credit":
                        key = f"c:{n}:{j}"
                        services.transfer_post(
                            debit=issuance,
                            credit=rng.choice(wallets),
                            amount=rng.randint(1, 30),
                            kind=TransferKind.EARN,
                            idempotency_key=key,
                        )
                    elif op == "spend":
                        t = services.transfer_post(
                            debit=rng.choice(wallets),
                            credit=rng.choice(merchants),
                            amount=rng.randint(1, 40),
                            kind=TransferKind.SPEND,
                            idempotency_key=f"s:{n}:{j}",
                        )
                        with lock:
                            spends.append(t.pk)
                    elif op == "reverse":
                        with lock:
                            target = rng.choice(spends) if spends else None
                        if target:
                            services.transfer_reverse(transfer=target, idempotency_key=f"r:{target}:{n}:{j}")
                    elif op == "dup":
                        # the same request twice in a row from this thread
                        args = dict(
                            debit=issuance,
                            credit=rng.choice(wallets),
                            amount=5,
                            kind=TransferKind.EARN,
                            idempotency_key=f"d:{n}:{j}",
                        )
                        a = services.transfer_post(**args)
                        b = services.transfer_post(**args)
                        assert a.pk == b.pk
                    elif op == "shared":
                        # the same key from many threads at once: one effect
                        k = j % 5
                        services.transfer_post(
                            debit=issuance,
                            credit=wallets[k % len(wallets)],
                            amount=7,
                            kind=TransferKind.EARN,
                            idempotency_key=f"shared:{k}",
                        )
                    else:
                        reductions_convert(chunk_size=50)
                except ServiceError as exc:
                    if exc.code not in {"insufficient_coins", "already_reversed"}:
                        raise
        except BaseException as exc:
            with lock:
                unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not unexpected, unexpected[:3]
    reductions_convert()

    assert Account.objects.aggregate(s=Sum("balance"))["s"] == 0
    assert not Account.objects.filter(allow_negative=False, balance__lt=0).exists()
    # each key applied once: one row per (key, leg) is a constraint; shared keys hold one transfer each
    assert set(
        Transfer.objects.filter(idempotency_key__startswith="shared:")
        .values_list("idempotency_key", "leg")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    ) <= {1}
    assert Transfer.objects.filter(idempotency_key__startswith="shared:").count() <= 5
    # each reversal bounded by its original
    for original, total in (
        Transfer.objects.filter(reverses__isnull=False)
        .values_list("reverses_id")
        .annotate(s=Sum("amount"))
        .values_list("reverses_id", "s")
    ):
        assert total <= Transfer.objects.get(pk=original).amount
    # every reduction converted exactly once
    assert CoinAward.objects.count() == reduction_count
    result = ledger_check()
    assert result.ok, result.problems[:5]
    kinds = dict(Transfer.objects.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    assert kinds.get("earn", 0) and kinds.get("spend", 0) and kinds.get("reversal", 0), kinds


@pytest.mark.django_db(transaction=True)
def test_concurrent_rule_versions_queue_up_instead_of_failing():
    from datetime import date

    from tanpuhui.ledger.conversion import conversion_rule_create
    from tanpuhui.ledger.models import ConversionRule

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    centre = CentreFactory(code="GZ")
    barrier = threading.Barrier(6)
    errors: list[Exception] = []

    def publish(i: int) -> None:
        try:
            barrier.wait()
            conversion_rule_create(centre=centre, effective_from=date(2027, 1, 1 + i), coins_per_kg=10)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(ConversionRule.objects.filter(centre=centre).values_list("version", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
