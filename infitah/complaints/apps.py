from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "infitah.complaints"
    label = "complaints"
    verbose_name = _("Complaints, observations and suggestions")

    def ready(self) -> None:
        from django.urls import reverse

        from infitah.accounts.permissions import Perm
        from infitah.cases.selectors import duty_titles
        from infitah.cases.workflow import process_register
        from infitah.complaints.highlights import highlights_register
        from infitah.complaints.openers import register_complaint_opener
        from infitah.complaints.process import PROCESS
        from infitah.deadlines.duty_kinds import register_duty_kind
        from infitah.deadlines.models import Deadline
        from infitah.territories.models import Collectivity
        from infitah.territories.modules import Module, register_module

        def home_url(collectivity: Collectivity) -> str:
            return reverse("complaints:home", kwargs={"slug": collectivity.slug})

        def staff_url(deadline: Deadline) -> str:
            return reverse(
                "complaints-staff:by-id",
                kwargs={"slug": deadline.collectivity.slug, "pk": int(deadline.subject_id)},
            )

        register_module(
            Module(
                key="complaints",
                title=_("Complaints, observations and suggestions"),
                url=home_url,
                exists=lambda collectivity: collectivity.is_network_member,
                order=30,
            )
        )
        process_register(PROCESS)
        register_duty_kind(
            "complaints.complaint",
            url=staff_url,
            label=_("Complaint"),
            perm=Perm.COMPLAINTS_HANDLE,
            titles=duty_titles(PROCESS),
        )
        # Complaints received on paper are opened from their register entry.
        register_complaint_opener()
        highlights_register()
