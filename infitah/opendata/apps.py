from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "infitah.opendata"
    label = "opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.opendata.models import Dataset
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def url(collectivity: Collectivity) -> str:
            return reverse("opendata:collectivity", kwargs={"slug": collectivity.slug})

        def exists(collectivity: Collectivity) -> bool:
            return Dataset.objects.filter(collectivity=collectivity, is_active=True).exists()

        # The collectivity's home links its datasets once it has some (one query).
        register_module(
            Module(key="opendata", title=_("Open data"), url=url, exists=exists, order=120)
        )
