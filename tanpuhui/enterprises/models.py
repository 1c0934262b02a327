"""Enterprises, their energy-saving retrofit projects, the review trail and donations of reductions.

Facts the database keeps (not just the code):
- ``ReductionYear`` holds the approved tonnes of one project-year; ``donated_kg + credited_kg`` can
  never exceed ``kg_co2e`` (CheckConstraint, and services move them with one conditional UPDATE), so
  the same reduction can't be donated twice nor donated and later sold as a credit.
- ``ReviewEvent`` is append-only: every step of the review workflow, who took it, in which role.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel, UUIDModel


class Enterprise(UUIDModel):
    class Sector(models.TextChoices):
        MANUFACTURING = "manufacturing", _("Manufacturing")
        LIGHTING = "lighting", _("Lighting and electrical")
        TEXTILES = "textiles", _("Textiles and apparel")
        BUILDINGS = "buildings", _("Commercial buildings")
        PUBLIC_UTILITIES = "public_utilities", _("Public utilities")
        LOGISTICS = "logistics", _("Logistics and transport")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", pgettext_lazy("enterprise status", "Verified")
        REJECTED = "rejected", _("Rejected")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="enterprises")
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_note = models.CharField(max_length=500, blank=True)
    public_thanks = models.BooleanField(_("appear on the public thank-you list"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class EnterpriseMember(TimeStampedModel):
    """A user who acts for an enterprise (role ``enterprise_staff`` at the enterprise's centre)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enterprise_memberships"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enterprise", "user"], name="enterprise_member_once")]
        verbose_name = _("enterprise member")
        verbose_name_plural = _("enterprise members")


class RetrofitProject(UUIDModel):
    class Kind(models.TextChoices):
        LED_LIGHTING = "led_lighting", _("LED lighting")
        MOTOR_PUMP = "motor_pump", _("Motor or pump replacement")
        WASTE_HEAT = "waste_heat", _("Waste-heat recovery")
        ROOFTOP_PV = "rooftop_pv", _("Rooftop PV")
        BOILER = "boiler", _("Boiler or furnace upgrade")
        OTHER = "other", _("Other energy-saving retrofit")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        RETURNED = "returned", _("Returned with comments")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="projects")
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="retrofit_projects")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    site = models.CharField(
        _("site"), max_length=200, help_text=_("Plant, building or street where it was done.")
    )
    description = models.TextField(_("description"), blank=True)
    period_start = models.DateField(_("monitoring period start"))
    period_end = models.DateField(_("monitoring period end"))
    operating_hours_per_year = models.PositiveIntegerField(_("operating hours per year"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    methodology_version = models.CharField(max_length=32, blank=True)
    kg_co2e = models.DecimalField(max_digits=17, decimal_places=4, default=0)
    quantification = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("retrofit project")
        verbose_name_plural = _("retrofit projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="retrofit_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class Carrier(models.TextChoices):
    ELECTRICITY = "electricity", _("Grid electricity (kWh)")
    NATURAL_GAS = "natural_gas", _("Natural gas (m³)")
    DIESEL = "diesel", _("Diesel (kg)")
    COAL = "coal", _("Raw coal (kg)")


CARRIER_UNITS = {"electricity": "kWh", "natural_gas": "m3", "diesel": "kg", "coal": "kg"}


class EnergyReading(TimeStampedModel):
    """One month of one energy carrier: the baseline (what the old kit used) and the metered use after."""

    project = models.ForeignKey(RetrofitProject, on_delete=models.CASCADE, related_name="readings")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    carrier = models.CharField(_("energy carrier"), max_length=16, choices=Carrier.choices)
    baseline_qty = models.DecimalField(_("baseline use"), max_digits=16, decimal_places=3)
    project_qty = models.DecimalField(_("metered use after retrofit"), max_digits=16, decimal_places=3)

    class Meta:
        ordering = ["month", "carrier"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month", "carrier"], name="reading_once_per_month_carrier"
            ),
            models.CheckConstraint(
                condition=Q(project_qty__gte=0) & Q(baseline_qty__gte=0), name="reading_non_negative"
            ),
        ]
        verbose_name = _("energy reading")
        verbose_name_plural = _("energy readings")


def document_path(instance, filename: str) -> str:
    return f"enterprises/{instance.project_id}/{instance.sha256}"


class ProjectDocument(TimeStampedModel):
    class DocType(models.TextChoices):
        METERING_REPORT = "metering_report", _("Metering report")
        INVOICE = "invoice", _("Invoice or contract")
        PHOTO = "photo", _("Photo")
        ENERGY_AUDIT = "energy_audit", _("Energy audit")
        OTHER = "other", _("Other")

    project = models.ForeignKey(RetrofitProject, on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(max_length=32, choices=DocType.choices)
    file = models.FileField(upload_to=document_path)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="document_once_per_project")
        ]
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")


class ReviewEvent(AppendOnlyModel):
    """One step of a project's review: who moved it from which status to which, in which role, why."""

    project = models.ForeignKey(RetrofitProject, on_delete=models.PROTECT, related_name="review_events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")


class ReductionYear(TimeStampedModel):
    """Approved reduction of one project in one calendar year, and how much of it is spoken for."""

    project = models.ForeignKey(RetrofitProject, on_delete=models.PROTECT, related_name="years")
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kg_co2e = models.DecimalField(max_digits=17, decimal_places=4)
    donated_kg = models.DecimalField(max_digits=17, decimal_places=4, default=0)
    credited_kg = models.DecimalField(max_digits=17, decimal_places=4, default=0)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="reduction_year_once"),
            models.CheckConstraint(
                condition=Q(donated_kg__gte=0)
                & Q(credited_kg__gte=0)
                & Q(kg_co2e__gte=F("donated_kg") + F("credited_kg")),
                name="reduction_year_never_overclaimed",
            ),
        ]
        verbose_name = _("reduction year")
        verbose_name_plural = _("reduction years")

    @property
    def available_kg(self):
        return self.kg_co2e - self.donated_kg - self.credited_kg


class Donation(UUIDModel):
    """Part or all of an approved reduction-year given to a centre's donation pool, as coins."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="donations")
    reduction_year = models.ForeignKey(ReductionYear, on_delete=models.PROTECT, related_name="donations")
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="+")
    pool = models.ForeignKey(
        "funding.FundingPool", on_delete=models.PROTECT, related_name="enterprise_donations"
    )
    kg_co2e = models.DecimalField(max_digits=17, decimal_places=4)
    coins = models.BigIntegerField()
    coins_per_kg = models.DecimalField(max_digits=10, decimal_places=4)
    rule = models.CharField(max_length=200, blank=True)
    verification_code = models.CharField(max_length=16, unique=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    public_thanks = models.BooleanField(default=False)
    donated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kg_co2e__gt=0) & Q(coins__gte=0), name="donation_positive")
        ]
        verbose_name = _("reduction donation")
        verbose_name_plural = _("reduction donations")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.kg_co2e} kg → {self.coins}"

    @property
    def tonnes(self):
        return self.kg_co2e / 1000
