"""The report as XLSX (laid out like the GPC reporting template: reference number, sector, scopes 1–3,
notation keys, BASIC and BASIC+) and as PDF — the same figures the page shows (``selectors.report``)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tanpuhui.inventories import catalogue as cat


def _num(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def summary_lines(data: dict[str, Any]) -> list[tuple[str, Any]]:
    inventory, result = data["inventory"], data["result"]
    return [
        ("镇街 Town", f"{inventory.town.name_zh} {inventory.town.name_en}".strip()),
        ("年份 Year", inventory.year),
        ("版本 Revision", inventory.revision),
        ("因子集 Factor set", str(inventory.factor_set)),
        ("GWP", inventory.gwp_set.code),
        ("BASIC (t CO2e)", _num(result.get("basic"))),
        ("BASIC+ (t CO2e)", _num(result.get("basic_plus"))),
        ("CO2 (t)", _num(result.get("by_gas", {}).get("co2"))),
        ("CH4 (t)", _num(result.get("by_gas", {}).get("ch4"))),
        ("N2O (t)", _num(result.get("by_gas", {}).get("n2o"))),
        ("人均 Per capita (t CO2e)", _num(result.get("per_capita"))),
        ("万元GDP Per 10^4 yuan GDP (t CO2e)", _num(result.get("per_gdp"))),
        ("不确定性 Uncertainty (± %)", _num(result.get("uncertainty_pct"))),
        ("SHA-256", inventory.calculation.sha256 if inventory.calculation else ""),
    ]


def report_xlsx(data: dict[str, Any]) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    for label, value in summary_lines(data):
        summary.append([label, value])
    gpc = book.create_sheet("GPC")
    gpc.append(
        [
            "GPC ref No.",
            "Sector",
            "Scope 1 (t CO2e)",
            "Scope 2",
            "Scope 3",
            "Total",
            "Notation key",
            "Explanation",
        ]
    )
    for cell in gpc[1]:
        cell.font = Font(bold=True)
    for row in data["gpc_rows"]:
        gpc.append(
            [
                row["code"],
                ("  " * row["depth"]) + row["name"],
                _num(row["scope1"]),
                _num(row["scope2"]),
                _num(row["scope3"]),
                _num(row["value"]),
                row["key"],
                row["why"],
            ]
        )
    gpc.append([])
    gpc.append(["BASIC", "", "", "", "", _num(data["result"].get("basic"))])
    gpc.append(["BASIC+", "", "", "", "", _num(data["result"].get("basic_plus"))])
    provincial = book.create_sheet("Provincial")
    provincial.append(["编号 Code", "部门 Sector", "t CO2e", "Notation key"])
    for row in data["provincial_rows"]:
        provincial.append([row["code"], ("  " * row["depth"]) + row["name"], _num(row["value"]), row["key"]])
    lines = book.create_sheet("Activity")
    lines.append(
        [
            "Category",
            "Fuel or type",
            "CO2 (t)",
            "CH4 (t)",
            "N2O (t)",
            "t CO2e",
            "± %",
            "Provincial",
            "GPC",
            "Scope",
        ]
    )
    for row in data["result"].get("rows", []):
        gases = row["gases"]
        lines.append(
            [
                cat.CATEGORY[row["category"]].name_zh,
                row["subject"],
                _num(gases.get("co2")),
                _num(gases.get("ch4")),
                _num(gases.get("n2o")),
                _num(row["co2e"]),
                _num(row["uncertainty_pct"]),
                row["provincial"],
                row["gpc"],
                row["scope"],
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_pdf(data: dict[str, Any], url: str) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    # Uncompressed and invariant: the same report gives the same bytes, and its figures can be read back.
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=0)
    width, height = A4
    inventory = data["inventory"]
    pdf.setTitle(f"GHG inventory {inventory.town.code} {inventory.year}")
    pdf.setFont("STSong-Light", 18)
    pdf.drawCentredString(width / 2, height - 60, f"{inventory.town.name_zh}{inventory.year}年温室气体清单")
    pdf.setFont("STSong-Light", 11)
    pdf.drawCentredString(
        width / 2, height - 78, "Town greenhouse-gas inventory (GPC and provincial guideline)"
    )
    y = height - 110
    for label, value in summary_lines(data):
        pdf.setFont("STSong-Light", 11)
        pdf.drawString(50, y, label)
        pdf.setFont("Helvetica", 10 if label == "SHA-256" else 11)
        pdf.drawString(260 if label == "SHA-256" else 300, y, "" if value is None else str(value))
        y -= 16
    y -= 8
    pdf.setFont("Helvetica-Bold", 9)
    pdf.drawString(50, y, "GPC")
    for x, head in zip((290, 360, 430, 500), ("Scope 1", "Scope 2", "Scope 3", "t CO2e"), strict=True):
        pdf.drawRightString(x + 55, y, head)
    y -= 14
    for row in data["gpc_rows"]:
        if y < 60:
            pdf.showPage()
            pdf.setFont("STSong-Light", 10)
            y = height - 50
        pdf.setFont("STSong-Light", 9)
        pdf.drawString(50 + 8 * row["depth"], y, f"{row['code']} {row['name'][:22]}")
        pdf.setFont("Helvetica", 9)
        for x, value in zip((290, 360, 430, 500), ("scope1", "scope2", "scope3", "value"), strict=True):
            pdf.drawRightString(x + 55, y, row[value] or "-")
        pdf.drawString(560, y, row["key"])
        y -= 13
    pdf.setFont("Helvetica", 8)
    pdf.drawString(50, 30, url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
