"""The set-based statements of the pipeline, portable between PostgreSQL and SQLite (≥ 3.33).

Everything is written once with Django's ``%s`` placeholders: ``UPDATE … FROM``, ``INSERT … SELECT
… ON CONFLICT DO NOTHING`` and ``WITH`` work in both. Dates are also stored as integer day numbers
(``start_day``/``end_day``) so period arithmetic needs no dialect-specific date functions.
"""

from __future__ import annotations

from tanpuhui.metering.models import RecordType, StagedRecord

STG = "metering_stagedrecord"
REC = "metering_sourcerecord"
RED = "metering_reduction"
S = StagedRecord.Status

UTILITY_TYPES = (RecordType.ELECTRICITY.value, RecordType.WATER.value, RecordType.GAS.value)
YEAR_DAYS = 365


def _lo(a: str, b: str) -> str:
    return f"CASE WHEN {a} < {b} THEN {a} ELSE {b} END"


def _hi(a: str, b: str) -> str:
    return f"CASE WHEN {a} > {b} THEN {a} ELSE {b} END"


# --- staging: classify each staged row ----------------------------------------------------------

MARK_DUP_IN_FILE = f"""
UPDATE {STG} SET status = {S.DUP_IN_FILE}
WHERE batch_id = %s AND EXISTS (
  SELECT 1 FROM {STG} o
  WHERE o.batch_id = {STG}.batch_id AND o.external_id = {STG}.external_id
    AND (o.revision > {STG}.revision OR (o.revision = {STG}.revision AND o.row_number < {STG}.row_number)))
"""  # noqa: S608

# Records of this very batch never make its rows duplicates, revisions or the same trip: they
# exist before the load has committed only when an interrupted attempt inserted a window of them
# (SQLite commits per window), and a resumed load must classify its rows as the clean run did.
MARK_DUPLICATE = f"""
UPDATE {STG} SET status = {S.DUPLICATE}
WHERE batch_id = %s AND status = {S.NEW} AND EXISTS (
  SELECT 1 FROM {REC} r WHERE r.provider_id = %s AND r.external_id = {STG}.external_id
    AND r.revision >= {STG}.revision AND r.batch_id <> {STG}.batch_id)
"""  # noqa: S608

MARK_REVISION = f"""
UPDATE {STG} SET status = {S.REVISION}
WHERE batch_id = %s AND status = {S.NEW} AND EXISTS (
  SELECT 1 FROM {REC} r WHERE r.provider_id = %s AND r.external_id = {STG}.external_id
    AND r.batch_id <> {STG}.batch_id)
"""  # noqa: S608

# The same real-world trip (centre, mode, card, boarding minute) reported by another provider —
# or twice under two ids — counts once.
MARK_CROSS_DUPLICATE = f"""
UPDATE {STG} SET status = {S.CROSS_DUPLICATE}
WHERE batch_id = %s AND status = {S.NEW} AND trip_key IS NOT NULL AND (
  EXISTS (SELECT 1 FROM {REC} r WHERE r.centre_id = %s AND r.trip_key = {STG}.trip_key
          AND r.batch_id <> {STG}.batch_id)
  OR EXISTS (SELECT 1 FROM {STG} o WHERE o.batch_id = {STG}.batch_id AND o.trip_key = {STG}.trip_key
             AND o.status = {S.NEW} AND o.row_number < {STG}.row_number))
"""  # noqa: S608

# Staged rows of one window of ids, in file order (SQLite commits per window; see services.Pipeline).
IN_ROW_WINDOW = f" AND {STG}.id BETWEEN %s AND %s"

COUNT_STATUS = f"SELECT status, COUNT(*) FROM {STG} WHERE batch_id = %s GROUP BY status"  # noqa: S608

_RECORD_COLUMNS = (
    "created_at, updated_at, centre_id, provider_id, batch_id, record_type, external_id, revision, "
    "account, binding_kind, behaviour, period_start, period_end, start_day, end_day, occurred_at, "
    "quantity, unit, distance_km, distance_source, mode, origin, destination, trip_key, baseline_source, "
    "needs_requantify"
)


def binding_day(vendor: str) -> str:
    """The binding's creation date (China Standard Time) as a day number, per dialect."""
    if vendor == "postgresql":
        return "(CAST(timezone('Asia/Shanghai', b.created_at) AS DATE) - DATE '1970-01-01')"
    return "CAST(julianday(b.created_at, '+8 hours') - 2440587.5 AS INTEGER)"


def insert_records(
    vendor: str,
    *,
    source: str,
    where: str,
    baseline: str = "ROUND(CAST(%s AS NUMERIC) * (s.end_day - s.start_day + 1), 4)",
    baseline_source: str = "%s",
    extra_join: str = "",
    tail: str = "ON CONFLICT DO NOTHING",
) -> str:
    """The one statement that writes new records: the typed rows of ``source`` (alias ``s``, the
    staging columns) that meet ``where``, matched to an active binding in the same statement (one
    write per row); utility readings start with ``baseline`` (default: the centre's per-day default,
    replaced from history at quantification). Parameters, in order: created_at, updated_at, centre,
    provider, batch, record type, those of ``baseline_source``, matched_at, those of ``baseline``,
    the binding's centre, the binding window (days), those of ``extra_join`` and of ``where``.
    Used by the staged pipeline (``insert_new``) and the one-pass load (``fastload``)."""
    return f"""
INSERT INTO {REC} ({_RECORD_COLUMNS}, resident_id, matched_at, baseline)
SELECT %s, %s, %s, %s, %s, %s, s.external_id, s.revision, s.account, s.binding_kind, s.behaviour,
       s.period_start, s.period_end, s.start_day, s.end_day, s.occurred_at, s.quantity, s.unit,
       s.distance_km, CASE WHEN s.distance_km IS NULL THEN '' ELSE 'record' END, s.mode, s.origin,
       s.destination, s.trip_key, {baseline_source}, false, b.resident_id,
       CASE WHEN b.id IS NULL THEN NULL ELSE %s END, {baseline}
FROM {source}
LEFT JOIN accounts_binding b
  ON b.centre_id = %s AND b.kind = s.binding_kind AND b.account_number = s.account AND b.unbound_at IS NULL
 AND s.end_day >= {binding_day(vendor)} - %s
{extra_join}
WHERE {where}
{tail}
"""  # noqa: S608


def insert_new(vendor: str, *, windowed: bool = False) -> str:
    """The staged pipeline's new records: staged rows classified new (``insert_records``).
    ``windowed``: only the staged rows of one window of ids (two more parameters)."""
    window = " AND s.id BETWEEN %s AND %s" if windowed else ""
    return insert_records(vendor, source=f"{STG} s", where=f"s.batch_id = %s AND s.status = {S.NEW}{window}")


# A higher revision replaces the record's values (the reductions keep their own snapshot) and
# flags it for re-quantification; the baseline is kept unless the period moved.
APPLY_REVISIONS = f"""
UPDATE {REC} SET
  revision = s.revision, batch_id = %s, updated_at = %s, quantity = s.quantity, unit = s.unit,
  period_start = s.period_start, period_end = s.period_end,
  baseline = CASE WHEN {REC}.start_day = s.start_day AND {REC}.end_day = s.end_day
                  THEN {REC}.baseline ELSE NULL END,
  baseline_source = CASE WHEN {REC}.start_day = s.start_day AND {REC}.end_day = s.end_day
                  THEN {REC}.baseline_source ELSE '' END,
  start_day = s.start_day, end_day = s.end_day, occurred_at = s.occurred_at,
  distance_km = s.distance_km, distance_source = CASE WHEN s.distance_km IS NULL THEN '' ELSE 'record' END,
  origin = s.origin, destination = s.destination, needs_requantify = %s
FROM {STG} s
WHERE s.batch_id = %s AND s.status = {S.REVISION} AND {REC}.provider_id = %s
  AND {REC}.external_id = s.external_id AND {REC}.revision < s.revision
"""  # noqa: S608

# --- matching -----------------------------------------------------------------------------------


def match_bindings(vendor: str, scope: str = f"{REC}.batch_id = %s") -> str:
    """Active binding of the record's centre, kind and number; a binding credits records whose
    period ended at most the centre's window (days) before it was made — never older history.
    ``scope`` selects the records (default: one batch's)."""
    return f"""
UPDATE {REC} SET resident_id = b.resident_id, matched_at = %s
FROM accounts_binding b
WHERE {scope} AND {REC}.resident_id IS NULL AND b.unbound_at IS NULL
  AND b.centre_id = {REC}.centre_id AND b.kind = {REC}.binding_kind AND b.account_number = {REC}.account
  AND {REC}.end_day >= {binding_day(vendor)} - %s
"""  # noqa: S608


MATCH_FOREST_PLOTS = f"""
UPDATE {REC} SET resident_id = p.owner_id, matched_at = %s, mode = p.forest_type
FROM metering_forestplot p
WHERE {REC}.batch_id = %s AND {REC}.resident_id IS NULL AND {REC}.record_type = 'forest_survey'
  AND p.centre_id = {REC}.centre_id AND p.plot_id = {REC}.account AND p.owner_id IS NOT NULL
"""  # noqa: S608

# Late binding: this binding's unmatched records whose period ended inside the centre's window.
MATCH_LATE = f"""
UPDATE {REC} SET resident_id = %s, matched_at = %s
WHERE centre_id = %s AND binding_kind = %s AND account = %s AND resident_id IS NULL AND end_day >= %s
"""  # noqa: S608

# matched, unmatched, and of the unmatched those too old for any future binding (period ended
# before the cutoff day: ``services.binding_cutoff_day``). Parameters: cutoff day, batch id.
COUNT_MATCHED = f"""
SELECT SUM(CASE WHEN resident_id IS NULL THEN 0 ELSE 1 END), SUM(CASE WHEN resident_id IS NULL THEN 1 ELSE 0 END),
       SUM(CASE WHEN resident_id IS NULL AND binding_kind <> '' AND end_day < %s THEN 1 ELSE 0 END)
FROM {REC} WHERE batch_id = %s
"""  # noqa: S608


# --- baselines ----------------------------------------------------------------------------------


def history_estimate(*, centre: str, record_type: str, account: str, start: str, end: str) -> str:
    """The history baseline of one utility reading, as a scalar subquery over the given SQL
    expressions (columns of the reading, or placeholders): the average of the same billing period
    one and two years earlier (365/730 days), each year prorated from the overlapping readings of
    the same account and counted only if they cover at least half of the period; NULL without
    history. The one statement of this rule: ``baseline_from_history`` and the one-pass load use it."""
    parts = []
    for k in (1, 2):
        s, e = f"({start} - {k * YEAR_DAYS})", f"({end} - {k * YEAR_DAYS})"
        overlap = f"({_lo('h.end_day', e)} - {_hi('h.start_day', s)} + 1)"
        parts.append(
            f"SELECT SUM(h.quantity * 1.0 * {overlap} / (h.end_day - h.start_day + 1)) * ({end} - {start} + 1)"  # noqa: S608
            f" / SUM({overlap}) AS est FROM {REC} h"
            f" WHERE h.centre_id = {centre} AND h.record_type = {record_type} AND h.account = {account}"
            f" AND h.start_day <= {e} AND h.end_day >= {s}"
            f" GROUP BY h.account HAVING SUM({overlap}) * 2 >= {end} - {start} + 1"
        )
    return f"(SELECT AVG(y.est) FROM ({parts[0]} UNION ALL {parts[1]}) y)"  # noqa: S608


def baseline_from_history(scope: str) -> str:
    """Matched, not yet quantified utility readings in ``scope`` get their history baseline
    (``history_estimate``) where they have history."""
    types = ", ".join(f"'{t}'" for t in UTILITY_TYPES)
    estimate = history_estimate(
        centre="r.centre_id",
        record_type="r.record_type",
        account="r.account",
        start="r.start_day",
        end="r.end_day",
    )
    return f"""
UPDATE {REC} SET baseline = ROUND(CAST(b.est AS NUMERIC), 4), baseline_source = 'history'
FROM (
  SELECT r.id, {estimate} AS est FROM {REC} r
  WHERE {scope} AND r.resident_id IS NOT NULL AND r.record_type IN ({types})
    AND (r.baseline IS NULL OR r.baseline_source <> 'history')
    AND (SELECT COUNT(*) FROM {RED} x WHERE x.source_record_id = r.id) = 0
) b
WHERE {REC}.id = b.id AND b.est IS NOT NULL
"""  # noqa: S608


def baseline_default(scope: str) -> str:
    return f"""
UPDATE {REC} SET baseline = ROUND(CAST(%s AS NUMERIC) * (end_day - start_day + 1), 4),
                 baseline_source = 'centre_default'
WHERE id IN (SELECT r.id FROM {REC} r WHERE {scope} AND r.resident_id IS NOT NULL
             AND r.baseline IS NULL AND r.record_type = %s AND r.centre_id = %s)
"""  # noqa: S608


# --- quantification -----------------------------------------------------------------------------

PENDING_GROUPS = """
SELECT DISTINCT r.centre_id, r.behaviour, r.mode, r.period_end FROM {rec} r
WHERE {scope} AND r.resident_id IS NOT NULL AND r.behaviour <> ''
  AND (r.needs_requantify = %s OR NOT EXISTS (SELECT 1 FROM {red} x WHERE x.source_record_id = r.id))
"""

_RED_COLUMNS = (
    "centre_id, resident_id, behaviour, period_start, period_end, kg_co2e, kind, adjusts_id, created_at, "
    "source_record_id, record_revision, batch_id, methodology_version_id, quantity, unit, baseline, "
    "distance_km, inputs_snapshot, snapshot_id"
)


def insert_originals(scope: str, group: str, expr: str) -> str:
    """The "no reduction yet" test is a correlated COUNT on purpose: PostgreSQL cannot turn it into
    an anti-join, so it is always an index probe — an unparameterised anti-join against the table
    being inserted into degrades quadratically when statistics are stale."""
    return f"""
INSERT INTO {RED} ({_RED_COLUMNS})
SELECT r.centre_id, r.resident_id, r.behaviour, r.period_start, r.period_end, {expr}, 'original', NULL,
       %s, r.id, r.revision, r.batch_id, %s, r.quantity, r.unit, r.baseline, r.distance_km, '{{}}', %s
FROM {REC} r
WHERE {scope} AND {group} AND r.resident_id IS NOT NULL
  AND (SELECT COUNT(*) FROM {RED} x WHERE x.source_record_id = r.id) = 0
ON CONFLICT DO NOTHING
"""  # noqa: S608


def insert_adjustments(scope: str, group: str, expr: str) -> str:
    """One adjustment per revised record: the new figure minus everything already credited."""
    total = f"(SELECT SUM(x.kg_co2e) FROM {RED} x WHERE x.source_record_id = r.id)"  # noqa: S608
    original = f"(SELECT x.{{col}} FROM {RED} x WHERE x.source_record_id = r.id AND x.kind = 'original')"  # noqa: S608
    return f"""
INSERT INTO {RED} ({_RED_COLUMNS})
SELECT r.centre_id, {original.format(col="resident_id")}, r.behaviour, r.period_start, r.period_end,
       {expr} - {total}, 'adjustment', {original.format(col="id")},
       %s, r.id, r.revision, r.batch_id, %s, r.quantity, r.unit, r.baseline, r.distance_km, '{{}}', %s
FROM {REC} r
WHERE {scope} AND {group} AND r.resident_id IS NOT NULL AND r.needs_requantify = %s
  AND EXISTS (SELECT 1 FROM {RED} x WHERE x.source_record_id = r.id AND x.kind = 'original')
  AND {expr} <> {total}
"""  # noqa: S608


def clear_requantify(scope: str, group: str) -> str:
    return f"""
UPDATE {REC} SET needs_requantify = %s
WHERE id IN (SELECT r.id FROM {REC} r WHERE {scope} AND {group} AND r.needs_requantify = %s
             AND r.resident_id IS NOT NULL)
"""  # noqa: S608
