"""WeChat's official-account protocol, written from its documentation (no SDK): the server signature,
the safe-mode (AES) envelope, hardened XML parsing, passive replies and the JS-SDK signature.

Why not wechatpy (docs/wechat.md): 1.8.18 parses every inbound message with ``xmltodict`` (expat with
its default entity handling, no size bound), carries Python 2 shims (``six``), pulls ``requests`` and
four more packages, and stores tokens without a cross-worker refresh lock. What the product needs is
about 150 lines over ``cryptography`` and ``defusedxml``, tested against WeChat's published vectors
shape in ``tests/test_protocol.py``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from xml.etree.ElementTree import Element, ParseError, SubElement, tostring

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BODY = 64 * 1024  # WeChat's messages are a few hundred bytes; anything this large is not WeChat
BLOCK = 32  # WeChat pads to 32-byte blocks (PKCS#7 with k = 32)


class ProtocolError(ValueError):
    """A message that is not what WeChat sends: bad XML, hostile XML, a bad envelope."""


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the parts sorted lexicographically and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's scheme


def signature_ok(*, token: str, timestamp: str, nonce: str, signature: str) -> bool:
    if not (token and timestamp and nonce and signature):
        return False
    return hmac.compare_digest(sha1_signature(token, timestamp, nonce), signature.lower())


def fresh(timestamp: str, *, skew: int, now: float | None = None) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    return abs((now if now is not None else time.time()) - sent) <= skew


def parse_xml(data: bytes) -> dict[str, str]:
    """The children of WeChat's ``<xml>`` root as a flat dict. Refuses a DTD (so no entity expansion,
    no external entity), anything over ``MAX_BODY`` and anything that is not well-formed."""
    if len(data) > MAX_BODY:
        raise ProtocolError("too large")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise ProtocolError(str(exc) or "bad xml") from exc
    if root.tag != "xml":
        raise ProtocolError("not a WeChat message")
    return {child.tag: (child.text or "").strip() for child in root if len(child) == 0}


def _xml(fields: dict[str, str | int]) -> bytes:
    root = Element("xml")
    for name, value in fields.items():
        SubElement(root, name).text = str(value)
    return tostring(root, encoding="utf-8")


def text_reply(*, to_user: str, from_user: str, content: str, now: int | None = None) -> bytes:
    """A passive text reply (``MsgType`` text) to the user who wrote to the account."""
    return _xml(
        {
            "ToUserName": to_user,
            "FromUserName": from_user,
            "CreateTime": now if now is not None else int(time.time()),
            "MsgType": "text",
            "Content": content,
        }
    )


# --- safe mode (消息加解密) ---------------------------------------------------------------------


class Envelope:
    """The AES-256-CBC envelope of safe mode: key = base64(EncodingAESKey + "="), IV = key[:16];
    plaintext = 16 random bytes + 4-byte big-endian length + message + app id, PKCS#7 to 32 bytes."""

    def __init__(self, *, token: str, aes_key: str, app_id: str):
        if len(aes_key) != 43:
            raise ProtocolError("EncodingAESKey must be 43 characters")
        try:
            self.key = base64.b64decode(aes_key + "=")
        except ValueError as exc:
            raise ProtocolError("bad EncodingAESKey") from exc
        if len(self.key) != 32:
            raise ProtocolError("bad EncodingAESKey")
        self.token, self.app_id = token, app_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: bytes, *, random: bytes | None = None) -> str:
        plain = (random or secrets.token_bytes(16)) + struct.pack("!I", len(message)) + message
        plain += self.app_id.encode()
        padder = padding.PKCS7(BLOCK * 8).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> bytes:
        try:
            raw = base64.b64decode(encrypted, validate=True)
            if not raw or len(raw) % 16:
                raise ProtocolError("bad length")
            decryptor = self._cipher().decryptor()
            padded = decryptor.update(raw) + decryptor.finalize()
            unpadder = padding.PKCS7(BLOCK * 8).unpadder()
            plain = unpadder.update(padded) + unpadder.finalize()
        except (ValueError, TypeError) as exc:
            raise ProtocolError("cannot decrypt") from exc
        if len(plain) < 20:
            raise ProtocolError("too short")
        (length,) = struct.unpack("!I", plain[16:20])
        message, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length or not hmac.compare_digest(app_id, self.app_id.encode()):
            raise ProtocolError("not for this account")
        return message

    def open(self, *, body: bytes, timestamp: str, nonce: str, msg_signature: str) -> bytes:
        """The inner message of an encrypted POST, after checking its ``msg_signature``."""
        encrypted = parse_xml(body).get("Encrypt", "")
        if not encrypted:
            raise ProtocolError("no Encrypt element")
        expected = sha1_signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, (msg_signature or "").lower()):
            raise SignatureMismatch
        return self.decrypt(encrypted)

    def seal(self, reply: bytes, *, timestamp: str | None = None, nonce: str | None = None) -> bytes:
        """An encrypted passive reply: ``Encrypt``, ``MsgSignature``, ``TimeStamp``, ``Nonce``."""
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or secrets.token_hex(8)
        encrypted = self.encrypt(reply)
        return _xml(
            {
                "Encrypt": encrypted,
                "MsgSignature": sha1_signature(self.token, timestamp, nonce, encrypted),
                "TimeStamp": timestamp,
                "Nonce": nonce,
            }
        )


class SignatureMismatch(Exception):
    """The message signature does not match: not from WeChat (answered 403)."""


# --- JS-SDK ------------------------------------------------------------------------------------


def jsapi_signature(*, ticket: str, nonce: str, timestamp: int, url: str) -> str:
    """The JS-SDK ``wx.config`` signature: SHA-1 of the four fields in ASCII order, ``url`` without
    its fragment."""
    url = url.split("#", 1)[0]
    text = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - WeChat's scheme


def new_aes_key() -> str:
    """A fresh EncodingAESKey (43 characters of base64 for 32 random bytes)."""
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
