"""The network's back office, under /<lang>/network/office/: one home for network
administrators linking every tool they may use, and the platform's health panel.

Anyone without a network permission gets 404 (the page does not confirm it exists);
anonymous visitors are sent to sign in, staff pass the second factor first. Each link
shows only when the user holds its NetworkPerm.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from infitah.accounts.decorators import verified_login_required
from infitah.accounts.models import Invitation, User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.lib.casework import private
from infitah.network import health
from infitah.network.models import Application, ApplicationStatus
from infitah.notifications.selectors import dead_letter_count
from infitah.territories.services import network_space

# Counts shown beside links (each one query, only for the links shown).
APPLICATIONS = "applications"
INVITATIONS = "invitations"
DEAD_LETTERS = "dead_letters"


@dataclass(frozen=True)
class Link:
    url: str
    label: str | Promise
    help: str | Promise = ""
    # A number of things waiting (None: nothing to count).
    count: int | None = None


@dataclass(frozen=True)
class Section:
    title: str | Promise
    links: list[Link]


# (section title, [(permission, URL name, label, help, count key)]). Permission None:
# any network administrator.
_Entry = tuple[NetworkPerm | None, str, str | Promise, str | Promise, str]
OFFICE: list[tuple[str | Promise, list[_Entry]]] = [
    (
        _("Members and applications"),
        [
            (
                NetworkPerm.MEMBERS_MANAGE,
                "network:office-applications",
                _("Membership applications"),
                _("Decide the collectivities' applications to join the network."),
                APPLICATIONS,
            ),
            (
                NetworkPerm.MEMBERS_MANAGE,
                "network:members",
                _("Members of the network"),
                _("The members, their focal points and the history of their membership."),
                "",
            ),
            (
                NetworkPerm.MEMBERS_MANAGE,
                "network:office-charter",
                _("The charter"),
                _("Publish a new version of the network's charter."),
                "",
            ),
            (
                NetworkPerm.MEMBERS_MANAGE,
                "network:office-invite-apply",
                _("Invite a collectivity to apply"),
                "",
                "",
            ),
        ],
    ),
    (
        _("Accounts and invitations"),
        [
            (
                NetworkPerm.ACCOUNTS_MANAGE,
                "network-accounts:account-list",
                _("Accounts"),
                _("Collectivity administrators, focal points and network staff."),
                "",
            ),
            (
                NetworkPerm.ACCOUNTS_MANAGE,
                "network-accounts:invitation-list",
                _("Invitations"),
                _("Invitations sent and not accepted yet."),
                INVITATIONS,
            ),
        ],
    ),
    (
        _("Network life"),
        [
            (
                NetworkPerm.EVENTS_MANAGE,
                "network:office-events",
                _("Events and trainings"),
                _("Programmes, registrations, attendance and reports."),
                "",
            ),
            (
                None,
                "network:practices",
                _("Shared practices"),
                _("What members share with each other, by theme."),
                "",
            ),
            (
                None,
                "network-participation:list",
                _("The network's participation"),
                _("The network's own consultations, surveys and labs."),
                "",
            ),
            (
                None,
                "network:office-space",
                _("Run the network's consultations"),
                _("The back office of the network's own space: consultations, surveys and labs."),
                "",
            ),
        ],
    ),
    (
        _("Rules and settings"),
        [
            (
                NetworkPerm.INTEGRITY_MANAGE,
                "petitions:integrity-settings",
                _("Integrity settings of petitions"),
                _("The limits of online signing across the network."),
                "",
            ),
            (
                NetworkPerm.CALENDAR_MANAGE,
                "deadlines:calendar",
                _("Legal calendar"),
                _("Public holidays and the days that count in legal time limits."),
                "",
            ),
            (
                NetworkPerm.CALENDAR_MANAGE,
                "deadlines:override-add",
                _("Corrections of the legal calendar"),
                _("Record an official change of a holiday's date or a day off."),
                "",
            ),
            (
                NetworkPerm.CATALOGUE_MANAGE,
                "admin:publication_category_changelist",
                _("Catalogue of publication obligations"),
                _("What each collectivity must publish, and how often (administration site)."),
                "",
            ),
            (
                NetworkPerm.OPENNESS_MANAGE,
                "openness:weights",
                _("Weights of the openness index"),
                _("Record a new version of the index's method."),
                "",
            ),
        ],
    ),
    (
        _("Operations"),
        [
            (
                NetworkPerm.MAIL_MANAGE,
                "notifications:dead-letter-list",
                _("Undeliverable e-mails"),
                _("E-mails that failed every attempt; send them again."),
                DEAD_LETTERS,
            ),
            (
                NetworkPerm.HEALTH_VIEW,
                "network:office-health",
                _("Platform health"),
                _("Task queue, periodic sweeps, register checkpoint, e-mails."),
                "",
            ),
        ],
    ),
]

_COUNTERS = {
    APPLICATIONS: lambda: Application.objects.filter(status=ApplicationStatus.PENDING).count(),
    INVITATIONS: lambda: Invitation.objects.pending().count(),
    DEAD_LETTERS: dead_letter_count,
}


def office_perms(user: User) -> frozenset[NetworkPerm]:
    """The network permissions `user` holds (empty for everyone but network admins)."""
    return frozenset(perm for perm in NetworkPerm if has_network_perm(user, perm))


def office_sections(perms: Iterable[NetworkPerm]) -> list[Section]:
    """The back office's links that `perms` open, grouped, with the counts of what
    waits beside them: one query per count shown (at most three)."""
    held = frozenset(perms)
    sections: list[Section] = []
    for title, entries in OFFICE:
        links = [
            Link(
                url=reverse(name),
                label=label,
                help=help_text,
                count=_COUNTERS[counter]() if counter else None,
            )
            for perm, name, label, help_text, counter in entries
            if held and (perm is None or perm in held)
        ]
        if links:
            sections.append(Section(title=title, links=links))
    return sections


def _network_user(request: HttpRequest, perm: NetworkPerm | None = None) -> User:
    """The signed-in user if they hold `perm` (any network permission when None)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    if perm is None:
        if not office_perms(user):
            raise Http404
    elif not has_network_perm(user, perm):
        raise Http404
    return user


@verified_login_required
def office(request: HttpRequest) -> HttpResponse:
    """The back-office home: the tools the user may use, and the health's summary."""
    user = _network_user(request)
    perms = office_perms(user)
    readings = health.health_readings() if NetworkPerm.HEALTH_VIEW in perms else None
    return private(
        render(
            request,
            "network/office/home.html",
            {
                "sections": office_sections(perms),
                "readings": readings,
                "late": health.late_readings(readings) if readings is not None else [],
                "needs_admin_site": NetworkPerm.CATALOGUE_MANAGE in perms and not user.is_staff,
            },
        )
    )


@verified_login_required
def office_health(request: HttpRequest) -> HttpResponse:
    """Every health reading with its threshold and its OK/late flag."""
    _network_user(request, NetworkPerm.HEALTH_VIEW)
    now = timezone.now()
    readings = health.health_readings(now=now)
    return private(
        render(
            request,
            "network/office/health.html",
            {"readings": readings, "late": health.late_readings(readings), "now": now},
        )
    )


@verified_login_required
def office_space(request: HttpRequest) -> HttpResponse:
    """The back office of the network's own space (created on first use), where network
    administrators run the network-wide consultations, surveys and labs."""
    _network_user(request)
    return redirect("backoffice:home", network_space().slug)
