"""Metering: behaviours and the reductions computed from providers' records.

CONTRACT (other contexts rely on it; extend, don't break):
- ``Reduction`` is append-only: one row per quantified figure. A correction never edits a row; it
  adds an ``adjustment`` row (``adjusts`` → the row it corrects) whose ``kg_co2e`` is the
  difference, possibly negative.
- ``ReductionClaim`` makes "claimed exactly once downstream" a database fact: a reduction row is
  turned into coins, sold as a credit or donated at most once (unique ``reduction``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Behaviour(models.TextChoices):
    ELECTRICITY_SAVING = "electricity_saving", _("Household electricity saving")
    WATER_SAVING = "water_saving", _("Household water saving")
    GAS_SAVING = "gas_saving", _("Household gas saving")
    BUS = "bus", _("Bus ride")
    METRO = "metro", _("Metro ride")
    CYCLING = "cycling", _("Cycling / shared bike")
    WALKING = "walking", _("Walking")
    AFFORESTATION = "afforestation", _("Afforestation carbon sink")
    FOREST_MANAGEMENT = "forest_management", _("Forest management carbon sink")


class Reduction(models.Model):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original")
        ADJUSTMENT = "adjustment", _("Adjustment")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="reductions")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reductions"
    )
    behaviour = models.CharField(_("behaviour"), max_length=32, choices=Behaviour.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    kg_co2e = models.DecimalField(_("kg CO₂e"), max_digits=14, decimal_places=4)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ORIGINAL)
    adjusts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="adjustments"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["resident", "period_end"]),
            models.Index(fields=["centre", "behaviour", "period_end"]),
        ]
        verbose_name = _("reduction")
        verbose_name_plural = _("reductions")

    def __str__(self) -> str:
        return f"{self.behaviour} {self.kg_co2e} kg ({self.period_end})"


class ReductionClaim(models.Model):
    class Purpose(models.TextChoices):
        COINS = "coins", _("Converted to carbon coins")
        CREDIT = "credit", _("Issued as a carbon credit")
        DONATION = "donation", _("Donated")

    reduction = models.OneToOneField(Reduction, on_delete=models.PROTECT, related_name="claim")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    claimed_at = models.DateTimeField(auto_now_add=True)
    reference = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("reduction claim")
        verbose_name_plural = _("reduction claims")

    def __str__(self) -> str:
        return f"{self.reduction_id} → {self.purpose}"
