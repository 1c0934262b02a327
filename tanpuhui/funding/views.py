"""Resident pages for campaigns, crowdfunding (live progress via htmx) and causes; the staff funding report."""

from __future__ import annotations

import uuid

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


@page_for(STAFF, hide=True)
def pool_report_page(request):
    pools = STAFF.scope(FundingPool.objects.all(), request.user)
    report = selectors.provincial_rollup(pools)
    detail = selectors.pool_report(pools)
    widest = max([r["remaining_as_coins"] for r in report["centres"]] + [1])
    bars = [
        {**r, "width": int(300 * r["remaining_as_coins"] / widest), "y": 10 + i * 28}
        for i, r in enumerate(report["centres"])
    ]
    return render(
        request,
        "funding/report.html",
        {"report": report, "detail": detail, "bars": bars, "svg_height": 20 + 28 * len(bars)},
    )
