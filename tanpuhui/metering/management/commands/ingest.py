"""``manage.py ingest <file> --provider GZ:gz-power --type electricity_reading [--async]``."""

from django.core.management.base import BaseCommand, CommandError

from tanpuhui.common.errors import ServiceError
from tanpuhui.metering import services
from tanpuhui.metering.models import DataProvider


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
            with open(path, "rb") as handle:
                batch, duplicate = services.batch_receive(
                    provider=found,
                    record_type=record_type,
                    file_format=file_format,
                    stream=handle,
                    original_name=path,
                )
        except (ServiceError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if duplicate:
            self.stdout.write(f"duplicate file: batch {batch.pk} ({batch.status})")
            return
        if not background:
            batch = services.batch_process(batch_id=batch.pk)
        self.stdout.write(
            f"batch {batch.pk}: {batch.status} received={batch.received} accepted={batch.accepted} "
            f"rejected={batch.rejected} duplicates={batch.duplicates} matched={batch.matched} "
            f"unmatched={batch.unmatched} quantified={batch.quantified}"
        )
