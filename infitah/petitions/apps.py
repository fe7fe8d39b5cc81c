from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "infitah.petitions"
    label = "petitions"
    verbose_name = _("Petitions")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.accounts.permissions import Perm
        from infitah.cases.selectors import duty_titles
        from infitah.cases.workflow import process_register
        from infitah.deadlines.duty_kinds import register_duty_kind
        from infitah.deadlines.models import Deadline
        from infitah.petitions.highlights import highlights_register
        from infitah.petitions.openers import register_petition_opener
        from infitah.petitions.process import PROCESS
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("petitions:home", kwargs={"slug": collectivity.slug})

        def staff_url(deadline: Deadline) -> str:
            return reverse(
                "petitions-staff:detail",
                kwargs={"slug": deadline.collectivity.slug, "pk": int(deadline.subject_id)},
            )

        register_module(
            Module(
                key="petitions",
                title=_("Petitions"),
                url=home_url,
                exists=lambda collectivity: collectivity.is_network_member,
                order=40,
            )
        )
        # The engine's sweep notes the decision periods that pass unmet (`manage.py tick`).
        process_register(PROCESS)
        # The decision clock `petition.decision.<level>` links to the bureau's page.
        register_duty_kind(
            "petitions.petition",
            url=staff_url,
            label=_("Petition"),
            perm=Perm.PETITIONS_HANDLE,
            titles=duty_titles(PROCESS),
        )
        # Petitions lodged on paper are opened from their correspondence register entry.
        register_petition_opener()
        highlights_register()
