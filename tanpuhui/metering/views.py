"""Pages: a resident's reductions (monthly chart, explanation of each figure) and the staff
batch pages (live progress, errors, unmatched records, upload). Every page puts
``AudiencePageMixin`` first and names its audience (``common.scoping``), like the API."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.filters import filter_page
from tanpuhui.common.scoping import AudiencePageMixin
from tanpuhui.common.services import audit_record
from tanpuhui.metering import filters, selectors, services
from tanpuhui.metering.api import _errors_response
from tanpuhui.metering.models import Behaviour, DataProvider, RecordType, Reduction, UnmatchedReason
from tanpuhui.metering.schemas import SCHEMAS
from tanpuhui.methodology import explain, formulas
from tanpuhui.methodology import selectors as methodology_selectors

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
        page = Paginator(queryset, 20).get_page(request.GET.get("page"))
        totals = selectors.monthly_totals(request.user)
        return render(
            request,
            "metering/my_reductions.html",
            {
                "page": page,
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


my_reductions = MyReductionsView.as_view()
my_reduction_detail = MyReductionDetailView.as_view()
staff_batches = StaffBatchListView.as_view()
staff_batch_detail = StaffBatchDetailView.as_view()
staff_batch_progress = StaffBatchProgressView.as_view()
staff_batch_errors = StaffBatchErrorsView.as_view()
staff_unmatched = StaffUnmatchedView.as_view()
staff_batch_upload = StaffBatchUploadView.as_view()
