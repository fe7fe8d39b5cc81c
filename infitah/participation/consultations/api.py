"""Public consultations over the API (docs/consultations.md).

- `GET /c/{slug}/consultations`: a collectivity's consultations.
- `GET /consultations/{id}`: one, with its sections and their counts (and, once
  published, the synthesis and the responses).
- `GET /consultations/{id}/sections/{section_id}/comments`: the published comments with
  their published replies; the display name only, never an e-mail address.
- `POST /consultations/{id}/sections/{section_id}/comments`: comment or reply as a
  verified participant (`Authorization: Bearer <participant token>`): 201, 400 (one
  detail per field), 401 (no participant), 409 (not open).
- `GET /staff/consultations/{id}/report` (staff token): the report's counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.accounts.api_auth import StaffToken
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.lib.bounds import Count, Id, whole_number
from infitah.lib.casework import validation_detail
from infitah.participation.access import ParticipantBearer
from infitah.participation.api import BreakdownOut
from infitah.participation.breakdown import breakdown_out
from infitah.participation.consultations import selectors, services
from infitah.participation.consultations.models import Comment, Consultation, Section
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["consultations"])
staff_router = Router(tags=["consultations (staff)"], auth=StaffToken())

MAX_LIMIT = 200


class ConsultationItemOut(Schema):
    id: int
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str


class ConsultationListOut(Schema):
    count: int
    items: list[ConsultationItemOut]


class SectionOut(Schema):
    id: int
    order: int
    title: str
    title_ar: str
    title_fr: str
    body_ar: str
    body_fr: str
    comments: int
    supports: int
    opposes: int
    response_ar: str | None
    response_fr: str | None


class ConsultationOut(Schema):
    id: int
    collectivity: str
    # "local": the collectivity's public; "citizens" / "members": a network-wide item.
    audience: str
    kind: str
    title: str
    title_ar: str
    title_fr: str
    description_ar: str
    description_fr: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    status: str
    days_left: int | None
    moderation: str
    sections: list[SectionOut]
    synthesis_ar: str | None
    synthesis_fr: str | None
    synthesis_published_at: dt.datetime | None


class ReplyOut(Schema):
    id: int
    author: str
    text: str
    created_at: dt.datetime


class CommentOut(ReplyOut):
    replies: list[ReplyOut]


class CommentListOut(Schema):
    count: int
    items: list[CommentOut]


class CommentIn(Schema):
    # Anything is accepted here and checked by the service (400 with the field named).
    text: Any = None
    parent_id: Any = None


class PostedOut(Schema):
    id: int
    section_id: int
    parent_id: int | None
    status: str
    text: str
    created_at: dt.datetime


class CommentPageQuery(Schema):
    offset: Count = 0
    limit: Count = 50


def _collectivity_or_404(slug: str) -> Collectivity:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.has_public_space:
        raise HttpError(404, _("Unknown collectivity."))
    return collectivity


def _consultation_or_404(pk: int) -> Consultation:
    found = selectors.public_consultation_get(pk=pk)
    if found is None:
        raise HttpError(404, _("Unknown consultation."))
    return found


def _section_or_404(consultation: Consultation, pk: int) -> Section:
    found = selectors.section_get(consultation=consultation, pk=pk)
    if found is None:
        raise HttpError(404, _("Unknown section."))
    return found


@router.get(
    "/c/{slug}/consultations",
    response={200: ConsultationListOut, 404: Any},
    summary="A collectivity's public consultations",
    description="status: upcoming | open | closed (by the dates, now).",
)
def consultation_list(request: HttpRequest, slug: str) -> Any:
    items = [
        {
            "id": c.pk,
            "title": c.title,
            "opens_at": c.opens_at,
            "closes_at": c.closes_at,
            "status": c.phase().value,
        }
        for c in selectors.consultation_list(collectivity=_collectivity_or_404(slug))
    ]
    return {"count": len(items), "items": items}


@router.get(
    "/consultations/{pk}",
    response={200: ConsultationOut, 404: Any},
    summary="A consultation with its sections and their counts",
    description=(
        "comments: published comments and replies; supports, opposes: stances. "
        "synthesis_* and response_* are null until the synthesis is published."
    ),
)
def consultation_get(request: HttpRequest, pk: Id) -> Any:
    c = _consultation_or_404(pk)
    published = c.is_synthesis_published
    return {
        "id": c.pk,
        "collectivity": c.collectivity.slug,
        "audience": c.audience,
        "kind": c.kind,
        "title": c.title,
        "title_ar": c.title_ar,
        "title_fr": c.title_fr,
        "description_ar": c.description_ar,
        "description_fr": c.description_fr,
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "status": c.phase().value,
        "days_left": c.days_left,
        "moderation": c.moderation,
        "sections": [
            {
                "id": s.pk,
                "order": s.order,
                "title": s.title,
                "title_ar": s.title_ar,
                "title_fr": s.title_fr,
                "body_ar": s.body_ar,
                "body_fr": s.body_fr,
                "comments": s.n_comments,  # type: ignore[attr-defined]
                "supports": s.n_supports,  # type: ignore[attr-defined]
                "opposes": s.n_opposes,  # type: ignore[attr-defined]
                "response_ar": s.response_ar if published else None,
                "response_fr": s.response_fr if published else None,
            }
            for s in selectors.section_list(consultation=c)
        ],
        "synthesis_ar": c.synthesis_ar if published else None,
        "synthesis_fr": c.synthesis_fr if published else None,
        "synthesis_published_at": c.synthesis_published_at,
    }


def _reply(c: Comment) -> dict[str, Any]:
    return {
        "id": c.pk,
        "author": c.participant.display_name,
        "text": c.text,
        "created_at": c.created_at,
    }


@router.get(
    "/consultations/{pk}/sections/{section_pk}/comments",
    response={200: CommentListOut, 404: Any},
    summary="The published comments of a section, with their published replies",
    description="Oldest first; `offset` and `limit` (at most 200) page through the comments.",
)
def comment_list(
    request: HttpRequest, pk: Id, section_pk: Id, page: Query[CommentPageQuery]
) -> Any:
    consultation = _consultation_or_404(pk)
    section = _section_or_404(consultation, section_pk)
    threads = selectors.published_threads(consultation=consultation, section=section).get(
        section.pk, []
    )
    offset = max(page.offset, 0)
    limit = min(max(page.limit, 1), MAX_LIMIT)
    return {
        "count": len(threads),
        "items": [
            {**_reply(t.comment), "replies": [_reply(r) for r in t.replies]}
            for t in threads[offset : offset + limit]
        ],
    }


def _parent(consultation: Consultation, value: Any) -> Comment | None:
    if value is None or value == "":
        return None
    pk = whole_number(value, minimum=1)
    found = None
    if pk is not None:
        found = selectors.comment_get(consultation=consultation, pk=pk)
    if found is None:
        raise ValidationError({"parent_id": _("Reply to a published comment of this section.")})
    return found


@router.post(
    "/consultations/{pk}/sections/{section_pk}/comments",
    auth=ParticipantBearer(),
    response={201: PostedOut, 400: Any, 401: Any, 404: Any, 409: Any},
    summary="Comment on a section, or reply to a published comment (participant token)",
    description=(
        "Body: {text, parent_id (optional)}. status is `published` or, when the "
        "consultation is moderated before publication, `pending`. 409 when the "
        "consultation is not open."
    ),
)
def comment_create(
    request: HttpRequest, pk: Id, section_pk: Id, payload: CommentIn | None = None
) -> Any:
    participant: Participant = request.auth  # type: ignore[attr-defined]
    consultation = _consultation_or_404(pk)
    section = _section_or_404(consultation, section_pk)
    data = payload or CommentIn()
    text = data.text if isinstance(data.text, str) else ""
    try:
        parent = _parent(consultation, data.parent_id)
        comment = services.comment_post(
            section=section, participant=participant, text=text, parent=parent
        )
    except services.NotAllowed as exc:
        return Status(409, {"detail": [{"field": "", "message": exc.message}]})
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc, aliases={"parent": "parent_id"})})
    return Status(
        201,
        {
            "id": comment.pk,
            "section_id": comment.section_id,
            "parent_id": comment.parent_id,
            "status": comment.status,
            "text": comment.text,
            "created_at": comment.created_at,
        },
    )


class ReportSectionOut(Schema):
    id: int
    order: int
    title: str
    comments_received: int
    comments_published: int
    supports: int
    opposes: int
    participants: int


class CountOut(Schema):
    key: str
    label: str
    participants: int


class ReportOut(Schema):
    id: int
    status: str
    participants: int
    comments_received: int
    comments_published: int
    comments_pending: int
    supports: int
    opposes: int
    sections: list[ReportSectionOut]
    by_commune: list[CountOut]
    by_gender: list[CountOut]
    # A consultation of the network only (null otherwise): participation.breakdown.
    breakdown: BreakdownOut | None


@staff_router.get(
    "/consultations/{pk}/report",
    response={200: ReportOut, 404: Any},
    summary="The report of a consultation (staff token of its collectivity)",
)
def staff_report(request: HttpRequest, pk: Id) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    found = Consultation.objects.filter(pk=pk).select_related("collectivity").first()
    # 404, not 403, for another collectivity's consultation: its existence is not confirmed.
    if found is None or not has_perm(user, Perm.PARTICIPATION_MANAGE, found.collectivity):
        raise HttpError(404, _("Unknown consultation."))
    report = selectors.consultation_report(consultation=found)
    return {
        "id": found.pk,
        "status": found.phase().value,
        "participants": report.participants,
        "comments_received": report.received,
        "comments_published": report.published,
        "comments_pending": report.pending,
        "supports": report.supports,
        "opposes": report.opposes,
        "sections": [
            {
                "id": s.id,
                "order": s.order,
                "title": s.title,
                "comments_received": s.received,
                "comments_published": s.published,
                "supports": s.supports,
                "opposes": s.opposes,
                "participants": s.participants,
            }
            for s in report.sections
        ],
        "by_commune": [vars(r) for r in report.by_commune],
        "by_gender": [vars(r) for r in report.by_gender],
        "breakdown": breakdown_out(selectors.consultation_breakdown(consultation=found)),
    }
