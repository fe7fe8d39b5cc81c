"""The staff back-office of a collectivity: its inbox of open legal duties."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from infitah.accounts.decorators import staff_view
from infitah.accounts.models import Role
from infitah.accounts.permissions import Perm, permissions_in, roles_in
from infitah.accounts.selectors import acting_for_count
from infitah.deadlines.selectors import open_duty_list


@staff_view(Perm.STAFF_ACCESS)
def home(request: HttpRequest) -> HttpResponse:
    collectivity = request.collectivity  # type: ignore[attr-defined]
    perms = permissions_in(request.user, collectivity)  # type: ignore[arg-type]
    # Only the duties whose page this member may open, titled in the page's language.
    duties = (
        open_duty_list(collectivity=collectivity, perms=perms) if Perm.INBOX_VIEW in perms else None
    )
    roles = [Role(r).label for r in sorted(roles_in(request.user, collectivity))]  # type: ignore[arg-type]
    return render(
        request,
        "backoffice/home.html",
        {
            "collectivity": collectivity,
            "duties": duties,
            "roles": roles,
            "can_publish": Perm.PUBLICATION_EDIT in perms,
            "can_inform": Perm.INFORMATION_HANDLE in perms,
            "can_complain": Perm.COMPLAINTS_HANDLE in perms,
            "can_register": Perm.CORRESPONDENCE_REGISTER in perms,
            "can_participate": Perm.PARTICIPATION_MANAGE in perms,
            "can_petition": Perm.PETITIONS_HANDLE in perms,
            "can_council": Perm.COUNCIL_MANAGE in perms,
            "can_vote": Perm.COUNCIL_VOTE in perms,
            "can_advise": Perm.ADVISORY_MANAGE in perms or Perm.COUNCIL_MANAGE in perms,
            "can_openplan": Perm.OPENPLAN_MANAGE in perms or Perm.OPENPLAN_ASSESS in perms,
            "can_finance": Perm.FINANCE_MANAGE in perms,
            # The network space has no practices of its own: only members share them.
            "can_practices": Perm.PRACTICES_PUBLISH in perms and collectivity.is_network_member,
            "can_manage_team": Perm.MEMBERS_MANAGE in perms,
            # A person with roles in several collectivities sees whom they act for, and
            # a way back to the workspace to switch.
            "acts_for_several": acting_for_count(user=request.user) > 1,  # type: ignore[arg-type]
        },
    )
