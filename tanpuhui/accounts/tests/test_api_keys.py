"""Data providers' API keys: staff issue, rotate and revoke them; keys authenticate, hashed, scoped."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from tanpuhui.accounts.models import ApiKey, Role
from tanpuhui.accounts.services import API_KEY_ROTATION_GRACE, api_key_issue
from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
from tanpuhui.common.models import AuditEvent

pytestmark = pytest.mark.django_db

KEYS = "/api/v1/staff/api-keys"


@pytest.fixture
def gz_provider(gz):
    return make_staff(Role.DATA_PROVIDER, gz, display_name="广州供电局")


@pytest.fixture
def zs_provider(zs):
    return make_staff(Role.DATA_PROVIDER, zs, display_name="中山供电局")


def as_key(api, plaintext):
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {plaintext}")
    return api


class TestKeyAuthentication:
    def test_valid_key_authenticates_its_service_user(self, api, gz_provider):
        key, plaintext = api_key_issue(user=gz_provider, name="meters")
        response = as_key(api, plaintext).get("/api/v1/me")
        assert response.status_code == 200
        assert response.json()["id"] == str(gz_provider.pk)
        key.refresh_from_db()
        assert key.last_used_at is not None

    def test_only_a_hash_is_stored(self, gz_provider):
        key, plaintext = api_key_issue(user=gz_provider, name="meters")
        secret = plaintext.split(".", 1)[1]
        assert secret not in str(ApiKey.objects.values().get(pk=key.pk))

    @pytest.mark.parametrize("header", ["Api-Key nope", "Api-Key a.b", "Api-Key", "Api-Key a b c"])
    def test_garbage_is_401(self, api, gz_provider, header):
        api_key_issue(user=gz_provider, name="meters")
        api.credentials(HTTP_AUTHORIZATION=header)
        response = api.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"

    def test_right_prefix_wrong_secret_is_401(self, api, gz_provider):
        key, _plaintext = api_key_issue(user=gz_provider, name="meters")
        assert as_key(api, f"{key.prefix}.not-the-secret").get("/api/v1/me").status_code == 401

    def test_revoked_key_is_401(self, api, client_for, gz_operator, gz_provider):
        key, plaintext = api_key_issue(user=gz_provider, name="meters")
        assert client_for(gz_operator).post(f"{KEYS}/{key.prefix}/revoke").status_code == 200
        assert as_key(api, plaintext).get("/api/v1/me").status_code == 401

    def test_deactivated_provider_key_is_401(self, api, gz_provider):
        _key, plaintext = api_key_issue(user=gz_provider, name="meters")
        gz_provider.is_active = False
        gz_provider.save()
        assert as_key(api, plaintext).get("/api/v1/me").status_code == 401

    def test_rotated_key_works_during_grace_then_stops(self, api, client_for, gz_operator, gz_provider):
        start = timezone.now()
        with freeze_time(start):
            old, old_plaintext = api_key_issue(user=gz_provider, name="meters")
            response = client_for(gz_operator).post(f"{KEYS}/{old.prefix}/rotate")
            assert response.status_code == 201, response.json()
            new_plaintext = response.json()["key"]
            assert response.json()["previous"]["status"] == "expiring"
            assert response.json()["api_key"]["status"] == "active"
        with freeze_time(start + API_KEY_ROTATION_GRACE - timedelta(minutes=1)):
            assert as_key(api, old_plaintext).get("/api/v1/me").status_code == 200
            assert as_key(api, new_plaintext).get("/api/v1/me").status_code == 200
        with freeze_time(start + API_KEY_ROTATION_GRACE + timedelta(minutes=1)):
            assert as_key(api, old_plaintext).get("/api/v1/me").status_code == 401
            assert as_key(api, new_plaintext).get("/api/v1/me").status_code == 200


class TestStaffKeyApi:
    def test_list_shows_own_centres_keys_only(self, client_for, gz_operator, gz_provider, zs_provider):
        mine, _ = api_key_issue(user=gz_provider, name="meters")
        api_key_issue(user=zs_provider, name="meters")
        response = client_for(gz_operator).get(KEYS)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [r["prefix"] for r in rows] == [mine.prefix]
        assert rows[0]["provider"]["centre"] == "GZ" and rows[0]["status"] == "active"
        assert "key" not in rows[0] and "key_hash" not in rows[0]

    def test_provincial_officer_lists_every_centre(
        self, client_for, provincial_officer, gz_provider, zs_provider
    ):
        api_key_issue(user=gz_provider, name="a")
        api_key_issue(user=zs_provider, name="b")
        assert client_for(provincial_officer).get(KEYS).json()["count"] == 2

    def test_issue_returns_the_plaintext_once_and_audits(self, api, client_for, gz_operator, gz_provider):
        client = client_for(gz_operator)
        response = client.post(
            KEYS, {"provider": str(gz_provider.pk), "name": "monthly export"}, format="json"
        )
        assert response.status_code == 201, response.json()
        plaintext = response.json()["key"]
        prefix = response.json()["api_key"]["prefix"]
        assert plaintext.startswith(prefix + ".")
        assert plaintext not in str(client.get(KEYS).content)  # never shown again
        assert as_key(api, plaintext).get("/api/v1/me").json()["id"] == str(gz_provider.pk)
        event = AuditEvent.objects.get(action="api_key.issue")
        assert event.actor == gz_operator and event.centre.code == "GZ"
        assert event.target_id == str(ApiKey.objects.get(prefix=prefix).pk)

    def test_issue_for_another_centres_provider_is_404(self, client_for, gz_operator, zs_provider):
        response = client_for(gz_operator).post(
            KEYS, {"provider": str(zs_provider.pk), "name": "x"}, format="json"
        )
        assert response.status_code == 404
        assert not ApiKey.objects.exists()

    def test_issue_for_a_resident_is_refused(self, client_for, gz_operator, gz):
        resident = ResidentFactory(centre=gz)
        response = client_for(gz_operator).post(
            KEYS, {"provider": str(resident.pk), "name": "x"}, format="json"
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "not_a_data_provider"
        assert not ApiKey.objects.exists()

    @pytest.mark.parametrize(
        "body",
        [{}, {"provider": "not-a-uuid", "name": "x"}, {"provider": None, "name": "x"}, {"name": "x" * 101}],
    )
    def test_bad_input_is_400(self, client_for, gz_operator, gz_provider, body):
        body = {"provider": str(gz_provider.pk), **body} if "provider" not in body and body else body
        response = client_for(gz_operator).post(KEYS, body, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"]

    @pytest.mark.parametrize("action", ["rotate", "revoke"])
    def test_another_centres_key_is_404(self, client_for, gz_operator, zs_provider, action):
        theirs, _ = api_key_issue(user=zs_provider, name="meters")
        response = client_for(gz_operator).post(f"{KEYS}/{theirs.prefix}/{action}")
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.revoked_at is None and theirs.expires_at is None
        assert ApiKey.objects.count() == 1

    def test_revoke_is_audited_once(self, client_for, gz_operator, gz_provider):
        key, _ = api_key_issue(user=gz_provider, name="meters")
        client = client_for(gz_operator)
        first = client.post(f"{KEYS}/{key.prefix}/revoke")
        again = client.post(f"{KEYS}/{key.prefix}/revoke")
        assert first.status_code == again.status_code == 200
        assert again.json()["status"] == "revoked"
        assert AuditEvent.objects.filter(action="api_key.revoke", target_id=str(key.pk)).count() == 1

    def test_rotate_is_audited_and_refused_for_revoked_keys(self, client_for, gz_operator, gz_provider):
        key, _ = api_key_issue(user=gz_provider, name="meters")
        client = client_for(gz_operator)
        rotated = client.post(f"{KEYS}/{key.prefix}/rotate").json()
        event = AuditEvent.objects.get(action="api_key.rotate")
        assert event.data["new_prefix"] == rotated["api_key"]["prefix"] and event.actor == gz_operator
        client.post(f"{KEYS}/{key.prefix}/revoke")
        response = client.post(f"{KEYS}/{key.prefix}/rotate")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "key_not_usable"

    def test_reviewers_may_look_but_not_manage(self, client_for, gz, gz_provider):
        reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
        key, _ = api_key_issue(user=gz_provider, name="meters")
        client = client_for(reviewer)
        assert client.get(KEYS).json()["count"] == 1
        assert client.post(f"{KEYS}/{key.prefix}/revoke").status_code == 403
        assert (
            client.post(KEYS, {"provider": str(gz_provider.pk), "name": "x"}, format="json").status_code
            == 403
        )
        key.refresh_from_db()
        assert key.revoked_at is None

    def test_residents_providers_and_anonymous_are_refused(self, api, client_for, resident, gz_provider):
        assert client_for(resident).get(KEYS).status_code == 403
        assert client_for(gz_provider).get(KEYS).status_code == 403
        assert api.get(KEYS).status_code == 401

    def test_list_query_count_is_constant(self, client_for, gz_operator, gz, django_assert_max_num_queries):
        for i in range(12):
            api_key_issue(user=make_staff(Role.DATA_PROVIDER, gz), name=f"k{i}")
        with django_assert_max_num_queries(5):
            assert client_for(gz_operator).get(KEYS).status_code == 200


class TestProfileUpdate:
    def test_change_name_and_email(self, client_for, resident):
        response = client_for(resident).patch(
            "/api/v1/me", {"display_name": "新昵称", "email": "Me@Example.CN"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["display_name"] == "新昵称" and response.json()["email"] == "me@example.cn"

    def test_email_of_another_account_is_409(self, client_for, resident, gz):
        ResidentFactory(centre=gz, email="taken@example.cn")
        response = client_for(resident).patch("/api/v1/me", {"email": "TAKEN@example.cn"}, format="json")
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "email_taken"
        resident.refresh_from_db()
        assert resident.email is None

    def test_remove_email(self, client_for, gz):
        user = ResidentFactory(centre=gz, email="x@example.cn")
        response = client_for(user).patch("/api/v1/me", {"email": None}, format="json")
        assert response.status_code == 200 and response.json()["email"] is None
