"""Product-category rules (versioned data), footprint studies and their inventory lines."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.models import TimeStampedModel, UUIDModel
from tanpuhui.methodology import formulas


class Stage(models.TextChoices):
    MATERIALS = "materials", _("Raw materials")
    ENERGY = "energy", _("Production energy")
    TRANSPORT = "transport", _("Transport")
    PACKAGING = "packaging", _("Packaging")
    USE = "use", _("Use")
    END_OF_LIFE = "end_of_life", _("End of life")


class ProductCategoryRule(TimeStampedModel):
    """One version of a product-category rule. A new version is a new row; rows are not edited once a
    study uses them (studies keep ``pcr`` with PROTECT)."""

    class Boundary(models.TextChoices):
        CRADLE_TO_GATE = "cradle_to_gate", _("Cradle to gate")
        CRADLE_TO_GRAVE = "cradle_to_grave", _("Cradle to grave")

    class Allocation(models.TextChoices):
        MASS = "mass", _("By mass")
        ECONOMIC = "economic", _("By economic value")
        SYSTEM_EXPANSION = "system_expansion", _("System expansion")

    code = models.SlugField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=12)
    category_zh = models.CharField(_("product category (Chinese)"), max_length=120)
    category_en = models.CharField(_("product category (English)"), max_length=120)
    declared_unit = models.CharField(_("declared unit (pint)"), max_length=40)
    declared_unit_zh = models.CharField(_("declared unit in words (Chinese)"), max_length=120)
    declared_unit_en = models.CharField(_("declared unit in words (English)"), max_length=120)
    boundary = models.CharField(_("system boundary"), max_length=20, choices=Boundary.choices)
    stages = models.JSONField(_("life-cycle stages"), default=list)
    cutoff_flow_pct = models.DecimalField(_("cut-off per flow (%)"), max_digits=5, decimal_places=2)
    cutoff_total_pct = models.DecimalField(_("cut-off in total (%)"), max_digits=5, decimal_places=2)
    allocation = models.CharField(_("allocation rule"), max_length=20, choices=Allocation.choices)
    allocation_note = models.TextField(_("allocation rule in words"), blank=True)
    required_primary = models.JSONField(_("required primary data"), default=list)
    default_secondary = models.JSONField(_("default secondary data"), default=list)
    max_dq_score = models.DecimalField(
        _("worst acceptable data-quality score"), max_digits=3, decimal_places=1, default=Decimal("3.0")
    )
    min_primary_share_pct = models.DecimalField(
        _("minimum share of the result from primary data (%)"), max_digits=5, decimal_places=2, default=0
    )
    negative_allowed = models.BooleanField(_("negative quantities allowed"), default=False)
    follows = models.CharField(_("published rule it follows"), max_length=300)
    unverified = models.JSONField(_("items not verified against the published rule"), default=list)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["code", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="labels_pcr_code_version")]
        verbose_name = _("product-category rule")
        verbose_name_plural = _("product-category rules")

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    @property
    def category(self) -> str:
        return self.category_en if (get_language() or "zh-hans").startswith("en") else self.category_zh

    @property
    def declared_unit_words(self) -> str:
        return (
            self.declared_unit_en if (get_language() or "zh-hans").startswith("en") else self.declared_unit_zh
        )


class Study(UUIDModel):
    """A product's carbon-footprint study under one PCR version, owned by an enterprise."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPUTED = "computed", _("Computed")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.PROTECT, related_name="footprint_studies"
    )
    pcr = models.ForeignKey(ProductCategoryRule, on_delete=models.PROTECT, related_name="studies")
    product_name = models.CharField(_("product"), max_length=200)
    reference_date = models.DateField(_("date the factors are taken on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    result = models.JSONField(_("result"), default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("footprint study")
        verbose_name_plural = _("footprint studies")

    def __str__(self) -> str:
        return self.product_name


class InventoryLine(TimeStampedModel):
    """One input or emission of the product's foreground process, per declared unit."""

    class Source(models.TextChoices):
        PRIMARY = "primary", _("Primary (measured at the site)")
        SECONDARY = "secondary", _("Secondary (database or default value)")

    class Carbon(models.TextChoices):
        FOSSIL = "fossil", _("Fossil")
        BIOGENIC = "biogenic", _("Biogenic")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="lines")
    stage = models.CharField(_("life-cycle stage"), max_length=16, choices=Stage.choices)
    name = models.CharField(_("name"), max_length=200)
    key = models.SlugField(_("PCR data item"), max_length=40, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=40)
    factor_code = models.SlugField(_("factor"), max_length=60)
    source = models.CharField(_("data source"), max_length=10, choices=Source.choices)
    carbon = models.CharField(_("carbon origin"), max_length=10, choices=Carbon.choices, default="fossil")
    data_quality = models.PositiveSmallIntegerField(
        _("data quality (1 best – 5 worst)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    excluded = models.BooleanField(_("left out under the cut-off rule"), default=False)

    class Meta:
        ordering = ["stage", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_quality__gte=1) & Q(data_quality__lte=5), name="labels_line_dq_range"
            )
        ]
        verbose_name = _("inventory line")
        verbose_name_plural = _("inventory lines")

    def __str__(self) -> str:
        return f"{self.name}: {self.quantity} {self.unit}"

    @property
    def unit_display(self) -> str:
        return formulas.pretty_unit(self.unit)
