"""Metering: data providers, their uploaded batches and records, and the reductions computed from them.

CONTRACT (other contexts rely on it; extend, don't break):
- ``Reduction`` is append-only: one row per quantified figure. A correction never edits a row; it
  adds an ``adjustment`` row (``adjusts`` → the row it corrects) whose ``kg_co2e`` is the
  difference, possibly negative.
- ``ReductionClaim`` makes "claimed exactly once downstream" a database fact: a reduction row is
  turned into coins, sold as a credit or donated at most once (unique ``reduction``).

Pipeline (see ``services.batch_process``): a ``Batch`` file is stream-parsed into ``StagedRecord``
rows (COPY on PostgreSQL), then moved set-based into ``SourceRecord`` (one row per provider +
external record id, holding its latest revision), matched to ``accounts.Binding`` and quantified
into ``Reduction`` rows with the methodology registry's SQL expression.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tanpuhui.common.models import AppendOnlyModel, TimeStampedModel, UUIDModel
from tanpuhui.metering.row_errors import row_error_text


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


class RecordType(models.TextChoices):
    ELECTRICITY = "electricity_reading", _("Electricity billing reading")
    WATER = "water_reading", _("Water billing reading")
    GAS = "gas_reading", _("Gas billing reading")
    TRANSIT_TRIP = "transit_trip", _("Transit card trip")
    BIKE_TRIP = "bike_trip", _("Shared-bike trip")
    WALKING_STEPS = "walking_steps", _("Daily walking steps")
    FOREST_PLOT = "forest_plot", _("Registered forest plot")
    FOREST_SURVEY = "forest_survey", _("Forest plot survey")


class DataProvider(TimeStampedModel):
    """An organisation delivering records to one centre, through its service user's API keys."""

    class Kind(models.TextChoices):
        POWER_UTILITY = "power_utility", _("Power utility")
        WATER_UTILITY = "water_utility", _("Water utility")
        GAS_UTILITY = "gas_utility", _("Gas utility")
        TRANSIT_OPERATOR = "transit_operator", _("Transit card operator")
        BIKE_SHARE_OPERATOR = "bike_share_operator", _("Bike-share operator")
        FORESTRY_SURVEYOR = "forestry_surveyor", _("Forestry surveyor")

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="data_providers")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    record_types = models.JSONField(_("allowed record types"), default=list)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_provider",
        help_text=_("The service identity (role data_provider) whose API keys upload for this provider."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["centre", "code"]
        constraints = [models.UniqueConstraint(fields=["centre", "code"], name="provider_code_per_centre")]
        verbose_name = _("data provider")
        verbose_name_plural = _("data providers")

    def __str__(self) -> str:
        return self.name


class Batch(UUIDModel):
    """One uploaded file and the progress of its processing (counters update per stage)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Validating")
        LOADING = "loading", _("Loading records")
        MATCHING = "matching", _("Matching to residents")
        QUANTIFYING = "quantifying", _("Quantifying")
        FINISHED = "finished", _("Finished")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON Lines"

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="batches")
    provider = models.ForeignKey(DataProvider, on_delete=models.PROTECT, related_name="batches")
    record_type = models.CharField(_("record type"), max_length=24, choices=RecordType.choices)
    file_format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    file_path = models.CharField(max_length=255)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.QUEUED)
    failure_reason = models.TextField(_("reason"), blank=True)
    # received = accepted + duplicates + rejected (data rows of the file). accepted: rows that became
    # a new record or corrected one (``revised`` of them); duplicates: valid rows that changed
    # nothing (delivered before, repeated in the file, a lower revision, another provider's trip).
    # matched + unmatched = the records this batch wrote or corrected; too_old ⊆ unmatched.
    received = models.PositiveIntegerField(_("received"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    revised = models.PositiveIntegerField(_("revised"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    unmatched = models.PositiveIntegerField(_("unmatched"), default=0)
    # Of the unmatched: records whose period ended before the centre's binding window (counted from
    # the day of processing). No binding made from now on can credit them; they stay unmatched.
    too_old = models.PositiveIntegerField(_("too old to match"), default=0)
    quantified = models.PositiveIntegerField(_("quantified"), default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker processing the batch holds a lease and renews it while it works; a "processing"
    # batch whose lease ran out lost its worker, and is resumed from its stage (services.batch_process).
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "sha256"], name="batch_file_once_per_provider")
        ]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self) -> str:
        return f"{self.provider} {self.get_record_type_display()} {self.created_at:%Y-%m-%d %H:%M}"

    # The stages a batch works through, in order: its page shows "step n of 4".
    STEPS = (Stage.VALIDATING, Stage.LOADING, Stage.MATCHING, Stage.QUANTIFYING)

    @property
    def steps_done(self) -> int:
        """Stages finished (0…4): what the progress bar on the batch's page fills."""
        if self.stage == self.Stage.FINISHED:
            return len(self.STEPS)
        return self.STEPS.index(self.stage) if self.stage in self.STEPS else 0


class RowError(models.Model):
    """A rejected row. ``code`` and ``params`` name its message in ``row_errors.ROW_ERRORS``, rendered
    when read (``message``), in the reader's language. Rows stored before codes existed keep their
    text in ``reason`` (in the language of their processing time) and show it as it is."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField()
    field = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=32, blank=True)
    params = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    raw_value = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["batch", "row_number", "id"]
        indexes = [models.Index(fields=["batch", "row_number"])]
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.field} {self.message}"

    @property
    def message(self) -> str:
        return row_error_message(self.code, self.params, self.reason)


def row_error_message(code: str, params: dict | None, reason: str = "") -> str:
    """A row error's text in the active language: from its code, or a legacy row's stored text."""
    return row_error_text(code, params) if code else reason


class StagedRecord(models.Model):
    """Scratch rows of one batch between parsing and the set-based move (UNLOGGED on PostgreSQL)."""

    class Status(models.IntegerChoices):
        NEW = 0
        DUP_IN_FILE = 1
        DUPLICATE = 2
        REVISION = 3
        CROSS_DUPLICATE = 4
        STALE_REVISION = 5

    batch_id = models.UUIDField()
    row_number = models.PositiveIntegerField()
    status = models.SmallIntegerField(default=0)
    external_id = models.CharField(max_length=64)
    revision = models.PositiveIntegerField(default=1)
    account = models.CharField(max_length=40)
    binding_kind = models.CharField(max_length=16, blank=True)
    behaviour = models.CharField(max_length=32, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    start_day = models.IntegerField()
    end_day = models.IntegerField()
    occurred_at = models.DateTimeField(null=True)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit = models.CharField(max_length=16)
    distance_km = models.DecimalField(max_digits=10, decimal_places=3, null=True)
    mode = models.CharField(max_length=24, blank=True)
    origin = models.CharField(max_length=64, blank=True)
    destination = models.CharField(max_length=64, blank=True)
    trip_key = models.CharField(max_length=80, null=True)
    attrs = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["batch_id", "external_id"]),
            models.Index(fields=["batch_id", "trip_key"]),
        ]
        verbose_name = _("staged record")
        verbose_name_plural = _("staged records")

    def __str__(self) -> str:
        return f"{self.batch_id} row {self.row_number}"


class UnmatchedReason(models.TextChoices):
    """Why a record is unmatched (``selectors.unmatched_reason``; shown to staff)."""

    NO_BINDING_YET = "no_binding_yet", _("No resident has bound this account yet")
    TOO_OLD = "too_old", _("Ended before the binding window: it can no longer be credited")
    NO_PLOT_OWNER = "no_plot_owner", _("The plot has no registered owner yet")


class SourceRecord(TimeStampedModel):
    """A provider's record, deduplicated by (provider, external id); holds its latest revision.

    A higher revision updates this row and flags it for re-quantification; the reductions already
    computed keep their own snapshot of the inputs, and the difference becomes an adjustment.
    """

    # centre/provider lead composite indexes below: no separate FK indexes (faster bulk writes)
    # Bulk table: the foreign keys are not database constraints — PostgreSQL checks deferred
    # constraints row by row at COMMIT, which cost more than the load itself. Every value is written
    # by the pipeline's INSERT … SELECT from the batch row and an active binding; rows are never
    # deleted. centre/provider lead composite indexes below (no separate FK indexes).
    centre = models.ForeignKey(
        "tenancy.Centre", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    provider = models.ForeignKey(
        DataProvider, on_delete=models.PROTECT, related_name="records", db_index=False, db_constraint=False
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="records", db_constraint=False)
    record_type = models.CharField(max_length=24, choices=RecordType.choices)
    external_id = models.CharField(_("record id"), max_length=64)
    revision = models.PositiveIntegerField(default=1)
    account = models.CharField(_("account or card"), max_length=40)
    binding_kind = models.CharField(max_length=16, blank=True)
    behaviour = models.CharField(max_length=32, choices=Behaviour.choices, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    start_day = models.IntegerField(help_text="period_start as days since 1970-01-01")
    end_day = models.IntegerField(help_text="period_end as days since 1970-01-01")
    occurred_at = models.DateTimeField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=16, decimal_places=4)
    unit = models.CharField(max_length=16)
    distance_km = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    distance_source = models.CharField(max_length=16, blank=True)
    mode = models.CharField(max_length=24, blank=True)
    origin = models.CharField(max_length=64, blank=True)
    destination = models.CharField(max_length=64, blank=True)
    trip_key = models.CharField(max_length=80, null=True, blank=True)
    baseline = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    baseline_source = models.CharField(max_length=16, blank=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # records are found by batch or account; fewer indexes, faster bulk writes
        db_constraint=False,
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    needs_requantify = models.BooleanField(default=False)
    # Only the unmatched-records page sorts by creation: a partial index over unmatched rows.
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "external_id"], name="record_once_per_provider"),
            models.UniqueConstraint(
                fields=["centre", "trip_key"],
                condition=Q(trip_key__isnull=False),
                name="trip_once_per_centre",
            ),
        ]
        # Every index is paid for by each of millions of inserted rows: one (centre, account, …)
        # index serves late binding (centre, kind, account) and baselines (centre, type, account,
        # days) — account numbers of different kinds practically never collide.
        indexes = [
            models.Index(fields=["centre", "account", "start_day"], name="record_centre_account"),
            models.Index(
                fields=["-created_at"], condition=Q(resident__isnull=True), name="record_unmatched_recent"
            ),
        ]
        verbose_name = _("source record")
        verbose_name_plural = _("source records")

    def __str__(self) -> str:
        return f"{self.get_record_type_display()} {self.external_id} r{self.revision}"


class ForestPlot(TimeStampedModel):
    """A registered forest plot of a mountain village or household, reported by a surveyor."""

    centre = models.ForeignKey("tenancy.Centre", on_delete=models.PROTECT, related_name="forest_plots")
    provider = models.ForeignKey(DataProvider, on_delete=models.PROTECT, related_name="forest_plots")
    plot_id = models.CharField(_("plot id"), max_length=40)
    revision = models.PositiveIntegerField(default=1)
    owner_name = models.CharField(_("owner village or household"), max_length=100)
    owner_phone = models.CharField(max_length=11, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=4)
    forest_type = models.CharField(_("forest type"), max_length=40)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "plot_id"], name="plot_once_per_centre")]
        verbose_name = _("forest plot")
        verbose_name_plural = _("forest plots")

    def __str__(self) -> str:
        return f"{self.plot_id} {self.owner_name}"


class InputsSnapshot(models.Model):
    """The evidence of one (methodology version, parameter values) combination, stored once.

    Every reduction quantified with the same method and values references this row instead of
    repeating ~360 bytes of JSON (two thirds of a reduction row). Rows are immutable and found by
    the SHA-256 of their canonical JSON, so the same inputs always give the same row."""

    digest = models.CharField(max_length=64, unique=True)
    data = models.JSONField()

    class Meta:
        verbose_name = _("inputs snapshot")
        verbose_name_plural = _("inputs snapshots")

    def __str__(self) -> str:
        return self.digest[:12]


class Reduction(AppendOnlyModel):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original")
        ADJUSTMENT = "adjustment", _("Adjustment")

    # Bulk table: centre and resident are PROTECTed by Django (the collector) but are not database
    # constraints — Django's FKs are DEFERRABLE INITIALLY DEFERRED, so PostgreSQL queued and checked
    # two RI triggers per inserted reduction at COMMIT. Both values are copied by the quantifying
    # INSERT … SELECT from a source record matched to an existing binding. Their single-column
    # indexes are covered by the composite indexes below (resident, period_end) and (centre, …).
    centre = models.ForeignKey(
        "tenancy.Centre",
        on_delete=models.PROTECT,
        related_name="reductions",
        db_index=False,
        db_constraint=False,
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reductions",
        db_index=False,
        db_constraint=False,
    )
    behaviour = models.CharField(_("behaviour"), max_length=32, choices=Behaviour.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    kg_co2e = models.DecimalField(_("kg CO₂e"), max_digits=14, decimal_places=4)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ORIGINAL)
    # Written by the adjusting INSERT … SELECT from the record's original: no deferred RI event per
    # inserted row (PostgreSQL queues one even for NULL); indexed only where set (partial index).
    adjusts = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjustments",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Evidence: which record, which methodology version, which inputs.
    # Evidence links are written by the same INSERT … SELECT that reads them: no deferred row-by-row
    # constraint checks at COMMIT for bulk quantification (the same reasoning as centre/resident above).
    source_record = models.ForeignKey(
        SourceRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reductions",
        db_constraint=False,
    )
    record_revision = models.PositiveIntegerField(null=True, blank=True)
    batch = models.ForeignKey(
        Batch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    methodology_version = models.ForeignKey(
        "methodology.MethodologyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reductions",
        db_index=False,  # a handful of versions: the index only cost bulk inserts
        db_constraint=False,
    )
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4, null=True, blank=True)
    distance_km = models.DecimalField(
        _("distance (km)"), max_digits=10, decimal_places=3, null=True, blank=True
    )
    # Inputs inline (reductions written before the shared snapshots) or by reference: read both
    # through ``inputs_snapshot``.
    inline_snapshot = models.JSONField(_("inputs"), default=dict, blank=True, db_column="inputs_snapshot")
    snapshot = models.ForeignKey(
        InputsSnapshot,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    @property
    def inputs_snapshot(self) -> dict:
        if self.inline_snapshot:
            return self.inline_snapshot
        return self.snapshot.data if self.snapshot is not None else {}

    class Meta:
        indexes = [
            models.Index(fields=["resident", "period_end"]),
            models.Index(fields=["centre", "behaviour", "period_end"]),
            models.Index(fields=["adjusts"], condition=Q(adjusts__isnull=False), name="reduction_adjusts"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_record"],
                condition=Q(kind="original"),
                name="one_original_reduction_per_record",
            )
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
