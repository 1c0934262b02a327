"""Enterprise portal, staff review queue, certificates and the thank-you list (pages)."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.enterprises import selectors, services
from tanpuhui.enterprises.audiences import ENTERPRISE, ENTERPRISE_APPLICANT, PROJECT_VIEWER
from tanpuhui.enterprises.models import Carrier


@page_for(ENTERPRISE_APPLICANT)
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


@page_for(PROJECT_VIEWER)
def project_page(request, pk):
    """The project as its enterprise or its centre's staff see it, with why the figure is what it is."""
    project = PROJECT_VIEWER.scope(selectors.project_list(), request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    quant = project.quantification or {}
    reported = quant.get("reported_kg_co2e")
    carriers = dict(Carrier.choices)
    years = [
        {**y, "carriers": {str(carriers.get(name, name)): c for name, c in y.get("carriers", {}).items()}}
        for y in quant.get("years", [])
    ]
    is_member = project.enterprise.members.filter(user=request.user).exists()
    return render(
        request,
        "enterprises/project.html",
        {
            "project": project,
            "years": years,
            "is_member": is_member,
            "can_review": request.user.is_centre_staff and project.status in ("submitted", "under_review"),
            "key": uuid.uuid4(),
            "reported_t": (float(reported) / 1000) if reported else None,
            "our_t": float(project.kg_co2e) / 1000,
            "history": project.review_events.order_by("at", "id"),
            "documents": project.documents.all(),
            "approved_years": project.years.all(),
        },
    )


@page_for(STAFF, hide=True)
@require_POST
def project_review(request, pk):
    """A reviewer's step from the project page (the service checks role and centre)."""
    step = request.POST.get("action", "")
    try:
        services.project_transition(
            project_id=pk,
            actor=request.user,
            step=step,
            comment=request.POST.get("comment", ""),
            request=request,
        )
        messages.success(request, _("Saved."))
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    return redirect("web:enterprise-project", pk=pk)


@page_for(ENTERPRISE, hide=True)
@require_POST
def project_donate(request, pk):
    project = ENTERPRISE.scope(selectors.project_list(), request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    try:
        kg = Decimal(request.POST.get("tonnes", "")) * 1000
    except InvalidOperation:
        kg = Decimal(-1)
    try:
        donation = services.donation_create(
            enterprise=project.enterprise,
            actor=request.user,
            reduction_year_id=int(request.POST.get("year", "0") or 0),
            kg_co2e=kg,
            idempotency_key=f"web:{request.user.pk}:{request.POST.get('key', '')[:60]}",
            public_thanks=request.POST.get("public_thanks") == "on",
            request=request,
        )
        return redirect("web:certificate", code=donation.verification_code)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("web:enterprise-project", pk=pk)


@page_for(STAFF, hide=True)
def review_queue(request):
    projects = STAFF.scope(selectors.review_queue(), request.user)
    return render(request, "enterprises/review_queue.html", {"projects": projects})


@page_for(PUBLIC)
def certificate_page(request, code):
    donation = selectors.certificate(code)
    if donation is None:
        raise Http404
    return render(request, "enterprises/certificate.html", {"d": donation})


@page_for(PUBLIC)
def certificate_pdf(request, code):
    donation = selectors.certificate(code)
    if donation is None:
        raise Http404
    return HttpResponse(
        render_certificate_pdf(
            donation, request.build_absolute_uri(f"/certificates/{donation.verification_code}/")
        ),
        content_type="application/pdf",
    )


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


@page_for(PUBLIC)
def thank_you(request):
    return render(
        request,
        "enterprises/thank_you.html",
        {"donations": selectors.thank_you_list()[:200], "title": _("Thank you")},
    )
