from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrespondenceConfig(AppConfig):
    name = "infitah.correspondence"
    label = "correspondence"
    verbose_name = _("Correspondence register")

    def ready(self) -> None:
        # The openers this app provides itself (infitah/correspondence/openers.py); other
        # case apps register theirs from their own ready() (infitah/correspondence/cases.py).
        from infitah.correspondence.openers import register_information_opener

        register_information_opener()
