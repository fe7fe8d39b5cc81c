from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "infitah.participation.consultations"
    label = "consultations"
    verbose_name = _("Public consultations")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.participation.consultations.models import Consultation
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("consultations:list", kwargs={"slug": collectivity.slug})

        def exists(collectivity: Collectivity) -> bool:
            return (
                collectivity.has_public_space
                and Consultation.objects.filter(collectivity=collectivity).exists()
            )

        register_module(
            Module(
                key="consultations",
                title=_("Public consultations"),
                url=home_url,
                exists=exists,
                order=50,
            )
        )
