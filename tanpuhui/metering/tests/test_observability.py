"""What the batch pipeline tells an operator: rows and time per stage (``/metrics``), the stage on its
page, and a progress bar in ``manage.py ingest`` at a terminal only."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from tanpuhui.accounts.models import Binding
from tanpuhui.accounts.tests.factories import BindingFactory
from tanpuhui.common import metrics
from tanpuhui.metering.models import Batch, DataProvider
from tanpuhui.metering.tests.factories import make_provider, seed_methods, upload

pytestmark = pytest.mark.django_db

TRIPS = "record_id,card,mode,boarded_at\n" + "".join(
    f"m{i},T100000001,metro,2026-09-01T08:{i:02d}:00+08:00\n" for i in range(40)
)
STAGES = ("validating", "loading", "matching", "quantifying")


def _rows(stage: str) -> float:
    return metrics.BATCH_ROWS.labels(stage)._value.get()


def _timed(stage: str) -> float:
    return next(
        (
            sample.value
            for family in metrics.BATCH_STAGE_SECONDS.collect()
            for sample in family.samples
            if sample.name.endswith("_count") and sample.labels["stage"] == stage
        ),
        0.0,
    )


@pytest.fixture
def transit(gz, resident):
    seed_methods(gz)
    BindingFactory(resident=resident, centre=gz, kind=Binding.Kind.TRANSIT_CARD, account_number="T100000001")
    return make_provider(gz, DataProvider.Kind.TRANSIT_OPERATOR)


def test_every_stage_counts_the_batchs_rows_once_it_commits(transit, django_capture_on_commit_callbacks):
    before = {stage: (_rows(stage), _timed(stage)) for stage in STAGES}
    with django_capture_on_commit_callbacks(execute=False) as pending:
        batch, _ = upload(transit, "transit_trip", TRIPS)
    assert batch.status == Batch.Status.DONE and batch.received == 40
    assert all(_rows(stage) == before[stage][0] for stage in STAGES)  # nothing counted before commit
    for callback in pending:
        callback()
    counted = {stage: _rows(stage) - before[stage][0] for stage in STAGES}
    timed = {stage: _timed(stage) - before[stage][1] for stage in STAGES}
    # PostgreSQL's one-pass load goes from loading to quantifying (its matching counts as loading).
    ran = STAGES if counted["matching"] else ("validating", "loading", "quantifying")
    assert counted == {stage: 40 if stage in ran else 0 for stage in STAGES}
    assert timed == {stage: 1 if stage in ran else 0 for stage in STAGES}


def test_the_batch_page_shows_steps_while_it_runs(transit, client, gz):
    from tanpuhui.accounts.models import Role
    from tanpuhui.accounts.tests.factories import make_staff

    batch, _ = upload(transit, "transit_trip", TRIPS)
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.PROCESSING, stage=Batch.Stage.MATCHING)
    client.force_login(make_staff(Role.CENTRE_OPERATOR, gz))
    page = client.get(f"/staff/metering/batches/{batch.pk}/", HTTP_ACCEPT_LANGUAGE="en", data={"lang": "en"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'max="4" value="2"' in html and "2 of 4 steps done" in html
    Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.DONE, stage=Batch.Stage.FINISHED)
    assert "steps done" not in client.get(f"/staff/metering/batches/{batch.pk}/").content.decode()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_ingest_shows_a_progress_bar_only_at_a_terminal(transit, tmp_path, capsys):
    path = tmp_path / "trips.csv"
    path.write_text(TRIPS)
    piped = io.StringIO()
    call_command("ingest", str(path), provider=f"GZ:{transit.code}", record_type="transit_trip", stdout=piped)
    assert "batch " in piped.getvalue() and "done" in piped.getvalue()
    assert capsys.readouterr().err == ""  # a pipe gets no bar

    second = tmp_path / "more.csv"
    second.write_text(TRIPS.replace("m", "n"))
    terminal = _Terminal()
    call_command(
        "ingest", str(second), provider=f"GZ:{transit.code}", record_type="transit_trip", stdout=terminal
    )
    bars = capsys.readouterr().err
    assert "upload" in bars and "batch" in bars and "4/4" in bars
    assert "\x1b" not in terminal.getvalue() and "%|" not in terminal.getvalue()  # stdout stays the result
