from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "infitah.core"
    label = "core"
