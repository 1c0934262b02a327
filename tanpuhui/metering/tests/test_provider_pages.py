"""The staff pages of data providers and their API keys: an operator onboards a provider, issues its
key (shown once), rotates and revokes it, all through the services; another centre's provider is a
404; residents, reviewers and visitors are refused; the pages speak plainly in both languages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tanpuhui.accounts.models import ApiKey, Role
from tanpuhui.accounts.services import api_key_authenticate, provider_key_issue
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.models import AuditEvent
from tanpuhui.metering import services
from tanpuhui.metering.models import DataProvider, RecordType
from tanpuhui.web.tests.test_plain_language import enum_codes, findings, visible_text

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def provider(gz):
    return services.provider_create(centre=gz, code="gz-metro", name="广州地铁", kind="transit_operator")


@pytest.fixture
def zs_provider(zs):
    return services.provider_create(centre=zs, code="zs-power", name="中山供电局", kind="power_utility")


def detail(provider) -> str:
    return reverse("web:staff-provider-detail", args=[provider.pk])


def test_the_operator_sees_the_centres_providers_only(gz_operator, provider, zs_provider):
    response = as_user(gz_operator).get(reverse("web:staff-providers"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "广州地铁" in body and "中山供电局" not in body
    assert 'action="/staff/metering/providers/add/"' in body  # the operator may onboard


def test_onboarding_creates_the_provider_through_the_service(gz, gz_operator):
    response = as_user(gz_operator).post(
        reverse("web:staff-provider-add"),
        {"centre": gz.pk, "name": "广州自来水", "code": "gz-water", "kind": "water_utility"},
    )
    provider = DataProvider.objects.get(centre=gz, code="gz-water")
    assert response.status_code == 302 and response["Location"] == detail(provider)
    assert provider.name == "广州自来水" and provider.service_user.has_role(Role.DATA_PROVIDER)
    assert provider.record_types == ["utility_reading"] or provider.record_types  # the kind's usual types
    assert AuditEvent.objects.filter(action="provider.create", target_id=str(provider.pk)).exists()


def test_a_taken_code_is_a_field_message_not_a_500(gz, gz_operator, provider):
    response = as_user(gz_operator).post(
        reverse("web:staff-provider-add") + "?lang=en",
        {"centre": gz.pk, "name": "又一个", "code": "gz-metro", "kind": "transit_operator"},
    )
    assert response.status_code == 409
    assert "Already used at this centre." in response.content.decode()
    assert DataProvider.objects.filter(code="gz-metro").count() == 1


def test_a_centre_outside_the_staff_members_is_refused(gz_operator, zs):
    response = as_user(gz_operator).post(
        reverse("web:staff-provider-add"),
        {"centre": zs.pk, "name": "中山燃气", "code": "zs-gas", "kind": "gas_utility"},
    )
    assert response.status_code == 400
    assert not DataProvider.objects.filter(code="zs-gas").exists()


def test_issuing_shows_the_key_once_and_it_works(gz_operator, provider):
    client = as_user(gz_operator)
    response = client.post(reverse("web:staff-provider-key-issue", args=[provider.pk]), {"name": "每晚上传"})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    key = ApiKey.objects.get(user=provider.service_user)
    plaintext = response.context["plaintext"]
    assert plaintext.startswith(key.prefix + ".") and plaintext in response.content.decode()
    assert api_key_authenticate(plaintext) == key and key.name == "每晚上传" and key.created_by == gz_operator
    assert 'id="copy-key"' in response.content.decode()
    # The provider's page lists the key by its prefix, never its secret.
    page = client.get(detail(provider)).content.decode()
    assert key.prefix in page and plaintext not in page


def test_rotating_issues_a_successor_and_keeps_the_old_key_for_a_while(gz_operator, provider):
    old, _plain = provider_key_issue(provider=provider.service_user, name="upload", actor=gz_operator)
    response = as_user(gz_operator).post(
        reverse("web:staff-provider-key-rotate", args=[provider.pk, old.prefix])
    )
    assert response.status_code == 201
    old.refresh_from_db()
    new = ApiKey.objects.exclude(pk=old.pk).get(user=provider.service_user)
    assert old.expires_at is not None and old.is_usable() and new.is_usable()
    assert api_key_authenticate(response.context["plaintext"]) == new
    assert AuditEvent.objects.filter(action="api_key.rotate", target_id=str(old.pk)).exists()


def test_revoking_ends_the_key_now(gz_operator, provider):
    key, plaintext = provider_key_issue(provider=provider.service_user, name="upload", actor=gz_operator)
    response = as_user(gz_operator).post(
        reverse("web:staff-provider-key-revoke", args=[provider.pk, key.prefix])
    )
    assert response.status_code == 302 and response["Location"] == detail(provider)
    key.refresh_from_db()
    assert key.revoked_at is not None and api_key_authenticate(plaintext) is None
    assert AuditEvent.objects.filter(action="api_key.revoke", target_id=str(key.pk)).exists()


def test_another_centres_provider_and_keys_are_not_found(gz_operator, zs_provider, zs_operator):
    key, _plaintext = provider_key_issue(provider=zs_provider.service_user, name="upload", actor=zs_operator)
    client = as_user(gz_operator)
    assert client.get(detail(zs_provider)).status_code == 404
    assert client.post(reverse("web:staff-provider-key-issue", args=[zs_provider.pk])).status_code == 404
    for name in ("web:staff-provider-key-rotate", "web:staff-provider-key-revoke"):
        assert client.post(reverse(name, args=[zs_provider.pk, key.prefix])).status_code == 404
    assert ApiKey.objects.filter(user=zs_provider.service_user).count() == 1
    key.refresh_from_db()
    assert key.revoked_at is None and key.expires_at is None


def test_a_key_of_another_provider_is_not_found_under_this_one(gz, gz_operator, provider):
    other = services.provider_create(centre=gz, code="gz-bus", name="广州公交", kind="transit_operator")
    key, _plain = provider_key_issue(provider=other.service_user, name="upload", actor=gz_operator)
    url = reverse("web:staff-provider-key-revoke", args=[provider.pk, key.prefix])
    assert as_user(gz_operator).post(url).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_a_reviewer_may_look_but_not_manage(gz, provider):
    reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
    client = as_user(reviewer)
    page = client.get(detail(provider))
    assert page.status_code == 200 and "staff-provider-key-issue" not in page.content.decode()
    assert client.post(reverse("web:staff-provider-key-issue", args=[provider.pk])).status_code == 403
    response = client.post(
        reverse("web:staff-provider-add"),
        {"centre": gz.pk, "name": "x", "code": "gz-x", "kind": "gas_utility"},
    )
    assert response.status_code == 403
    assert not ApiKey.objects.filter(user=provider.service_user).exists()
    assert not DataProvider.objects.filter(code="gz-x").exists()


def test_residents_and_visitors_are_kept_out(resident, provider):
    urls = [reverse("web:staff-providers"), detail(provider)]
    actions = [reverse("web:staff-provider-add"), reverse("web:staff-provider-key-issue", args=[provider.pk])]
    for url in urls:
        assert as_user(resident).get(url).status_code in (403, 404)
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    for url in actions:
        assert as_user(resident).post(url).status_code in (403, 404)
        anonymous = Client().post(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert not ApiKey.objects.filter(user=provider.service_user).exists()


def test_the_pages_speak_plainly_in_both_languages(gz_operator, provider):
    client = as_user(gz_operator)
    codes = enum_codes()
    problems = []
    for lang in ("zh-hans", "en"):
        pages = {
            "list": client.get(reverse("web:staff-providers"), {"lang": lang}),
            "detail": client.get(detail(provider), {"lang": lang}),
            "issued": client.post(
                reverse("web:staff-provider-key-issue", args=[provider.pk]) + f"?lang={lang}",
                {"name": "上传"},
            ),
        }
        for name, response in pages.items():
            assert response.status_code in (200, 201), (lang, name)
            text = visible_text(response.content.decode())
            problems += [
                f"[{lang}] {name}: {f}" for f in findings(text, chinese=lang == "zh-hans", codes=codes)
            ]
    assert problems == []
    assert RecordType.TRANSIT_TRIP.label  # the record types are named by their labels
