"""Reads of advisory bodies and referrals: each runs a fixed number of queries.

Public reads never return a deleted object (`deleted=True`), nor the text of an opinion
(or its document) before the body transmitted it to the council. Due dates are read
from the clocks' Deadline rows (select_related), never copied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyMeeting,
    BodyMember,
    BodyRole,
    Referral,
)
from infitah.advisory.workflow import TABLE, Status
from infitah.council.models import AgendaItem
from infitah.council.public_selectors import item_is_public
from infitah.council.selectors import LIVE_STATES, item_is_live
from infitah.lib.bounds import whole_number
from infitah.territories.models import Collectivity

# States in which the opinion (or the answer) is public: the body transmitted it.
PUBLIC_OPINION = frozenset({Status.TRANSMITTED, Status.ANSWERED})
# Bureau first, in this order, then the members.
ROLE_ORDER = {role: rank for rank, role in enumerate(BodyRole.values)}
# The staff list's filter (`?state=`): open referrals by default.
STAFF_FILTERS = ("open", "closed", "all")
_REFERRAL_RELATED = (
    "body",
    "opinion_deadline",
    "answer_deadline",
    "session",
    "agenda_item",
    "agenda_item__session",
    "agenda_item__session__term",
)


def _pk(value: object) -> int | None:
    return whole_number(value, minimum=1)


def _active(today: dt.date) -> Q:
    return Q(ended_on__isnull=True) | Q(ended_on__gt=today)


# ------------------------------------------------------------------------ bodies


def body_list(*, collectivity: Collectivity, today: dt.date) -> list[Body]:
    """The live bodies of `collectivity`, each with `member_count` (sitting members) and
    `referral_count` (live referrals): one query."""
    return list(
        Body.objects.filter(collectivity=collectivity, deleted=False)
        .annotate(
            member_count=Count(
                "members",
                filter=Q(members__deleted=False)
                & (Q(members__ended_on__isnull=True) | Q(members__ended_on__gt=today)),
                distinct=True,
            ),
            referral_count=Count("referrals", filter=Q(referrals__deleted=False), distinct=True),
        )
        .order_by("pk")
    )


def body_get(*, collectivity: Collectivity, pk: object) -> Body | None:
    """A live body of `collectivity` (None for another collectivity's, or no number)."""
    number = _pk(pk)
    if number is None:
        return None
    return (
        Body.objects.filter(collectivity=collectivity, deleted=False, pk=number)
        .select_related("collectivity")
        .first()
    )


def member_list(body: Body, *, today: dt.date, former: bool = False) -> list[BodyMember]:
    """The sitting members of `body`, bureau first (president, vice-presidents,
    rapporteur, deputy rapporteurs, members), then by seniority; with `former`, the
    members whose seat ended, most recent first."""
    members = BodyMember.objects.filter(body=body, deleted=False)
    if former:
        return list(members.exclude(_active(today)).order_by("-ended_on", "-pk"))
    found = list(members.filter(_active(today)).select_related("user").order_by("started_on", "pk"))
    return sorted(found, key=lambda m: ROLE_ORDER.get(m.role, len(ROLE_ORDER)))


def member_get(body: Body, pk: object) -> BodyMember | None:
    number = _pk(pk)
    if number is None:
        return None
    return BodyMember.objects.filter(body=body, deleted=False, pk=number).first()


def _public_documents() -> QuerySet[BodyDocument]:
    """Live documents, except the text of an opinion not yet transmitted."""
    return BodyDocument.objects.filter(deleted=False).exclude(
        Q(referral__isnull=False)
        & (~Q(referral__status__in=list(PUBLIC_OPINION)) | Q(referral__deleted=True))
    )


def meeting_list(body: Body, *, public: bool = True) -> list[BodyMeeting]:
    """The live meetings of `body`, the most recent first, with their documents."""
    documents = _public_documents() if public else BodyDocument.objects.filter(deleted=False)
    return list(
        BodyMeeting.objects.filter(body=body, deleted=False)
        .prefetch_related(Prefetch("documents", queryset=documents.order_by("pk")))
        .order_by("-starts_at", "-pk")
    )


def meeting_get(body: Body, pk: object) -> BodyMeeting | None:
    number = _pk(pk)
    if number is None:
        return None
    return BodyMeeting.objects.filter(body=body, deleted=False, pk=number).first()


def document_list(
    body: Body, *, kinds: Iterable[str] | None = None, public: bool = True
) -> list[BodyDocument]:
    """The live documents of `body` (of `kinds` if given), annual reports by year."""
    documents = _public_documents() if public else BodyDocument.objects.filter(deleted=False)
    documents = documents.filter(body=body)
    if kinds is not None:
        documents = documents.filter(kind__in=list(kinds))
    return list(documents.select_related("meeting", "referral").order_by("-year", "-pk"))


def document_get(body: Body, pk: object, *, public: bool = True) -> BodyDocument | None:
    number = _pk(pk)
    if number is None:
        return None
    documents = _public_documents() if public else BodyDocument.objects.filter(deleted=False)
    return documents.filter(body=body, pk=number).first()


# --------------------------------------------------------------------- referrals


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.filter(deleted=False, body__deleted=False).select_related(
        *_REFERRAL_RELATED
    )


def referral_query(
    *,
    collectivity: Collectivity,
    body: Body | None = None,
    state: str = "all",
) -> QuerySet[Referral]:
    """The live referrals of `collectivity` (of `body` if given), newest first, with
    their body, clocks, session and agenda item: one query (to be paged). `state`:
    "open" (not in a final state), "closed", or "all"."""
    referrals = _referrals().filter(collectivity=collectivity)
    if body is not None:
        referrals = referrals.filter(body=body)
    if state == "open":
        referrals = referrals.exclude(status__in=list(TABLE.final))
    elif state == "closed":
        referrals = referrals.filter(status__in=list(TABLE.final))
    return referrals.order_by("-created_at", "-pk")


def referral_list(
    *,
    collectivity: Collectivity,
    body: Body | None = None,
    state: str = "all",
) -> list[Referral]:
    """`referral_query`, read."""
    return list(referral_query(collectivity=collectivity, body=body, state=state))


def referral_get(*, collectivity: Collectivity, pk: object) -> Referral | None:
    """A live referral of `collectivity` (None for another's, or no number)."""
    number = _pk(pk)
    if number is None:
        return None
    return (
        _referrals()
        .filter(collectivity=collectivity, pk=number)
        .select_related("collectivity")
        .first()
    )


def opinions_to_schedule(*, collectivity: Collectivity) -> list[Referral]:
    """The opinions transmitted to `collectivity`'s council, still awaiting its answer,
    that no live agenda carries (`council.selectors.live_items`): the council
    secretariat may put them on the agenda of a session in preparation. Oldest first."""
    off_agenda = (
        Q(agenda_item__isnull=True)
        | Q(agenda_item__deleted=True)
        | Q(agenda_item__session__deleted=True)
        | ~Q(agenda_item__session__status__in=list(LIVE_STATES))
    )
    return list(
        _referrals()
        .filter(collectivity=collectivity, status=Status.TRANSMITTED)
        .filter(off_agenda)
        .order_by("transmitted_on", "pk")
    )


def referral_agenda_item(referral: Referral) -> AgendaItem | None:
    """The item of a live agenda that carries the opinion, else None (no query on a
    referral read with `referral_get` / `referral_list`)."""
    item = referral.agenda_item
    return item if item is not None and item_is_live(item) else None


def referral_documents(referral: Referral, *, public: bool = True) -> list[BodyDocument]:
    """The documents of one referral (the opinion's text): public once transmitted."""
    if public and (referral.status not in PUBLIC_OPINION or referral.deleted):
        return []
    return list(referral.documents.filter(deleted=False).order_by("pk"))


# ----------------------------------------------------------------------- tracker


@dataclass(frozen=True)
class Track:
    """One referral as the public tracker shows it: its dates and its delays.

    A delay is the number of days past a due date: of the opinion (till it was adopted,
    or till today while it is awaited), of the council's answer (till it was given, or
    till today while it is awaited); 0 when on time or without a clock.
    """

    referral: Referral
    opinion_due: dt.date | None
    answer_due: dt.date | None
    opinion_late: int
    answer_late: int
    opinion_public: bool
    # The agenda item that carries (or considered) the opinion is on a public page of the
    # council: `council:session` with `#item-<id>`.
    item_public: bool = False

    @property
    def is_late(self) -> bool:
        return self.opinion_late > 0 or self.answer_late > 0


def _late(due: dt.date | None, done: dt.date | None, *, running: bool, today: dt.date) -> int:
    if due is None:
        return 0
    end = done if done is not None else (today if running else None)
    return max(0, (end - due).days) if end is not None else 0


def track(referral: Referral, *, today: dt.date) -> Track:
    opinion_due = referral.opinion_due
    answer_due = referral.answer_due
    return Track(
        referral=referral,
        opinion_due=opinion_due,
        answer_due=answer_due,
        opinion_late=_late(
            opinion_due,
            referral.adopted_on,
            running=referral.status in (Status.REFERRED, Status.DRAFTING),
            today=today,
        ),
        answer_late=_late(
            answer_due,
            referral.answered_on,
            running=referral.status == Status.TRANSMITTED,
            today=today,
        ),
        opinion_public=referral.status in PUBLIC_OPINION,
        item_public=referral.agenda_item is not None and item_is_public(referral.agenda_item),
    )


def tracker(referrals: Iterable[Referral], *, today: dt.date) -> list[Track]:
    """The tracker of `referrals` (read with `referral_list`: no further query)."""
    return [track(referral, today=today) for referral in referrals]
