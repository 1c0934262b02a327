"""Pages: the town statistician's desk, the city centre's review and roll-up, the provincial
overview, and the public report of a published inventory with its XLSX and PDF exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tanpuhui.accounts.audiences import PROVINCIAL
from tanpuhui.accounts.models import User
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.inventories import catalogue as cat
from tanpuhui.inventories import exports, selectors, services, spreadsheets
from tanpuhui.inventories.audiences import INVENTORY_REVIEWER, TOWN_STATISTICIAN
from tanpuhui.inventories.models import GwpSet, Inventory
from tanpuhui.pilots.models import Place


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the page's audience has admitted a signed-in user


def _fail(request: HttpRequest, exc: ServiceError) -> None:
    detail = "; ".join(f"{', '.join(v)}" for v in exc.fields.values() if v)
    messages.error(request, f"{exc.message} {detail}".strip())


def _decimal(raw: str) -> Decimal | None:
    try:
        return Decimal(raw) if raw.strip() else None
    except ArithmeticError:
        return None


@page_for(TOWN_STATISTICIAN)
def town_list(request: HttpRequest) -> HttpResponse:
    towns = Place.objects.filter(statistician_desks__user=_user(request))
    if request.method == "POST":
        town = towns.filter(code=request.POST.get("town", "")).first()
        try:
            if town is None:
                raise Http404
            inventory = services.inventory_create(
                actor=_user(request),
                town=town,
                year=int(request.POST.get("year") or 0),
                gwp_code=request.POST.get("gwp", "SAR"),
            )
        except ServiceError as exc:
            _fail(request, exc)
        except ValueError:
            messages.error(request, _("Give the year as a number."))
        else:
            return redirect("web:inventories-town-detail", pk=inventory.pk)
    rows = TOWN_STATISTICIAN.scope(selectors.inventories(), request.user)
    return render(
        request,
        "inventories/town_list.html",
        {"inventories": rows, "towns": towns, "gwp_sets": GwpSet.objects.all()},
    )


@page_for(TOWN_STATISTICIAN, hide=True)
def town_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    inventory = get_object_or_404(TOWN_STATISTICIAN.scope(selectors.inventories(), request.user), pk=pk)
    cells: list[dict] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "row":
                services.row_put(
                    inventory=inventory,
                    actor=_user(request),
                    data=services.RowInput(
                        category=request.POST.get("category", ""),
                        subject=request.POST.get("subject", ""),
                        quantity=request.POST.get("quantity", ""),
                        unit=request.POST.get("unit", ""),
                        source=request.POST.get("source", ""),
                        quality_note=request.POST.get("quality_note", ""),
                        uncertainty_pct=request.POST.get("uncertainty_pct") or None,
                    ),
                )
                messages.success(request, _("Line saved."))
            elif action == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    messages.error(request, _("Choose a file."))
                else:
                    count = spreadsheets.import_file(
                        inventory=inventory,
                        actor=_user(request),
                        name=upload.name or "",
                        content=upload.read(spreadsheets.MAX_BYTES + 1),
                    )
                    messages.success(request, _("%(n)s lines imported.") % {"n": count})
            elif action == "figures":
                population = _decimal(request.POST.get("population", ""))
                services.town_figures_set(
                    inventory=inventory,
                    actor=_user(request),
                    population=int(population) if population is not None else None,
                    gdp_e4yuan=_decimal(request.POST.get("gdp_e4yuan", "")),
                )
            elif action == "calculate":
                services.inventory_calculate(inventory=inventory)
            elif action == "submit":
                services.inventory_submit(inventory=inventory, actor=_user(request))
                messages.success(request, _("Submitted to the city centre."))
            elif action == "revise":
                draft = services.inventory_revise(
                    inventory=inventory, actor=_user(request), reason=request.POST.get("reason", "")
                )
                return redirect("web:inventories-town-detail", pk=draft.pk)
        except spreadsheets.ImportRejected as exc:
            cells = [e.as_dict() for e in exc.cells]
            messages.error(request, exc.message)
        except ServiceError as exc:
            _fail(request, exc)
        if not cells:
            return redirect("web:inventories-town-detail", pk=inventory.pk)
        inventory = selectors.inventories().get(pk=inventory.pk)
    return render(
        request,
        "inventories/town_detail.html",
        {
            **selectors.report(inventory),
            "rows": inventory.rows.select_related("entered_by"),
            "comments": inventory.comments.select_related("author"),
            "categories": cat.CATEGORIES,
            "subjects": list(cat.SUBTYPE_NAMES.items()),
            "cells": cells,
            "sheets": [(code, names[0]) for code, names in cat.SHEET_NAMES.items()],
            "editable": inventory.status == Inventory.Status.DRAFT,
        },
    )


@page_for(INVENTORY_REVIEWER)
def review_list(request: HttpRequest) -> HttpResponse:
    """The city page: its towns' inventories to review and the towns added up."""
    rows = INVENTORY_REVIEWER.scope(selectors.inventories(), request.user)
    published = INVENTORY_REVIEWER.scope(selectors.current_published(), request.user)
    return render(
        request,
        "inventories/review_list.html",
        {"inventories": rows, "roll_up": selectors.roll_up(published)},
    )


@page_for(INVENTORY_REVIEWER, hide=True)
def review_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    inventory = get_object_or_404(INVENTORY_REVIEWER.scope(selectors.inventories(), request.user), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        steps = {
            "send_back": services.inventory_send_back,
            "approve": services.inventory_review,
            "publish": services.inventory_publish,
        }
        try:
            if action == "comment":
                row = request.POST.get("row", "")
                services.comment_add(
                    inventory=inventory,
                    actor=_user(request),
                    text=request.POST.get("text", ""),
                    row_id=int(row) if row.isdigit() else None,
                )
            elif action in steps:
                steps[action](inventory=inventory, actor=_user(request))
        except ServiceError as exc:
            _fail(request, exc)
        return redirect("web:inventories-review-detail", pk=inventory.pk)
    return render(
        request,
        "inventories/review_detail.html",
        {
            **selectors.report(inventory),
            "rows": inventory.rows.select_related("entered_by").prefetch_related("comments"),
            "comments": inventory.comments.select_related("author"),
        },
    )


@page_for(PROVINCIAL)
def province(request: HttpRequest) -> HttpResponse:
    published = PROVINCIAL.scope(selectors.current_published(), request.user)
    return render(
        request,
        "inventories/province.html",
        {"roll_up": selectors.roll_up(published), "inventories": published.order_by("town__code", "year")},
    )


@page_for(PUBLIC)
def public_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inventories/public_list.html",
        {
            "items": [
                (i, selectors.result_of(i))
                for i in selectors.current_published().order_by("town__code", "-year")
            ]
        },
    )


def _published(pk: Any) -> Inventory:
    return get_object_or_404(selectors.inventories().filter(status=Inventory.Status.PUBLISHED), pk=pk)


def chart_data(data: dict[str, Any]) -> dict[str, Any]:
    """The report's ECharts data: GPC sectors (top level), the trend and the comparison."""
    tops = [r for r in data["gpc_rows"] if r["depth"] == 0 and r["value"] is not None]
    return {
        "sectors": [{"name": r["name"], "value": float(r["value"])} for r in tops],
        "trend": [{"year": t["year"], "value": float(t["basic_plus"] or 0)} for t in data["trend"]],
        "towns": [
            {
                "name": c["town"],
                "per_capita": float(c["per_capita"] or 0),
                "per_gdp": float(c["per_gdp"] or 0),
            }
            for c in data["comparison"]
        ],
        "labels": {
            "tonnes": _("t CO₂e"),
            "per_capita": _("t CO₂e per person"),
            "per_gdp": _("t CO₂e per 10⁴ yuan"),
        },
    }


@page_for(PUBLIC)
def public_report(request: HttpRequest, pk: Any) -> HttpResponse:
    data = selectors.report(_published(pk))
    return render(request, "inventories/report.html", {**data, "chart": chart_data(data)})


@page_for(PUBLIC)
def report_xlsx(request: HttpRequest, pk: Any) -> HttpResponse:
    inventory = _published(pk)
    response = HttpResponse(
        exports.report_xlsx(selectors.report(inventory)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="inventory-{inventory.town.code}-{inventory.year}.xlsx"'
    )
    return response


@page_for(PUBLIC)
def report_pdf(request: HttpRequest, pk: Any) -> HttpResponse:
    inventory = _published(pk)
    url = request.build_absolute_uri(f"/inventories/{inventory.pk}/")
    response = HttpResponse(
        exports.report_pdf(selectors.report(inventory), url), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'inline; filename="inventory-{inventory.town.code}-{inventory.year}.pdf"'
    )
    return response


@page_for(PUBLIC)
def template_xlsx(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        spreadsheets.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="inventory-template.xlsx"'
    return response


@page_for(PUBLIC)
def template_csv(request: HttpRequest, sheet: str) -> HttpResponse:
    if sheet not in cat.SHEETS:
        raise Http404
    response = HttpResponse(spreadsheets.template_csv(sheet), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inventory-template-{sheet}.csv"'
    return response
