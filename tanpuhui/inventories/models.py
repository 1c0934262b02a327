"""Town greenhouse-gas inventories: the sector trees and their mapping (data), factor and GWP sets
(versioned, sourced data), inventories (town × year × revision) with their activity rows, review
comments and stored calculations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from tanpuhui.common.errors import Conflict
from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel, UUIDModel
from tanpuhui.inventories import catalogue as cat


def _bilingual(zh: str, en: str) -> str:
    return en if (get_language() or "zh-hans").startswith("en") and en else zh


class SectorNode(models.Model):
    """One node of a reporting tree: the provincial guideline's or the GPC's."""

    class Tree(models.TextChoices):
        PROVINCIAL = "provincial", _("Provincial guideline")
        GPC = "gpc", _("GHG Protocol for Cities")

    tree = models.CharField(_("tree"), max_length=12, choices=Tree.choices)
    code = models.CharField(_("code"), max_length=12)
    parent_code = models.CharField(_("part of"), max_length=12, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    ordering = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["tree", "ordering"]
        constraints = [models.UniqueConstraint(fields=["tree", "code"], name="inventories_node_tree_code")]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)


class SectorMapping(models.Model):
    """Where an activity category reports in each tree (and, in the GPC, under which scope)."""

    category = models.CharField(_("activity category"), max_length=40, unique=True)
    provincial_code = models.CharField(_("provincial guideline sector"), max_length=12)
    gpc_code = models.CharField(_("GPC sector"), max_length=12)
    gpc_scope = models.PositiveSmallIntegerField(_("GPC scope"))

    class Meta:
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(condition=Q(gpc_scope__in=[1, 2, 3]), name="inventories_mapping_scope")
        ]
        verbose_name = _("sector mapping")
        verbose_name_plural = _("sector mappings")

    def __str__(self) -> str:
        return f"{self.category} → {self.provincial_code} / {self.gpc_code} (scope {self.gpc_scope})"


class GwpSet(models.Model):
    """100-year global warming potentials of one IPCC assessment report."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    ch4 = models.DecimalField(_("CH₄ (biogenic or unspecified)"), max_digits=8, decimal_places=2)
    ch4_fossil = models.DecimalField(_("CH₄ (fossil)"), max_digits=8, decimal_places=2)
    n2o = models.DecimalField(_("N₂O"), max_digits=8, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["code"]
        verbose_name = _("GWP set")
        verbose_name_plural = _("GWP sets")

    def __str__(self) -> str:
        return self.code


class FactorSet(TimeStampedModel):
    """A versioned, published set of default factors. A set is never edited once an inventory names
    it: a revised set is a new version (a new row), and inventories computed with the old one keep
    their stored calculation."""

    code = models.SlugField(_("code"), max_length=20)
    version = models.CharField(_("version"), max_length=12)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    source_publication = models.CharField(_("source publication"), max_length=300)
    source_issuer = models.CharField(_("issuer"), max_length=200)
    source_year = models.PositiveSmallIntegerField(_("source year"))
    source_url = models.URLField(_("source URL"), blank=True, max_length=300)
    base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("takes what it lacks from"),
    )

    class Meta:
        ordering = ["code", "version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="inventories_set_version")]
        verbose_name = _("factor set")
        verbose_name_plural = _("factor sets")

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)


class Factor(models.Model):
    """One default value of a set: a fuel's NCV, carbon content, oxidation or kg/TJ of a gas (by
    sector where it differs), or a non-energy parameter."""

    factor_set = models.ForeignKey(FactorSet, on_delete=models.PROTECT, related_name="factors")
    subject = models.CharField(_("fuel or sub-type"), max_length=30)
    parameter = models.CharField(_("parameter"), max_length=30)
    sector = models.CharField(_("activity category"), max_length=40, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=8)
    unit = models.CharField(_("unit"), max_length=30)
    uncertainty_pct = models.DecimalField(_("uncertainty (± %, 95 %)"), max_digits=6, decimal_places=2)

    class Meta:
        ordering = ["factor_set", "subject", "parameter", "sector"]
        constraints = [
            models.UniqueConstraint(
                fields=["factor_set", "subject", "parameter", "sector"], name="inventories_factor_key"
            )
        ]
        verbose_name = _("factor")
        verbose_name_plural = _("factors")

    def __str__(self) -> str:
        return f"{self.subject}.{self.parameter}[{self.sector or '*'}] = {self.value} {self.unit}"


class TownDesk(TimeStampedModel):
    """A town statistician's town: the one place whose drafts they compile."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="town_desks")
    town = models.ForeignKey("pilots.Place", on_delete=models.PROTECT, related_name="statistician_desks")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "town"], name="inventories_desk_once")]
        verbose_name = _("town statistician's town")
        verbose_name_plural = _("town statisticians' towns")

    def __str__(self) -> str:
        return f"{self.user} @ {self.town}"


class Inventory(UUIDModel):
    """One town's inventory of one year; a correction of a published one is the next revision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")
        PUBLISHED = "published", _("Published")

    town = models.ForeignKey("pilots.Place", on_delete=models.PROTECT, related_name="inventories")
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    reason = models.TextField(_("reason for the revision"), blank=True)
    status = FSMField(_("status"), default=Status.DRAFT, choices=Status.choices, protected=True)
    factor_set = models.ForeignKey(FactorSet, on_delete=models.PROTECT, related_name="inventories")
    gwp_set = models.ForeignKey(GwpSet, on_delete=models.PROTECT, related_name="inventories")
    population = models.PositiveIntegerField(_("resident population"), null=True, blank=True)
    gdp_e4yuan = models.DecimalField(
        _("GDP (10⁴ yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    calculation = models.ForeignKey(
        "Calculation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["town__code", "-year", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["town", "year", "revision"], name="inventories_town_year_rev"),
            models.CheckConstraint(condition=Q(year__gte=2005) & Q(year__lte=2100), name="inventories_year"),
        ]
        verbose_name = _("inventory")
        verbose_name_plural = _("inventories")

    def __str__(self) -> str:
        return f"{self.town} {self.year} r{self.revision}"

    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None:
        """The town hands the draft to the city centre."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.DRAFT)
    def send_back(self) -> None:
        """The city returns it to the town with comments."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.REVIEWED)
    def review(self) -> None:
        """The city centre has checked every line."""

    @transition(field=status, source=Status.REVIEWED, target=Status.PUBLISHED)
    def publish(self) -> None:
        """Published: from now on the inventory and its calculation never change."""

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ActivityRow(TimeStampedModel):
    """One activity value of an inventory: a fuel burnt in a category, electricity bought, waste
    treated… One row per (category, fuel): a re-import replaces the value, never adds a second."""

    inventory = models.ForeignKey(Inventory, on_delete=models.CASCADE, related_name="rows")
    category = models.CharField(_("activity category"), max_length=40)
    subject = models.CharField(_("fuel or sub-type"), max_length=30)
    quantity = models.DecimalField(_("quantity as entered"), max_digits=20, decimal_places=6)
    unit = models.CharField(_("unit as entered"), max_length=30)
    amount = models.DecimalField(_("quantity in the canonical unit"), max_digits=24, decimal_places=8)
    uncertainty_pct = models.DecimalField(
        _("uncertainty of the activity data (± %)"), max_digits=6, decimal_places=2, default=5
    )
    # Tier 2: the town's own factors (kg/TJ for a gas, GJ per canonical unit for the NCV).
    own_ncv = models.DecimalField(_("own NCV"), max_digits=14, decimal_places=6, null=True, blank=True)
    own_ef_co2 = models.DecimalField(
        _("own CO₂ factor (kg/TJ)"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    own_source = models.CharField(_("source of the own factors"), max_length=300, blank=True)
    source = models.CharField(_("data source"), max_length=300)
    quality_note = models.CharField(_("data-quality note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    import_ref = models.CharField(_("imported from"), max_length=200, blank=True)

    class Meta:
        ordering = ["category", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["inventory", "category", "subject"], name="inventories_row_once"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="inventories_row_not_negative"),
            models.CheckConstraint(
                condition=Q(own_ncv__isnull=True) | Q(own_ncv__gt=0), name="inventories_row_own_ncv_positive"
            ),
        ]
        verbose_name = _("activity row")
        verbose_name_plural = _("activity rows")

    def __str__(self) -> str:
        return f"{self.category}/{self.subject}: {self.quantity} {self.unit}"

    @property
    def category_label(self) -> str:
        category = cat.CATEGORY.get(self.category)
        return _bilingual(category.name_zh, category.name_en) if category else self.category

    @property
    def subject_label(self) -> str:
        names = cat.SUBTYPE_NAMES.get(self.subject)
        return _bilingual(*names) if names else self.subject

    def save(self, *args, **kwargs):
        # The backstop under the services' check: a published inventory's lines never change.
        if Inventory.objects.filter(pk=self.inventory_id, status=Inventory.Status.PUBLISHED).exists():
            raise Conflict("A published inventory is never changed.", code="inventory_published")
        super().save(*args, **kwargs)


class NotationKey(models.Model):
    """Why a sector of a tree has no figure: not occurring, included elsewhere, not estimated,
    confidential."""

    class Key(models.TextChoices):
        NO = "NO", _("Not occurring")
        IE = "IE", _("Included elsewhere")
        NE = "NE", _("Not estimated")
        C = "C", _("Confidential")

    inventory = models.ForeignKey(Inventory, on_delete=models.CASCADE, related_name="notation_keys")
    tree = models.CharField(_("tree"), max_length=12, choices=SectorNode.Tree.choices)
    code = models.CharField(_("sector"), max_length=12)
    key = models.CharField(_("notation key"), max_length=2, choices=Key.choices)
    explanation = models.CharField(_("explanation"), max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inventory", "tree", "code"], name="inventories_notation_once")
        ]
        verbose_name = _("notation key")
        verbose_name_plural = _("notation keys")

    def __str__(self) -> str:
        return f"{self.tree} {self.code}: {self.key}"


class ReviewComment(AppendOnlyModel):
    """The city centre's comment on an inventory or one of its lines."""

    inventory = models.ForeignKey(Inventory, on_delete=models.CASCADE, related_name="comments")
    row = models.ForeignKey(
        ActivityRow, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    line = models.CharField(_("line"), max_length=80, blank=True)  # category/subject, kept if the row goes
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")


class Calculation(AppendOnlyModel):
    """The stored inputs and result of one calculation: the result is a function of ``inputs`` alone,
    kept as canonical JSON bytes with their SHA-256, so recomputing gives the same bytes."""

    inventory = models.ForeignKey(Inventory, on_delete=models.PROTECT, related_name="calculations")
    factor_set = models.ForeignKey(FactorSet, on_delete=models.PROTECT, related_name="+")
    gwp_set = models.ForeignKey(GwpSet, on_delete=models.PROTECT, related_name="+")
    inputs = models.TextField(_("inputs (canonical JSON)"))
    result = models.TextField(_("result (canonical JSON)"))
    sha256 = models.CharField(_("SHA-256 of the result"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calculation")
        verbose_name_plural = _("calculations")
