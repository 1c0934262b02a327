"""Low-carbon pilots and demonstration projects: the administrative places they sit in, their
designation and review workflow, funding, measures, indicator evaluation and the community screens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel, UUIDModel


def _bilingual(zh: str, en: str) -> str:
    return en if (get_language() or "zh-hans").startswith("en") and en else zh


class Place(TimeStampedModel):
    """One node of the administrative hierarchy below the province (tenancy's Region): city →
    district/county → town/street → community. Tenancy holds only provinces and centres, so the
    lower levels live here; a city may name the operation centre that serves it."""

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District or county")
        TOWN = "town", _("Town or street")
        COMMUNITY = "community", _("Community")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("part of"),
    )
    region = models.ForeignKey(
        "tenancy.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("operation centre")
    )
    # Administrative division code of a city (440100 Guangzhou): how the map finds its shape.
    adcode = models.CharField(_("division code"), max_length=12, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="city", parent__isnull=True) | (~Q(kind="city") & Q(parent__isnull=False)),
                name="place_city_is_top",
            )
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)

    def city(self) -> Place:
        node = self
        while node.parent_id is not None:
            node = node.parent  # type: ignore[assignment]
        return node


class Pilot(UUIDModel):
    """A designated low-carbon pilot or demonstration project."""

    class Level(models.TextChoices):
        CITY = "city", _("City")
        TOWN = "town", _("Town")
        PARK = "park", _("Park")
        COMMUNITY = "community", _("Community")
        ENTERPRISE = "enterprise", _("Enterprise")
        PRODUCT = "product", _("Product")
        NEAR_ZERO = "near_zero", _("Near-zero carbon emission zone")
        CCUS = "ccus", _("Carbon capture, utilisation and storage platform")

    class Designation(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        CITY = "city", _("City")

    class CommunityType(models.TextChoices):
        NEW_URBAN = "new_urban", _("New urban community")
        EXISTING_URBAN = "existing_urban", _("Existing urban community")
        RURAL = "rural", _("Rural community")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        CONSTRUCTION = "construction", _("Under construction")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    community_type = models.CharField(
        _("community type"), max_length=16, choices=CommunityType.choices, blank=True
    )
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    designation = models.CharField(_("designation"), max_length=16, choices=Designation.choices)
    batch = models.PositiveSmallIntegerField(_("batch"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year designated"))
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="pilots", verbose_name=_("place"))
    centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("operation centre")
    )
    managing_organisation = models.CharField(_("managing organisation"), max_length=200)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_pilots",
        verbose_name=_("pilot manager"),
    )
    # The same thing, not a copy: an enterprise pilot is a registered enterprise.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pilots",
        verbose_name=_("enterprise"),
    )
    summary = models.TextField(_("summary"), blank=True)
    period_start = models.DateField(_("project start"), null=True, blank=True)
    period_end = models.DateField(_("project end"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    baseline_t_per_household = models.DecimalField(
        _("baseline t CO₂e per household and year"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    target_t_per_household = models.DecimalField(
        _("target t CO₂e per household and year"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    status = FSMField(_("status"), default=Status.APPLIED, choices=Status.choices, protected=True)

    class Meta:
        ordering = ["level", "name_zh"]
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="pilot_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)

    # The workflow: each transition is called by services.pilot_transition, which records who/when/why.
    @transition(field=status, source=Status.APPLIED, target=Status.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.CONSTRUCTION)
    def start_construction(self) -> None:
        pass

    @transition(field=status, source=Status.CONSTRUCTION, target=Status.ACCEPTED)
    def accept(self) -> None:
        pass

    @transition(
        field=status, source=[Status.APPLIED, Status.APPROVED, Status.CONSTRUCTION], target=Status.REVOKED
    )
    def revoke(self) -> None:
        pass


class PilotEvent(AppendOnlyModel):
    """Who moved a pilot from one status to another, when and why."""

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


def document_path(instance: PilotDocument, filename: str) -> str:
    return f"pilots/{instance.pilot_id}/{instance.sha256}"


class PilotDocument(TimeStampedModel):
    class Kind(models.TextChoices):
        APPLICATION = "application", _("Application")
        DESIGNATION = "designation", _("Designation notice")
        PROGRESS = "progress", _("Progress report")
        ACCEPTANCE = "acceptance", _("Acceptance report")
        EVIDENCE = "evidence", _("Evidence")

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(upload_to=document_path)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["pilot", "sha256"], name="pilot_document_once")]


# --- funding -------------------------------------------------------------------------------------


class Appropriation(TimeStampedModel):
    """Money set aside for one pilot from one source in one year, in integer fen. ``disbursed_fen`` is
    the running total of its disbursements, changed only with F() under a row lock and capped by a
    database constraint, so no request — concurrent or not — pays out more than was appropriated."""

    class Source(models.TextChoices):
        PROVINCIAL_FUND = "provincial_fund", _("Provincial special fund for low-carbon development")
        CITY_FUND = "city_fund", _("City fund")
        CENTRAL_FUND = "central_fund", _("Central budget")
        OTHER = "other", _("Other")

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="appropriations")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    disbursed_fen = models.BigIntegerField(_("disbursed (fen)"), default=0)
    reference = models.CharField(_("document reference"), max_length=200, blank=True)

    class Meta:
        ordering = ["year", "source"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="appropriation_positive"),
            models.CheckConstraint(
                condition=Q(disbursed_fen__gte=0) & Q(disbursed_fen__lte=F("amount_fen")),
                name="appropriation_not_overdrawn",
            ),
            models.UniqueConstraint(fields=["pilot", "source", "year"], name="appropriation_once"),
        ]

    @property
    def remaining_fen(self) -> int:
        return self.amount_fen - self.disbursed_fen


class Disbursement(AppendOnlyModel):
    appropriation = models.ForeignKey(Appropriation, on_delete=models.PROTECT, related_name="disbursements")
    milestone = models.CharField(_("milestone"), max_length=200)
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="disbursement_positive")]


# --- measures ------------------------------------------------------------------------------------


class Measure(TimeStampedModel):
    """One measure of a pilot. Its annual reduction comes from a methodology version of
    ``tanpuhui.methodology`` (behaviour + quantity/baseline); ``published_*`` keep a figure someone
    else published, so a page can show the difference and why."""

    class Kind(models.TextChoices):
        LED_LIGHTING = "led_lighting", _("LED street lights")
        ROOFTOP_PV = "rooftop_pv", _("Rooftop solar power")
        RAINWATER = "rainwater", _("Rainwater recovery")
        COMPOSTING = "composting", _("Kitchen-waste composting")
        BIKE_STATIONS = "bike_stations", _("Bike stations")
        EV_CHARGERS = "ev_chargers", _("Solar EV chargers")
        AQUAPONICS = "aquaponics", _("Aquaponics")
        ALLOTMENTS = "allotments", _("Allotment gardens")
        OTHER = "other", _("Other")

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300)
    # Through the methodology registry: behaviour (e.g. electricity_saving), annual quantity and baseline.
    behaviour = models.CharField(_("methodology behaviour"), max_length=32, blank=True)
    annual_quantity = models.DecimalField(
        _("annual quantity"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    annual_baseline = models.DecimalField(
        _("annual baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    quantity_unit = models.CharField(_("unit"), max_length=16, blank=True)
    on = models.DateField(_("quantified as of"), null=True, blank=True)
    methodology_version = models.ForeignKey(
        "methodology.MethodologyVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inputs = models.JSONField(default=dict, blank=True)
    annual_kg_co2e = models.DecimalField(
        _("kg CO₂e a year"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    published_t_co2e = models.DecimalField(
        _("published t CO₂e a year"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    published_source = models.CharField(_("published by"), max_length=300, blank=True)
    published_basis = models.CharField(_("published basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "id"]


# --- evaluation indicators -----------------------------------------------------------------------


class IndicatorSet(TimeStampedModel):
    """A versioned set of evaluation indicators for one kind of pilot."""

    class PilotType(models.TextChoices):
        NEW_URBAN = "new_urban", _("New urban community")
        EXISTING_URBAN = "existing_urban", _("Existing urban community")
        RURAL = "rural", _("Rural community")
        PARK = "park", _("Park")
        TOWN = "town", _("Town")
        CITY = "city", _("City")

    pilot_type = models.CharField(_("pilot type"), max_length=16, choices=PilotType.choices)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=300)
    weight_total = models.DecimalField(_("weights add up to"), max_digits=6, decimal_places=2, default=100)
    effective_from = models.DateField(_("effective from"))

    class Meta:
        ordering = ["pilot_type", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["pilot_type", "version"], name="indicator_set_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class Indicator(models.Model):
    class Comparator(models.TextChoices):
        GE = "ge", "≥"
        LE = "le", "≤"
        EQ = "eq", "="
        YES = "yes", _("yes")

    class Kind(models.TextChoices):
        QUANTITATIVE = "quantitative", _("Quantitative")
        YES_NO = "yes_no", _("Yes or no")

    indicator_set = models.ForeignKey(IndicatorSet, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=20)
    category_zh = models.CharField(_("category"), max_length=100)
    category_en = models.CharField(_("category (English)"), max_length=100, blank=True)
    name_zh = models.CharField(_("indicator"), max_length=200)
    name_en = models.CharField(_("indicator (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    comparator = models.CharField(_("comparator"), max_length=4, choices=Comparator.choices)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)
    verified = models.BooleanField(_("verified against the source"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["indicator_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="indicator_code_once"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_nonnegative"),
            models.CheckConstraint(
                condition=Q(kind="yes_no", comparator="yes")
                | (Q(kind="quantitative") & ~Q(comparator="yes") & Q(target__isnull=False)),
                name="indicator_kind_matches_comparator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        return _bilingual(self.name_zh, self.name_en)

    @property
    def category(self) -> str:
        return _bilingual(self.category_zh, self.category_en)


class IndicatorValue(TimeStampedModel):
    """A pilot's reported value of one indicator for one year, with its evidence."""

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4, null=True, blank=True)
    achieved = models.BooleanField(_("achieved"), null=True, blank=True)
    evidence = models.TextField(_("evidence"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["year", "indicator__order"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "indicator", "year"], name="indicator_value_once"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="indicator_value_nonnegative"
            ),
        ]


class ScoreOverride(AppendOnlyModel):
    """A reviewer's score for one indicator and year, replacing the computed one — always with a reason."""

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="score_overrides")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=4)  # 0..1 of the indicator's weight
    reason = models.TextField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="override_score_range"),
            models.CheckConstraint(condition=~Q(reason=""), name="override_reason_required"),
        ]


# --- community screens ---------------------------------------------------------------------------


def _token() -> str:
    return secrets.token_urlsafe(18)


class Screen(TimeStampedModel):
    """A lobby display of one community pilot, at a random, non-enumerable token."""

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="screens")
    token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    label = models.CharField(_("where it hangs"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["created_at"]


class EmissionReport(TimeStampedModel):
    """A community's emissions of one month from one source, as reported by its pilot: an activity
    quantity (kWh, m³, t, km) turned into kg CO₂e by a methodology factor (``factor_*`` keep which)."""

    class Source(models.TextChoices):
        ELECTRICITY = "electricity", _("Electricity")
        GAS = "gas", _("Gas")
        WATER = "water", _("Water")
        WASTE = "waste", _("Waste")
        TRANSPORT = "transport", _("Transport")
        PV = "pv", _("Solar generation")

    pilot = models.ForeignKey(Pilot, on_delete=models.PROTECT, related_name="emission_reports")
    month = models.DateField(_("month"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=16)
    kg_co2e = models.DecimalField(_("kg CO₂e"), max_digits=16, decimal_places=4)
    factor_code = models.CharField(max_length=40)
    factor_value = models.DecimalField(max_digits=18, decimal_places=12)
    factor_unit = models.CharField(max_length=32)
    factor_source = models.CharField(max_length=300)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["month", "source"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "month", "source"], name="emission_report_once"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="emission_quantity_nonnegative"),
        ]


class CommunityMonth(models.Model):
    """Precomputed: residents' reductions per community, month and behaviour (refreshed
    incrementally by ``aggregates.refresh``: one INSERT … SELECT … ON CONFLICT DO UPDATE)."""

    community = models.CharField(max_length=40)
    month = models.DateField()
    behaviour = models.CharField(max_length=32)
    reductions = models.BigIntegerField(default=0)
    kg_co2e = models.DecimalField(max_digits=18, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "month", "behaviour"], name="community_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.month:%Y-%m} {self.behaviour}"


class CommunityResidentWeek(models.Model):
    """Precomputed: which residents of a community took part in a week (distinct counts stay exact
    under incremental refresh), with their green trips and coins of that week."""

    community = models.CharField(max_length=40)
    week = models.DateField()  # Monday
    resident_id = models.UUIDField()
    reductions = models.IntegerField(default=0)
    green_trips = models.IntegerField(default=0)
    kg_co2e = models.DecimalField(max_digits=16, decimal_places=4, default=0)
    milli_coins = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "week", "resident_id"], name="community_week_once")
        ]
        indexes = [models.Index(fields=["community", "week"])]

    def __str__(self) -> str:
        return f"{self.community} {self.week}"


class RefreshMark(models.Model):
    """The highest reduction id already folded into the aggregates."""

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ≤ {self.last_id}"
