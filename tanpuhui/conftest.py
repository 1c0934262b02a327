"""Fixtures shared by every context's tests: two city centres under one province, and API clients."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tanpuhui.accounts.models import Role
from tanpuhui.accounts.tests.factories import ResidentFactory, make_staff
from tanpuhui.tenancy.tests.factories import CentreFactory, ProvincialCentreFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def province(db):
    return ProvincialCentreFactory()


@pytest.fixture
def gz(province):
    return CentreFactory(
        code="GZ", name_zh="广州碳普惠运营中心", name_en="Guangzhou Operation Centre", parent=province
    )


@pytest.fixture
def zs(province):
    return CentreFactory(
        code="ZS",
        name_zh="中山碳普惠运营中心",
        name_en="Zhongshan Operation Centre",
        city_zh="中山",
        city_en="Zhongshan",
        parent=province,
    )


@pytest.fixture
def resident(gz):
    return ResidentFactory(centre=gz)


@pytest.fixture
def other_resident(zs):
    return ResidentFactory(centre=zs)


@pytest.fixture
def gz_operator(gz):
    return make_staff(Role.CENTRE_OPERATOR, gz)


@pytest.fixture
def zs_operator(zs):
    return make_staff(Role.CENTRE_OPERATOR, zs)


@pytest.fixture
def provincial_officer(province, gz, zs):
    return make_staff(Role.PROVINCIAL_OFFICER, province)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_for():
    """``client_for(user)`` → an APIClient authenticated as ``user`` (force_authenticate)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
