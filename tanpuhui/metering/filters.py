"""Metering list filters (``common.filters``): they narrow what the view's audience already allows."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.filters import MonthFilter
from tanpuhui.metering.models import Behaviour, Reduction


class ReductionFilter(django_filters.FilterSet):
    """A resident's reductions (API and page)."""

    behaviour = django_filters.ChoiceFilter(choices=Behaviour.choices)
    month = MonthFilter(field_name="period_end", label=_("YYYY-MM (by period end)"))

    class Meta:
        model = Reduction
        fields = ["behaviour", "month"]
