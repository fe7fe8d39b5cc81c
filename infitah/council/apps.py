from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilConfig(AppConfig):
    name = "infitah.council"
    label = "council"
    verbose_name = _("Council")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.accounts.permissions import Perm
        from infitah.cases.selectors import duty_titles
        from infitah.cases.workflow import process_register
        from infitah.council.process import PROCESS
        from infitah.deadlines.duty_kinds import register_duty_kind
        from infitah.deadlines.models import Deadline
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("council:home", kwargs={"slug": collectivity.slug})

        def staff_url(deadline: Deadline) -> str:
            return reverse(
                "council-staff:session",
                kwargs={"slug": deadline.collectivity.slug, "pk": int(deadline.subject_id)},
            )

        register_module(
            Module(
                key="council",
                title=_("Council"),
                url=home_url,
                exists=lambda collectivity: collectivity.is_network_member,
                order=80,
            )
        )
        # The engine's sweep sees the agenda and summary clocks (`manage.py tick`).
        process_register(PROCESS)
        register_duty_kind(
            "council.session",
            url=staff_url,
            label=_("Council session"),
            perm=Perm.COUNCIL_MANAGE,
            titles=duty_titles(PROCESS),
        )
        # Register entries of agendas and decisions link to the public session page
        # (owner: sessions).
        from infitah.council.register import DOCUMENT_TYPE, register_link
        from infitah.ledger.register_links import register_document_link

        register_document_link(DOCUMENT_TYPE, register_link)
        # Signed minutes link to their public check page (owner: minutes).
        from infitah.council import minutes

        register_document_link("council.minutes", minutes.register_link)
