from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "infitah.participation.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.participation.surveys.models import Survey
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("surveys:list", kwargs={"slug": collectivity.slug})

        def exists(collectivity: Collectivity) -> bool:
            return Survey.objects.for_collectivity(collectivity).published().exists()

        register_module(
            Module(key="surveys", title=_("Surveys"), url=home_url, exists=exists, order=60)
        )
