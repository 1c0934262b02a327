"""Every request has an id: in the X-Request-ID header and in every log line written while serving it."""

import io
import logging
import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """The lines the configured console formatter (settings.LOGGING) writes, from any logger."""
    options = dict(settings.LOGGING["formatters"]["structlog"])
    formatter = options.pop("()")(**options)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)


def test_each_response_names_its_request(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


def test_a_proxys_id_is_kept_and_a_bad_one_replaced(client):
    assert (
        client.get("/", headers={"X-Request-ID": "edge-7f3a9c01"}).headers["X-Request-ID"] == "edge-7f3a9c01"
    )
    for bad in ("short", "x" * 65, "has space 123", "a\u4e2d\u6587bcdefgh"):
        answered = client.get("/", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), bad


def test_log_lines_written_during_a_request_carry_its_id(client, log_lines):
    response = client.get("/no-such-page-at-all/")  # django.request logs "Not Found" while serving it
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    lines = [line for line in log_lines() if "no-such-page-at-all" in line]
    assert lines and all(f"request_id={request_id}" in line for line in lines), log_lines()
    logging.getLogger("tanpuhui.test").warning("after the request")
    assert "request_id" not in log_lines()[-1]  # the id does not leak into work done outside a request
