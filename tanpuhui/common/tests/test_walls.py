"""Generated walls over every API route of the URL conf, with the methods the OpenAPI schema lists.

Each route's view declares its audience (``common.scoping``); from that alone, for every route, every
method and every kind of user (anonymous, resident, centre operator, provincial officer, merchant staff,
data provider, enterprise staff — and whatever kinds new contexts declare in their ``tests/walls.py``):

- a caller outside the audience is refused (anonymous: 401; a signed-in user of another kind: 403/404);
- the audience's own member is let through (neither 401 nor 403);
- for every route naming an object, a member at a second centre owns the object: the first centre's
  member of the same audience gets 404, and the owner does not (so the object and the route are real).

A route whose view names no audience, or an object route without an object factory for its audience,
fails ``test_every_api_route_is_classified``: new endpoints get these walls by declaring their audience.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tanpuhui.common.scoping import AUDIENCES, Audience, audience_of
from tanpuhui.common.tests.walls import AUDIENCE_MEMBER, MEMBERS, OBJECTS
from tanpuhui.urls import api_patterns

pytestmark = pytest.mark.django_db

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Values that exist nowhere, by converter: the wall must stand before the lookup.
NOWHERE = {"uuid": str(uuid.UUID(int=0)), "int": "999999", "str": "deadbeef", "slug": "no-such-code"}
METHODS = ("get", "put", "patch", "post", "delete")  # delete last: it may remove the object


@dataclass(frozen=True)
class Route:
    route: str
    view: Any
    audience: Audience | None

    @property
    def is_object(self) -> bool:
        return "<" in self.route

    @property
    def open(self) -> bool:
        """Audiences without rows of their own (public, any signed-in user) have no tenant wall."""
        return self.audience is None or self.audience.name in ("public", "signed_in")

    @property
    def model(self) -> type | None:
        queryset = getattr(self.view, "queryset", None)
        return None if queryset is None else queryset.model

    def url(self, obj: Any = None) -> str:
        def fill(match: re.Match) -> str:
            if obj is None:
                return NOWHERE[match.group(1) or "str"]
            return str(getattr(obj, getattr(self.view, "lookup_field", "pk")))

        return "/api/v1/" + CONVERTER.sub(fill, self.route)


def flatten(patterns, prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += flatten(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def routes_of(patterns) -> list[Route]:
    out = []
    for route, callback in flatten(patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
        out.append(Route(route, view, audience_of(callback)))
    return out


def unclassified(patterns) -> list[str]:
    """Routes the generated walls cannot check, with why."""
    problems = []
    for r in routes_of(patterns):
        if r.audience is None:
            problems.append(f"{r.route}: the view names no audience (common.scoping)")
        elif r.audience.name not in AUDIENCE_MEMBER:
            problems.append(f"{r.route}: audience {r.audience.name!r} has no member kind in a tests/walls.py")
        elif r.is_object and not r.open and (r.audience.name, r.model) not in OBJECTS:
            problems.append(
                f"{r.route}: no OBJECTS[({r.audience.name!r}, {r.model})] factory in a tests/walls.py"
            )
    return problems


ROUTES = routes_of(api_patterns)
SCHEMA_PATHS = SchemaGenerator().get_schema(request=None, public=True)["paths"]


def methods_of(route: Route) -> list[str]:
    path = "/api/v1/" + CONVERTER.sub(
        lambda m: "{%s}" % ("id" if m.group(2) == "pk" else m.group(2)), route.route
    )
    operations = SCHEMA_PATHS[path]
    return [m for m in METHODS if m in operations]


def client_as(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def call(client: APIClient, method: str, url: str):
    return getattr(client, method)(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)


def test_every_api_route_is_classified():
    assert len(ROUTES) >= 80
    assert unclassified(api_patterns) == []
    assert set(AUDIENCES) <= set(AUDIENCE_MEMBER), "declare a member kind for every audience (tests/walls.py)"
    assert all(kind is None or kind in MEMBERS for kind in AUDIENCE_MEMBER.values())


def test_an_unclassified_new_route_fails_the_check():
    from django.urls import path
    from rest_framework import generics
    from rest_framework.views import APIView

    from tanpuhui.accounts.audiences import STAFF
    from tanpuhui.common.scoping import AudienceMixin
    from tanpuhui.tenancy.models import Centre

    class NoAudienceApi(APIView):
        def get(self, request):  # pragma: no cover - never called
            raise AssertionError

    class NoFactoryApi(AudienceMixin, generics.RetrieveAPIView):
        audience = STAFF
        queryset = Centre.objects.all()

    extra = [path("new/thing", NoAudienceApi.as_view()), path("new/<int:pk>", NoFactoryApi.as_view())]
    problems = unclassified(api_patterns + extra)
    assert [p.split(": ")[0] for p in problems] == ["new/thing", "new/<int:pk>"]


@pytest.fixture
def members(gz):
    return {kind: make(gz) for kind, make in MEMBERS.items()}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route)
def test_every_method_refuses_every_caller_outside_the_audience(route, members):
    audience = route.audience
    assert audience is not None
    own_kind = AUDIENCE_MEMBER[audience.name]
    problems = []
    for method in methods_of(route):
        url = route.url()
        anonymous = call(client_as(None), method, url)
        if not audience.anonymous and anonymous.status_code != 401:
            problems.append((method, "anonymous", anonymous.status_code))
        if audience.anonymous and anonymous.status_code in (401, 403):
            problems.append((method, "anonymous", anonymous.status_code))
        for kind, user in members.items():
            status = call(client_as(user), method, url).status_code
            if not audience.admits(user) and status not in (403, 404):
                problems.append((method, kind, status))
            if kind == own_kind and status in (401, 403):
                problems.append((method, kind, status))
    assert problems == [], (route.route, audience.name, problems)


OBJECT_ROUTES = [r for r in ROUTES if r.is_object and not r.open]


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.route)
def test_another_tenants_object_is_not_found(route, gz, zs):
    audience = route.audience
    assert audience is not None
    kind = AUDIENCE_MEMBER[audience.name]
    intruder, owner = MEMBERS[kind](gz), MEMBERS[kind](zs)
    obj = OBJECTS[(audience.name, route.model)](owner)
    url = route.url(obj)
    problems = []
    for method in methods_of(route):
        seen = call(client_as(intruder), method, url)
        if seen.status_code != 404:
            problems.append((method, "another centre's member", seen.status_code))
        mine = call(client_as(owner), method, url)
        if mine.status_code in (401, 403, 404):
            problems.append((method, "the owner", mine.status_code))
    assert problems == [], (route.route, audience.name, problems)
