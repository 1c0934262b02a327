"""Stream-parse and validate a provider file row by row.

Decisions (documented in docs/provider-guide.md):
- Encoding is UTF-8, with or without BOM; CRLF or LF; RFC 4180 quoting (quoted newlines allowed).
- Rows that are not valid UTF-8 are rejected *row by row* ("not valid UTF-8"); the rest of the file
  is kept. A header that is not valid UTF-8, an empty file or missing required columns rejects the
  whole file (nothing can be read reliably).
- A physical line longer than ``MAX_LINE_CHARS`` is skipped (row error), never read into memory
  whole; fields are bounded by ``csv.field_size_limit``.
- Row numbers count the header as row 1 (CSV) and lines from 1 (JSON Lines).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.services import normalise_account_number
from tanpuhui.metering.models import Behaviour, RecordType
from tanpuhui.metering.schemas import RecordSchema

MAX_LINE_CHARS = 64 * 1024
_MODES = frozenset({str(Behaviour.BUS.value), str(Behaviour.METRO.value)})
_ONE = Decimal(1)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
EARLIEST = date(2000, 1, 1)
_PRINTABLE_ID = re.compile(r"^[\w.:/#\-]{1,64}$")

# Columns of metering_stagedrecord written by COPY / executemany, in this order.
STAGED_COLUMNS = [
    "batch_id",
    "row_number",
    "status",
    "external_id",
    "revision",
    "account",
    "binding_kind",
    "behaviour",
    "period_start",
    "period_end",
    "start_day",
    "end_day",
    "occurred_at",
    "quantity",
    "unit",
    "distance_km",
    "mode",
    "origin",
    "destination",
    "trip_key",
    "attrs",
]

MAX_QUANTITY = {
    RecordType.ELECTRICITY: Decimal(100_000),  # kWh per billing period, a household
    RecordType.WATER: Decimal(10_000),
    RecordType.GAS: Decimal(10_000),
}


class FileRejected(Exception):
    """The whole file cannot be read: nothing is kept."""


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
    bike_max_speed_kmh: float = 30.0
    bike_max_distance_km: float = 100.0
    walking_max_steps: int = 100_000


@lru_cache(maxsize=64)
def unit_factor(unit: str, canonical: str) -> Decimal:
    """How many ``canonical`` units one ``unit`` is, checked with pint (never implied)."""
    import pint

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
def _ureg():
    import pint

    return pint.UnitRegistry()


def _decimal(value: str, field: str, *, low: Decimal, high: Decimal, positive: bool = False) -> Decimal:
    text = (value or "").strip()
    if not text:
        raise RowProblem(field, "required", text)
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise RowProblem(field, "not_a_number", text) from exc
    if not number.is_finite():
        raise RowProblem(field, "not_finite", text)
    if number < low or (positive and number == 0):
        raise RowProblem(field, "not_positive" if low >= 0 else "too_small", text)
    if number > high:
        raise RowProblem(field, "too_large", text, max=str(high))
    return number.quantize(Decimal("0.0001"))


def _date(value: str, field: str, today: date) -> date:
    text = (value or "").strip()
    try:
        parsed = date.fromisoformat(text)
    except ValueError as exc:
        raise RowProblem(field, "not_a_date", text) from exc
    if len(text) != 10:
        raise RowProblem(field, "not_a_date", text)
    if parsed > today:
        raise RowProblem(field, "in_future", text)
    if parsed < EARLIEST:
        raise RowProblem(field, "before_2000", text)
    return parsed


def _datetime(value: str, field: str, tz, now: datetime) -> datetime:
    text = (value or "").strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise RowProblem(field, "not_a_datetime", text) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    parsed = parsed.astimezone(UTC)
    if parsed > now + timedelta(minutes=5):
        raise RowProblem(field, "in_future", text)
    if parsed.date() < EARLIEST:
        raise RowProblem(field, "before_2000", text)
    return parsed


def _day(d: date) -> int:
    return d.toordinal() - EPOCH_ORDINAL


def _account(kind: str, value: str, field: str) -> str:
    number = normalise_account_number(kind, value)
    if not number or len(number) > 40:
        raise RowProblem(field, "bad_account", value)
    return number


def _text(value: str, field: str, max_len: int, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RowProblem(field, "required", text)
    if len(text) > max_len:
        raise RowProblem(field, "too_long", text, n=max_len)
    return text


class RowConverter:
    """Turns one row (a mapping of field → text) into a staged tuple or raises ``RowProblem``."""

    def __init__(
        self, schema: RecordSchema, batch_id, *, limits: Limits | None = None, now: datetime | None = None
    ):
        self.schema = schema
        self.batch_id = str(batch_id)
        self.limits = limits or Limits()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = now or datetime.now(UTC)
        self.today = self.now.astimezone(self.tz).date()
        self.convert: Callable[[dict, int], tuple] = getattr(
            self, f"_row_{schema.record_type}", self._row_utility
        )

    # --- fast paths ---------------------------------------------------------------------------
    # The two bulk record types get a tight converter over the raw field list. It accepts only rows
    # that are plainly valid (no surrounding spaces, canonical spellings, no unit conversion) and
    # builds the very tuple the full converter would; anything else returns None and goes through
    # the full converter, which gives the row's error text. So results are identical, only faster.

    def fast_converter(self, columns: list[str]) -> Callable[[list, int], tuple | None] | None:
        schema = self.schema
        index = {name: i for i, name in enumerate(columns)}
        try:
            if schema.record_type == RecordType.TRANSIT_TRIP:
                return self._fast_transit(index)
            if schema.record_type in MAX_QUANTITY and schema.unit in schema.accepted_units:
                return self._fast_utility(index)
        except KeyError:  # an optional column the fast path needs is absent
            return None
        return None

    def _fast_head(self, index: dict):
        i_id, i_rev = index["record_id"], index.get("revision")
        match = _PRINTABLE_ID.match

        def head(row: list):
            external_id = row[i_id]
            if not match(external_id) or external_id[-1] == "\n":
                return None
            if i_rev is None or not row[i_rev]:
                return external_id, 1
            raw = row[i_rev]
            if raw.isdigit() and raw.isascii() and 1 <= int(raw) <= 1_000_000:
                return external_id, int(raw)
            return None

        return head

    def _fast_utility(self, index: dict):
        schema, batch_id, today = self.schema, self.batch_id, self.today
        head = self._fast_head(index)
        i_acc, i_start, i_end = index["account"], index["period_start"], index["period_end"]
        i_qty, i_unit = index["quantity"], index.get("unit")
        limit, canonical = MAX_QUANTITY[schema.record_type], schema.unit
        kind, behaviour = schema.binding_kind, schema.behaviour
        fromiso, earliest, four = date.fromisoformat, EARLIEST, Decimal("0.0001")

        def convert(row: list, rownum: int):
            first = head(row)
            if first is None or (i_unit is not None and row[i_unit] not in ("", canonical)):
                return None
            account, raw_start, raw_end = row[i_acc], row[i_start], row[i_end]
            if not (account.isalnum() and account.isascii() and len(account) <= 40):
                return None
            if len(raw_start) != 10 or len(raw_end) != 10:
                return None
            try:
                start, end, quantity = fromiso(raw_start), fromiso(raw_end), Decimal(row[i_qty])
            except (ValueError, InvalidOperation):
                return None
            if not (earliest <= start <= end <= today and (end - start).days <= 366):
                return None
            if not quantity.is_finite() or quantity < 0 or quantity > limit:
                return None
            quantity = quantity.quantize(four)
            if quantity > limit:
                return None
            return (
                batch_id, rownum, 0, first[0], first[1], account.upper(), kind, behaviour, start, end,
                start.toordinal() - EPOCH_ORDINAL, end.toordinal() - EPOCH_ORDINAL, None, quantity,
                canonical, None, "", "", "", None, "",
            )  # fmt: skip

        return convert

    def _fast_transit(self, index: dict):
        batch_id, tz, kind = self.batch_id, self.tz, self.schema.binding_kind
        latest = self.now + timedelta(minutes=5)
        head = self._fast_head(index)
        i_card, i_mode, i_at = index["card"], index["mode"], index["boarded_at"]
        i_km, i_from, i_to = index.get("distance_km"), index.get("origin"), index.get("destination")
        fromiso, earliest = datetime.fromisoformat, EARLIEST

        def convert(row: list, rownum: int):
            first = head(row)
            if first is None:
                return None
            card, mode, raw_at = row[i_card], row[i_mode], row[i_at]
            if mode not in _MODES or not (card.isalnum() and card.isascii() and len(card) <= 40):
                return None
            if raw_at != raw_at.strip():
                return None
            try:
                boarded = fromiso(raw_at)
            except ValueError:
                return None
            if boarded.tzinfo is None:
                boarded = boarded.replace(tzinfo=tz)
            boarded = boarded.astimezone(UTC)
            if boarded > latest or boarded.date() < earliest:
                return None
            distance = None
            if i_km is not None and row[i_km].strip():
                try:
                    distance = _decimal(
                        row[i_km], "distance_km", low=Decimal(0), high=Decimal(200), positive=True
                    )
                except RowProblem:
                    return None
            origin = row[i_from].strip() if i_from is not None else ""
            destination = row[i_to].strip() if i_to is not None else ""
            if len(origin) > 64 or len(destination) > 64:
                return None
            card = card.upper()
            day = boarded.astimezone(tz).date()
            number = day.toordinal() - EPOCH_ORDINAL
            trip_key = f"{mode}|{card}|{int(boarded.timestamp()) // 60}"
            return (
                batch_id, rownum, 0, first[0], first[1], card, kind, mode, day, day, number, number,
                boarded, _ONE, "trip", distance, mode, origin, destination, trip_key, "",
            )  # fmt: skip

        return convert

    def _common(self, row: dict) -> tuple[str, int]:
        external_id = (row.get("record_id") or "").strip()
        if not _PRINTABLE_ID.match(external_id):
            raise RowProblem("record_id", "bad_record_id", external_id)
        raw_rev = (row.get("revision") or "").strip()
        revision = 1
        if raw_rev:
            if not raw_rev.isdigit() or not 1 <= int(raw_rev) <= 1_000_000:
                raise RowProblem("revision", "bad_revision", raw_rev)
            revision = int(raw_rev)
        return external_id, revision

    def _tuple(
        self,
        rownum,
        external_id,
        revision,
        account,
        behaviour,
        start,
        end,
        *,
        occurred=None,
        quantity,
        unit,
        distance=None,
        mode="",
        origin="",
        destination="",
        trip_key=None,
        attrs="",
    ):
        return (
            self.batch_id, rownum, 0, external_id, revision, account, self.schema.binding_kind, behaviour,
            start, end, _day(start), _day(end), occurred, quantity, unit, distance, mode, origin,
            destination, trip_key, attrs,
        )  # fmt: skip

    def _period(self, row) -> tuple[date, date]:
        start = _date(row.get("period_start", ""), "period_start", self.today)
        end = _date(row.get("period_end", ""), "period_end", self.today)
        if end < start:
            raise RowProblem("period_end", "end_before_start", row.get("period_end", ""))
        if (end - start).days > 366:
            raise RowProblem("period_end", "period_over_a_year", row.get("period_end", ""))
        return start, end

    def _row_utility(self, row: dict, rownum: int) -> tuple:
        schema = self.schema
        external_id, revision = self._common(row)
        account = _account(schema.binding_kind, row.get("account", ""), "account")
        start, end = self._period(row)
        unit = (row.get("unit") or "").strip() or schema.unit
        if unit not in schema.accepted_units:
            raise RowProblem("unit", "unit_not_accepted", unit)
        limit = MAX_QUANTITY[schema.record_type]
        quantity = _decimal(row.get("quantity", ""), "quantity", low=Decimal(0), high=limit * 1000)
        if unit != schema.unit:
            quantity = (quantity * unit_factor(unit, schema.unit)).quantize(Decimal("0.0001"))
        if quantity > limit:
            raise RowProblem("quantity", "too_large", row.get("quantity", ""), max=str(limit))
        return self._tuple(rownum, external_id, revision, account, schema.behaviour, start, end,
                           quantity=quantity, unit=schema.unit)  # fmt: skip

    def _row_transit_trip(self, row: dict, rownum: int) -> tuple:
        external_id, revision = self._common(row)
        card = _account(Binding.Kind.TRANSIT_CARD, row.get("card", ""), "card")
        mode = (row.get("mode") or "").strip().lower()
        if mode not in _MODES:
            raise RowProblem("mode", "bad_mode", row.get("mode", ""))
        boarded = _datetime(row.get("boarded_at", ""), "boarded_at", self.tz, self.now)
        distance = None
        if (row.get("distance_km") or "").strip():
            distance = _decimal(
                row["distance_km"], "distance_km", low=Decimal(0), high=Decimal(200), positive=True
            )
        day = boarded.astimezone(self.tz).date()
        trip_key = f"{mode}|{card}|{int(boarded.timestamp()) // 60}"  # boarding minute (UTC epoch)
        return self._tuple(
            rownum, external_id, revision, card, mode, day, day, occurred=boarded, quantity=_ONE,
            unit="trip", distance=distance, mode=mode, origin=_text(row.get("origin"), "origin", 64),
            destination=_text(row.get("destination"), "destination", 64), trip_key=trip_key,
        )  # fmt: skip

    def _row_bike_trip(self, row: dict, rownum: int) -> tuple:
        external_id, revision = self._common(row)
        account = _account(Binding.Kind.BIKE_SHARE, row.get("account", ""), "account")
        started = _datetime(row.get("started_at", ""), "started_at", self.tz, self.now)
        ended = _datetime(row.get("ended_at", ""), "ended_at", self.tz, self.now)
        seconds = (ended - started).total_seconds()
        if seconds <= 0 or seconds > 86400:
            raise RowProblem("ended_at", "bad_ride_times", row.get("ended_at", ""))
        distance = _decimal(
            row.get("distance_km", ""), "distance_km", low=Decimal(0),
            high=Decimal(str(self.limits.bike_max_distance_km)), positive=True,
        )  # fmt: skip
        speed = float(distance) / (seconds / 3600)
        if speed > self.limits.bike_max_speed_kmh:
            raise RowProblem(
                "distance_km",
                "implausible_speed",
                row.get("distance_km", ""),
                speed=speed,
                limit=self.limits.bike_max_speed_kmh,
            )
        day = started.astimezone(self.tz).date()
        return self._tuple(rownum, external_id, revision, account, Behaviour.CYCLING, day, day,
                           occurred=started, quantity=distance, unit="km", distance=distance)  # fmt: skip

    def _row_walking_steps(self, row: dict, rownum: int) -> tuple:
        external_id, revision = self._common(row)
        account = _account(Binding.Kind.BIKE_SHARE, row.get("account", ""), "account")
        day = _date(row.get("date", ""), "date", self.today)
        raw = (row.get("steps") or "").strip()
        if not raw.isdigit():
            raise RowProblem("steps", "bad_steps", raw)
        steps = int(raw)
        if steps > self.limits.walking_max_steps:
            raise RowProblem("steps", "too_many_steps", raw)
        return self._tuple(rownum, external_id, revision, account, Behaviour.WALKING, day, day,
                           quantity=Decimal(steps), unit="step")  # fmt: skip

    def _row_forest_plot(self, row: dict, rownum: int) -> tuple:
        external_id, revision = self._common(row)
        if len(external_id) > 40:
            raise RowProblem("record_id", "too_long", external_id, n=40)
        area = _decimal(
            row.get("area_ha", ""), "area_ha", low=Decimal(0), high=Decimal(10_000), positive=True
        )
        lat = _decimal(row.get("latitude", ""), "latitude", low=Decimal(-90), high=Decimal(90))
        lon = _decimal(row.get("longitude", ""), "longitude", low=Decimal(-180), high=Decimal(180))
        phone = (row.get("owner_phone") or "").strip()
        if phone and not re.fullmatch(r"1[3-9][0-9]{9}", phone):
            raise RowProblem("owner_phone", "bad_phone", phone)
        attrs = json.dumps(
            {
                "owner": _text(row.get("owner"), "owner", 100, required=True),
                "owner_phone": phone,
                "latitude": str(lat),
                "longitude": str(lon),
            },
            ensure_ascii=False,
        )
        forest_type = _text(row.get("forest_type"), "forest_type", 40, required=True)
        return self._tuple(rownum, external_id, revision, external_id, "", self.today, self.today,
                           quantity=area, unit="ha", mode=forest_type, attrs=attrs)  # fmt: skip

    def _row_forest_survey(self, row: dict, rownum: int) -> tuple:
        external_id, revision = self._common(row)
        plot = _text(row.get("plot_id"), "plot_id", 40, required=True)
        activity = (row.get("activity") or "").strip()
        if activity not in (Behaviour.AFFORESTATION, Behaviour.FOREST_MANAGEMENT):
            raise RowProblem("activity", "bad_activity", activity)
        start, end = self._period(row)
        area = _decimal(
            row.get("area_ha", ""), "area_ha", low=Decimal(0), high=Decimal(10_000), positive=True
        )
        years = Decimal((end - start).days + 1) / Decimal(365)
        return self._tuple(rownum, external_id, revision, plot, activity, start, end,
                           quantity=(area * years).quantize(Decimal("0.0001")), unit="ha_year",
                           attrs=json.dumps({"area_ha": str(area)}))  # fmt: skip


def bounded_lines(text: io.TextIOBase, oversized: set[int]) -> Iterator[str]:
    """Physical lines, never holding more than MAX_LINE_CHARS of one in memory.

    An oversized line is consumed in chunks and replaced by an empty line; its number goes into
    ``oversized`` so the caller reports it as a row error.
    """
    number = 0
    while True:
        line = text.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            while True:
                rest = text.readline(MAX_LINE_CHARS)
                if not rest or rest.endswith("\n"):
                    break
            oversized.add(number)
            yield "\n"
            continue
        yield line


def _check_text(values) -> str | None:
    """The row-error code of text that is not clean UTF-8, or None."""
    joined = "".join(values)
    if "\x00" in joined:
        return "contains_nul"
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return "not_utf8"
    return None


@dataclass
class ParsedRow:
    """One judged row: its staged ``values``, or the row-error ``code`` (``row_errors``) and ``params``."""

    row_number: int
    values: tuple | None
    field: str = ""
    code: str = ""
    raw: str = ""
    params: dict = dataclass_field(default_factory=dict)


def _open_text(binary) -> io.TextIOWrapper:
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _printable(raw: str) -> str:
    return raw.encode("utf-8", "replace").decode("utf-8")[:200]


def _read_header(reader, oversized: set[int], converter: RowConverter) -> list[str]:
    """The header's column names (lower-cased), or ``FileRejected`` with the reason."""
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected(_("The file is empty.")) from None
    except csv.Error as exc:
        raise FileRejected(_("The header cannot be read: %(error)s") % {"error": exc}) from None
    if oversized:
        raise FileRejected(_("The header line is too long."))
    if _check_text(header):
        raise FileRejected(_("The header is not valid UTF-8 text."))
    columns = [h.strip().lower() for h in header]
    if not any(columns):
        raise FileRejected(_("The file is empty."))
    missing = [c for c in converter.schema.required if c not in columns]
    if missing:
        raise FileRejected(
            _("Missing required columns: %(missing)s. Expected: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(converter.schema.columns)}
        )
    return columns


def read_csv_header(binary, converter: RowConverter) -> tuple[list[str], bool]:
    """(columns, single_line): the header as ``parse_csv`` reads it, and whether it is exactly the
    first physical line (a header with a quoted newline is not)."""
    csv.field_size_limit(MAX_LINE_CHARS)
    oversized: set[int] = set()
    reader = csv.reader(bounded_lines(_open_text(binary), oversized))
    columns = _read_header(reader, oversized, converter)
    return columns, reader.line_num == 1


def parse_csv(binary, converter: RowConverter) -> Iterator[ParsedRow]:
    csv.field_size_limit(MAX_LINE_CHARS)
    text = _open_text(binary)
    oversized: set[int] = set()
    reader = csv.reader(bounded_lines(text, oversized))
    columns = _read_header(reader, oversized, converter)
    width = len(columns)
    fast = converter.fast_converter(columns) if len(set(columns)) == width else None
    last_line = reader.line_num
    row_number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_number += 1
            last_line = reader.line_num
            yield ParsedRow(row_number, None, "", "unreadable_row", params={"error": str(exc)})
            continue
        row_number += 1
        line_now = reader.line_num
        if oversized and any(last_line < n <= line_now for n in oversized):
            last_line = line_now
            yield too_long(row_number)
            continue
        last_line = line_now
        if not row:
            row_number -= 1  # blank lines are not rows
            continue
        if len(row) != width:
            yield ParsedRow(
                row_number, None, "", "field_count", _printable(",".join(row)),
                params={"want": width, "got": len(row)},
            )  # fmt: skip
            continue
        yield convert_fields(converter, columns, row, row_number, fast=fast)


def too_long(row_number: int) -> ParsedRow:
    return ParsedRow(row_number, None, "", "line_too_long", params={"n": MAX_LINE_CHARS})


def convert_fields(
    converter: RowConverter, columns: list[str], row: list[str], row_number: int, *, fast=None
) -> ParsedRow:
    """One row split into fields (by Python's csv or PostgreSQL's COPY) with the file's column
    count, judged: not text, then ``fast`` (if given) or the full converter."""
    problem = _check_text(row)
    if problem:
        return ParsedRow(row_number, None, "", problem, _printable(",".join(row)))
    if fast is not None:
        values = fast(row, row_number)
        if values is not None:
            return ParsedRow(row_number, values)
    try:
        return ParsedRow(row_number, converter.convert(dict(zip(columns, row, strict=True)), row_number))
    except RowProblem as exc:
        return ParsedRow(row_number, None, exc.field, exc.code, exc.raw, exc.params)


def parse_jsonl(binary, converter: RowConverter) -> Iterator[ParsedRow]:
    text = _open_text(binary)
    oversized: set[int] = set()
    convert = converter.convert
    seen_any = False
    for number, line in enumerate(bounded_lines(text, oversized), start=1):
        if number in oversized:
            yield too_long(number)
            continue
        stripped = line.strip()
        if not stripped:
            continue
        seen_any = True
        problem = _check_text([stripped])
        if problem:
            yield ParsedRow(number, None, "", problem, _printable(stripped))
            continue
        try:
            obj = json.loads(stripped, parse_constant=lambda c: c)  # NaN/Infinity stay text, then fail
        except ValueError:
            yield ParsedRow(number, None, "", "not_json", _printable(stripped))
            continue
        if not isinstance(obj, dict):
            yield ParsedRow(number, None, "", "not_json_object", _printable(stripped))
            continue
        row = {}
        for key, value in obj.items():
            if isinstance(value, float) and not math.isfinite(value):
                value = "NaN"
            row[str(key).strip().lower()] = "" if value is None else str(value)
        missing = [c for c in converter.schema.required if c not in row]
        if missing:
            yield ParsedRow(number, None, missing[0], "required", "")
            continue
        try:
            yield ParsedRow(number, convert(row, number))
        except RowProblem as exc:
            yield ParsedRow(number, None, exc.field, exc.code, exc.raw, exc.params)
    if not seen_any:
        raise FileRejected(_("The file is empty."))


def sniff_empty(path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(64)
    return not head.lstrip(codecs.BOM_UTF8).strip()
