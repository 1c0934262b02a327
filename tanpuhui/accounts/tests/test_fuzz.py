"""Property: whatever JSON a client sends to the account endpoints, the answer is never a 500, errors
have the one error shape, and a refused registration writes nothing."""

import json

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tanpuhui.accounts.models import Binding, RoleAssignment, User

pytestmark = pytest.mark.django_db

# Text with the awkward parts of Unicode: NUL, surrogates, RTL marks, full-width and Arabic-Indic digits.
awkward_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from("0123456789１２３٣\x00\u200f\u202e \t\n-_.abcXYZ广州"), max_size=25),
    st.sampled_from(["GZ", "ZS", "GDPC", "gz", "", " ", "13912345678", "low-carbon-2016", "\ud800"]),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | awkward_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def post_json(client, url, body):
    try:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        raw = b"{}"
    return client.generic("POST", url, raw, content_type="application/json")


def assert_error_shape(response):
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["fields"], dict)


@FUZZ
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "centre": json_value,
            "phone": json_value,
            "password": json_value,
            "display_name": json_value,
        },
    )
)
@example(body={"centre": "GZ", "phone": "13912345678", "password": "low-carbon-2016", "display_name": "小明"})
def test_register_never_500s_and_never_half_writes(gz, body):
    cache.clear()  # the registration throttle (20/min) would otherwise answer most examples with 429
    before = (User.objects.count(), RoleAssignment.objects.count())
    response = post_json(APIClient(), "/api/v1/auth/register", body)
    assert response.status_code < 500 and response.status_code != 429
    if response.status_code == 201:
        user = User.objects.get(pk=response.json()["id"])
        assert user.role_assignments.count() == 1
        user.role_assignments.all().delete()
        user.delete()  # keep the examples independent
    else:
        assert 400 <= response.status_code < 500
        assert_error_shape(response)
    assert (User.objects.count(), RoleAssignment.objects.count()) == before


@FUZZ
@given(
    body=st.fixed_dictionaries(
        {}, optional={"kind": json_value, "account_number": json_value, "label": json_value}
    )
)
@example(body={"kind": "transit_card", "account_number": "T123456789"})
def test_binding_never_500s(resident, body):
    client = APIClient()
    client.force_authenticate(resident)
    response = post_json(client, "/api/v1/me/bindings", body)
    assert response.status_code < 500
    if response.status_code == 201:
        Binding.objects.filter(pk=response.json()["id"]).delete()
    else:
        assert_error_shape(response)
    assert not Binding.objects.exists()
