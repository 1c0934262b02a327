"""Probes, metrics and request logs: what an operator's tools read."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess

import pytest
import structlog
from django.conf import settings
from django.test import Client

from tanpuhui.common import health, metrics
from tanpuhui.common.models import CheckOutcome

pytestmark = pytest.mark.django_db


def test_liveness_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}
    assert "no-cache" in answer["Cache-Control"]


def test_readiness_checks_database_broker_and_storage(client, settings, tmp_path):
    # the embedded setup's queue is a folder (make run creates it); a fresh clone has none yet
    queue = tmp_path / "queue"
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
    }
    missing = client.get("/readyz")
    assert missing.status_code == 503 and missing.json()["checks"]["broker"]["ok"] is False
    queue.mkdir()
    answer = client.get("/readyz")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}  # no replica alias in this setup
    assert all(check["ok"] and check["critical"] for check in body["checks"].values())


def test_readiness_is_503_when_a_critical_check_fails_and_names_no_secret(client, settings):
    settings.CELERY_BROKER_URL = "redis://:s3cret-password@127.0.0.1:1/0"  # nothing listens on port 1
    answer = client.get("/readyz")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["broker"]["reason"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True
    assert "s3cret" not in answer.content.decode() and "127.0.0.1" not in answer.content.decode()


def test_a_lagging_replica_degrades_readiness_without_failing_it(monkeypatch):
    monkeypatch.setattr(health, "replica_lag_seconds", lambda: 95.0)
    code, body = health.readiness(
        [health.Check("database", True, health._database), health.Check("replica", False, health._replica)]
    )
    assert code == 200 and body["status"] == "degraded"
    assert body["checks"]["replica"] == {
        "ok": False, "reason": "lagging", "lag_seconds": 95.0, "ms": body["checks"]["replica"]["ms"], "critical": False
    }  # fmt: skip


def test_a_replica_alias_adds_the_replica_check(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, "replica", settings.DATABASES["default"])
    assert [check.name for check in health.checks()] == ["database", "replica", "broker", "storage"]


def _scrape(client: Client) -> str:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain; version=0.0.4")
    return answer.content.decode()


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent); labels in any order."""
    for line in text.splitlines():
        head, _, value = line.rpartition(" ")
        metric, _, rest = head.partition("{")
        found = dict(re.findall(r'(\w+)="([^"]*)"', rest))
        if metric == name and found == labels:
            return float(value)
    return 0.0


def test_requests_are_counted_and_timed_by_route_name(client):
    before = _scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    after = _scrape(client)
    count = "tanpuhui_http_requests_total"
    assert (
        _sample(after, count, route="healthz", method="GET", status="200")
        - _sample(before, count, route="healthz", method="GET", status="200")
        == 2
    )
    assert _sample(after, count, route="unmatched", method="GET", status="404") >= 1
    assert _sample(after, "tanpuhui_http_request_duration_seconds_count", route="healthz", method="GET") >= 2


def test_check_outcomes_are_gauges_whichever_process_ran_them(client):
    metrics.check_finished(name="ledger_check", ok=True, problems=0, seconds=1.5)
    metrics.check_finished(name="registry_check", ok=False, problems=3, seconds=0.25)
    metrics.check_finished(name="registry_check", ok=False, problems=2, seconds=0.5)  # the last run counts
    assert CheckOutcome.objects.count() == 2
    text = _scrape(client)
    assert _sample(text, "tanpuhui_check_ok", check="ledger_check") == 1
    assert _sample(text, "tanpuhui_check_ok", check="registry_check") == 0
    assert _sample(text, "tanpuhui_check_problems", check="registry_check") == 2
    assert _sample(text, "tanpuhui_check_duration_seconds", check="registry_check") == 0.5


def test_scrape_time_sources_and_a_failing_one(client):
    metrics.register_source("test_answer", "A fixed figure.", lambda: [metrics.Sample({"kind": "x"}, 42)])
    metrics.register_source("test_broken", "Fails.", lambda: 1 / 0)
    try:
        text = _scrape(client)
    finally:
        metrics.SOURCES.pop("test_answer")
        metrics.SOURCES.pop("test_broken")
    assert _sample(text, "tanpuhui_test_answer", kind="x") == 42
    assert "tanpuhui_test_broken" not in text
    assert _sample(text, "tanpuhui_queue_depth", queue="filesystem") >= 0
    assert "tanpuhui_queue_depth" in text


def test_coins_are_counted_only_when_their_transaction_commits(django_capture_on_commit_callbacks):
    issued, redeemed = metrics.COINS_ISSUED._value.get(), metrics.COINS_REDEEMED._value.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        metrics.coins_moved([("earn", 120), ("reward", 5), ("spend", 40), ("expiry", 7)])
    assert metrics.COINS_ISSUED._value.get() == issued  # not yet: the transaction may still roll back
    for callback in callbacks:
        callback()
    assert metrics.COINS_ISSUED._value.get() - issued == 125
    assert metrics.COINS_REDEEMED._value.get() - redeemed == 40


def test_promtool_accepts_the_metrics(client, tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip(
            "promtool is not installed (scripts/ensure-services.sh installs Debian's prometheus package)"
        )
    metrics.check_finished(name="ledger_check", ok=True, problems=0, seconds=0.1)
    metrics.request_observed(route="api:thing", method="POST", status=201, seconds=0.2)
    metrics.batch_stage_done(stage="validating", rows=1000, seconds=0.3)
    text = _scrape(client)
    assert "tanpuhui_metering_batch_rows_total" in text and "tanpuhui_check_ok" in text
    checked = subprocess.run(  # noqa: S603 — Debian's promtool
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture
def json_lines():
    """The lines settings.LOGGING's formatter writes with LOG_FORMAT=json, one JSON object a line."""
    options = dict(settings.LOGGING["formatters"]["structlog"])
    factory = options.pop("()")
    options["processors"] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
        structlog.processors.JSONRenderer(),
    ]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**options))
    root = logging.getLogger()
    root.addHandler(handler)
    level, root.level = root.level, logging.INFO
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.level = level


def test_each_request_writes_one_json_access_line_with_id_user_and_centre(json_lines, gz, settings):
    from tanpuhui.accounts.tests.factories import ResidentFactory

    settings.LOG_REQUESTS = True
    resident = ResidentFactory(centre=gz)
    client = Client()  # a new handler reads LOG_REQUESTS
    client.force_login(resident)
    answer = client.get("/healthz", headers={"X-Request-ID": "edge-1234abcd"})
    assert answer["X-Request-ID"] == "edge-1234abcd"
    [line] = [line for line in json_lines() if line["event"] == "request"]
    assert line["request_id"] == "edge-1234abcd" and line["level"] == "info"
    assert line["user_id"] == str(resident.pk) and line["centre"] == gz.pk
    assert (line["route"], line["method"], line["status"]) == ("healthz", "GET", 200) and line["ms"] >= 0


def test_an_api_callers_user_is_in_the_lines_logged_while_serving_it(json_lines, gz):
    from rest_framework.test import APIClient

    from tanpuhui.accounts.tests.factories import ResidentFactory

    resident = ResidentFactory(centre=gz)
    api = APIClient()
    api.force_authenticate(resident)
    answer = api.get("/api/v1/staff/providers")  # staff only: Django logs "Forbidden" while serving it
    assert answer.status_code == 403
    forbidden = [line for line in json_lines() if "Forbidden" in line["event"]]
    assert forbidden and forbidden[0]["user_id"] == str(resident.pk) and forbidden[0]["centre"] == gz.pk
    assert forbidden[0]["request_id"] == answer["X-Request-ID"]
    logging.getLogger("tanpuhui.test").warning("after the request")
    assert "user_id" not in json_lines()[-1]  # nor does the user outlive the request


def test_multiprocess_mode_adds_up_every_processs_counters(tmp_path):
    """As under gunicorn: each process writes its counters to PROMETHEUS_MULTIPROC_DIR; any one answers
    /metrics with the sums."""
    import os
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "tanpuhui.settings",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    record = (
        "import django; django.setup()\n"
        "from tanpuhui.common import metrics\n"
        "metrics.request_observed(route='web:home', method='GET', status=200, seconds=0.1)\n"
    )
    subprocess.run([sys.executable, "-c", record], cwd=root, env=env, check=True, timeout=60)  # noqa: S603
    scrape = record + "print(metrics.exposition().decode())\n"  # a second process records, then answers
    text = subprocess.run(  # noqa: S603
        [sys.executable, "-c", scrape],
        cwd=root,
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout
    assert _sample(text, "tanpuhui_http_requests_total", route="web:home", method="GET", status="200") == 2


def test_the_example_dashboard_reads_only_metrics_we_export(client):
    from pathlib import Path

    dashboard = json.loads(
        (Path(__file__).resolve().parents[3] / "deploy" / "grafana" / "tanpuhui-overview.json").read_text()
    )
    metrics.check_finished(name="ledger_check", ok=True, problems=0, seconds=0.1)
    metrics.batch_stage_done(stage="validating", rows=1, seconds=0.1)
    exported = set(re.findall(r"^# TYPE (\w+) ", _scrape(client), re.MULTILINE))
    exported |= {f"{name}_bucket" for name in exported} | {f"{name}_total" for name in exported}
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"tanpuhui_\w+", target["expr"])
    }
    assert used and used <= exported, used - exported
