"""Generic walls over every API route, including those other contexts add: staff routes refuse residents
and anonymous callers, resident routes refuse anonymous callers. New endpoints get this check for free."""

import pytest

from tanpuhui.urls import api_patterns

pytestmark = pytest.mark.django_db


def routes(prefix: str) -> list[str]:
    """Routes ``prefix`` or under ``prefix/``."""
    found = []
    for pattern in api_patterns:
        route = str(pattern.pattern)
        if route == prefix or route.startswith(prefix + "/"):
            # Fill path converters with values that exist nowhere: the wall must stand before lookup.
            url = (
                route.replace("<uuid:pk>", "00000000-0000-0000-0000-000000000000")
                .replace("<int:pk>", "999999")
                .replace("<str:prefix>", "deadbeef")
            )
            if "<" not in url:
                found.append("/api/v1/" + url)
    return found


STAFF_ROUTES = routes("staff")
ME_ROUTES = routes("me")


def test_there_are_routes_to_check():
    assert "/api/v1/staff/residents" in STAFF_ROUTES and "/api/v1/me/bindings" in ME_ROUTES


@pytest.mark.parametrize("url", STAFF_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_routes_refuse_residents_and_anonymous(api, client_for, resident, url, method):
    anonymous = getattr(api, method)(url, {}, format="json")
    assert anonymous.status_code == 401, (url, anonymous.status_code)
    as_resident = getattr(client_for(resident), method)(url, {}, format="json")
    assert as_resident.status_code in (403, 404), (url, as_resident.status_code)
    assert as_resident.status_code != 200


@pytest.mark.parametrize("url", ME_ROUTES)
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_resident_routes_refuse_anonymous(api, url, method):
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 401, (url, method, response.status_code)
    assert set(response.json()) == {"error"}
