"""The back office shows each centre's staff only their own centre's merchants, offers and vouchers."""

import pytest
from django.test import Client

from tanpuhui.marketplace.models import Merchant
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["merchant", "offer", "voucher", "verificationattempt", "event"])
def test_changelists_are_scoped(gz, zs, gz_operator, zs_operator, model):
    gz_merchant = MerchantFactory(centre=gz, name="广州米铺")
    OfferFactory(merchant=gz_merchant, title="广州大米")
    for user, visible in ((gz_operator, True), (zs_operator, False)):
        client = Client()
        client.force_login(user)
        page = client.get(f"/admin/marketplace/{model}/")
        assert page.status_code == 200
        if model == "merchant":
            assert ("广州米铺" in page.content.decode()) is visible
        if model == "offer":
            assert ("广州大米" in page.content.decode()) is visible
    client = Client()
    client.force_login(zs_operator)
    assert client.get(f"/admin/marketplace/merchant/{gz_merchant.pk}/change/").status_code in (302, 404)
    assert Merchant.objects.count() == 1
