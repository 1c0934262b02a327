import datetime

import pytest
from django.db.models import Sum

from tanpuhui.accounts import demo as accounts_demo
from tanpuhui.accounts.models import User
from tanpuhui.ledger import demo, services
from tanpuhui.ledger.models import Account, CoinAward, Transfer
from tanpuhui.ledger.tests.factories import make_reduction
from tanpuhui.tenancy import demo as tenancy_demo

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_converts_reductions():
    tenancy_demo.load()
    accounts_demo.load()
    resident = User.objects.get(phone=accounts_demo.resident_phone("GZ", 1))
    make_reduction(resident, "1.5", "metro", datetime.date(2026, 6, 15))  # Low Carbon Day: ×2
    make_reduction(resident, "2", "bus", datetime.date(2026, 7, 1))
    demo.load()
    state = (Transfer.objects.count(), list(Account.objects.order_by("pk").values_list("pk", "balance")))
    assert services.wallet_of(resident).balance == 20 + 30 + 20  # welcome + metro ×2 + bus
    assert CoinAward.objects.count() == 2
    demo.load()
    assert (
        Transfer.objects.count(),
        list(Account.objects.order_by("pk").values_list("pk", "balance")),
    ) == state
    assert Account.objects.aggregate(s=Sum("balance"))["s"] == 0
