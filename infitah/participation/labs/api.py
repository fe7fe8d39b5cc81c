"""Collective-intelligence labs over the API (docs/labs.md).

- `GET /c/{slug}/labs`: the collectivity's opened labs.
- `GET /labs/{id}`: a lab and its approved statements with their vote counts.
- `GET /labs/{id}/next` (participant token): the next statement to vote on, or null.
- `POST /labs/{id}/votes` (participant token) `{"statement_id", "vote": -1|0|1}`: 201
  when recorded, 200 when it changes an earlier vote; 400 bad vote, 404 unknown or
  unapproved statement, 409 lab not open.
- `POST /labs/{id}/statements` (participant token) `{"text"}`: 202 pending moderation
  (201 when the lab does not moderate); 400 bad text, 409 lab not open.
- `GET /labs/{id}/report`: the latest persisted report (404 until one is computed).
- `GET /staff/labs/{id}/moderation`, `POST /staff/labs/{id}/statements/{sid}/approve|reject`
  (staff token): the moderation queue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from infitah.accounts.api_auth import StaffToken
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.lib.bounds import Id, whole_number
from infitah.lib.casework import validation_detail
from infitah.participation.access import ParticipantBearer
from infitah.participation.api import BreakdownOut
from infitah.participation.breakdown import breakdown_out
from infitah.participation.labs import reports, selectors, services
from infitah.participation.labs.models import Lab, Statement, StatementStatus
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["labs"])
staff_router = Router(tags=["labs (staff)"], auth=StaffToken())

Scalar = str | int | float | bool | None


class LabOut(Schema):
    id: int
    collectivity: str
    question: str
    question_ar: str
    question_fr: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    is_open: bool
    days_left: int
    statement_count: int
    voter_count: int
    url: str


class StatementOut(Schema):
    id: int
    text: str
    is_seed: bool
    agree: int
    disagree: int
    passed: int


class LabDetailOut(LabOut):
    # "local": the collectivity's public; "citizens" / "members": a network-wide lab.
    audience: str
    description_ar: str
    description_fr: str
    moderate_statements: bool
    statements: list[StatementOut]
    # A lab of the network only (null otherwise): who took part, by region and kind.
    breakdown: BreakdownOut | None


class NextStatement(Schema):
    id: int
    text: str


class NextOut(Schema):
    statement: NextStatement | None
    voted: int
    total: int


class VoteIn(Schema):
    statement_id: Scalar = None
    vote: Scalar = None


class VoteOut(Schema):
    statement_id: int
    vote: int
    created: bool


class StatementIn(Schema):
    text: Scalar = None


class StatementSubmittedOut(Schema):
    id: int
    status: str


class PendingOut(Schema):
    id: int
    text: str
    author: str
    created_at: dt.datetime


class ModerateIn(Schema):
    reason: Scalar = None


def _error(status: int, message: str, field: str = "") -> Status[Any]:
    return Status(status, {"detail": [{"field": field, "message": message}]})


def _text(value: Scalar) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


def _lab_out(lab: Lab, collectivity: Collectivity) -> dict[str, Any]:
    return {
        "id": lab.pk,
        "collectivity": collectivity.slug,
        "question": lab.question,
        "question_ar": lab.question_ar,
        "question_fr": lab.question_fr,
        "opens_at": lab.opens_at,
        "closes_at": lab.closes_at,
        "is_open": lab.is_open,
        "days_left": lab.days_left,
        "statement_count": getattr(lab, "statement_count", 0),
        "voter_count": getattr(lab, "voter_count", 0),
        "url": reverse("labs:detail", kwargs={"slug": collectivity.slug, "pk": lab.pk}),
    }


def _lab_or_404(pk: int) -> Lab:
    lab = selectors.lab_public_get(pk=pk)
    if lab is None:
        raise HttpError(404, _("Unknown lab."))
    return lab


def _participant(request: HttpRequest) -> Participant:
    return request.auth  # type: ignore[attr-defined,no-any-return]


@router.get(
    "/c/{slug}/labs",
    response={200: list[LabOut], 404: Any},
    summary="The collectivity's collective-intelligence labs",
)
def lab_list(request: HttpRequest, slug: str) -> Any:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.has_public_space:
        raise HttpError(404, _("Unknown collectivity."))
    return [_lab_out(lab, collectivity) for lab in selectors.lab_list(collectivity=collectivity)]


@router.get(
    "/labs/{pk}",
    response={200: LabDetailOut, 404: Any},
    summary="A lab and its approved statements, with their vote counts",
)
def lab_get(request: HttpRequest, pk: Id) -> Any:
    lab = _lab_or_404(pk)
    return {
        **_lab_out(lab, lab.collectivity),
        "audience": lab.audience,
        "breakdown": breakdown_out(selectors.lab_breakdown(lab=lab)),
        "description_ar": lab.description_ar,
        "description_fr": lab.description_fr,
        "moderate_statements": lab.moderate_statements,
        "statements": [
            {
                "id": s.pk,
                "text": s.text,
                "is_seed": s.is_seed,
                "agree": s.agree,  # type: ignore[attr-defined]
                "disagree": s.disagree,  # type: ignore[attr-defined]
                "passed": s.passed,  # type: ignore[attr-defined]
            }
            for s in selectors.statement_list(lab=lab)
        ],
    }


@router.get(
    "/labs/{pk}/next",
    auth=ParticipantBearer(),
    response={200: NextOut, 401: Any, 404: Any},
    summary="The next statement for the participant to vote on (null when none is left)",
    description=(
        "Among the approved statements the participant has not voted on, one of those "
        "with the fewest votes; ties are broken by a hash of the lab's seed, the "
        "participant and the statement. Null once every statement has the participant's "
        "vote, or when the lab is not open."
    ),
)
def lab_next(request: HttpRequest, pk: Id) -> Any:
    lab = _lab_or_404(pk)
    participant = _participant(request)
    statement = selectors.statement_next(lab=lab, participant=participant) if lab.is_open else None
    progress = selectors.participant_progress(lab=lab, participant=participant)
    return {
        "statement": {"id": statement.pk, "text": statement.text} if statement else None,
        "voted": progress.voted,
        "total": progress.total,
    }


@router.post(
    "/labs/{pk}/votes",
    auth=ParticipantBearer(),
    response={200: VoteOut, 201: VoteOut, 400: Any, 401: Any, 404: Any, 409: Any},
    summary="Vote on a statement: 1 agree, -1 disagree, 0 pass",
    description=(
        "201 when recorded, 200 when it changes the participant's earlier vote on the "
        "statement. 400 when the vote is not -1, 0 or 1; 404 for an unknown, pending or "
        "rejected statement; 409 when the lab is not open."
    ),
)
def vote_cast(request: HttpRequest, pk: Id, payload: VoteIn) -> Any:
    lab = _lab_or_404(pk)
    raw = payload.statement_id
    statement_id = whole_number(raw, minimum=1) if isinstance(raw, int) else None
    if statement_id is None:
        return _error(400, _("Give the id of a statement of this lab."), "statement_id")
    try:
        vote, created = services.vote_cast(
            lab=lab,
            participant=_participant(request),
            statement_id=statement_id,
            value=payload.vote,
        )
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc)})
    except services.LabRefused as exc:
        return _error(409, exc.message)
    except services.StatementUnavailable:
        return _error(404, _("This lab has no approved statement with this id."), "statement_id")
    return Status(
        201 if created else 200,
        {"statement_id": vote.statement_id, "vote": vote.value, "created": created},
    )


@router.post(
    "/labs/{pk}/statements",
    auth=ParticipantBearer(),
    response={
        201: StatementSubmittedOut,
        202: StatementSubmittedOut,
        400: Any,
        401: Any,
        404: Any,
        409: Any,
    },
    summary="Propose a statement (at most 280 characters)",
    description=(
        "202 with status pending: it is shown to others once the collectivity approves "
        "it; 201 with status approved when the lab does not moderate. 400 for an empty, "
        "too long or duplicate statement; 409 when the lab is not open."
    ),
)
def statement_submit(request: HttpRequest, pk: Id, payload: StatementIn) -> Any:
    lab = _lab_or_404(pk)
    try:
        statement = services.statement_submit(
            lab=lab, participant=_participant(request), text=_text(payload.text)
        )
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc)})
    except services.LabRefused as exc:
        return _error(409, exc.message)
    status = 202 if statement.status == StatementStatus.PENDING else 201
    return Status(status, {"id": statement.pk, "status": statement.status})


@router.get(
    "/labs/{pk}/report",
    response={200: dict[str, Any], 404: Any},
    summary="The lab's latest report: opinion groups, representative and consensus statements",
    description=(
        "As persisted by the background computation, with the parameters that produced "
        "it (seed, min_votes, max_k, revision, vote_count…). Participants appear only as "
        "their number in the lab. 404 until a first report is computed."
    ),
)
def lab_report(request: HttpRequest, pk: Id) -> Any:
    lab = _lab_or_404(pk)
    found = selectors.report_latest(lab=lab)
    if found is None:
        raise HttpError(404, _("No report has been computed for this lab yet."))
    return reports.report_json(lab=lab, report=found)


# ---------------------------------------------------------------------------- staff


def _staff_lab(request: HttpRequest, pk: int) -> Lab:
    user: User = request.auth  # type: ignore[attr-defined]
    lab = Lab.objects.select_related("collectivity").filter(pk=pk).first()
    # 404, not 403, for another collectivity's lab: its existence is not confirmed.
    if lab is None or not has_perm(user, Perm.PARTICIPATION_MANAGE, lab.collectivity):
        raise HttpError(404, _("Unknown lab."))
    return lab


@staff_router.get(
    "/labs/{pk}/moderation",
    response={200: list[PendingOut], 404: Any},
    summary="Participants' statements awaiting moderation",
)
def staff_moderation(request: HttpRequest, pk: Id) -> Any:
    lab = _staff_lab(request, pk)
    return [
        {
            "id": s.pk,
            "text": s.text,
            "author": s.author.display_name if s.author else "",
            "created_at": s.created_at,
        }
        for s in selectors.moderation_queue(lab=lab)
    ]


@staff_router.post(
    "/labs/{pk}/statements/{statement_pk}/{action}",
    response={200: StatementSubmittedOut, 400: Any, 404: Any, 409: Any},
    summary="Moderate a statement: approve, or reject with {reason}",
    description="Rejecting an approved statement withdraws it: its votes leave the maths.",
)
def staff_moderate(
    request: HttpRequest,
    pk: Id,
    statement_pk: Id,
    action: str,
    payload: ModerateIn | None = None,
) -> Any:
    lab = _staff_lab(request, pk)
    if action not in {"approve", "reject"}:
        raise HttpError(404, _("Unknown action."))
    statement = Statement.objects.filter(lab=lab, pk=statement_pk).first()
    if statement is None:
        raise HttpError(404, _("Unknown statement."))
    user: User = request.auth  # type: ignore[attr-defined]
    try:
        done = services.statement_moderate(
            statement=statement,
            actor=user,
            approve=action == "approve",
            reason=_text((payload or ModerateIn()).reason),
        )
    except services.ModerationNotAllowed as exc:
        return _error(409, exc.message)
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc)})
    return {"id": done.pk, "status": done.status}
