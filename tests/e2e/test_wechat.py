"""Inside WeChat's browser the counter's scan button opens WeChat's scanner (wx.scanQRCode through the
vendored JS-SDK, configured with the server's signature); elsewhere the camera library stays.

WeChat's native bridge (``WeixinJSBridge``) is played by a stub injected before the page loads; the
server side (jsapi ticket, signature) talks to the tests' fake WeChat server."""

import pytest

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import PASSWORD, make_staff
from tanpuhui.marketplace.tests.factories import MerchantFactory, make_merchant_staff
from tanpuhui.wechat.tests.conftest import configure
from tanpuhui.wechat.tests.fake_wechat import FakeWeChat
from tanpuhui.wechat.tests.helpers import APP_ID, SECRET

pytestmark = pytest.mark.browser

WECHAT_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Mobile Safari/537.36 MicroMessenger/8.0.50.2701"
BRIDGE = """
window.__invoked = [];
window.WeixinJSBridge = {
  invoke: function (name, args, callback) {
    window.__invoked.push([name, args]);
    sessionStorage.setItem("invoked", (sessionStorage.getItem("invoked") || "") + " " + name);
    var answer = { err_msg: name + ":ok" };
    if (name === "scanQRCode") { answer.resultStr = "WXSC-ANNE-D000"; }
    setTimeout(function () { callback(answer); }, 10);
  },
  on: function () {}, call: function () {}
};
"""


@pytest.fixture
def fake(settings):
    server = FakeWeChat({APP_ID: SECRET}).start()
    settings.WECHAT_API_BASE = server.base
    yield server
    server.stop()


def test_the_counter_scans_with_wechat_inside_wechat(phone_context, live_server, centres, fake, login_as):
    gz = centres["GZ"]
    configure(gz, make_staff(Role.CENTRE_OPERATOR, gz))
    cashier = make_merchant_staff(MerchantFactory(centre=gz, name="天河绿色米铺")).user
    context = phone_context.browser.new_context(
        base_url=live_server.url, locale="zh-CN", user_agent=WECHAT_UA, viewport={"width": 390, "height": 844}
    )
    context.add_init_script(BRIDGE)
    till = context.new_page()
    try:
        login_as(till, cashier.phone, PASSWORD)
        till.goto("/merchant/verify/")
        till.wait_for_function("window.__invoked.some(function (c) { return c[0] === 'preVerifyJSAPI'; })")
        config = next(args for name, args in till.evaluate("window.__invoked") if name == "preVerifyJSAPI")
        assert config["appId"] == APP_ID and len(config["verifySignature"]) == 40
        assert fake.count("/cgi-bin/ticket/getticket") == 1
        with till.expect_navigation():
            till.click("[data-testid=scan-start]")
        assert "scanQRCode" in till.evaluate("sessionStorage.getItem('invoked')")
        # the scanned text was submitted and checked (not a voucher of this shop: refused plainly)
        assert till.locator("[data-testid=verify-error]").count() == 1
    finally:
        context.close()
