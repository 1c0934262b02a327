"""Marketplace pages: residents' catalogue and voucher wallet, merchants' dashboard and verify page,
staff approvals and settlement, the event booth. Each view checks who may see it, calls one service."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tanpuhui.accounts.audiences import HOME_CENTRE, RESIDENT, STAFF
from tanpuhui.common.errors import ServiceError
from tanpuhui.common.fields import validate_period_day
from tanpuhui.common.filters import filter_page
from tanpuhui.common.scoping import SIGNED_IN, page_for
from tanpuhui.ledger import selectors as ledger_selectors
from tanpuhui.marketplace import codes, exports, filters, selectors, services
from tanpuhui.marketplace.audiences import BOOTH, MERCHANT
from tanpuhui.marketplace.models import Category, Event, Merchant, Offer, Voucher
from tanpuhui.tenancy.selectors import centre_list_public

# --- guards ------------------------------------------------------------------------------------


def _staff_link(request):
    """The caller's link to their merchant (``@page_for(MERCHANT)`` has checked there is one)."""
    return services.merchant_staff_of(request.user)


def _web_key(request, raw: str) -> str:
    return f"web:{request.user.pk}:{raw[:100]}"


# --- residents ---------------------------------------------------------------------------------


def _balance(resident) -> int:
    return ledger_selectors.wallet_summary(resident)["balance"]


@page_for(HOME_CENTRE)
def catalogue(request):
    resident = request.user
    offers, errors = filter_page(filters.OfferFilter, request.GET, selectors.offers_live(resident))
    for problems in errors.values():
        messages.error(request, problems[0])
    category = None if errors else request.GET.get("category") or None
    balance = _balance(resident)
    cards = [{"offer": offer, "short": max(0, offer.price_coins - balance)} for offer in offers]
    return render(
        request,
        "marketplace/catalogue.html",
        {
            "offers": offers,
            "cards": cards,
            "balance": balance,
            "affordable": sum(1 for c in cards if not c["short"] and c["offer"].stock_left),
            "categories": Category.choices,
            "category": category,
            "now": timezone.now(),
        },
    )


def _offer_for(request, pk) -> Offer:
    return get_object_or_404(
        HOME_CENTRE.scope(selectors.offers_approved(), request.user).select_related("merchant"), pk=pk
    )


@page_for(HOME_CENTRE)
def offer_detail(request, pk):
    resident = request.user
    offer = _offer_for(request, pk)
    held = Voucher.objects.filter(offer=offer, resident=resident).count()
    balance = _balance(resident)
    return render(
        request,
        "marketplace/offer_detail.html",
        {
            "offer": offer,
            "held": held,
            "balance": balance,
            "short": max(0, offer.price_coins - balance),
            "now": timezone.now(),
        },
    )


@page_for(HOME_CENTRE)
def offer_redeem(request, pk):
    """GET: the confirmation step (what it costs, what is left); POST (from that step): redeem."""
    resident = request.user
    if request.method != "POST":
        offer = _offer_for(request, pk)
        balance = _balance(resident)
        return render(
            request,
            "marketplace/offer_confirm.html",
            {
                "offer": offer,
                "balance": balance,
                "after": balance - offer.price_coins,
                "short": max(0, offer.price_coins - balance),
                "held": Voucher.objects.filter(offer=offer, resident=resident).count(),
                "request_key": uuid.uuid4().hex,
                "now": timezone.now(),
            },
        )
    key = request.POST.get("request_key") or uuid.uuid4().hex
    try:
        voucher = services.voucher_redeem(
            offer_id=pk, resident=resident, idempotency_key=_web_key(request, key)
        )
    except ServiceError as error:
        if error.status_code == 404:
            raise Http404 from error
        messages.error(request, error.message)
        return redirect("web:offer-detail", pk=pk)
    messages.success(request, _("Redeemed! Show this code at the counter."))
    return redirect("web:voucher-detail", pk=voucher.pk)


@page_for(RESIDENT)
def voucher_wallet(request):
    resident = request.user
    vouchers = RESIDENT.scope(Voucher.objects.select_related("offer", "merchant"), resident)
    return render(request, "marketplace/wallet.html", {"vouchers": vouchers})


@page_for(RESIDENT)
def voucher_detail(request, pk):
    voucher = get_object_or_404(
        RESIDENT.scope(Voucher.objects.select_related("offer", "merchant", "verified_outlet"), request.user),
        pk=pk,
    )
    return render(
        request, "marketplace/voucher_detail.html", {"voucher": voucher, "qr": codes.qr_svg(voucher.code)}
    )


@page_for(RESIDENT)
def voucher_status(request, pk):
    """The voucher's state as a small fragment the voucher page polls until it is used or expired."""
    voucher = get_object_or_404(
        RESIDENT.scope(Voucher.objects.select_related("offer", "verified_outlet"), request.user), pk=pk
    )
    return render(request, "marketplace/_voucher_status.html", {"voucher": voucher, "polled": True})


@page_for(RESIDENT)
def voucher_qr(request, pk):
    voucher = get_object_or_404(RESIDENT.scope(Voucher.objects.all(), request.user), pk=pk)
    response = HttpResponse(codes.qr_svg(voucher.code), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@page_for(RESIDENT)
def personal_code(request):
    """The personal-code card alone, which the resident's page fetches again as the code rotates."""
    response = render(request, "marketplace/includes/personal_qr.html")
    response["Cache-Control"] = "private, no-store"
    return response


@page_for(RESIDENT)
def personal_qr(request):
    response = HttpResponse(
        codes.qr_svg(codes.resident_token(request.user), scale=4), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- merchants ---------------------------------------------------------------------------------


class MerchantApplyForm(forms.Form):
    centre = forms.ChoiceField(label=gettext_lazy("Operation centre"))
    name = forms.CharField(label=gettext_lazy("Business name"), max_length=100)
    licence_number = forms.CharField(
        label=gettext_lazy("Unified social credit code"), max_length=18, min_length=18
    )
    contact_name = forms.CharField(label=gettext_lazy("Contact person"), max_length=50)
    contact_phone = forms.RegexField(label=gettext_lazy("Contact phone"), regex=r"^[0-9+\- ]{7,20}$")
    outlet_name = forms.CharField(label=gettext_lazy("Outlet name"), max_length=100)
    outlet_address = forms.CharField(label=gettext_lazy("Outlet address"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [(c.code, c.name) for c in centre_list_public()]


@page_for(SIGNED_IN)
def merchant_apply(request):
    form = MerchantApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        centre = centre_list_public().get(code=data["centre"])
        try:
            services.merchant_apply(
                applicant=request.user,
                centre=centre,
                name=data["name"],
                licence_number=data["licence_number"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                outlets=[{"name": data["outlet_name"], "address": data["outlet_address"]}],
            )
        except ServiceError as error:
            for field, problems in error.fields.items():
                form.add_error(field if field in form.fields else None, problems)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("Application received. The operation centre will review it."))
            return redirect("web:profile")
    return render(request, "marketplace/apply.html", {"form": form}, status=400 if form.errors else 200)


@page_for(MERCHANT)
def merchant_dashboard(request):
    link = _staff_link(request)
    context = selectors.merchant_dashboard(link.merchant)
    context.update({"link": link, "events": selectors.events_for_booth(request.user)})
    return render(request, "marketplace/merchant_dashboard.html", context)


@page_for(MERCHANT)
def merchant_verify(request):
    """Type or scan a voucher's code, or the resident's personal code and then pick the voucher."""
    link = _staff_link(request)
    result = error = resident = None
    choices: list[Voucher] = []
    typed = ""
    status = 200
    if request.method == "POST":
        typed = request.POST.get("code", "")[:300]
        voucher_id = request.POST.get("voucher") or None
        try:
            if voucher_id is not None:
                result = services.voucher_verify(
                    user=request.user, code=typed, voucher_id=uuid.UUID(voucher_id), request=request
                )
            elif codes.looks_personal(typed):
                resident, choices = services.personal_code_vouchers(
                    user=request.user, code=typed, request=request
                )
            else:
                result = services.voucher_verify(user=request.user, code=typed, request=request)
        except ServiceError as exc:
            error, status = exc, exc.status_code
        except ValueError:
            error, status = ServiceError(_("Choose a voucher.")), 400
    context = {
        "link": link,
        "result": result,
        "error": error,
        "resident": resident,
        "choices": choices,
        "typed": typed if resident is not None else "",
    }
    return render(request, "marketplace/verify.html", context, status=status)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_period_day],
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_period_day],
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(_("The end must not be before the start."))
        return data


def _period(request) -> PeriodForm:
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today}
    form = PeriodForm(request.GET or initial)
    if not form.is_valid():
        form = PeriodForm(initial)
        form.is_valid()
    return form


def _settlement(request, merchants, template: str, extra: dict):
    form = _period(request)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    lo, hi = exports.period_bounds(start, end)
    lines = selectors.settlement_lines(merchants, start=lo, end=hi)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "lines": lines,
        "total_vouchers": sum(ln.vouchers for ln in lines),
        "total_yuan": sum(ln.yuan for ln in lines),
        **extra,
    }
    return render(request, template, context)


@page_for(MERCHANT)
def merchant_settlement(request):
    link = _staff_link(request)
    merchants = MERCHANT.scope(Merchant.objects.all(), request.user, "pk")
    return _settlement(
        request, merchants, "marketplace/settlement.html", {"link": link, "api": "api:merchant-settlement"}
    )


# --- centre staff ------------------------------------------------------------------------------


@page_for(STAFF)
def staff_approvals(request):
    user = request.user
    merchants = STAFF.scope(Merchant.objects.all(), user).filter(status=Merchant.Status.PENDING)
    offers = (
        STAFF.scope(Offer.objects.all(), user)
        .filter(status=Offer.Status.PENDING)
        .select_related("merchant", "funding_pool")
    )
    return render(
        request,
        "marketplace/approvals.html",
        {"merchants": merchants.prefetch_related("outlets"), "offers": offers},
    )


@page_for(STAFF)
@require_POST
def staff_review(request, kind: str, pk):
    user = request.user
    if kind == "merchant":
        obj: Merchant | Offer = get_object_or_404(STAFF.scope(Merchant.objects.all(), user), pk=pk)
    elif kind == "offer":
        obj = get_object_or_404(STAFF.scope(Offer.objects.all(), user), pk=pk)
    else:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    reason = request.POST.get("reason", "")[:500]
    try:
        if isinstance(obj, Merchant):
            services.merchant_review(
                merchant=obj, actor=user, approve=approve, reason=reason, request=request
            )
        else:
            services.offer_review(offer=obj, actor=user, approve=approve, reason=reason, request=request)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("web:staff-approvals")


@page_for(STAFF)
def staff_settlement(request):
    user = request.user
    merchants = STAFF.scope(Merchant.objects.all(), user)
    return _settlement(request, merchants, "marketplace/settlement.html", {"api": "api:staff-settlement"})


# --- event booth -------------------------------------------------------------------------------


@page_for(BOOTH)
def event_booth(request, pk):
    event = get_object_or_404(BOOTH.scope(Event.objects.all(), request.user), pk=pk)
    offers = Offer.objects.filter(event=event, status=Offer.Status.APPROVED)
    if not request.user.is_centre_staff:
        offers = MERCHANT.scope(offers, request.user)  # a merchant's cashier sells their own offers
    result = error = None
    status = 200
    if request.method == "POST":
        try:
            offer_id = uuid.UUID(request.POST.get("offer", ""))
            result = services.event_booth_redeem(
                event=event,
                user=request.user,
                resident_token=request.POST.get("resident_token", "").strip(),
                offer_id=offer_id,
                idempotency_key=_web_key(request, request.POST.get("request_key", "") or uuid.uuid4().hex),
                request=request,
            )
        except ServiceError as exc:
            error, status = exc, exc.status_code
        except (ValueError, TypeError):
            error, status = ServiceError(_("Choose an offer.")), 400
    context = {
        "event": event,
        "offers": offers,
        "result": result,
        "error": error,
        "stats": selectors.event_stats(event),
        "request_key": uuid.uuid4().hex,
    }
    return render(request, "marketplace/booth.html", context, status=status)


@page_for(BOOTH)
def event_counter(request, pk):
    event = get_object_or_404(BOOTH.scope(Event.objects.all(), request.user), pk=pk)
    return render(
        request, "marketplace/_counter.html", {"event": event, "stats": selectors.event_stats(event)}
    )
