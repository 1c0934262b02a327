import pytest

from tanpuhui.ledger.tests.factories import fund
from tanpuhui.marketplace.models import MerchantStaff
from tanpuhui.marketplace.tests.factories import (
    MerchantFactory,
    OfferFactory,
    OutletFactory,
    make_merchant_staff,
)


@pytest.fixture
def merchant(gz):
    m = MerchantFactory(centre=gz, name="天河米铺")
    OutletFactory(merchant=m, name="体育西店")
    return m


@pytest.fixture
def cashier(merchant):
    return make_merchant_staff(merchant).user


@pytest.fixture
def manager(merchant):
    return make_merchant_staff(merchant, role=MerchantStaff.Role.MANAGER)


@pytest.fixture
def other_merchant(gz):
    return MerchantFactory(centre=gz, name="别家影院")


@pytest.fixture
def other_cashier(other_merchant):
    return make_merchant_staff(other_merchant).user


@pytest.fixture
def offer(merchant):
    return OfferFactory(merchant=merchant, price_coins=10, stock=5, per_resident_limit=1)


@pytest.fixture
def rich_resident(resident):
    fund(resident, 1000)
    return resident
