import pytest

from tanpuhui.wechat.tests.fake_wechat import FakeWeChat
from tanpuhui.wechat.tests.helpers import AES_KEY, APP_ID, MINI_APP_ID, MINI_SECRET, SECRET, TOKEN


@pytest.fixture
def fake(settings):
    server = FakeWeChat({APP_ID: SECRET, MINI_APP_ID: MINI_SECRET}).start()
    settings.WECHAT_API_BASE = server.base
    settings.WECHAT_SITE_URL = "https://tanpuhui.example"
    yield server
    server.stop()


def configure(centre, operator, *, mode="safe", templates=None):
    from tanpuhui.notifications.models import Kind
    from tanpuhui.wechat import services

    return services.account_configure(
        centre=centre,
        actor=operator,
        name="广州碳普惠",
        app_id=APP_ID,
        mode=mode,
        secret=SECRET,
        token=TOKEN,
        aes_key=AES_KEY,
        mini_app_id=MINI_APP_ID,
        mini_secret=MINI_SECRET,
        templates=templates if templates is not None else {k: f"TPL_{k}" for k in Kind.values},
    )


@pytest.fixture
def account(gz, gz_operator, fake):
    return configure(gz, gz_operator)


@pytest.fixture
def plain_account(gz, gz_operator, fake):
    return configure(gz, gz_operator, mode="plain")
