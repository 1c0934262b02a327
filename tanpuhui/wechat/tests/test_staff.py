"""The staff page: the centre's operators configure its account; secrets are sealed at rest and
write-only (never on a page, in the admin's list or the API)."""

import pytest

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.wechat.models import OfficialAccount
from tanpuhui.wechat.tests.helpers import AES_KEY, APP_ID, SECRET, TOKEN

pytestmark = pytest.mark.django_db

FORM = {"name": "广州碳普惠", "app_id": APP_ID, "mode": "safe", "secret": SECRET, "token": TOKEN, "aes_key": AES_KEY,
        "enabled": "on", "template_coins_earned": "TPL_coins"}  # fmt: skip


def test_an_operator_configures_and_the_secrets_are_sealed_and_never_shown(client, gz_operator, gz):
    client.force_login(gz_operator)
    assert client.get("/staff/wechat/").status_code == 200
    assert client.post("/staff/wechat/", FORM).status_code == 302
    account = OfficialAccount.objects.get(centre=gz)
    assert (account.secret, account.token, account.aes_key) == (SECRET, TOKEN, AES_KEY)
    for sealed in (account.secret_sealed, account.token_sealed, account.aes_key_sealed):
        assert sealed and SECRET not in sealed and TOKEN not in sealed and AES_KEY not in sealed
    assert account.templates == {"coins_earned": "TPL_coins"}
    page = client.get("/staff/wechat/").content.decode()
    assert "/wechat/GZ/" in page and APP_ID in page
    for secret in (SECRET, TOKEN, AES_KEY, account.secret_sealed):
        assert secret not in page
    # leaving the secrets empty keeps them
    assert (
        client.post("/staff/wechat/", {**FORM, "secret": "", "token": "", "aes_key": ""}).status_code == 302
    )
    account.refresh_from_db()
    assert (account.secret, account.token) == (SECRET, TOKEN)


def test_bad_input_is_a_400_on_the_field(client, gz_operator):
    client.force_login(gz_operator)
    response = client.post("/staff/wechat/", {**FORM, "app_id": "nope", "aes_key": "short"})
    assert response.status_code == 400
    assert "app_id" in response.context["form"].errors


def test_a_reviewer_sees_but_cannot_change(client, gz):
    reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
    client.force_login(reviewer)
    assert client.get("/staff/wechat/").status_code == 200
    assert client.post("/staff/wechat/", FORM).status_code == 403
    assert not OfficialAccount.objects.exists()


def test_residents_cannot_open_the_page(client, resident):
    client.force_login(resident)
    assert client.get("/staff/wechat/").status_code in (403, 404)


def test_environment_secrets_win(monkeypatch, account):
    monkeypatch.setenv("WECHAT_GZ_SECRET", "from-the-environment")
    assert OfficialAccount.objects.get(pk=account.pk).secret == "from-the-environment"


def test_jssdk_config_only_inside_wechat(client, account, resident):
    client.force_login(resident)
    url = "http://testserver/merchant/verify/"
    assert client.get("/wechat/jssdk/", {"url": url}).json() == {"enabled": False}
    inside = client.get(
        "/wechat/jssdk/", {"url": url}, HTTP_USER_AGENT="Mozilla/5.0 MicroMessenger/8.0.50"
    ).json()
    assert inside["enabled"] is True and inside["appId"] == APP_ID and inside["jsApiList"] == ["scanQRCode"]
    other = client.get(
        "/wechat/jssdk/", {"url": "https://evil.example/"}, HTTP_USER_AGENT="MicroMessenger"
    ).json()
    assert other == {"enabled": False}
