"""Reads of participation: who the participant of a request or an API call is."""

from __future__ import annotations

from django.http import HttpRequest

from infitah.participation import tokens
from infitah.participation.models import Participant

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
