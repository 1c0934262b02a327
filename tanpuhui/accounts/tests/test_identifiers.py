"""Two spellings of a phone or e-mail are one account or none — on every login and account-creating path.

The families: full-width letters/digits, the long s ``ſ`` and upper case reach the same account (NFKC
and case folding); the dotless ``ı`` and Arabic-Indic digits reach none (non-ASCII after
normalisation is refused); surrounding spaces are trimmed.
"""

import string

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tanpuhui.accounts.identifiers import normalise_email, normalise_identifier, normalise_phone
from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.tests.factories import PASSWORD, make_staff

EMAIL = "probe.is.x@example.com"
PHONE = "13900000451"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def arabic_indic(text: str) -> str:
    return "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in text)


# (family, spelling of the account's identifier, does it reach the account?)
SAME, NONE = True, False
VARIANTS = [
    ("dotless_i", EMAIL.replace("is", "ıs"), NONE),
    ("long_s", EMAIL.replace("is", "iſ"), SAME),
    ("full_width_email", full_width(EMAIL), SAME),
    ("full_width_phone", full_width(PHONE), SAME),
    ("arabic_indic_phone", PHONE[:2] + arabic_indic(PHONE[2:]), NONE),
    ("upper_case_email", EMAIL.upper(), SAME),
    ("spaces_email", f"\u3000 {EMAIL}\t", SAME),
    ("spaces_phone", f" {PHONE}\u3000", SAME),
]
VARIANT_IDS = [v[0] for v in VARIANTS]


# --- the normal form itself -------------------------------------------------------------------


@given(st.text())
def test_normalising_twice_is_normalising_once(text):
    assert normalise_identifier(normalise_identifier(text)) == normalise_identifier(text)


ascii_local = st.text(alphabet=string.ascii_letters + string.digits + "._-", min_size=1, max_size=20)


@given(local=ascii_local, spaces=st.text(alphabet=" \t\u3000\u00a0", max_size=3))
def test_full_width_upper_case_and_spaced_spellings_share_the_normal_form(local, spaces):
    address = f"{local}@example.com"
    expected = normalise_identifier(address)
    assert expected == address.lower()
    for spelling in (full_width(address), address.upper(), f"{spaces}{address}{spaces}"):
        assert normalise_identifier(spelling) == expected


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_full_width_phone_is_the_ascii_number_and_other_scripts_are_refused(tail):
    phone = "13" + tail
    assert normalise_phone(full_width(phone)) == phone
    with pytest.raises(ValidationError):
        normalise_phone("13" + arabic_indic(tail))


def test_dotless_i_is_refused_and_long_s_is_an_s():
    with pytest.raises(ValidationError):
        normalise_email(EMAIL.replace("is", "ıs"))
    assert normalise_email(EMAIL.replace("is", "iſ")) == EMAIL


# --- login: web form, admin, API token --------------------------------------------------------


def _web(username, password):
    client = Client()
    client.post("/login/", {"username": username, "password": password})
    return client.session.get("_auth_user_id")


def _admin(username, password):
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return client.session.get("_auth_user_id")


def _api(username, password):
    response = Client().post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )
    if response.status_code != 200:
        return None
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return me.json()["id"]


LOGIN_PATHS = {"web": _web, "admin": _admin, "api": _api}


@pytest.fixture
def probe(gz):
    # Staff, so that the admin login accepts the account too.
    return make_staff(Role.CENTRE_OPERATOR, gz, phone=PHONE, email=EMAIL)


@pytest.mark.django_db
@pytest.mark.parametrize("path", LOGIN_PATHS)
@pytest.mark.parametrize(("family", "spelling", "same"), VARIANTS, ids=VARIANT_IDS)
class TestLogin:
    def test_a_spelling_logs_in_to_the_account_or_to_none(self, probe, path, family, spelling, same):
        user_id = LOGIN_PATHS[path](spelling, PASSWORD)
        assert user_id == (str(probe.pk) if same else None)

    def test_failures_on_the_account_lock_out_every_spelling(
        self, probe, settings, path, family, spelling, same
    ):
        settings.LOGIN_FAILURE_LIMIT = 3
        canonical = PHONE if "phone" in family else EMAIL
        for _ in range(3):
            LOGIN_PATHS[path](canonical, "wrong-pass-1")
        assert LOGIN_PATHS[path](spelling, PASSWORD) is None

    def test_failures_on_a_spelling_count_toward_the_account_it_reaches(
        self, probe, settings, path, family, spelling, same
    ):
        settings.LOGIN_FAILURE_LIMIT = 3
        canonical = PHONE if "phone" in family else EMAIL
        for _ in range(3):
            LOGIN_PATHS[path](spelling, "wrong-pass-1")
        # A spelling that reaches the account locked it; one that reaches none locked nothing.
        assert LOGIN_PATHS[path](canonical, PASSWORD) == (None if same else str(probe.pk))


# --- account creation: API and web registration, the manager, the admin user form ---------------

REGISTER = "/api/v1/auth/register"
PHONE_SPELLINGS = [v for v in VARIANTS if "phone" in v[0]]
EMAIL_SPELLINGS = [v for v in VARIANTS if "phone" not in v[0]]


def _register_api(phone):
    body = {"centre": "GZ", "phone": phone, "password": "low-carbon-2016", "display_name": "小明"}
    response = Client().post(REGISTER, body, content_type="application/json")
    return response.status_code, (response.json().get("error") or {}).get("code")


def _register_web(phone):
    body = {"centre": "GZ", "phone": phone, "password": "low-carbon-2016", "display_name": "小明"}
    response = Client().post("/register/", body)
    if response.status_code == 302:
        return 201, None
    if "该手机号码已注册" in response.content.decode():  # the page answers 400 with the message
        return 409, "phone_taken"
    return response.status_code, "invalid"


REGISTER_PATHS = {"api": _register_api, "web": _register_web}


@pytest.mark.django_db
@pytest.mark.parametrize("path", REGISTER_PATHS)
@pytest.mark.parametrize(("family", "spelling", "same"), PHONE_SPELLINGS, ids=[v[0] for v in PHONE_SPELLINGS])
class TestRegistration:
    def test_a_spelling_of_a_registered_number_is_taken_or_refused(self, probe, path, family, spelling, same):
        status, code = REGISTER_PATHS[path](spelling)
        if same:
            assert (status, code) == (409, "phone_taken")
        else:
            assert status == 400 and code != "phone_taken"
        assert User.objects.count() == 1

    def test_a_new_number_is_stored_in_its_normal_form_or_refused(self, gz, path, family, spelling, same):
        status, _code = REGISTER_PATHS[path](spelling)
        if same:
            assert status == 201
            assert User.objects.get().phone == PHONE
        else:
            assert status == 400 and not User.objects.exists()


@pytest.mark.django_db
class TestManagerAndProfile:
    @pytest.mark.parametrize(
        ("family", "spelling", "same"), EMAIL_SPELLINGS, ids=[v[0] for v in EMAIL_SPELLINGS]
    )
    def test_create_user_with_a_spelling_of_a_taken_email_fails(self, probe, family, spelling, same):
        with pytest.raises(IntegrityError if same else ValidationError), transaction.atomic():
            User.objects.create_user(email=spelling, password=PASSWORD, display_name="x")
        assert User.objects.count() == 1

    @pytest.mark.parametrize(
        ("family", "spelling", "same"), PHONE_SPELLINGS, ids=[v[0] for v in PHONE_SPELLINGS]
    )
    def test_create_user_stores_the_phone_normal_form(self, gz, family, spelling, same):
        if same:
            assert (
                User.objects.create_user(phone=spelling, password=PASSWORD, display_name="x").phone == PHONE
            )
        else:
            with pytest.raises(ValidationError):
                User.objects.create_user(phone=spelling, password=PASSWORD, display_name="x")

    def test_natural_key_finds_the_account_by_any_same_spelling(self, probe):
        assert User.objects.get_by_natural_key(full_width(PHONE)) == probe

    @pytest.mark.parametrize(
        ("family", "spelling", "same"), EMAIL_SPELLINGS, ids=[v[0] for v in EMAIL_SPELLINGS]
    )
    def test_profile_email_spelling_of_a_taken_address_is_taken_or_refused(
        self, client_for, probe, resident, family, spelling, same
    ):
        response = client_for(resident).patch("/api/v1/me", {"email": spelling}, format="json")
        assert response.status_code == (409 if same else 400), response.json()
        resident.refresh_from_db()
        assert resident.email is None

    def test_the_database_refuses_a_stored_upper_case_email(self, probe):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.filter(pk=probe.pk).update(email=EMAIL.upper())

    def test_the_database_refuses_stored_non_ascii_digits(self, probe):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.filter(pk=probe.pk).update(phone=arabic_indic(PHONE))


@pytest.mark.django_db
class TestAdminUserForm:
    @pytest.fixture
    def superuser_client(self, gz):
        admin_user = User.objects.create_superuser(
            email="root@example.com", password=PASSWORD, display_name="根"
        )
        client = Client()
        client.force_login(admin_user)
        return client

    @pytest.mark.parametrize(
        ("family", "spelling", "same"), EMAIL_SPELLINGS, ids=[v[0] for v in EMAIL_SPELLINGS]
    )
    def test_adding_a_user_with_a_spelling_of_a_taken_email_is_refused(
        self, superuser_client, probe, family, spelling, same
    ):
        response = superuser_client.post(
            "/admin/accounts/user/add/",
            {
                "display_name": "冒名",
                "email": spelling,
                "is_active": "on",
                "bindings-TOTAL_FORMS": "0",
                "bindings-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 200  # the form again, with the error
        assert User.objects.filter(display_name="冒名").count() == 0

    def test_a_new_email_is_stored_case_folded(self, superuser_client, gz):
        response = superuser_client.post(
            "/admin/accounts/user/add/",
            {
                "display_name": "新人",
                "email": full_width("New.Person@Example.com"),
                "is_active": "on",
                "bindings-TOTAL_FORMS": "0",
                "bindings-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert User.objects.get(display_name="新人").email == "new.person@example.com"


@pytest.mark.django_db
def test_a_provider_service_account_email_is_stored_case_folded(gz):
    from tanpuhui.metering.services import provider_create

    provider = provider_create(centre=gz, code="EV1", name="充电桩", kind="transit_operator")
    assert provider.service_user.email == "provider-ev1-gz@providers.tanpuhui.invalid"
    assert (
        User.objects.get_by_identifier("provider-EV1-gz@providers.tanpuhui.invalid") == provider.service_user
    )


@pytest.mark.django_db
class TestCreateSuperuserCommand:
    def run(self, monkeypatch, phone):
        from django.core.management import call_command

        monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "low-carbon-2016")
        call_command("createsuperuser", interactive=False, phone=phone, display_name="管理员", verbosity=0)

    def test_a_full_width_number_is_stored_in_its_normal_form(self, monkeypatch, gz):
        self.run(monkeypatch, full_width(PHONE))
        assert User.objects.get(is_superuser=True).phone == PHONE

    @pytest.mark.parametrize("spelling", [full_width(PHONE), f" {PHONE} "])
    def test_a_spelling_of_a_taken_number_is_taken(self, monkeypatch, probe, spelling):
        from django.core.management import CommandError

        with pytest.raises(CommandError, match="already taken"):
            self.run(monkeypatch, spelling)
        assert not User.objects.filter(is_superuser=True).exists()
