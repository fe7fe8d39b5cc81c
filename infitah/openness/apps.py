from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpennessConfig(AppConfig):
    name = "infitah.openness"
    label = "openness"
    verbose_name = _("Openness index")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("openness:collectivity", kwargs={"slug": collectivity.slug})

        # Every collectivity of the tree has a score (with less data outside the network).
        register_module(Module(key="openness", title=_("Openness index"), url=home_url, order=200))
