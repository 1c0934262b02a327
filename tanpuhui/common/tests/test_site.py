"""The site as a newcomer meets it: docs served locally, demo data loads idempotently."""

import io
import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from tanpuhui.accounts.demo import ADMIN_EMAIL, DEMO_PASSWORD, STAFF, resident_phone
from tanpuhui.accounts.models import User

pytestmark = pytest.mark.django_db


def test_api_docs_and_schema_are_served_without_a_cdn(client):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))]
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/staff/api-keys" in schema.content


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_demo_load_twice_changes_nothing():
    call_command("demo_load", stdout=io.StringIO())
    first = table_counts()
    names = dict(User.objects.values_list("phone", "display_name").exclude(phone=None))
    call_command("demo_load", stdout=io.StringIO())
    assert table_counts() == first
    assert dict(User.objects.values_list("phone", "display_name").exclude(phone=None)) == names
    # The documented logins work.
    assert User.objects.get(email=ADMIN_EMAIL).is_superuser
    operator = User.objects.get(phone=STAFF[2][0])
    assert operator.check_password(DEMO_PASSWORD) and operator.is_staff
    assert User.objects.get(phone=resident_phone("ZS", 1)).check_password(DEMO_PASSWORD)
    assert first["accounts.User"] >= 300 and first["accounts.Binding"] >= 600


@pytest.mark.parametrize(
    "url", ["/api/v1/no-such-thing", "/api/v1/me/bindings/not-a-number", "/api/v2/centres"]
)
def test_unknown_api_paths_answer_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "未找到。", "fields": {}}}


def test_unknown_pages_get_the_site_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_api_server_errors_answer_in_the_error_shape(rf):
    from tanpuhui.common.views import server_error

    response = server_error(rf.get("/api/v1/centres"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"
    assert server_error(rf.get("/")).status_code == 500
