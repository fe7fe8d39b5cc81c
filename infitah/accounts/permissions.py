"""Who may do what where: the one place where permissions are decided.

A staff member acts in a collectivity only where a membership gives a role there; a role
in a region gives nothing in its communes. Every staff view resolves its collectivity
through `staff_collectivity_or_404`, so that a member of another collectivity gets 404
(not 403: we do not even confirm that the object exists).
"""

from __future__ import annotations

from enum import StrEnum

from django.http import Http404

from infitah.accounts.models import Membership, Role, User
from infitah.territories.models import Collectivity


class Perm(StrEnum):
    STAFF_ACCESS = "staff.access"
    INBOX_VIEW = "staff.inbox"
    PUBLICATION_EDIT = "publication.edit"
    INFORMATION_HANDLE = "information.handle"
    # Decides internal complaints (law 31.13): the head of the collectivity (admin role).
    INFORMATION_HEAD = "information.head"
    COMPLAINTS_HANDLE = "complaints.handle"
    CORRESPONDENCE_REGISTER = "correspondence.register"
    PETITIONS_HANDLE = "petitions.handle"
    COUNCIL_MANAGE = "council.manage"
    COUNCIL_VOTE = "council.vote"
    ADVISORY_MANAGE = "advisory.manage"
    OPENPLAN_MANAGE = "openplan.manage"
    # Record the monitoring committee's or the independent monitor's assessments.
    OPENPLAN_ASSESS = "openplan.assess"
    PARTICIPATION_MANAGE = "participation.manage"
    # Import budgets, tag their lines, keep the procurement forecast and processes.
    FINANCE_MANAGE = "finance.manage"
    MONITOR_VIEW = "monitor.view"
    # The team page: invite staff, give and take roles in this collectivity.
    MEMBERS_MANAGE = "members.manage"
    # Publish the collectivity's practices for the network's exchange.
    PRACTICES_PUBLISH = "practices.publish"


class NetworkPerm(StrEnum):
    CALENDAR_MANAGE = "network.calendar"
    TERRITORIES_MANAGE = "network.territories"
    CATALOGUE_MANAGE = "network.catalogue"
    INTEGRITY_MANAGE = "network.integrity"
    # Sees the undeliverable e-mails of every collectivity and re-sends them.
    MAIL_MANAGE = "network.mail"
    # Edits the openness index's weights (a new version of the method).
    OPENNESS_MANAGE = "network.openness"
    # Decides membership applications, records suspensions and departures, the charter.
    MEMBERS_MANAGE = "network.members"
    # Invites collectivity admins, focal points and network staff; deactivates accounts.
    ACCOUNTS_MANAGE = "network.accounts"
    # Runs events and trainings: programme, registrations, attendance, report.
    EVENTS_MANAGE = "network.events"
    # Sees the platform's health: task queues, last tick, register checkpoint age.
    HEALTH_VIEW = "network.health"


_BASE = frozenset({Perm.STAFF_ACCESS, Perm.INBOX_VIEW})

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.PUBLICATION_EDITOR: _BASE | {Perm.PUBLICATION_EDIT},
    Role.INFORMATION_OFFICER: _BASE | {Perm.INFORMATION_HANDLE, Perm.CORRESPONDENCE_REGISTER},
    Role.COMPLAINTS_OFFICER: _BASE | {Perm.COMPLAINTS_HANDLE, Perm.CORRESPONDENCE_REGISTER},
    # The bureau registers petitions lodged on paper, then opens them from the entry.
    Role.PETITIONS_BUREAU: _BASE | {Perm.PETITIONS_HANDLE, Perm.CORRESPONDENCE_REGISTER},
    Role.COUNCIL_SECRETARY: _BASE | {Perm.COUNCIL_MANAGE, Perm.CORRESPONDENCE_REGISTER},
    Role.COUNCIL_MEMBER: frozenset({Perm.STAFF_ACCESS, Perm.COUNCIL_VOTE}),
    Role.ADVISORY_SECRETARY: _BASE | {Perm.ADVISORY_MANAGE},
    Role.FOCAL_POINT: _BASE
    | {Perm.OPENPLAN_MANAGE, Perm.PARTICIPATION_MANAGE, Perm.PRACTICES_PUBLISH},
    Role.FINANCE_OFFICER: _BASE | {Perm.FINANCE_MANAGE},
    Role.MONITOR: frozenset({Perm.STAFF_ACCESS, Perm.MONITOR_VIEW, Perm.OPENPLAN_ASSESS}),
    Role.ADMIN: frozenset(Perm),
}

NETWORK_ROLE_PERMISSIONS: dict[str, frozenset[NetworkPerm]] = {
    "network_admin": frozenset(NetworkPerm),
}


def roles_in(user: User, collectivity: Collectivity) -> frozenset[str]:
    """The roles `user` holds in `collectivity` (cached on the user for the request)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_infitah_roles", {})
    if collectivity.pk not in cache:
        cache[collectivity.pk] = frozenset(
            Membership.objects.filter(user=user, collectivity=collectivity).values_list(
                "role", flat=True
            )
        )
    return cache[collectivity.pk]


# What a network administrator may do in the network's own space (territories
# Kind.NETWORK) without a membership there: run the network-wide consultations, surveys
# and labs. Nothing in any real collectivity: there they need a role like anyone else.
NETWORK_SPACE_PERMISSIONS: frozenset[Perm] = frozenset(
    {Perm.STAFF_ACCESS, Perm.INBOX_VIEW, Perm.PARTICIPATION_MANAGE}
)


def permissions_in(user: User, collectivity: Collectivity) -> frozenset[Perm]:
    """What `user` may do in `collectivity`: the permissions of the roles held there,
    plus NETWORK_SPACE_PERMISSIONS for an active network administrator in the network's
    own space (`Collectivity.is_network_space`)."""
    perms: set[Perm] = set()
    for role in roles_in(user, collectivity):
        perms |= ROLE_PERMISSIONS.get(role, frozenset())
    if (
        collectivity.is_network_space
        and user.is_authenticated
        and user.is_active
        and user.is_network_admin
    ):
        perms |= NETWORK_SPACE_PERMISSIONS
    return frozenset(perms)


def has_perm(user: User, perm: Perm, collectivity: Collectivity) -> bool:
    return perm in permissions_in(user, collectivity)


def has_network_perm(user: User, perm: NetworkPerm) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return perm in NETWORK_ROLE_PERMISSIONS.get(user.network_role, frozenset())


def staff_collectivity_or_404(
    user: User, slug: str, perm: Perm = Perm.STAFF_ACCESS
) -> Collectivity:
    """The collectivity `slug` if `user` holds `perm` there; otherwise Http404."""
    collectivity = Collectivity.objects.filter(slug=slug).select_related("parent").first()
    if collectivity is None or not has_perm(user, perm, collectivity):
        raise Http404
    return collectivity


def staff_collectivities(user: User) -> list[Collectivity]:
    """Every collectivity where `user` holds a role, for the staff home page."""
    if not user.is_authenticated:
        return []
    ids = Membership.objects.filter(user=user).values_list("collectivity_id", flat=True)
    return list(Collectivity.objects.filter(pk__in=ids).order_by("name_fr"))
