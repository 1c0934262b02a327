import pytest
from django.urls import reverse

from tanpuhui.accounts.models import Binding, RealNameVerification, User
from tanpuhui.accounts.services import id_number_hash
from tanpuhui.accounts.tests.factories import PASSWORD, BindingFactory, ResidentFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"


def register(api, **overrides):
    body = {"centre": "GZ", "phone": "13912345678", "password": "low-carbon-2016", "display_name": "小明"}
    body.update(overrides)
    return api.post(REGISTER, body, format="json")


class TestRegister:
    def test_creates_resident_in_centre(self, api, gz):
        response = register(api)
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["centre"]["code"] == "GZ"
        assert body["phone"] == "139****5678"
        assert body["roles"] == ["resident"]
        user = User.objects.get(phone="13912345678")
        assert user.password.startswith("argon2") or user.check_password("low-carbon-2016")

    def test_duplicate_phone_is_conflict(self, api, gz):
        register(api)
        response = register(api)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "phone_taken"
        assert User.objects.filter(phone="13912345678").count() == 1

    @pytest.mark.parametrize(
        ("override", "field"),
        [
            ({"centre": "XX"}, "centre"),
            ({"centre": "GDPC"}, "centre"),  # the provincial centre takes no residents
            ({"phone": "12345"}, "phone"),
            ({"phone": "1391234567a"}, "phone"),
            ({"phone": "1391234567\u0661"}, "phone"),  # ARABIC-INDIC DIGIT ONE is a \d, not a digit here
            ({"password": "short"}, "password"),
            ({"password": "password123"}, "password"),
            ({"password": "12345678901"}, "password"),
            ({"display_name": "名" * 51}, "display_name"),
            ({"display_name": ""}, "display_name"),
            ({"centre": ["GZ"]}, "centre"),
            ({"phone": 13912345678.5}, "phone"),
        ],
    )
    def test_bad_fields_get_field_level_400(self, api, gz, province, override, field):
        response = register(api, **override)
        assert response.status_code == 400, response.content
        error = response.json()["error"]
        assert field in error["fields"], error
        assert not User.objects.filter(phone="13912345678").exists()

    def test_missing_fields_listed(self, api, gz):
        response = api.post(REGISTER, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()["error"]["fields"]) == {"centre", "phone", "password", "display_name"}

    @pytest.mark.parametrize(
        "raw",
        [
            b"{not json",
            b'{"centre": "GZ",}',
            b"\xff\xfe",
            b'"just a string"',
            b"[1,2,3]",
            b'{"centre":"GZ","phone":"13912345678","password":"low-carbon-2016","display_name":"a\\u0000b"}',
            b'{"centre":"GZ","phone":"13912345678","password":"low-carbon-2016","display_name":"\\ud800"}',
        ],
    )
    def test_malformed_bodies_are_400_not_500(self, api, gz, raw):
        response = api.generic("POST", REGISTER, raw, content_type="application/json")
        assert 400 <= response.status_code < 500
        assert "error" in response.json()
        assert not User.objects.exists()

    def test_unicode_name_accepted(self, api, gz):
        response = register(api, display_name="🌱 李小龙 é")
        assert response.status_code == 201
        assert response.json()["display_name"] == "🌱 李小龙 é"

    def test_wrong_content_type_is_415(self, api, gz):
        response = api.generic("POST", REGISTER, b"centre=GZ", content_type="text/plain")
        assert response.status_code == 415
        assert response.json()["error"]["code"] == "unsupported_media_type"


class TestToken:
    def test_login_by_phone_and_use_token(self, api, resident):
        response = api.post(TOKEN, {"username": resident.phone, "password": PASSWORD}, format="json")
        assert response.status_code == 200
        token = response.json()["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert api.get("/api/v1/me").json()["id"] == str(resident.pk)

    def test_login_by_email(self, api, gz):
        user = ResidentFactory(centre=gz, email="xiaoming@example.cn")
        response = api.post(TOKEN, {"username": "XiaoMing@example.cn", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        assert user.auth_tokens.count() == 1

    def test_wrong_password_is_400_with_code(self, api, resident):
        response = api.post(TOKEN, {"username": resident.phone, "password": "nope-nope"}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_credentials"

    def test_lockout_after_repeated_failures(self, api, resident, settings):
        settings.LOGIN_FAILURE_LIMIT = 3
        for _ in range(3):
            api.post(TOKEN, {"username": resident.phone, "password": "wrong-password"}, format="json")
        # Even the right password is refused during the cool-off.
        response = api.post(TOKEN, {"username": resident.phone, "password": PASSWORD}, format="json")
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "locked_out"

    def test_logout_revokes_token(self, api, resident):
        token = api.post(TOKEN, {"username": resident.phone, "password": PASSWORD}, format="json").json()[
            "token"
        ]
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert api.post("/api/v1/auth/logout").status_code == 204
        response = api.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "authentication_failed"

    def test_garbage_token_is_401(self, api, resident):
        api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
        assert api.get("/api/v1/me").status_code == 401

    def test_anonymous_me_is_401(self, api):
        response = api.get("/api/v1/me")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"


class TestBindings:
    def test_bind_list_and_mask(self, client_for, resident):
        client = client_for(resident)
        response = client.post(
            "/api/v1/me/bindings", {"kind": "transit_card", "account_number": "T1234 5678 90"}, format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["number"] == "•••• 7890"
        assert "T1234567890" not in str(client.get("/api/v1/me").content)
        listed = client.get("/api/v1/me/bindings").json()
        assert [b["number"] for b in listed] == ["•••• 7890"]
        assert Binding.objects.get().account_number == "T1234567890"

    def test_same_number_by_another_resident_conflicts(self, client_for, resident, gz):
        BindingFactory(centre=gz, kind="electricity", account_number="0100000001")
        response = client_for(resident).post(
            "/api/v1/me/bindings", {"kind": "electricity", "account_number": "0100000001"}, format="json"
        )
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "binding_taken"
        assert "account_number" in response.json()["error"]["fields"]

    def test_same_number_in_another_centre_is_fine(self, client_for, resident, zs):
        BindingFactory(resident=ResidentFactory(centre=zs), kind="electricity", account_number="0100000001")
        response = client_for(resident).post(
            "/api/v1/me/bindings", {"kind": "electricity", "account_number": "0100000001"}, format="json"
        )
        assert response.status_code == 201

    def test_rebinding_after_unbind(self, client_for, resident, gz):
        other = ResidentFactory(centre=gz)
        old = BindingFactory(resident=other, account_number="T0000000099")
        assert client_for(other).delete(f"/api/v1/me/bindings/{old.pk}").status_code == 204
        response = client_for(resident).post(
            "/api/v1/me/bindings", {"kind": "transit_card", "account_number": "T0000000099"}, format="json"
        )
        assert response.status_code == 201
        assert Binding.objects.filter(account_number="T0000000099").count() == 2  # history kept

    @pytest.mark.parametrize(
        "body",
        [
            {"kind": "rocket", "account_number": "12345678"},
            {"kind": "electricity", "account_number": "abc"},
            {"kind": "electricity"},
            {"kind": "electricity", "account_number": "1" * 41},
        ],
    )
    def test_bad_binding_input(self, client_for, resident, body):
        response = client_for(resident).post("/api/v1/me/bindings", body, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["fields"]
        assert not Binding.objects.exists()

    def test_cannot_read_or_delete_anothers_binding(self, client_for, resident, gz):
        theirs = BindingFactory(resident=ResidentFactory(centre=gz))
        client = client_for(resident)
        assert client.delete(f"/api/v1/me/bindings/{theirs.pk}").status_code == 404
        assert client.get("/api/v1/me/bindings").json() == []
        theirs.refresh_from_db()
        assert theirs.unbound_at is None

    def test_staff_are_not_residents_here(self, client_for, gz_operator):
        assert client_for(gz_operator).get("/api/v1/me/bindings").status_code == 403


class TestRealName:
    VALID_ID = "11010519491231002X"

    def test_records_keyed_hash_only(self, client_for, resident):
        response = client_for(resident).post(
            "/api/v1/me/real-name", {"full_name": "张三", "id_number": self.VALID_ID}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["real_name_verified"] is True
        record = RealNameVerification.objects.get(user=resident)
        assert record.id_number_hash == id_number_hash(self.VALID_ID)
        assert self.VALID_ID not in str(RealNameVerification.objects.values().get())

    def test_bad_check_digit(self, client_for, resident):
        response = client_for(resident).post(
            "/api/v1/me/real-name", {"full_name": "张三", "id_number": "110105194912310021"}, format="json"
        )
        assert response.status_code == 400
        assert "id_number" in response.json()["error"]["fields"]

    def test_non_ascii_digits_are_not_an_id_number(self, client_for, resident):
        arabic_indic = self.VALID_ID[:17].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) + "X"
        response = client_for(resident).post(
            "/api/v1/me/real-name", {"full_name": "张三", "id_number": arabic_indic}, format="json"
        )
        assert response.status_code == 400
        assert not RealNameVerification.objects.exists()

    def test_same_identity_on_two_accounts_conflicts(self, client_for, resident, gz):
        client_for(resident).post(
            "/api/v1/me/real-name", {"full_name": "张三", "id_number": self.VALID_ID}, format="json"
        )
        response = client_for(ResidentFactory(centre=gz)).post(
            "/api/v1/me/real-name", {"full_name": "张三", "id_number": self.VALID_ID}, format="json"
        )
        assert response.status_code == 409


class TestStaffResidents:
    def test_operator_sees_only_own_centre(self, client_for, gz_operator, resident, other_resident):
        response = client_for(gz_operator).get("/api/v1/staff/residents")
        assert response.status_code == 200
        ids = {r["id"] for r in response.json()["results"]}
        assert ids == {str(resident.pk)}

    def test_other_centre_resident_is_404(self, client_for, gz_operator, other_resident):
        response = client_for(gz_operator).get(f"/api/v1/staff/residents/{other_resident.pk}")
        assert response.status_code == 404

    def test_own_centre_resident_detail_is_audited(self, client_for, gz_operator, resident):
        from tanpuhui.common.models import AuditEvent

        response = client_for(gz_operator).get(f"/api/v1/staff/residents/{resident.pk}")
        assert response.status_code == 200
        assert AuditEvent.objects.filter(
            actor=gz_operator, action="resident.view", target_id=str(resident.pk)
        ).exists()

    def test_provincial_officer_sees_all_centres(
        self, client_for, provincial_officer, resident, other_resident
    ):
        ids = {
            r["id"] for r in client_for(provincial_officer).get("/api/v1/staff/residents").json()["results"]
        }
        assert ids == {str(resident.pk), str(other_resident.pk)}

    def test_search_and_pagination(self, client_for, gz_operator, gz):
        for i in range(25):
            ResidentFactory(centre=gz, display_name=f"绿色{i}")
        ResidentFactory(centre=gz, display_name="王小明")
        client = client_for(gz_operator)
        page = client.get("/api/v1/staff/residents?page_size=10").json()
        assert page["count"] == 26 and len(page["results"]) == 10 and page["next"]
        found = client.get("/api/v1/staff/residents", {"q": "小明"}).json()
        assert [r["display_name"] for r in found["results"]] == ["王小明"]

    def test_list_query_count_is_constant(self, client_for, gz_operator, gz, django_assert_max_num_queries):
        for _ in range(15):
            BindingFactory(resident=ResidentFactory(centre=gz))
        client = client_for(gz_operator)
        with django_assert_max_num_queries(6):
            client.get("/api/v1/staff/residents")

    def test_residents_and_anonymous_are_refused(self, client_for, api, resident):
        assert client_for(resident).get("/api/v1/staff/residents").status_code == 403
        assert api.get("/api/v1/staff/residents").status_code == 401


def test_centres_public_list(api, gz, zs, province):
    response = api.get(reverse("api:centre-list"))
    assert response.status_code == 200
    assert {c["code"] for c in response.json()} == {"GZ", "ZS"}
