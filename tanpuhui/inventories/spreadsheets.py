"""Activity data from spreadsheets (CSV, XLSX) and their templates: every cell checked, every error
reported as (sheet, row, column, reason), nothing stored unless the whole file is clean."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from tanpuhui.accounts.models import User
from tanpuhui.common.errors import ValidationFailed
from tanpuhui.inventories import catalogue as cat
from tanpuhui.inventories import services, units
from tanpuhui.inventories.models import Inventory
from tanpuhui.inventories.services import RowInput, row_check

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
HEADER = (
    "category",
    "fuel_or_type",
    "quantity",
    "unit",
    "source",
    "quality_note",
    "uncertainty_pct",
    "own_ncv",
    "own_ef_co2",
    "own_source",
)
FIELD_OF = {
    "category": "category",
    "fuel_or_type": "subject",
    "quantity": "quantity",
    "unit": "unit",
    "source": "source",
    "quality_note": "quality_note",
    "uncertainty_pct": "uncertainty_pct",
    "own_ncv": "own_ncv",
    "own_ef_co2": "own_ef_co2",
    "own_source": "own_source",
}
COLUMN_OF = {field: HEADER[i] for i, field in enumerate(FIELD_OF.values())}
TOWN_HEADER = ("item", "value", "unit", "source")
# A sheet is found by its code or either of its names.
SHEET_OF = {name.lower(): code for code, names in cat.SHEET_NAMES.items() for name in (code, *names)}
# Category names people type, in either language, → the code.
CATEGORY_OF = {key.lower(): c.code for c in cat.CATEGORIES for key in (c.code, c.name_zh, c.name_en)}
EXAMPLES = {
    "energy": [
        ("manufacturing", "diesel", "1200", "t", "Town statistics bureau energy balance", "", "5"),
        ("residential", "natural_gas", "350", "e4Nm3", "Gas company sales", "", "3"),
        ("electricity_residential", "grid", "86000", "MWh", "Power supply bureau", "", "2"),
    ],
    "transport": [("road", "gasoline", "9000", "t", "Filling-station sales", "estimated from sales", "10")],
    "waste": [("landfill", "msw", "42000", "t", "Sanitation department weighbridge", "", "10")],
    "ippu": [("clinker", "clinker", "0", "t", "Enterprise reports", "no cement plant", "5")],
    "afolu": [
        ("enteric", "swine", "12000", "head", "Agriculture office", "year-end stock", "10"),
        ("fertiliser", "n", "300", "t", "Agriculture office", "N content", "20"),
        ("forest", "stock", "8000", "m**3", "Forestry station survey", "", "20"),
    ],
}


@dataclass
class CellError:
    sheet: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class Parsed:
    rows: list[dict[str, Any]]
    town: dict[str, Any]
    errors: list[CellError]


def template_xlsx() -> bytes:
    book = Workbook()
    book.remove(book.active)
    for code in cat.SHEETS:
        sheet = book.create_sheet(cat.SHEET_NAMES[code][0])
        if code == "town":
            sheet.append(TOWN_HEADER)
            sheet.append(("population", 150000, "person", "Statistical yearbook"))
            sheet.append(("gdp", 2500000, "e4yuan", "Statistical yearbook"))
            continue
        sheet.append(HEADER)
        for example in EXAMPLES.get(code, []):
            sheet.append(example)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv(sheet: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if sheet == "town":
        writer.writerow(TOWN_HEADER)
        writer.writerow(("population", "150000", "person", "Statistical yearbook"))
        writer.writerow(("gdp", "2500000", "e4yuan", "Statistical yearbook"))
    else:
        writer.writerow(HEADER)
        writer.writerows(EXAMPLES.get(sheet, []))
    return out.getvalue()


def parse(*, name: str, content: bytes) -> Parsed:
    errors: list[CellError] = []
    if len(content) > MAX_BYTES:
        return Parsed([], {}, [CellError("", 0, "", _("The file is larger than 5 MB."))])
    sheets: list[tuple[str, str, list[list[Any]], set[tuple[int, int]]]] = []  # (title, code, rows, bad)
    if name.lower().endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(content), data_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
            return Parsed([], {}, [CellError("", 0, "", _("Not a readable XLSX file."))])
        for ws in book.worksheets:
            code = SHEET_OF.get(ws.title.strip().lower())
            if code is None:
                errors.append(CellError(ws.title, 1, "", _("Unknown sheet: use the template's sheet names.")))
                continue
            bad: set[tuple[int, int]] = set()
            for merged in ws.merged_cells.ranges:
                errors.append(
                    CellError(
                        ws.title,
                        merged.min_row,
                        get_column_letter(merged.min_col),
                        _("Merged cells (%(cells)s): one value per cell.") % {"cells": merged.coord},
                    )
                )
                bad.update(
                    (r, c)
                    for r in range(merged.min_row, merged.max_row + 1)
                    for c in range(merged.min_col, merged.max_col + 1)
                )
            rows: list[list[Any]] = []
            for r, line in enumerate(ws.iter_rows(), start=1):
                values = []
                for c, cell in enumerate(line, start=1):
                    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")):
                        errors.append(
                            CellError(
                                ws.title, r, get_column_letter(c), _("A formula: type the value itself.")
                            )
                        )
                        bad.add((r, c))
                    values.append(cell.value)
                rows.append(values)
            sheets.append((ws.title, code, rows, bad))
    elif name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Parsed([], {}, [CellError("", 0, "", _("A CSV file must be UTF-8."))])
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
        code = "town" if rows and tuple(h.strip() for h in rows[0]) == TOWN_HEADER else "csv"
        sheets.append(("CSV", code, rows, set()))
    else:
        return Parsed([], {}, [CellError("", 0, "", _("Send a .csv or .xlsx file."))])

    out_rows: list[dict[str, Any]] = []
    town: dict[str, Any] = {}
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    total = 0
    for title, code, rows, bad in sheets:
        while rows and all(v in (None, "") for v in rows[-1]):
            rows.pop()
        if not rows:
            continue
        header = [("" if v is None else str(v).strip()) for v in rows[0]]
        while header and header[-1] == "":
            header.pop()
        expected = TOWN_HEADER if code == "town" else HEADER
        if tuple(header) != expected:
            for c, want in enumerate(expected, start=1):
                got = header[c - 1] if c - 1 < len(header) else ""
                if got != want:
                    errors.append(
                        CellError(
                            title,
                            1,
                            get_column_letter(c),
                            _("Expected the column “%(want)s”, found “%(got)s”.")
                            % {"want": want, "got": got},
                        )
                    )
            continue
        for r, values in enumerate(rows[1:], start=2):
            if all(v in (None, "") for v in values):
                continue
            total += 1
            if total > MAX_ROWS:
                errors.append(CellError(title, r, "", _("More than %(n)s rows.") % {"n": MAX_ROWS}))
                break
            if any((r, c) in bad for c in range(1, len(expected) + 1)):
                continue
            cells = {expected[i]: (values[i] if i < len(values) else None) for i in range(len(expected))}
            if code == "town":
                _town_row(title, r, cells, town, errors)
                continue
            raw_category = "" if cells["category"] is None else str(cells["category"]).strip()
            category = CATEGORY_OF.get(raw_category.lower(), raw_category)
            if code != "csv" and category in cat.CATEGORY and cat.CATEGORY[category].sheet != code:
                errors.append(
                    CellError(
                        title,
                        r,
                        "A",
                        _("This category belongs on the sheet “%(sheet)s”.")
                        % {"sheet": cat.SHEET_NAMES[cat.CATEGORY[category].sheet][0]},
                    )
                )
                continue
            values_, field_errors = row_check(
                RowInput(
                    category=category,
                    subject="" if cells["fuel_or_type"] is None else str(cells["fuel_or_type"]),
                    quantity=cells["quantity"],
                    unit="" if cells["unit"] is None else str(cells["unit"]),
                    source="" if cells["source"] is None else str(cells["source"]),
                    quality_note="" if cells["quality_note"] is None else str(cells["quality_note"]),
                    uncertainty_pct=cells["uncertainty_pct"],
                    own_ncv=cells["own_ncv"],
                    own_ef_co2=cells["own_ef_co2"],
                    own_source="" if cells["own_source"] is None else str(cells["own_source"]),
                )
            )
            for field, reason in field_errors.items():
                column = COLUMN_OF[field]
                errors.append(
                    CellError(title, r, f"{get_column_letter(HEADER.index(column) + 1)} ({column})", reason)
                )
            if field_errors:
                continue
            key = (values_["category"], values_["subject"])
            if key in seen:
                where = seen[key]
                errors.append(
                    CellError(
                        title,
                        r,
                        "A (category)",
                        _("The same line is already on %(sheet)s row %(row)s.")
                        % {"sheet": where[0], "row": where[1]},
                    )
                )
                continue
            seen[key] = (title, r)
            out_rows.append(values_)
    return Parsed(out_rows, town, errors)


def _town_row(
    title: str, r: int, cells: dict[str, Any], town: dict[str, Any], errors: list[CellError]
) -> None:
    item = "" if cells["item"] is None else str(cells["item"]).strip().lower()
    if item not in cat.TOWN_FIELDS:
        errors.append(CellError(title, r, "A (item)", _("Either “population” or “gdp”.")))
        return
    try:
        value = Decimal(str(cells["value"]).strip().replace(",", ""))
    except ArithmeticError:
        errors.append(CellError(title, r, "B (value)", _("Not a number.")))
        return
    if not value.is_finite() or value <= 0:
        errors.append(CellError(title, r, "B (value)", _("Must be more than zero.")))
        return
    unit = str(cells["unit"] or cat.TOWN_FIELDS[item])
    target = "person" if item == "population" else "e4yuan"
    try:
        converted = units.convert(value, unit, target)
    except units.UnitMismatch:
        errors.append(CellError(title, r, "C (unit)", _("Does not convert to %(unit)s.") % {"unit": target}))
        return
    if item == "population":
        if converted != converted.to_integral_value() or converted > 10_000_000:
            errors.append(
                CellError(title, r, "B (value)", _("A whole number of people, at most 10 million."))
            )
            return
        town["population"] = int(converted)
    else:
        town["gdp_e4yuan"] = converted.quantize(Decimal("0.01"))


class ImportRejected(ValidationFailed):
    """The file's errors, cell by cell; nothing of it was stored."""

    default_code = "import_rejected"

    def __init__(self, errors: list[CellError]):
        self.cells = errors
        super().__init__(
            f"{len(errors)} problem(s) in the file; nothing was imported.",
            code="import_rejected",
            fields={"file": [_cell_text(e) for e in errors[:200]]},
        )


def _cell_text(error: CellError) -> str:
    where = ", ".join(
        part
        for part in (
            f"sheet {error.sheet}" if error.sheet else "",
            f"row {error.row}" if error.row else "",
            f"column {error.column}" if error.column else "",
        )
        if part
    )
    return f"{where}: {error.reason}" if where else error.reason


def import_file(*, inventory: Inventory, actor: User, name: str, content: bytes) -> int:
    """Check the whole file, then store all of it (a second import of the same file replaces the
    same lines: nothing is counted twice)."""
    services.draft_check(inventory, actor)
    parsed = parse(name=name, content=content)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    if not parsed.rows and not parsed.town:
        raise ImportRejected([CellError("", 0, "", _("The file holds no data rows."))])
    return services.rows_replace(
        inventory=inventory, actor=actor, rows=parsed.rows, town=parsed.town, import_ref=name[:200]
    )
