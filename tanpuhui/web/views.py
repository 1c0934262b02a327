"""Resident-facing pages. Each view validates a form, calls one service, renders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tanpuhui.accounts import selectors, services
from tanpuhui.common.errors import Forbidden, ServiceError
from tanpuhui.common.scoping import PUBLIC, SIGNED_IN, page_for
from tanpuhui.marketplace.audiences import MERCHANT
from tanpuhui.notifications.views import entries as notification_entries
from tanpuhui.tenancy.selectors import centre_list_public
from tanpuhui.web import selectors as home_selectors
from tanpuhui.web.forms import BindingForm, LoginForm, RealNameForm, RegisterForm


def _apply_service_error(form, error: ServiceError) -> None:
    placed = False
    for field, problems in error.fields.items():
        if field in form.fields:
            for problem in problems:
                form.add_error(field, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@page_for(PUBLIC)
def home(request):
    """A signed-in resident's own home (balance, this month, goal, everyday terms, activity,
    messages); everyone else the introduction."""
    user = request.user
    if user.is_authenticated and user.is_resident:
        context = home_selectors.resident_home(user)
        context["latest"] = notification_entries(context["latest"])
        return render(request, "web/resident_home.html", context)
    return render(request, "web/home.html", {"centres": centre_list_public()})


@page_for(PUBLIC)
def register(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.resident_register(
                centre_code=form.cleaned_data["centre"],
                phone=form.cleaned_data["phone"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
            )
        except ServiceError as error:
            _apply_service_error(form, error)
        else:
            login(request, user, backend="tanpuhui.accounts.backends.PhoneOrEmailBackend")
            messages.success(request, _("Welcome! Bind your utility accounts and cards to start earning."))
            return redirect("web:profile")
    return render(request, "web/register.html", {"form": form}, status=400 if form.errors else 200)


def _landing(user: Any) -> str:
    """Where a user lands after signing in without a ``next``: platform administrators in the admin,
    centre staff on their console, a cashier at the counter's verify page, everyone else on their profile."""
    if user.is_superuser:
        return "admin:index"
    if user.is_centre_staff:
        return "web:console"
    if MERCHANT.admits(user):
        return "web:merchant-verify"
    return "web:profile"


@page_for(PUBLIC)
def login_view(request):
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            login(request, user, backend="tanpuhui.accounts.backends.PhoneOrEmailBackend")
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return redirect(next_url)
            return redirect(_landing(user))
    return render(
        request, "web/login.html", {"form": form, "next": next_url}, status=400 if form.errors else 200
    )


@page_for(PUBLIC)
@require_POST
def logout_view(request):
    logout(request)
    return redirect("web:home")


@page_for(SIGNED_IN)
def profile(request):
    user = selectors.user_with_profile(request.user.pk)
    return render(
        request,
        "web/profile.html",
        {
            "profile": user,
            "binding_form": BindingForm(),
            "real_name_form": RealNameForm(),
        },
    )


@page_for(SIGNED_IN)
@require_POST
def binding_add(request):
    form = BindingForm(request.POST)
    if form.is_valid():
        try:
            services.binding_create(resident=request.user, **form.cleaned_data)
        except Forbidden as error:
            messages.error(request, error.message)
            return redirect("web:profile")
        except ServiceError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Bound. Records from the provider will now be matched to you."))
            form = BindingForm()
    user = selectors.user_with_profile(request.user.pk)
    context = {"profile": user, "binding_form": form}
    if request.htmx:
        return render(request, "web/_bindings.html", context, status=200)
    if form.errors:
        return render(request, "web/profile.html", {**context, "real_name_form": RealNameForm()}, status=400)
    return redirect("web:profile")


@page_for(SIGNED_IN)
@require_POST
def binding_remove(request, pk: int):
    try:
        services.binding_remove(resident=request.user, binding_id=pk)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Unbound."))
    if request.htmx:
        user = selectors.user_with_profile(request.user.pk)
        return render(request, "web/_bindings.html", {"profile": user, "binding_form": BindingForm()})
    return redirect("web:profile")


@page_for(SIGNED_IN)
@require_POST
def real_name(request):
    form = RealNameForm(request.POST)
    if form.is_valid():
        try:
            services.real_name_verify(user=request.user, **form.cleaned_data)
        except ServiceError as error:
            _apply_service_error(form, error)
        else:
            messages.success(request, _("Real-name verification recorded."))
            return redirect("web:profile")
    user = selectors.user_with_profile(request.user.pk)
    return render(
        request,
        "web/profile.html",
        {"profile": user, "binding_form": BindingForm(), "real_name_form": form},
        status=400,
    )
