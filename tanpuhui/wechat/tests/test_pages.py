"""Pages inside WeChat's browser: the JS-SDK is loaded only there; the demo configures every centre."""

import pytest

from tanpuhui.wechat.models import Link, OfficialAccount

pytestmark = pytest.mark.django_db
WECHAT_UA = "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36 MicroMessenger/8.0.50.2701 NetType/WIFI"


def test_the_counter_page_loads_the_wechat_scanner_only_inside_wechat(client, account, gz):
    from tanpuhui.marketplace.tests.factories import MerchantFactory, make_merchant_staff

    cashier = make_merchant_staff(MerchantFactory(centre=gz)).user
    client.force_login(cashier)
    outside = client.get("/merchant/verify/").content.decode()
    inside = client.get("/merchant/verify/", HTTP_USER_AGENT=WECHAT_UA).content.decode()
    assert "weixin-js-sdk" not in outside and "qr-scanner" in outside
    assert (
        "weixin-js-sdk" in inside
        and 'data-wechat-config="/wechat/jssdk/"' in inside
        and "qr-scanner" in inside
    )


def test_the_demo_configures_each_centre_once(django_capture_on_commit_callbacks):
    from tanpuhui.accounts import demo as accounts_demo
    from tanpuhui.tenancy import demo as tenancy_demo
    from tanpuhui.wechat import demo

    tenancy_demo.load()
    accounts_demo.load()
    first = demo.load()
    assert demo.load() == "0 WeChat service accounts configured, 0 resident linked"
    assert first.startswith("4 ")
    gz = OfficialAccount.objects.get(centre__code="GZ")
    assert gz.mode == "safe" and len(gz.aes_key) == 43 and gz.secret and gz.token
    assert Link.objects.get().consent is False  # the demo never sends to WeChat's servers
