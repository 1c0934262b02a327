"""Input the API must refuse with a 4xx in the one error shape, never a 500 or an HTML page (issue 11).

Each test sends the request from the issue and checks the status, the error shape and that nothing
was written.
"""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from tanpuhui.accounts.tests.factories import BindingFactory
from tanpuhui.common.limits import COINS_MAX, MAX_JSON_DEPTH
from tanpuhui.common.parsers import _check
from tanpuhui.common.views import bad_request
from tanpuhui.funding import services as funding
from tanpuhui.funding.models import Cause, CauseUpdate, CrowdfundingProject
from tanpuhui.marketplace.tests.factories import MerchantFactory, make_merchant_staff
from tanpuhui.metering.models import Batch, DataProvider
from tanpuhui.metering.services import provider_key_issue
from tanpuhui.metering.tests.factories import make_provider, seed_methods

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def client(user=None) -> APIClient:
    """A client that answers a server error as the 500 response instead of raising it."""
    api = APIClient(raise_request_exception=False)
    if user is not None:
        api.force_authenticate(user)
    return api


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def post_json(api, url: str, raw: str):
    return api.generic("POST", url, raw, content_type="application/json")


# --- JSON nesting depth -------------------------------------------------------------------------


def test_json_nested_ten_thousand_deep_is_400():
    raw = "[" * 10_000 + "]" * 10_000
    error = assert_error(post_json(client(), "/api/v1/auth/token", raw), 400, "malformed_request")
    assert str(MAX_JSON_DEPTH) in error["message"]


def test_json_depth_limit_is_exact_and_the_check_does_not_recurse():
    def nested(depth):
        value: list = []
        for _i in range(depth - 1):
            value = [value]
        return value

    _check(nested(MAX_JSON_DEPTH))  # at the limit: accepted
    _check({"a": nested(MAX_JSON_DEPTH - 1)})
    with pytest.raises(ParseError):
        _check(nested(MAX_JSON_DEPTH + 1))
    with pytest.raises(ParseError):
        _check({"a": nested(MAX_JSON_DEPTH)})
    with pytest.raises(ParseError):  # deeper than the interpreter's recursion limit: still a ParseError
        _check(nested(50_000))
    with pytest.raises(ParseError):  # a NUL in a key is still caught
        _check({"a\x00": 1})


def test_json_within_the_depth_still_reaches_the_view(resident):
    body = json.dumps({"username": resident.phone, "password": "wrong", "extra": [[[["x"]]]]})
    assert post_json(client(), "/api/v1/auth/token", body).status_code in (400, 401)


# --- coin bounds --------------------------------------------------------------------------------


def _project_body(**target) -> str:
    deadline = (timezone.now() + timedelta(days=3)).isoformat()
    fields = {"centre": "GZ", "kind": "ev_charger", "title": "光伏充电桩", "deadline": deadline}
    return json.dumps(fields)[:-1] + ", " + ", ".join(f'"{k}": {v}' for k, v in target.items()) + "}"


@pytest.mark.parametrize("target", ["1e30", str(10**30), str(COINS_MAX + 1), "0", "1.5", "true"])
def test_crowdfunding_target_out_of_bounds_is_400(gz, gz_operator, target):
    response = post_json(
        client(gz_operator), "/api/v1/staff/crowdfunding", _project_body(target_coins=target)
    )
    error = assert_error(response, 400, "invalid")
    assert list(error["fields"]) == ["target_coins"]
    assert not CrowdfundingProject.objects.exists()


def test_crowdfunding_target_at_the_bound_is_accepted(gz, gz_operator):
    response = post_json(
        client(gz_operator), "/api/v1/staff/crowdfunding", _project_body(target_coins=str(COINS_MAX))
    )
    assert response.status_code == 201
    assert CrowdfundingProject.objects.get().target_coins == COINS_MAX


@pytest.mark.parametrize("coins", ["1e30", str(10**30), str(COINS_MAX + 1), "-1"])
def test_cause_update_coins_out_of_bounds_is_400(gz, gz_operator, coins):
    cause = funding.cause_create(centre=gz, actor=gz_operator, kind="mangrove", title="南沙红树林保护")
    body = '{"title": "补种", "body": "…", "coins_spent": %s}' % coins  # noqa: UP031 - raw JSON number
    error = assert_error(
        post_json(client(gz_operator), f"/api/v1/staff/causes/{cause.pk}/updates", body), 400, "invalid"
    )
    assert list(error["fields"]) == ["coins_spent"]
    assert not CauseUpdate.objects.exists()
    assert Cause.objects.count() == 1


def test_model_forms_hold_the_same_coin_bound(gz, gz_operator):
    project = CrowdfundingProject(
        centre=gz,
        kind="ev_charger",
        title="t",
        target_coins=COINS_MAX + 1,
        deadline=timezone.now(),
        created_by=gz_operator,
    )
    with pytest.raises(DjangoValidationError) as caught:
        project.full_clean()
    assert "target_coins" in caught.value.message_dict


# --- settlement periods -------------------------------------------------------------------------


@pytest.fixture
def cashier(gz):
    return make_merchant_staff(MerchantFactory(centre=gz)).user


@pytest.mark.parametrize("export", ["json", "csv", "xlsx"])
@pytest.mark.parametrize(
    "who, url", [("cashier", "/api/v1/merchant/settlement"), ("operator", "/api/v1/staff/settlement")]
)
def test_settlement_in_year_9999_is_400(cashier, gz_operator, who, url, export):
    api = client(cashier if who == "cashier" else gz_operator)
    error = assert_error(
        api.get(url, {"start": "9999-12-31", "end": "9999-12-31", "export": export}), 400, "invalid"
    )
    assert set(error["fields"]) == {"start", "end"}
    assert_error(api.get(url, {"year": "9999"}), 400, "invalid")
    assert_error(api.get(url, {"start": "0001-01-01", "end": "0001-01-02"}), 400, "invalid")


def test_settlement_pages_in_year_9999_fall_back_to_this_month(gz_operator):
    from django.test import Client

    page = Client(raise_request_exception=False)
    page.force_login(gz_operator)
    response = page.get("/staff/settlement/", {"start": "9999-12-31", "end": "9999-12-31"})
    assert response.status_code == 200


def test_reductions_month_in_year_9999_is_400(resident):
    error = assert_error(client(resident).get("/api/v1/me/reductions", {"month": "9999-12"}), 400, "invalid")
    assert list(error["fields"]) == ["month"]


# --- request size -------------------------------------------------------------------------------


def test_six_megabyte_token_request_is_413_json(resident):
    raw = json.dumps({"username": "x" * (6 * MB), "password": "p"})
    error = assert_error(post_json(client(), "/api/v1/auth/token", raw), 413, "request_too_large")
    assert "5" in error["message"]


def test_six_megabyte_profile_patch_is_413_json_and_changes_nothing(resident):
    before = resident.display_name
    raw = json.dumps({"display_name": "x" * (6 * MB)})
    response = client(resident).generic("PATCH", "/api/v1/me", raw, content_type="application/json")
    assert_error(response, 413, "request_too_large")
    resident.refresh_from_db()
    assert resident.display_name == before


def test_too_many_form_fields_is_400_json():
    body = "&".join(f"f{i}=1" for i in range(1500))
    response = client().generic(
        "POST", "/api/v1/auth/token", body, content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400, "too_many_fields")


def test_django_400_handler_answers_json_under_api_and_html_on_pages():
    factory = RequestFactory()
    api = bad_request(factory.post("/api/v1/auth/token"), RequestDataTooBig("too big"))
    assert api.status_code == 413 and json.loads(api.content)["error"]["code"] == "request_too_large"
    api = bad_request(factory.post("/api/v1/auth/token"), TooManyFieldsSent("many"))
    assert api.status_code == 400 and json.loads(api.content)["error"]["code"] == "too_many_fields"
    page = bad_request(factory.post("/login/"), RequestDataTooBig("too big"))
    assert page.status_code == 400 and b"<html" in page.content.lower()


def test_large_provider_upload_still_streams_and_keeps_its_own_limit(gz, resident, settings):
    seed_methods(gz)
    provider = make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)
    BindingFactory(resident=resident, kind="transit_card", account_number="T100000001")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {provider_key_issue(provider=provider)}")
    row = "t{},T100000001,metro,2026-09-01T08:12:00+08:00\n"
    body = ("record_id,card,mode,boarded_at\n" + "".join(row.format(i) for i in range(130_000))).encode()
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    url = "/api/v1/provider/batches?record_type=transit_trip"
    response = api.generic("POST", url, body, content_type="text/csv")
    assert response.status_code == 202, response.content[:300]
    assert Batch.objects.get().size_bytes == len(body)
    settings.METERING_MAX_UPLOAD_BYTES = 5 * MB
    error = assert_error(
        api.generic("POST", url, body + b"\n", content_type="text/csv"), 413, "file_too_large"
    )
    assert "5 MiB" in error["message"]
    assert Batch.objects.count() == 1
