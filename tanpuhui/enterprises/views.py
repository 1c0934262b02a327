"""Enterprise portal, staff review queue, certificates and the thank-you list (pages)."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tanpuhui.enterprises import selectors
from tanpuhui.tenancy.selectors import scope_to_user


@login_required
def portal(request):
    return render(
        request,
        "enterprises/portal.html",
        {
            "enterprises": selectors.enterprises_of(request.user),
            "projects": selectors.projects_of(request.user),
            "donations": selectors.donations_of(request.user),
        },
    )


@login_required
def project_page(request, pk):
    """The project as its enterprise or its centre's staff see it, with why the figure is what it is."""
    project = selectors.projects_of(request.user).filter(pk=pk).first()
    if project is None and request.user.is_centre_staff:
        project = scope_to_user(selectors.project_list(), request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    quant = project.quantification or {}
    reported = quant.get("reported_kg_co2e")
    return render(
        request,
        "enterprises/project.html",
        {
            "project": project,
            "years": quant.get("years", []),
            "reported_t": (float(reported) / 1000) if reported else None,
            "our_t": float(project.kg_co2e) / 1000,
            "history": project.review_events.order_by("at", "id"),
            "documents": project.documents.all(),
            "approved_years": project.years.all(),
        },
    )


@login_required
def review_queue(request):
    if not request.user.is_centre_staff:
        raise Http404
    projects = scope_to_user(selectors.review_queue(), request.user)
    return render(request, "enterprises/review_queue.html", {"projects": projects})


def certificate_page(request, code):
    donation = selectors.certificate(code)
    if donation is None:
        raise Http404
    return render(request, "enterprises/certificate.html", {"d": donation})


def certificate_pdf(request, code):
    donation = selectors.certificate(code)
    if donation is None:
        raise Http404
    return HttpResponse(render_certificate_pdf(donation, request.build_absolute_uri(f"/certificates/{donation.verification_code}/")), content_type="application/pdf")


def render_certificate_pdf(donation, verify_url: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    pdf.setTitle("Donation certificate")
    pdf.setFont("STSong-Light", 22)
    pdf.drawCentredString(width / 2, height - 120, "碳普惠减排量捐赠证书")
    pdf.setFont("STSong-Light", 12)
    pdf.drawCentredString(width / 2, height - 142, "Certificate of donated emission reductions")
    lines = [
        f"捐赠企业 Enterprise: {donation.enterprise.name}",
        f"统一社会信用代码 Credit code: {donation.enterprise.credit_code}",
        f"项目 Project: {donation.reduction_year.project.title} ({donation.reduction_year.year})",
        f"捐赠减排量 Reduction donated: {donation.kg_co2e / 1000:.3f} t CO2e",
        f"折合碳币 Carbon coins: {donation.coins}  ({donation.rule})",
        f"受赠 Received by: {donation.centre.name_zh}",
        f"日期 Date: {donation.created_at:%Y-%m-%d}",
        f"验证码 Verification code: {donation.verification_code}",
        f"验证 Verify at: {verify_url}",
    ]
    y = height - 200
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 24
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def thank_you(request):
    return render(request, "enterprises/thank_you.html", {"donations": selectors.thank_you_list()[:200], "title": _("Thank you")})

