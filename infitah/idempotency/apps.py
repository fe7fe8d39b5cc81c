from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "infitah.idempotency"
    label = "idempotency"
