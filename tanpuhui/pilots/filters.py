"""Pilot list filters (``common.filters``): they narrow what the caller's audience already allows."""

from __future__ import annotations

import django_filters

from tanpuhui.pilots.models import Pilot


class PilotFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Pilot.Level.choices)
    status = django_filters.ChoiceFilter(choices=Pilot.Status.choices)
    designation = django_filters.ChoiceFilter(choices=Pilot.Designation.choices)
    year = django_filters.NumberFilter(min_value=2000, max_value=2100)

    class Meta:
        model = Pilot
        fields = ["level", "status", "designation", "year"]
