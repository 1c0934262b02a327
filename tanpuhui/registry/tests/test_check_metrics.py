"""``registry_check`` leaves its outcome for the ``/metrics`` gauges, whichever process ran it."""

import io

import pytest
from django.core.management import call_command

from tanpuhui.common.models import CheckOutcome
from tanpuhui.registry import check
from tanpuhui.registry.tasks import check_registry

pytestmark = pytest.mark.django_db


def test_registry_check_records_its_outcome(monkeypatch):
    out = io.StringIO()
    call_command("registry_check", stdout=out)
    assert "registry_check: clean" in out.getvalue()
    assert CheckOutcome.objects.filter(name="registry_check", ok=True, problems=0).exists()

    steps: list[str] = []
    result = check.run(progress=steps.append)  # not recorded: only the command and tasks record
    assert (
        result.ok
        and steps == ["totals", "overlaps", "lineage", "double counting"]
        and len(steps) == check.STEPS
    )


def test_the_daily_task_records_too():
    assert check_registry() == {"ok": True, "problems": 0}
    assert CheckOutcome.objects.get(name="registry_check").ok
