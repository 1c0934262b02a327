"""The one scoping decision: which centres' data a user may see as staff."""

import pytest

from tanpuhui.accounts.models import Role, User
from tanpuhui.accounts.selectors import scope_to_user, visible_centre_ids
from tanpuhui.accounts.services import role_grant
from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
from tanpuhui.tenancy.models import Centre, Region
from tanpuhui.tenancy.selectors import centre_list_public
from tanpuhui.tenancy.tests.factories import CentreFactory, ProvincialCentreFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shanghai():
    region = RegionFactory(code="SH", name_zh="上海市", name_en="Shanghai", kind=Region.Kind.MUNICIPALITY)
    province = ProvincialCentreFactory(code="SHPC", name_zh="上海碳普惠发展中心", region=region)
    city = CentreFactory(code="PD", name_zh="浦东运营中心", region=region, parent=province)
    return province, city


def test_city_staff_see_their_centre(gz, zs, gz_operator):
    assert visible_centre_ids(gz_operator) == {gz.pk}


def test_provincial_roles_see_their_province_only(province, gz, zs, shanghai):
    sh_province, pudong = shanghai
    for role in (Role.PROVINCIAL_OFFICER, Role.PILOT_MANAGER):
        officer = make_staff(role, province)
        assert visible_centre_ids(officer) == {province.pk, gz.pk, zs.pk}
    sh_officer = make_staff(Role.PROVINCIAL_OFFICER, sh_province)
    assert visible_centre_ids(sh_officer) == {sh_province.pk, pudong.pk}


def test_staff_of_two_centres_see_both(gz, zs, gz_operator):
    role_grant(user=gz_operator, role=Role.CENTRE_REVIEWER, centre=zs)
    assert visible_centre_ids(User.objects.get(pk=gz_operator.pk)) == {gz.pk, zs.pk}


def test_a_provincial_role_held_at_a_city_centre_does_not_widen(gz, zs):
    odd = make_staff(Role.PROVINCIAL_OFFICER, gz)
    assert visible_centre_ids(odd) == {gz.pk}


def test_non_staff_see_nothing_superusers_everything(gz, resident):
    assert visible_centre_ids(resident) == frozenset()
    provider = make_staff(Role.DATA_PROVIDER, gz)
    assert visible_centre_ids(provider) == frozenset()
    root = User.objects.create_superuser(
        email="root@example.cn", password="x-long-password", display_name="root"
    )
    assert visible_centre_ids(root) is None


def test_deactivated_staff_see_nothing(gz, gz_operator):
    gz_operator.is_active = False
    assert visible_centre_ids(gz_operator) == frozenset()


def test_scope_to_user_filters_by_any_lookup(gz, zs, gz_operator):
    mine, theirs = ResidentFactory(centre=gz), ResidentFactory(centre=zs)
    scoped = scope_to_user(User.objects.all(), gz_operator, "centre")
    assert mine in scoped and theirs not in scoped
    centres = scope_to_user(Centre.objects.all(), gz_operator, "pk")
    assert list(centres) == [gz]


def test_public_centre_list_is_cities_not_suspended(province, gz, zs):
    CentreFactory(code="XS", status=Centre.Status.SUSPENDED)
    pilot = CentreFactory(code="SG", status=Centre.Status.PILOT)
    assert set(centre_list_public()) == {gz, zs, pilot}
