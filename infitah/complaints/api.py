"""Complaints, observations and suggestions over the API (docs/api.md).

- `POST /c/{slug}/complaints`: submit, no account needed. 202 while the e-mail address
  awaits confirmation (`acknowledge_by` and `answer_by` are then the dates that would
  apply if it were confirmed today), 201 when received at once (a phone number only, or
  a staff token of this collectivity registering a complaint received on paper).
- `GET /complaints/{reference}`: the public view; never contact details nor the
  description (it may name people); 404 if unknown or not yet received.
- `GET /c/{slug}/complaints/stats`: the collectivity's public statistics.
- `GET|POST /staff/complaints/{reference}[/{action}]`: the complaints unit, with a token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infitah.accounts.api_auth import StaffToken
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.accounts.services import api_token_authenticate
from infitah.cases.api import ApiActions, ApiCall, staff_case_or_404
from infitah.complaints import selectors, services
from infitah.complaints.models import Complaint
from infitah.complaints.process import ACK_LIMIT, ANSWER_LIMIT
from infitah.correspondence.models import ServiceUnit
from infitah.deadlines.selectors import due_date_compute
from infitah.lib.bounds import whole_number
from infitah.lib.casework import validation_detail
from infitah.lib.openapi import LabelCount
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["complaints"])
staff_router = Router(tags=["complaints (staff)"], auth=StaffToken())

# Numbers are accepted where a client may send them (ids, coordinates); every value is
# checked as text by services.complaint_validate, which names the field in error.
Scalar = str | int | float | None


class ComplaintIn(Schema):
    kind: Scalar = None
    category: Scalar = None
    description: Scalar = None
    name: Scalar = None
    email: Scalar = None
    phone: Scalar = None
    address: Scalar = None
    latitude: Scalar = None
    longitude: Scalar = None
    chikaya_reference: Scalar = None


class ComplaintSubmittedOut(Schema):
    reference: str
    status: str
    acknowledge_by: dt.date | None
    answer_by: dt.date | None
    tracking_url: str


class ComplaintEventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str


class ComplaintPublicOut(Schema):
    reference: str
    collectivity: str
    kind: str
    category: str | None
    status: str
    status_label: str
    submitted_at: dt.datetime
    received_on: dt.date | None
    acknowledge_by: dt.date | None
    acknowledged_on: dt.date | None
    is_acknowledged_late: bool
    answer_by: dt.date | None
    answered_on: dt.date | None
    is_answered_late: bool
    outcome: str
    competent_body: str
    answer: str | None
    merged_into: str | None
    events: list[ComplaintEventOut]


class ComplaintStaffOut(ComplaintPublicOut):
    description: str
    name: str
    email: str
    phone: str
    address: str
    latitude: float | None
    longitude: float | None
    chikaya_reference: str
    service_id: int | None
    is_published: bool
    satisfaction: int | None
    reopen_count: int


class ComplaintStatsOut(Schema):
    received: int
    by_kind: list[LabelCount]
    by_category: list[LabelCount]
    acknowledged: int
    acknowledged_on_time: int
    answered: int
    answered_on_time: int
    median_days: float | None
    rated: int
    satisfaction_average: float | None
    satisfied: int
    reopened: int
    outcomes: list[LabelCount]


class ComplaintActionIn(Schema):
    service_id: Scalar = None
    text: str = ""
    outcome: str = ""
    competent_body: str = ""
    publish: bool = False
    into: str = ""


def _text(value: Scalar) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


def _staff_user(request: HttpRequest) -> User | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    return api_token_authenticate(header[7:].strip())


def _collectivity_or_404(slug: str) -> Collectivity:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.is_network_member:
        raise HttpError(404, _("Unknown collectivity."))
    return collectivity


@router.post(
    "/c/{slug}/complaints",
    response={201: ComplaintSubmittedOut, 202: ComplaintSubmittedOut, 400: Any, 404: Any},
    summary="Send a complaint, an observation or a suggestion",
    description=(
        "kind: complaint | observation | suggestion; category: the id of one of the "
        "collectivity's categories (optional); an e-mail address or a phone number is "
        "required. 400 with one detail per field in error; nothing is created then."
    ),
)
def complaint_submit(request: HttpRequest, slug: str, payload: ComplaintIn) -> Any:
    collectivity = _collectivity_or_404(slug)
    staff = _staff_user(request)
    registering = staff is not None and has_perm(staff, Perm.COMPLAINTS_HANDLE, collectivity)
    data = services.ComplaintInput(**{k: _text(v) for k, v in payload.dict().items()})
    try:
        complaint, token = services.complaint_submit(
            collectivity=collectivity,
            data=data,
            actor=staff if registering else None,
            email_confirmed=registering,
        )
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc)})
    acknowledge_by, answer_by = complaint.acknowledge_by, complaint.answer_by
    if complaint.received_on is None:
        today = timezone.localdate()
        acknowledge_by = due_date_compute(start=today, limit=ACK_LIMIT).due_date
        answer_by = due_date_compute(start=today, limit=ANSWER_LIMIT).due_date
    with translation.override(complaint.language):
        url = settings.INFITAH_SITE_URL + reverse("complaints:track", kwargs={"token": token})
    return Status(
        202 if complaint.received_on is None else 201,
        {
            "reference": complaint.reference,
            "status": complaint.status,
            "acknowledge_by": acknowledge_by,
            "answer_by": answer_by,
            "tracking_url": url,
        },
    )


def _answer_public(complaint: Complaint) -> bool:
    return (
        complaint.is_published
        and bool(complaint.answer_text)
        and services.complaint_settings_get(complaint.collectivity).publish_answered
    )


def _public(complaint: Complaint) -> dict[str, Any]:
    into = complaint.merged_into if complaint.merged_into_id else None
    merged_into = into.reference if into is not None else None
    return {
        "reference": complaint.reference,
        "collectivity": complaint.collectivity.slug,
        "kind": complaint.kind,
        "category": complaint.category.name if complaint.category else None,
        "status": complaint.status,
        "status_label": complaint.get_status_display(),
        "submitted_at": complaint.submitted_at,
        "received_on": complaint.received_on,
        "acknowledge_by": complaint.acknowledge_by,
        "acknowledged_on": complaint.acknowledged_on,
        "is_acknowledged_late": complaint.is_acknowledged_late,
        "answer_by": complaint.answer_by,
        "answered_on": complaint.answered_on,
        "is_answered_late": complaint.is_answered_late,
        "outcome": complaint.outcome,
        "competent_body": complaint.competent_body,
        "answer": complaint.answer_text if _answer_public(complaint) else None,
        "merged_into": merged_into,
        "events": [
            {"at": e.at, "action": e.action, "from_state": e.from_state, "to_state": e.to_state}
            for e in selectors.complaint_events(complaint=complaint, public=True)
        ],
    }


@router.get(
    "/complaints/{reference}",
    response={200: ComplaintPublicOut, 404: Any},
    summary="Public view of a complaint (no contact details, no description)",
)
def complaint_get(request: HttpRequest, reference: str) -> Any:
    found = selectors.public_complaint_get(reference=reference)
    if found is None:
        raise HttpError(404, _("Unknown complaint."))
    return _public(found)


@router.get(
    "/c/{slug}/complaints/stats",
    response={200: ComplaintStatsOut, 404: Any},
    summary="Public statistics of a collectivity's complaints",
)
def complaint_stats(request: HttpRequest, slug: str) -> Any:
    return selectors.statistics(collectivity=_collectivity_or_404(slug))


def _staff_complaint(request: HttpRequest, reference: str) -> Complaint:
    return staff_case_or_404(
        request,
        Complaint.objects.select_related(
            "category", "merged_into", "acknowledge_deadline", "answer_deadline"
        ),
        perm=Perm.COMPLAINTS_HANDLE,
        message=_("Unknown complaint."),
        reference=reference,
    )


def _staff(complaint: Complaint) -> dict[str, Any]:
    return {
        **_public(complaint),
        "answer": complaint.answer_text or None,
        "description": complaint.description,
        "name": complaint.name,
        "email": complaint.email,
        "phone": complaint.phone,
        "address": complaint.address,
        "latitude": complaint.latitude,
        "longitude": complaint.longitude,
        "chikaya_reference": complaint.chikaya_reference,
        "service_id": complaint.service_id,
        "is_published": complaint.is_published,
        "satisfaction": complaint.satisfaction,
        "reopen_count": complaint.reopen_count,
    }


@staff_router.get(
    "/complaints/{reference}",
    response={200: ComplaintStaffOut, 404: Any},
    summary="A complaint as its complaints unit sees it",
)
def staff_complaint_get(request: HttpRequest, reference: str) -> Any:
    return _staff(_staff_complaint(request, reference))


def _service(complaint: Complaint, value: Scalar) -> ServiceUnit:
    pk = whole_number(_text(value), minimum=1)
    found = None
    if pk is not None:
        found = (
            ServiceUnit.objects.for_collectivity(complaint.collectivity_id)
            .active()
            .filter(pk=pk)
            .first()
        )
    if found is None:
        raise ValidationError({"service_id": _("Choose an active service of this collectivity.")})
    return found


def _merge(complaint: Complaint, user: User, data: ComplaintActionIn) -> object:
    into = selectors.staff_complaint_get(
        collectivity=complaint.collectivity, reference=data.into.strip()
    )
    if into is None:
        raise ValidationError({"into": _("No complaint of this collectivity has it.")})
    return services.complaint_merge(complaint=complaint, actor=user, into=into)


# URL segment → the service it calls (with the complaint, the token's user and the body).
ACTION_CALLS: dict[str, ApiCall] = {
    "acknowledge": lambda complaint, user, data: services.complaint_acknowledge(
        complaint=complaint, actor=user
    ),
    "route": lambda complaint, user, data: services.complaint_route(
        complaint=complaint, actor=user, service=_service(complaint, data.service_id)
    ),
    "ask-info": lambda complaint, user, data: services.complaint_ask_info(
        complaint=complaint, actor=user, text=data.text
    ),
    "answer": lambda complaint, user, data: services.complaint_answer(
        complaint=complaint,
        actor=user,
        outcome=data.outcome,
        text=data.text,
        competent_body=data.competent_body,
        publish=data.publish,
    ),
    "close": lambda complaint, user, data: services.complaint_close(
        complaint=complaint, actor=user
    ),
    "merge": _merge,
}
ACTIONS = ApiActions(
    ACTION_CALLS,
    out=_staff,
    forbidden=gettext_lazy("Your role does not allow this action on complaints."),
)
STAFF_ACTIONS = tuple(ACTION_CALLS)


@staff_router.post(
    "/complaints/{reference}/{action}",
    response={200: ComplaintStaffOut, 400: Any, 403: Any, 404: Any, 409: Any},
    summary="Act on a complaint: " + ", ".join(STAFF_ACTIONS),
    description=(
        "Bodies: acknowledge {}; route {service_id}; ask-info {text}; answer {outcome: "
        "positive|negative|not_competent, text, competent_body, publish}; close {}; merge "
        "{into: reference}. 409 when the complaint's state does not allow the action."
    ),
)
def staff_complaint_act(
    request: HttpRequest, reference: str, action: str, payload: ComplaintActionIn | None = None
) -> Any:
    return ACTIONS.act(
        request, _staff_complaint(request, reference), action, payload or ComplaintActionIn()
    )
