"""Pages: the public community screen and the commission's provincial dashboard (with exports)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from tanpuhui.accounts.audiences import STAFF
from tanpuhui.common.errors import NotFound
from tanpuhui.common.scoping import PUBLIC, page_for
from tanpuhui.pilots import evaluation, selectors
from tanpuhui.pilots.audiences import PILOT, PILOT_REVIEWER
from tanpuhui.pilots.models import Appropriation, Measure, Pilot
from tanpuhui.tenancy.models import Centre


@page_for(PUBLIC)
def screen_page(request: HttpRequest, token: str) -> HttpResponse:
    """The lobby display: full screen, no login, refreshes itself from the screen's JSON."""
    language = "en" if request.GET.get("lang") == "en" else "zh-hans"
    with translation.override(language):
        try:
            document = selectors.screen_document(token) if len(token) <= 40 else None
        except NotFound:
            document = None
        if document is None:
            raise Http404
        return render(request, "pilots/screen.html", {"d": document, "token": token, "lang": language})


def _dashboard(request: HttpRequest) -> dict[str, Any]:
    pilots = PILOT_REVIEWER.scope(Pilot.objects.all(), request.user)
    centres = PILOT_REVIEWER.scope(Centre.objects.all(), request.user, "pk")
    data = selectors.dashboard(pilots, centres)
    levels = dict(Pilot.Level.choices)
    statuses = dict(Pilot.Status.choices)
    sources = dict(Appropriation.Source.choices)
    kinds = dict(Measure.Kind.choices)
    data["level_rows"] = [(levels[k], data["levels"].get(k, 0)) for k in levels if data["levels"].get(k)]
    data["status_rows"] = [(statuses[k], data["statuses"].get(k, 0)) for k in statuses]
    for row in data["funding"]:
        row["level_label"] = str(levels.get(row["pilot__level"], ""))
        row["source_label"] = str(sources.get(row["source"], ""))
        row["remaining"] = (row["appropriated"] or 0) - (row["disbursed"] or 0)
    for row in data["measures"]:
        row["label"] = str(kinds.get(row["kind"], ""))
        row["t"] = round(float(row["kg"]) / 1000, 1)
    data["pilot_rows"] = list(selectors.pilot_list().filter(pk__in=pilots.values("pk")))
    return data


# Pages of the back office (a pilot manager is centre staff): guarded as staff pages, rows scoped to
# the pilots the user manages (an operator who manages none sees an empty list; the link is shown
# only to pilot managers, navigation.py).
@page_for(STAFF)
def my_pilots_page(request: HttpRequest) -> HttpResponse:
    """A pilot manager's pilots (they apply and report through the API; this is their overview)."""
    pilots = PILOT.scope(selectors.pilot_list(), request.user)
    return render(request, "pilots/mine.html", {"pilots": pilots})


@page_for(STAFF, hide=True)
def my_pilot_page(request: HttpRequest, pk: Any) -> HttpResponse:
    pilot = PILOT.scope(selectors.pilot_detail(), request.user).filter(pk=pk).first()
    if pilot is None:
        raise Http404
    return _pilot(request, pilot, back="web:my-pilots")


@page_for(PILOT_REVIEWER, hide=True)
def pilot_page(request: HttpRequest, pk: Any) -> HttpResponse:
    """One pilot for the commission: status history, money, measures (ours vs published), evaluation."""
    pilot = PILOT_REVIEWER.scope(selectors.pilot_detail(), request.user).filter(pk=pk).first()
    if pilot is None:
        raise Http404
    return _pilot(request, pilot, back="web:staff-pilots")


def _pilot(request: HttpRequest, pilot: Pilot, *, back: str) -> HttpResponse:
    years = sorted(set(pilot.indicator_values.values_list("year", flat=True)), reverse=True)
    try:
        year = int(request.GET.get("year") or (years[0] if years else date.today().year))
    except ValueError:
        year = years[0] if years else date.today().year
    result = evaluation.evaluate(pilot, year)
    city = pilot.place.city()
    path = []
    node: Any = pilot.place
    while node is not None:
        path.append(node.name)
        node = node.parent
    return render(
        request,
        "pilots/pilot.html",
        {
            "p": pilot,
            "e": result,
            "years": years,
            "place_path": " · ".join(reversed(path)),
            "city": city,
            "back": back,
        },
    )


@page_for(PILOT_REVIEWER)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    data = _dashboard(request)
    chart = {
        "cities": [{"name": c["name"], "adcode": c["adcode"], "value": c["pilots"]} for c in data["cities"]],
        "measures": [{"name": m["label"], "value": m["t"]} for m in data["measures"]],
        "labels": {"pilots": _("Pilots"), "tonnes": _("t CO₂e a year")},
    }
    return render(request, "pilots/dashboard.html", {"d": data, "chart": chart})


def _table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header: list[Any] = [
        _("Pilot"),
        _("Level"),
        _("Designation"),
        _("Year designated"),
        _("City"),
        _("Status"),
        _("Appropriated (yuan)"),
        _("Disbursed (yuan)"),
        _("Reduction, t CO₂e a year"),
    ]
    rows = []
    for p in data["pilot_rows"]:
        appropriated = sum(a.amount_fen for a in p.appropriations.all())
        disbursed = sum(a.disbursed_fen for a in p.appropriations.all())
        tonnes = sum((m.annual_kg_co2e or 0) for m in p.measures.all()) / 1000
        rows.append(
            [
                p.name,
                str(p.get_level_display()),
                str(p.get_designation_display()),
                p.year,
                p.place.city().name,
                str(p.get_status_display()),
                appropriated / 100,
                disbursed / 100,
                round(float(tonnes), 1),
            ]
        )
    return header, rows


@page_for(PILOT_REVIEWER)
def dashboard_export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@page_for(PILOT_REVIEWER)
def dashboard_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    data = _dashboard(request)
    data["pilot_rows"] = list(
        selectors.pilot_list()
        .filter(pk__in=[p.pk for p in data["pilot_rows"]])
        .prefetch_related("appropriations", "measures", "place__parent__parent__parent")
    )
    header, rows = _table(data)
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = _("Pilots")[:31]
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        funding = book.create_sheet(_("Funding")[:31])
        funding.append([_("Year"), _("Level"), _("Source"), _("Appropriated (yuan)"), _("Disbursed (yuan)")])
        for f in data["funding"]:
            funding.append(
                [
                    f["year"],
                    f["level_label"],
                    f["source_label"],
                    f["appropriated"] / 100,
                    f["disbursed"] / 100,
                ]
            )
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="pilots.{fmt}"'
    return response
