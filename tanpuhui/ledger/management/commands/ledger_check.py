import json
import sys

from django.core.management.base import BaseCommand

from tanpuhui.common import progress
from tanpuhui.ledger.check import STEPS, ledger_check


class Command(BaseCommand):
    help = "Recompute every coin balance from the transfers; exit 1 on any difference."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-record", action="store_true", help="Don't store the result for the staff page."
        )

    def handle(self, *args, **options):
        with progress.bar(self.stdout, total=STEPS, desc="ledger_check") as bar:
            result = ledger_check(record=not options["no_record"], progress=progress.steps(bar))
            bar.update(bar.total - bar.n)
        self.stdout.write(
            f"ledger_check: {result.accounts_checked} accounts, Σ balances = {result.total_balance}, "
            f"{len(result.problems)} problem(s)"
        )
        for problem in result.problems:
            self.stdout.write(json.dumps(problem, ensure_ascii=False, default=str))
        if not result.ok:
            self.stderr.write("ledger_check: DIFFERENCES FOUND")
            sys.exit(1)
        self.stdout.write("ledger_check: OK")
