"""Marketplace ↔ funding: a voucher drawing on a pool is only issued while the pool can fund it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tanpuhui.funding import services as funding
from tanpuhui.funding.models import FundingPool
from tanpuhui.ledger import services as ledger
from tanpuhui.ledger.models import Account
from tanpuhui.ledger.tests.factories import fund
from tanpuhui.marketplace import services
from tanpuhui.marketplace.models import Offer, Voucher
from tanpuhui.marketplace.tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def _subsidy(centre, actor, yuan):
    pool = funding.pool_create(
        centre=centre,
        source=FundingPool.Source.GOVERNMENT_SUBSIDY,
        name_zh="补贴",
        name_en="Subsidy",
        actor=actor,
    )
    return funding.pool_appropriate(pool_id=pool.pk, yuan=Decimal(yuan), reference="R-1", actor=actor)


def _redeem(client, offer, key):
    return client.post(
        reverse("api:offer-redeem", args=[offer.pk]), {}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


def _balance(user):
    return Account.objects.get(pk=ledger.wallet_of(user).pk).balance


def test_second_redeem_refused_when_pool_only_funds_one(
    client_for, gz_operator, resident, other_resident, merchant
):
    pool = _subsidy(merchant.centre, gz_operator, "5")
    offer = OfferFactory(
        merchant=merchant,
        funding_pool=pool,
        yuan_value="5.00",
        price_coins=10,
        stock=10,
        per_resident_limit=2,
    )
    fund(resident, 100)
    client = client_for(resident)
    first = _redeem(client, offer, "p-1")
    assert first.status_code == 201
    second = _redeem(client, offer, "p-2")
    assert (second.status_code, second.json()["error"]["code"]) == (409, "pool_exhausted")
    # Nothing changed by the refusal: one unit sold, coins spent once, one voucher.
    assert Offer.objects.get(pk=offer.pk).redeemed == 1
    assert _balance(resident) == 90
    assert Voucher.objects.filter(offer=offer).count() == 1
    # Another offer on the same pool is refused too: the issued voucher is a commitment of the pool.
    sibling = OfferFactory(merchant=merchant, funding_pool=pool, yuan_value="1.00", price_coins=10)
    with pytest.raises(services.Conflict) as exc:
        services.voucher_redeem(offer_id=sibling.pk, resident=resident)
    assert exc.value.code == "pool_exhausted"
    assert Offer.objects.get(pk=sibling.pk).redeemed == 0


def test_pool_top_up_reopens_redemption(gz_operator, resident, merchant):
    pool = _subsidy(merchant.centre, gz_operator, "5")
    offer = OfferFactory(
        merchant=merchant, funding_pool=pool, yuan_value="5.00", price_coins=10, per_resident_limit=3
    )
    fund(resident, 100)
    services.voucher_redeem(offer_id=offer.pk, resident=resident)
    with pytest.raises(services.Conflict):
        services.voucher_redeem(offer_id=offer.pk, resident=resident)
    funding.pool_appropriate(pool_id=pool.pk, yuan=Decimal("5"), reference="R-2", actor=gz_operator)
    assert services.voucher_redeem(offer_id=offer.pk, resident=resident).yuan_value == Decimal("5.00")


def test_merchant_funded_offer_is_not_limited_by_pools(resident, merchant):
    offer = OfferFactory(
        merchant=merchant, funding_pool=None, yuan_value="500.00", price_coins=10, per_resident_limit=2
    )
    fund(resident, 100)
    services.voucher_redeem(offer_id=offer.pk, resident=resident)
    services.voucher_redeem(offer_id=offer.pk, resident=resident)
    assert Voucher.objects.filter(offer=offer).count() == 2


def test_an_expired_voucher_no_longer_holds_pool_budget(gz_operator, resident, merchant):
    pool = _subsidy(merchant.centre, gz_operator, "5")
    offer = OfferFactory(
        merchant=merchant, funding_pool=pool, yuan_value="5.00", price_coins=10, per_resident_limit=3
    )
    fund(resident, 100)
    first = services.voucher_redeem(offer_id=offer.pk, resident=resident)
    with pytest.raises(services.Conflict):
        services.voucher_redeem(offer_id=offer.pk, resident=resident)
    Voucher.objects.filter(pk=first.pk).update(status=Voucher.Status.EXPIRED)
    assert services.voucher_redeem(offer_id=offer.pk, resident=resident).status == Voucher.Status.ISSUED
