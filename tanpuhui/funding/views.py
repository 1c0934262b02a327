"""Resident pages for campaigns, crowdfunding (live progress via htmx) and causes; the staff funding report."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tanpuhui.accounts.audiences import CENTRE_MEMBER, STAFF
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.fields import CoinsFormField
from tanpuhui.common.scoping import page_for
from tanpuhui.funding import coins, selectors, services
from tanpuhui.funding.models import FundingPool


def _home_centre(request):
    """The caller's own centre (``@page_for(CENTRE_MEMBER, hide=True)`` has checked there is one)."""
    return request.user.centre


def _wallet_balance(user) -> int | None:
    if not user.is_resident:
        return None
    try:
        return coins.balance(coins.wallet(user))
    except Exception:
        return None


def _coins_from(request) -> int | None:
    try:
        return CoinsFormField().clean(request.POST.get("coins", ""))
    except ValidationError:
        return None


@page_for(CENTRE_MEMBER, hide=True)
def crowdfunding_list(request):
    centre = _home_centre(request)
    return render(
        request,
        "funding/crowdfunding_list.html",
        {"projects": selectors.crowdfunding_for_centre(centre=centre)},
    )


@page_for(CENTRE_MEMBER, hide=True)
def crowdfunding_page(request, pk):
    centre = _home_centre(request)
    project = get_object_or_404(selectors.crowdfunding_for_centre(centre=centre), pk=pk)
    return render(
        request,
        "funding/crowdfunding.html",
        {"project": project, "key": uuid.uuid4(), "balance": _wallet_balance(request.user)},
    )


@page_for(CENTRE_MEMBER, hide=True)
def crowdfunding_progress(request, pk):
    centre = _home_centre(request)
    project = get_object_or_404(selectors.crowdfunding_for_centre(centre=centre), pk=pk)
    return render(request, "funding/_progress.html", {"project": project})


@page_for(CENTRE_MEMBER, hide=True)
@require_POST
def crowdfunding_pledge(request, pk):
    centre = _home_centre(request)
    project = get_object_or_404(selectors.crowdfunding_for_centre(centre=centre), pk=pk)
    amount = _coins_from(request)
    if amount is None:
        messages.error(request, _("Enter a positive whole number of coins."))
    else:
        try:
            services.pledge_create(
                project_id=project.pk,
                resident=request.user,
                coins=amount,
                idempotency_key=f"web:{request.user.pk}:{request.POST.get('key', '')[:60]}",
            )
            messages.success(request, _("Thank you: your coins are held until the project closes."))
        except ServiceError as exc:
            messages.error(request, exc.message)
    return redirect("web:crowdfunding-detail", pk=project.pk)


@page_for(CENTRE_MEMBER, hide=True)
def causes(request):
    centre = _home_centre(request)
    return render(
        request,
        "funding/causes.html",
        {
            "causes": selectors.causes_for_centre(centre=centre),
            "key": uuid.uuid4(),
            "balance": _wallet_balance(request.user),
        },
    )


@page_for(CENTRE_MEMBER, hide=True)
@require_POST
def cause_donate(request, pk):
    centre = _home_centre(request)
    cause = get_object_or_404(selectors.causes_for_centre(centre=centre), pk=pk)
    amount = _coins_from(request)
    if amount is None:
        messages.error(request, _("Enter a positive whole number of coins."))
    else:
        try:
            services.cause_donate(
                cause_id=cause.pk,
                resident=request.user,
                coins=amount,
                idempotency_key=f"web:{request.user.pk}:{request.POST.get('key', '')[:60]}",
            )
            messages.success(request, _("Thank you for your donation."))
        except ServiceError as exc:
            messages.error(request, exc.message)
    return redirect("web:causes")


@page_for(CENTRE_MEMBER, hide=True)
def campaigns(request):
    centre = _home_centre(request)
    return render(
        request, "funding/campaigns.html", {"campaigns": selectors.campaigns_current(centre=centre)}
    )


CHART_W, LABEL_W, ROW_H, AXIS_H = 340, 4, 46, 30  # each centre's name sits above its bar


def _ticks(top: Decimal) -> list[Decimal]:
    """Round axis steps (1, 2 or 5 × a power of ten) so the axis reads 0, 50,000, 100,000 … 元."""
    if top <= 0:
        return [Decimal(0)]
    raw = top / 4
    power = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal(1)
    step = next((m * power for m in (1, 2, 5, 10) if m * power >= raw), 10 * power)
    return [step * i for i in range(int(top / step) + 2) if step * i <= top + step / 2]


def remaining_chart(pools: list[dict], centres: dict[str, str]) -> dict:
    """What each centre still has to fund rewards, in yuan: its budget left plus its spendable coins
    at the centre's rate (coins ÷ coins per yuan). Geometry for a server-side SVG bar chart."""
    left: dict[str, Decimal] = {}
    for row in pools:
        rate = row["coins_per_yuan"] or Decimal(1)
        value = row["yuan_remaining"] + Decimal(row["coins_remaining"]) / rate
        left[row["centre"]] = left.get(row["centre"], Decimal(0)) + value
    top = max(left.values(), default=Decimal(0))
    ticks = _ticks(top)
    scale_top = max(ticks[-1], top) or Decimal(1)
    plot_w = CHART_W - LABEL_W - 110  # room for the value after the longest bar
    bars = []
    for i, (code, value) in enumerate(sorted(left.items())):
        width = float(value / scale_top) * plot_w
        y = AXIS_H + i * ROW_H
        bars.append(
            {
                "label": centres.get(code, code),
                "yuan": value.quantize(Decimal("0.01")),
                "label_y": y + 14,
                "y": y + 20,
                "text_y": y + 33,
                "width": round(max(width, 1), 1),
                "value_x": round(LABEL_W + max(width, 1) + 6, 1),
            }
        )
    axis = [{"value": t, "x": round(LABEL_W + float(t / scale_top) * plot_w, 1)} for t in ticks]
    return {
        "bars": bars,
        "axis": axis,
        "width": CHART_W,
        "height": AXIS_H + ROW_H * max(len(bars), 1) + 4,
        "label_w": LABEL_W,
        "axis_y": AXIS_H - 8,
        "bottom": AXIS_H + ROW_H * max(len(bars), 1),
    }


@page_for(STAFF, hide=True)
def pool_report_page(request):
    pools = STAFF.scope(FundingPool.objects.all(), request.user)
    report = selectors.provincial_rollup(pools)
    detail = selectors.pool_report(pools)
    names = {p.centre.code: p.centre.name for p in pools.select_related("centre")}
    return render(
        request,
        "funding/report.html",
        {"report": report, "detail": detail, "chart": remaining_chart(detail["pools"], names)},
    )
