from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LabsConfig(AppConfig):
    name = "infitah.participation.labs"
    label = "labs"
    verbose_name = _("Collective-intelligence labs")
