"""Pages of the WeChat channel: the server endpoint WeChat calls, the bind and two-tap registration
pages residents open inside WeChat, the resident's WeChat settings, the JS-SDK config and the staff
page where a centre's operators configure their account."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tanpuhui.accounts.audiences import RESIDENT, STAFF
from tanpuhui.common.errors import NotFound, ServiceError
from tanpuhui.common.scoping import PUBLIC, SIGNED_IN, page_for
from tanpuhui.wechat import client, forms, protocol, selectors, services
from tanpuhui.wechat.models import OfficialAccount

BACKEND = "tanpuhui.accounts.backends.PhoneOrEmailBackend"
PENDING = "wechat_pending"  # the session's openid waiting for the two-tap registration


def in_wechat(request: HttpRequest) -> bool:
    """WeChat's built-in browser says ``MicroMessenger`` in its user agent."""
    return "micromessenger" in request.headers.get("User-Agent", "").lower()


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _plain(status: int, text: str = "") -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@page_for(PUBLIC)
@csrf_exempt
@require_http_methods(["GET", "POST"])
def inbound(request: HttpRequest, centre: str) -> HttpResponse:
    """WeChat's server endpoint for the centre's account. Public, but every request must carry
    WeChat's signature (403 otherwise, before anything is read or written)."""
    try:
        account = services.account_for(centre)
    except NotFound:
        return _plain(404)
    q = request.GET
    timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    if not protocol.signature_ok(
        token=account.token, timestamp=timestamp, nonce=nonce, signature=q.get("signature", "")
    ) or not protocol.fresh(timestamp, skew=settings.WECHAT_MAX_CLOCK_SKEW):
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    if request.method == "GET":  # the server check when the URL is saved in WeChat's back office
        return _plain(200, q.get("echostr", ""))
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit():
        return _plain(400, "bad length")
    if int(length) > protocol.MAX_BODY:
        return _plain(413)
    body = request.body
    envelope = None
    try:
        if q.get("encrypt_type") == "aes":
            envelope = protocol.Envelope(token=account.token, aes_key=account.aes_key, app_id=account.app_id)
            body = envelope.open(
                body=body, timestamp=timestamp, nonce=nonce, msg_signature=q.get("msg_signature", "")
            )
        elif account.mode == OfficialAccount.Mode.SAFE:
            return _plain(400, "safe mode expected")
        message = protocol.parse_xml(body)
    except protocol.SignatureMismatch:
        return HttpResponseForbidden("bad signature", content_type="text/plain")
    except protocol.ProtocolError:
        return _plain(400, "bad message")
    if message.get("ToUserName") is None or not message.get("FromUserName") or not message.get("MsgType"):
        return _plain(400, "bad message")
    if not services.inbound_first_time(account=account, message=message):
        return _plain(200, "success")  # WeChat retried: the first delivery was answered
    reply = services.message_answer(account=account, message=message, base_url=_base_url(request))
    if reply is None:
        return _plain(200, "success")
    if envelope is not None:
        reply = envelope.seal(reply, nonce=nonce)
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")


@page_for(PUBLIC)
def bind(request: HttpRequest, centre: str) -> HttpResponse:
    """Start WeChat's web authorisation; ``?profile=1`` asks for the nickname (snsapi_userinfo)."""
    try:
        account = services.account_for(centre)
    except NotFound:
        return render(request, "wechat/unavailable.html", status=404)
    state = secrets.token_urlsafe(16)
    request.session["wechat_state"] = state
    scope = "snsapi_userinfo" if request.GET.get("profile") else "snsapi_base"
    redirect_uri = request.build_absolute_uri(reverse("web:wechat-oauth", args=[account.centre.code]))
    return redirect(services.oauth_url(account=account, redirect_uri=redirect_uri, scope=scope, state=state))


@page_for(PUBLIC)
def oauth_return(request: HttpRequest, centre: str) -> HttpResponse:
    """WeChat sends the resident back with a code (the session cookie is SameSite=Lax: a top-level
    redirect keeps it). Linked: signed in. Signed in as a resident: linked now. Else: two taps."""
    try:
        account = services.account_for(centre)
    except NotFound:
        return render(request, "wechat/unavailable.html", status=404)
    state = request.session.pop("wechat_state", None)
    code = request.GET.get("code", "")
    if not code or not state or not secrets.compare_digest(state, request.GET.get("state", "")):
        return render(
            request, "wechat/unavailable.html", {"retry": True, "centre": account.centre.code}, status=400
        )
    try:
        identity = services.oauth_identity(account=account, code=code)
    except ServiceError:
        return render(
            request, "wechat/unavailable.html", {"retry": True, "centre": account.centre.code}, status=400
        )
    user = services.linked_resident(account=account, openid=identity["openid"])
    if user is not None:
        login(request, user, backend=BACKEND)
        return redirect("web:me-wechat")
    if request.user.is_authenticated and request.user.is_resident:
        try:
            services.link_create(account=account, resident=request.user, **identity)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your WeChat is linked."))
        return redirect("web:me-wechat")
    request.session[PENDING] = {"centre": account.centre.code, **identity}
    return redirect("web:wechat-register", centre=account.centre.code)


@page_for(PUBLIC)
def register(request: HttpRequest, centre: str) -> HttpResponse:
    """Two taps: the phone (a code is sent), then the code. Only after WeChat named the openid."""
    pending = request.session.get(PENDING)
    if not pending or pending.get("centre") != centre:
        return redirect("web:wechat-bind", centre=centre)
    try:
        account = services.account_for(centre)
    except NotFound:
        return render(request, "wechat/unavailable.html", status=404)
    phone_form, code_form = forms.PhoneForm(), None
    status = 200
    if request.method == "POST" and "code" in request.POST:
        code_form = forms.CodeForm(request.POST)
        if code_form.is_valid():
            try:
                user = services.wechat_register(
                    account=account,
                    openid=pending["openid"],
                    unionid=pending.get("unionid", ""),
                    nickname=pending.get("nickname", ""),
                    phone=code_form.cleaned_data["phone"],
                    code=code_form.cleaned_data["code"],
                )
            except ServiceError as error:
                code_form.add_error("code" if "code" in error.fields else None, error.message)
            else:
                request.session.pop(PENDING, None)
                login(request, user, backend=BACKEND)
                messages.success(request, _("Welcome! Your WeChat is linked."))
                return redirect("web:home")
        status = 400
    elif request.method == "POST":
        phone_form = forms.PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                services.phone_code_send(phone=phone_form.cleaned_data["phone"])
            except ServiceError as error:
                if error.code != "code_wait":
                    phone_form.add_error("phone", error.message)
                    status = 400
            if not phone_form.errors:
                code_form = forms.CodeForm(initial={"phone": phone_form.cleaned_data["phone"]})
        else:
            status = 400
    return render(
        request,
        "wechat/register.html",
        {"account": account, "phone_form": phone_form, "code_form": code_form},
        status=status,
    )


@page_for(RESIDENT)
def me_wechat(request):
    """The resident's WeChat: linked or not, messages on WeChat on or off, unlink."""
    links = RESIDENT.scope(selectors.links(), request.user)
    if request.method == "POST":
        try:
            link_id = int(request.POST.get("link", "0"))
            if request.POST.get("action") == "unlink":
                services.link_remove(resident=request.user, link_id=link_id)
                messages.success(request, _("Your WeChat is unlinked."))
            else:
                services.consent_set(
                    resident=request.user, link_id=link_id, consent=request.POST.get("consent") == "on"
                )
                messages.success(request, _("Saved."))
        except (ServiceError, ValueError):
            messages.error(request, _("That did not work. Please try again."))
        return redirect("web:me-wechat")
    account = selectors.account_of_centre(request.user.centre_id)
    return render(
        request,
        "wechat/me.html",
        {"links": links, "account": account, "in_wechat": in_wechat(request)},
    )


@page_for(SIGNED_IN)
def jssdk(request):
    """``wx.config`` for the page at ``?url=`` (the caller's own centre's account), or
    ``{"enabled": false}`` outside WeChat / without an account."""
    account = selectors.account_of_centre(request.user.centre_id)
    url = request.GET.get("url", "")
    if account is None or not in_wechat(request) or not url.startswith(_base_url(request)):
        return JsonResponse({"enabled": False})
    try:
        config = services.jssdk_config(account=account, url=url)
    except client.WeChatError:  # WeChat unreachable or refusing: the page falls back to the camera library
        return JsonResponse({"enabled": False})
    return JsonResponse({"enabled": True, **config})


@page_for(STAFF)
def staff_accounts(request):
    """The centres' WeChat accounts in the staff member's scope; their operators edit their own."""
    accounts = STAFF.scope(selectors.accounts(), request.user)
    centre = request.user.centre
    editable = centre is not None and selectors.operates(request.user, centre)
    account = selectors.account_of_centre(centre.pk) if centre is not None else None
    form = None
    status = 200
    if editable:
        initial = selectors.form_initial(account)
        form = forms.AccountForm(request.POST or None, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.account_configure(
                        centre=centre,
                        actor=request.user,
                        name=data["name"],
                        app_id=data["app_id"],
                        mode=data["mode"],
                        secret=data["secret"],
                        token=data["token"],
                        aes_key=data["aes_key"],
                        mini_app_id=data["mini_app_id"],
                        mini_secret=data["mini_secret"],
                        templates=form.templates(),
                        welcome=data["welcome"],
                        enabled=data["enabled"],
                    )
                except ServiceError as error:
                    for field, problems in error.fields.items():
                        for problem in problems:
                            form.add_error(field if field in form.fields else None, problem)
                    if not error.fields:
                        form.add_error(None, error.message)
                else:
                    messages.success(request, _("The WeChat account is saved."))
                    return redirect("web:staff-wechat")
            status = 400
    elif request.method == "POST":
        return HttpResponseForbidden()
    return render(
        request,
        "wechat/staff_accounts.html",
        {
            "accounts": accounts,
            "account": account,
            "form": form,
            "server_url": request.build_absolute_uri(reverse("web:wechat-inbound", args=[centre.code]))
            if centre is not None
            else "",
            "site_host": request.get_host(),
        },
        status=status,
    )
