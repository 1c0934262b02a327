"""The rules of provider records' fields, each written ONCE and compiled two ways.

A record type (``schemas.SCHEMAS``) declares each field with a rule — its type, bounds, pattern,
unit and whether it is required — plus record-level checks (a period's length, a ride's speed)
and where each staging column comes from (``Staging``). From that one declaration:

- **Python** (``python``): a function of the field's text that returns the typed value or raises
  ``RowProblem(field, code, raw, **params)`` (``row_errors`` has the messages).
  ``parsing.RowConverter`` chains them per record type: the one row check of every path.
- **SQL** (``sql``), for the one-pass load (``fastload``): a predicate that accepts the *plainly
  valid, canonical* subset of texts (nothing to strip, canonical spellings and units) and the typed
  value of an accepted text. Every row SQL does not accept is judged by the Python function, so the
  SQL side may be narrower than Python, never wider or different: ``tests/test_rules.py`` checks
  with hypothesis that whatever SQL accepts, Python accepts with the same value.

A rule without an SQL form (a pattern only Python knows, a limit of the methodology) makes its
record type take the staged pipeline: ``sql_ready(schema)``. Values enter SQL as literals of the
declaration (numbers, fixed words) and of the stage's clock, never as text from a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Context as DecimalContext
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import pint

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.services import normalise_account_number

EARLIEST = date(2000, 1, 1)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
PLACE_DIGITS = 4  # quantities and distances are stored with 4 decimal places
PLACES = Decimal(1).scaleb(-PLACE_DIGITS)
_WIDE = DecimalContext(prec=60)
# Characters Python's str.strip() removes that PostgreSQL's [[:space:]] may not know.
_EDGE_SPACE = r"[[:space:]\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u001c-\u001f]"


class StagedRow(NamedTuple):
    """One accepted row as it is staged (``metering_stagedrecord``; COPY / executemany in this order)."""

    batch_id: str
    row_number: int
    status: int
    external_id: str
    revision: int
    account: str
    binding_kind: str
    behaviour: str
    period_start: date
    period_end: date
    start_day: int
    end_day: int
    occurred_at: datetime | None
    quantity: Decimal
    unit: str
    distance_km: Decimal | None
    mode: str
    origin: str
    destination: str
    trip_key: str | None
    attrs: str


STAGED_COLUMNS: tuple[str, ...] = StagedRow._fields
# The typed columns a record type's declaration yields (the rest are the batch's or derived).
RECORD_COLUMNS: tuple[str, ...] = STAGED_COLUMNS[3:-1]


class RowProblem(Exception):
    """A rejected row: ``code`` names its message in ``row_errors.ROW_ERRORS`` (rendered on reading,
    in the reader's language), ``params`` fill it in."""

    def __init__(self, field: str, code: str, raw: str = "", **params):
        super().__init__(code)
        self.field = field
        self.code = code
        self.raw = raw
        self.params = params


@dataclass
class Limits:
    """Plausibility limits taken from the methodology's ``limit`` parameters (``services``)."""

    bike_max_speed_kmh: float = 30.0
    bike_max_distance_km: float = 100.0
    walking_max_steps: int = 100_000


@dataclass(frozen=True)
class Clock:
    """What a check needs at run time: the stage's moment, the centre's time zone and limits."""

    now: datetime
    tz: ZoneInfo
    limits: Limits
    today: date = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "today", self.now.astimezone(self.tz).date())


def day_number(d: date) -> int:
    return d.toordinal() - EPOCH_ORDINAL


def literal(value: Any) -> str:
    """A declared value as an SQL literal (numbers, fixed words, the stage's clock)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return f"CAST('{value.isoformat()}' AS TIMESTAMPTZ)"
    text = str(value).replace("'", "''")
    return f"'{text}'"


class NoSql(Exception):
    """This rule has no SQL form: its record type takes the staged pipeline."""


class Sql:
    """What the SQL of one file needs: each field's column in the raw table, the calendar joins and
    per-row derived columns the rules add (computed once, in an inner SELECT), and each field's
    typed value and date (day number) expressions."""

    def __init__(self, columns: Sequence[str], raw_table: str, calendar: str, clock: Clock):
        self.columns = list(columns)
        self.raw_table, self.calendar, self.clock = raw_table, calendar, clock
        self.joins: list[str] = []
        self.derived: list[str] = []
        self.values: dict[str, str] = {}
        self.days: dict[str, tuple[str, str]] = {}  # field → (date expr, day number expr)

    def col(self, name: str) -> str:
        return f"r.c{self.columns.index(name)}" if name in self.columns else "NULL"

    def inner_col(self, name: str) -> str:
        return f"raw.c{self.columns.index(name)}" if name in self.columns else "NULL"

    def plain(self, name: str) -> str:
        """The field's raw column, which is also its typed value (text kept as it is)."""
        self.values[name] = self.col(name)
        return self.values[name]

    def calendar_join(self, name: str, text: str) -> str:
        alias = f"cal_{name}"
        self.joins.append(f"LEFT JOIN {self.calendar} {alias} ON {alias}.txt = {text}")
        return alias

    def source(self) -> str:
        extra = "".join(f", {d}" for d in self.derived)
        joins = " ".join(self.joins)
        return f"(SELECT raw.*{extra} FROM {self.raw_table} raw {joins}) r"  # noqa: S608


# --- field rules --------------------------------------------------------------------------------


class Rule:
    """How one field's text becomes a value. ``python`` returns ``check(text, values)`` (``values``:
    the row's fields checked so far, for a rule that reads another, e.g. a quantity its unit);
    ``sql`` returns the predicate over the raw column and records the typed value in ``sql.values``."""

    needs: tuple[str, ...] = ()  # fields to check before this one

    def python(self, name: str, clock: Clock, schema: Any) -> Callable[[str, dict], Any]:
        raise NotImplementedError

    def sql(self, name: str, q: Sql, schema: Any) -> str:
        raise NoSql(type(self).__name__)


def _at_most(name: str, value: str, max_len: int) -> str:
    if len(value) > max_len:
        raise RowProblem(name, "too_long", value, n=max_len)
    return value


RECORD_ID_MAX = 64
_RECORD_ID = re.compile(rf"[\w.:/#\-]{{1,{RECORD_ID_MAX}}}")


@dataclass(frozen=True)
class RecordId(Rule):
    """The provider's id of the record: printable, at most 64 characters (``max_len`` may be less)."""

    max_len: int = RECORD_ID_MAX

    def python(self, name, clock, schema):
        match, max_len = _RECORD_ID.fullmatch, self.max_len

        def check(text: str, values: dict) -> str:
            value = text.strip()
            if not match(value):
                raise RowProblem(name, "bad_record_id", value)
            return _at_most(name, value, max_len)

        return check

    def sql(self, name, q, schema):
        c = q.plain(name)
        return f"{c} ~ '^[A-Za-z0-9_.:/#-]+$' AND length({c}) <= {self.max_len}"


@dataclass(frozen=True)
class Revision(Rule):
    """The correction counter: a whole number from 1 to ``maximum``; empty means 1."""

    maximum: int = 1_000_000

    def python(self, name, clock, schema):
        maximum = self.maximum

        def check(text: str, values: dict) -> int:
            value = text.strip()
            if not value:
                return 1
            if not (value.isdecimal() and 1 <= int(value) <= maximum):
                raise RowProblem(name, "bad_revision", value)
            return int(value)

        return check

    def sql(self, name, q, schema):
        c, digits = q.col(name), len(str(self.maximum))
        q.values[name] = f"COALESCE(CASE WHEN {c} ~ '^[0-9]+$' THEN CAST({c} AS INTEGER) END, 1)"
        return (
            f"({c} IS NULL OR {c} = '' OR CASE WHEN {c} ~ '^[0-9]+$' AND length({c}) <= {digits} "
            f"THEN CAST({c} AS INTEGER) BETWEEN 1 AND {self.maximum} ELSE false END)"
        )


@dataclass(frozen=True)
class Account(Rule):
    """An account number of a binding ``kind``, normalised as bindings are (``accounts``)."""

    kind: str
    max_len: int = 40

    def python(self, name, clock, schema):
        kind, max_len = self.kind, self.max_len

        keep_case = kind == Binding.Kind.BIKE_SHARE

        def check(text: str, values: dict) -> str:
            if text.isalnum() and text.isascii():  # nothing to normalise (the usual case)
                number = text if keep_case else text.upper()
            else:
                number = normalise_account_number(kind, text)
            if not number or len(number) > max_len:
                raise RowProblem(name, "bad_account", text)
            return number

        return check

    def sql(self, name, q, schema):
        c = q.col(name)
        q.values[name] = c if self.kind == Binding.Kind.BIKE_SHARE else f"UPPER({c})"
        return f"{c} ~ '^[A-Za-z0-9]+$' AND length({c}) <= {self.max_len}"


def _iso(fromiso: Callable[[str], Any], name: str, code: str, value: str) -> Any:
    try:
        return fromiso(value)
    except ValueError as exc:
        raise RowProblem(name, code, value) from exc


def _between(name: str, value: str, when: Any, day: date, latest: Any) -> Any:
    """``when`` if it is not after ``latest`` and its ``day`` not before 2000."""
    if when > latest:
        raise RowProblem(name, "in_future", value)
    if day < EARLIEST:
        raise RowProblem(name, "before_2000", value)
    return when


@dataclass(frozen=True)
class Day(Rule):
    """A calendar day, YYYY-MM-DD, from 2000-01-01 to today."""

    def python(self, name, clock, schema):
        today, fromiso = clock.today, date.fromisoformat

        def check(text: str, values: dict) -> date:
            value = text.strip()
            parsed = _iso(fromiso, name, "not_a_date", value)
            if len(value) != 10:
                raise RowProblem(name, "not_a_date", value)
            return _between(name, value, parsed, parsed, today)

        return check

    def sql(self, name, q, schema):
        # The calendar holds every valid day from EARLIEST to today: joining to it validates the
        # text (no cast can fail) and types it.
        alias = q.calendar_join(name, q.inner_col(name))
        q.derived += [f"{alias}.d AS {name}__d", f"{alias}.day AS {name}__day"]
        q.values[name] = f"r.{name}__d"
        q.days[name] = (f"r.{name}__d", f"r.{name}__day")
        return f"r.{name}__day IS NOT NULL"


@dataclass(frozen=True)
class Moment(Rule):
    """A date-time, ISO 8601; without an offset it is the centre's time; not in the future (5 min
    of clock skew allowed) nor before 2000."""

    def python(self, name, clock, schema):
        tz, latest, fromiso = clock.tz, clock.now + timedelta(minutes=5), datetime.fromisoformat

        def check(text: str, values: dict) -> datetime:
            value = text.strip()
            parsed = _iso(fromiso, name, "not_a_datetime", value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=tz)
            parsed = parsed.astimezone(UTC)
            return _between(name, value, parsed, parsed.date(), latest)

        return check

    def sql(self, name, q, schema):
        """Only ``YYYY-MM-DDTHH:MM:SS`` in the centre's time or with its offset (+08:00)."""
        tz = q.clock.tz
        offset = q.clock.now.astimezone(tz).strftime("%z")
        if offset != "+0800":
            raise NoSql("the SQL form knows the +08:00 offset only")
        at = q.inner_col(name)
        alias = q.calendar_join(name, f"substr({at}, 1, 10)")
        shape = (
            f"{at} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-2][0-9]:[0-5][0-9]:[0-5][0-9](\\+08:00)?$' "
            f"AND substr({at}, 12, 2) <= '23' AND {alias}.day IS NOT NULL"
        )
        wall = f"({alias}.d + CAST(substr({at}, 12, 8) AS TIME))"
        moment = (
            f"CASE WHEN length({at}) = 25 THEN ({wall} - INTERVAL '8 hours') AT TIME ZONE 'UTC' "
            f"ELSE {wall} AT TIME ZONE {literal(str(tz))} END"
        )
        q.derived += [
            f"{alias}.d AS {name}__d",
            f"{alias}.day AS {name}__day",
            f"CASE WHEN {shape} THEN {moment} END AS {name}__m",
        ]
        q.values[name] = f"r.{name}__m"
        q.days[name] = (f"r.{name}__d", f"r.{name}__day")
        # local day 2000-01-01 may be 1999 in UTC: SQL leaves that day to Python
        latest = q.clock.now + timedelta(minutes=5)
        return (
            f"r.{name}__m IS NOT NULL AND r.{name}__day > {day_number(EARLIEST)} "
            f"AND r.{name}__m <= {literal(latest)}"
        )


@dataclass(frozen=True)
class Limit:
    """A bound taken from the methodology's limits at run time (``Limits`` attribute)."""

    name: str

    def value(self, clock: Clock) -> Decimal:
        return Decimal(str(getattr(clock.limits, self.name)))


@dataclass(frozen=True)
class Amount(Rule):
    """A decimal number from ``low`` to ``high`` (``positive``: zero excluded), kept to 4 places.
    ``unit``: the field naming the number's unit; the number is converted to the record type's
    canonical unit before the bound applies. ``optional``: empty is no value (None)."""

    low: Decimal
    high: Decimal | Limit
    positive: bool = False
    unit: str = ""
    optional: bool = False

    @property
    def needs(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.unit,) if self.unit else ()

    def python(self, name, clock, schema):
        low, positive, optional, unit_field = self.low, self.positive, self.optional, self.unit
        high = self.high.value(clock) if isinstance(self.high, Limit) else self.high
        small = "not_positive" if low >= 0 else "too_small"
        canonical = schema.unit

        def check(text: str, values: dict) -> Decimal | None:
            value = text.strip()
            if not value:
                if optional:
                    return None
                raise RowProblem(name, "required", value)
            try:
                number = Decimal(value)
            except InvalidOperation as exc:
                raise RowProblem(name, "not_a_number", value) from exc
            if not number.is_finite():
                raise RowProblem(name, "not_finite", value)
            if number < low or (positive and number == 0):
                raise RowProblem(name, small, value)
            if unit_field and values[unit_field] != canonical:
                number = _WIDE.multiply(number, unit_factor(values[unit_field], canonical))
            if number > high:
                raise RowProblem(name, "too_large", value, max=str(high))
            return number.quantize(PLACES, context=_WIDE)

        return check

    def sql(self, name, q, schema):
        if isinstance(self.high, Limit) or self.low < 0:
            raise NoSql("a bound of the methodology or a signed number")
        c = q.col(name)
        bound = f"CAST({c} AS NUMERIC) {'>' if self.positive else '>='} {self.low} AND CAST({c} AS NUMERIC) <= {self.high}"
        plain = (
            f"CASE WHEN {c} ~ '^[0-9]+(\\.[0-9]+)?$' AND length({c}) <= 20 "
            f"AND length(split_part({c}, '.', 2)) <= {PLACE_DIGITS} THEN {bound} ELSE false END"
        )
        if self.optional:
            q.values[name] = f"CASE WHEN {c} ~ '^[0-9]' THEN CAST({c} AS NUMERIC) END"
            return f"({c} IS NULL OR {c} = '' OR {plain})"
        q.values[name] = f"CAST({c} AS NUMERIC)"
        return plain


@dataclass(frozen=True)
class UnitOf(Rule):
    """The unit of the record's quantity: one of the record type's accepted units; empty means its
    canonical unit (``RecordSchema.unit``)."""

    def python(self, name, clock, schema):
        accepted, canonical = schema.accepted_units, schema.unit

        def check(text: str, values: dict) -> str:
            unit = text.strip() or canonical
            if unit not in accepted:
                raise RowProblem(name, "unit_not_accepted", unit)
            return unit

        return check

    def sql(self, name, q, schema):
        c = q.col(name)
        q.values[name] = literal(schema.unit)
        return f"COALESCE({c}, '') IN ('', {literal(schema.unit)})"


@dataclass(frozen=True)
class OneOf(Rule):
    """One of ``choices`` (``lower``: compared in lower case); ``code`` names the error."""

    choices: tuple[str, ...]
    code: str
    lower: bool = False

    def python(self, name, clock, schema):
        choices, code, lower = frozenset(self.choices), self.code, self.lower

        def check(text: str, values: dict) -> str:
            value = text.strip()
            if lower:
                value = value.lower()
            if value not in choices:
                raise RowProblem(name, code, text.strip())
            return value

        return check

    def sql(self, name, q, schema):
        return f"{q.plain(name)} IN ({', '.join(literal(v) for v in self.choices)})"


@dataclass(frozen=True)
class Text(Rule):
    """Free text of at most ``max_len`` characters, surrounding spaces removed."""

    max_len: int
    required: bool = False

    def python(self, name, clock, schema):
        max_len, required = self.max_len, self.required

        def check(text: str, values: dict) -> str:
            value = text.strip()
            if required and not value:
                raise RowProblem(name, "required", value)
            return _at_most(name, value, max_len)

        return check

    def sql(self, name, q, schema):
        c = q.col(name)
        q.values[name] = f"COALESCE({c}, '')"
        clean = f"length({c}) <= {self.max_len} AND {c} !~ '^{_EDGE_SPACE}' AND {c} !~ '{_EDGE_SPACE}$'"
        if self.required:
            return f"({c} <> '' AND {clean})"
        return f"({c} IS NULL OR ({clean}))"


@dataclass(frozen=True)
class Pattern(Rule):
    """Optional text that, when given, must match ``regex`` whole; ``code`` names the error."""

    regex: str
    code: str

    def python(self, name, clock, schema):
        match, code = re.compile(self.regex).fullmatch, self.code

        def check(text: str, values: dict) -> str:
            value = text.strip()
            if value and not match(value):
                raise RowProblem(name, code, value)
            return value

        return check


@dataclass(frozen=True)
class Count(Rule):
    """A whole number ≥ 0 up to ``limit`` (``bad``: not a whole number; ``too_many``: over it)."""

    limit: Limit
    bad: str
    too_many: str

    def python(self, name, clock, schema):
        bad, too_many, limit = self.bad, self.too_many, int(self.limit.value(clock))

        def check(text: str, values: dict) -> int:
            value = text.strip()
            if not value.isdecimal():
                raise RowProblem(name, bad, value)
            if int(value) > limit:
                raise RowProblem(name, too_many, value)
            return int(value)

        return check


# --- record-level checks -----------------------------------------------------------------------
# Each returns None or (field, code, params) of the problem; the converter adds the field's text.


class Check:
    def python(self, clock: Clock) -> Callable[[dict], tuple[str, str, dict] | None]:
        raise NotImplementedError

    def sql(self, q: Sql) -> str:
        raise NoSql(type(self).__name__)


@dataclass(frozen=True)
class Period(Check):
    """``end`` is not before ``start`` and at most ``max_days`` later."""

    start: str = "period_start"
    end: str = "period_end"
    max_days: int = 366

    def python(self, clock):
        start, end, max_days = self.start, self.end, self.max_days

        def check(values: dict) -> tuple[str, str, dict] | None:
            days = (values[end] - values[start]).days
            if days < 0:
                return end, "end_before_start", {}
            if days > max_days:
                return end, "period_over_a_year", {}
            return None

        return check

    def sql(self, q):
        (_s, start), (_e, end) = q.days[self.start], q.days[self.end]
        return f"{start} <= {end} AND {end} - {start} <= {self.max_days}"


@dataclass(frozen=True)
class Ride(Check):
    """A ride ends after it starts, within ``max_hours``, at no more than the speed limit."""

    start: str
    end: str
    distance: str
    max_hours: int = 24

    def python(self, clock):
        start, end, distance, max_seconds = self.start, self.end, self.distance, self.max_hours * 3600
        limit = clock.limits.bike_max_speed_kmh

        def check(values: dict) -> tuple[str, str, dict] | None:
            seconds = (values[end] - values[start]).total_seconds()
            if seconds <= 0 or seconds > max_seconds:
                return end, "bad_ride_times", {}
            speed = float(values[distance]) / (seconds / 3600)
            if speed > limit:
                return distance, "implausible_speed", {"speed": speed, "limit": limit}
            return None

        return check


# --- where each staging column comes from ---------------------------------------------------------


class Source:
    """A staging column's value from the checked fields: ``python(values)`` and, where the one-pass
    load needs it, ``sql(q)``; a date-valued source also gives its day number (``day_sql``)."""

    def python(self, clock: Clock) -> Callable[[dict], Any]:
        raise NotImplementedError

    def sql(self, q: Sql) -> str:
        raise NoSql(type(self).__name__)

    def day_sql(self, q: Sql) -> str:
        raise NoSql(type(self).__name__)


@dataclass(frozen=True)
class F(Source):
    """The checked value of a field."""

    name: str

    def python(self, clock):
        return itemgetter(self.name)

    def sql(self, q):
        return q.values[self.name]

    def day_sql(self, q):
        return q.days[self.name][1]


@dataclass(frozen=True)
class Const(Source):
    value: Any

    def python(self, clock):
        value = self.value
        return lambda values: value

    def sql(self, q):
        if self.value is None:
            return "NULL"
        return literal(self.value)


@dataclass(frozen=True)
class LocalDay(Source):
    """The day, in the centre's time, of a date-time field."""

    name: str

    def python(self, clock):
        name, tz = self.name, clock.tz
        return lambda values: values[name].astimezone(tz).date()

    def sql(self, q):
        return q.days[self.name][0]

    def day_sql(self, q):
        return q.days[self.name][1]


@dataclass(frozen=True)
class Today(Source):
    def python(self, clock):
        today = clock.today
        return lambda values: today


@dataclass(frozen=True)
class TripKey(Source):
    """The same real-world trip: mode, card and boarding minute (UTC epoch)."""

    mode: str
    card: str
    at: str

    def python(self, clock):
        mode, card, at = self.mode, self.card, self.at
        return lambda v: f"{v[mode]}|{v[card]}|{int(v[at].timestamp()) // 60}"

    def sql(self, q):
        minute = f"CAST(CAST(floor(extract(epoch FROM {q.values[self.at]}) / 60) AS BIGINT) AS TEXT)"
        return f"{q.values[self.mode]} || '|' || {q.values[self.card]} || '|' || {minute}"


@dataclass(frozen=True)
class Json(Source):
    """Fields kept as JSON text (``attrs``), numbers as strings."""

    names: tuple[str, ...]

    def python(self, clock):
        names = self.names

        def value(v: dict) -> str:
            kept = {n: str(v[n]) if isinstance(v[n], Decimal) else v[n] for n in names}
            return json.dumps(kept, ensure_ascii=False)

        return value


@dataclass(frozen=True)
class Years(Source):
    """``name`` × the period's length in years (365 days): hectare-years of a survey."""

    name: str
    start: str = "period_start"
    end: str = "period_end"

    def python(self, clock):
        name, start, end = self.name, self.start, self.end
        return lambda v: (v[name] * (Decimal((v[end] - v[start]).days + 1) / Decimal(365))).quantize(PLACES)


def _source(value: Source | str) -> Source:
    return F(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Staging:
    """Where the staging columns of a record type come from (``RECORD_COLUMNS``; a field name is
    that field's checked value). Unnamed columns are empty; ``start_day``/``end_day`` are the day
    numbers of ``period_start``/``period_end``; ``binding_kind`` is the record type's."""

    account: Source | str
    behaviour: Source | str
    period_start: Source | str
    period_end: Source | str
    quantity: Source | str
    unit: Source | str
    occurred_at: Source | str = Const(None)
    distance_km: Source | str = Const(None)
    mode: Source | str = Const("")
    origin: Source | str = Const("")
    destination: Source | str = Const("")
    trip_key: Source | str = Const(None)
    attrs: Source | str = Const("")
    external_id: Source | str = "record_id"
    revision: Source | str = "revision"

    def sources(self) -> dict[str, Source]:
        return {
            column: _source(getattr(self, column))
            for column in (*RECORD_COLUMNS, "attrs")
            if hasattr(self, column)
        }

    def python(self, clock: Clock, batch_id: str, binding_kind: str) -> Callable[[dict, int], StagedRow]:
        """``build(values, row_number)`` → the staged row. Constant columns are filled in once."""
        sources = self.sources()
        template: list[Any] = [batch_id, 0, 0, *([None] * (len(STAGED_COLUMNS) - 3))]
        template[STAGED_COLUMNS.index("binding_kind")] = binding_kind
        dynamic = []
        for column, source in sources.items():
            if isinstance(source, Const):
                template[STAGED_COLUMNS.index(column)] = source.value
            else:
                dynamic.append((STAGED_COLUMNS.index(column), source.python(clock)))
        get_start, get_end = sources["period_start"].python(clock), sources["period_end"].python(clock)
        i_start, i_end = STAGED_COLUMNS.index("start_day"), STAGED_COLUMNS.index("end_day")
        ordinal, make = EPOCH_ORDINAL, StagedRow._make

        def build(values: dict, row_number: int) -> StagedRow:
            row = template.copy()
            row[1] = row_number
            for position, get in dynamic:
                row[position] = get(values)
            row[i_start] = get_start(values).toordinal() - ordinal
            row[i_end] = get_end(values).toordinal() - ordinal
            return make(row)

        return build

    def sql(self, q: Sql, binding_kind: str) -> str:
        """The typed columns ``RECORD_COLUMNS`` of an SQL-accepted row, in order."""
        s = self.sources()
        parts = []
        for column in RECORD_COLUMNS:
            if column == "binding_kind":
                parts.append(literal(binding_kind))
            elif column == "start_day":
                parts.append(s["period_start"].day_sql(q))
            elif column == "end_day":
                parts.append(s["period_end"].day_sql(q))
            else:
                parts.append(s[column].sql(q))
        return ", ".join(_typed(c, p) for c, p in zip(RECORD_COLUMNS, parts, strict=True))


_SQL_TYPES = {
    "occurred_at": "TIMESTAMPTZ",
    "quantity": "NUMERIC",
    "distance_km": "NUMERIC",
    "trip_key": "TEXT",
}


def _typed(column: str, expr: str) -> str:
    """NULL and literals typed as the column (a UNION of typed rows needs them typed)."""
    kind = _SQL_TYPES.get(column)
    return f"CAST({expr} AS {kind})" if kind else expr


# --- units ----------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def unit_factor(unit: str, canonical: str) -> Decimal:
    """How many ``canonical`` units one ``unit`` is, checked with pint (never implied)."""
    registry = _ureg()
    aliases = {
        "m3": "meter**3",
        "kWh": "kilowatt_hour",
        "MWh": "megawatt_hour",
        "Wh": "watt_hour",
        "L": "liter",
    }
    try:
        quantity = registry.Quantity(1, aliases.get(unit, unit)).to(aliases.get(canonical, canonical))
    except (pint.errors.PintError, AttributeError, TypeError, ValueError) as exc:
        raise ValueError(unit) from exc
    return Decimal(str(round(quantity.magnitude, 9)))


@lru_cache(maxsize=1)
def _ureg() -> pint.UnitRegistry:
    return pint.UnitRegistry()


def evaluation_order(fields: Sequence[Any]) -> list[Any]:
    """The fields in declaration order, a field another one ``needs`` moved before it."""
    by_name: Mapping[str, Any] = {f.name: f for f in fields}
    order: list[Any] = []
    for f in fields:
        for needed in f.rule.needs:
            if by_name[needed] not in order:
                order.append(by_name[needed])
        if f not in order:
            order.append(f)
    return order


@dataclass(frozen=True)
class SqlPlan:
    """The one-pass SQL of a record type for one file: ``source`` (FROM, alias ``r``: the raw
    table with the rules' derived columns), ``ok`` (the row is plainly valid: every field rule and
    record check), ``projection`` (its typed ``RECORD_COLUMNS``)."""

    source: str
    ok: str
    projection: str


def sql_plan(schema: Any, columns: Sequence[str], raw_table: str, calendar: str, clock: Clock) -> SqlPlan:
    """Compile ``schema``'s declaration to SQL over a raw table of text columns ``c0, c1, …``
    (``columns``: the file's header); raises ``NoSql`` if a rule, check or source has no SQL form."""
    q = Sql(columns, raw_table, calendar, clock)
    ok = [f.rule.sql(f.name, q, schema) for f in schema.fields]
    ok += [c.sql(q) for c in schema.checks]
    projection = schema.staging.sql(q, schema.binding_kind)
    return SqlPlan(q.source(), " AND ".join(f"({p})" for p in ok), projection)


def sql_ready(schema: Any, clock: Clock) -> bool:
    """Whether every rule of ``schema`` has an SQL form (its CSV files may take the one-pass load)."""
    try:
        sql_plan(schema, [f.name for f in schema.fields], "raw", "calendar", clock)
    except NoSql:
        return False
    return True
