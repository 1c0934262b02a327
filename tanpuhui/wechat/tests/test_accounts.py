"""Linking: OAuth for a known openid signs in, a signed-in resident links, two taps register; one
resident per openid per centre; unlinking; the mini-program's code2session login."""

import pytest
from django.db import IntegrityError, transaction

from tanpuhui.accounts.tests.factories import ResidentFactory
from tanpuhui.common.errors import Conflict, Forbidden, ValidationFailed
from tanpuhui.wechat import phonecodes, services
from tanpuhui.wechat.models import Link

pytestmark = pytest.mark.django_db


def _oauth(client, fake, code, openid, **user):
    start = client.get("/wechat/GZ/bind/")
    state = start["Location"].split("state=")[1].split("#")[0].split("&")[0]
    fake.user(code, openid, **user)
    return client.get("/wechat/GZ/oauth/", {"code": code, "state": state})


def test_a_linked_openid_signs_in(client, account, fake, resident):
    Link.objects.create(account=account, resident=resident, openid="oKnown")
    response = _oauth(client, fake, "C1", "oKnown")
    assert response.status_code == 302 and response["Location"].endswith("/me/wechat/")
    assert client.get("/me/wechat/").context["user"] == resident


def test_a_signed_in_resident_links_their_wechat(client, account, fake, resident):
    client.force_login(resident)
    _oauth(client, fake, "C2", "oMine", unionid="uMine")
    link = Link.objects.get(resident=resident)
    assert (link.openid, link.unionid) == ("oMine", "uMine")


def test_a_forged_state_or_code_links_nothing(client, account, fake):
    client.get("/wechat/GZ/bind/")
    fake.user("C3", "oX")
    assert client.get("/wechat/GZ/oauth/", {"code": "C3", "state": "forged"}).status_code == 400
    start = client.get("/wechat/GZ/bind/")
    state = start["Location"].split("state=")[1].split("#")[0].split("&")[0]
    assert client.get("/wechat/GZ/oauth/", {"code": "unknown", "state": state}).status_code == 400
    assert not Link.objects.exists()


def test_register_needs_the_right_code_and_links_an_existing_phone(client, account, fake, resident):
    _oauth(client, fake, "C4", "oReturning")
    client.post("/wechat/GZ/register/", {"phone": resident.phone})
    _, code = phonecodes.SENT[-1]
    wrong = client.post(
        "/wechat/GZ/register/", {"phone": resident.phone, "code": "000000" if code != "000000" else "111111"}
    )
    assert wrong.status_code == 400 and not Link.objects.exists()
    right = client.post("/wechat/GZ/register/", {"phone": resident.phone, "code": code})
    assert right.status_code == 302
    assert Link.objects.get().resident == resident  # the phone proved it: the same account, linked


def test_register_without_a_wechat_identity_goes_to_bind(client, account):
    assert client.get("/wechat/GZ/register/")["Location"].endswith("/wechat/GZ/bind/")


def test_one_resident_per_openid_per_centre(account, resident, gz):
    services.link_create(account=account, resident=resident, openid="oOnce")
    assert services.link_create(account=account, resident=resident, openid="oOnce").openid == "oOnce"
    with pytest.raises(Conflict):
        services.link_create(account=account, resident=ResidentFactory(centre=gz), openid="oOnce")
    with pytest.raises(Conflict):
        services.link_create(account=account, resident=resident, openid="oSecond")
    with pytest.raises(IntegrityError), transaction.atomic():
        Link.objects.create(account=account, resident=ResidentFactory(centre=gz), openid="oOnce")


def test_a_resident_of_another_centre_cannot_link_here(account, other_resident):
    with pytest.raises(Forbidden):
        services.link_create(account=account, resident=other_resident, openid="oZs")


def test_unlink_and_consent(client, account, resident):
    link = services.link_create(account=account, resident=resident, openid="oMe")
    client.force_login(resident)
    client.post("/me/wechat/", {"link": link.pk})  # consent box unticked
    link.refresh_from_db()
    assert link.consent is False
    client.post("/me/wechat/", {"link": link.pk, "action": "unlink"})
    assert not Link.objects.exists()


def test_codes_expire_after_five_wrong_tries():
    assert phonecodes.issue("+8613900000001")
    _, code = phonecodes.SENT[-1]
    for _ in range(5):
        assert not phonecodes.check("+8613900000001", "99999x")
    assert not phonecodes.check("+8613900000001", code)
    assert not phonecodes.issue("+8613900000001")  # and not resent within the minute


def test_ten_codes_a_day_at_most():
    from django.core.cache import cache

    for _ in range(phonecodes.PER_DAY):
        cache.delete("wechat:code-wait:+8613900000002")
        assert phonecodes.issue("+8613900000002")
    cache.delete("wechat:code-wait:+8613900000002")
    assert not phonecodes.issue("+8613900000002")


def test_mini_program_login_returns_the_products_token(api, account, fake, resident):
    from tanpuhui.accounts.services import token_find

    fake.user("JS1", "oMini")
    first = api.post("/api/v1/wechat/mini-program/login", {"centre": "GZ", "code": "JS1"}, format="json")
    assert first.status_code == 200 and first.json() == {"linked": False, "token": None}
    assert api.post("/api/v1/wechat/phone-codes", {"phone": resident.phone}, format="json").json() == {
        "sent": True
    }
    _, sms = phonecodes.SENT[-1]
    fake.user("JS2", "oMini")
    second = api.post(
        "/api/v1/wechat/mini-program/login",
        {"centre": "GZ", "code": "JS2", "phone": resident.phone, "sms_code": sms},
        format="json",
    )
    token = second.json()["token"]
    assert second.json()["linked"] is True and token_find(token).user == resident
    fake.user("JS3", "oMini")
    third = api.post("/api/v1/wechat/mini-program/login", {"centre": "GZ", "code": "JS3"}, format="json")
    assert third.json()["linked"] is True
    me = api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {third.json()['token']}")
    assert me.status_code == 200
    bad = api.post("/api/v1/wechat/mini-program/login", {"centre": "GZ", "code": "used"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["code"]


def test_mini_program_login_for_an_unknown_centre_is_404(api, account):
    assert (
        api.post(
            "/api/v1/wechat/mini-program/login", {"centre": "XX", "code": "a"}, format="json"
        ).status_code
        == 404
    )


def test_bad_phone_is_a_400_on_the_field(api, account):
    response = api.post("/api/v1/wechat/phone-codes", {"phone": "12"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()["error"]["fields"]


def test_wechat_register_refuses_a_bad_code(account):
    with pytest.raises(ValidationFailed):
        services.wechat_register(account=account, openid="o", phone="13900001111", code="123456")
