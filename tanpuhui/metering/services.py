"""Metering operations: receive a provider file, process it (validate → load → match → quantify),
match late bindings, and manage providers.

Every stage is set-based: the file is stream-parsed into a staging table (COPY on PostgreSQL,
``executemany`` on SQLite) and moved with ``INSERT … SELECT … ON CONFLICT``/``UPDATE … FROM``.
No per-row commits; each stage commits once and updates the batch counters, so a page can poll.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import Binding, Role, User
from tanpuhui.accounts.services import api_key_issue, role_grant
from tanpuhui.common import db as sqlite
from tanpuhui.common import files, metrics
from tanpuhui.common.errors import Conflict, Forbidden, ServiceError, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.metering import fastload, sql
from tanpuhui.metering.models import (
    Batch,
    Behaviour,
    DataProvider,
    ForestPlot,
    RecordType,
    Reduction,
    RowError,
    SourceRecord,
    StagedRecord,
)
from tanpuhui.metering.parsing import (
    FileRejected,
    ParsedRow,
    RowConverter,
    parse_csv,
    parse_jsonl,
    sniff_empty,
)
from tanpuhui.metering.quantification import binding_cutoff_day, metering_params, quantify, window_days
from tanpuhui.metering.rules import STAGED_COLUMNS, Limits, StagedRow
from tanpuhui.metering.schemas import PROVIDER_RECORD_TYPES, SCHEMAS
from tanpuhui.metering.signals import batch_queued, reductions_quantified
from tanpuhui.methodology.registry import MethodUnavailable, resolve
from tanpuhui.tenancy.models import Centre

logger = logging.getLogger(__name__)

ANALYZE_THRESHOLD = 5_000  # rows in a batch above which tables are re-ANALYZEd between stages
# pg_advisory_xact_lock(class, provider id): one load per provider at a time (``_lock_provider``).
PROVIDER_LOCK_CLASS = 0x74704D50  # "tpMP"
ERROR_ROWS_KEPT = 100_000  # beyond this, errors are counted but not stored

CONTENT_TYPES = {
    "text/csv": Batch.Format.CSV,
    "application/csv": Batch.Format.CSV,
    "application/x-ndjson": Batch.Format.JSONL,
    "application/jsonl": Batch.Format.JSONL,
    "application/jsonlines": Batch.Format.JSONL,
}


class Readable(Protocol):
    """An upload's body: a file, a request stream."""

    def read(self, size: int = ..., /) -> bytes: ...


class PayloadTooLarge(ServiceError):
    status_code = 413
    default_code = "file_too_large"


class UnsupportedMediaType(ServiceError):
    status_code = 415
    default_code = "unsupported_media_type"


MIB = 1024 * 1024


def max_upload_bytes() -> int:
    """The largest accepted file in bytes (default 200 MiB = 209,715,200 bytes)."""
    return int(getattr(settings, "METERING_MAX_UPLOAD_BYTES", 200 * MIB))


def too_large() -> PayloadTooLarge:
    """The 413 of a file over the limit; the message states the limit exactly as it is enforced
    (binary units: 1 MiB = 1,048,576 bytes)."""
    limit = max_upload_bytes()
    size = f"{limit // MIB} MiB" if limit % MIB == 0 else ""
    if size:
        message = _("The file is larger than %(size)s (%(bytes)s bytes).") % {
            "size": size,
            "bytes": f"{limit:,}",
        }
    else:
        message = _("The file is larger than %(bytes)s bytes.") % {"bytes": f"{limit:,}"}
    return PayloadTooLarge(message, fields={"file": [message]})


# --- providers ----------------------------------------------------------------------------------


@transaction.atomic
def provider_create(
    *,
    centre: Centre,
    code: str,
    name: str,
    kind: str,
    record_types: Iterable[str] | None = None,
    actor: User | None = None,
) -> DataProvider:
    """A provider with its service user (role data_provider in the centre), whose API keys upload
    for it: the only way a provider is made (staff API, back office, demo, tests)."""
    if kind not in DataProvider.Kind.values:
        raise ValidationFailed(_("Unknown provider kind."), fields={"kind": [_("Unknown provider kind.")]})
    types = list(record_types if record_types is not None else PROVIDER_RECORD_TYPES.get(kind, []))
    unknown = [t for t in types if t not in SCHEMAS]
    if unknown:
        raise ValidationFailed(_("Unknown record type."), fields={"record_types": unknown})
    if DataProvider.objects.filter(centre=centre, code=code).exists():
        raise Conflict(
            _("This centre already has a data provider with this code."),
            code="provider_code_taken",
            fields={"code": [_("Already used at this centre.")]},
        )
    user = User.objects.create_user(
        email=f"provider-{code}-{centre.code.lower()}@providers.tanpuhui.invalid",
        password=None,
        display_name=name[:50],
        centre=centre,
    )
    role_grant(user=user, role=Role.DATA_PROVIDER, centre=centre)
    provider = DataProvider.objects.create(
        centre=centre, code=code, name=name, kind=kind, record_types=types, service_user=user
    )
    if actor is not None:
        audit_record(actor=actor, action="provider.create", target=provider, centre=centre)
    return provider


def provider_key_issue(*, provider: DataProvider, name: str = "upload", actor: User | None = None) -> str:
    assert provider.service_user is not None  # every provider is made with one (provider_create)
    _key, plaintext = api_key_issue(user=provider.service_user, name=name, created_by=actor)
    return plaintext


def provider_for_user(user: User) -> DataProvider:
    provider = DataProvider.objects.select_related("centre").filter(service_user=user).first()
    if provider is None or not user.has_role(Role.DATA_PROVIDER):
        raise Forbidden(_("This identity is not a data provider."), code="not_a_provider")
    if not provider.is_active:
        raise Forbidden(_("This data provider is suspended."), code="provider_suspended")
    return provider


# --- receiving a file ---------------------------------------------------------------------------


def format_for(content_type: str, filename: str = "") -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in CONTENT_TYPES:
        return CONTENT_TYPES[media]
    if media in ("", "application/octet-stream") and filename:
        lower = filename.lower()
        if lower.endswith(".csv"):
            return Batch.Format.CSV
        if lower.endswith((".jsonl", ".ndjson")):
            return Batch.Format.JSONL
    raise UnsupportedMediaType(
        _("Send text/csv or application/x-ndjson (or multipart/form-data with a .csv/.jsonl file)."),
        fields={"content_type": [media or "missing"]},
    )


def batch_receive(
    *,
    provider: DataProvider,
    record_type: str,
    file_format: str,
    stream: Readable,
    original_name: str = "",
    uploaded_by: User | None = None,
    content_length: int | None = None,
    enqueue: bool = True,
) -> tuple[Batch, bool]:
    """Stream ``stream`` to disk while hashing it; return (batch, is_duplicate).

    The same file (SHA-256) from the same provider answers the existing batch; nothing is counted
    twice. Processing is queued on commit (``enqueue=False``: the caller runs ``batch_process``).
    """
    if record_type not in SCHEMAS:
        raise ValidationFailed(
            _("Unknown record type."),
            code="unknown_record_type",
            fields={"record_type": [_("Choose one of: %(types)s.") % {"types": ", ".join(SCHEMAS)}]},
        )
    if record_type not in (provider.record_types or []):
        raise ValidationFailed(
            _("This provider may not deliver this record type."),
            code="record_type_not_allowed",
            fields={"record_type": [record_type]},
        )
    limit = max_upload_bytes()
    if content_length is not None and content_length > limit:
        raise too_large()
    try:
        with files.spooled(stream, limit=limit, folder=files.spool_folder(files.UPLOADS)) as (
            spool,
            size,
            sha,
        ):
            existing = Batch.objects.filter(provider=provider, sha256=sha).first()
            if existing is not None:
                return existing, True
            batch_id = uuid.uuid4()
            # The storage streams the spooled file on (a rename on local disk, a multipart upload to S3).
            name = files.save_spooled(files.UPLOADS, f"{batch_id}.{file_format}", spool)
    except files.TooLarge:
        raise too_large() from None
    try:
        with transaction.atomic():
            batch = Batch.objects.create(
                id=batch_id,
                centre_id=provider.centre_id,
                provider=provider,
                record_type=record_type,
                file_format=file_format,
                file_path=name,  # the name in the ``uploads`` storage
                original_name=(original_name or "")[:255],
                size_bytes=size,
                sha256=sha,
                uploaded_by=uploaded_by,
            )
    except IntegrityError:  # the same file raced in from a parallel upload
        files.delete(files.UPLOADS, name)
        return Batch.objects.get(provider=provider, sha256=sha), True
    if enqueue:
        _enqueue(batch.pk)
    return batch, False


def _enqueue(batch_id: uuid.UUID | str) -> None:
    """Queue the batch's processing on commit (``tasks`` connects the Celery task to the hook)."""
    transaction.on_commit(lambda: batch_queued.send(sender=Batch, batch_id=str(batch_id)))


# --- processing ---------------------------------------------------------------------------------


def _uuid_param(value: Any) -> Any:
    return value if connection.vendor == "postgresql" else uuid.UUID(str(value)).hex


def _limits(centre_id: int) -> Limits:
    limits = Limits()
    today = timezone.localdate()
    try:
        cycling = resolve(behaviour=Behaviour.CYCLING, centre_id=centre_id, on=today).limits
        limits.bike_max_speed_kmh = float(cycling.get("max_speed_kmh", limits.bike_max_speed_kmh))
        limits.bike_max_distance_km = float(cycling.get("max_daily_km", limits.bike_max_distance_km))
    except MethodUnavailable:
        pass
    try:
        walking = resolve(behaviour=Behaviour.WALKING, centre_id=centre_id, on=today).limits
        limits.walking_max_steps = int(walking.get("max_daily_steps", limits.walking_max_steps))
    except MethodUnavailable:
        pass
    return limits


def staged_rows_delete(*, batch_id: uuid.UUID | str) -> None:
    """Drop a batch's staging rows; on SQLite a window at a time (one writer: keep each short)."""
    if connection.vendor == "postgresql":
        StagedRecord.objects.filter(batch_id=batch_id).delete()
        return
    statement = (
        f"DELETE FROM {sql.STG} WHERE id IN "  # noqa: S608
        f"(SELECT id FROM {sql.STG} WHERE batch_id = %s LIMIT {sqlite.window_rows()})"
    )
    with connection.cursor() as cursor:
        while True:
            with transaction.atomic():
                cursor.execute(statement, [_uuid_param(batch_id)])
                if cursor.rowcount <= 0:
                    return
            sqlite.let_writers_in()


def _update(batch_id: uuid.UUID | str, **fields: Any) -> None:
    Batch.objects.filter(pk=batch_id).update(**fields)


def lease_seconds() -> int:
    """How long a worker's claim on a batch lasts without a heartbeat (renewed every third of it)."""
    return max(int(getattr(settings, "METERING_BATCH_LEASE_SECONDS", 120)), 1)


def max_attempts() -> int:
    return max(int(getattr(settings, "METERING_BATCH_MAX_ATTEMPTS", 5)), 1)


class LeaseLost(Exception):
    """Another worker took this batch over (our lease had run out): this stage must not commit."""


# Where a resumed batch starts again. Each stage commits in one transaction together with the next
# stage's name, so ``stage`` tells what is committed: validating/loading → nothing loaded yet (the
# staging rows and the one-pass raw table may be gone) → from the start; matching → records
# loaded; quantifying → records matched (quantifying again is idempotent).
_RESUME: dict[str, str] = {
    Batch.Stage.QUEUED: Batch.Stage.VALIDATING,
    Batch.Stage.VALIDATING: Batch.Stage.VALIDATING,
    Batch.Stage.LOADING: Batch.Stage.VALIDATING,
    Batch.Stage.MATCHING: Batch.Stage.MATCHING,
    Batch.Stage.QUANTIFYING: Batch.Stage.QUANTIFYING,
}


def _claim(batch: Batch) -> uuid.UUID | None:
    """Take ``batch`` for this worker: a received or failed one, or a processing one whose worker
    died (lease expired). One conditional UPDATE, so of two workers exactly one wins."""
    now = timezone.now()
    token = uuid.uuid4()
    lease = now + timedelta(seconds=lease_seconds())
    stale = Q(status=Batch.Status.PROCESSING, attempts__lt=max_attempts()) & (
        Q(lease_expires_at__lt=now)
        | Q(lease_expires_at__isnull=True, started_at__lt=now - timedelta(seconds=lease_seconds()))
    )
    fresh = Q(status__in=[Batch.Status.RECEIVED, Batch.Status.FAILED])
    resume = _RESUME.get(batch.stage, Batch.Stage.VALIDATING)
    fields: dict[str, Any] = {
        "status": Batch.Status.PROCESSING,
        "lease_token": token,
        "lease_expires_at": lease,
    }
    if resume == Batch.Stage.VALIDATING:
        fields.update(stage=Batch.Stage.VALIDATING, started_at=now)
    else:
        fields.update(failure_reason="")
    claimed = Batch.objects.filter(fresh | stale, pk=batch.pk, stage=batch.stage).update(
        attempts=Case(When(fresh, then=Value(1)), default=F("attempts") + 1), **fields
    )
    return token if claimed else None


def batch_process(*, batch_id: uuid.UUID | str) -> Batch:
    """Run every stage of one batch. Re-running a finished batch changes nothing; running a batch
    whose worker died (or that failed) resumes it from the stage it had reached, with the result of
    a clean run."""
    batch = Batch.objects.select_related("provider", "centre").get(pk=batch_id)
    token = _claim(batch)
    if token is None:  # finished, or another worker holds it
        return batch
    batch.refresh_from_db(fields=["stage", "received", "rejected", "attempts"])
    pipeline = None
    heartbeat = _Heartbeat(batch.pk, token)
    try:
        pipeline = Pipeline(batch, token=token)
        if batch.stage == Batch.Stage.VALIDATING:
            if pipeline.stage_validate():
                pipeline.stage_load()
                pipeline.stage_match()
                pipeline.stage_quantify()
        else:  # resumed after the load committed
            pipeline.large = batch.received >= ANALYZE_THRESHOLD
            if batch.stage == Batch.Stage.MATCHING:
                pipeline.stage_match()
            pipeline.stage_quantify()
        pipeline.advance(
            status=Batch.Status.DONE,
            stage=Batch.Stage.FINISHED,
            finished_at=timezone.now(),
            lease_token=None,
            lease_expires_at=None,
        )
    except LeaseLost:
        logger.warning("batch %s: another worker took it over; this one stops", batch.pk)
        return Batch.objects.get(pk=batch.pk)
    except FileRejected as exc:
        _update(
            batch.pk,
            status=Batch.Status.REJECTED,
            stage=Batch.Stage.FINISHED,
            failure_reason=str(exc),
            finished_at=timezone.now(),
            lease_token=None,
            lease_expires_at=None,
        )
    except Exception as exc:
        logger.exception("batch %s failed", batch.pk)
        _update(
            batch.pk,
            status=Batch.Status.FAILED,
            failure_reason=_("Processing failed: %(error)s") % {"error": type(exc).__name__},
            finished_at=timezone.now(),
            lease_token=None,
            lease_expires_at=None,
        )
        raise
    finally:
        heartbeat.stop()
        staged_rows_delete(batch_id=batch.pk)
        if pipeline is not None and pipeline.fast is not None:
            pipeline.fast.drop()
    batch.refresh_from_db()
    return batch


def batches_recover() -> list:
    """Re-queue the batches whose worker died (processing, lease expired); mark failed those that
    lost their worker ``METERING_BATCH_MAX_ATTEMPTS`` times (a file that kills its worker must not
    loop for ever). Run by beat every minute; returns the re-queued ids."""
    now = timezone.now()
    stale = Batch.objects.filter(
        Q(lease_expires_at__lt=now)
        | Q(lease_expires_at__isnull=True, started_at__lt=now - timedelta(seconds=lease_seconds())),
        status=Batch.Status.PROCESSING,
    )
    given_up = stale.filter(attempts__gte=max_attempts()).update(
        status=Batch.Status.FAILED,
        failure_reason=_("Processing stopped %(n)d times before it finished; the file was set aside.")
        % {"n": max_attempts()},
        finished_at=now,
        lease_token=None,
        lease_expires_at=None,
    )
    if given_up:
        logger.error("%d batch(es) lost their worker too often and were marked failed", given_up)
    ids = [str(pk) for pk in stale.values_list("pk", flat=True)]
    for batch_id in ids:
        logger.warning("batch %s lost its worker: re-queued", batch_id)
        batch_queued.send(sender=Batch, batch_id=batch_id)
    return ids


class _Heartbeat:
    """Renews the batch's lease every third of its length from a thread with its own database
    connection, so a long stage keeps it and a killed worker loses it within one lease.

    Only outside a transaction: the thread's connection sees committed rows only (the tests'
    per-test transaction never needs it)."""

    def __init__(self, batch_id: uuid.UUID | str, token: uuid.UUID) -> None:
        self.batch_id, self.token = batch_id, token
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._run, name=f"lease-{batch_id}", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        from django.db import connection as own  # this thread's connection

        seconds = lease_seconds()
        try:
            while not self._stopped.wait(seconds / 3):
                try:
                    renewed = Batch.objects.filter(pk=self.batch_id, lease_token=self.token).update(
                        lease_expires_at=timezone.now() + timedelta(seconds=seconds)
                    )
                except Exception:  # e.g. SQLite busy: try again at the next beat
                    logger.warning("batch %s: lease renewal failed", self.batch_id, exc_info=True)
                    continue
                if not renewed:  # finished, or taken over
                    return
        finally:
            own.close()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


class RowErrors:
    """A batch's rejected rows, stored as code + params (``row_errors``) in chunks; beyond
    ``ERROR_ROWS_KEPT`` they are counted by the caller but not stored."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.kept = 0
        self._pending: list[RowError] = []

    def keep(self, item: ParsedRow) -> None:
        if self.kept >= ERROR_ROWS_KEPT:
            return
        self.kept += 1
        self._pending.append(
            RowError(
                batch_id=self.batch.pk,
                row_number=item.row_number,
                field=item.field[:64],
                code=item.code,
                params=item.params,
                raw_value=(item.raw or "")[:200],
            )
        )
        if len(self._pending) >= 2000:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            RowError.objects.bulk_create(self._pending)
            self._pending = []


class Pipeline:
    """The staged pipeline of one batch (validate → load → match → quantify, each stage one
    transaction on PostgreSQL, short steps on SQLite). Public for the one-pass load
    (``fastload.StagedPipeline``), the benchmark and the recovery tests: ``stage_*``, ``advance``,
    ``stage_rows``, ``errors``, ``analyze``, ``bulk_session``, ``classify_staged``."""

    def __init__(self, batch: Batch, token: uuid.UUID | None = None) -> None:
        self.batch = batch
        self.token = token
        self.bid = _uuid_param(batch.pk)
        self.pg = connection.vendor == "postgresql"
        self.fast: fastload.FastLoad | None = None
        self.large = False
        self.errors = RowErrors(batch)
        # For the stage metrics: the stage under way, since when, and the file's rows (known once validated).
        self.stage = str(batch.stage)
        self.stage_started = time.monotonic()
        self.rows = batch.received or 0

    def advance(self, **fields: Any) -> None:
        """Record a stage's outcome — in the stage's transaction — if this worker still holds the
        lease; otherwise raise ``LeaseLost`` so the stage rolls back (its new holder redoes it)."""
        if not Batch.objects.filter(pk=self.batch.pk, lease_token=self.token).update(**fields):
            raise LeaseLost(str(self.batch.pk))
        self._stage_done(fields)

    def _stage_done(self, fields: dict[str, Any]) -> None:
        """Count the stage that ``fields`` closes (its rows and time) once its transaction commits. The
        one-pass load moves from loading straight to quantifying: its matching is counted as loading."""
        stage = fields.get("stage")
        if stage is None or stage == self.stage:
            return
        finished, self.stage = self.stage, stage
        received = fields.get("received")
        if isinstance(received, int):
            self.rows = received
        now = time.monotonic()
        seconds, self.stage_started = now - self.stage_started, now
        rows = self.rows
        transaction.on_commit(lambda: metrics.batch_stage_done(stage=finished, rows=rows, seconds=seconds))

    def bulk_session(self) -> None:
        """Settings for this stage's transaction only (PostgreSQL; ``SET LOCAL`` ends with it).

        ``synchronous_commit = off``: the COMMIT returns before its WAL is flushed. A crash in that
        window (a fraction of a second) loses the whole stage transaction — never part of it — and
        the batch, still "processing", is re-run from its file (every stage is idempotent). Nothing
        else on the server is affected. More ``work_mem`` keeps the hash joins and the DISTINCT of
        10⁶-row batches in memory."""
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                if getattr(connection, "pg_version", 0) >= 140000:
                    # A killed worker's statement stops within seconds (its transaction rolls
                    # back and frees the provider's lock for the batch's next worker).
                    cursor.execute("SET LOCAL client_connection_check_interval = '2s'")

    # SQLite has one writer at a time: a login or a binding waits for the batch's open write
    # transaction (up to the busy timeout, then "database is locked"). So on SQLite a stage is a
    # series of short steps, one per window of rows, each idempotent; the stage's last step commits
    # its final statements with the next stage's name. PostgreSQL (MVCC: other writers never wait
    # on the batch) commits each stage once.
    @contextmanager
    def _stage(self) -> Iterator[None]:
        if self.pg:
            with transaction.atomic():
                self.bulk_session()
                yield
        else:
            yield

    @contextmanager
    def _step(self) -> Iterator[None]:
        """One short transaction on SQLite; inside the stage's transaction on PostgreSQL."""
        if self.pg:
            yield
            return
        with transaction.atomic():
            yield
        sqlite.let_writers_in()

    def _id_windows(self, cursor: CursorWrapper, table: str) -> list[tuple[int, int] | None]:
        """This batch's rows of ``table`` in windows of ids (SQLite), or one window for everything
        (PostgreSQL). Staged rows are inserted in file order, so their id order is row order; the
        primary key finds a window without another index."""
        if self.pg:
            return [None]
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table} WHERE batch_id = %s", [self.bid])  # noqa: S608
        low, high = cursor.fetchone()
        if low is None:
            return []
        size = sqlite.window_rows()
        return [(start, min(start + size - 1, high)) for start in range(low, high + 1, size)]

    def _row_windows(self, cursor: CursorWrapper) -> list[tuple[int, int] | None]:
        return self._id_windows(cursor, sql.STG)

    def _record_windows(self, cursor: CursorWrapper, alias: str = "r") -> list[tuple[str, list]]:
        """This batch's records as (scope on ``alias``, params), a window at a time on SQLite."""
        scopes = []
        for window in self._id_windows(cursor, sql.REC):
            if window is None:
                scopes.append((f"{alias}.batch_id = %s", [self.bid]))
            else:
                scopes.append(
                    (f"{alias}.batch_id = %s AND {alias}.id BETWEEN %s AND %s", [self.bid, *window])
                )
        return scopes

    # 1. stream-parse and validate into staging ---------------------------------------------------
    def stage_validate(self) -> bool:
        batch = self.batch
        if self.pg and batch.attempts > 1:
            # A worker died: its one-pass raw table may be left, and its rolled-back INSERT left
            # the records table full of dead rows that the statistics do not know of (probing it by
            # sequential scan row by row would take minutes): fresh statistics make it an index.
            fastload.FastLoad(self).drop()
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {sql.REC}")
        with files.open_binary(files.UPLOADS, batch.file_path) as handle:
            empty = sniff_empty(handle)
        if empty:
            raise FileRejected(_("The file is empty."))
        converter = RowConverter(SCHEMAS[batch.record_type], batch.pk, limits=_limits(batch.centre_id))
        parse = parse_csv if batch.file_format == Batch.Format.CSV else parse_jsonl
        counts = {"received": 0, "rejected": 0}
        with self._stage():
            staged_rows_delete(batch_id=batch.pk)
            RowError.objects.filter(batch=batch).delete()
            self.errors = RowErrors(batch)
            one_pass = fastload.FastLoad(self) if fastload.eligible(batch) else None
            staged = one_pass.validate(converter) if one_pass is not None else None
            if one_pass is not None and staged is not None:
                self.fast = one_pass
                counts = {"received": one_pass.received, "rejected": one_pass.rejected}
            else:
                with files.open_binary(files.UPLOADS, batch.file_path) as handle:
                    self.stage_rows(self._good_rows(parse(handle, converter), counts))
                self.errors.flush()
            received, rejected = counts["received"], counts["rejected"]
            self.large = received >= ANALYZE_THRESHOLD
            self.analyze(sql.STG)
            self.advance(
                stage=Batch.Stage.LOADING,
                received=received,
                rejected=rejected,
                failure_reason="" if received else _("Header only: the file has no data rows."),
            )
        return counts["received"] > counts["rejected"]

    def analyze(self, *tables: str) -> None:
        """Fresh statistics after a bulk change, so PostgreSQL plans hash joins, not nested loops."""
        if self.pg and getattr(self, "large", False):
            with connection.cursor() as cursor:
                for table in tables:
                    cursor.execute(f"ANALYZE {table}")

    def _good_rows(self, parsed: Iterable[ParsedRow], counts: dict[str, int]) -> Iterator[StagedRow]:
        for item in parsed:
            counts["received"] += 1
            if item.values is not None:
                yield item.values
                continue
            counts["rejected"] += 1
            self.errors.keep(item)

    def stage_rows(self, rows: Iterable[StagedRow]) -> None:
        """Write accepted rows to staging: COPY on PostgreSQL, ``executemany`` in steps on SQLite."""
        if self.pg:
            self._copy(rows)
        else:
            self._executemany(rows)

    def _copy(self, rows: Iterable[StagedRow]) -> None:
        columns = ", ".join(STAGED_COLUMNS)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {sql.STG} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def _executemany(self, rows: Iterable[StagedRow]) -> None:
        placeholders = ", ".join(["%s"] * len(STAGED_COLUMNS))
        statement = f"INSERT INTO {sql.STG} ({', '.join(STAGED_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
        adapt = connection.ops.adapt_datetimefield_value
        bid = self.bid
        chunk: list = []
        with connection.cursor() as cursor:
            for row in rows:
                values: dict[str, Any] = row._asdict()
                values.update(
                    batch_id=bid,
                    period_start=row.period_start.isoformat(),
                    period_end=row.period_end.isoformat(),
                    occurred_at=None if row.occurred_at is None else adapt(row.occurred_at),
                    quantity=str(row.quantity),
                    distance_km=None if row.distance_km is None else str(row.distance_km),
                )
                chunk.append(tuple(values.values()))
                if len(chunk) >= 5000:
                    with self._step():
                        cursor.executemany(statement, chunk)
                    chunk = []
            if chunk:
                with self._step():
                    cursor.executemany(statement, chunk)

    # 2. dedup and move into records ----------------------------------------------------------------
    def _lock_provider(self) -> None:
        """Loads of one provider take turns (each classifies its rows against the records the
        previous one committed). A transaction-scoped advisory lock, not a row lock: a lock on the
        provider row — or, through a join, its centre — would make every write that references
        them (a resident's binding, an upload, an API key) wait for the whole load. SQLite runs one
        writer at a time anyway."""
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [PROVIDER_LOCK_CLASS, self.batch.provider_id % 2**31],
                )

    def stage_load(self) -> None:
        batch = self.batch
        if self.fast is not None:
            with transaction.atomic():
                self.bulk_session()  # among them: a dead worker's statement stops within seconds
                self._lock_provider()
                self.fast.load()
            if self.fast.loaded:
                return

        def finish(duplicates: int, revised: int) -> None:
            self.analyze(sql.REC)
            self.advance(
                stage=Batch.Stage.MATCHING,
                accepted=F("received") - F("rejected") - duplicates,
                duplicates=duplicates,
                revised=revised,
            )

        with self._stage(), connection.cursor() as cursor:
            self._lock_provider()
            if batch.record_type == RecordType.FOREST_PLOT:  # registrations: small files, one step
                with self._step():
                    cursor.execute(sql.MARK_DUP_IN_FILE, [self.bid])
                    revised, duplicates = self._load_plots(cursor)
                    finish(duplicates, revised)
            else:
                self.classify_staged(cursor, finish=finish)

    def classify_staged(
        self, cursor: CursorWrapper, *, finish: Callable[[int, int], None] | None = None
    ) -> tuple[int, int]:
        """Classify the staged rows against the records (duplicate, revision, the same trip from
        another provider), insert the new ones and apply the revisions. Returns (duplicates, revised).

        On SQLite each window of rows is one step; the revisions and ``finish(duplicates, revised)``
        (the stage's counters and next stage) commit together in the last one."""
        batch, bid = self.batch, self.bid
        now = timezone.now()
        per_day = metering_params(batch.centre).get("default_baseline_per_day", {})
        default = Decimal(str(per_day[batch.record_type])) if batch.record_type in per_day else None
        if batch.record_type not in sql.UTILITY_TYPES:
            default = None
        insert_params = [
            now, now, batch.centre_id, batch.provider_id, bid, batch.record_type,
            "centre_default" if default is not None else "", now, default,
            batch.centre_id, window_days(batch.centre), bid,
        ]  # fmt: skip
        inserted = 0
        for window in self._row_windows(cursor):
            rows = list(window or ())
            where = sql.IN_ROW_WINDOW if window else ""
            with self._step():
                cursor.execute(sql.MARK_DUP_IN_FILE + where, [bid, *rows])
                cursor.execute(sql.MARK_DUPLICATE + where, [bid, batch.provider_id, *rows])
                cursor.execute(sql.MARK_REVISION + where, [bid, batch.provider_id, *rows])
                cursor.execute(sql.MARK_CROSS_DUPLICATE + where, [bid, batch.centre_id, *rows])
                cursor.execute(
                    sql.insert_new(connection.vendor, windowed=bool(window)), [*insert_params, *rows]
                )
                inserted += max(cursor.rowcount, 0)
        cursor.execute(sql.COUNT_STATUS, [bid])
        by_status = dict(cursor.fetchall())
        new = by_status.get(StagedRecord.Status.NEW, 0)
        if not self.pg:  # windows an interrupted attempt committed are this batch's records too
            inserted = SourceRecord.objects.filter(batch_id=batch.pk).count()
        with self._step():
            cursor.execute(sql.APPLY_REVISIONS, [bid, now, True, bid, batch.provider_id])
            revised = max(cursor.rowcount, 0)
            stale = by_status.get(StagedRecord.Status.REVISION, 0) - revised
            duplicates = (
                (new - inserted)
                + stale
                + sum(
                    by_status.get(s, 0)
                    for s in (
                        StagedRecord.Status.DUP_IN_FILE,
                        StagedRecord.Status.DUPLICATE,
                        StagedRecord.Status.CROSS_DUPLICATE,
                    )
                )
            )
            if finish is not None:
                finish(duplicates, revised)
        return duplicates, revised

    def _load_plots(self, cursor: CursorWrapper) -> tuple[int, int]:
        """Forest plots are registrations, not reductions: upsert ``ForestPlot`` (small volumes)."""
        batch = self.batch
        staged = StagedRecord.objects.filter(batch_id=batch.pk).order_by("row_number")
        existing = {p.plot_id: p for p in ForestPlot.objects.filter(centre_id=batch.centre_id)}
        duplicates = revised = 0
        for row in staged:
            if row.status == StagedRecord.Status.DUP_IN_FILE:
                duplicates += 1
                continue
            attrs = json.loads(row.attrs)
            owner = None
            if attrs.get("owner_phone"):
                owner = User.objects.filter(phone=attrs["owner_phone"], centre_id=batch.centre_id).first()
            plot = existing.get(row.external_id)
            values = {
                "owner_name": attrs["owner"],
                "owner_phone": attrs.get("owner_phone", ""),
                "area_ha": row.quantity,
                "forest_type": row.mode,
                "latitude": Decimal(attrs["latitude"]),
                "longitude": Decimal(attrs["longitude"]),
            }
            if plot is None:
                ForestPlot.objects.create(
                    centre_id=batch.centre_id, provider_id=batch.provider_id, plot_id=row.external_id,
                    owner=owner, revision=row.revision, **values,
                )  # fmt: skip
            elif row.revision > plot.revision:
                for key, value in values.items():
                    setattr(plot, key, value)
                plot.revision = row.revision
                if owner is not None:
                    plot.owner = owner
                plot.save()
                revised += 1
            else:
                duplicates += 1
        return revised, duplicates

    # 3. match to residents' bindings -----------------------------------------------------------
    def stage_match(self) -> None:
        if self.fast is not None and self.fast.loaded:
            return  # matched by the loading statement
        batch, bid = self.batch, self.bid
        now = timezone.now()
        with self._stage(), connection.cursor() as cursor:
            if batch.record_type == RecordType.FOREST_SURVEY:
                with self._step():
                    cursor.execute(sql.MATCH_FOREST_PLOTS, [now, bid])
            elif batch.record_type != RecordType.FOREST_PLOT:
                days = window_days(batch.centre)
                for scope, params in self._record_windows(cursor, alias=sql.REC):
                    with self._step():
                        cursor.execute(
                            sql.match_bindings(connection.vendor, scope=scope), [now, *params, days]
                        )
            if batch.record_type == RecordType.FOREST_SURVEY:
                # Other types were matched by the loading INSERT (analysed after it): this UPDATE
                # only retries its few unmatched rows, and statistics stay representative.
                self.analyze(sql.REC)
            cursor.execute(sql.COUNT_MATCHED, [binding_cutoff_day(batch.centre), bid])
            matched, unmatched, too_old = cursor.fetchone()
            self.advance(
                stage=Batch.Stage.QUANTIFYING,
                matched=matched or 0,
                unmatched=unmatched or 0,
                too_old=too_old or 0,
            )

    # 4. quantify -------------------------------------------------------------------------------
    def stage_quantify(self) -> None:
        batch = self.batch
        if self.fast is not None and self.fast.loaded:
            return  # quantified by the loading statement
        if batch.record_type == RecordType.FOREST_PLOT:
            return
        with self._stage(), connection.cursor() as cursor:
            created = 0
            for scope, params in self._record_windows(cursor):
                with self._step():
                    created += quantify(scope=scope, scope_params=params, centres=[batch.centre])
            if self.pg:
                # += : a batch resumed here after its quantify committed finds nothing left to do.
                self.advance(quantified=F("quantified") + created)
            else:  # windows an interrupted attempt committed count too
                created = Reduction.objects.filter(batch_id=batch.pk).count()
                self.advance(quantified=created)
            if created:
                centre_ids = [batch.centre_id]
                transaction.on_commit(
                    lambda: reductions_quantified.send(sender=Batch, centre_ids=centre_ids, batch_id=batch.pk)
                )


# --- late binding -------------------------------------------------------------------------------


def records_match_late(*, binding_id: int) -> int:
    """Match a new binding's waiting records (period ended within the centre's window) and
    quantify them retroactively. Returns the reductions written."""
    binding = Binding.objects.select_related("centre").filter(pk=binding_id, unbound_at__isnull=True).first()
    if binding is None:
        return 0
    cutoff = binding_cutoff_day(binding.centre, on=timezone.localtime(binding.created_at).date())
    resident = _uuid_param(binding.resident_id)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            sql.MATCH_LATE,
            [resident, timezone.now(), binding.centre_id, binding.kind, binding.account_number, cutoff],
        )
        if not cursor.rowcount:
            return 0
        created = quantify(
            scope="r.centre_id = %s AND r.binding_kind = %s AND r.account = %s AND r.resident_id = %s",
            scope_params=[binding.centre_id, binding.kind, binding.account_number, resident],
            centres=[binding.centre],
        )
        batch_ids = set(
            SourceRecord.objects.filter(
                centre_id=binding.centre_id, binding_kind=binding.kind, account=binding.account_number
            ).values_list("batch_id", flat=True)
        )
        _recount(batch_ids)
        if created:
            centre_ids = [binding.centre_id]
            transaction.on_commit(
                lambda: reductions_quantified.send(sender=Batch, centre_ids=centre_ids, batch_id=None)
            )
    return created


def _recount(batch_ids: Iterable[Any]) -> None:
    """Late matches change their batches' matched / unmatched / quantified counters."""
    for batch_id in batch_ids:
        records = SourceRecord.objects.filter(batch_id=batch_id)
        Batch.objects.filter(pk=batch_id).update(
            matched=records.filter(resident__isnull=False).count(),
            unmatched=records.filter(resident__isnull=True).count(),
            quantified=Reduction.objects.filter(batch_id=batch_id).count(),
        )
