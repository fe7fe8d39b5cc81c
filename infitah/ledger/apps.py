from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "infitah.ledger"
    label = "ledger"
