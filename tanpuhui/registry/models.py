"""The PHCER credit registry: projects, monitoring reports, serial blocks and their movements.

Facts the database keeps (PostgreSQL; the services check the same everywhere, SQLite too):
- ``CreditBlock``: ``serial_end - serial_start + 1 = quantity`` and ``quantity > 0`` (CHECK); the live
  blocks of one serial prefix never overlap (EXCLUDE USING gist on ``(prefix, int8range)`` WHERE the block
  is not superseded, migration 0002). A partial movement never edits a range: the parent becomes
  ``superseded`` and its children take its range — the moved part ``[start, start+n-1]`` and the
  remainder ``[start+n, end]``; both point at the parent (lineage). Serials are never renumbered.
- ``Movement`` is append-only, one row per issuance, transfer, retirement, cancellation, freeze or
  unfreeze, with a unique idempotency key.
- ``ReportReduction``: a reduction enters at most one monitoring report (unique ``reduction``).
- ``Retirement`` is final: one per retired block, its certificate code unique.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel, UUIDModel

SERIAL_COUNTRY = "GD-PHCER"


class RegistryAccount(UUIDModel):
    """Who holds credits: a centre, a village, an enterprise, the exchange, an ETS emitter, the authority."""

    class Kind(models.TextChoices):
        CENTRE = "centre", _("Operation centre")
        VILLAGE = "village", _("Village")
        ENTERPRISE = "enterprise", _("Enterprise")
        EXCHANGE = "exchange", _("Exchange")
        ETS_EMITTER = "ets_emitter", _("Emissions-trading company")
        AUTHORITY = "authority", _("Provincial authority")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="registry_accounts")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="registry_accounts")
    funding_pool = models.ForeignKey(
        "funding.FundingPool",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where this account's sale proceeds may be booked."),
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="registry_account_once")]
        verbose_name = _("registry account")
        verbose_name_plural = _("registry accounts")

    def __str__(self) -> str:
        return self.name


class ClaimRule(models.Model):
    """Whether a reduction already claimed for ``purpose`` (metering's ReductionClaim) may be credited."""

    purpose = models.CharField(max_length=16, unique=True)
    may_credit = models.BooleanField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["purpose"]
        verbose_name = _("claim rule")
        verbose_name_plural = _("claim rules")

    def __str__(self) -> str:
        return f"{self.purpose}: {'yes' if self.may_credit else 'no'}"


class Holiday(models.Model):
    """The holiday calendar as data: a public holiday, or a weekend day made a working day (调休)."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100)
    is_working_day = models.BooleanField(default=False)

    class Meta:
        ordering = ["day"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.day} {self.name}"


class EtsCap(models.Model):
    """How many PHCER an ETS emitter may surrender for one compliance year: a share of its verified
    emissions of the previous year (Guangdong: at most 10 %)."""

    account = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, related_name="ets_caps")
    compliance_year = models.PositiveSmallIntegerField()
    previous_year_emissions_t = models.BigIntegerField()
    offset_share = models.DecimalField(max_digits=5, decimal_places=4, default="0.1000")
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "compliance_year"], name="ets_cap_once"),
            models.CheckConstraint(
                condition=Q(previous_year_emissions_t__gte=0)
                & Q(offset_share__gte=0)
                & Q(offset_share__lte=1),
                name="ets_cap_sane",
            ),
        ]
        verbose_name = _("ETS offset cap")
        verbose_name_plural = _("ETS offset caps")

    def __str__(self) -> str:
        return f"{self.account} {self.compliance_year}"

    @property
    def cap_t(self) -> int:
        return int(self.previous_year_emissions_t * self.offset_share)


class CarbonProject(UUIDModel):
    class Kind(models.TextChoices):
        FORESTRY = "forestry", _("Forestry")
        TRANSIT = "transit", _("Public transport")
        HOUSEHOLD = "household", _("Household saving")
        RETROFIT = "retrofit", _("Energy-saving retrofit")

    number = models.PositiveIntegerField(_("project number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="carbon_projects")
    owner = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, related_name="projects")
    methodology = models.ForeignKey("methodology.Methodology", on_delete=models.PROTECT, related_name="+")
    boundary = models.TextField(_("boundary"), blank=True)
    crediting_start = models.DateField(_("crediting period start"))
    crediting_end = models.DateField(_("crediting period end"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(crediting_end__gte=F("crediting_start")), name="project_crediting_ordered"
            )
        ]
        verbose_name = _("carbon-inclusion project")
        verbose_name_plural = _("carbon-inclusion projects")

    def __str__(self) -> str:
        return f"{self.number:04d} {self.title}"

    @property
    def serial_code(self) -> str:
        """The methodology part of a serial: the methodology's code, upper case, letters and digits only."""
        return "".join(ch for ch in self.methodology.code.upper() if ch.isalnum())


class MonitoringReport(UUIDModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLIC_NOTICE = "public_notice", _("On public notice")
        VERIFIED = "verified", _("Verified by a third party")
        CITY_REVIEWED = "city_reviewed", _("Reviewed by the city")
        APPROVED = "approved", _("Approved by the province")
        ISSUED = "issued", _("Credits issued")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey(CarbonProject, on_delete=models.PROTECT, related_name="reports")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    state = FSMField(default=State.DRAFT, choices=State.choices, protected=False)
    kg_total = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    carried_in_kg = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    verified_adjustment_kg = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    tonnes = models.BigIntegerField(default=0)
    carried_out_kg = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    notice_start = models.DateField(null=True, blank=True)
    notice_end = models.DateField(null=True, blank=True)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verification_statement = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-period_end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="report_period_ordered"
            ),
            models.CheckConstraint(condition=Q(tonnes__gte=0), name="report_tonnes_non_negative"),
        ]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")

    def __str__(self) -> str:
        return f"{self.project} {self.period_start}–{self.period_end}"

    # The workflow (django-fsm): services call these after their own checks and record a ReportStep.
    @transition(field=state, source=State.DRAFT, target=State.PUBLIC_NOTICE)
    def open_notice(self) -> None:
        pass

    @transition(field=state, source=State.PUBLIC_NOTICE, target=State.VERIFIED)
    def verify(self) -> None:
        pass

    @transition(field=state, source=State.VERIFIED, target=State.CITY_REVIEWED)
    def city_review(self) -> None:
        pass

    @transition(field=state, source=State.CITY_REVIEWED, target=State.APPROVED)
    def approve(self) -> None:
        pass

    @transition(field=state, source=State.APPROVED, target=State.ISSUED)
    def mark_issued(self) -> None:
        pass

    @transition(
        field=state, source=[State.PUBLIC_NOTICE, State.VERIFIED, State.CITY_REVIEWED], target=State.REJECTED
    )
    def reject(self) -> None:
        pass


class ReportLine(models.Model):
    """A report's verified reductions of one methodology and vintage (calendar year)."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.CASCADE, related_name="lines")
    methodology_code = models.CharField(max_length=40)
    vintage = models.PositiveSmallIntegerField()
    kg_co2e = models.DecimalField(max_digits=18, decimal_places=4)
    reductions = models.PositiveIntegerField(default=0)
    carried_in_kg = models.DecimalField(max_digits=18, decimal_places=4, default=0)
    tonnes = models.BigIntegerField(default=0)
    carried_out_kg = models.DecimalField(max_digits=18, decimal_places=4, default=0)

    class Meta:
        ordering = ["vintage", "methodology_code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "methodology_code", "vintage"], name="report_line_once")
        ]

    def __str__(self) -> str:
        return f"{self.methodology_code} {self.vintage}"


class ReportReduction(models.Model):
    """A reduction counted in a report: at most one report per reduction, a database fact."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.PROTECT, related_name="reductions")
    reduction = models.OneToOneField(
        "metering.Reduction", on_delete=models.PROTECT, related_name="registry_report"
    )

    class Meta:
        verbose_name = _("reported reduction")
        verbose_name_plural = _("reported reductions")

    def __str__(self) -> str:
        return f"{self.reduction_id} → {self.report_id}"


class ReportStep(AppendOnlyModel):
    """One workflow step of a report: who, when, in which role, with what statement."""

    report = models.ForeignKey(MonitoringReport, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16)
    to_state = models.CharField(max_length=16)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("report step")
        verbose_name_plural = _("report steps")


class Issuance(UUIDModel):
    """One issuance of credits for one report line: its first block's range, issued by the authority."""

    report = models.ForeignKey(
        MonitoringReport, null=True, blank=True, on_delete=models.PROTECT, related_name="issuances"
    )
    project = models.ForeignKey(CarbonProject, on_delete=models.PROTECT, related_name="issuances")
    prefix = models.CharField(max_length=80, db_index=True)
    vintage = models.PositiveSmallIntegerField()
    serial_start = models.BigIntegerField()
    serial_end = models.BigIntegerField()
    quantity = models.BigIntegerField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(serial_start__gte=1)
                & Q(serial_end=F("serial_start") + F("quantity") - 1),
                name="issuance_range_matches_quantity",
            ),
            models.UniqueConstraint(fields=["prefix", "serial_start"], name="issuance_start_once"),
        ]
        verbose_name = _("issuance")
        verbose_name_plural = _("issuances")


class SerialCounter(models.Model):
    """The next free serial number of one prefix (locked while issuing)."""

    prefix = models.CharField(max_length=80, unique=True)
    next_start = models.BigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.prefix} → {self.next_start}"


class CreditBlock(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        FROZEN = "frozen", _("Frozen")
        RETIRED = "retired", _("Retired")
        CANCELLED = "cancelled", _("Cancelled")
        SUPERSEDED = "superseded", _("Split")

    prefix = models.CharField(max_length=80)
    serial_start = models.BigIntegerField()
    serial_end = models.BigIntegerField()
    quantity = models.BigIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # (account, status) below serves the account's look-ups: a second index on account alone would be
    # one more write on every split of a hot block
    account = models.ForeignKey(
        RegistryAccount, on_delete=models.PROTECT, related_name="blocks", db_index=False
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    issuance = models.ForeignKey(Issuance, on_delete=models.PROTECT, related_name="blocks")
    project = models.ForeignKey(CarbonProject, on_delete=models.PROTECT, related_name="blocks")
    vintage = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["prefix", "serial_start"]
        indexes = [
            models.Index(
                fields=["prefix", "serial_start"],
                condition=~Q(status="superseded"),
                name="block_live_by_start",
            ),
            models.Index(fields=["account", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0)
                & Q(serial_start__gte=1)
                & Q(serial_end=F("serial_start") + F("quantity") - 1),
                name="block_range_matches_quantity",
            ),
        ]
        verbose_name = _("credit block")
        verbose_name_plural = _("credit blocks")

    def __str__(self) -> str:
        return self.serial

    @property
    def serial(self) -> str:
        return f"{self.prefix}-{self.serial_start}-{self.serial_end}"

    @property
    def live(self) -> bool:
        return self.status != self.Status.SUPERSEDED


LIVE = ~Q(status=CreditBlock.Status.SUPERSEDED)


class Movement(AppendOnlyModel):
    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issued")
        TRANSFER = "transfer", _("Transferred")
        RETIRE = "retire", _("Retired")
        CANCEL = "cancel", _("Cancelled")
        FREEZE = "freeze", _("Frozen")
        UNFREEZE = "unfreeze", _("Released")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # unique by a constraint, not unique=True: the key is only ever compared whole, so it needs no
    # second, pattern-matching index (one write fewer per movement)
    idempotency_key = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # nothing looks movements up by actor: no index
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source = models.ForeignKey(
        CreditBlock, null=True, blank=True, on_delete=models.PROTECT, related_name="source_movements"
    )
    block = models.ForeignKey(CreditBlock, on_delete=models.PROTECT, related_name="movements")
    from_account = models.ForeignKey(
        RegistryAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_account = models.ForeignKey(
        RegistryAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.BigIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    request = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="movement_positive"),
            models.UniqueConstraint(fields=["idempotency_key"], name="movement_key_unique"),
        ]
        verbose_name = _("registry movement")
        verbose_name_plural = _("registry movements")


class Retirement(UUIDModel):
    class Purpose(models.TextChoices):
        ETS_COMPLIANCE = "ets_compliance", _("Emissions-trading compliance")
        VOLUNTARY = "voluntary", _("Carbon neutrality of an event or activity")
        PUBLIC_WELFARE = "public_welfare", _("Public welfare")

    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="retirement")
    block = models.OneToOneField(CreditBlock, on_delete=models.PROTECT, related_name="retirement")
    account = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, related_name="retirements")
    quantity = models.BigIntegerField()
    beneficiary = models.CharField(_("beneficiary"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    compliance_year = models.PositiveSmallIntegerField(null=True, blank=True)
    event = models.CharField(_("event or activity"), max_length=200, blank=True)
    certificate_code = models.CharField(max_length=16, unique=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="ets_compliance") | Q(compliance_year__isnull=False),
                name="retirement_compliance_year",
            )
        ]
        verbose_name = _("retirement")
        verbose_name_plural = _("retirements")


class Sale(UUIDModel):
    """A transfer sold for money: price per tonne and proceeds in fen (1 yuan = 100 fen)."""

    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="sale")
    seller = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, related_name="sales")
    buyer = models.ForeignKey(RegistryAccount, on_delete=models.PROTECT, related_name="purchases")
    quantity = models.BigIntegerField()
    price_fen = models.BigIntegerField(help_text="per tonne")
    proceeds_fen = models.BigIntegerField()
    booked_pool = models.ForeignKey(
        "funding.FundingPool", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_fen__gt=0) & Q(proceeds_fen=F("price_fen") * F("quantity")),
                name="sale_proceeds_match",
            )
        ]
        verbose_name = _("credit sale")
        verbose_name_plural = _("credit sales")


class SurveyPlot(TimeStampedModel):
    """A surveyor's record of one forest plot for one year, quantified with the forestry methodology
    (``forest_by_type``) and refused when implausible; counted by at most one monitoring report."""

    project = models.ForeignKey(CarbonProject, on_delete=models.PROTECT, related_name="plots")
    plot_id = models.CharField(_("plot id"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    forest_type = models.CharField(_("forest type"), max_length=40)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=12, decimal_places=4)
    claimed_t = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    kg_co2e = models.DecimalField(max_digits=18, decimal_places=4)
    methodology_version = models.ForeignKey(
        "methodology.MethodologyVersion", on_delete=models.PROTECT, related_name="+"
    )
    inputs = models.JSONField(default=dict)
    surveyor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(
        MonitoringReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="plots"
    )

    class Meta:
        ordering = ["project", "year", "plot_id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "plot_id", "year"], name="survey_plot_once_a_year"),
            models.CheckConstraint(condition=Q(area_ha__gt=0), name="survey_plot_area_positive"),
        ]
        verbose_name = _("surveyed forest plot")
        verbose_name_plural = _("surveyed forest plots")

    def __str__(self) -> str:
        return f"{self.plot_id} {self.year}"
