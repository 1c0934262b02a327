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

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tanpuhui.metering import sql
from tanpuhui.metering.models import Batch, RecordType, StagedRecord
from tanpuhui.metering.parsing import (
    EARLIEST,
    MAX_LINE_CHARS,
    MAX_QUANTITY,
    STAGED_COLUMNS,
    RowConverter,
    convert_fields,
    read_csv_header,
    too_long,
)
from tanpuhui.metering.schemas import SCHEMAS

logger = logging.getLogger(__name__)

UTILITY_TYPES = sql.UTILITY_TYPES
FAST_TYPES = (*UTILITY_TYPES, RecordType.TRANSIT_TRIP.value)
EPOCH = date(1970, 1, 1)  # day numbers, as in metering_sourcerecord.start_day/end_day
SLOW_CHUNK = 5_000
# Characters Python's str.strip() removes that PostgreSQL's [[:space:]] may not know.
_EDGE_SPACE = r"[[:space:]\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u001c-\u001f]"
_ID_OK = "{c} ~ '^[A-Za-z0-9_.:/#-]+$' AND length({c}) <= 64"
_REV_OK = (
    "({c} IS NULL OR {c} = '' OR CASE WHEN {c} ~ '^[0-9]+$' AND length({c}) <= 7 "
    "THEN CAST({c} AS INTEGER) BETWEEN 1 AND 1000000 ELSE false END)"
)
_REV = "COALESCE(CASE WHEN {c} ~ '^[0-9]+$' THEN CAST({c} AS INTEGER) END, 1)"
_ACCOUNT_OK = "{c} ~ '^[A-Za-z0-9]+$' AND length({c}) <= 40"


def eligible(batch: Batch) -> bool:
    return (
        connection.vendor == "postgresql"
        and batch.file_format == Batch.Format.CSV
        and batch.record_type in FAST_TYPES
        and getattr(settings, "METERING_SQL_FASTPATH", True)
    )


class _Fallback(Exception):
    """This batch cannot take the one-pass load: use the staged pipeline."""


def _day(d: date) -> int:
    return (d - EPOCH).days


class FastLoad:
    """The one-pass path of one batch. ``validate`` and ``load`` run in the pipeline's stage
    transactions; the raw table lives between them (UNLOGGED: it is scratch, like staging)."""

    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.batch: Batch = pipeline.batch
        self.bid = pipeline.bid
        self.raw = f"metering_raw_{self.batch.pk.hex}"
        self.schema = SCHEMAS[self.batch.record_type]
        self.converter: RowConverter | None = None
        self.columns: list[str] = []
        self.received = self.rejected = 0  # rows of the file; rows rejected (set by ``validate``)
        self.loaded = False  # True once reductions are written (the later stages have nothing to do)

    # --- 1 + 2: raw COPY, SQL validation, Python for the rest -----------------------------------
    def validate(self, converter: RowConverter) -> bool | None:
        """Stage the file; returns whether there are good rows, or None when the file must take the
        Python path (nothing is kept then)."""
        self.converter = converter
        with open(self.batch.file_path, "rb") as handle:
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
        with cursor.cursor.copy(statement) as copy, open(self.batch.file_path, "rb") as handle:
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

    CALENDAR = "pg_temp.tp_metering_calendar"

    def _ensure_calendar(self) -> None:
        """Every valid ISO date from 2000-01-01 to today with its day number, as an analysed temporary
        table: joining to it both validates a date string (no cast can fail) and types it, by a hash
        join. Rebuilt per stage (the stage's "today"; a pooled connection may be new)."""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.CALENDAR}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.CALENDAR[8:]} AS SELECT to_char(g, 'YYYY-MM-DD') AS txt, "  # noqa: S608
                "CAST(g AS DATE) AS d, CAST(g AS DATE) - DATE '1970-01-01' AS day "
                "FROM generate_series(CAST(%s AS DATE), CAST(%s AS DATE), INTERVAL '1 day') g",
                [EARLIEST, self.converter.today],
            )
            cursor.execute(f"ANALYZE {self.CALENDAR}")

    def _typed(self) -> tuple[str, str, list, list]:
        """(FROM clause, ok predicate, params of FROM, params of ok) and ``self.projection``: the
        typed columns in ``STAGED_COLUMNS`` order from external_id on."""
        cal, cal_params = self.CALENDAR, []
        c = self._col
        ident, rev = c("record_id"), c("revision")
        common = [_ID_OK.format(c=ident), _REV_OK.format(c=rev)]
        if self.batch.record_type in UTILITY_TYPES:
            account, qty, unit = c("account"), c("quantity"), c("unit")
            source = f"{self.raw} r LEFT JOIN {cal} cs ON cs.txt = {c('period_start')} LEFT JOIN {cal} ce ON ce.txt = {c('period_end')}"
            ok = [
                *common,
                _ACCOUNT_OK.format(c=account),
                "cs.day IS NOT NULL AND ce.day IS NOT NULL AND cs.day <= ce.day AND ce.day - cs.day <= 366",
                f"CASE WHEN {qty} ~ '^[0-9]+(\\.[0-9]+)?$' AND length({qty}) <= 14 "
                f"AND length(split_part({qty}, '.', 2)) <= 4 THEN CAST({qty} AS NUMERIC) <= %s ELSE false END",
                f"COALESCE({unit}, '') IN ('', %s)",
            ]
            ok_params = [MAX_QUANTITY[self.batch.record_type], self.schema.unit]
            self.projection = (
                f"{ident}, {_REV.format(c=rev)}, UPPER({account}), %s, %s, cs.d, ce.d, cs.day, ce.day, "
                f"CAST(NULL AS TIMESTAMPTZ), CAST({qty} AS NUMERIC), %s, CAST(NULL AS NUMERIC), '', '', '', "
                "CAST(NULL AS TEXT)"
            )
            self.projection_params = [self.schema.binding_kind, self.schema.behaviour, self.schema.unit]
            return source, " AND ".join(ok), cal_params * 2, ok_params
        card, mode, at, km = c("card"), c("mode"), c("boarded_at"), c("distance_km")
        origin, destination = c("origin"), c("destination")
        shape = (
            f"{at} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\+08:00)?$' "
            f"AND substr({at}, 12, 2) <= '23' AND cb.day IS NOT NULL"
        )
        wall = f"(cb.d + CAST(substr({at}, 12, 8) AS TIME))"
        moment = (
            f"CASE WHEN length({at}) = 25 THEN ({wall} - INTERVAL '8 hours') AT TIME ZONE 'UTC' "
            f"ELSE {wall} AT TIME ZONE %s END"
        )
        # The boarding moment is computed once per row (the predicate and three columns use it).
        source = (
            f"(SELECT r.*, cb.d AS bd, cb.day AS bday, CASE WHEN {shape} THEN {moment} END AS m "  # noqa: S608
            f"FROM {self.raw} r LEFT JOIN {cal} cb ON cb.txt = substr({at}, 1, 10)) r"
        )
        km_ok = (
            f"({km} IS NULL OR {km} = '' OR CASE WHEN {km} ~ '^[0-9]+(\\.[0-9]+)?$' AND length({km}) <= 8 "
            f"AND length(split_part({km}, '.', 2)) <= 3 THEN CAST({km} AS NUMERIC) > 0 "
            f"AND CAST({km} AS NUMERIC) <= 200 ELSE false END)"
        )

        def text_ok(col):
            return f"({col} IS NULL OR (length({col}) <= 64 AND {col} !~ '^{_EDGE_SPACE}' AND {col} !~ '{_EDGE_SPACE}$'))"

        tz = settings.TIME_ZONE
        ok = [
            *common,
            _ACCOUNT_OK.format(c=card),
            f"{mode} IN ('bus', 'metro')",
            "r.m IS NOT NULL AND r.bday > %s AND r.m <= %s",
            km_ok,
            text_ok(origin),
            text_ok(destination),
        ]
        ok_params = [_day(EARLIEST), self.converter.now + timedelta(minutes=5)]
        self.projection = (
            f"{ident}, {_REV.format(c=rev)}, UPPER({card}), %s, {mode}, r.bd, r.bd, r.bday, r.bday, r.m, "
            f"CAST(1 AS NUMERIC), 'trip', CASE WHEN {km} ~ '^[0-9]' THEN CAST({km} AS NUMERIC) END, {mode}, "
            f"COALESCE({origin}, ''), COALESCE({destination}, ''), "
            f"{mode} || '|' || UPPER({card}) || '|' || "
            "CAST(CAST(floor(extract(epoch FROM r.m) / 60) AS BIGINT) AS TEXT)"
        )
        self.projection_params = [self.schema.binding_kind]
        return source, " AND ".join(ok), [*cal_params, tz], ok_params

    def _convert_slow_rows(self) -> int:
        """Rows the SQL predicate did not accept, judged by the Python converter: accepted ones are
        staged typed, rejected ones become row errors. Returns the number rejected."""
        source, ok, source_params, ok_params = self._typed()
        fields = ", ".join(f"r.c{i}" for i in range(len(self.columns)))
        query = f"SELECT r.rn, {fields} FROM {source} WHERE NOT COALESCE({ok}, false) ORDER BY r.rn"  # noqa: S608
        pipeline = self.pipeline
        pipeline._errors, pipeline._errors_kept = [], 0
        rejected = 0
        accepted: list[tuple] = []
        with connection.chunked_cursor() as cursor:
            cursor.execute(query, [*source_params, *ok_params])
            while rows := cursor.fetchmany(SLOW_CHUNK):
                for rn, *values in rows:
                    texts = [v or "" for v in values]
                    if sum(map(len, texts)) + len(texts) - 1 > MAX_LINE_CHARS:  # the Python path's limit
                        parsed = too_long(rn + 1)
                    else:
                        parsed = convert_fields(self.converter, self.columns, texts, rn + 1)
                    if parsed.values is not None:
                        accepted.append(parsed.values)
                    else:
                        rejected += 1
                        pipeline._keep_error(parsed)
                if accepted:
                    pipeline._copy(accepted)  # a COPY between fetches: the named cursor stays open
                    accepted = []
        pipeline._flush_errors()
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
        from tanpuhui.metering.services import binding_cutoff_day

        with connection.cursor() as cursor:
            if excluded:
                cursor.execute(sql.COUNT_MATCHED, [binding_cutoff_day(batch.centre), self.bid])
                matched_all, unmatched_all, too_old = cursor.fetchone()
            else:
                matched_all, unmatched_all = matched, inserted - matched
        self.pipeline._advance(
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
            from tanpuhui.metering.signals import reductions_quantified

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

    SRC_COLUMNS = ", ".join(["row_number", *STAGED_COLUMNS[3:-1]])

    def _src(self) -> tuple[str, list]:
        """The accepted rows, typed (``SRC_COLUMNS``): the SQL-valid rows of the raw table and the
        staged rows the Python converter accepted."""
        source, ok, source_params, ok_params = self._typed()
        columns = ", ".join(STAGED_COLUMNS[3:-1])
        text = (
            f"SELECT r.rn + 1, {self.projection} FROM {source} WHERE COALESCE({ok}, false) "  # noqa: S608
            f"UNION ALL SELECT row_number, {columns} FROM {sql.STG} WHERE batch_id = %s"
        )
        return text, [*self.projection_params, *source_params, *ok_params, self.bid]

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
        source, ok, source_params, ok_params = self._typed()
        cursor.execute(
            f"INSERT INTO {sql.STG} ({', '.join(STAGED_COLUMNS)}) SELECT %s, r.rn + 1, 0, {self.projection}, '' "  # noqa: S608
            f"FROM {source} WHERE COALESCE({ok}, false) AND {condition}",
            [self.bid, *self.projection_params, *source_params, *ok_params, *params],
        )

    def _stage_fast_rows(self) -> None:
        """Hand over to the staged pipeline: the SQL-valid rows join the Python-accepted ones."""
        with connection.cursor() as cursor:
            self._stage_sql_valid_rows(cursor)
        self.pipeline.large = self.received >= 5_000
        self.pipeline._analyze(sql.STG)

    def _load_in_one_pass(self, losers: list[int]) -> tuple[int, int, int, int]:
        """Returns (records inserted, matched, reductions written, unmatched too old to match)."""
        from tanpuhui.metering.services import _metering_params, _window_days, binding_cutoff_day

        batch = self.batch
        now = timezone.now()
        src, src_params = self._src()
        per_day = _metering_params(batch.centre).get("default_baseline_per_day", {})
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
        statement = f"""
WITH src ({self.SRC_COLUMNS}) AS ({src}),
ins AS (
  INSERT INTO {sql.REC} ({sql._RECORD_COLUMNS}, resident_id, matched_at, baseline)
  SELECT %s, %s, %s, %s, %s, %s, s.external_id, s.revision, s.account, s.binding_kind, s.behaviour,
         s.period_start, s.period_end, s.start_day, s.end_day, s.occurred_at, s.quantity, s.unit,
         s.distance_km, CASE WHEN s.distance_km IS NULL THEN '' ELSE 'record' END, s.mode, s.origin,
         s.destination, s.trip_key, {baseline_source}, false, b.resident_id,
         CASE WHEN b.id IS NULL THEN NULL ELSE %s END, {baseline}
  FROM src s
  LEFT JOIN accounts_binding b
    ON b.centre_id = %s AND b.kind = s.binding_kind AND b.account_number = s.account
   AND b.unbound_at IS NULL AND s.end_day >= {sql.binding_day("postgresql")} - %s
  {history_join}
  WHERE (SELECT COUNT(*) FROM {sql.REC} x WHERE x.provider_id = %s AND x.external_id = s.external_id) = 0
    AND (s.trip_key IS NULL
         OR (SELECT COUNT(*) FROM {sql.REC} x WHERE x.centre_id = %s AND x.trip_key = s.trip_key) = 0)
    {"AND NOT (s.row_number = ANY(%s))" if losers else ""}
  RETURNING id, centre_id, resident_id, behaviour, period_start, period_end, end_day, quantity, unit,
            baseline, distance_km, revision, batch_id
),
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
            batch.centre_id, _window_days(batch.centre), *join_params,
            batch.provider_id, batch.centre_id, *([losers] if losers else []),
            *method_params,
            now,
            binding_cutoff_day(batch.centre),
        ]  # fmt: skip
        with connection.cursor() as cursor:
            self.pipeline._bulk_session()
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
        from tanpuhui.metering.services import _compact_snapshot, _snapshot_id
        from tanpuhui.methodology import registry
        from tanpuhui.methodology.registry import MethodUnavailable, resolve

        behaviours = (
            ["bus", "metro"] if self.batch.record_type == RecordType.TRANSIT_TRIP else [self.schema.behaviour]
        )
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
                condition, condition_params = "r.behaviour = %s", [behaviour]
                if low is not None:
                    condition += " AND r.end_day >= %s"
                    condition_params.append(_day(low))
                if high is not None:
                    condition += " AND r.end_day < %s"
                    condition_params.append(_day(high))
                if method.spec.uses_baseline:
                    condition += " AND r.baseline IS NOT NULL"
                snapshot = _snapshot_id(_compact_snapshot(method.inputs_snapshot()))
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
        from tanpuhui.metering.services import _window_days, quantify

        batch, bid = self.batch, self.bid
        # "not loaded by this batch": the probe names only the unique key, so it is always an index
        # lookup (with batch_id in it, stale statistics can make the planner scan the batch instead)
        mine = f"(SELECT x.batch_id FROM {sql.REC} x WHERE x.provider_id = %s AND x.external_id = {{id}}) IS DISTINCT FROM %s"  # noqa: S608
        with transaction.atomic(), connection.cursor() as cursor:
            self.pipeline._bulk_session()
            cursor.execute(
                f"DELETE FROM {sql.STG} s WHERE s.batch_id = %s AND NOT {mine.format(id='s.external_id')}",  # noqa: S608
                [bid, batch.provider_id, bid],
            )
            self._stage_sql_valid_rows(
                cursor, mine.format(id=self._col("record_id")), (batch.provider_id, bid)
            )
            duplicates, revised = self.pipeline._classify_staged(cursor)
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
                [timezone.now(), batch.provider_id, bid, _window_days(batch.centre)],
            )
            created = quantify(
                scope=revised_rows.replace(sql.REC, "r"),
                scope_params=[batch.provider_id, bid],
                centres=[batch.centre],
            )
        return duplicates, revised, created
