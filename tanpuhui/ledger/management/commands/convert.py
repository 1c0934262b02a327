"""``manage.py convert [--centre GZ]``: convert every reduction not yet converted into coins, now."""

from django.core.management.base import BaseCommand, CommandError

from tanpuhui.common import progress
from tanpuhui.ledger.conversion import reductions_convert
from tanpuhui.ledger.models import ConversionRun
from tanpuhui.ledger.signals import coins_converted
from tanpuhui.metering.models import Reduction
from tanpuhui.tenancy.models import Centre


class Command(BaseCommand):
    help = (
        "Convert the reductions not yet converted into carbon coins (what the workers do after each batch)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--centre", action="append", default=[], help="centre code (repeatable); default all"
        )

    def handle(self, *args, centre, **options):
        centre_ids = None
        if centre:
            found = dict(Centre.objects.filter(code__in=centre).values_list("code", "pk"))
            missing = sorted(set(centre) - set(found))
            if missing:
                raise CommandError(f"No centre {', '.join(missing)}")
            centre_ids = list(found.values())
        total = None
        if progress.wanted(self.stdout):  # an estimate for the bar: reductions nothing has claimed yet
            waiting = Reduction.objects.filter(claim__isnull=True)
            total = (waiting.filter(centre_id__in=centre_ids) if centre_ids else waiting).count()
        with progress.bar(self.stdout, total=total, desc="convert", unit="reductions") as bar:

            def advance(sender, run_id, **kwargs):
                bar.update(ConversionRun.objects.values_list("reductions", flat=True).get(pk=run_id))

            coins_converted.connect(advance, dispatch_uid="convert-command-progress", weak=False)
            try:
                result = reductions_convert(centre_ids=centre_ids)
            finally:
                coins_converted.disconnect(dispatch_uid="convert-command-progress")
        self.stdout.write(
            f"convert: {result.runs} run(s), {result.reductions} reductions, {result.coins_earned} coins earned, "
            f"{result.coins_reversed} reversed"
        )
