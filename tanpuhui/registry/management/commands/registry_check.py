import json

from django.core.management.base import BaseCommand, CommandError

from tanpuhui.registry import check


class Command(BaseCommand):
    help = "Prove the registry's invariants (totals per prefix, no overlaps, lineage, no double counting)."

    def handle(self, *args, **options):
        result = check.run()
        self.stdout.write(
            f"registry_check: {result.prefixes} prefixes, {result.blocks} blocks, {result.issued} credits issued"
        )
        if not result.ok:
            for problem in result.problems:
                self.stdout.write(json.dumps(problem, default=str, ensure_ascii=False))
            raise CommandError(f"{len(result.problems)} problem(s)")
        self.stdout.write("registry_check: clean")
