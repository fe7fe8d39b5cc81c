from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisoryConfig(AppConfig):
    name = "infitah.advisory"
    label = "advisory"
    verbose_name = _("Advisory bodies")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.accounts.permissions import Perm
        from infitah.advisory.process import PROCESS
        from infitah.cases.selectors import duty_titles
        from infitah.cases.workflow import process_register
        from infitah.deadlines.duty_kinds import register_duty_kind
        from infitah.deadlines.models import Deadline
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("advisory:home", kwargs={"slug": collectivity.slug})

        def staff_url(deadline: Deadline) -> str:
            return reverse(
                "advisory-staff:referral",
                kwargs={"slug": deadline.collectivity.slug, "pk": int(deadline.subject_id)},
            )

        register_module(
            Module(
                key="advisory",
                title=_("Advisory bodies"),
                url=home_url,
                exists=lambda collectivity: collectivity.is_network_member,
                order=85,
            )
        )
        # The engine's sweep sees the opinion and answer clocks (`manage.py tick`).
        process_register(PROCESS)
        # The opinion is the body's duty, the answer the council's: both secretariats
        # see referrals in their inbox (the referral's staff page admits either), no one
        # else.
        register_duty_kind(
            "advisory.referral",
            url=staff_url,
            label=_("Referral to an advisory body"),
            perm=(Perm.ADVISORY_MANAGE, Perm.COUNCIL_MANAGE),
            titles=duty_titles(PROCESS),
        )
