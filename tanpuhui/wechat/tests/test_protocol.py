"""The protocol module: signature, safe-mode envelope, hardened parsing, JS-SDK signature."""

import base64
import hashlib

import pytest

from tanpuhui.wechat import protocol
from tanpuhui.wechat.tests.helpers import AES_KEY, APP_ID, TOKEN


def test_signature_is_sha1_of_the_sorted_parts():
    # WeChat's documented example: sort(token, timestamp, nonce), join, SHA-1.
    expected = hashlib.sha1("".join(sorted(["tok", "1409304348", "xxxxxx"])).encode()).hexdigest()  # noqa: S324
    assert protocol.signature_ok(token="tok", timestamp="1409304348", nonce="xxxxxx", signature=expected)
    assert not protocol.signature_ok(token="tok", timestamp="1409304348", nonce="xxxxxy", signature=expected)
    assert not protocol.signature_ok(token="", timestamp="", nonce="", signature="")


def test_envelope_round_trip_and_layout():
    envelope = protocol.Envelope(token=TOKEN, aes_key=AES_KEY, app_id=APP_ID)
    sealed = envelope.encrypt(b"<xml>hi</xml>", random=b"0" * 16)
    raw = base64.b64decode(sealed)
    assert len(raw) % 32 == 0  # padded to WeChat's 32-byte blocks
    assert envelope.decrypt(sealed) == b"<xml>hi</xml>"
    other = protocol.Envelope(token=TOKEN, aes_key=AES_KEY, app_id="wxother0000000000")
    with pytest.raises(protocol.ProtocolError):
        other.decrypt(sealed)  # the app id inside must be ours
    with pytest.raises(protocol.ProtocolError):
        envelope.decrypt("not base64!!")
    with pytest.raises(protocol.ProtocolError):
        envelope.decrypt(base64.b64encode(b"x" * 32).decode())


def test_sealed_reply_is_signed():
    envelope = protocol.Envelope(token=TOKEN, aes_key=AES_KEY, app_id=APP_ID)
    out = protocol.parse_xml(envelope.seal(b"<xml><Content>ok</Content></xml>", timestamp="1", nonce="n"))
    assert out["MsgSignature"] == protocol.sha1_signature(TOKEN, "1", "n", out["Encrypt"])
    assert protocol.parse_xml(envelope.decrypt(out["Encrypt"])) == {"Content": "ok"}


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><Content>&lol3;</Content></xml>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>"""


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        EXTERNAL,
        b"<xml><Content>",
        b"",
        b"<notxml/>",
        b"<xml>" + b"a" * (protocol.MAX_BODY + 1) + b"</xml>",
    ],
    ids=["billion-laughs", "external-entity", "truncated", "empty", "wrong-root", "oversize"],
)
def test_hostile_or_malformed_xml_is_refused(body):
    with pytest.raises(protocol.ProtocolError):
        protocol.parse_xml(body)


def test_jsapi_signature_matches_the_documented_example():
    # From WeChat's JS-SDK documentation (附录1).
    signature = protocol.jsapi_signature(
        ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
        nonce="Wm3WZYTPz0wzccnW",
        timestamp=1414587457,
        url="http://mp.weixin.qq.com?params=value#fragment",
    )
    assert signature == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"


def test_new_aes_key_is_a_valid_key():
    protocol.Envelope(token=TOKEN, aes_key=protocol.new_aes_key(), app_id=APP_ID)
