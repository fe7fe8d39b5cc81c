from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "infitah.network"
    label = "network"
    verbose_name = _("Network")

    def ready(self) -> None:
        from infitah.network.panels import panels_register

        panels_register()
