from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "infitah.backoffice"
    label = "backoffice"
