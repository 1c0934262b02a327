"""Registry pages: the public registry (overview, serial search, a project, CSV export, retirement
certificates) and the staff console's registry page."""

from __future__ import annotations

import csv
from io import BytesIO

import segno
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.common import files
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.registry import selectors, services
from tanpuhui.registry.models import CreditBlock, MonitoringReport, Retirement, Sale


@page_for(PUBLIC)
def overview(request):
    figures = selectors.annual_statistics()
    return render(
        request,
        "registry/overview.html",
        {
            "totals": selectors.totals(),
            "projects": selectors.projects(),
            "issuances": selectors.issuances()[:20],
            "retirements": selectors.retirements()[:20],
            "holdings": selectors.holdings_by_kind(),
            "figures": figures,
            "chart": mark_safe(
                selectors.chart_svg(figures, issued_label=_("Issued"), retired_label=_("Retired"))
            ),
        },
    )


@page_for(PUBLIC)
def serial_search(request):
    serial = (request.GET.get("serial") or "").strip()[:80]
    context: dict = {"serial": serial}
    if serial:
        try:
            block = services.block_holding(serial)
        except ServiceError as error:
            context["error"] = error.message
        else:
            context.update(
                holding=block,
                lineage=selectors.lineage(block),
                retirement=Retirement.objects.filter(block=block).first(),
            )
    return render(request, "registry/serial_search.html", context)


@page_for(PUBLIC)
def project_page(request, pk):
    project = get_object_or_404(selectors.projects(), pk=pk)
    reports = selectors.reports().filter(project=project).order_by("-period_end")
    return render(request, "registry/project.html", {"project": project, "reports": reports})


@page_for(PUBLIC)
def export_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="phcer-registry.csv"'
    response.write("\ufeff")  # so spreadsheet software reads the Chinese names as UTF-8
    writer = csv.writer(response)
    writer.writerow(["serial", "project", "vintage", "quantity", "status", "account_kind"])
    blocks = CreditBlock.objects.exclude(status=CreditBlock.Status.SUPERSEDED).select_related(
        "project", "account"
    )
    for b in blocks.order_by("prefix", "serial_start").iterator(chunk_size=2000):
        writer.writerow([b.serial, b.project.title, b.vintage, b.quantity, b.status, b.account.kind])
    return response


def _retirement(code: str) -> Retirement:
    retirement = (
        Retirement.objects.select_related("block", "block__project", "account")
        .filter(certificate_code=code)
        .first()
    )
    if retirement is None:
        raise Http404
    return retirement


@page_for(PUBLIC)
def certificate_page(request, code):
    return render(request, "registry/certificate.html", {"r": _retirement(code)})


@page_for(PUBLIC)
def certificate_pdf(request, code):
    retirement = _retirement(code)
    url = request.build_absolute_uri(f"/registry/certificates/{retirement.certificate_code}/")
    # A retirement is final: its certificate is rendered once and served from the reports storage.
    name = files.report(
        f"registry/certificates/{retirement.certificate_code}.pdf",
        lambda: render_certificate_pdf(retirement, url),
    )
    return files.report_response(
        name, filename=f"{retirement.certificate_code}.pdf", content_type="application/pdf"
    )


def render_certificate_pdf(retirement: Retirement, verify_url: str) -> bytes:
    """A one-page A4 retirement certificate with a QR code that opens the public verification page."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pdf.setTitle("PHCER retirement certificate")
    pdf.setFont("STSong-Light", 22)
    pdf.drawCentredString(width / 2, height - 110, "广东省碳普惠核证减排量注销证明")
    pdf.setFont("STSong-Light", 12)
    pdf.drawCentredString(width / 2, height - 132, "Certificate of retirement of PHCER credits")
    block = retirement.block
    lines = [
        f"序列号 Serials: {block.serial}",
        f"数量 Quantity: {retirement.quantity} t CO2e",
        f"项目 Project: {block.project.number:04d} {block.project.title}",
        f"年份 Vintage: {block.vintage}",
        f"受益方 Beneficiary: {retirement.beneficiary}",
        f"用途 Purpose: {retirement.get_purpose_display()}"
        + (f" ({retirement.compliance_year})" if retirement.compliance_year else ""),
        f"活动 Event: {retirement.event or '-'}",
        f"注销账户 Retired by: {retirement.account.name}",
        f"日期 Date: {retirement.created_at:%Y-%m-%d}",
        f"验证码 Verification code: {retirement.certificate_code}",
        f"验证 Verify at: {verify_url}",
    ]
    y = height - 190
    for line in lines:
        pdf.drawString(60, y, line)
        y -= 24
    qr = BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.drawImage(ImageReader(qr), width - 60 - 40 * mm, 80, 40 * mm, 40 * mm)
    pdf.setFont("STSong-Light", 9)
    pdf.drawString(60, 90, "注销为最终操作：上述序列号不可再转让或注销。Retirement is final.")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@page_for(STAFF, hide=True)
def staff_registry(request):
    reports = STAFF.scope(selectors.reports(), request.user, "project__centre").order_by("-created_at")
    projects = STAFF.scope(selectors.projects(), request.user)
    waiting = reports.exclude(state__in=[MonitoringReport.State.ISSUED, MonitoringReport.State.REJECTED])
    return render(
        request,
        "registry/staff.html",
        {
            "projects": projects,
            "reports": reports[:50],
            "waiting": waiting.count(),
            "sales": STAFF.scope(
                Sale.objects.select_related("buyer", "booked_pool"), request.user, "seller__centre"
            )[:50],
        },
    )
