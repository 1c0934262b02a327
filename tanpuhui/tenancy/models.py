"""Regions (provinces, municipalities) and their operation centres — the tenants."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.models import TimeStampedModel

code_validator = RegexValidator(r"^[A-Z][A-Z0-9]{1,9}$", _("Use 2–10 capital letters or digits, e.g. GZ."))


class BilingualNameMixin(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "zh-hans").startswith("en") else self.name_zh


class Region(BilingualNameMixin, TimeStampedModel):
    """A provincial-level division the platform operates in (Guangdong first; Shanghai, Shanxi, …)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        MUNICIPALITY = "municipality", _("Municipality")
        SAR = "sar", _("Special administrative region")

    code = models.CharField(_("code"), max_length=10, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROVINCE)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Centre(BilingualNameMixin, TimeStampedModel):
    """An operation centre: the tenant that owns residents, merchants, offers and parameters.

    A provincial development centre (kind=provincial) oversees the city centres whose ``parent``
    it is; its officers see all of them.
    """

    class Kind(models.TextChoices):
        PROVINCIAL = "provincial", _("Provincial development centre")
        CITY = "city", _("City operation centre")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Operating")
        PILOT = "pilot", _("Pilot city, centre being set up")
        SUSPENDED = "suspended", _("Suspended")

    code = models.CharField(_("code"), max_length=10, unique=True, validators=[code_validator])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CITY)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="centres"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("provincial centre"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"kind": "provincial"},
    )
    city_zh = models.CharField(_("city (Chinese)"), max_length=100, blank=True)
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    # Free-form operating parameters that have no versioned home of their own yet
    # (versioned rules — conversion, methodologies — live in their own apps).
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("operation centre")
        verbose_name_plural = _("operation centres")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def city(self) -> str:
        return self.city_en if (get_language() or "zh-hans").startswith("en") else self.city_zh

    @property
    def accepts_residents(self) -> bool:
        return self.kind == self.Kind.CITY and self.status != self.Status.SUSPENDED
