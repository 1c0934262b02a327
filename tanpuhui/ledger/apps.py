from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tanpuhui.ledger"
    label = "ledger"
