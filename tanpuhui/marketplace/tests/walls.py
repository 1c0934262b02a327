"""Wall-test declarations of the merchant and booth audiences (see ``common/tests/walls.py``)."""

from datetime import timedelta

from django.utils import timezone

from tanpuhui.marketplace.models import Event, Merchant, MerchantStaff, Offer, Voucher
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory, make_merchant_staff

MEMBERS = {
    "merchant": lambda centre: (
        make_merchant_staff(MerchantFactory(centre=centre), role=MerchantStaff.Role.MANAGER).user
    )
}
AUDIENCE_MEMBER = {"merchant": "merchant", "booth": "operator"}


def _voucher(owner) -> Voucher:
    from tanpuhui.ledger.tests.factories import fund
    from tanpuhui.marketplace import services

    fund(owner, 100)
    offer = OfferFactory(merchant=MerchantFactory(centre=owner.centre))
    return services.voucher_redeem(offer_id=offer.pk, resident=owner)


def _event(owner) -> Event:
    now = timezone.now()
    return Event.objects.create(
        centre=owner.centre,
        name="低碳日",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )


OBJECTS = {
    ("home_centre", Offer): lambda owner: OfferFactory(merchant=MerchantFactory(centre=owner.centre)),
    ("resident", Voucher): _voucher,
    ("merchant", Offer): lambda owner: OfferFactory(
        merchant=MerchantStaff.objects.get(user=owner).merchant, status=Offer.Status.DRAFT
    ),
    ("staff", Merchant): lambda owner: MerchantFactory(centre=owner.centre, status=Merchant.Status.PENDING),
    ("staff", Offer): lambda owner: OfferFactory(
        merchant=MerchantFactory(centre=owner.centre), status=Offer.Status.PENDING
    ),
    ("booth", Event): _event,
}
