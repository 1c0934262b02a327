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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from tanpuhui.metering.rules import Clock, Limits, RowProblem, StagedRow, evaluation_order
from tanpuhui.metering.schemas import RecordSchema

MAX_LINE_CHARS = 64 * 1024


class FileRejected(Exception):
    """The whole file cannot be read: nothing is kept."""


class RowConverter:
    """The row check of one record type, compiled from its declaration (``schemas``, ``rules``):
    turns a row into a ``StagedRow`` or raises ``RowProblem``. The one check of every path: the
    staged pipeline's, and the one-pass load's for the rows its SQL does not accept."""

    def __init__(
        self, schema: RecordSchema, batch_id, *, limits: Limits | None = None, now: datetime | None = None
    ):
        self.schema = schema
        self.batch_id = str(batch_id)
        self.clock = Clock(
            now=now or datetime.now(UTC), tz=ZoneInfo(settings.TIME_ZONE), limits=limits or Limits()
        )
        self.now, self.today = self.clock.now, self.clock.today
        fields = evaluation_order(schema.fields)
        self._names = [f.name for f in fields]
        self._checks = [f.rule.python(f.name, self.clock, schema) for f in fields]
        self._record_checks = [c.python(self.clock) for c in schema.checks]
        self._build = schema.staging.python(self.clock, self.batch_id, schema.binding_kind)

    def _run(self, texts: list[str], row_number: int) -> StagedRow:
        """``texts``: the fields' texts in ``self._names`` order."""
        values: dict[str, Any] = {}
        for name, check, text in zip(self._names, self._checks, texts, strict=True):
            values[name] = check(text, values)
        for check in self._record_checks:
            problem = check(values)
            if problem is not None:
                name, code, params = problem
                raise RowProblem(name, code, texts[self._names.index(name)], **params)
        return self._build(values, row_number)

    def convert(self, row: dict, row_number: int) -> StagedRow:
        """A row as a mapping of field → text (JSON Lines; absent fields are empty)."""
        return self._run([row.get(name) or "" for name in self._names], row_number)

    def for_columns(self, columns: list[str]) -> Callable[[list[str], int], StagedRow]:
        """The check of rows split into fields in ``columns`` order (CSV, or PostgreSQL's COPY)."""
        index = {name: i for i, name in enumerate(columns)}
        positions = [index.get(name) for name in self._names]
        run = self._run

        def convert(row: list[str], row_number: int) -> StagedRow:
            return run([row[i] if i is not None else "" for i in positions], row_number)

        return convert


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
    values: StagedRow | None
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
    convert = converter.for_columns(columns)
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
        yield convert_fields(convert, row, row_number)


def too_long(row_number: int) -> ParsedRow:
    return ParsedRow(row_number, None, "", "line_too_long", params={"n": MAX_LINE_CHARS})


def convert_fields(
    convert: Callable[[list[str], int], StagedRow], row: list[str], row_number: int
) -> ParsedRow:
    """One row split into fields (by Python's csv or PostgreSQL's COPY) with the file's column
    count, judged: not text, then ``convert`` (``RowConverter.for_columns``)."""
    problem = _check_text(row)
    if problem:
        return ParsedRow(row_number, None, "", problem, _printable(",".join(row)))
    try:
        return ParsedRow(row_number, convert(row, row_number))
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


def sniff_empty(binary) -> bool:
    """Whether the file has nothing but a BOM and white space at its start (reads 64 bytes, rewinds)."""
    head = binary.read(64)
    binary.seek(0)
    return not head.lstrip(codecs.BOM_UTF8).strip()
