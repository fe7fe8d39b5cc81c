"""Reads on accounts: invitations, a collectivity's team and its audit trail, the
network's search of accounts, and the collectivities a person acts for."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from infitah.accounts.models import (
    Invitation,
    InvitationQuerySet,
    Membership,
    NetworkRole,
    Role,
    User,
)
from infitah.accounts.permissions import NetworkPerm, Perm, has_network_perm, has_perm
from infitah.ledger.models import Event, EventQuerySet
from infitah.territories.models import Collectivity

# The HMAC salt of invitation digests (a salt, not a secret).
_INVITATION_KEY_SALT = "infitah.accounts.Invitation.digest"
# A secret is 43 characters; anything much longer is not one of ours.
_INVITATION_TOKEN_MAX_LENGTH = 100

# The ledger's object types of a team's audit trail.
TEAM_OBJECT_TYPES = ("accounts.membership", "accounts.invitation")


def invitation_token_digests(secret: str) -> list[str]:
    """The digests an invitation's `secret` may be stored under: under SECRET_KEY, then
    under each of SECRET_KEY_FALLBACKS (a key being rotated out), as for API tokens: a
    link minted under another key (a copy of the database) matches nothing here."""
    inner = hashlib.sha256(secret.encode()).hexdigest()
    return [
        salted_hmac(_INVITATION_KEY_SALT, inner, secret=key, algorithm="sha256").hexdigest()
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]


def invitation_get(*, token: str) -> Invitation | None:
    """The invitation whose link carries `token` (in any state), or None."""
    if not token or len(token) > _INVITATION_TOKEN_MAX_LENGTH:
        return None
    return (
        Invitation.objects.filter(digest__in=invitation_token_digests(token))
        .select_related("collectivity", "invited_by")
        .first()
    )


def invitation_may_manage(
    *, actor: User, collectivity: Collectivity | None, network_role: str = ""
) -> bool:
    """Whether `actor` may invite to (and revoke invitations of) `collectivity` with
    `network_role`: a network administrator anywhere, with a network role or not; a
    holder of Perm.MEMBERS_MANAGE in `collectivity` for its roles only."""
    if has_network_perm(actor, NetworkPerm.ACCOUNTS_MANAGE):
        return True
    if network_role or collectivity is None:
        return False
    return has_perm(actor, Perm.MEMBERS_MANAGE, collectivity)


class InvitationStatus(models.TextChoices):
    """The states an invitation list filters on (derived from its dates)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


def invitation_list(
    *, collectivity: Collectivity | None = None, status: str = ""
) -> InvitationQuerySet:
    """Invitations, newest first, of `collectivity` (every one when None), in `status`
    (any when empty), with the collectivity and the inviter loaded."""
    qs = Invitation.objects.select_related("collectivity", "invited_by", "accepted_by")
    if collectivity is not None:
        qs = qs.filter(collectivity=collectivity)
    now = timezone.now()
    if status == InvitationStatus.PENDING:
        qs = qs.pending()
    elif status == InvitationStatus.ACCEPTED:
        qs = qs.filter(accepted_at__isnull=False)
    elif status == InvitationStatus.REVOKED:
        qs = qs.filter(revoked_at__isnull=False, accepted_at__isnull=True)
    elif status == InvitationStatus.EXPIRED:
        qs = qs.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
    return qs.order_by("-created_at", "-pk")


def invitation_for(*, pk: int, collectivity: Collectivity | None) -> Invitation | None:
    """Invitation `pk`, only if it belongs to `collectivity` (any when None)."""
    qs = Invitation.objects.select_related("collectivity", "invited_by")
    if collectivity is not None:
        qs = qs.filter(collectivity=collectivity)
    return qs.filter(pk=pk).first()


# --- A collectivity's team --------------------------------------------------------------


@dataclass
class TeamMember:
    """A person holding roles in one collectivity, with those roles (Role order)."""

    user: User
    roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles]


_ROLE_ORDER = {value: index for index, value in enumerate(Role.values)}


def team_member_list(*, collectivity: Collectivity) -> list[TeamMember]:
    """Everyone holding a role in `collectivity`, by name then e-mail (one query)."""
    members: dict[int, TeamMember] = {}
    memberships = (
        Membership.objects.filter(collectivity=collectivity)
        .select_related("user")
        .order_by("user__full_name", "user__email", "user_id")
    )
    for membership in memberships:
        member = members.setdefault(membership.user_id, TeamMember(user=membership.user))
        member.roles.append(membership.role)
    for member in members.values():
        member.roles.sort(key=lambda r: _ROLE_ORDER.get(r, len(_ROLE_ORDER)))
    return list(members.values())


def team_member_get(*, collectivity: Collectivity, user_id: int) -> User | None:
    """User `user_id` if they hold a role in `collectivity`, else None (a 404)."""
    return (
        User.objects.filter(pk=user_id, memberships__collectivity=collectivity).distinct().first()
    )


def team_event_list(*, collectivity: Collectivity) -> EventQuerySet:
    """The audit trail of `collectivity`'s roles and invitations, newest first."""
    return (
        Event.objects.filter(collectivity=collectivity, object_type__in=TEAM_OBJECT_TYPES)
        .select_related("actor", "collectivity")
        .order_by("-at", "-pk")
    )


@dataclass(frozen=True)
class AuditRow:
    """One line of an audit trail, as a person reads it: who did what to whom, when."""

    at: Any
    who: str
    action: str
    roles: list[str]
    whom: str
    collectivity: Collectivity | None
    by_invitation: bool


def _role_label(value: str) -> str:
    if value in Role.values:
        return str(Role(value).label)
    if value in NetworkRole.values:
        return str(NetworkRole(value).label)
    return value


def audit_rows(events: Iterable[Event]) -> list[AuditRow]:
    """Audit-trail lines of `events` (with their actors and collectivities loaded)."""
    rows: list[AuditRow] = []
    for event in events:
        data = event.data or {}
        if event.action == "membership.granted":
            roles = [event.to_state]
        elif event.action == "membership.revoked":
            roles = [event.from_state]
        elif event.action.startswith("account.network_role"):
            roles = [event.to_state or event.from_state]
        else:
            roles = [r for r in data.get("roles", []) if isinstance(r, str)]
            if data.get("network_role"):
                roles.append(str(data["network_role"]))
        who = str(event.actor) if event.actor is not None else event.process
        rows.append(
            AuditRow(
                at=event.at,
                who=who,
                action=event.action,
                roles=[_role_label(r) for r in roles if r],
                whom=str(data.get("user") or data.get("email") or ""),
                collectivity=event.collectivity if event.collectivity_id else None,
                by_invitation="invitation" in data and event.action.startswith("membership"),
            )
        )
    return rows


# --- The network's accounts -------------------------------------------------------------


def _with_memberships(qs: models.QuerySet[User]) -> models.QuerySet[User]:
    return qs.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("collectivity").order_by(
                "collectivity__name_fr", "role"
            ),
        )
    )


def account_list(*, query: str = "") -> models.QuerySet[User]:
    """Accounts whose e-mail address or name contains `query` (every one when empty),
    by e-mail, with their memberships and collectivities prefetched."""
    qs = User.objects.all()
    query = query.strip()
    if query:
        qs = qs.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    return _with_memberships(qs.order_by("email", "pk"))


def account_by_email(*, email: str) -> User | None:
    """The account of `email` (active or not), or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def account_get(*, pk: int) -> User | None:
    return _with_memberships(User.objects.filter(pk=pk)).first()


def account_event_list(*, user: User) -> EventQuerySet:
    """The audit trail of an account, newest first: changes to the account itself, its
    roles in every collectivity, and invitations to its address."""
    return (
        Event.objects.filter(
            Q(object_type="accounts.user", object_id=str(user.pk))
            | Q(object_type="accounts.membership", data__user=user.email)
            | Q(object_type="accounts.invitation", data__email=user.email)
        )
        .select_related("actor", "collectivity")
        .order_by("-at", "-pk")
    )


def collectivity_get(*, slug: str) -> Collectivity | None:
    return Collectivity.objects.filter(slug=slug).first()


def collectivity_search(*, query: str, limit: int = 30) -> list[Collectivity]:
    """At most `limit` collectivities whose name matches `query` (none when empty)."""
    if not query.strip():
        return []
    return list(Collectivity.objects.matching(query).order_by("kind", "name_fr")[:limit])


# --- Acting for -------------------------------------------------------------------------


@dataclass
class ActingFor:
    """A collectivity where a person holds roles, with those roles."""

    collectivity: Collectivity
    roles: list[str] = field(default_factory=list)

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles]


def acting_for_list(*, user: User) -> list[ActingFor]:
    """Every collectivity where `user` holds roles, with the roles (one query)."""
    if not user.is_authenticated:
        return []
    places: dict[int, ActingFor] = {}
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("collectivity")
        .order_by("collectivity__name_fr", "collectivity_id")
    )
    for membership in memberships:
        place = places.setdefault(
            membership.collectivity_id, ActingFor(collectivity=membership.collectivity)
        )
        place.roles.append(membership.role)
    for place in places.values():
        place.roles.sort(key=lambda r: _ROLE_ORDER.get(r, len(_ROLE_ORDER)))
    return list(places.values())


def acting_for_count(*, user: User) -> int:
    """In how many collectivities `user` holds roles."""
    return Membership.objects.filter(user=user).values("collectivity_id").distinct().count()
