"""A centre with a few months of activity and some work waiting, for the console's browser tests and
the README screenshot."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.console.selectors import add_months, month_start
from tanpuhui.ledger.tests.factories import fund, make_reduction
from tanpuhui.marketplace.models import Merchant, Offer
from tanpuhui.marketplace.tests.factories import MerchantFactory, OfferFactory
from tanpuhui.metering.models import Batch
from tanpuhui.metering.tests.factories import make_provider


def make_centre_activity(centre, *, residents: int = 6, months: int = 6) -> None:
    people = [ResidentFactory(centre=centre) for _ in range(residents)]
    this_month = month_start(timezone.localdate())
    for back in range(months):
        month = add_months(this_month, -back)
        for i, person in enumerate(people[: residents - back % 3]):
            day = min(month + timedelta(days=5 + i), timezone.localdate())
            make_reduction(person, str(120 + 35 * i + 20 * (months - back)), period_end=day)
    for i, person in enumerate(people):
        fund(person, 300 + 50 * i)
    MerchantFactory(centre=centre, name="绿色米铺", status=Merchant.Status.PENDING)
    OfferFactory(merchant=MerchantFactory(centre=centre), title="低碳早餐券", status=Offer.Status.PENDING)
    Batch.objects.create(
        centre=centre,
        provider=make_provider(centre),
        record_type="electricity_reading",
        file_format="csv",
        file_path="demo.csv",
        original_name="电费-2026-11.csv",
        sha256=f"{centre.code}-console".ljust(64, "0"),
        status=Batch.Status.DONE,
        received=1200,
        accepted=1188,
        rejected=12,
    )
