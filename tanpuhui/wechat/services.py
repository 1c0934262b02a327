"""Writes of the WeChat channel: the account configuration, answering what WeChat delivers, linking
and registering residents, forwarding notifications as template messages, the JS-SDK config and the
mini-program login. Slow work (WeChat's API, follower bookkeeping) runs in ``tasks``."""

from __future__ import annotations

import logging
import re
import secrets
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tanpuhui.accounts import services as accounts
from tanpuhui.accounts.models import User
from tanpuhui.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tanpuhui.common.services import audit_record
from tanpuhui.ledger.selectors import wallet_summary
from tanpuhui.metering.models import Reduction
from tanpuhui.notifications.messages import describe
from tanpuhui.notifications.models import Notification
from tanpuhui.tenancy.models import Centre
from tanpuhui.wechat import client, phonecodes, protocol, secrets_box, tasks
from tanpuhui.wechat.models import Inbound, Link, OfficialAccount, Send

logger = logging.getLogger(__name__)

APP_ID = re.compile(r"^wx[0-9A-Za-z]{14,30}$")
TOKEN = re.compile(r"^[0-9A-Za-z]{3,32}$")
# The menu's click keys (set in the WeChat back office, docs/wechat.md) and the text keywords.
MENU = {"MY_COINS": "coins", "MY_REDUCTIONS": "reductions", "REDEEM": "redeem"}
KEYWORDS = {"余额": "coins", "balance": "coins", "帮助": "help", "help": "help", "减排": "reductions"}
MAX_ATTEMPTS = 5
GIVE_UP = {43004, 43101, 40003}  # not following / refused the subscription / not an openid of ours
ANSWER_LANGUAGE = "zh-hans"
CHUNK = 200


# --- configuration ------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={field: [message]})


@transaction.atomic
def account_configure(
    *,
    centre: Centre,
    actor: User,
    name: str,
    app_id: str,
    mode: str,
    secret: str = "",
    token: str = "",
    aes_key: str = "",
    mini_app_id: str = "",
    mini_secret: str = "",
    templates: dict[str, str] | None = None,
    welcome: str = "",
    enabled: bool = True,
) -> OfficialAccount:
    """Create or change a centre's account. A blank secret keeps the stored one (secrets are
    write-only: no page or API ever shows them)."""
    if (
        not actor.is_superuser
        and not actor.role_assignments.filter(role="centre_operator", centre=centre).exists()
    ):
        raise Forbidden(_("Only the centre's operators configure its WeChat account."))
    app_id, mini_app_id = app_id.strip(), mini_app_id.strip()
    if not APP_ID.match(app_id):
        raise _invalid("app_id", _("An AppID starts with wx, e.g. wx1234567890abcdef."))
    if mini_app_id and not APP_ID.match(mini_app_id):
        raise _invalid("mini_app_id", _("An AppID starts with wx, e.g. wx1234567890abcdef."))
    if token and not TOKEN.match(token):
        raise _invalid("token", _("The token is 3 to 32 letters or digits."))
    if aes_key:
        try:
            protocol.Envelope(token=token, aes_key=aes_key, app_id=app_id)
        except protocol.ProtocolError:
            raise _invalid("aes_key", _("The EncodingAESKey is 43 letters and digits.")) from None
    if mode not in OfficialAccount.Mode.values:
        raise _invalid("mode", _("Choose a message mode."))
    account = OfficialAccount.objects.select_for_update().filter(centre=centre).first()
    if account is None:
        account = OfficialAccount(centre=centre)
    if OfficialAccount.objects.filter(app_id=app_id).exclude(centre=centre).exists():
        raise Conflict(
            _("Another centre uses this AppID."), fields={"app_id": [_("Another centre uses this AppID.")]}
        )
    account.name, account.app_id, account.mode = name.strip()[:100] or centre.name_zh, app_id, mode
    account.mini_app_id, account.welcome, account.enabled = mini_app_id, welcome.strip(), enabled
    account.templates = {k: v.strip() for k, v in (templates or {}).items() if v and v.strip()}
    for field, value in (
        ("secret_sealed", secret),
        ("token_sealed", token),
        ("aes_key_sealed", aes_key),
        ("mini_secret_sealed", mini_secret),
    ):
        if value:
            setattr(account, field, secrets_box.seal(value.strip()))
    if account.mode == OfficialAccount.Mode.SAFE and not account.aes_key:
        raise _invalid("aes_key", _("Safe mode needs the EncodingAESKey."))
    account.save()
    audit_record(
        actor=actor,
        action="wechat.account_configured",
        target=account,
        centre=centre,
        data={
            "app_id": app_id,
            "mode": mode,
            "secrets_changed": [
                f
                for f, v in (
                    ("secret", secret),
                    ("token", token),
                    ("aes_key", aes_key),
                    ("mini_secret", mini_secret),
                )
                if v
            ],
        },
    )
    return account


# --- inbound messages ---------------------------------------------------------------------------


def inbound_key(message: dict[str, str]) -> str:
    """WeChat's retry identity: the MsgId, or FromUserName + CreateTime (+ Event, EventKey) for events."""
    if message.get("MsgId"):
        return f"m:{message['MsgId']}"[:128]
    key = ":".join(message.get(k, "") for k in ("FromUserName", "CreateTime", "Event", "EventKey"))
    return f"e:{key}"[:128]


def inbound_first_time(*, account: OfficialAccount, message: dict[str, str]) -> bool:
    """Record the message; False when it was seen before (a retry, answered already)."""
    try:
        with transaction.atomic():
            Inbound.objects.create(
                account=account,
                key=inbound_key(message),
                from_user=message.get("FromUserName", "")[:64],
                msg_type=message.get("MsgType", "")[:16],
                event=message.get("Event", "")[:32],
            )
    except IntegrityError:
        return False
    return True


def _linked(account: OfficialAccount, openid: str) -> Link | None:
    return (
        Link.objects.select_related("resident")
        .filter(account=account, channel=Link.Channel.OFFICIAL, openid=openid)
        .first()
    )


def _bind_line(bind_url: str) -> str:
    return _("Link your WeChat to your carbon account: %(url)s") % {"url": bind_url}


def _answer(what: str, *, account: OfficialAccount, link: Link | None, base_url: str) -> str:
    bind_url = f"{base_url}wechat/{account.centre.code}/bind/"
    if what == "help":
        return (
            _(
                "Send 余额 for your carbon coins, or use the menu: 我的碳币 (coins), 我的减排 (reductions), "
                "兑换优惠 (offers)."
            )
            + "\n"
            + _bind_line(bind_url)
        )
    if link is None:
        return _bind_line(bind_url)
    resident = link.resident
    if what == "coins":
        balance = wallet_summary(resident)["balance"]
        return _("Your balance: %(coins)s carbon coins.") % {"coins": f"{balance:,}"}
    if what == "reductions":
        today = timezone.localdate()
        rows = Reduction.objects.filter(resident=resident)
        total = rows.aggregate(kg=Sum("kg_co2e"))["kg"] or Decimal(0)
        month = rows.filter(period_end__gte=today.replace(day=1)).aggregate(kg=Sum("kg_co2e"))[
            "kg"
        ] or Decimal(0)
        return _("This month you avoided %(month)s kg CO₂e; %(total)s kg in all.") % {
            "month": f"{month:.2f}",
            "total": f"{total:.2f}",
        }
    balance = wallet_summary(resident)["balance"]
    return _("You have %(coins)s carbon coins to spend. Offers: %(url)s") % {
        "coins": f"{balance:,}",
        "url": f"{base_url}offers/",
    }


def message_answer(*, account: OfficialAccount, message: dict[str, str], base_url: str) -> bytes | None:
    """The passive reply to one (first-time) message or event, or None for "success" (no reply).
    Fast by construction: one or two indexed reads; follower bookkeeping goes to a task."""
    openid = message.get("FromUserName", "")
    kind, event = message.get("MsgType", ""), message.get("Event", "").lower()
    with translation.override(ANSWER_LANGUAGE):
        link = _linked(account, openid) if openid else None
        text: str | None = None
        if kind == "event" and event == "subscribe":
            welcome = account.welcome or _("Welcome to %(name)s: low-carbon living earns carbon coins.") % {
                "name": account.name
            }
            bind_url = f"{base_url}wechat/{account.centre.code}/bind/"
            text = welcome if link else welcome + "\n" + _bind_line(bind_url)
            tasks.follow_changed.delay(account.pk, openid, True)
        elif kind == "event" and event == "unsubscribe":
            tasks.follow_changed.delay(account.pk, openid, False)
        elif kind == "event" and event == "click":
            what = MENU.get(message.get("EventKey", ""))
            text = _answer(what, account=account, link=link, base_url=base_url) if what else None
        elif kind == "text":
            what = KEYWORDS.get(message.get("Content", "").strip().lower(), "help")
            text = _answer(what, account=account, link=link, base_url=base_url)
    if text is None:
        return None
    return protocol.text_reply(to_user=openid, from_user=message.get("ToUserName", ""), content=text)


def inbound_prune(*, older_than: timedelta = timedelta(days=3)) -> int:
    """Forget delivered messages WeChat can no longer retry (it retries within 15 seconds)."""
    deleted, _rows = Inbound.objects.filter(received_at__lt=timezone.now() - older_than).delete()
    return deleted


def follow_set(*, account_id: int, openid: str, followed: bool) -> int:
    return Link.objects.filter(account_id=account_id, openid=openid).update(followed=followed)


# --- linking and registering ---------------------------------------------------------------------


def account_for(centre_code: str) -> OfficialAccount:
    account = (
        OfficialAccount.objects.select_related("centre")
        .filter(centre__code=centre_code, enabled=True)
        .first()
    )
    if account is None:
        raise NotFound(_("This centre has no WeChat account."), code="wechat_account_not_found")
    return account


def oauth_url(*, account: OfficialAccount, redirect_uri: str, scope: str, state: str) -> str:
    """WeChat's web authorisation page (snsapi_base: silent, openid only; snsapi_userinfo: asks)."""
    query = urlencode(
        {
            "appid": account.app_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": scope,
            "state": state,
        }
    )
    return f"{settings.WECHAT_OPEN_BASE.rstrip('/')}/connect/oauth2/authorize?{query}#wechat_redirect"


def oauth_identity(*, account: OfficialAccount, code: str) -> dict[str, str]:
    """The openid (+ unionid, nickname with snsapi_userinfo) behind an OAuth code."""
    try:
        data = client.oauth_exchange(account.app_id, account.secret, code)
        identity = {"openid": str(data["openid"]), "unionid": str(data.get("unionid", "")), "nickname": ""}
        if data.get("scope") == "snsapi_userinfo":
            info = client.oauth_userinfo(str(data["access_token"]), identity["openid"])
            identity["nickname"] = str(info.get("nickname", ""))[:64]
            identity["unionid"] = identity["unionid"] or str(info.get("unionid", ""))
    except (client.WeChatError, KeyError) as exc:
        raise ValidationFailed(
            _("WeChat did not confirm who you are. Please try again."), code="wechat_oauth"
        ) from exc
    return identity


@transaction.atomic
def link_create(
    *,
    account: OfficialAccount,
    resident: User,
    openid: str,
    unionid: str = "",
    nickname: str = "",
    channel: str = Link.Channel.OFFICIAL,
) -> Link:
    """Link an openid to a resident of the account's centre (again: the same link). One resident per
    openid and one openid per resident, per account and channel (database constraints)."""
    if resident.centre_id != account.centre_id or not resident.is_resident:
        raise Forbidden(_("This WeChat account belongs to another centre."), code="wechat_other_centre")
    existing = Link.objects.filter(account=account, channel=channel, openid=openid).first()
    if existing is not None:
        if existing.resident_id != resident.pk:
            raise Conflict(_("This WeChat is linked to another account."), code="wechat_openid_taken")
        return existing
    if Link.objects.filter(account=account, channel=channel, resident=resident).exists():
        raise Conflict(
            _("Your account is linked to another WeChat. Unlink it first."), code="wechat_resident_taken"
        )
    try:
        with transaction.atomic():
            return Link.objects.create(
                account=account,
                channel=channel,
                resident=resident,
                openid=openid,
                unionid=unionid,
                nickname=nickname,
            )
    except IntegrityError as exc:  # a concurrent link of the same openid or resident
        raise Conflict(_("This WeChat is linked to another account."), code="wechat_openid_taken") from exc


def linked_resident(
    *, account: OfficialAccount, openid: str, channel: str = Link.Channel.OFFICIAL
) -> User | None:
    link = (
        Link.objects.select_related("resident")
        .filter(account=account, channel=channel, openid=openid)
        .first()
    )
    return link.resident if link is not None and link.resident.is_active else None


def phone_code_send(*, phone: str) -> None:
    """Send a code to the phone through the configured sender (at most one a minute)."""
    phone = accounts.phone_checked(phone)
    if not phonecodes.issue(phone):
        raise ValidationFailed(
            _("A code was sent less than a minute ago."),
            code="code_wait",
            fields={"phone": [_("A code was sent less than a minute ago.")]},
        )


@transaction.atomic
def wechat_register(
    *,
    account: OfficialAccount,
    openid: str,
    phone: str,
    code: str,
    unionid: str = "",
    nickname: str = "",
    channel: str = Link.Channel.OFFICIAL,
) -> User:
    """The second tap: the code proves the phone. A resident of this centre with that phone is linked;
    a new phone becomes a new resident (no password: they sign in through WeChat, or set one later)."""
    phone = accounts.phone_checked(phone)
    if not phonecodes.check(phone, code):
        message = _("That code is not right or has expired.")
        raise ValidationFailed(message, code="bad_code", fields={"code": [message]})
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user = accounts.resident_register(
            centre_code=account.centre.code,
            phone=phone,
            password=secrets.token_urlsafe(24),
            display_name=nickname or _("WeChat resident"),
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
    link_create(
        account=account, resident=user, openid=openid, unionid=unionid, nickname=nickname, channel=channel
    )
    return user


def link_remove(*, resident: User, link_id: int) -> None:
    deleted, _rows = Link.objects.filter(resident=resident, pk=link_id).delete()
    if not deleted:
        raise NotFound(_("No such WeChat link."), code="wechat_link_not_found")


def consent_set(*, resident: User, link_id: int, consent: bool) -> Link:
    link = Link.objects.filter(resident=resident, pk=link_id).first()
    if link is None:
        raise NotFound(_("No such WeChat link."), code="wechat_link_not_found")
    link.consent = consent
    link.save(update_fields=["consent", "updated_at"])
    return link


def mini_login(*, centre_code: str, code: str, phone: str = "", sms_code: str = "") -> dict[str, Any]:
    """A mini-program's ``wx.login`` code → the product's own API token when the openid is linked;
    with a phone and its code, a first-time user is registered (or linked) and gets a token too."""
    account = account_for(centre_code)
    if not account.mini_app_id:
        raise NotFound(_("This centre has no mini-program."), code="wechat_no_mini_program")
    try:
        session = client.code2session(account.mini_app_id, account.mini_secret, code)
        openid, unionid = str(session["openid"]), str(session.get("unionid", ""))
    except (client.WeChatError, KeyError) as exc:
        raise ValidationFailed(
            _("WeChat did not confirm the login code."),
            code="wechat_code",
            fields={"code": [_("WeChat did not confirm the login code.")]},
        ) from exc
    user = linked_resident(account=account, openid=openid, channel=Link.Channel.MINI)
    if user is None and phone and sms_code:
        user = wechat_register(
            account=account,
            openid=openid,
            unionid=unionid,
            phone=phone,
            code=sms_code,
            channel=Link.Channel.MINI,
        )
    if user is None:
        return {"linked": False, "token": None}
    return {"linked": True, "token": accounts.token_issue(user=user, client="wechat-mini-program")}


# --- template messages ----------------------------------------------------------------------------


def notifications_forward(*, kinds: list[str], cause_type: str, cause_ids: list[str]) -> int:
    """The (notification, link) pairs of newly written notifications whose recipient linked a WeChat
    that follows an account with a template for the kind, and agreed: one query, queued in chunks."""
    pairs = list(
        Notification.objects.filter(kind__in=kinds, cause_type=cause_type, cause_id__in=cause_ids)
        .filter(
            recipient__wechat_links__channel=Link.Channel.OFFICIAL,
            recipient__wechat_links__consent=True,
            recipient__wechat_links__followed=True,
            recipient__wechat_links__account__enabled=True,
        )
        .values_list(
            "pk", "recipient__wechat_links__pk", "kind", "recipient__wechat_links__account__templates"
        )
    )
    wanted = [(n, link) for n, link, kind, templates in pairs if (templates or {}).get(kind)]
    for start in range(0, len(wanted), CHUNK):
        tasks.deliver_many.delay(wanted[start : start + CHUNK])
    return len(wanted)


def _within_rate(account_id: int) -> bool:
    key = f"wechat:rate:{account_id}:{int(time.time() // 60)}"
    cache.add(key, 0, 120)
    try:
        return cache.incr(key) <= settings.WECHAT_SENDS_PER_MINUTE
    except ValueError:
        return True


def backoff(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1``: 30 s, 1 min, 2 min, 4 min."""
    return 30 * 2 ** (attempt - 1)


def _template_message(
    *, notification: Notification, link: Link, template_id: str, base_url: str
) -> dict[str, Any]:
    with translation.override(ANSWER_LANGUAGE):
        said = describe(notification)
        when = timezone.localtime(notification.created_at).strftime("%Y-%m-%d %H:%M")
    return {
        "touser": link.openid,
        "template_id": template_id,
        "url": f"{base_url.rstrip('/')}{said.url}",
        "data": {
            "first": {"value": said.title},
            "keyword1": {"value": said.title},
            "keyword2": {"value": when},
            "remark": {"value": said.body},
        },
    }


def template_deliver(*, notification_id: int, link_id: int, attempt: int = 1) -> tuple[str, int | None]:
    """Send one notification to one link, recording the attempt (append-only ``Send``). Returns the
    status and, when it should be tried again, the delay in seconds."""
    link = Link.objects.select_related("account", "account__centre").filter(pk=link_id).first()
    notification = Notification.objects.filter(pk=notification_id).first()
    if link is None or notification is None or not (link.consent and link.followed and link.account.enabled):
        return "skipped", None
    account = link.account
    template_id = (account.templates or {}).get(notification.kind)
    if (
        not template_id
        or Send.objects.filter(notification=notification, link=link, status=Send.Status.SENT).exists()
    ):
        return "skipped", None

    def record(status: str, errcode: int = 0, msgid: str = "") -> None:
        try:
            with transaction.atomic():
                Send.objects.create(
                    account=account,
                    link=link,
                    notification=notification,
                    openid=link.openid,
                    kind=notification.kind,
                    attempt=attempt,
                    status=status,
                    errcode=errcode,
                    msgid=msgid[:32],
                )
        except IntegrityError:  # a concurrent delivery of the same pair won
            pass

    if not _within_rate(account.pk):
        record(Send.Status.DEFERRED)
        return Send.Status.DEFERRED, 60
    message = _template_message(
        notification=notification, link=link, template_id=template_id, base_url=settings.WECHAT_SITE_URL
    )
    try:
        msgid = client.template_send(account.app_id, account.secret, message)
    except client.WeChatError as exc:
        if exc.errcode in GIVE_UP:
            record(Send.Status.GAVE_UP, exc.errcode)
            if exc.errcode == 43004:
                follow_set(account_id=account.pk, openid=link.openid, followed=False)
            return Send.Status.GAVE_UP, None
        if attempt >= MAX_ATTEMPTS:
            record(Send.Status.GAVE_UP, exc.errcode)
            return Send.Status.GAVE_UP, None
        record(Send.Status.FAILED, exc.errcode)
        return Send.Status.FAILED, backoff(attempt)
    record(Send.Status.SENT, 0, msgid)
    return Send.Status.SENT, None


# --- JS-SDK ----------------------------------------------------------------------------------------


def jssdk_config(*, account: OfficialAccount, url: str) -> dict[str, Any]:
    """``wx.config`` for a page at ``url``: app id, timestamp, nonce and the signature from the cached
    jsapi ticket (fetched once for all workers, see ``client``)."""
    ticket = client.jsapi_ticket(account.app_id, account.secret)
    nonce, timestamp = secrets.token_hex(8), int(time.time())
    return {
        "appId": account.app_id,
        "timestamp": timestamp,
        "nonceStr": nonce,
        "signature": protocol.jsapi_signature(ticket=ticket, nonce=nonce, timestamp=timestamp, url=url),
        "jsApiList": ["scanQRCode"],
    }
