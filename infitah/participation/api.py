"""API of participation: the participant behind a bearer token.

- `GET /participants/me` (ParticipantBearer): the participant's own profile; 401 without
  a valid token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema

from django.http import HttpRequest

from infitah.participation.access import ParticipantBearer
from infitah.participation.models import Participant

router = Router(tags=["participation"])
staff_router = Router(tags=["participation (staff)"])


class BreakdownRowOut(Schema):
    key: str
    label: str
    contributions: int
    participants: int


class BreakdownOut(Schema):
    """Who took part in a network-wide item, by region and by kind of collectivity
    (`participation.breakdown`): keys are region slugs and kinds ("" not stated)."""

    audience: str
    contributions: int
    participants: int
    by_region: list[BreakdownRowOut]
    by_kind: list[BreakdownRowOut]


class ParticipantOut(Schema):
    id: int
    display_name: str
    commune: str | None
    gender: str
    language: str
    verified_at: dt.datetime | None


@router.get(
    "/participants/me",
    auth=ParticipantBearer(),
    response={200: ParticipantOut, 401: Any},
    summary="The participant of the bearer token",
)
def participant_me(request: HttpRequest) -> Any:
    participant: Participant = request.auth  # type: ignore[attr-defined]
    return {
        "id": participant.pk,
        "display_name": participant.display_name,
        "commune": participant.commune.slug if participant.commune else None,
        "gender": participant.gender,
        "language": participant.language,
        "verified_at": participant.verified_at,
    }
