"""A council's public data as plain JSON lists in /api/v1/ (docs/oparl.md, "/api/v1").

- `GET /c/{slug}/council/sessions`: published sessions, newest first, with their public
  agenda items, results, vote counts and decisions;
- `GET /c/{slug}/council/members`: the members of every term, with their committees;
- `GET /c/{slug}/advisory/bodies`: advisory bodies with their members;
- `GET /c/{slug}/advisory/referrals`: referrals and opinions, newest first, the opinion
  once adopted and the council's answer once given.

The same rules as the OParl API (selectors.py) decide what is published; deleted rows
are left out. 50 items a page (`?page=` from 1); `count` is the total. 404 for an
unknown collectivity. Each item links to its OParl object (`oparl`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ninja import Router, Schema
from ninja.errors import HttpError

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from infitah.advisory.models import Body, Referral
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.council.models import Member, Session
from infitah.lib.bounds import Page
from infitah.oparl import objects, selectors
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["council"])

PAGE_SIZE = 50


class CouncilItemOut(Schema):
    number: int
    title_ar: str
    title_fr: str
    result: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    decision_number: str
    decision_ar: str
    decision_fr: str


class CouncilSessionOut(Schema):
    id: int
    reference: str
    kind: str
    status: str
    title_ar: str
    title_fr: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    is_public_sitting: bool
    held_on: dt.date | None
    quorum_met: bool | None
    # The summary of the decisions, once published.
    summary_ar: str
    summary_fr: str
    items: list[CouncilItemOut]
    oparl: str


class CouncilSessionList(Schema):
    count: int
    page: int
    items: list[CouncilSessionOut]


class CouncilCommitteeSeatOut(Schema):
    committee_ar: str
    committee_fr: str
    role: str


class CouncilMemberOut(Schema):
    id: int
    name_ar: str
    name_fr: str
    role: str
    party: str
    term_ar: str
    term_fr: str
    started_on: dt.date
    ended_on: dt.date | None
    committees: list[CouncilCommitteeSeatOut]
    oparl: str


class CouncilMemberList(Schema):
    count: int
    page: int
    items: list[CouncilMemberOut]


class AdvisoryBodyMemberOut(Schema):
    name_ar: str
    name_fr: str
    role: str
    organisation: str
    started_on: dt.date
    ended_on: dt.date | None


class AdvisoryBodyOut(Schema):
    id: int
    kind: str
    name_ar: str
    name_fr: str
    legal_basis: str
    established_on: dt.date | None
    members: list[AdvisoryBodyMemberOut]
    oparl: str


class AdvisoryBodyList(Schema):
    count: int
    page: int
    items: list[AdvisoryBodyOut]


class AdvisoryReferralOut(Schema):
    id: int
    reference: str
    body: int
    body_ar: str
    body_fr: str
    status: str
    origin: str
    subject_ar: str
    subject_fr: str
    referred_on: dt.date | None
    # The opinion, once the body adopted it.
    opinion_ar: str
    opinion_fr: str
    adopted_on: dt.date | None
    transmitted_on: dt.date | None
    # The council's answer (adopted, partly, not_adopted), once given.
    answer: str
    answer_reasons_ar: str
    answer_reasons_fr: str
    answered_on: dt.date | None
    oparl: str


class AdvisoryReferralList(Schema):
    count: int
    page: int
    items: list[AdvisoryReferralOut]


def _collectivity(slug: str) -> Collectivity:
    found = collectivity_get(slug=slug)
    if found is None:
        raise HttpError(404, _("Unknown collectivity."))
    return found


def _oparl(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(reverse("oparl:system")).removesuffix("system") + path


def _page(rows: QuerySet[Any], page: int, out: Callable[[Any], Any]) -> dict[str, Any]:
    start = (page - 1) * PAGE_SIZE
    return {
        "count": rows.count(),
        "page": page,
        "items": [out(row) for row in rows[start : start + PAGE_SIZE]],
    }


def _session(request: HttpRequest, row: Session) -> dict[str, Any]:
    published = row.summary_published_at is not None
    sat = row.status in selectors.HELD  # results and decisions once the sitting voted
    return {
        "id": row.pk,
        "reference": row.reference,
        "kind": row.kind,
        "status": row.status,
        "title_ar": row.title_ar,
        "title_fr": row.title_fr,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "place": row.place,
        "is_public_sitting": row.is_public,
        "held_on": row.held_on,
        "quorum_met": row.quorum_met,
        "summary_ar": row.summary_ar if published else "",
        "summary_fr": row.summary_fr if published else "",
        "items": [
            {
                "number": item.number,
                "title_ar": item.title_ar,
                "title_fr": item.title_fr,
                "result": item.result if sat else "",
                "votes_for": item.votes_for if sat else 0,
                "votes_against": item.votes_against if sat else 0,
                "votes_abstain": item.votes_abstain if sat else 0,
                "decision_number": item.decision_number if sat else "",
                "decision_ar": item.decision_ar if sat else "",
                "decision_fr": item.decision_fr if sat else "",
            }
            for item in row.api_items  # type: ignore[attr-defined]
        ],
        "oparl": _oparl(request, objects.session_path(row.pk)),
    }


def _member(request: HttpRequest, row: Member) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name_ar": row.name_ar,
        "name_fr": row.name_fr,
        "role": row.role,
        "party": row.party,
        "term_ar": row.term.name_ar,
        "term_fr": row.term.name_fr,
        "started_on": row.started_on,
        "ended_on": row.ended_on,
        "committees": [
            {
                "committee_ar": seat.committee.name_ar,
                "committee_fr": seat.committee.name_fr,
                "role": seat.role,
            }
            for seat in row.api_seats  # type: ignore[attr-defined]
        ],
        "oparl": _oparl(request, objects.member_path(row.pk)),
    }


def _body(request: HttpRequest, row: Body) -> dict[str, Any]:
    return {
        "id": row.pk,
        "kind": row.kind,
        "name_ar": row.name_ar,
        "name_fr": row.name_fr,
        "legal_basis": row.legal_basis,
        "established_on": row.established_on,
        "members": [
            {
                "name_ar": m.name_ar,
                "name_fr": m.name_fr,
                "role": m.role,
                "organisation": m.organisation,
                "started_on": m.started_on,
                "ended_on": m.ended_on,
            }
            for m in row.api_members  # type: ignore[attr-defined]
        ],
        "oparl": _oparl(request, objects.advisory_path(row.pk)),
    }


def _referral(request: HttpRequest, row: Referral) -> dict[str, Any]:
    opinion = row.status in selectors.OPINION_PUBLIC
    answered = row.status == ReferralStatus.ANSWERED
    return {
        "id": row.pk,
        "reference": row.reference,
        "body": row.body_id,
        "body_ar": row.body.name_ar,
        "body_fr": row.body.name_fr,
        "status": row.status,
        "origin": row.origin,
        "subject_ar": row.subject_ar,
        "subject_fr": row.subject_fr,
        "referred_on": row.referred_on,
        "opinion_ar": row.opinion_ar if opinion else "",
        "opinion_fr": row.opinion_fr if opinion else "",
        "adopted_on": row.adopted_on if opinion else None,
        "transmitted_on": row.transmitted_on,
        "answer": row.answer if answered else "",
        "answer_reasons_ar": row.answer_reasons_ar if answered else "",
        "answer_reasons_fr": row.answer_reasons_fr if answered else "",
        "answered_on": row.answered_on if answered else None,
        "oparl": _oparl(request, objects.paper_path(row.pk)),
    }


@router.get(
    "/c/{slug}/council/sessions",
    response={200: CouncilSessionList, 404: Any},
    summary="A council's published sessions, with their agenda items and results",
)
def session_list(request: HttpRequest, slug: str, page: Page = 1) -> dict[str, Any]:
    rows = selectors.api_sessions(_collectivity(slug))
    return _page(rows, page, lambda row: _session(request, row))


@router.get(
    "/c/{slug}/council/members",
    response={200: CouncilMemberList, 404: Any},
    summary="A council's members, every term, with their committees",
)
def member_list(request: HttpRequest, slug: str, page: Page = 1) -> dict[str, Any]:
    rows = selectors.api_members(_collectivity(slug))
    return _page(rows, page, lambda row: _member(request, row))


@router.get(
    "/c/{slug}/advisory/bodies",
    response={200: AdvisoryBodyList, 404: Any},
    summary="A collectivity's advisory bodies and their members",
)
def advisory_body_list(request: HttpRequest, slug: str, page: Page = 1) -> dict[str, Any]:
    rows = selectors.api_bodies(_collectivity(slug))
    return _page(rows, page, lambda row: _body(request, row))


@router.get(
    "/c/{slug}/advisory/referrals",
    response={200: AdvisoryReferralList, 404: Any},
    summary="Referrals to the advisory bodies, their opinions and the council's answers",
)
def referral_list(request: HttpRequest, slug: str, page: Page = 1) -> dict[str, Any]:
    rows = selectors.api_referrals(_collectivity(slug))
    return _page(rows, page, lambda row: _referral(request, row))
