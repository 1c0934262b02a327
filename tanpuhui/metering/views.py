"""Pages: a resident's reductions (monthly chart, explanation of each figure), the staff
batch pages (live progress, errors, unmatched records, upload) and the staff pages of data providers
and their API keys (onboard, issue, rotate, revoke). Every page puts
``AudiencePageMixin`` first and names its audience (``common.scoping``), like the API."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, View

from tanpuhui.accounts import services as accounts_services
from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.accounts.models import ApiKey
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.filters import filter_page
from tanpuhui.common.scoping import AudiencePageMixin, page_for
from tanpuhui.common.services import audit_record
from tanpuhui.metering import filters, forms, selectors, services
from tanpuhui.metering.api import _errors_response
from tanpuhui.metering.models import Behaviour, DataProvider, RecordType, Reduction, UnmatchedReason
from tanpuhui.metering.schemas import SCHEMAS
from tanpuhui.methodology import explain, formulas
from tanpuhui.methodology import selectors as methodology_selectors
from tanpuhui.tenancy.models import Centre

# One colour per behaviour (chart and legend): Okabe–Ito's colour-blind-safe set, the same as the
# --mode-* custom properties in web/static/css/app.css.
COLOURS = {
    "electricity_saving": "#f0e442",
    "water_saving": "#56b4e9",
    "gas_saving": "#d55e00",
    "bus": "#e69f00",
    "metro": "#0072b2",
    "cycling": "#009e73",
    "walking": "#cc79a7",
    "afforestation": "#000000",
    "forest_management": "#999999",
}
CHART_W, CHART_H, BAR_GAP = 600, 220, 16


def chart(totals: dict) -> dict:
    """Stacked bars as SVG geometry, computed server-side (no JavaScript, no CDN)."""
    months, series = totals["months"], totals["series"]
    peak = max(totals["totals"] or [Decimal(0)]) or Decimal(1)
    slot = CHART_W / max(len(months), 1)
    bars = []
    for i, month in enumerate(months):
        y = float(CHART_H)
        segments = []
        for behaviour, values in series.items():
            value = values[i]
            if value <= 0:
                continue
            height = float(value / peak) * (CHART_H - 20)
            y -= height
            segments.append(
                {
                    "behaviour": behaviour,
                    "label": Behaviour(behaviour).label,
                    "kg": value,
                    "y": round(y, 2),
                    "height": round(height, 2),
                    "colour": COLOURS.get(behaviour, "#888"),
                }
            )
        bars.append(
            {
                "month": month,
                "x": round(i * slot + BAR_GAP / 2, 2),
                "width": round(slot - BAR_GAP, 2),
                "label_x": round(i * slot + slot / 2, 2),
                "total": totals["totals"][i],
                "segments": segments,
            }
        )
    legend = [{"behaviour": b, "label": Behaviour(b).label, "colour": COLOURS.get(b, "#888")} for b in series]
    return {"bars": bars, "legend": legend, "width": CHART_W, "height": CHART_H + 24, "base": CHART_H}


def by_day(reductions) -> list[dict]:
    """A page of reductions (newest first) grouped by the day their period ends, with each day's
    records, corrections and kg."""
    days: dict = {}
    for reduction in reductions:
        day = days.setdefault(
            reduction.period_end, {"day": reduction.period_end, "items": [], "kg": Decimal(0), "count": 0}
        )
        day["items"].append(reduction)
        day["kg"] += reduction.kg_co2e
        day["count"] += reduction.kind == Reduction.Kind.ORIGINAL
    return list(days.values())


class MyReductionsView(AudiencePageMixin, View):
    audience = RESIDENT

    def get(self, request):
        queryset, errors = filter_page(
            filters.ReductionFilter, request.GET, selectors.reductions_of(request.user)
        )
        for problems in errors.values():
            messages.error(request, problems[0])
        behaviour = "" if errors else request.GET.get("behaviour", "")
        month = "" if errors else request.GET.get("month", "")
        page = Paginator(queryset, 50).get_page(request.GET.get("page"))
        totals = selectors.monthly_totals(request.user)
        return render(
            request,
            "metering/my_reductions.html",
            {
                "page": page,
                "days": by_day(page),
                "chart": chart(totals),
                "behaviours": Behaviour.choices,
                "behaviour": behaviour,
                "month": month,
                "grand_total": sum(totals["totals"], Decimal(0)),
            },
        )


class MyReductionDetailView(AudiencePageMixin, DetailView):
    audience = RESIDENT
    template_name = "metering/my_reduction_detail.html"
    context_object_name = "reduction"
    queryset = Reduction.objects.select_related(
        "source_record", "methodology_version__methodology", "snapshot"
    )

    def get_context_data(self, **kwargs):
        explanation = selectors.reduction_explanation(self.object)
        snapshot = self.object.inputs_snapshot or {}
        published = methodology_selectors.parameters_in(p["parameter_id"] for p in explanation["parameters"])
        inputs = explanation["inputs"]
        told = explain.story(
            behaviour=self.object.behaviour,
            formula=explanation["methodology"]["formula"],
            config=snapshot.get("config"),
            params={p["slot"]: Decimal(p["value"]) for p in explanation["parameters"] if p["value"] != ""},
            quantity=inputs["quantity"],
            baseline=inputs["baseline"],
            distance_km=inputs["distance_km"],
            baseline_from_history=inputs["baseline_source"] == "history",
        )
        spec = formulas.FORMULAS.get(explanation["methodology"]["formula"])
        roles = {s.name: s for s in spec.slots} if spec else {}
        factors = [
            {
                **p,
                "parameter": published.get(p["parameter_id"]),
                "description": roles[p["slot"]].description if p["slot"] in roles else "",
                "limit": p["slot"] in roles and roles[p["slot"]].role == "limit",
            }
            for p in explanation["parameters"]
        ]
        return {
            **super().get_context_data(**kwargs),
            "explanation": explanation,
            "story": told,
            "factors": factors,
            # an adjustment is the corrected figure minus what was credited before
            "credited_before": told.figure - self.object.kg_co2e
            if told.figure is not None and self.object.kind == Reduction.Kind.ADJUSTMENT
            else None,
            "record_type": RecordType(explanation["record"]["record_type"]).label
            if explanation["record"] and explanation["record"]["record_type"] in RecordType.values
            else "",
        }


class StaffPageMixin(AudiencePageMixin):
    audience = STAFF


class StaffBatchListView(StaffPageMixin, ListView):
    template_name = "metering/staff_batches.html"
    context_object_name = "batches"
    paginate_by = 25
    queryset = selectors.batch_list()

    def get_context_data(self, **kwargs):
        providers = self.scoped(DataProvider.objects.filter(is_active=True))
        return {
            **super().get_context_data(**kwargs),
            "providers": providers,
            "record_types": SCHEMAS.values(),
        }


class StaffBatchDetailView(StaffPageMixin, DetailView):
    template_name = "metering/staff_batch_detail.html"
    context_object_name = "batch"
    queryset = selectors.batch_list()

    def get_context_data(self, **kwargs):
        errors = self.object.row_errors.order_by("row_number")[:50]
        return {**super().get_context_data(**kwargs), "errors": errors}


class StaffBatchProgressView(StaffBatchDetailView):
    """The htmx fragment a batch row/page polls while the batch is being processed."""

    template_name = "metering/_batch_progress.html"


class StaffBatchErrorsView(StaffPageMixin, DetailView):
    queryset = selectors.batch_list()

    def get(self, request, *args, **kwargs):
        return _errors_response(self.get_object())


class StaffUnmatchedView(StaffPageMixin, ListView):
    template_name = "metering/staff_unmatched.html"
    context_object_name = "records"
    paginate_by = 50
    queryset = selectors.unmatched_records()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for record in context["records"]:
            record.unmatched_reason_label = UnmatchedReason(selectors.unmatched_reason(record)).label
        return context


class StaffBatchUploadView(StaffPageMixin, View):
    def post(self, request):
        providers = self.scoped(DataProvider.objects.filter(is_active=True))
        provider = get_object_or_404(providers, pk=request.POST.get("provider") or 0)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file."))
            return redirect("web:staff-batches")
        try:
            batch, duplicate = services.batch_receive(
                provider=provider,
                record_type=request.POST.get("record_type", ""),
                file_format=services.format_for(upload.content_type, upload.name),
                stream=upload,
                original_name=upload.name,
                uploaded_by=request.user,
                content_length=upload.size,
            )
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("web:staff-batches")
        audit_record(
            actor=request.user, action="batch.upload", target=batch, centre=provider.centre, request=request
        )
        if duplicate:
            messages.info(request, _("This file was already uploaded: showing the existing batch."))
        else:
            messages.success(request, _("Uploaded. Processing runs in the background."))
        return redirect("web:staff-batch-detail", pk=batch.pk)


# --- data providers and their API keys ------------------------------------------------------------


def _centres(request: HttpRequest):
    return STAFF.scope(Centre.objects.filter(kind=Centre.Kind.CITY).order_by("code"), request.user, "pk")


def _provider(request: HttpRequest, pk: int) -> DataProvider:
    """A provider of the staff member's centres, or 404 (another centre's provider does not exist)."""
    return get_object_or_404(STAFF.scope(selectors.provider_list(), request.user), pk=pk)


def _managers_only(request: HttpRequest) -> None:
    if not selectors.manages_providers(request.user):
        raise PermissionDenied


def _providers_page(request: HttpRequest, form: forms.ProviderForm | None = None, status: int = 200):
    manages = selectors.manages_providers(request.user)
    if form is None and manages:
        form = forms.ProviderForm(centres=_centres(request))
    return render(
        request,
        "metering/staff_providers.html",
        {
            "providers": STAFF.scope(selectors.provider_list(), request.user),
            "form": form,
            "manages": manages,
        },
        status=status,
    )


@page_for(STAFF)
def staff_providers(request):
    return _providers_page(request)


@page_for(STAFF)
@require_POST
def staff_provider_add(request):
    _managers_only(request)
    form = forms.ProviderForm(request.POST, centres=_centres(request))
    if not form.is_valid():
        return _providers_page(request, form, status=400)
    data = form.cleaned_data
    try:
        provider = services.provider_create(
            centre=data["centre"],
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            record_types=data["record_types"] or None,
            actor=request.user,
        )
    except ServiceError as error:
        for field, problems in (error.fields or {}).items():
            form.add_error(field if field in form.fields else None, [str(p) for p in problems])
        if not error.fields:
            form.add_error(None, error.message)
        return _providers_page(request, form, status=error.status_code)
    messages.success(
        request, _("%(name)s is onboarded. Issue its first API key below.") % {"name": provider.name}
    )
    return redirect("web:staff-provider-detail", pk=provider.pk)


def _provider_page(request: HttpRequest, provider: DataProvider, status: int = 200, form=None):
    return render(
        request,
        "metering/staff_provider_detail.html",
        {
            "provider": provider,
            "record_types": [RecordType(t).label for t in provider.record_types if t in RecordType.values],
            "keys": selectors.provider_keys(provider),
            "manages": selectors.manages_providers(request.user),
            "form": form or forms.KeyForm(),
        },
        status=status,
    )


@page_for(STAFF)
def staff_provider_detail(request, pk: int):
    return _provider_page(request, _provider(request, pk))


def _key_shown_once(request: HttpRequest, provider: DataProvider, key: ApiKey, plaintext: str, previous=None):
    """The only time the key's secret is ever shown: rendered in the answer to the POST, never stored."""
    response = render(
        request,
        "metering/staff_key_issued.html",
        {"provider": provider, "key": key, "plaintext": plaintext, "previous": previous},
        status=201,
    )
    return response


@never_cache
@page_for(STAFF)
@require_POST
def staff_provider_key_issue(request, pk: int):
    provider = _provider(request, pk)
    _managers_only(request)
    form = forms.KeyForm(request.POST)
    if not form.is_valid() or provider.service_user is None:
        return _provider_page(request, provider, status=400, form=form)
    try:
        key, plaintext = accounts_services.provider_key_issue(
            provider=provider.service_user, name=form.cleaned_data["name"] or "upload", actor=request.user
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("web:staff-provider-detail", pk=provider.pk)
    return _key_shown_once(request, provider, key, plaintext)


def _key(provider: DataProvider, prefix: str) -> ApiKey:
    return get_object_or_404(selectors.provider_keys(provider), prefix=prefix)


@never_cache
@page_for(STAFF)
@require_POST
def staff_provider_key_rotate(request, pk: int, prefix: str):
    provider = _provider(request, pk)
    key = _key(provider, prefix)
    _managers_only(request)
    try:
        new_key, plaintext = accounts_services.api_key_rotate(key=key, actor=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("web:staff-provider-detail", pk=provider.pk)
    key.refresh_from_db()
    return _key_shown_once(request, provider, new_key, plaintext, previous=key)


@page_for(STAFF)
@require_POST
def staff_provider_key_revoke(request, pk: int, prefix: str) -> HttpResponse:
    provider = _provider(request, pk)
    key = _key(provider, prefix)
    _managers_only(request)
    accounts_services.api_key_revoke(key=key, actor=request.user)
    messages.success(request, _("The key is revoked: it no longer works."))
    return redirect("web:staff-provider-detail", pk=provider.pk)


my_reductions = MyReductionsView.as_view()
my_reduction_detail = MyReductionDetailView.as_view()
staff_batches = StaffBatchListView.as_view()
staff_batch_detail = StaffBatchDetailView.as_view()
staff_batch_progress = StaffBatchProgressView.as_view()
staff_batch_errors = StaffBatchErrorsView.as_view()
staff_unmatched = StaffUnmatchedView.as_view()
staff_batch_upload = StaffBatchUploadView.as_view()
