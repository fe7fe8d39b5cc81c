from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenplanConfig(AppConfig):
    name = "infitah.openplan"
    label = "openplan"
    verbose_name = _("Opening programme")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.accounts.permissions import Perm
        from infitah.cases.selectors import duty_titles
        from infitah.cases.workflow import process_register
        from infitah.deadlines.duty_kinds import register_duty_kind
        from infitah.deadlines.models import Deadline
        from infitah.openplan.process import PROCESS
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("openplan:home", kwargs={"slug": collectivity.slug})

        def staff_url(deadline: Deadline) -> str:
            return reverse(
                "openplan-staff:programme",
                kwargs={"slug": deadline.collectivity.slug, "pk": int(deadline.subject_id)},
            )

        register_module(
            Module(
                key="openplan",
                title=_("Opening programme"),
                url=home_url,
                exists=lambda collectivity: collectivity.is_network_member,
                order=90,
            )
        )
        # The engine's sweep sees the update and inception clocks (`manage.py tick`).
        process_register(PROCESS)
        # The focal point keeps the page up to date; the inception assessment is the
        # monitor's: both see the programme's duties in their inbox.
        register_duty_kind(
            "openplan.programme",
            url=staff_url,
            label=_("Opening programme"),
            perm=(Perm.OPENPLAN_MANAGE, Perm.OPENPLAN_ASSESS),
            titles=duty_titles(PROCESS),
        )
        # Register entries of versions and evidence link to the public pages.
        from infitah.ledger.register_links import register_document_link
        from infitah.openplan import register

        register_document_link(register.VERSION_TYPE, register.version_link)
        register_document_link(register.EVIDENCE_TYPE, register.evidence_link)
