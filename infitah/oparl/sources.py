"""Which rows make each OParl object type and each list of a body.

One OParl type may come from several models (a Meeting is a council session or a
meeting of an advisory body): a `Source` is one model's share of a type — its query set
(selectors), its object builder (objects) and the path segment of its ids. A list of a
body is the concatenation of its sources in a fixed order, each ordered by primary key:
a stable order, as OParl requires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from infitah.oparl import objects, selectors
from infitah.territories.models import Collectivity

Builder = Callable[[objects.Ctx, Any], objects.Obj]
Rows = Callable[[Collectivity | None], QuerySet[Any]]
Attach = Callable[[list[Any]], None]


def _nothing(rows: list[Any]) -> None:
    pass


@dataclass(frozen=True)
class Source:
    # The id's path before the primary key, e.g. "meeting/council".
    prefix: str
    rows: Rows
    build: Builder
    # Reads in bulk what the builder needs beyond the prefetched rows (votes).
    attach: Attach = _nothing


TERM = Source("legislative-term", selectors.terms, objects.term)
COMMITTEE = Source("organization/committee", selectors.committees, objects.committee)
ADVISORY_BODY = Source("organization/advisory", selectors.advisory_bodies, objects.advisory_body)
MEMBER = Source("person/member", selectors.members, objects.member)
BODY_MEMBER = Source("person/advisory", selectors.body_members, objects.body_member)
COUNCIL_MEMBERSHIP = Source(
    "membership/council", selectors.council_memberships, objects.council_membership
)
COMMITTEE_MEMBERSHIP = Source(
    "membership/committee", selectors.committee_seats, objects.committee_membership
)
ADVISORY_MEMBERSHIP = Source(
    "membership/advisory", selectors.body_members, objects.advisory_membership
)
SESSION = Source("meeting/council", selectors.sessions, objects.session, selectors.sessions_attach)
BODY_MEETING = Source("meeting/advisory", selectors.body_meetings, objects.body_meeting)
ITEM = Source(
    "agenda-item", selectors.agenda_items, objects.agenda_item, selectors.agenda_items_attach
)
PAPER = Source("paper", selectors.referrals, objects.referral)
ADVISORY_CONSULTATION = Source(
    "consultation/advisory", selectors.advisory_consultations, objects.advisory_consultation
)
COUNCIL_CONSULTATION = Source(
    "consultation/council", selectors.council_consultations, objects.council_consultation
)
DOCUMENT = Source("file/council", selectors.documents, objects.document)
BODY_DOCUMENT = Source("file/advisory", selectors.body_documents, objects.body_document)
MINUTES = Source("file/minutes", selectors.minutes, objects.signed_minutes)
SESSION_LOCATION = Source("location/council", selectors.session_locations, objects.session_location)
BODY_MEETING_LOCATION = Source(
    "location/advisory", selectors.body_meeting_locations, objects.body_meeting_location
)
BODY = Source("body", lambda collectivity: selectors.bodies(), objects.body)
# The council itself, one row per body (the collectivity): found by the body's slug.
COUNCIL = Source("organization/council", selectors.councils, objects.council)  # type: ignore[arg-type]

# Objects found by their primary key: every source but the council's.
BY_ID: dict[str, Source] = {
    source.prefix: source
    for source in (
        TERM,
        COMMITTEE,
        ADVISORY_BODY,
        MEMBER,
        BODY_MEMBER,
        COUNCIL_MEMBERSHIP,
        COMMITTEE_MEMBERSHIP,
        ADVISORY_MEMBERSHIP,
        SESSION,
        BODY_MEETING,
        ITEM,
        PAPER,
        ADVISORY_CONSULTATION,
        COUNCIL_CONSULTATION,
        DOCUMENT,
        BODY_DOCUMENT,
        MINUTES,
        SESSION_LOCATION,
        BODY_MEETING_LOCATION,
    )
}

# A body's lists: the path segment (objects.BODY_LISTS) and its sources, in order.
BODY_LISTS: dict[str, tuple[Source, ...]] = {
    "organization": (COUNCIL, COMMITTEE, ADVISORY_BODY),
    "person": (MEMBER, BODY_MEMBER),
    "meeting": (SESSION, BODY_MEETING),
    "paper": (PAPER,),
    "legislative-term": (TERM,),
    "agenda-item": (ITEM,),
    "consultation": (ADVISORY_CONSULTATION, COUNCIL_CONSULTATION),
    "file": (DOCUMENT, BODY_DOCUMENT, MINUTES),
    "location": (SESSION_LOCATION, BODY_MEETING_LOCATION),
    "membership": (COUNCIL_MEMBERSHIP, COMMITTEE_MEMBERSHIP, ADVISORY_MEMBERSHIP),
}
