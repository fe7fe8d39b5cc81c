"""Reads of participation: who the participant of a request or an API call is."""

from __future__ import annotations

from django.db.models.functions import Lower
from django.http import Http404, HttpRequest

from infitah.accounts.models import Membership
from infitah.participation import tokens
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

SESSION_KEY = "participant_id"
_CACHE_ATTR = "_participant_cache"


def participant_get(*, pk: int) -> Participant | None:
    """A verified participant, with the commune they declared."""
    return Participant.objects.verified().select_related("commune").filter(pk=pk).first()


def participant_from_request(request: HttpRequest) -> Participant | None:
    """The verified participant whose id the session holds (one query, once a request)."""
    if hasattr(request, _CACHE_ATTR):
        return getattr(request, _CACHE_ATTR)  # type: ignore[no-any-return]
    raw = request.session.get(SESSION_KEY)
    found = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        found = participant_get(pk=raw)
    setattr(request, _CACHE_ATTR, found)
    return found


def participant_remember(request: HttpRequest, participant: Participant | None) -> None:
    """What `participant_from_request` answers for the rest of this request."""
    setattr(request, _CACHE_ATTR, participant)


def participant_from_api_token(token: str) -> Participant | None:
    """The verified participant of an API bearer token; None if unknown or malformed."""
    pk = tokens.api_token_read(token.strip())
    return participant_get(pk=pk) if pk is not None else None


def participant_api_token(participant: Participant) -> str:
    """The participant's API bearer token (a signed value, the same each time)."""
    return tokens.api_token_make(participant)


def confirm_link_participant(token: str) -> Participant | None:
    """The participant a confirmation link would confirm, if it still works (GET page)."""
    claim = tokens.confirm_token_read(token)
    if claim is None:
        return None
    found = Participant.objects.filter(pk=claim.participant_id).first()
    if found is None or tokens.stamp_of(found) != claim.stamp:
        return None
    return found


def public_space_or_404(slug: str) -> Collectivity:
    """For the public pages of consultations and labs: the collectivity of `slug` if it
    has a public participation space (a network member, or the network's own space,
    `Collectivity.has_public_space`), else Http404."""
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.has_public_space:
        raise Http404
    return collectivity


def members_spoken_for(emails: list[str]) -> dict[str, int]:
    """E-mail address (lowercased) → the id of the member collectivity its holder speaks
    for in a network-wide item addressed to the members (`Audience.NETWORK_MEMBERS`).

    A participant speaks for a member when their e-mail address is that of an active
    staff account holding a role in a collectivity that is a network member; with roles
    in several members, the first by French name (then id) is the one they speak for.
    Read now: a role taken away since is no longer counted. One query.
    """
    wanted = sorted({email.strip().lower() for email in emails if email})
    if not wanted:
        return {}
    rows = (
        Membership.objects.annotate(address=Lower("user__email"))
        .filter(
            address__in=wanted,
            user__is_active=True,
            collectivity__is_network_member=True,
        )
        .order_by("address", "collectivity__name_fr", "collectivity_id")
        .values_list("address", "collectivity_id")
    )
    found: dict[str, int] = {}
    for address, collectivity_id in rows:
        found.setdefault(address, collectivity_id)
    return found


def member_spoken_for(participant: Participant) -> int | None:
    """The id of the member collectivity `participant` speaks for (`members_spoken_for`),
    or None (one query)."""
    return members_spoken_for([participant.email]).get(participant.email.strip().lower())
