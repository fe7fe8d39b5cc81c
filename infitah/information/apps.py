from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InformationConfig(AppConfig):
    name = "infitah.information"
    label = "information"
    verbose_name = _("Access to information")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.accounts.permissions import Perm
        from infitah.cases.selectors import duty_titles
        from infitah.cases.workflow import process_register
        from infitah.deadlines.duty_kinds import register_duty_kind
        from infitah.deadlines.models import Deadline
        from infitah.information.highlights import highlights_register
        from infitah.information.process import PROCESS
        from infitah.information.selectors import is_accepting
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("information:home", kwargs={"slug": collectivity.slug})

        def staff_url(deadline: Deadline) -> str:
            # The label carries the reference; the subject id is the request's pk.
            return reverse(
                "information-staff:by-id",
                kwargs={"slug": deadline.collectivity.slug, "pk": int(deadline.subject_id)},
            )

        register_module(
            Module(
                key="information",
                title=_("Access to information"),
                url=home_url,
                exists=is_accepting,
                order=20,
            )
        )
        process_register(PROCESS)
        register_duty_kind(
            "information.informationrequest",
            url=staff_url,
            label=_("Access-to-information request"),
            perm=Perm.INFORMATION_HANDLE,
            titles=duty_titles(PROCESS),
        )
        highlights_register()
