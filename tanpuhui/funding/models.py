"""Funding pools: where the money (yuan) and donated coins behind rewards come from.

CONTRACT: the marketplace points offers at ``FundingPool`` (who reimburses the merchant); the
funding context owns everything else about pools (budgets, appropriations, ledger accounts).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.models import TimeStampedModel


class FundingPool(TimeStampedModel):
    class Source(models.TextChoices):
        GOVERNMENT_SUBSIDY = "government_subsidy", _("Government subsidy")
        COMMERCIAL = "commercial", _("Commercial incentive")
        ENTERPRISE_DONATION = "enterprise_donation", _("Enterprise donation")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="funding_pools")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    budget_yuan = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["centre", "name_zh"]
        verbose_name = _("funding pool")
        verbose_name_plural = _("funding pools")

    def __str__(self) -> str:
        return f"{self.centre.code} {self.name_zh}"
