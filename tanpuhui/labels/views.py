"""Enterprise pages: the footprint studies of the caller's enterprises and one study's result."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tanpuhui.common.errors import ServiceError, ValidationFailed
from tanpuhui.common.filters import filter_page
from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.enterprises.audiences import ENTERPRISE, ENTERPRISE_APPLICANT
from tanpuhui.labels import filters, labelart, selectors, services
from tanpuhui.labels.audiences import CERTIFICATION_BODY, LABEL_VERIFIER
from tanpuhui.labels.models import Certificate, Finding, Scheme, Stage, Study

BAR_HEIGHT = 28
CHART_WIDTH = 320
LABEL_WIDTH = 110


def stage_chart(result: dict[str, Any]) -> dict[str, Any]:
    """Horizontal bars per life-cycle stage, drawn server-side (kg CO₂e per declared unit)."""
    stages = [(Stage(code).label, kg) for code, kg in result.get("stages", {}).items()]
    top = max((abs(kg) for _, kg in stages), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 70
    bars = [
        {
            "label": label,
            "kg": kg,
            "y": i * BAR_HEIGHT,
            "text_y": i * BAR_HEIGHT + 18,
            "width": max(1, round(span * abs(kg) / top)),
            "value_x": LABEL_WIDTH + max(1, round(span * abs(kg) / top)) + 6,
        }
        for i, (label, kg) in enumerate(stages)
    ]
    return {"bars": bars, "width": CHART_WIDTH, "height": max(1, len(bars)) * BAR_HEIGHT, "x0": LABEL_WIDTH}


@page_for(ENTERPRISE_APPLICANT)
def study_list(request):
    studies = ENTERPRISE_APPLICANT.scope(selectors.study_list(), request.user, "enterprise__members__user")
    return render(request, "labels/study_list.html", {"studies": studies})


@page_for(ENTERPRISE)
def study_detail(request, pk):
    study: Study = get_object_or_404(ENTERPRISE.scope(selectors.study_detail(), request.user), pk=pk)
    return render(
        request,
        "labels/study_detail.html",
        {
            "study": study,
            "result": study.result,
            "chart": stage_chart(study.result) if study.result else None,
        },
    )


# --- certification pages ---------------------------------------------------------------------------


def _error(request, error: ServiceError) -> None:
    details = "; ".join(f"{', '.join(map(str, v))}" for v in (error.fields or {}).values())
    messages.error(request, f"{error}{' ' + details if details else ''}")


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@page_for(ENTERPRISE_APPLICANT)
def application_list(request):
    """The label applications of the caller's enterprises and the form to apply once for several
    labels, with what is missing for each label shown before sending."""
    member = "enterprise__members__user"
    applications = ENTERPRISE_APPLICANT.scope(selectors.application_list(), request.user, member)
    # Studies without an open application (a refused one may apply again).
    computed = (
        selectors.study_list()
        .filter(status=Study.Status.COMPUTED)
        .exclude(applications__status__in=selectors.OPEN_APPLICATION)
    )
    studies = list(ENTERPRISE_APPLICANT.scope(computed, request.user, member))
    schemes = list(Scheme.objects.filter(accepting=True).order_by("pk"))
    readiness = []
    for study in studies:
        gaps = selectors.application_gaps(study=study, schemes=schemes)
        readiness.append({"study": study, "schemes": [{"scheme": s, "gaps": gaps[s.code]} for s in schemes]})
    return render(
        request,
        "labels/application_list.html",
        {"applications": applications, "readiness": readiness},
    )


@page_for(ENTERPRISE, hide=True)
@require_POST
def application_apply(request):
    study = (
        ENTERPRISE.scope(selectors.study_list(), request.user)
        .filter(pk=_uuid(request.POST.get("study")))
        .first()
    )
    if study is None:
        raise Http404
    try:
        application = services.application_create(
            user=request.user,
            enterprise=study.enterprise,
            study=study,
            scheme_codes=request.POST.getlist("schemes"),
        )
    except ServiceError as error:
        _error(request, error)
        return redirect("web:labels-applications")
    messages.success(request, _("Sent. The certification body will assign a verifier."))
    return redirect("web:labels-application", pk=application.ref)


@page_for(ENTERPRISE)
def application_detail(request, pk):
    application = get_object_or_404(ENTERPRISE.scope(selectors.application_detail(), request.user), ref=pk)
    return render(
        request, "labels/application_detail.html", {"application": application, "role": "enterprise"}
    )


@page_for(CERTIFICATION_BODY)
def body_queue(request):
    applications = CERTIFICATION_BODY.scope(selectors.application_list(), request.user)
    certificates = CERTIFICATION_BODY.scope(selectors.certificate_public(), request.user)[:50]
    return render(
        request, "labels/body_queue.html", {"applications": applications, "certificates": certificates}
    )


@page_for(CERTIFICATION_BODY)
def body_detail(request, pk):
    application = get_object_or_404(
        CERTIFICATION_BODY.scope(selectors.application_detail(), request.user), ref=pk
    )
    codes = [s.code for s in application.schemes.all()]
    verifiers = selectors.verifiers_recognised(scheme_codes=codes)
    return render(
        request,
        "labels/application_detail.html",
        {"application": application, "role": "body", "verifiers": verifiers},
    )


@page_for(CERTIFICATION_BODY, hide=True)
@require_POST
def body_assign(request, pk):
    application = get_object_or_404(
        CERTIFICATION_BODY.scope(selectors.application_list(), request.user), ref=pk
    )
    verifier = (
        selectors.verifiers_recognised(scheme_codes=[]).filter(pk=_uuid(request.POST.get("verifier"))).first()
    )
    try:
        if verifier is None:
            raise ValidationFailed(_("Choose a verifier."), fields={"verifier": [_("Choose a verifier.")]})
        services.application_assign(application=application, actor=request.user, verifier=verifier)
    except ServiceError as error:
        _error(request, error)
    else:
        messages.success(request, _("The verifier has been assigned."))
    return redirect("web:labels-body-application", pk=pk)


@page_for(CERTIFICATION_BODY, hide=True)
@require_POST
def body_decide(request, pk):
    application = get_object_or_404(
        CERTIFICATION_BODY.scope(selectors.application_list(), request.user), ref=pk
    )
    try:
        services.application_decide(
            application=application,
            actor=request.user,
            certify=request.POST.get("decision") == "certify",
            note=request.POST.get("note", ""),
        )
    except ServiceError as error:
        _error(request, error)
    else:
        messages.success(request, _("The decision has been recorded."))
    return redirect("web:labels-body-application", pk=pk)


@page_for(LABEL_VERIFIER)
def verifier_queue(request):
    applications = LABEL_VERIFIER.scope(selectors.application_list(), request.user)
    return render(request, "labels/verifier_queue.html", {"applications": applications})


@page_for(LABEL_VERIFIER)
def verifier_detail(request, pk):
    application = get_object_or_404(
        LABEL_VERIFIER.scope(selectors.application_detail(), request.user), ref=pk
    )
    return render(
        request,
        "labels/application_detail.html",
        {"application": application, "role": "verifier", "severities": Finding.Severity.choices},
    )


@page_for(LABEL_VERIFIER, hide=True)
@require_POST
def verifier_verify(request, pk):
    application = get_object_or_404(LABEL_VERIFIER.scope(selectors.application_list(), request.user), ref=pk)
    findings = [
        {"severity": severity, "text": text}
        for severity, text in zip(
            request.POST.getlist("severity"), request.POST.getlist("finding"), strict=False
        )
        if text.strip()
    ]
    try:
        verified_kg = Decimal(request.POST.get("verified_kg", ""))
    except InvalidOperation:
        messages.error(request, _("Enter the verified footprint as a number."))
        return redirect("web:labels-verifier-application", pk=pk)
    try:
        services.application_verify(
            application=application,
            actor=request.user,
            conclusion=request.POST.get("conclusion", ""),
            verified_kg=verified_kg,
            findings=findings,
        )
    except ServiceError as error:
        _error(request, error)
    else:
        messages.success(request, _("Your verification has been recorded."))
    return redirect("web:labels-verifier-application", pk=pk)


# --- public: catalogue, verification page, the label ------------------------------------------------


@page_for(PUBLIC)
def catalogue(request):
    rows, errors = filter_page(filters.CatalogueFilter, request.GET, selectors.catalogue(), request)
    return render(
        request,
        "labels/catalogue.html",
        {
            "certificates": rows[:100],
            "errors": errors,
            "filter": filters.CatalogueFilter(request.GET or None),
            "query": request.GET,
        },
    )


def _certificate(number: str) -> Certificate:
    return get_object_or_404(selectors.certificate_public(), number=number)


def _verify_url(request, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("web:labels-verify", args=[certificate.number]))


@page_for(PUBLIC)
def certificate_verify(request, number):
    """What a scanned label opens. A Hong Kong label's page is in Traditional Chinese unless the
    visitor chose English."""
    certificate = _certificate(number)
    language = translation.get_language() or "zh-hans"
    if certificate.scheme and certificate.scheme.label_language == "zh-hant" and language == "zh-hans":
        language = "zh-hant"
    with translation.override(language):
        response = render(
            request,
            "labels/certificate.html",
            {
                "c": certificate,
                "siblings": certificate.siblings.select_related("scheme"),
                "page_language": language,
            },
        )
    return response


@page_for(PUBLIC)
def certificate_label_svg(request, number):
    certificate = _certificate(number)
    return HttpResponse(
        labelart.label_svg(certificate, _verify_url(request, certificate)), content_type="image/svg+xml"
    )


@page_for(PUBLIC)
def certificate_label_png(request, number):
    certificate = _certificate(number)
    return HttpResponse(
        labelart.label_png(certificate, _verify_url(request, certificate)), content_type="image/png"
    )
