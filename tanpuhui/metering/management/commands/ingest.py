"""``manage.py ingest <file> --provider GZ:gz-power --type electricity_reading [--async]``."""

import os

from django.core.management.base import BaseCommand, CommandError

from tanpuhui.common import progress
from tanpuhui.common.errors import ServiceError
from tanpuhui.metering import services
from tanpuhui.metering.models import Batch, DataProvider


class Command(BaseCommand):
    help = "Ingest a provider file (CSV or JSON Lines) through the same pipeline as the API."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--provider", required=True, help="CENTRE:provider-code, e.g. GZ:gz-power")
        parser.add_argument("--type", dest="record_type", required=True)
        parser.add_argument(
            "--async", dest="background", action="store_true", help="queue instead of running now"
        )

    def handle(self, path, provider, record_type, background, **options):
        centre_code, _sep, code = provider.partition(":")
        found = DataProvider.objects.filter(centre__code=centre_code, code=code).first()
        if found is None:
            raise CommandError(f"No provider {provider!r} (use CENTRE:code)")
        try:
            file_format = services.format_for("", path)
            with (
                open(path, "rb") as handle,
                progress.bar(self.stdout, total=os.path.getsize(path), desc="upload", unit="B") as bar,
            ):
                batch, duplicate = services.batch_receive(
                    provider=found,
                    record_type=record_type,
                    file_format=file_format,
                    stream=_Counted(handle, bar.update),
                    original_name=path,
                )
        except (ServiceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if duplicate:
            self.stdout.write(f"duplicate file: batch {batch.pk} ({batch.status})")
            return
        if not background:
            stages = list(STAGES)
            with (
                progress.bar(self.stdout, total=len(Batch.STEPS), desc="batch", unit="stage") as bar,
                progress.Watch(bar, lambda: _stage_reached(batch.pk, stages)),
            ):
                batch = services.batch_process(batch_id=batch.pk)
        self.stdout.write(
            f"batch {batch.pk}: {batch.status} received={batch.received} accepted={batch.accepted} "
            f"rejected={batch.rejected} duplicates={batch.duplicates} matched={batch.matched} "
            f"unmatched={batch.unmatched} quantified={batch.quantified}"
        )


# The stages a batch goes through, in order (the bar counts the ones it has left behind).
STAGES = (*Batch.STEPS, Batch.Stage.FINISHED)


def _stage_reached(batch_id, stages: list[str]) -> tuple[int, str]:
    stage, received = Batch.objects.values_list("stage", "received").get(pk=batch_id)
    position = stages.index(stage) if stage in stages else 0
    return position, f"{Batch.Stage(stage).label} ({received:,} rows)" if received else str(
        Batch.Stage(stage).label
    )


class _Counted:
    """A file whose reads are counted (the upload's progress)."""

    def __init__(self, handle, count) -> None:
        self.handle, self.count = handle, count

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.count(len(chunk))
        return chunk
