"""Marketplace list filters (``common.filters``): they narrow what the view's audience already allows."""

from __future__ import annotations

import django_filters

from tanpuhui.marketplace.models import Category, Merchant, Offer


class OfferFilter(django_filters.FilterSet):
    """The residents' catalogue (API and page)."""

    category = django_filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = Offer
        fields = ["category"]


class StaffMerchantFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Merchant.Status.choices)

    class Meta:
        model = Merchant
        fields = ["status"]


class StaffOfferFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Offer.Status.choices)

    class Meta:
        model = Offer
        fields = ["status"]
