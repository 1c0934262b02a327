"""The resident pages through Django's test client: happy paths, error paths, CSRF and lock-out."""

import re

import pytest
from django.test import Client

from tanpuhui.accounts.models import Binding, RealNameVerification, Role, User
from tanpuhui.accounts.tests.factories import PASSWORD, BindingFactory, ResidentFactory

pytestmark = pytest.mark.django_db

NEW_PHONE = "13912345678"
STRONG = "low-carbon-2016"
VALID_ID = "11010519491231002X"


def register(client, **overrides):
    data = {"centre": "GZ", "phone": NEW_PHONE, "display_name": "小明", "password": STRONG}
    data.update(overrides)
    return client.post("/register/", data)


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def logged_in(client, resident):
    client.force_login(resident)
    return client


class TestRegisterPage:
    def test_form_lists_centres_that_take_residents(self, client, gz, zs, province):
        response = client.get("/register/")
        assert response.status_code == 200
        options = re.findall(r'<option value="(\w+)"', page_text(response))
        assert set(options) == {"GZ", "ZS"}  # the provincial centre takes no residents

    def test_register_logs_in_and_lands_on_profile(self, client, gz):
        response = register(client)
        assert response.status_code == 302 and response.url == "/me/"
        user = User.objects.get(phone=NEW_PHONE)
        assert user.centre == gz and user.has_role(Role.RESIDENT)
        assert user.password.startswith(("argon2", "md5"))  # hashed, never plain
        profile = client.get("/me/")
        assert profile.status_code == 200
        assert "小明" in page_text(profile) and "139****5678" in page_text(profile)

    def test_duplicate_phone_is_a_field_error(self, client, gz):
        ResidentFactory(centre=gz, phone=NEW_PHONE)
        response = register(client)
        assert response.status_code == 400
        assert "该手机号码已注册" in page_text(response)
        assert User.objects.filter(phone=NEW_PHONE).count() == 1
        assert "_auth_user_id" not in client.session

    @pytest.mark.parametrize(
        ("password", "message"),
        [
            ("short1", "密码太短：至少需要 8 个字符"),
            ("password123", "这个密码太常见了"),
            ("1234567890123", "密码只包含数字"),
        ],
    )
    def test_weak_password_is_refused_and_nothing_written(self, client, gz, password, message):
        response = register(client, password=password)
        assert response.status_code == 400
        assert message in page_text(response)
        assert not User.objects.filter(phone=NEW_PHONE).exists()

    @pytest.mark.parametrize(
        ("override", "field"),
        [
            ({"centre": "XX"}, "centre"),
            ({"centre": "GDPC"}, "centre"),
            ({"phone": "1391234567"}, "phone"),
            ({"phone": "ab912345678"}, "phone"),
            ({"display_name": ""}, "display_name"),
            ({"display_name": "名" * 51}, "display_name"),
        ],
    )
    def test_bad_fields_are_400_and_nothing_written(self, client, gz, province, override, field):
        response = register(client, **override)
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert not User.objects.filter(phone=NEW_PHONE).exists()

    def test_nul_and_overlong_input_are_400_not_500(self, client, gz):
        assert register(client, display_name="a\x00b").status_code == 400
        assert register(client, password="x" * 5000).status_code == 400
        assert not User.objects.exists()


class TestLoginLogout:
    def test_login_by_phone_goes_to_profile(self, client, resident):
        response = client.post("/login/", {"username": resident.phone, "password": PASSWORD})
        assert response.status_code == 302 and response.url == "/me/"
        assert client.session["_auth_user_id"] == str(resident.pk)

    def test_staff_land_on_their_console(self, client, gz_operator):
        response = client.post("/login/", {"username": gz_operator.phone, "password": PASSWORD})
        assert response.status_code == 302 and response.url == "/console/"

    def test_wrong_password_is_a_clear_400(self, client, resident):
        response = client.post("/login/", {"username": resident.phone, "password": "not-it-at-all"})
        assert response.status_code == 400
        assert "手机号码/电子邮箱或密码错误" in page_text(response)
        assert "_auth_user_id" not in client.session

    def test_safe_next_is_followed_and_foreign_next_ignored(self, client, resident):
        response = client.post("/login/", {"username": resident.phone, "password": PASSWORD, "next": "/"})
        assert response.url == "/"
        client.logout()
        response = client.post(
            "/login/", {"username": resident.phone, "password": PASSWORD, "next": "https://evil.example/"}
        )
        assert response.url == "/me/"

    def test_lock_out_after_repeated_failures_even_with_the_right_password(self, client, resident, settings):
        settings.LOGIN_FAILURE_LIMIT = 3
        for _ in range(3):
            assert (
                client.post("/login/", {"username": resident.phone, "password": "wrong-pw-1"}).status_code
                == 400
            )
        response = client.post("/login/", {"username": resident.phone, "password": PASSWORD})
        assert response.status_code == 400
        assert "失败次数过多" in page_text(response)
        assert "_auth_user_id" not in client.session

    def test_lock_out_is_shared_between_web_and_api(self, client, api, resident, settings):
        settings.LOGIN_FAILURE_LIMIT = 2
        for _ in range(2):
            api.post(
                "/api/v1/auth/token", {"username": resident.phone, "password": "nope-nope"}, format="json"
            )
        response = client.post("/login/", {"username": resident.phone, "password": PASSWORD})
        assert "失败次数过多" in page_text(response)

    def test_logout_needs_post(self, logged_in):
        assert logged_in.get("/logout/").status_code == 405
        assert "_auth_user_id" in logged_in.session
        response = logged_in.post("/logout/")
        assert response.status_code == 302 and response.url == "/"
        assert "_auth_user_id" not in logged_in.session
        assert logged_in.get("/me/").status_code == 302


class TestProfile:
    def test_anonymous_is_sent_to_login(self, client):
        response = client.get("/me/")
        assert response.status_code == 302 and response.url == "/login/?next=/me/"

    def test_shows_own_active_bindings_masked_only(self, logged_in, resident, gz):
        BindingFactory(resident=resident, account_number="T0000004321")
        gone = BindingFactory(resident=resident, account_number="T0000008888")
        Binding.objects.filter(pk=gone.pk).update(unbound_at="2026-01-01T00:00:00Z")
        BindingFactory(resident=ResidentFactory(centre=gz), account_number="T0000005555")
        html = page_text(logged_in.get("/me/"))
        assert "•••• 4321" in html
        assert "T0000004321" not in html
        assert "8888" not in html and "5555" not in html


class TestBindingPages:
    def test_bind_with_plain_form_redirects(self, logged_in, resident):
        response = logged_in.post(
            "/me/bindings/", {"kind": "transit_card", "account_number": "t123 456 789", "label": "上班"}
        )
        assert response.status_code == 302 and response.url == "/me/"
        binding = Binding.objects.get(resident=resident)
        assert binding.account_number == "T123456789" and binding.label == "上班"

    def test_bind_with_htmx_returns_the_partial(self, logged_in, resident):
        response = logged_in.post(
            "/me/bindings/", {"kind": "electricity", "account_number": "0100001234"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        html = page_text(response)
        assert html.startswith('<div id="bindings">')
        assert "•••• 1234" in html and "0100001234" not in html
        assert "<html" not in html

    def test_invalid_number_is_a_field_error(self, logged_in, resident):
        response = logged_in.post("/me/bindings/", {"kind": "electricity", "account_number": "12ab"})
        assert response.status_code == 400
        assert "该号码不符合此类型的格式" in page_text(response)
        assert not Binding.objects.exists()

    def test_unknown_kind_is_a_field_error(self, logged_in):
        response = logged_in.post("/me/bindings/", {"kind": "rocket", "account_number": "12345678"})
        assert response.status_code == 400
        assert not Binding.objects.exists()

    def test_another_residents_number_gets_a_clear_message(self, logged_in, resident, gz):
        BindingFactory(resident=ResidentFactory(centre=gz), kind="transit_card", account_number="T123456789")
        response = logged_in.post(
            "/me/bindings/", {"kind": "transit_card", "account_number": "T123456789"}, HTTP_HX_REQUEST="true"
        )
        html = page_text(response)
        assert "该号码已被其他账户绑定。如果它属于您，请联系运营中心。" in html
        assert not Binding.objects.filter(resident=resident).exists()

    def test_staff_cannot_bind_through_the_page(self, client, gz_operator):
        client.force_login(gz_operator)
        assert 'data-testid="bind-form"' not in page_text(client.get("/me/"))
        response = client.post(
            "/me/bindings/", {"kind": "electricity", "account_number": "0100001234"}, follow=True
        )
        assert "只有居民可以绑定账户和卡" in page_text(response)
        assert not Binding.objects.exists()

    def test_unbind_own(self, logged_in, resident):
        binding = BindingFactory(resident=resident)
        response = logged_in.post(f"/me/bindings/{binding.pk}/remove/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        binding.refresh_from_db()
        assert binding.unbound_at is not None
        assert binding.masked_number not in page_text(response)

    def test_cannot_unbind_anothers(self, logged_in, gz):
        theirs = BindingFactory(resident=ResidentFactory(centre=gz))
        response = logged_in.post(f"/me/bindings/{theirs.pk}/remove/", follow=True)
        assert "没有这项绑定" in page_text(response)
        theirs.refresh_from_db()
        assert theirs.unbound_at is None

    def test_unbind_needs_post_and_login(self, client, logged_in, resident):
        binding = BindingFactory(resident=resident)
        assert logged_in.get(f"/me/bindings/{binding.pk}/remove/").status_code == 405
        anonymous = Client()
        assert anonymous.post(f"/me/bindings/{binding.pk}/remove/").status_code == 302
        binding.refresh_from_db()
        assert binding.unbound_at is None


class TestRealNamePage:
    def test_verify_records_hash_only(self, logged_in, resident):
        response = logged_in.post("/me/real-name/", {"full_name": "张三", "id_number": VALID_ID.lower()})
        assert response.status_code == 302
        resident.refresh_from_db()
        assert resident.real_name_verified_at is not None
        assert VALID_ID not in str(RealNameVerification.objects.values().get())
        assert "已认证" in page_text(logged_in.get("/me/"))

    def test_bad_check_digit(self, logged_in, resident):
        response = logged_in.post("/me/real-name/", {"full_name": "张三", "id_number": "110105194912310021"})
        assert response.status_code == 400
        assert "身份证号码无效" in page_text(response)
        assert not RealNameVerification.objects.exists()

    def test_identity_on_another_account(self, logged_in, gz):
        other = Client()
        other.force_login(ResidentFactory(centre=gz))
        other.post("/me/real-name/", {"full_name": "张三", "id_number": VALID_ID})
        response = logged_in.post("/me/real-name/", {"full_name": "张三", "id_number": VALID_ID})
        assert response.status_code == 400
        assert "已在其他账户完成认证" in page_text(response)
        assert RealNameVerification.objects.count() == 1


class TestCsrf:
    """Every state-changing form refuses a POST without the CSRF token (403), and accepts it with."""

    @pytest.fixture
    def strict(self):
        return Client(enforce_csrf_checks=True)

    def test_register_and_login_refuse_without_token(self, strict, gz, resident):
        assert register(strict).status_code == 403
        assert strict.post("/login/", {"username": resident.phone, "password": PASSWORD}).status_code == 403
        assert not User.objects.filter(phone=NEW_PHONE).exists()

    def test_logged_in_forms_refuse_without_token(self, strict, resident):
        strict.force_login(resident)
        binding = BindingFactory(resident=resident)
        assert (
            strict.post("/me/bindings/", {"kind": "electricity", "account_number": "0100001234"}).status_code
            == 403
        )
        assert strict.post(f"/me/bindings/{binding.pk}/remove/").status_code == 403
        assert strict.post("/me/real-name/", {"full_name": "张三", "id_number": VALID_ID}).status_code == 403
        assert strict.post("/logout/").status_code == 403
        assert Binding.objects.filter(unbound_at__isnull=True).count() == 1

    def test_token_from_the_page_is_accepted(self, strict, gz):
        form = strict.get("/register/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_text(form)).group(1)
        response = register(strict, csrfmiddlewaretoken=token)
        assert response.status_code == 302
        assert User.objects.filter(phone=NEW_PHONE).exists()

    def test_htmx_header_token_is_accepted(self, strict, resident):
        strict.force_login(resident)
        page = page_text(strict.get("/me/"))
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        response = strict.post(
            "/me/bindings/",
            {"kind": "electricity", "account_number": "0100001234"},
            HTTP_HX_REQUEST="true",
            HTTP_X_CSRFTOKEN=token,
        )
        assert response.status_code == 200
        assert Binding.objects.filter(resident=resident).count() == 1
