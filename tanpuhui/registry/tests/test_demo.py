import pytest


@pytest.mark.django_db
def test_demo_issues_sells_retires_and_stays_clean(django_capture_on_commit_callbacks):
    from importlib import import_module

    from tanpuhui.ledger.check import ledger_check
    from tanpuhui.ledger.models import Transfer
    from tanpuhui.marketplace.models import Voucher
    from tanpuhui.registry import check
    from tanpuhui.registry.models import CreditBlock, Movement, Retirement, Sale

    def load_all():
        for context in ["tenancy", "accounts", "methodology", "metering", "ledger", "marketplace", "funding",
                        "enterprises", "registry"]:  # fmt: skip
            module = import_module(f"tanpuhui.{context}.demo")
            with django_capture_on_commit_callbacks(execute=True):
                module.load()

    def snapshot():
        return Movement.objects.count(), CreditBlock.objects.count(), Transfer.objects.count()

    load_all()
    first = snapshot()
    purposes = set(Retirement.objects.values_list("purpose", flat=True))
    assert purposes == {"ets_compliance", "voluntary"}
    sale = Sale.objects.get(seller__kind="centre")
    assert sale.booked_pool is not None and sale.proceeds_fen == sale.quantity * sale.price_fen
    assert Voucher.objects.filter(offer__funding_pool=sale.booked_pool).exists()
    assert {p.kind for p in CreditBlock.objects.values_list("project", flat=True).distinct() and
            [b.project for b in CreditBlock.objects.select_related("project")]} == {"transit", "forestry"}  # fmt: skip
    result = check.run()
    assert result.ok, result.problems
    assert ledger_check().ok
    load_all()
    assert snapshot() == first
