"""The staff console: a dashboard of what needs doing and the centre's figures, the provincial roll-up,
both as CSV by month, and the audit log of the staff member's centres. Thin: the figures come from ``console.selectors``."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.apps import apps
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tanpuhui.accounts.audiences import PROVINCIAL, STAFF
from tanpuhui.common.audit import action_label
from tanpuhui.common.filters import AuditEventFilter, filter_page
from tanpuhui.common.models import AuditEvent
from tanpuhui.common.scoping import page_for
from tanpuhui.console import charts, selectors
from tanpuhui.tenancy.models import Centre


def _centres(audience, user):
    return audience.scope(Centre.objects.all(), user, "pk")


def _trend_charts(figures: selectors.Figures) -> list[charts.BarChart]:
    months = [m.month for m in figures.months]
    return [
        charts.bar_chart(
            months,
            [m.t_co2e for m in figures.months],
            unit=_("t CO₂e"),
            title=_("CO₂e reduced per month"),
            digits=2,
        ),
        charts.bar_chart(
            months,
            [m.participants for m in figures.months],
            unit=_("residents"),
            title=_("Active participants per month"),
        ),
        charts.bar_chart(
            months,
            [m.coins_issued for m in figures.months],
            unit=_("coins"),
            title=_("Carbon coins issued per month"),
        ),
    ]


@page_for(STAFF)
def dashboard(request):
    user = request.user
    today = timezone.localdate()
    centres = _centres(STAFF, user)
    figures = selectors.combined(selectors.figures_by_centre(centres, today=today), today=today)
    return render(
        request,
        "console/dashboard.html",
        {
            "todo": selectors.todo_for(user, today),
            "booths": selectors.booths_open(user),
            "figures": figures,
            "charts": _trend_charts(figures),
            # Who the page is for: a provincial officer's province, else the staff member's centres.
            "centres": centres.filter(kind=Centre.Kind.PROVINCIAL) or centres.order_by("code"),
            "provincial": PROVINCIAL.admits(user),
            "roles": sorted({a.get_role_display() for a in user.role_assignments.all()}),
        },
    )


def _figures_csv(filename: str, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly only with the BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Centre"),
            _("Month"),
            _("Residents"),
            _("Active participants"),
            _("t CO₂e reduced"),
            _("Coins issued"),
            _("Coins redeemed"),
            _("Vouchers verified"),
        ]
    )
    for centre, month in rows:
        writer.writerow(
            [
                centre,
                month.month.strftime("%Y-%m"),
                month.residents,
                month.participants,
                f"{month.t_co2e.quantize(Decimal('0.0001'))}",
                month.coins_issued,
                month.coins_redeemed,
                month.vouchers_verified,
            ]
        )
    return response


@page_for(STAFF)
def figures_csv(request):
    today = timezone.localdate()
    centres = _centres(STAFF, request.user)
    figures = selectors.combined(selectors.figures_by_centre(centres, today=today), today=today)
    label = ", ".join(c.code for c in centres.filter(kind=Centre.Kind.CITY).order_by("code"))
    return _figures_csv(f"figures-{today:%Y-%m}.csv", [(label, m) for m in figures.months])


def _rollup(user):
    today = timezone.localdate()
    centres = _centres(PROVINCIAL, user).filter(kind=Centre.Kind.CITY).order_by("code")
    per_centre = selectors.figures_by_centre(centres, today=today)
    return today, list(centres), per_centre, selectors.combined(per_centre, today=today)


@page_for(PROVINCIAL)
def rollup(request):
    _today, centres, per_centre, province = _rollup(request.user)
    rows = [
        {
            "centre": centre,
            "figures": per_centre[centre.pk],
            "spark": charts.sparkline([m.t_co2e for m in per_centre[centre.pk].months]),
        }
        for centre in centres
    ]
    return render(
        request,
        "console/rollup.html",
        {"rows": rows, "province": province, "charts": _trend_charts(province)},
    )


@page_for(PROVINCIAL)
def rollup_csv(request):
    today, centres, per_centre, province = _rollup(request.user)
    rows = [(f"{c.code} {c.name}", m) for c in centres for m in per_centre[c.pk].months]
    rows += [(_("Province (all centres)"), m) for m in province.months]
    return _figures_csv(f"province-{today:%Y-%m}.csv", rows)


def _target_kind(label: str) -> str:
    """What kind of row an event is about, in words (the model's name), or nothing."""
    try:
        return str(apps.get_model(label)._meta.verbose_name) if label else ""
    except (LookupError, ValueError):
        return ""


def _audit_line(event: AuditEvent) -> dict:
    return {
        "at": event.at,
        "action": action_label(event.action),
        "actor": (event.actor.display_name or event.actor.masked_phone) if event.actor else _("The system"),
        "centre": event.centre.name if event.centre else "",
        "target": _target_kind(event.target_type),
    }


@page_for(STAFF)
def audit_log(request):
    events, errors = filter_page(AuditEventFilter, request.GET, selectors.audit_events(request.user))
    for problems in errors.values():
        messages.error(request, problems[0])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "console/audit_log.html",
        {
            "page": page,
            "events": [_audit_line(e) for e in page],
            "filter": AuditEventFilter(None if errors else request.GET),
            "query": query.urlencode(),
        },
    )
