"""The whole loop against the local WeChat-protocol server: subscribe → bind by OAuth (two taps for a
first-time user) → coins earned from a provider's batch → template message sent → menu 我的碳币
answers the balance."""

from urllib.parse import parse_qs, urlparse

import pytest

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import BindingFactory
from tanpuhui.ledger.conversion import reductions_convert
from tanpuhui.ledger.models import Account, AccountKind
from tanpuhui.ledger.tests.factories import default_rule
from tanpuhui.metering.models import DataProvider
from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload
from tanpuhui.notifications.models import Notification
from tanpuhui.notifications.tests.test_services import HEADER, trips
from tanpuhui.wechat import phonecodes
from tanpuhui.wechat.models import Link, Send
from tanpuhui.wechat.tests import helpers as wx

pytestmark = pytest.mark.django_db
WECHAT_UA = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 Mobile/15E148 MicroMessenger/8.0.50 NetType/WIFI"


def test_subscribe_bind_earn_message_balance(client, gz, account, fake, django_capture_on_commit_callbacks):
    # 1. A new follower is welcomed with the bind link.
    welcome = wx.reply_of(wx.post(client, "GZ", wx.event("oNewUser", "subscribe"), safe=True), safe=True)
    bind_url = next(word for word in welcome["Content"].split() if "/wechat/GZ/bind/" in word).split("：")[-1]
    assert bind_url.endswith("/wechat/GZ/bind/")

    # 2. The bind link goes to WeChat's authorisation page, which comes back with a code.
    client.defaults["HTTP_USER_AGENT"] = WECHAT_UA
    to_wechat = client.get("/wechat/GZ/bind/?profile=1")
    assert to_wechat.status_code == 302
    authorize = urlparse(to_wechat["Location"])
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert authorize.path == "/connect/oauth2/authorize" and query["scope"] == "snsapi_userinfo"
    assert query["appid"] == wx.APP_ID and query["redirect_uri"].endswith("/wechat/GZ/oauth/")
    fake.user("CODE1", "oNewUser", unionid="uUnion1", nickname="小林")
    back = client.get("/wechat/GZ/oauth/", {"code": "CODE1", "state": query["state"]})
    assert back.status_code == 302 and back["Location"].endswith("/wechat/GZ/register/")

    # 3. Two taps: the phone, then the code the (console) sender sent.
    tap1 = client.post("/wechat/GZ/register/", {"phone": "13911112222"})
    assert tap1.status_code == 200 and b"wechat-code-form" in tap1.content
    phone, code = phonecodes.SENT[-1]
    assert phone == "+8613911112222" or phone.endswith("13911112222")
    tap2 = client.post("/wechat/GZ/register/", {"phone": "13911112222", "code": code})
    assert tap2.status_code == 302
    link = Link.objects.get(openid="oNewUser")
    resident = link.resident
    assert (link.unionid, link.nickname, resident.centre_id) == ("uUnion1", "小林", gz.pk)
    assert client.get("/me/wechat/").status_code == 200

    # 4. Coins earned from a provider's batch → one template message to the linked WeChat.
    seed_methods(gz)
    default_rule(gz)
    transit = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    BindingFactory(resident=resident, centre=gz, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000001")
    with django_capture_on_commit_callbacks(execute=True):
        batch, _ = upload(transit, "transit_trip", HEADER + trips("T100000001", 39))
        reductions_convert(batch_id=str(batch.pk))
    note = Notification.objects.get(recipient=resident, kind="coins_earned")
    balance = Account.objects.get(user=resident, kind=AccountKind.WALLET).balance
    assert note.coins == balance > 0
    assert len(fake.sent) == 1
    sent = fake.sent[0]
    assert sent["touser"] == "oNewUser" and sent["template_id"] == "TPL_coins_earned"
    assert str(balance) in sent["data"]["first"]["value"] and sent["url"].startswith(
        "https://tanpuhui.example/"
    )
    assert Send.objects.get().status == Send.Status.SENT

    # 5. The menu 我的碳币 answers the balance.
    reply = wx.reply_of(
        wx.post(client, "GZ", wx.event("oNewUser", "CLICK", "MY_COINS"), safe=True), safe=True
    )
    assert f"{balance:,}" in reply["Content"] and "碳币" in reply["Content"]
    reply = wx.reply_of(wx.post(client, "GZ", wx.text("oNewUser", "余额", 42), safe=True), safe=True)
    assert f"{balance:,}" in reply["Content"]
    reply = wx.reply_of(
        wx.post(client, "GZ", wx.event("oNewUser", "CLICK", "MY_REDUCTIONS"), safe=True), safe=True
    )
    assert "千克" in reply["Content"]
