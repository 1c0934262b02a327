"""A local server that speaks WeChat's documented API for the calls the product makes:

``GET /cgi-bin/token``, ``POST /cgi-bin/message/template/send``, ``GET /cgi-bin/ticket/getticket``,
``GET /sns/oauth2/access_token``, ``GET /sns/userinfo``, ``GET /sns/jscode2session``. Errors are
WeChat's (``{"errcode": 40001, "errmsg": "invalid credential"}`` for a token it did not issue or has
expired, 40029 for a bad code, 40013 for a wrong appid/secret). Runs in a thread on 127.0.0.1."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class FakeWeChat:
    def __init__(self, apps: dict[str, str]):
        self.apps = dict(apps)  # appid → secret
        self.tokens: dict[str, str] = {}  # token → appid (the valid ones)
        self.codes: dict[str, dict] = {}  # OAuth / wx.login code → what WeChat knows about the user
        self.sent: list[dict] = []
        self.calls: list[str] = []
        self.fail_sends: list[int] = []  # errcodes the next template sends answer, in order
        self.lock = threading.Lock()
        self.delay = 0.0  # seconds the token endpoint takes (widens the race window)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, payload: dict) -> None:
                body = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlparse(self.path)
                self._answer(fake.handle(url.path, {k: v[0] for k, v in parse_qs(url.query).items()}, None))

            def do_POST(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                self._answer(fake.handle(url.path, {k: v[0] for k, v in parse_qs(url.query).items()}, body))

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # many concurrent senders, as WeChat's front ends accept them

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeWeChat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, path: str) -> int:
        return sum(1 for c in self.calls if c == path)

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def user(self, code: str, openid: str, *, unionid: str = "", nickname: str = "") -> None:
        self.codes[code] = {"openid": openid, "unionid": unionid, "nickname": nickname}

    def _token_ok(self, q: dict) -> bool:
        return q.get("access_token", "") in self.tokens

    def handle(self, path: str, q: dict, body: dict | None) -> dict:
        with self.lock:
            self.calls.append(path)
        if path == "/cgi-bin/token":
            if self.delay:
                time.sleep(self.delay)
            if (
                self.apps.get(q.get("appid", "")) != q.get("secret")
                or q.get("grant_type") != "client_credential"
            ):
                return {"errcode": 40013, "errmsg": "invalid appid"}
            token = "AT_" + secrets.token_hex(12)
            with self.lock:
                self.tokens[token] = q["appid"]
            return {"access_token": token, "expires_in": 7200}
        if path == "/cgi-bin/ticket/getticket":
            if not self._token_ok(q):
                return {"errcode": 40001, "errmsg": "invalid credential"}
            return {
                "errcode": 0,
                "errmsg": "ok",
                "ticket": "TICKET_" + secrets.token_hex(8),
                "expires_in": 7200,
            }
        if path == "/cgi-bin/message/template/send":
            if not self._token_ok(q):
                return {
                    "errcode": 40001,
                    "errmsg": "invalid credential, access_token is invalid or not latest",
                }
            with self.lock:
                if self.fail_sends:
                    return {"errcode": self.fail_sends.pop(0), "errmsg": "system error"}
                self.sent.append(body or {})
                msgid = len(self.sent)
            if not (body or {}).get("touser") or not (body or {}).get("template_id"):
                return {"errcode": 40003, "errmsg": "invalid openid"}
            return {"errcode": 0, "errmsg": "ok", "msgid": msgid}
        if path in ("/sns/oauth2/access_token", "/sns/jscode2session"):
            code = q.get("code") if path.endswith("access_token") else q.get("js_code")
            if self.apps.get(q.get("appid", "")) != q.get("secret"):
                return {"errcode": 40013, "errmsg": "invalid appid"}
            user = self.codes.pop(code or "", None)
            if user is None:
                return {"errcode": 40029, "errmsg": "invalid code"}
            out = {"openid": user["openid"]}
            if user["unionid"]:
                out["unionid"] = user["unionid"]
            if path.endswith("jscode2session"):
                return {**out, "session_key": secrets.token_hex(8)}
            scope = "snsapi_userinfo" if user["nickname"] else "snsapi_base"
            token = "UAT_" + secrets.token_hex(8)
            with self.lock:
                self.tokens[token] = user["openid"]
                self.codes["userinfo:" + token] = user
            return {**out, "access_token": token, "expires_in": 7200, "refresh_token": "R", "scope": scope}
        if path == "/sns/userinfo":
            user = self.codes.get("userinfo:" + q.get("access_token", ""))
            if user is None:
                return {"errcode": 40001, "errmsg": "invalid credential"}
            return {"openid": user["openid"], "nickname": user["nickname"], "unionid": user["unionid"]}
        return {"errcode": 404, "errmsg": "no such api"}
