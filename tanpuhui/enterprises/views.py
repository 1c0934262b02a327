"""Enterprise portal, staff review queue, certificates and the thank-you list (pages)."""

from __future__ import annotations

import uuid
from io import BytesIO

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.accounts.models import Role
from tanpuhui.common import files
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.enterprises import forms, selectors, services
from tanpuhui.enterprises.audiences import ENTERPRISE, ENTERPRISE_APPLICANT, PROJECT_VIEWER
from tanpuhui.enterprises.models import Carrier, Enterprise, RetrofitProject, ReviewEvent

Status = RetrofitProject.Status


def _own_project(request, pk) -> RetrofitProject:
    """A project of one of the caller's enterprises, or 404."""
    return get_object_or_404(ENTERPRISE.scope(selectors.project_list(), request.user), pk=pk)


def _history_line(event: ReviewEvent) -> str:
    """One review step in words: who (by role), what they did."""
    roles: dict[str, str] = {
        Role.ENTERPRISE_STAFF: _("Enterprise staff"),
        Role.CENTRE_REVIEWER: _("The centre's reviewer"),
        Role.CENTRE_OPERATOR: _("The centre's operator"),
    }
    who = roles.get(event.role, _("A platform administrator"))
    if event.to_status == Status.SUBMITTED:
        did = (
            _("answered the comments and submitted again")
            if event.from_status == Status.RETURNED
            else _("submitted the application")
        )
    else:
        steps: dict[str, str] = {
            Status.UNDER_REVIEW: _("started the review"),
            Status.APPROVED: _("approved the project"),
            Status.RETURNED: _("returned it with comments"),
            Status.REJECTED: _("rejected the project"),
        }
        did = steps.get(event.to_status, _("changed the project"))
    return f"{who} {did}"


@page_for(ENTERPRISE_APPLICANT)
def portal(request):
    return render(
        request,
        "enterprises/portal.html",
        {
            "enterprises": selectors.enterprises_of(request.user),
            "projects": selectors.projects_of(request.user),
            "donations": selectors.donations_of(request.user),
            "member_form": forms.MemberAddForm(),
        },
    )


@page_for(ENTERPRISE_APPLICANT)
def enterprise_register(request):
    form = forms.EnterpriseRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enterprise_register(
                user=request.user,
                name=data["name"],
                credit_code=data["credit_code"],
                sector=data["sector"],
                centre_code=data["centre"],
            )
        except ServiceError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(
                request,
                _("Registered. The operation centre checks the enterprise; then you can add projects."),
            )
            return redirect("web:enterprise-portal")
    return render(request, "enterprises/register.html", {"form": form}, status=400 if form.errors else 200)


@page_for(ENTERPRISE, hide=True)
@require_POST
def member_add(request, pk):
    enterprise = get_object_or_404(
        ENTERPRISE.scope(Enterprise.objects.all(), request.user, "members__user"), pk=pk
    )
    form = forms.MemberAddForm(request.POST)
    if form.is_valid():
        try:
            services.enterprise_member_invite(
                enterprise=enterprise, actor=request.user, phone=form.cleaned_data["phone"]
            )
        except ServiceError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, _("Added. Your colleague now sees the enterprise's projects."))
            return redirect("web:enterprise-portal")
    context = {
        "enterprises": selectors.enterprises_of(request.user),
        "projects": selectors.projects_of(request.user),
        "donations": selectors.donations_of(request.user),
        "member_form": form,
        "member_form_for": enterprise.pk,
    }
    return render(request, "enterprises/portal.html", context, status=400)


@page_for(ENTERPRISE_APPLICANT)
def project_new(request):
    """Any signed-in user may open it; only their own verified enterprises can be chosen."""
    mine = ENTERPRISE_APPLICANT.scope(Enterprise.objects.all(), request.user)
    enterprises = mine.filter(status=Enterprise.Status.VERIFIED)
    form = forms.ProjectForm(request.POST or None, enterprises=enterprises)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                enterprise=form.cleaned_data["enterprise"], actor=request.user, **form.service_kwargs()
            )
        except ServiceError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, _("Saved as a draft. Now add the monthly energy table."))
            return redirect("web:enterprise-project-readings", pk=project.pk)
    return render(
        request,
        "enterprises/project_form.html",
        {
            "form": form,
            "project": None,
            "no_enterprise": not enterprises.exists(),
            "has_enterprise": mine.exists(),
        },
        status=400 if form.errors else 200,
    )


@page_for(ENTERPRISE)
def project_edit(request, pk):
    project = _own_project(request, pk)
    form = forms.ProjectForm(request.POST or None, project=project)
    if request.method == "POST" and project.editable and form.is_valid():
        try:
            services.project_update(project=project, actor=request.user, **form.service_kwargs())
        except ServiceError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:enterprise-project", pk=project.pk)
    status = 400 if form.errors else (409 if request.method == "POST" and not project.editable else 200)
    return render(request, "enterprises/project_form.html", {"form": form, "project": project}, status=status)


def _reading_initial(project: RetrofitProject) -> list[dict]:
    return [
        {"month": r.month, "carrier": r.carrier, "baseline_qty": r.baseline_qty, "project_qty": r.project_qty}
        for r in project.readings.order_by("month", "carrier")
    ]


@page_for(ENTERPRISE)
def project_readings(request, pk):
    """The monthly energy table: before and after, per month and energy, replaced as a whole."""
    project = _own_project(request, pk)
    if request.method == "POST" and project.editable:
        formset = forms.ReadingFormSet(request.POST, prefix="r")
        if formset.is_valid():
            try:
                services.readings_replace(project=project, actor=request.user, readings=formset.rows())
            except ServiceError as error:
                _readings_error(formset, error)
            else:
                messages.success(request, _("Energy table saved. The reduction is recomputed."))
                return redirect("web:enterprise-project", pk=project.pk)
        status = 400
    else:
        formset = forms.ReadingFormSet(initial=_reading_initial(project), prefix="r")
        status = 409 if request.method == "POST" else 200
    return render(
        request, "enterprises/readings.html", {"project": project, "formset": formset}, status=status
    )


def _readings_error(formset, error: ServiceError) -> None:
    """The service names rows as ``readings[i]`` among the rows it was given: map them back."""
    kept = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    placed = False
    for key, problems in (error.fields or {}).items():
        if key.startswith("readings[") and isinstance(problems, list):
            index = int(key[len("readings[") :].split("]")[0])
            if index < len(kept):
                for problem in problems:
                    kept[index].add_error(None, str(problem))
                placed = True
    if not placed:
        formset._non_form_errors = formset.error_class([error.message])


@page_for(ENTERPRISE, hide=True)
@require_POST
def document_add(request, pk):
    project = _own_project(request, pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_upload(
                project=project,
                actor=request.user,
                upload=form.cleaned_data["file"],
                doc_type=form.cleaned_data["doc_type"],
            )
        except ServiceError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, _("Document attached."))
            return redirect("web:enterprise-project", pk=project.pk)
    return render(
        request,
        "enterprises/project.html",
        _project_context(request, project, document_form=form),
        status=400,
    )


@page_for(PROJECT_VIEWER)
def document_file(request, pk, doc):
    """A supporting document, only for who may see the project: shown in the browser, or downloaded."""
    project = PROJECT_VIEWER.scope(selectors.project_list(), request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    document = get_object_or_404(project.documents.all(), pk=doc)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    download = request.GET.get("download") == "1" or not document.content_type.startswith(
        ("image/", "application/pdf")
    )
    response = FileResponse(
        handle, as_attachment=download, filename=document.filename, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@page_for(ENTERPRISE, hide=True)
@require_POST
def project_submit(request, pk):
    """Submit a draft, or send a returned project back with the answer to the reviewer's comments."""
    project = _own_project(request, pk)
    form = forms.SubmitForm(request.POST)
    if form.is_valid():
        try:
            services.project_transition(
                project_id=project.pk,
                actor=request.user,
                step="submit",
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except ServiceError as error:
            forms.apply_service_error(form, error)
        else:
            messages.success(request, _("Submitted. The centre's reviewer will look at it."))
            return redirect("web:enterprise-project", pk=project.pk)
    return render(
        request, "enterprises/project.html", _project_context(request, project, submit_form=form), status=400
    )


def _project_context(request, project: RetrofitProject, **forms_given) -> dict:
    quant = project.quantification or {}
    reported = quant.get("reported_kg_co2e")
    carriers = dict(Carrier.choices)
    years = [
        {**y, "carriers": {str(carriers.get(name, name)): c for name, c in y.get("carriers", {}).items()}}
        for y in quant.get("years", [])
    ]
    is_member = project.enterprise.members.filter(user=request.user).exists()
    history = list(project.review_events.order_by("at", "id"))
    comments = [e for e in history if e.to_status == Status.RETURNED and e.comment]
    return {
        "project": project,
        "years": years,
        "is_member": is_member,
        "can_edit": is_member and project.editable,
        "can_review": request.user.is_centre_staff and project.status in ("submitted", "under_review"),
        "key": uuid.uuid4(),
        "reported_t": (float(reported) / 1000) if reported else None,
        "our_t": float(project.kg_co2e) / 1000,
        "history": [{"at": e.at, "line": _history_line(e), "comment": e.comment} for e in history],
        "last_comment": comments[-1] if comments and project.status == Status.RETURNED else None,
        "documents": project.documents.all(),
        "approved_years": project.years.all(),
        "document_form": forms_given.get("document_form") or forms.DocumentForm(),
        "submit_form": forms_given.get("submit_form") or forms.SubmitForm(),
        "donate_form": forms_given.get("donate_form"),
    }


@page_for(PROJECT_VIEWER)
def project_page(request, pk):
    """The project as its enterprise or its centre's staff see it, with why the figure is what it is."""
    project = PROJECT_VIEWER.scope(selectors.project_list(), request.user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return render(request, "enterprises/project.html", _project_context(request, project))


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
    form = forms.DonateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            donation = services.donation_create(
                enterprise=project.enterprise,
                actor=request.user,
                reduction_year_id=data["year"],
                kg_co2e=data["tonnes"] * 1000,
                idempotency_key=f"web:{request.user.pk}:{data['key'][:60]}",
                public_thanks=data["public_thanks"],
                request=request,
            )
        except ServiceError as exc:
            forms.apply_service_error(form, exc)
        else:
            messages.success(request, _("Thank you. Print or keep the certificate below."))
            return redirect("web:certificate", code=donation.verification_code)
    context = _project_context(request, project, donate_form=form)
    return render(request, "enterprises/project.html", context, status=400)


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
    url = request.build_absolute_uri(f"/certificates/{donation.verification_code}/")
    # A donation is final: its certificate is rendered once and served from the reports storage.
    name = files.report(
        f"enterprises/certificates/{donation.verification_code}.pdf",
        lambda: render_certificate_pdf(donation, url),
    )
    return files.report_response(
        name, filename=f"{donation.verification_code}.pdf", content_type="application/pdf"
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
