"""Input fields that carry the bounds of ``common.limits``: use these, never a bare IntegerField.

``CoinsField`` / ``YuanField`` for the API (DRF), ``CoinsFormField`` for pages (Django forms),
``validate_period_day`` and ``PeriodQuery`` for date periods in query parameters. A value out of
bounds is a 400 with a message on its field, before any service or database sees it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from tanpuhui.common.limits import COINS_MAX, YEAR_MAX, YEAR_MIN, YUAN_MAX


def _coin_bounds(min_value: int, max_value: int) -> None:
    if not 0 <= min_value <= max_value <= COINS_MAX:
        raise ImproperlyConfigured(f"coin bounds must lie within 0…{COINS_MAX}: {min_value}…{max_value}")


class CoinsField(serializers.IntegerField):
    """A whole number of coins in [min_value, max_value], max_value at most COINS_MAX (1e30 → 400)."""

    def __init__(self, *, min_value: int = 1, max_value: int = COINS_MAX, **kwargs):
        _coin_bounds(min_value, max_value)
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class CoinsFormField(forms.IntegerField):
    """The same bound on a page form."""

    def __init__(self, *, min_value: int = 1, max_value: int = COINS_MAX, **kwargs):
        _coin_bounds(min_value, max_value)
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)


class YuanField(serializers.DecimalField):
    """An amount in yuan with two decimals, in [min_value, YUAN_MAX]."""

    def __init__(self, *, min_value: Decimal = Decimal("0.01"), max_value: Decimal = YUAN_MAX, **kwargs):
        if not Decimal(0) <= min_value <= max_value <= YUAN_MAX:
            raise ImproperlyConfigured(f"yuan bounds must lie within 0…{YUAN_MAX}")
        super().__init__(max_digits=12, decimal_places=2, min_value=min_value, max_value=max_value, **kwargs)


def validate_period_day(value: date) -> None:
    """A day that can start or end a reporting period (the day after it must exist too)."""
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValidationError(
            _("Choose a date between %(min)d and %(max)d.") % {"min": YEAR_MIN, "max": YEAR_MAX},
            code="out_of_range",
        )


class PeriodQuery(serializers.Serializer):
    """``start`` and ``end`` (inclusive) query parameters, each within the supported years, in order."""

    start = serializers.DateField(validators=[validate_period_day])
    end = serializers.DateField(validators=[validate_period_day], help_text="Inclusive last day")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end must not be before the start.")})
        return attrs


def coin_validators(*, min_value: int = 1, max_value: int = COINS_MAX) -> list:
    """The coin bound for a model field, so admin and model forms hold it too."""
    _coin_bounds(min_value, max_value)
    return [MinValueValidator(min_value), MaxValueValidator(max_value)]
