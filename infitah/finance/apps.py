from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "infitah.finance"
    label = "finance"
    verbose_name = _("Budget and procurement")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("finance:home", kwargs={"slug": collectivity.slug})

        register_module(
            Module(
                key="finance",
                title=_("Budget and procurement"),
                url=home_url,
                exists=lambda collectivity: collectivity.is_network_member,
                order=95,
            )
        )
