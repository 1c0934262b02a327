"""A centre onboards a data provider without code: the staff API or the back office creates it with its
service user, the first API key is issued, and the provider uploads with it. Other centres see nothing."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tanpuhui.accounts.models import ApiKey, Role
from tanpuhui.accounts.tests.factories import make_staff
from tanpuhui.common.models import AuditEvent
from tanpuhui.metering.models import Batch, DataProvider
from tanpuhui.metering.tests.factories import make_provider

pytestmark = pytest.mark.django_db

PROVIDERS = "/api/v1/staff/providers"
TRIPS = "record_id,card,mode,boarded_at\nt1,T100000001,metro,2026-09-01T08:12:00+08:00\n"


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestStaffApi:
    def test_operator_creates_a_provider_issues_its_first_key_and_it_uploads(
        self, gz_operator, client_for, django_capture_on_commit_callbacks
    ):
        staff = client_for(gz_operator)
        created = staff.post(
            PROVIDERS, {"centre": "GZ", "code": "gz-metro", "name": "广州地铁", "kind": "transit_operator"},
            format="json",
        )  # fmt: skip
        assert created.status_code == 201, created.json()
        body = created.json()
        assert body["record_types"] == ["transit_trip"]
        service_user = body["service_user"]
        assert service_user["id"] and service_user["display_name"] == "广州地铁"
        assert staff.get(f"{PROVIDERS}/{body['id']}").json()["service_user"]["id"] == service_user["id"]
        assert AuditEvent.objects.filter(action="provider.create", actor=gz_operator).exists()

        issued = staff.post("/api/v1/staff/api-keys", {"provider": service_user["id"], "name": "upload"})
        assert issued.status_code == 201, issued.json()
        provider_client = APIClient()
        provider_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {issued.json()['key']}")
        with django_capture_on_commit_callbacks(execute=True):
            upload = provider_client.generic(
                "POST", "/api/v1/provider/batches?record_type=transit_trip", TRIPS, content_type="text/csv"
            )
        assert upload.status_code == 202, upload.json()
        assert Batch.objects.get().provider.code == "gz-metro"

    def test_bad_input_is_a_clear_4xx(self, gz, gz_operator, client_for):
        staff = client_for(gz_operator)
        make_provider(gz, DataProvider.Kind.POWER_UTILITY, code="gz-power")
        taken = staff.post(
            PROVIDERS,
            {"centre": "GZ", "code": "gz-power", "name": "x", "kind": "power_utility"},
            format="json",
        )
        assert taken.status_code == 409 and taken.json()["error"]["code"] == "provider_code_taken"
        bad = staff.post(
            PROVIDERS, {"centre": "GZ", "code": "a b", "name": "x", "kind": "nuclear", "record_types": ["x"]},
            format="json",
        )  # fmt: skip
        assert bad.status_code == 400
        assert {"code", "kind", "record_types"} <= set(bad.json()["error"]["fields"])

    def test_another_centres_operator_can_neither_create_there_nor_see(self, gz, zs_operator, client_for):
        theirs = make_provider(gz, DataProvider.Kind.POWER_UTILITY, code="gz-power")
        staff = client_for(zs_operator)
        refused = staff.post(
            PROVIDERS, {"centre": "GZ", "code": "sneaky", "name": "x", "kind": "power_utility"}, format="json"
        )
        assert refused.status_code == 404
        assert not DataProvider.objects.filter(code="sneaky").exists()
        assert staff.get(f"{PROVIDERS}/{theirs.pk}").status_code == 404
        assert staff.get(PROVIDERS).json()["count"] == 0
        key = staff.post("/api/v1/staff/api-keys", {"provider": str(theirs.service_user_id), "name": "x"})
        assert key.status_code == 404 and not ApiKey.objects.exists()

    def test_reviewers_may_look_but_not_create(self, gz, client_for):
        reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
        make_provider(gz, DataProvider.Kind.POWER_UTILITY, code="gz-power")
        staff = client_for(reviewer)
        assert staff.get(PROVIDERS).json()["count"] == 1
        response = staff.post(
            PROVIDERS, {"centre": "GZ", "code": "x", "name": "x", "kind": "power_utility"}, format="json"
        )
        assert response.status_code == 403


class TestBackOffice:
    ADD = "/admin/metering/dataprovider/add/"

    def form(self, centre, **extra):
        return {"centre": centre.pk, "code": "gz-water", "name": "广州自来水", "kind": "water_utility",
                "is_active": "on", **extra}  # fmt: skip

    def test_operator_adds_a_provider_with_its_service_user_and_issues_a_key(self, gz, gz_operator):
        client = admin_client(gz_operator)
        response = client.post(self.ADD, self.form(gz))
        assert response.status_code == 302, response.context["adminform"].form.errors
        provider = DataProvider.objects.get(code="gz-water")
        user = provider.service_user
        assert user is not None and user.has_role(Role.DATA_PROVIDER) and user.centre == gz
        assert provider.record_types == ["water_reading"]
        assert AuditEvent.objects.filter(action="provider.create", actor=gz_operator).exists()
        assert (
            "广州自来水" in client.get(f"/admin/metering/dataprovider/{provider.pk}/change/").content.decode()
        )

        response = client.post(
            "/admin/metering/dataprovider/",
            {"action": "issue_keys", "_selected_action": [provider.pk]},
            follow=True,
        )
        key = ApiKey.objects.get(user=user)
        shown = [str(m) for m in response.context["messages"]]
        assert any(key.prefix in m for m in shown), shown
        assert AuditEvent.objects.filter(action="api_key.issue", actor=gz_operator).exists()

    def test_another_centre_is_not_offered_and_its_providers_are_walled(self, gz, zs, zs_operator):
        theirs = make_provider(gz, DataProvider.Kind.POWER_UTILITY, code="gz-power")
        client = admin_client(zs_operator)
        response = client.post(self.ADD, self.form(gz, code="sneaky"))
        assert response.status_code == 200  # the form refuses the centre
        assert "centre" in response.context["adminform"].form.errors
        assert not DataProvider.objects.filter(code="sneaky").exists()
        listed = client.get("/admin/metering/dataprovider/").context["cl"].result_list
        assert theirs not in listed
        assert client.get(f"/admin/metering/dataprovider/{theirs.pk}/change/").status_code in (302, 404)
        client.post(
            "/admin/metering/dataprovider/", {"action": "issue_keys", "_selected_action": [theirs.pk]}
        )
        assert not ApiKey.objects.exists()

    def test_a_code_taken_at_the_centre_is_a_form_error(self, gz, gz_operator):
        make_provider(gz, DataProvider.Kind.WATER_UTILITY, code="gz-water")
        response = admin_client(gz_operator).post(self.ADD, self.form(gz))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        assert DataProvider.objects.filter(code="gz-water").count() == 1
