from django.apps import AppConfig


class OparlConfig(AppConfig):
    name = "infitah.oparl"
    label = "oparl"
    verbose_name = "OParl"
