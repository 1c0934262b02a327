"""Methodologies, their immutable versions, and sourced parameters (emission factors).

CONTRACT (metering's Reduction and enterprise retrofits point here; extend, don't break):
- ``Methodology``: one per behaviour (``behaviour`` unique: a ``metering.models.Behaviour`` value or
  a non-resident code such as "enterprise_retrofit").
- ``MethodologyVersion``: effective ``[effective_from, effective_to)`` — ``effective_to`` is
  exclusive and NULL means open-ended; ``centre`` NULL applies to every centre unless a
  centre-specific version is effective on the date. A version another table points at (a
  reduction) can no longer be edited: ``save()`` raises ``Conflict``. Publishing a successor only
  closes ``effective_to`` from a date that has not happened yet.
- ``Parameter``: a sourced value with a pint-checked unit, valid ``[valid_from, valid_to)``. Rows are
  never edited: a new value supersedes the old one (``superseded_by``), from a date on.
- ``VersionParameter``: which parameter fills each formula slot of a version, looked up by code,
  region(s) in order of preference and qualifier at the date being quantified.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.errors import Conflict
from tanpuhui.common.models import TimeStampedModel
from tanpuhui.methodology import formulas


def _bilingual(obj, field: str) -> str:
    english = (get_language() or "zh-hans").startswith("en")
    return getattr(obj, f"{field}_en" if english else f"{field}_zh") or getattr(obj, f"{field}_en")


# Qualifiers people read (a forest type of a sink factor); an unknown one is shown in words.
QUALIFIERS = {
    "guangdong_average": _("provincial average"),
    "broadleaf": _("broadleaf forest"),
    "mixed": _("mixed forest"),
    "conifer": _("conifer forest"),
}


def qualifier_label(qualifier: str) -> str:
    if not qualifier:
        return ""
    return str(QUALIFIERS.get(qualifier, qualifier.replace("_", " ")))


class Methodology(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    behaviour = models.CharField(
        _("behaviour"),
        max_length=32,
        unique=True,
        help_text=_("A metering behaviour (electricity_saving, metro, …) or e.g. enterprise_retrofit."),
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    ordering = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("methodology")
        verbose_name_plural = _("methodologies")

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        return _bilingual(self, "name")

    @property
    def description(self) -> str:
        return _bilingual(self, "description")


class MethodologyVersion(TimeStampedModel):
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(_("version"), max_length=20)
    formula = models.CharField(_("formula"), max_length=40, choices=formulas.FORMULA_CHOICES)
    config = models.JSONField(_("formula configuration"), default=dict, blank=True)
    centre = models.ForeignKey(
        "tenancy.Centre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="methodology_versions",
        help_text=_("Empty: applies to every centre that has no version of its own."),
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(
        _("effective until (exclusive)"), null=True, blank=True, help_text=_("Empty: open-ended.")
    )
    source_text = models.TextField(_("published source"), blank=True)
    source_url = models.URLField(_("source URL"), blank=True, max_length=500)
    notes_zh = models.TextField(_("notes (Chinese)"), blank=True)
    notes_en = models.TextField(_("notes (English)"), blank=True)
    # How the source reads for people, per language; ``source_text`` stays the published evidence.
    source_zh = models.TextField(_("source, as residents read it (Chinese)"), blank=True)
    source_en = models.TextField(_("source, as residents read it (English)"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["methodology__ordering", "methodology__code", "centre_id", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "label"],
                condition=Q(centre__isnull=True),
                name="methodology_version_label_unique_global",
            ),
            models.UniqueConstraint(
                fields=["methodology", "centre", "label"], name="methodology_version_label_unique"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=models.F("effective_from")),
                name="methodology_version_window_positive",
            ),
        ]
        verbose_name = _("methodology version")
        verbose_name_plural = _("methodology versions")

    def __str__(self) -> str:
        scope = self.centre.code if self.centre is not None else "*"
        return (
            f"{self.methodology.code} v{self.label} [{scope}] {self.effective_from}→{self.effective_to or ''}"
        )

    @property
    def formula_spec(self) -> formulas.Formula:
        return formulas.formula_get(self.formula)

    @property
    def notes(self) -> str:
        return _bilingual(self, "notes")

    @property
    def source(self) -> str:
        """The source in the page's language (the stored evidence when no wording was written)."""
        return _bilingual(self, "source") or self.source_text

    def in_use(self) -> bool:
        """True once any row outside this app points at this version (metering's reductions, …)."""
        if self.pk is None:
            return False
        for relation in self._meta.related_objects:
            model = relation.related_model
            if not isinstance(model, type) or model._meta.app_label == self._meta.app_label:
                continue
            # A reverse relation of a ForeignKey is "one to many" seen from this model (a version has
            # many reductions); "many_to_one" is never true here, which made this check always False.
            if not (relation.one_to_many or relation.one_to_one):
                continue
            if model._default_manager.filter(**{relation.field.name: self.pk}).exists():
                return True
        return False

    def clean(self) -> None:
        try:
            spec = formulas.formula_get(self.formula)
            self.config = spec.validate_config(self.config or {})
        except (KeyError, ValueError) as exc:
            raise ValidationError({"config": str(exc)}) from exc

    def save(self, *args, **kwargs):
        if self.pk is not None and not getattr(self, "_allow_window_close", False):
            stored = type(self)._default_manager.filter(pk=self.pk).first()
            if stored is not None and stored.in_use() and _changed(stored, self):
                raise Conflict(
                    "This methodology version has reductions and can no longer be changed; "
                    "publish a new version instead.",
                    code="version_in_use",
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.in_use():
            raise Conflict("This methodology version has reductions.", code="version_in_use")
        return super().delete(*args, **kwargs)


# How a row reads for people: may be corrected at any time, unlike the values and evidence.
WORDING_FIELDS = ("source_zh", "source_en")


def _changed(stored: models.Model, current: models.Model) -> bool:
    ignored = {"updated_at", "created_at", *WORDING_FIELDS}
    for field in current._meta.concrete_fields:
        if field.name in ignored:
            continue
        if getattr(stored, field.attname) != getattr(current, field.attname):
            return True
    return False


class Parameter(TimeStampedModel):
    """One sourced value (an emission factor, a share, a limit), valid from a date on."""

    class Region(models.TextChoices):
        NATIONAL = "national", _("National (mainland China)")
        SOUTH_CHINA_GRID = "south_china_grid", _("China Southern Power Grid region")
        GUANGDONG = "guangdong", _("Guangdong province")
        CENTRE = "centre", _("One operation centre")

    code = models.SlugField(_("code"), max_length=60)
    qualifier = models.CharField(
        _("qualifier"), max_length=40, blank=True, help_text=_("E.g. the forest type of a sink factor.")
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=12)
    unit = models.CharField(
        _("unit"), max_length=40, help_text=_("A pint unit, e.g. t_co2e/MWh, kg_co2e/kWh.")
    )
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    centre = models.ForeignKey(
        "tenancy.Centre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="methodology_parameters",
    )
    year = models.PositiveSmallIntegerField(_("data year"), null=True, blank=True)
    source_publication = models.CharField(_("source publication"), max_length=300)
    source_issuer = models.CharField(_("issuer"), max_length=200)
    source_year = models.PositiveSmallIntegerField(_("source year"))
    source_url = models.URLField(_("source URL"), blank=True, max_length=500)
    derivation = models.TextField(_("derivation / notes"), blank=True)
    # How the source and the derivation read for people, per language. The fields above are the
    # published evidence and never change; these may be corrected (they are not in IMMUTABLE).
    issuer_zh = models.CharField(_("issuer, as residents read it (Chinese)"), max_length=200, blank=True)
    issuer_en = models.CharField(_("issuer, as residents read it (English)"), max_length=200, blank=True)
    publication_zh = models.CharField(_("publication (Chinese)"), max_length=300, blank=True)
    publication_en = models.CharField(_("publication (English)"), max_length=300, blank=True)
    note_zh = models.TextField(_("how the value was derived (Chinese)"), blank=True)
    note_en = models.TextField(_("how the value was derived (English)"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until (exclusive)"), null=True, blank=True)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    IMMUTABLE = (
        "code",
        "qualifier",
        "value",
        "unit",
        "region",
        "centre_id",
        "year",
        "source_publication",
        "source_issuer",
        "source_year",
        "valid_from",
    )

    class Meta:
        ordering = ["code", "region", "qualifier", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(region="centre") & Q(centre__isnull=False))
                | (~Q(region="centre") & Q(centre__isnull=True)),
                name="methodology_parameter_centre_iff_region_centre",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="methodology_parameter_window_positive",
            ),
        ]
        indexes = [models.Index(fields=["code", "region", "qualifier", "valid_from"])]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")

    def __str__(self) -> str:
        where = self.centre.code if self.centre is not None else self.region
        qualifier = f"/{self.qualifier}" if self.qualifier else ""
        return f"{self.code}{qualifier} [{where}] = {self.value.normalize()} {self.unit} ({self.year or '—'})"

    @property
    def name(self) -> str:
        return _bilingual(self, "name")

    @property
    def value_display(self) -> str:
        return format(formulas.canonical_decimal(self.value), "f")

    @property
    def unit_display(self) -> str:
        return formulas.pretty_unit(self.unit)

    @property
    def source_label(self) -> str:
        return f"{self.source_issuer}, {self.source_publication} ({self.source_year})"

    @property
    def issuer(self) -> str:
        """The publisher in the page's language (the stored evidence when no wording was written)."""
        return _bilingual(self, "issuer") or self.source_issuer

    @property
    def publication(self) -> str:
        return _bilingual(self, "publication") or self.source_publication

    @property
    def note(self) -> str:
        return _bilingual(self, "note") or self.derivation

    @property
    def source_line(self) -> str:
        """Publisher, publication and year in the page's language (a footnote a resident reads)."""
        return (
            f"{self.issuer}，{self.publication}（{self.source_year}）"
            if not (get_language() or "zh-hans").startswith("en")
            else f"{self.issuer}, {self.publication} ({self.source_year})"
        )

    @property
    def qualifier_display(self) -> str:
        return qualifier_label(self.qualifier)

    def clean(self) -> None:
        try:
            formulas.parse_unit(self.unit)
        except formulas.UnitMismatch as exc:
            raise ValidationError({"unit": str(exc)}) from exc

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self)._default_manager.filter(pk=self.pk).values(*self.IMMUTABLE).first()
            if stored and any(stored[name] != getattr(self, name) for name in self.IMMUTABLE):
                raise Conflict(
                    "Parameter values are never edited; publish a new value that supersedes this one.",
                    code="parameter_immutable",
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Conflict("Parameters are never deleted; supersede them.", code="parameter_immutable")


class VersionParameter(models.Model):
    """Fills one formula slot of a version: the parameter ``code`` in the first of ``regions``
    (comma-separated, in order of preference; "centre" = the resolving centre's own value) that
    has a value valid on the date. ``qualifier`` may be "{variant}" to take the resolve() variant
    (a forest type)."""

    version = models.ForeignKey(MethodologyVersion, on_delete=models.CASCADE, related_name="slots")
    slot = models.CharField(_("formula slot"), max_length=40)
    code = models.SlugField(_("parameter code"), max_length=60)
    regions = models.CharField(_("regions, in order of preference"), max_length=100)
    qualifier = models.CharField(_("qualifier"), max_length=40, blank=True)

    class Meta:
        ordering = ["version", "slot"]
        constraints = [models.UniqueConstraint(fields=["version", "slot"], name="version_slot_unique")]
        verbose_name = _("version parameter")
        verbose_name_plural = _("version parameters")

    def __str__(self) -> str:
        return f"{self.slot} ← {self.code} [{self.regions}]"

    def save(self, *args, **kwargs):
        if self.version_id and self.version.in_use():
            raise Conflict("This methodology version has reductions.", code="version_in_use")
        super().save(*args, **kwargs)

    @property
    def region_list(self) -> list[str]:
        return [r.strip() for r in self.regions.split(",") if r.strip()]
