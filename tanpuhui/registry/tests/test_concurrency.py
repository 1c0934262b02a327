"""Races on PostgreSQL with real threads: many partial movements of one block at once."""

import threading
from datetime import date

import pytest
from django.db import connection

from tanpuhui.common.errors import Conflict, ServiceError
from tanpuhui.ledger.tests.factories import make_reduction
from tanpuhui.registry import check, services
from tanpuhui.registry.models import CreditBlock, Movement, ReportReduction
from tanpuhui.registry.tests.factories import account, issued_block, project

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and the exclusion constraint"),
]


def test_simultaneous_partial_transfers_and_retirements_of_one_block(gz, province):
    block, holder, _officer = issued_block(gz, province, quantity=100)
    buyers = [account(gz)[0] for _ in range(3)]
    n_threads, outcomes, barrier = 12, [], threading.Barrier(12)

    def work(i):
        try:
            barrier.wait()
            if i % 3 == 0:
                services.credits_retire(
                    block_id=block.pk,
                    quantity=7,
                    actor=holder,
                    idempotency_key=f"race-{i}",
                    beneficiary="2026 广东低碳日",
                    purpose="voluntary",
                )
            else:
                services.credits_transfer(
                    block_id=block.pk,
                    quantity=9,
                    to_account=buyers[i % 3],
                    actor=holder,
                    idempotency_key=f"race-{i}",
                )
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 4 × 7 + 8 × 9 = 100: every movement fits exactly, so all succeed
    assert outcomes.count("ok") == n_threads, outcomes
    live = list(CreditBlock.objects.exclude(status="superseded").order_by("serial_start"))
    assert sum(b.quantity for b in live) == 100
    serials = [s for b in live for s in range(b.serial_start, b.serial_end + 1)]
    assert serials == list(range(1, 101))  # unique and none lost
    assert Movement.objects.filter(kind__in=["transfer", "retire"]).count() == n_threads
    result = check.run()
    assert result.ok, result.problems


def test_more_demand_than_supply_is_refused_not_overdrawn(gz, province):
    block, holder, _officer = issued_block(gz, province, quantity=20)
    buyer = account(gz)[0]
    outcomes, barrier = [], threading.Barrier(6)

    def work(i):
        try:
            barrier.wait()
            services.credits_transfer(
                block_id=block.pk, quantity=6, to_account=buyer, actor=holder, idempotency_key=f"over-{i}"
            )
            outcomes.append("ok")
        except ServiceError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3 and outcomes.count("insufficient_credits") == 3
    assert sum(CreditBlock.objects.filter(account=buyer).values_list("quantity", flat=True)) == 18
    assert check.run().ok


def test_a_reduction_offered_to_two_reports_at_once(gz, province):
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff

    owner, _ = account(gz)
    proj = project(gz, owner)
    resident = ResidentFactory(centre=gz)
    for d in range(1, 6):
        make_reduction(resident, "400", behaviour="metro", period_end=date(2026, 3, d))
    operators = [make_staff(Role.CENTRE_OPERATOR, gz) for _ in range(2)]
    outcomes, barrier = [], threading.Barrier(2)

    def work(i):
        try:
            barrier.wait()
            services.report_create(
                actor=operators[i], project=proj, period_start=date(2026, 3, 1), period_end=date(2026, 3, 31)
            )
            outcomes.append("ok")
        except (Conflict, ServiceError) as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["nothing_to_report", "ok"], ["ok", "reduction_taken"])
    assert ReportReduction.objects.count() == 5
