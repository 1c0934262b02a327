import json

from django.core.management.base import BaseCommand, CommandError

from tanpuhui.common import progress
from tanpuhui.registry import check


class Command(BaseCommand):
    help = "Prove the registry's invariants (totals per prefix, no overlaps, lineage, no double counting)."

    def handle(self, *args, **options):
        with progress.bar(self.stdout, total=check.STEPS, desc="registry_check") as bar:
            result = check.run(record=True, progress=progress.steps(bar))
            bar.update(bar.total - bar.n)
        self.stdout.write(
            f"registry_check: {result.prefixes} prefixes, {result.blocks} blocks, {result.issued} credits issued"
        )
        if not result.ok:
            for problem in result.problems:
                self.stdout.write(json.dumps(problem, default=str, ensure_ascii=False))
            raise CommandError(f"{len(result.problems)} problem(s)")
        self.stdout.write("registry_check: clean")
