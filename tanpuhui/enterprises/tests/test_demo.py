import pytest


@pytest.mark.django_db
def test_demo_runs_twice_without_changes_and_the_ledger_balances(django_capture_on_commit_callbacks):
    from importlib import import_module

    from tanpuhui.enterprises.models import Donation, RetrofitProject
    from tanpuhui.funding.models import CrowdfundingProject, FundingPool, Pledge
    from tanpuhui.funding.selectors import pool_coins, pool_coins_of
    from tanpuhui.ledger.check import ledger_check
    from tanpuhui.ledger.models import Transfer

    def load_all():
        for context in [
            "tenancy",
            "accounts",
            "methodology",
            "metering",
            "ledger",
            "marketplace",
            "enterprises",
            "funding",
        ]:
            try:
                module = import_module(f"tanpuhui.{context}.demo")
            except ModuleNotFoundError:
                continue
            with django_capture_on_commit_callbacks(execute=True):
                module.load()

    def snapshot():
        return (
            Donation.objects.count(),
            Transfer.objects.count(),
            Pledge.objects.count(),
            list(FundingPool.objects.order_by("pk").values_list("yuan_spent", flat=True)),
            sorted(pool_coins(FundingPool.objects.all()).items()),
        )

    load_all()
    first = snapshot()
    load_all()
    assert snapshot() == first
    # the Zhongshan reviewer of the README (13800000022) has a retrofit waiting in their own centre
    from tanpuhui.accounts.audiences import STAFF
    from tanpuhui.accounts.models import User
    from tanpuhui.enterprises import selectors

    reviewer = User.objects.get(phone="13800000022")
    assert STAFF.scope(selectors.review_queue(), reviewer).filter(centre__code="ZS").exists()
    project = RetrofitProject.objects.get(title__contains="181盏")
    assert project.status == "approved" and str(project.kg_co2e) == "107113.0000"
    pool = Donation.objects.get().pool
    figures = pool_coins_of(pool)
    assert 0 < figures.balance < figures.coins_in  # the donation funded a redeemed offer
    assert figures.coins_out == 500 and figures.reserved == 0  # the verified voucher, paid once
    statuses = set(CrowdfundingProject.objects.values_list("status", flat=True))
    assert {"succeeded", "failed"} <= statuses
    assert ledger_check().ok
