"""How pages and the API know the participant.

Pages: `participant_required` (redirects to the join page, then back) and
`participant_login` / `participant_logout` for the session. API: `ParticipantBearer`,
django-ninja's bearer auth with the token shown on the participant's page::

    @router.post("/surveys/{pk}/responses", auth=ParticipantBearer())
    def respond(request, pk: int, payload: ...):
        participant: Participant = request.auth

Pages that depend on the session's participant must not be cached by
`infitah.lib.pagecache.cached_public_page`: it serves every anonymous visitor alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from ninja.security import HttpBearer

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from infitah.participation import selectors
from infitah.participation.models import Participant

View = Callable[..., HttpResponse]


def join_url(next_url: str = "") -> str:
    """The join page (in the active language), coming back to `next_url` afterwards."""
    url = reverse("participation:join")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def participant_required(view: View) -> View:
    """A page for verified participants only: others go to the join page and come back.
    The view finds the participant in `request.participant`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        participant = selectors.participant_from_request(request)
        if participant is None:
            return HttpResponseRedirect(join_url(request.get_full_path()))
        request.participant = participant  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def participant_login(request: HttpRequest, participant: Participant) -> None:
    """Remember the participant in the session (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[selectors.SESSION_KEY] = participant.pk
    selectors.participant_remember(request, participant)


def participant_logout(request: HttpRequest) -> None:
    """Forget the participant; a staff sign-in in the same session stays."""
    request.session.pop(selectors.SESSION_KEY, None)
    selectors.participant_remember(request, None)


class ParticipantBearer(HttpBearer):
    """`Authorization: Bearer <token>` of a verified participant (the token shown on
    /participation/me/). `request.auth` is then the Participant; otherwise ninja answers
    401."""

    def authenticate(self, request: HttpRequest, token: str) -> Participant | None:
        participant = selectors.participant_from_api_token(token)
        if participant is not None:
            request.participant = participant  # type: ignore[attr-defined]
        return participant
