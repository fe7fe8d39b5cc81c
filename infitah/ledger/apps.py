from django.apps import AppConfig
from django.core import checks


class LedgerConfig(AppConfig):
    name = "infitah.ledger"
    label = "ledger"

    def ready(self) -> None:
        from infitah.ledger.checks import register_keys_check

        checks.register(register_keys_check)
