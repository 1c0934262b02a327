"""WeChat-shaped inbound messages, signed (and in safe mode encrypted) as WeChat does."""

from __future__ import annotations

import secrets
import time
from urllib.parse import urlencode

from tanpuhui.wechat import protocol

APP_ID, SECRET, TOKEN = "wx1234567890abcdef", "fake-app-secret-gz", "tanpuhuiGZtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
MINI_APP_ID, MINI_SECRET = "wxfedcba0987654321", "fake-mini-secret"


def xml(**fields) -> bytes:
    inner = "".join(
        f"<{k}><![CDATA[{v}]]></{k}>" if isinstance(v, str) else f"<{k}>{v}</{k}>" for k, v in fields.items()
    )
    return f"<xml>{inner}</xml>".encode()


def event(openid: str, name: str, key: str = "", when: int | None = None) -> bytes:
    return xml(
        ToUserName="gh_tanpuhui",
        FromUserName=openid,
        CreateTime=when or int(time.time()),
        MsgType="event",
        Event=name,
        EventKey=key,
    )


def text(openid: str, content: str, msg_id: int) -> bytes:
    return xml(
        ToUserName="gh_tanpuhui",
        FromUserName=openid,
        CreateTime=int(time.time()),
        MsgType="text",
        Content=content,
        MsgId=msg_id,
    )


def signed_query(token: str = TOKEN, **extra) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(5)
    return {
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": protocol.sha1_signature(token, timestamp, nonce),
        **extra,
    }


def post(
    client, centre: str, body: bytes, *, safe: bool = False, token: str = TOKEN, query: dict | None = None
):
    q = query or signed_query(token)
    if safe:
        envelope = protocol.Envelope(token=token, aes_key=AES_KEY, app_id=APP_ID)
        encrypted = envelope.encrypt(body)
        q = {
            **q,
            "encrypt_type": "aes",
            "msg_signature": protocol.sha1_signature(token, q["timestamp"], q["nonce"], encrypted),
        }
        body = f"<xml><ToUserName><![CDATA[gh_tanpuhui]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()
    return client.post(f"/wechat/{centre}/?{urlencode(q)}", data=body, content_type="text/xml")


def reply_of(response, *, safe: bool = False) -> dict[str, str]:
    body = response.content
    if safe:
        envelope = protocol.Envelope(token=TOKEN, aes_key=AES_KEY, app_id=APP_ID)
        outer = protocol.parse_xml(body)
        assert outer["MsgSignature"] == protocol.sha1_signature(
            TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"]
        )
        body = envelope.decrypt(outer["Encrypt"])
    return protocol.parse_xml(body)
