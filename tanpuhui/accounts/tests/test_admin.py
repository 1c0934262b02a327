"""The back office (/admin/) walls: staff see and touch only their centres' rows."""

import pytest
from django.test import Client

from tanpuhui.accounts.models import ApiKey, Binding, Role, User
from tanpuhui.accounts.services import api_key_issue, role_grant
from tanpuhui.accounts.tests.factories import PASSWORD, BindingFactory, ResidentFactory, make_staff
from tanpuhui.common.models import AuditEvent
from tanpuhui.common.services import audit_record

pytestmark = pytest.mark.django_db


def admin_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def provider(centre, name="电网数据") -> User:
    user = make_staff(Role.DATA_PROVIDER, centre, display_name=name)
    return user


@pytest.fixture
def world(gz, zs, gz_operator, zs_operator, resident, other_resident):
    """One of everything in GZ and in ZS."""
    gz_binding = BindingFactory(resident=resident, account_number="T1000000001")
    zs_binding = BindingFactory(resident=other_resident, account_number="T2000000002")
    gz_key, _ = api_key_issue(user=provider(gz, "广州供电"), name="gz-power")
    zs_key, _ = api_key_issue(user=provider(zs, "中山供电"), name="zs-power")
    gz_event = audit_record(actor=gz_operator, action="test.gz", target=resident)
    zs_event = audit_record(actor=zs_operator, action="test.zs", target=other_resident)
    return {
        "gz": {"resident": resident, "binding": gz_binding, "key": gz_key, "event": gz_event},
        "zs": {"resident": other_resident, "binding": zs_binding, "key": zs_key, "event": zs_event},
    }


def changelist_pks(client, url) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return {str(obj.pk) for obj in response.context["cl"].result_list}


CHANGELISTS = [
    ("/admin/accounts/user/", "resident"),
    ("/admin/accounts/binding/", "binding"),
    ("/admin/accounts/apikey/", "key"),
    ("/admin/common/auditevent/", "event"),
]


class TestCentreOperator:
    @pytest.mark.parametrize(("url", "kind"), CHANGELISTS)
    def test_changelist_shows_own_centre_only(self, world, gz_operator, url, kind):
        pks = changelist_pks(admin_client(gz_operator), url)
        assert str(world["gz"][kind].pk) in pks
        assert str(world["zs"][kind].pk) not in pks

    def test_user_changelist_has_no_other_centre_user_at_all(self, world, gz, gz_operator):
        pks = changelist_pks(admin_client(gz_operator), "/admin/accounts/user/")
        assert set(User.objects.filter(pk__in=pks).values_list("centre__code", flat=True)) == {"GZ"}

    @pytest.mark.parametrize(
        "url",
        [
            "/admin/accounts/user/{resident}/change/",
            "/admin/accounts/user/{resident}/history/",
            "/admin/accounts/binding/{binding}/change/",
            "/admin/accounts/apikey/{key}/change/",
            "/admin/common/auditevent/{event}/change/",
        ],
    )
    def test_other_centre_rows_cannot_be_opened(self, world, gz_operator, url):
        zs = {k: v.pk for k, v in world["zs"].items()}
        response = admin_client(gz_operator).get(url.format(**zs))
        # Django admin answers a row outside the queryset with a redirect to the index
        # ("doesn't exist"), never the row itself.
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response.url == "/admin/"

    def test_other_centre_resident_cannot_be_changed(self, world, gz_operator):
        theirs = world["zs"]["resident"]
        response = admin_client(gz_operator).post(
            f"/admin/accounts/user/{theirs.pk}/change/",
            {"display_name": "改名", "email": "", "is_active": ""},
        )
        assert response.status_code in (302, 404)
        theirs.refresh_from_db()
        assert theirs.display_name != "改名" and theirs.is_active

    def test_own_centre_resident_change_is_audited(self, world, gz_operator):
        mine = world["gz"]["resident"]
        response = admin_client(gz_operator).post(
            f"/admin/accounts/user/{mine.pk}/change/",
            {
                "display_name": "新名字",
                "email": "",
                "is_active": "on",
                "bindings-TOTAL_FORMS": "1",
                "bindings-INITIAL_FORMS": "1",
                "bindings-MIN_NUM_FORMS": "0",
                "bindings-MAX_NUM_FORMS": "1000",
                "bindings-0-id": str(world["gz"]["binding"].pk),
                "bindings-0-resident": str(mine.pk),
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        mine.refresh_from_db()
        assert mine.display_name == "新名字"
        event = AuditEvent.objects.get(action="admin.change", target_id=str(mine.pk))
        assert event.actor == gz_operator and event.centre.code == "GZ"
        assert event.data["fields"] == ["display_name"]

    def test_centre_choices_in_forms_are_limited(self, world, gz_operator):
        response = admin_client(gz_operator).get("/admin/tenancy/centre/")
        codes = {c.code for c in response.context["cl"].result_list}
        assert codes == {"GZ"}

    def test_the_admin_home_sends_staff_to_their_console(self, world, gz_operator):
        # The admin's home is the platform administrators'; staff run their day in the console.
        for url in ("/admin/", "/admin/accounts/"):
            response = admin_client(gz_operator).get(url)
            assert response.status_code == 302 and response.url == "/console/"

    def test_the_admin_home_lists_every_module_for_the_platform_administrator(self, world):
        admin_user = User.objects.create_superuser(
            email="root@tanpuhui.test", password=PASSWORD, display_name="平台管理员"
        )
        response = admin_client(admin_user).get("/admin/")
        assert response.status_code == 200
        models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
        assert {"User", "Binding", "ApiKey", "RoleAssignment", "AuditEvent", "Centre", "Region"} <= models

    def test_reviewer_and_finance_can_view_but_not_change(self, world, gz):
        reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
        client = admin_client(reviewer)
        assert client.get("/admin/").url == "/console/"
        mine = world["gz"]["resident"]
        assert str(mine.pk) in changelist_pks(client, "/admin/accounts/user/")
        response = client.post(f"/admin/accounts/user/{mine.pk}/change/", {"display_name": "x"})
        assert response.status_code == 403
        mine.refresh_from_db()
        assert mine.display_name != "x"


class TestOutsiders:
    def test_resident_cannot_enter_the_back_office(self, world, resident):
        client = admin_client(resident)
        for url in ["/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{resident.pk}/change/"]:
            response = client.get(url)
            assert response.status_code == 302
            assert response.url.startswith("/admin/login/")

    @pytest.mark.parametrize("role", [Role.MERCHANT_STAFF, Role.ENTERPRISE_STAFF, Role.DATA_PROVIDER])
    def test_non_back_office_roles_see_nothing(self, world, gz, role):
        user = make_staff(role, gz)
        User.objects.filter(pk=user.pk).update(is_staff=True)  # even if someone ticked the box
        client = admin_client(User.objects.get(pk=user.pk))
        response = client.get("/admin/")
        assert response.status_code == 302 and response.url == "/"  # home: not the console either
        assert client.get("/admin/accounts/user/").status_code == 403

    def test_anonymous_is_sent_to_login(self, world):
        response = Client().get("/admin/accounts/user/")
        assert response.status_code == 302 and response.url.startswith("/admin/login/")


class TestProvincialOfficer:
    @pytest.mark.parametrize(("url", "kind"), CHANGELISTS)
    def test_sees_every_centre(self, world, provincial_officer, url, kind):
        pks = changelist_pks(admin_client(provincial_officer), url)
        assert {str(world["gz"][kind].pk), str(world["zs"][kind].pk)} <= pks

    def test_can_open_any_centres_resident(self, world, provincial_officer):
        theirs = world["zs"]["resident"]
        response = admin_client(provincial_officer).get(f"/admin/accounts/user/{theirs.pk}/change/")
        assert response.status_code == 200


class TestAdminLogin:
    def test_staff_log_in_with_phone(self, gz_operator):
        client = Client()
        response = client.post(
            "/admin/login/?next=/admin/", {"username": gz_operator.phone, "password": PASSWORD}
        )
        assert response.status_code == 302 and response.url == "/admin/"

    def test_admin_login_is_throttled_like_the_others(self, gz_operator, settings):
        settings.LOGIN_FAILURE_LIMIT = 3
        client = Client()
        for _ in range(3):
            client.post("/admin/login/", {"username": gz_operator.phone, "password": "wrong-pass-1"})
        response = client.post("/admin/login/", {"username": gz_operator.phone, "password": PASSWORD})
        assert response.status_code == 200  # the form again, not a redirect into the back office
        assert "_auth_user_id" not in client.session
        assert "失败次数过多" in response.content.decode()


class TestStaffChangesAreAudited:
    def test_role_grant_by_staff_is_audited(self, gz, gz_operator, resident):
        role_grant(user=resident, role=Role.CENTRE_REVIEWER, centre=gz, granted_by=gz_operator)
        event = AuditEvent.objects.get(action="role.grant")
        assert event.actor == gz_operator and event.data["role"] == Role.CENTRE_REVIEWER

    def test_binding_rows_are_read_only_in_the_back_office(self, world, gz_operator):
        binding = world["gz"]["binding"]
        client = admin_client(gz_operator)
        response = client.post(f"/admin/accounts/binding/{binding.pk}/delete/", {"post": "yes"})
        assert response.status_code == 403
        assert Binding.objects.filter(pk=binding.pk, unbound_at__isnull=True).exists()
        assert ApiKey.objects.count() == 2


class TestApiKeyAdminActions:
    def act(self, user, action, *keys):
        return admin_client(user).post(
            "/admin/accounts/apikey/",
            {"action": action, "_selected_action": [str(k.pk) for k in keys], "index": "0"},
            follow=True,
        )

    def test_rotate_shows_the_new_key_once_and_audits(self, world, gz_operator):
        key = world["gz"]["key"]
        response = self.act(gz_operator, "rotate_keys", key)
        assert response.status_code == 200
        new = ApiKey.objects.exclude(pk__in=[world["gz"]["key"].pk, world["zs"]["key"].pk]).get()
        assert new.user == key.user
        shown = [str(m) for m in response.context["messages"]]
        assert any(f"{new.prefix}." in m for m in shown)
        key.refresh_from_db()
        assert key.expires_at is not None and key.is_usable()
        assert AuditEvent.objects.filter(action="api_key.rotate", actor=gz_operator).count() == 1

    def test_revoke(self, world, gz_operator):
        key = world["gz"]["key"]
        self.act(gz_operator, "revoke_keys", key)
        key.refresh_from_db()
        assert key.revoked_at is not None
        assert AuditEvent.objects.filter(action="api_key.revoke", target_id=str(key.pk)).exists()

    def test_other_centres_keys_are_out_of_reach(self, world, gz_operator):
        theirs = world["zs"]["key"]
        self.act(gz_operator, "revoke_keys", theirs)
        self.act(gz_operator, "rotate_keys", theirs)
        theirs.refresh_from_db()
        assert theirs.revoked_at is None and theirs.expires_at is None
        assert ApiKey.objects.count() == 2

    def test_reviewers_have_no_key_actions(self, world, gz):
        reviewer = make_staff(Role.CENTRE_REVIEWER, gz)
        key = world["gz"]["key"]
        response = admin_client(reviewer).get("/admin/accounts/apikey/")
        assert "revoke_keys" not in response.content.decode()
        self.act(reviewer, "revoke_keys", key)
        key.refresh_from_db()
        assert key.revoked_at is None


class TestRoleGrantsInTheBackOffice:
    def test_superuser_grant_goes_through_role_grant(self, gz, resident):
        admin_user = User.objects.create_superuser(
            email="root@example.cn", password=PASSWORD, display_name="管理员"
        )
        staff = ResidentFactory(centre=gz)
        response = admin_client(admin_user).post(
            "/admin/accounts/roleassignment/add/",
            {"user": str(staff.pk), "role": Role.CENTRE_REVIEWER, "centre": str(gz.pk)},
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        staff.refresh_from_db()
        assert staff.is_staff and staff.has_role(Role.CENTRE_REVIEWER)
        event = AuditEvent.objects.get(action="role.grant")
        assert event.actor == admin_user and event.centre == gz

    def test_operators_cannot_grant_roles(self, gz, gz_operator, resident):
        response = admin_client(gz_operator).post(
            "/admin/accounts/roleassignment/add/",
            {"user": str(resident.pk), "role": Role.CENTRE_OPERATOR, "centre": str(gz.pk)},
        )
        assert response.status_code == 403
        assert not resident.role_assignments.filter(role=Role.CENTRE_OPERATOR).exists()
