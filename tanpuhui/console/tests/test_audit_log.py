"""The audit-log page: staff read what was done at their centres (never another centre's), filtered by
action and day, in plain words; residents and visitors are kept out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from tanpuhui.common.services import audit_record
from tanpuhui.metering import services as metering
from tanpuhui.web.tests.test_plain_language import enum_codes, findings, visible_text

pytestmark = pytest.mark.django_db
URL = "/console/audit/"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def events(gz, zs, gz_operator, zs_operator):
    """A provider onboarded at each centre (audited by the service) and a key revoked in GZ last week."""
    metering.provider_create(
        centre=gz, code="gz-metro", name="广州地铁", kind="transit_operator", actor=gz_operator
    )
    metering.provider_create(
        centre=zs, code="zs-power", name="中山供电局", kind="power_utility", actor=zs_operator
    )
    with freeze_time(timezone.now() - timedelta(days=7)):  # the log is append-only: record it back then
        audit_record(actor=gz_operator, action="api_key.revoke", centre=gz)


def rows(response) -> list[str]:
    return [e["action"] for e in response.context["events"]]


def test_the_operator_reads_the_centres_log_only(events, gz_operator):
    response = as_user(gz_operator).get(URL, {"lang": "en"})
    assert response.status_code == 200
    assert rows(response) == ["Data provider onboarded", "API key revoked"]
    body = response.content.decode()
    assert "Guangzhou" in body and "Zhongshan" not in body


def test_a_provincial_officer_reads_every_centre(events, provincial_officer):
    response = as_user(provincial_officer).get(URL, {"lang": "en"})
    assert sorted(rows(response)) == ["API key revoked", "Data provider onboarded", "Data provider onboarded"]


def test_filters_by_action_and_day(events, gz_operator):
    client = as_user(gz_operator)
    assert rows(client.get(URL, {"lang": "en", "action": "api_key.revoke"})) == ["API key revoked"]
    today = timezone.localdate()
    assert rows(client.get(URL, {"lang": "en", "since": today.isoformat()})) == ["Data provider onboarded"]
    week_ago = (today - timedelta(days=7)).isoformat()
    assert rows(client.get(URL, {"lang": "en", "until": week_ago})) == ["API key revoked"]


def test_a_bad_filter_value_is_a_message_not_a_500(events, gz_operator):
    response = as_user(gz_operator).get(URL, {"lang": "en", "action": "no_such_action", "since": "yesterday"})
    assert response.status_code == 200
    assert len(rows(response)) == 2  # the unfiltered log, with the messages above it
    assert len(list(response.context["messages"])) == 2


def test_residents_cashiers_and_visitors_are_kept_out(events, resident):
    assert as_user(resident).get(URL).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_the_log_speaks_plainly_in_both_languages(events, gz_operator):
    client = as_user(gz_operator)
    codes = enum_codes()
    problems = []
    for lang in ("zh-hans", "en"):
        response = client.get(URL, {"lang": lang})
        assert response.status_code == 200
        text = visible_text(response.content.decode())
        problems += [f"[{lang}] {f}" for f in findings(text, chinese=lang == "zh-hans", codes=codes)]
    assert problems == []
