"""The PostgreSQL bulk path for clean CSV files of the high-volume record types.

Utility readings and transit trips arrive by the million. For them, on PostgreSQL, a CSV batch is
not parsed row by row in Python:

1. **raw COPY** — the file goes as-is into an UNLOGGED table of text columns (PostgreSQL's own CSV
   reader: quoting, quoted newlines, CRLF, BOM in the header line).
2. **validation in SQL** — one predicate per record type accepts the rows that are plainly valid and
   canonical (the same subset the Python fast path accepts: ASCII ids, ISO dates inside the
   calendar, plain decimals, …) and types them with casts that cannot fail. Every other row goes to
   the Python converter, which either accepts it (spaces, other units, other spellings) or rejects it
   with the row's error text. So results are identical to the Python path, only faster; a test
   compares both paths on awkward rows.
3. **one loading statement** — ``INSERT … SELECT`` of the typed rows into source records, matched to
   bindings by a hash join and with their baselines, and in the same statement (a data-modifying
   CTE) the reductions of the matched records, quantified by one ``CASE`` over the methodology
   segments. Nothing is written twice and no freshly written row is updated.

Whatever this path does not handle in one pass goes to the general, staged pipeline
(``services._Pipeline``) — never a different answer, only a slower one:

- a file PostgreSQL's CSV reader refuses (wrong field count, bad UTF-8, NUL, a blank line, a header
  with a quoted newline): the whole file takes the Python path, which rejects the bad rows one by one;
- rows whose record id or trip already exist (re-uploads, corrections, another provider's trip): the
  few are staged and classified by the general statements (duplicate, revision → adjustment);
- duplicates inside the file, or utility readings that are each other's history (a file spanning a
  year or more): the load rolls back to a savepoint and the batch takes the staged pipeline.
"""

from __future__ import annotations

import itertools
import logging
from datetime import date, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tanpuhui.common import files
from tanpuhui.metering import sql
from tanpuhui.metering.models import Batch, StagedRecord
from tanpuhui.metering.parsing import (
    MAX_LINE_CHARS,
    ParsedRow,
    RowConverter,
    convert_fields,
    read_csv_header,
    too_long,
)
from tanpuhui.metering.quantification import (
    binding_cutoff_day,
    compact_snapshot,
    metering_params,
    quantify,
    snapshot_id,
    window_days,
)
from tanpuhui.metering.rules import (
    EARLIEST,
    RECORD_COLUMNS,
    STAGED_COLUMNS,
    Clock,
    Limits,
    SqlPlan,
    StagedRow,
    day_number,
    sql_plan,
    sql_ready,
)
from tanpuhui.metering.schemas import SCHEMAS
from tanpuhui.metering.signals import reductions_quantified
from tanpuhui.methodology import registry
from tanpuhui.methodology.registry import MethodUnavailable, resolve

logger = logging.getLogger(__name__)

UTILITY_TYPES = sql.UTILITY_TYPES
SLOW_CHUNK = 5_000


class RowErrorLog(Protocol):
    def keep(self, item: ParsedRow) -> None: ...
    def flush(self) -> None: ...


class StagedPipeline(Protocol):
    """What the one-pass load uses of the staged pipeline (``services.Pipeline``): it hands the
    rows and cases it does not handle in one pass to the pipeline's public steps."""

    batch: Batch
    bid: Any  # the batch id as the database driver takes it
    large: bool

    @property
    def errors(self) -> RowErrorLog: ...

    def stage_rows(self, rows: list[StagedRow]) -> None: ...
    def analyze(self, *tables: str) -> None: ...
    def bulk_session(self) -> None: ...
    def classify_staged(self, cursor) -> tuple[int, int]: ...
    def advance(self, **fields) -> None: ...


def _clock() -> Clock:
    return Clock(now=timezone.now(), tz=ZoneInfo(settings.TIME_ZONE), limits=Limits())


def eligible(batch: Batch) -> bool:
    """CSV on PostgreSQL, of a record type whose every rule has an SQL form (``rules.sql_ready``)."""
    return (
        connection.vendor == "postgresql"
        and batch.file_format == Batch.Format.CSV
        and getattr(settings, "METERING_SQL_FASTPATH", True)
        and batch.record_type in SCHEMAS
        and sql_ready(SCHEMAS[batch.record_type], _clock())
    )


CALENDAR = "pg_temp.tp_metering_calendar"


def ensure_calendar(today: date) -> None:
    """Every valid ISO date from 2000-01-01 to ``today`` with its day number, as an analysed temporary
    table: joining to it both validates a date string (no cast can fail) and types it, by a hash
    join (``rules.Day``). Rebuilt per stage (the stage's "today"; a pooled connection may be new)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CALENDAR}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {CALENDAR[8:]} AS SELECT to_char(g, 'YYYY-MM-DD') AS txt, "  # noqa: S608
            "CAST(g AS DATE) AS d, CAST(g AS DATE) - DATE '1970-01-01' AS day "
            "FROM generate_series(CAST(%s AS DATE), CAST(%s AS DATE), INTERVAL '1 day') g",
            [EARLIEST, today],
        )
        cursor.execute(f"ANALYZE {CALENDAR}")


class _Fallback(Exception):
    """This batch cannot take the one-pass load: use the staged pipeline."""


class FastLoad:
    """The one-pass path of one batch. ``validate`` and ``load`` run in the pipeline's stage
    transactions; the raw table lives between them (UNLOGGED: it is scratch, like staging)."""

    def __init__(self, pipeline: StagedPipeline):
        self.pipeline = pipeline
        self.batch: Batch = pipeline.batch
        self.bid = pipeline.bid
        self.raw = f"metering_raw_{self.batch.pk.hex}"
        self.schema = SCHEMAS[self.batch.record_type]
        self.converter: RowConverter | None = None
        self.columns: list[str] = []
        self._plan: SqlPlan | None = None
        self.received = self.rejected = 0  # rows of the file; rows rejected (set by ``validate``)
        self.loaded = False  # True once reductions are written (the later stages have nothing to do)

    # --- 1 + 2: raw COPY, SQL validation, Python for the rest -----------------------------------
    def validate(self, converter: RowConverter) -> bool | None:
        """Stage the file; returns whether there are good rows, or None when the file must take the
        Python path (nothing is kept then)."""
        self.converter = converter
        with files.open_binary(files.UPLOADS, self.batch.file_path) as handle:
            columns, single_line = read_csv_header(handle, converter)  # FileRejected propagates
        if not single_line or len(set(columns)) != len(columns):
            return None
        self.columns = columns
        self.drop()
        names = ", ".join(f"c{i}" for i in range(len(columns)))
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE UNLOGGED TABLE {self.raw} (rn BIGINT GENERATED ALWAYS AS IDENTITY, "
                + ", ".join(f"c{i} TEXT" for i in range(len(columns)))
                + ")"
            )
            try:
                with transaction.atomic():
                    lines = self._copy_file(cursor, names)
            except Exception as exc:  # PostgreSQL's reader refused the file: the Python path decides
                logger.info("batch %s: raw COPY refused (%s); Python path", self.batch.pk, exc)
                self.drop()
                return None
            cursor.execute(f"SELECT COUNT(*) FROM {self.raw}")  # noqa: S608
            received = cursor.fetchone()[0]
            if received != lines:
                logger.info("batch %s: %d rows from %d lines; Python path", self.batch.pk, received, lines)
                self.drop()
                return None
            cursor.execute(f"ANALYZE {self.raw}")
        self._ensure_calendar()
        rejected = self._convert_slow_rows()
        self.received, self.rejected = received, rejected
        return received > rejected

    def _copy_file(self, cursor, names: str) -> int:
        """COPY the file as-is; returns its physical lines after the header.

        Only files without a double quote take this path: PostgreSQL's CSV reader opens a quoted
        section at a quote anywhere in a field, Python's only at the start of one, so the two would
        read ``=HYPERLINK("x")`` differently. Without quotes every line is one row, which the caller
        checks (a ``\\.`` line would otherwise end PostgreSQL's input early)."""
        statement = f"COPY {self.raw} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
        lines, last = 0, b"\n"
        with (
            cursor.cursor.copy(statement) as copy,
            files.open_binary(files.UPLOADS, self.batch.file_path) as handle,
        ):
            while chunk := handle.read(1 << 20):
                if b'"' in chunk:
                    raise _Fallback("the file quotes fields")
                lines += chunk.count(b"\n")
                last = chunk[-1:]
                copy.write(chunk)
        return lines - 1 + (last != b"\n")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.raw}")

    def _col(self, name: str) -> str:
        return f"r.c{self.columns.index(name)}" if name in self.columns else "NULL"

    CALENDAR = CALENDAR

    def _ensure_calendar(self) -> None:
        assert self.converter is not None
        ensure_calendar(self.converter.today)

    def _typed(self) -> SqlPlan:
        """The record type's declaration compiled to SQL over this file's raw table (``rules``)."""
        if self._plan is None:
            assert self.converter is not None
            self._plan = sql_plan(self.schema, self.columns, self.raw, self.CALENDAR, self.converter.clock)
        return self._plan

    def _convert_slow_rows(self) -> int:
        """Rows the SQL predicate did not accept, judged by the Python converter: accepted ones are
        staged typed, rejected ones become row errors. Returns the number rejected."""
        plan = self._typed()
        assert self.converter is not None
        convert = self.converter.for_columns(self.columns)
        fields = ", ".join(f"r.c{i}" for i in range(len(self.columns)))
        query = f"SELECT r.rn, {fields} FROM {plan.source} WHERE NOT COALESCE({plan.ok}, false) ORDER BY r.rn"  # noqa: S608
        errors = self.pipeline.errors
        rejected = 0
        accepted: list[StagedRow] = []
        with connection.chunked_cursor() as cursor:
            cursor.execute(query)
            while rows := cursor.fetchmany(SLOW_CHUNK):
                for rn, *values in rows:
                    texts = [v or "" for v in values]
                    if sum(map(len, texts)) + len(texts) - 1 > MAX_LINE_CHARS:  # the Python path's limit
                        parsed = too_long(rn + 1)
                    else:
                        parsed = convert_fields(convert, texts, rn + 1)
                    if parsed.values is not None:
                        accepted.append(parsed.values)
                    else:
                        rejected += 1
                        errors.keep(parsed)
                if accepted:
                    self.pipeline.stage_rows(accepted)  # a COPY between fetches: the named cursor stays open
                    accepted = []
        errors.flush()
        return rejected

    # --- 3: one statement loads, matches and quantifies ------------------------------------------
    def load(self) -> None:
        """Load the batch in one pass; on a case the pass does not handle, hand the batch to the
        staged pipeline (``self.loaded`` stays False)."""
        batch = self.batch
        self._ensure_calendar()
        try:
            if batch.record_type in UTILITY_TYPES and self._spans_its_own_history():
                raise _Fallback("readings span a year: they are each other's history")
            losers, id_losers = self._in_file_losers()
            with transaction.atomic():
                counts = self._load_in_one_pass(losers)
        except (_Fallback, IntegrityError) as exc:  # IntegrityError: a parallel batch took a trip first
            logger.info("batch %s: staged pipeline (%s)", batch.pk, exc)
            self._stage_fast_rows()
            self.drop()
            return
        inserted, matched, quantified, too_old = counts
        excluded = self.received - self.rejected - inserted - id_losers
        duplicates, revised = id_losers, 0
        if excluded:
            more_duplicates, revised, quantified_more = self._resolve_existing()
            duplicates += more_duplicates
            quantified += quantified_more
        self.drop()
        with connection.cursor() as cursor:
            if excluded:
                cursor.execute(sql.COUNT_MATCHED, [binding_cutoff_day(batch.centre), self.bid])
                matched_all, unmatched_all, too_old = cursor.fetchone()
            else:
                matched_all, unmatched_all = matched, inserted - matched
        self.pipeline.advance(
            stage=Batch.Stage.QUANTIFYING,
            accepted=self.received - self.rejected - duplicates,
            duplicates=duplicates,
            revised=revised,
            matched=matched_all or 0,
            unmatched=unmatched_all or 0,
            too_old=too_old or 0,
            quantified=quantified,
        )
        self.loaded = True
        if quantified:
            centre_ids = [batch.centre_id]
            transaction.on_commit(
                lambda: reductions_quantified.send(sender=Batch, centre_ids=centre_ids, batch_id=batch.pk)
            )

    def _spans_its_own_history(self) -> bool:
        """Whether a reading of this file may be the history of another (a file covering a year or
        more): then baselines need the whole file loaded first, which the staged pipeline does."""
        start, end = self._col("period_start"), self._col("period_end")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN({start}), MAX({end}) FROM {self.raw} r")  # noqa: S608
            low, high = cursor.fetchone()
        try:
            first, last = date.fromisoformat(low), date.fromisoformat(high)
        except (TypeError, ValueError):
            return True  # odd text sorts first or last: be safe
        return (last - first).days >= 365

    SRC_COLUMNS = ", ".join(["row_number", *RECORD_COLUMNS])

    def _src(self) -> tuple[str, list]:
        """The accepted rows, typed (``SRC_COLUMNS``): the SQL-valid rows of the raw table and the
        staged rows the Python converter accepted."""
        plan = self._typed()
        text = (
            f"SELECT r.rn + 1, {plan.projection} FROM {plan.source} WHERE COALESCE({plan.ok}, false) "  # noqa: S608
            f"UNION ALL SELECT row_number, {', '.join(RECORD_COLUMNS)} FROM {sql.STG} WHERE batch_id = %s"
        )
        return text, [self.bid]

    def _in_file_losers(self) -> tuple[list[int], int]:
        """Rows that lose to another row of the same file, as the staged pipeline decides: of rows
        with the same new record id the highest revision (then the first row) wins; of new rows
        with the same trip the first row wins. Returns (their row numbers, how many lost by id —
        trip losers are counted when they are classified). Both are usually empty: one hashed
        scan finds whether any id or trip occurs twice at all."""
        src, src_params = self._src()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH src ({self.SRC_COLUMNS}) AS ({src}) "  # noqa: S608
                "SELECT external_id, trip_key FROM src "
                "GROUP BY GROUPING SETS ((external_id), (trip_key)) HAVING COUNT(*) > 1",
                src_params,
            )
            twice = cursor.fetchall()
            ids = [ext for ext, trip in twice if ext is not None]
            trips = [trip for ext, trip in twice if ext is None and trip is not None]
            if not ids and not trips:
                return [], 0
            cursor.execute(
                f"WITH src ({self.SRC_COLUMNS}) AS ({src}) "  # noqa: S608
                "SELECT s.row_number, s.external_id, s.revision, s.trip_key, "
                f"(SELECT COUNT(*) FROM {sql.REC} x WHERE x.centre_id = %s AND x.trip_key = s.trip_key) "
                "FROM src s WHERE (s.external_id = ANY(%s) OR s.trip_key = ANY(%s)) "
                f"AND (SELECT COUNT(*) FROM {sql.REC} x WHERE x.provider_id = %s AND x.external_id = s.external_id) = 0",
                [*src_params, self.batch.centre_id, ids, trips, self.batch.provider_id],
            )
            candidates = cursor.fetchall()
        losers: set[int] = set()
        by_id: dict[str, list] = {}
        id_set = set(ids)
        for row in candidates:
            if row[1] in id_set:
                by_id.setdefault(row[1], []).append(row)
        for rows in by_id.values():
            rows.sort(key=lambda r: (-r[2], r[0]))
            losers.update(r[0] for r in rows[1:])
        id_losers = len(losers)
        trip_set = set(trips)
        by_trip: dict[str, list] = {}
        for row in candidates:
            if row[0] not in losers and row[3] in trip_set and not row[4]:
                by_trip.setdefault(row[3], []).append(row)
        for rows in by_trip.values():
            rows.sort(key=lambda r: r[0])
            losers.update(r[0] for r in rows[1:])
        return sorted(losers), id_losers

    def _stage_sql_valid_rows(self, cursor, condition: str = "true", params: tuple = ()) -> None:
        """Copy the SQL-valid rows of the raw table (those also meeting ``condition``) into staging,
        typed, next to the rows the Python converter accepted."""
        plan = self._typed()
        cursor.execute(
            f"INSERT INTO {sql.STG} ({', '.join(STAGED_COLUMNS)}) SELECT %s, r.rn + 1, 0, {plan.projection}, '' "  # noqa: S608
            f"FROM {plan.source} WHERE COALESCE({plan.ok}, false) AND {condition}",
            [self.bid, *params],
        )

    def _stage_fast_rows(self) -> None:
        """Hand over to the staged pipeline: the SQL-valid rows join the Python-accepted ones."""
        with connection.cursor() as cursor:
            self._stage_sql_valid_rows(cursor)
        self.pipeline.large = self.received >= 5_000
        self.pipeline.analyze(sql.STG)

    def _load_in_one_pass(self, losers: list[int]) -> tuple[int, int, int, int]:
        """Returns (records inserted, matched, reductions written, unmatched too old to match)."""
        batch = self.batch
        now = timezone.now()
        src, src_params = self._src()
        per_day = metering_params(batch.centre).get("default_baseline_per_day", {})
        default = None
        if batch.record_type in UTILITY_TYPES and batch.record_type in per_day:
            default = per_day[batch.record_type]
        default_sql = "ROUND(CAST(%s AS NUMERIC) * (s.end_day - s.start_day + 1), 4)"
        history_join, baseline, baseline_source = "", default_sql, "%s"
        baseline_params: list = [default]
        source_params: list = ["centre_default" if default is not None else ""]
        join_params: list = []
        if batch.record_type in UTILITY_TYPES and self._history_possible():
            history_join, join_params = self._history_join()
            baseline = f"CASE WHEN hist.est IS NOT NULL THEN ROUND(CAST(hist.est AS NUMERIC), 4) ELSE {default_sql} END"
            baseline_source = "CASE WHEN hist.est IS NOT NULL THEN 'history' ELSE %s END"
        kg, version, snapshot, method_params = self._method_cases()
        insert = sql.insert_records(
            "postgresql",
            source="src s",
            where=(
                f"(SELECT COUNT(*) FROM {sql.REC} x WHERE x.provider_id = %s AND x.external_id = s.external_id) = 0 "  # noqa: S608
                f"AND (s.trip_key IS NULL OR (SELECT COUNT(*) FROM {sql.REC} x WHERE x.centre_id = %s "
                "AND x.trip_key = s.trip_key) = 0)" + (" AND NOT (s.row_number = ANY(%s))" if losers else "")
            ),
            baseline=baseline,
            baseline_source=baseline_source,
            extra_join=history_join,
            tail="RETURNING id, centre_id, resident_id, behaviour, period_start, period_end, end_day, quantity, "
            "unit, baseline, distance_km, revision, batch_id",
        )
        statement = f"""
WITH src ({self.SRC_COLUMNS}) AS ({src}),
ins AS ({insert}),
quantified AS (
  SELECT r.*, {kg} AS kg, {version} AS version_id, {snapshot} AS snapshot_id
  FROM ins r WHERE r.resident_id IS NOT NULL
),
red AS (
  INSERT INTO {sql.RED} ({sql._RED_COLUMNS})
  SELECT q.centre_id, q.resident_id, q.behaviour, q.period_start, q.period_end, q.kg, 'original', NULL,
         %s, q.id, q.revision, q.batch_id, q.version_id, q.quantity, q.unit, q.baseline, q.distance_km,
         '{{}}', q.snapshot_id
  FROM quantified q WHERE q.version_id IS NOT NULL
  RETURNING 1
)
SELECT (SELECT COUNT(*) FROM ins), (SELECT COUNT(resident_id) FROM ins), (SELECT COUNT(*) FROM red),
       (SELECT COUNT(*) FROM ins WHERE resident_id IS NULL AND end_day < %s)
"""  # noqa: S608
        params = [
            *src_params,
            now, now, batch.centre_id, batch.provider_id, self.bid, batch.record_type,
            *source_params, now, *baseline_params,
            batch.centre_id, window_days(batch.centre), *join_params,
            batch.provider_id, batch.centre_id, *([losers] if losers else []),
            *method_params,
            now,
            binding_cutoff_day(batch.centre),
        ]  # fmt: skip
        with connection.cursor() as cursor:
            self.pipeline.bulk_session()
            # The validity predicate makes the planner expect a handful of rows and probe the
            # bindings index per row; a hash join over the centre's bindings is ~10× cheaper here.
            cursor.execute("SET LOCAL enable_nestloop = off")
            # The "not loaded yet" probes must be index lookups: on a records table the planner
            # believes empty (never analysed, or just truncated) it picks a sequential scan per row,
            # which reads every row this very statement inserted — quadratic, minutes for 10⁵ rows.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(statement, params)
            inserted, matched, quantified, too_old = cursor.fetchone()
            cursor.execute("SET LOCAL enable_nestloop = on")
            cursor.execute("SET LOCAL enable_seqscan = on")
        return inserted, matched, quantified, too_old

    def _history_possible(self) -> bool:
        """A reading can only have history if this centre received readings of this type before."""
        return (
            Batch.objects.filter(
                centre_id=self.batch.centre_id, record_type=self.batch.record_type, status=Batch.Status.DONE
            )
            .exclude(pk=self.batch.pk)
            .exists()
        )

    def _history_join(self) -> tuple[str, list]:
        """The history baseline of each matched reading (``sql.history_estimate``), computed once per
        row for the two columns that use it."""
        estimate = sql.history_estimate(
            centre="%s", record_type="%s", account="s.account", start="s.start_day", end="s.end_day"
        )
        join = f"LEFT JOIN LATERAL (SELECT {estimate} AS est WHERE b.resident_id IS NOT NULL) hist ON true"
        centre, record_type = self.batch.centre_id, self.batch.record_type
        return join, [centre, record_type] * 2

    def _method_cases(self) -> tuple[str, str, str, list]:
        """kg, methodology version and inputs snapshot of a record, as ``CASE`` expressions over
        every (behaviour, period) segment in which the methodology registry resolves one method."""
        behaviours = self.schema.behaviours
        columns = {"quantity": "r.quantity", "baseline": "r.baseline", "distance_km": "r.distance_km"}
        kg_parts, version_parts, snapshot_parts = [], [], []
        kg_params: list = []
        version_params: list = []
        snapshot_params: list = []
        for behaviour in behaviours:
            edges = sorted(registry.resolution_edges(behaviour=behaviour, any_centre=True))
            bounds = [None, *edges, None]
            for low, high in itertools.pairwise(bounds):
                on = low if low is not None else (high - timedelta(days=1) if high else timezone.localdate())
                try:
                    method = resolve(behaviour=behaviour, centre_id=self.batch.centre_id, on=on)
                except MethodUnavailable:
                    continue
                expr, expr_params = method.sql(columns=columns)
                condition = "r.behaviour = %s"
                condition_params: list[Any] = [behaviour]
                if low is not None:
                    condition += " AND r.end_day >= %s"
                    condition_params.append(day_number(low))
                if high is not None:
                    condition += " AND r.end_day < %s"
                    condition_params.append(day_number(high))
                if method.spec.uses_baseline:
                    condition += " AND r.baseline IS NOT NULL"
                snapshot = snapshot_id(compact_snapshot(method.inputs_snapshot()))
                kg_parts.append(f"WHEN {condition} THEN {expr}")
                kg_params += [*condition_params, *expr_params]
                version_parts.append(f"WHEN {condition} THEN %s")
                version_params += [*condition_params, method.version_id]
                snapshot_parts.append(f"WHEN {condition} THEN %s")
                snapshot_params += [*condition_params, snapshot]
        if not kg_parts:
            return "NULL", "CAST(NULL AS BIGINT)", "CAST(NULL AS BIGINT)", []
        return (
            f"CASE {' '.join(kg_parts)} END",
            f"CASE {' '.join(version_parts)} END",
            f"CASE {' '.join(snapshot_parts)} END",
            [*kg_params, *version_params, *snapshot_params],
        )

    # --- rows whose record or trip already existed ----------------------------------------------
    def _resolve_existing(self) -> tuple[int, int, int]:
        """The accepted rows the one-pass INSERT left out (their record id or trip existed before
        this batch), classified and applied by the staged pipeline's statements."""
        batch, bid = self.batch, self.bid
        # "not loaded by this batch": the probe names only the unique key, so it is always an index
        # lookup (with batch_id in it, stale statistics can make the planner scan the batch instead)
        mine = f"(SELECT x.batch_id FROM {sql.REC} x WHERE x.provider_id = %s AND x.external_id = {{id}}) IS DISTINCT FROM %s"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            self.pipeline.bulk_session()
            cursor.execute(
                f"DELETE FROM {sql.STG} s WHERE s.batch_id = %s AND NOT {mine.format(id='s.external_id')}",  # noqa: S608
                [bid, batch.provider_id, bid],
            )
            self._stage_sql_valid_rows(
                cursor, mine.format(id=self._col("record_id")), (batch.provider_id, bid)
            )
            duplicates, revised = self.pipeline.classify_staged(cursor)
            if not revised:
                return duplicates, 0, 0
            # Only revised records changed: match and quantify those (found through the unique
            # key from the staged revisions, never by scanning the batch's records).
            revised_rows = (
                f"{sql.REC}.provider_id = %s AND {sql.REC}.external_id IN (SELECT s.external_id FROM "  # noqa: S608
                f"{sql.STG} s WHERE s.batch_id = %s AND s.status = {StagedRecord.Status.REVISION})"
            )
            cursor.execute(
                sql.match_bindings("postgresql", scope=revised_rows),
                [timezone.now(), batch.provider_id, bid, window_days(batch.centre)],
            )
            created = quantify(
                scope=revised_rows.replace(sql.REC, "r"),
                scope_params=[batch.provider_id, bid],
                centres=[batch.centre],
            )
        return duplicates, revised, created
