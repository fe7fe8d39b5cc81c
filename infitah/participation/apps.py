from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "infitah.participation"
    label = "participation"
    verbose_name = _("Participation")

    def ready(self) -> None:
        from infitah.participation.highlights import highlights_register

        highlights_register()
