"""The server endpoint: WeChat's signature, safe and plain modes, retries answered once, hostile XML
refused with a 4xx (never a 500), events and keywords."""

import pytest

from tanpuhui.wechat.models import Inbound, Link
from tanpuhui.wechat.tests import helpers as wx
from tanpuhui.wechat.tests.test_protocol import BILLION_LAUGHS, EXTERNAL

pytestmark = pytest.mark.django_db


def test_the_server_check_echoes_with_a_good_signature_only(client, account):
    query = wx.signed_query(echostr="hello123")
    assert client.get("/wechat/GZ/", query).content == b"hello123"
    assert client.get("/wechat/GZ/", {**query, "signature": "0" * 40}).status_code == 403
    assert client.get("/wechat/GZ/", {**wx.signed_query("wrongtoken"), "echostr": "x"}).status_code == 403
    assert client.get("/wechat/NOPE/", query).status_code == 404


def test_a_bad_signature_is_403_and_nothing_is_done(client, account):
    bad = {**wx.signed_query(), "signature": "f" * 40}
    response = wx.post(client, "GZ", wx.event("oUser1", "subscribe"), query=bad)
    assert response.status_code == 403
    assert not Inbound.objects.exists()
    # safe mode: a right query signature but a wrong msg_signature
    body = wx.event("oUser1", "subscribe")
    q = wx.signed_query()
    response = client.post(
        "/wechat/GZ/?"
        + "&".join(f"{k}={v}" for k, v in {**q, "encrypt_type": "aes", "msg_signature": "0" * 40}.items()),
        data=b"<xml><Encrypt>abcd</Encrypt></xml>",
        content_type="text/xml",
    )
    assert response.status_code == 403
    assert not Inbound.objects.exists()
    assert body  # (unused)


def test_an_old_timestamp_is_refused(client, account):
    q = {"timestamp": "1000000000", "nonce": "n"}
    q["signature"] = wx.protocol.sha1_signature(wx.TOKEN, q["timestamp"], q["nonce"])
    assert wx.post(client, "GZ", wx.event("oUser1", "subscribe"), query=q).status_code == 403


def test_subscribe_is_welcomed_with_a_bind_link_in_safe_mode(client, account):
    response = wx.post(client, "GZ", wx.event("oUser1", "subscribe"), safe=True)
    assert response.status_code == 200
    reply = wx.reply_of(response, safe=True)
    assert reply["ToUserName"] == "oUser1" and reply["MsgType"] == "text"
    assert "/wechat/GZ/bind/" in reply["Content"] and "欢迎" in reply["Content"]


def test_safe_mode_account_refuses_plain_posts(client, account):
    assert wx.post(client, "GZ", wx.event("oUser1", "subscribe")).status_code == 400


def test_wechat_needs_no_csrf_token(plain_account):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert wx.post(strict, "GZ", wx.text("oUser1", "帮助", 7)).status_code == 200


def test_a_retry_is_answered_once(client, plain_account):
    body = wx.text("oUser1", "帮助", 6054768590064713728)
    first = wx.post(client, "GZ", body)
    again = wx.post(client, "GZ", body)
    assert "余额" in wx.reply_of(first)["Content"]
    assert again.status_code == 200 and again.content == b"success"
    assert Inbound.objects.count() == 1
    # events are keyed by sender + CreateTime
    ev = wx.event("oUser1", "CLICK", "MY_COINS", when=1700000000)
    assert wx.post(client, "GZ", ev).content != b"success"
    assert wx.post(client, "GZ", ev).content == b"success"


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        EXTERNAL,
        b"<xml><Content>",
        b"not xml at all",
        b"<xml></xml>",
        b"<xml>" + b"a" * 70000 + b"</xml>",
    ],
    ids=["billion-laughs", "external-entity", "truncated", "garbage", "empty-message", "oversize"],
)
@pytest.mark.parametrize("safe", [False, True], ids=["plain", "safe"])
def test_hostile_or_malformed_xml_is_a_4xx(client, gz, gz_operator, fake, body, safe):
    from tanpuhui.wechat.tests.conftest import configure

    configure(gz, gz_operator, mode="safe" if safe else "plain")
    response = wx.post(client, "GZ", body, safe=safe)
    assert 400 <= response.status_code < 500
    assert not Inbound.objects.exists()


def test_a_hostile_envelope_is_a_4xx(client, account):
    q = wx.signed_query()
    for envelope in (BILLION_LAUGHS, b"<xml><Encrypt>!!!</Encrypt></xml>", b"<xml/>"):
        from urllib.parse import urlencode

        encrypted = wx.protocol.parse_xml(envelope).get("Encrypt", "") if b"DOCTYPE" not in envelope else ""
        sig = wx.protocol.sha1_signature(wx.TOKEN, q["timestamp"], q["nonce"], encrypted)
        response = client.post(
            "/wechat/GZ/?" + urlencode({**q, "encrypt_type": "aes", "msg_signature": sig}),
            data=envelope,
            content_type="text/xml",
        )
        assert 400 <= response.status_code < 500, envelope


def test_unknown_text_gets_help_and_unsubscribe_stops_messages(client, plain_account, resident):
    Link.objects.create(account=plain_account, resident=resident, openid="oUser1")
    reply = wx.reply_of(wx.post(client, "GZ", wx.text("oUser1", "你好", 1)))
    assert "余额" in reply["Content"]
    assert wx.post(client, "GZ", wx.event("oUser1", "unsubscribe")).content == b"success"
    assert Link.objects.get().followed is False
    wx.post(client, "GZ", wx.event("oUser1", "subscribe", when=1700000001))
    assert Link.objects.get().followed is True


def test_menu_for_someone_not_linked_offers_the_bind_link(client, plain_account):
    reply = wx.reply_of(wx.post(client, "GZ", wx.event("oStranger", "CLICK", "MY_COINS")))
    assert "/wechat/GZ/bind/" in reply["Content"]


def test_old_deliveries_are_forgotten(client, plain_account):
    from datetime import timedelta

    from django.utils import timezone

    from tanpuhui.wechat import services

    wx.post(client, "GZ", wx.text("oUser1", "帮助", 99))
    assert services.inbound_prune() == 0
    Inbound.objects.update(received_at=timezone.now() - timedelta(days=4))
    assert services.inbound_prune() == 1


def test_a_bad_or_huge_content_length_is_a_4xx(client, plain_account):
    from urllib.parse import urlencode

    url = "/wechat/GZ/?" + urlencode(wx.signed_query())
    body = wx.text("oUser1", "帮助", 5)
    assert client.post(url, data=body, content_type="text/xml", HTTP_CONTENT_LENGTH="x1").status_code == 400
    assert (
        client.generic("POST", url, body, content_type="text/xml", CONTENT_LENGTH="999999").status_code == 413
    )
