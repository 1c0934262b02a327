from datetime import timedelta

import factory
from django.utils import timezone

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import UserFactory
from tanpuhui.marketplace.codes import USCC_CHARS, uscc_check_char
from tanpuhui.marketplace.models import Category, Merchant, MerchantStaff, Offer, Outlet


def make_uscc(n: int) -> str:
    body = f"91440101{n:09d}"
    body = "".join(c if c in USCC_CHARS else "0" for c in body)
    return body + uscc_check_char(body)


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    centre = None
    name = factory.Sequence(lambda n: f"商户{n}")
    licence_number = factory.Sequence(make_uscc)
    contact_name = "张经理"
    contact_phone = "020-12345678"
    status = Merchant.Status.APPROVED


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    merchant = factory.SubFactory(MerchantFactory)
    name = factory.Sequence(lambda n: f"门店{n}")
    address = "广州市天河区体育西路1号"


def make_merchant_staff(merchant, *, role=MerchantStaff.Role.CASHIER, outlet=None) -> MerchantStaff:
    from tanpuhui.accounts.models import User
    from tanpuhui.accounts.services import role_grant

    user = UserFactory(centre=merchant.centre)
    role_grant(user=user, role=Role.MERCHANT_STAFF, centre=merchant.centre)
    if outlet is None:
        outlet = merchant.outlets.first() or OutletFactory(merchant=merchant)
    link = MerchantStaff.objects.create(user=user, merchant=merchant, outlet=outlet, role=role)
    link.user = User.objects.get(pk=user.pk)
    return link


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    merchant = factory.SubFactory(MerchantFactory)
    centre = factory.LazyAttribute(lambda o: o.merchant.centre)
    title = factory.Sequence(lambda n: f"优惠{n}")
    category = Category.GROCERIES
    price_coins = 10
    stock = 100
    per_resident_limit = 1
    valid_from = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    yuan_value = "5.00"
    status = Offer.Status.APPROVED
