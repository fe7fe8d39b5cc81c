from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "infitah.participation.labs"
    label = "labs"
    verbose_name = _("Collective-intelligence labs")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.participation.labs.models import Lab
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("labs:list", kwargs={"slug": collectivity.slug})

        def exists(collectivity: Collectivity) -> bool:
            return Lab.objects.for_collectivity(collectivity.pk).published().exists()

        register_module(
            Module(
                key="labs",
                title=_("Collective-intelligence labs"),
                url=home_url,
                exists=exists,
                order=70,
            )
        )
