"""Settlement statements: CSV and XLSX (openpyxl) of verified vouchers per merchant and funding source."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from tanpuhui.marketplace import selectors

SUMMARY_HEADER = ["merchant", "licence_number", "funding_source", "vouchers", "coins", "yuan_owed"]
DETAIL_HEADER = ["verified_at", "voucher", "merchant", "offer", "outlet", "funding_source", "coins", "yuan"]


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in the centre's local time."""
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _rows(merchants, start: date, end: date):
    lo, hi = period_bounds(start, end)
    lines = selectors.settlement_lines(merchants, start=lo, end=hi)
    summary = [
        [ln.merchant_name, ln.licence_number, ln.funding_source, ln.vouchers, ln.coins, ln.yuan]
        for ln in lines
    ]
    detail = [
        [
            timezone.localtime(v.verified_at).strftime("%Y-%m-%d %H:%M:%S"),
            v.display_code,
            v.merchant.name,
            v.offer.title,
            v.verified_outlet.name if v.verified_outlet else "",
            v.funding_pool.name_zh if v.funding_pool else "merchant",
            v.price_coins,
            v.yuan_value,
        ]
        for v in selectors.settlement_vouchers(merchants, start=lo, end=hi).iterator()
    ]
    return summary, detail


def statement_csv(merchants, start: date, end: date) -> bytes:
    summary, detail = _rows(merchants, start, end)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["period", start.isoformat(), end.isoformat()])
    writer.writerow(SUMMARY_HEADER)
    writer.writerows(summary)
    writer.writerow([])
    writer.writerow(DETAIL_HEADER)
    writer.writerows(detail)
    return ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel opens UTF-8 Chinese correctly


def statement_xlsx(merchants, start: date, end: date) -> bytes:
    from openpyxl import Workbook

    summary, detail = _rows(merchants, start, end)
    book = Workbook()
    sheet = book.active
    sheet.title = "summary"
    sheet.append(["period", start.isoformat(), end.isoformat()])
    sheet.append(SUMMARY_HEADER)
    for row in summary:
        sheet.append([*row[:5], float(row[5])])
    vouchers = book.create_sheet("vouchers")
    vouchers.append(DETAIL_HEADER)
    for row in detail:
        vouchers.append([*row[:7], float(row[7])])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
