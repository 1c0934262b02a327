"""Product-category rules (versioned data), footprint studies and their inventory lines."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

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
    declared_unit_zh_hant = models.CharField(
        _("declared unit in words (Traditional Chinese)"), max_length=120, blank=True, default=""
    )
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


# --- certification: schemes, recognition, applications, certificates ---------------------------------


def _pick(zh: str, en: str, zh_hant: str = "") -> str:
    language = get_language() or "zh-hans"
    if language.startswith("en"):
        return en
    if language == "zh-hant" and zh_hant:
        return zh_hant
    return zh


class Scheme(TimeStampedModel):
    """A carbon-label scheme as data (Guangdong, Hong Kong, Greater Bay Area, national, …): its issuer,
    label language, numbering, validity and surveillance rhythm, and which PCRs it accepts. Verifiers
    it recognises are ``Accreditation`` rows."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Simplified Chinese)"), max_length=120)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    issuer_zh = models.CharField(_("issuer (Simplified Chinese)"), max_length=160)
    issuer_zh_hant = models.CharField(_("issuer (Traditional Chinese)"), max_length=160, blank=True)
    issuer_en = models.CharField(_("issuer (English)"), max_length=160)
    label_language = models.CharField(_("label language"), max_length=10, default="zh-hans")
    number_prefix = models.CharField(_("certificate number prefix"), max_length=12)
    validity_years = models.PositiveSmallIntegerField(_("validity (years)"), default=3)
    surveillance_months = models.PositiveSmallIntegerField(_("surveillance every (months)"), default=12)
    accepted_pcrs = models.JSONField(_("accepted PCRs (code and versions)"), default=dict)
    max_dq_score = models.DecimalField(
        _("worst data-quality score accepted"), max_digits=3, decimal_places=1, default=Decimal("3.0")
    )
    recognises = models.ManyToManyField("self", blank=True, verbose_name=_("mutually recognised schemes"))
    accepting = models.BooleanField(_("accepting applications"), default=True)
    source = models.CharField(_("what the rules follow"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("label scheme")
        verbose_name_plural = _("label schemes")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return _pick(self.name_zh, self.name_en, self.name_zh_hant)

    @property
    def issuer(self) -> str:
        return _pick(self.issuer_zh, self.issuer_en, self.issuer_zh_hant)


class Accreditation(TimeStampedModel):
    """A verifier recognised by a scheme until a date (the recognition table's verifier half)."""

    verifier = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="label_accreditations"
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="accreditations")
    valid_until = models.DateField(_("valid until"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["verifier", "scheme"], name="labels_accreditation_unique")
        ]


class Application(TimeStampedModel):
    """One application for one or more labels on one computed study: verified once, decided once, one
    certificate per requested scheme. Addressed from outside by ``ref`` (reveals no volume); the integer
    key is what django-fsm-log's transition log points at."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ASSIGNED = "assigned", _("With the verifier")
        VERIFIED = "verified", _("Verified")
        CERTIFIED = "certified", _("Labels issued")
        REFUSED = "refused", _("Refused")

    class Conclusion(models.TextChoices):
        CONFIRMED = "confirmed", _("Footprint confirmed")
        NOT_CONFIRMED = "not_confirmed", _("Footprint not confirmed")

    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="applications")
    schemes = models.ManyToManyField(Scheme, related_name="applications", verbose_name=_("labels requested"))
    body_centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("certification body")
    )
    applicant = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    status = FSMField(_("status"), default=Status.SUBMITTED, choices=Status.choices, protected=True)
    verifier = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="label_assignments"
    )
    conclusion = models.CharField(
        _("verifier's conclusion"), max_length=16, choices=Conclusion.choices, blank=True
    )
    verified_kg = models.DecimalField(
        _("verified kg CO₂e per declared unit"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    decision_note = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("label application")
        verbose_name_plural = _("label applications")

    def __str__(self) -> str:
        return f"{self.study} ({self.status})"

    # Each transition is called by services.application_* with ``by`` (django-fsm-log records who/when).
    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.SUBMITTED, target=Status.ASSIGNED)
    def assign(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.ASSIGNED, target=Status.VERIFIED)
    def verify(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=Status.VERIFIED, target=Status.CERTIFIED)
    def certify(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status, source=[Status.SUBMITTED, Status.ASSIGNED, Status.VERIFIED], target=Status.REFUSED
    )
    def refuse(self, by=None, description=None) -> None:
        pass


class Finding(TimeStampedModel):
    """What the verifier found; an open major finding stops the decision."""

    class Severity(models.TextChoices):
        MAJOR = "major", _("Major non-conformity")
        MINOR = "minor", _("Minor non-conformity")
        OBSERVATION = "observation", _("Observation")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="findings")
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    text = models.TextField(_("finding"))
    closed = models.BooleanField(_("closed by the enterprise"), default=False)

    class Meta:
        ordering = ["pk"]


class Certificate(UUIDModel):
    """A label or a low-carbon product certificate: what the public verification page shows. Status
    is stored for suspension and withdrawal; expiry is also read from the dates (never shown valid past
    ``valid_until`` even before the nightly task marks it)."""

    class Kind(models.TextChoices):
        CARBON_LABEL = "carbon_label", _("Carbon label")
        LOW_CARBON = "low_carbon", _("Low-carbon product certificate")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="+")
    body_centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("certification body")
    )
    product_name = models.CharField(_("product"), max_length=200)
    category = models.CharField(_("product category"), max_length=40)
    kg_co2e = models.DecimalField(_("kg CO₂e per declared unit"), max_digits=16, decimal_places=4)
    declared_unit = models.CharField(_("declared unit"), max_length=40)
    declared_unit_words = models.CharField(_("declared unit in words"), max_length=120)
    boundary = models.CharField(_("scope"), max_length=20)
    rule = models.CharField(_("rule and version"), max_length=80)
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    surveillance = models.JSONField(_("surveillance dates"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID)
    status_note = models.CharField(_("why"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    def status_on(self, day: date) -> str:
        if self.status == self.Status.VALID and day > self.valid_until:
            return self.Status.EXPIRED
        return self.status

    @property
    def current_status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def current_status_display(self) -> str:
        return str(self.Status(self.current_status).label)

    @property
    def siblings(self) -> models.QuerySet[Certificate]:
        """The other labels of the same application (mutual recognition), cross-referenced."""
        if self.application_id is None:
            return Certificate.objects.none()
        return Certificate.objects.filter(application_id=self.application_id).exclude(pk=self.pk)


# --- low-carbon product certification -------------------------------------------------------------


class LowCarbonSpec(TimeStampedModel):
    """One version of a low-carbon product specification: declared unit, the energy-efficiency grade
    required first, and limit values per variant (kg CO₂e per declared unit), set by the body."""

    class Product(models.TextChoices):
        MOTOR = "motor", _("Small and medium three-phase asynchronous motors")
        ALUMINIUM = "aluminium", _("Aluminium alloy building profiles")
        FRIDGE = "fridge", _("Household refrigerators")
        AIR_CONDITIONER = "air_conditioner", _("Room air conditioners")

    product = models.CharField(_("product type"), max_length=20, choices=Product.choices)
    version = models.CharField(_("version"), max_length=12)
    declared_unit = models.CharField(_("declared unit (pint)"), max_length=40)
    declared_unit_zh = models.CharField(_("declared unit in words (Chinese)"), max_length=120)
    declared_unit_en = models.CharField(_("declared unit in words (English)"), max_length=120)
    grade_standard = models.CharField(_("efficiency standard"), max_length=80, blank=True)
    grades_allowed = models.JSONField(_("efficiency grades that qualify"), default=list)
    limits = models.JSONField(_("limit per variant (kg CO₂e per declared unit)"), default=dict)
    follows = models.CharField(_("what it follows"), max_length=300)
    unverified = models.JSONField(_("items not verified"), default=list)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["product", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="labels_lowcarbon_product_version")
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.version}"

    @property
    def declared_unit_words(self) -> str:
        return _pick(self.declared_unit_zh, self.declared_unit_en)


class SurveillanceVisit(TimeStampedModel):
    """A surveillance visit on a certificate, inside its window (see ``services.surveillance_record``)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="visits")
    on = models.DateField(_("visited on"))
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["on", "pk"]
