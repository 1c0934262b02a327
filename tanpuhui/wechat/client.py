"""Calls to WeChat's API (``settings.WECHAT_API_BASE``) with the account's access token and jsapi
ticket cached in Django's cache (Redis in production) and refreshed once for all workers.

A token is fetched only when the cache has none, or when WeChat refused the one a caller used
(errcode 40001 invalid / 42001 expired / 40014). The refresh runs under a lock — a PostgreSQL transaction-scoped advisory
lock where the database is PostgreSQL (every worker shares it whatever the cache is), else a
``cache.add`` lock — and re-reads the cache inside it: the callers who waited find the new token and
never fetch again. So 16 concurrent sends holding an expired token cause one ``/cgi-bin/token`` call.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

TIMEOUT = 4.0  # seconds; inbound replies must leave within WeChat's 5 s, so slow calls go to tasks
TOKEN_REFUSED = {40001, 40014, 42001}
EARLY = 300  # refresh this many seconds before WeChat's expiry


class WeChatError(Exception):
    def __init__(self, errcode: int, errmsg: str = ""):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode, self.errmsg = errcode, errmsg


def _url(path: str, query: dict[str, str]) -> str:
    return f"{settings.WECHAT_API_BASE.rstrip('/')}{path}?{urllib.parse.urlencode(query)}"


def request(path: str, query: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One HTTPS call; WeChat answers JSON, with ``errcode`` non-zero on failure."""
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(  # noqa: S310 - the base URL is a setting (https in production)
        _url(path, query), data=data, headers={"Content-Type": "application/json"} if data else {}
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:  # noqa: S310
            payload = json.loads(response.read().decode() or "{}")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        raise WeChatError(-1, f"unreachable: {exc}") from exc
    if int(payload.get("errcode") or 0) != 0:
        raise WeChatError(int(payload["errcode"]), str(payload.get("errmsg", "")))
    return payload


@contextmanager
def _lock(name: str, wait: float = 10.0) -> Iterator[None]:
    """One holder across every worker: a PostgreSQL advisory lock, or a cache lock elsewhere."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        # Transaction-scoped, not a session lock: behind PgBouncer in transaction mode a session lock
        # would be taken on one server connection and released on another (or never). The refresh's
        # one HTTP call runs inside this short transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            yield
        return
    deadline = time.monotonic() + wait
    while not cache.add(f"lock:{name}", 1, timeout=int(wait) + 5):
        if time.monotonic() > deadline:
            break  # a holder died: go on rather than hang (at worst one extra fetch)
        time.sleep(0.02)
    try:
        yield
    finally:
        cache.delete(f"lock:{name}")


def _cached(key: str, fetch: Callable[[], tuple[str, int]], *, stale: str | None = None) -> str:
    value = cache.get(key)
    if value and value != stale:
        return value
    with _lock(key):
        value = cache.get(key)
        if value and value != stale:
            return value  # another worker refreshed it while we waited
        value, expires_in = fetch()
        cache.set(key, value, max(60, expires_in - EARLY))
        logger.info("wechat credential refreshed", extra={"key": key})
        return value


def token_key(app_id: str) -> str:
    return f"wechat:access_token:{app_id}"


def access_token(app_id: str, secret: str, *, stale: str | None = None) -> str:
    def fetch() -> tuple[str, int]:
        data = request(
            "/cgi-bin/token", {"grant_type": "client_credential", "appid": app_id, "secret": secret}
        )
        return str(data["access_token"]), int(data.get("expires_in", 7200))

    return _cached(token_key(app_id), fetch, stale=stale)


def with_token(app_id: str, secret: str, call: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """Run ``call(access_token)``; if WeChat refuses the token, refresh it (once for everyone) and
    run the call again, once."""
    token = access_token(app_id, secret)
    try:
        return call(token)
    except WeChatError as exc:
        if exc.errcode not in TOKEN_REFUSED:
            raise
        return call(access_token(app_id, secret, stale=token))


def jsapi_ticket(app_id: str, secret: str) -> str:
    def fetch() -> tuple[str, int]:
        data = with_token(
            app_id,
            secret,
            lambda token: request("/cgi-bin/ticket/getticket", {"access_token": token, "type": "jsapi"}),
        )
        return str(data["ticket"]), int(data.get("expires_in", 7200))

    return _cached(f"wechat:jsapi_ticket:{app_id}", fetch)


def template_send(app_id: str, secret: str, message: dict[str, Any]) -> str:
    """Send one template message; returns WeChat's msgid."""
    data = with_token(
        app_id,
        secret,
        lambda token: request("/cgi-bin/message/template/send", {"access_token": token}, message),
    )
    return str(data.get("msgid", ""))


def oauth_exchange(app_id: str, secret: str, code: str) -> dict[str, Any]:
    """``sns/oauth2/access_token``: openid (+ unionid), the user's access token and its scope."""
    return request(
        "/sns/oauth2/access_token",
        {"appid": app_id, "secret": secret, "code": code, "grant_type": "authorization_code"},
    )


def oauth_userinfo(access_token_: str, openid: str) -> dict[str, Any]:
    return request("/sns/userinfo", {"access_token": access_token_, "openid": openid, "lang": "zh_CN"})


def code2session(app_id: str, secret: str, code: str) -> dict[str, Any]:
    """A mini-program's ``wx.login`` code → openid (+ unionid, session_key, which we never keep)."""
    return request(
        "/sns/jscode2session",
        {"appid": app_id, "secret": secret, "js_code": code, "grant_type": "authorization_code"},
    )
