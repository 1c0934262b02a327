"""Load the demo data set: every context's ``demo.load()``, in dependency order, idempotently."""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from tanpuhui.urls import CONTEXTS


class Command(BaseCommand):
    help = "Load (or top up) the realistic demo data set. Safe to run repeatedly."

    def handle(self, *args, **options):
        for context in CONTEXTS:
            try:
                module = import_module(f"tanpuhui.{context}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"tanpuhui.{context}.demo":
                    raise
                continue
            with transaction.atomic():
                summary = module.load()
            self.stdout.write(f"demo {context}: {summary or 'ok'}")
