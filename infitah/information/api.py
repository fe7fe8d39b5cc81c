"""Access-to-information requests over the API (docs/api.md, docs/information.md).

- `POST /c/{slug}/information-requests`: file a request, no account needed. 202 while the
  e-mail address awaits confirmation (the usual case; `due_date` is then the date the
  request will be due if confirmed today), 201 when a staff token of this collectivity
  registers a request received on paper (received at once).
- `GET /information-requests/{reference}`: the public view; 404 if unknown, not yet
  received, or kept private by the requester.
- `GET|POST /staff/information-requests/{reference}[/{action}]`: officers, with a token.
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
from infitah.cases.api import ApiActions, ApiCall, api_error, staff_case_or_404
from infitah.deadlines.selectors import due_date_compute
from infitah.information import selectors, services
from infitah.information.models import InformationRequest
from infitah.information.workflow import RefusalReason
from infitah.lib.bounds import Id
from infitah.lib.casework import validation_detail
from infitah.publication.models import Document
from infitah.territories.selectors import collectivity_get

router = Router(tags=["information requests"])
staff_router = Router(tags=["information requests (staff)"], auth=StaffToken())


class RequestIn(Schema):
    requester_type: str = ""
    first_name: str = ""
    last_name: str = ""
    id_type: str = ""
    id_number: str = ""
    address: str = ""
    email: str = ""
    subject: str = ""
    description: str = ""
    urgent: bool = False
    urgency_reason: str = ""
    delivery: str = ""
    private: bool = False


class FiledOut(Schema):
    reference: str
    status: str
    due_date: dt.date | None
    tracking_url: str


class RequestEventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str


class RequestPublicOut(Schema):
    reference: str
    collectivity: str
    subject: str
    status: str
    status_label: str
    outcome: str
    submitted_at: dt.datetime
    received_on: dt.date | None
    due_date: dt.date | None
    is_deemed_refused: bool
    answered_on: dt.date | None
    answer: str | None
    refusal_reasons: list[str]
    events: list[RequestEventOut]


class RequestStaffOut(RequestPublicOut):
    requester_name: str
    requester_type: str
    id_type: str
    id_number_masked: str
    email: str
    address: str
    description: str
    is_urgent: bool
    urgency_reason: str
    delivery: str
    is_private: bool
    is_extended: bool
    complaint_due_date: dt.date | None


class RequestActionIn(Schema):
    text: str = ""
    reasons: list[str] | str = []
    reasoning: str = ""
    partial: bool = False
    document_id: Id | None = None
    link: str = ""
    personal: bool = False
    collectivity: str = ""
    note: str = ""
    decision: str = ""


def _absolute(path: str) -> str:
    return settings.INFITAH_SITE_URL + path


def _staff_user(request: HttpRequest) -> User | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    return api_token_authenticate(header[7:].strip())


@router.post(
    "/c/{slug}/information-requests",
    response={201: FiledOut, 202: FiledOut, 400: Any, 404: Any, 409: Any},
    summary="File an access-to-information request",
)
def request_file(request: HttpRequest, slug: str, payload: RequestIn) -> Any:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise HttpError(404, _("Unknown collectivity."))
    staff = _staff_user(request)
    registering = staff is not None and has_perm(staff, Perm.INFORMATION_HANDLE, collectivity)
    try:
        filed, token = services.request_file(
            collectivity=collectivity,
            data=services.RequestInput(**payload.dict()),
            actor=staff if registering else None,
            email_confirmed=registering,
        )
    except services.TransitionNotAllowed as exc:
        return api_error(409, exc.message)
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc)})
    due = filed.due_date
    if due is None:
        limit = "ati.urgent" if filed.is_urgent else "ati.answer"
        due = due_date_compute(start=timezone.localdate(), limit=limit).due_date
    with translation.override(filed.language):
        url = _absolute(reverse("information:track", kwargs={"token": token}))
    return Status(
        201 if registering else 202,
        {
            "reference": filed.reference,
            "status": filed.status,
            "due_date": due,
            "tracking_url": url,
        },
    )


def _public(found: InformationRequest) -> dict[str, Any]:
    events = selectors.request_events(request=found, public=True)
    answer_public = found.is_answer_public
    return {
        "reference": found.reference,
        "collectivity": found.collectivity.slug,
        "subject": found.subject,
        "status": found.status,
        "status_label": found.get_status_display(),
        "outcome": found.outcome,
        "submitted_at": found.submitted_at,
        "received_on": found.received_on,
        "due_date": found.due_date,
        "is_deemed_refused": found.is_deemed_refused(),
        "answered_on": found.answered_on,
        "answer": found.answer_text if answer_public and found.answer_text else None,
        "refusal_reasons": list(found.refusal_reasons),
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
            }
            for e in events
        ],
    }


@router.get(
    "/information-requests/{reference}",
    response={200: RequestPublicOut, 404: Any},
    summary="Public view of a request (never the requester's identity)",
)
def request_get(request: HttpRequest, reference: str) -> Any:
    found = selectors.public_request_get(reference=reference)
    if found is None:
        raise HttpError(404, _("Unknown request."))
    return _public(found)


def _staff_request(request: HttpRequest, reference: str) -> InformationRequest:
    return staff_case_or_404(
        request,
        InformationRequest.objects.select_related("answer_deadline", "head_deadline"),
        perm=Perm.INFORMATION_HANDLE,
        message=_("Unknown request."),
        reference=reference,
    )


def _staff(found: InformationRequest) -> dict[str, Any]:
    return {
        **_public(found),
        "answer": found.answer_text or None,
        "requester_name": found.requester_name,
        "requester_type": found.requester_type,
        "id_type": found.id_type,
        "id_number_masked": found.id_number_masked,
        "email": found.email,
        "address": found.address,
        "description": found.description,
        "is_urgent": found.is_urgent,
        "urgency_reason": found.urgency_reason,
        "delivery": found.delivery,
        "is_private": found.is_private,
        "is_extended": found.is_extended,
        "complaint_due_date": found.complaint_due_date,
    }


@staff_router.get(
    "/information-requests/{reference}",
    response={200: RequestStaffOut, 404: Any},
    summary="A request as its officers see it (identity number masked)",
)
def staff_request_get(request: HttpRequest, reference: str) -> Any:
    return _staff(_staff_request(request, reference))


def _document(found: InformationRequest, document_id: int | None) -> Document | None:
    if document_id is None:
        return None
    document = Document.objects.filter(pk=document_id, collectivity=found.collectivity).first()
    if document is None:
        raise ValidationError(
            {"document_id": _("Choose a document published by this collectivity.")}
        )
    return document


def _reasons(value: list[str] | str) -> list[str]:
    return [value] if isinstance(value, str) and value else list(value or [])


def _transfer(found: InformationRequest, user: User, data: RequestActionIn) -> object:
    to = collectivity_get(slug=data.collectivity) if data.collectivity else None
    if to is None:
        raise ValidationError({"collectivity": _("Give the slug of the competent collectivity.")})
    return services.request_transfer(request=found, actor=user, to=to, note=data.note or data.text)


# URL segment → the service it calls (with the case, the token's user and the body).
ACTION_CALLS: dict[str, ApiCall] = {
    "clarify": lambda found, user, data: services.request_clarify(
        request=found, actor=user, text=data.text
    ),
    "extend": lambda found, user, data: services.request_extend(
        request=found, actor=user, reasons=data.text or " ".join(_reasons(data.reasons))
    ),
    "answer": lambda found, user, data: services.request_answer(
        request=found,
        actor=user,
        text=data.text,
        partial=data.partial,
        document=_document(found, data.document_id),
        link=data.link,
        personal=data.personal,
    ),
    "refuse": lambda found, user, data: services.request_refuse(
        request=found,
        actor=user,
        reasons=_reasons(data.reasons),
        reasoning=data.reasoning or data.text,
        document=_document(found, data.document_id),
        link=data.link,
    ),
    "transfer": _transfer,
    "decide-complaint": lambda found, user, data: services.request_decide_complaint(
        request=found, actor=user, decision=data.decision, text=data.text
    ),
}
ACTIONS = ApiActions(
    ACTION_CALLS,
    out=_staff,
    forbidden=gettext_lazy("Only the head of the collectivity decides complaints."),
)
STAFF_ACTIONS = tuple(ACTION_CALLS)


@staff_router.post(
    "/information-requests/{reference}/{action}",
    response={200: RequestStaffOut, 400: Any, 403: Any, 404: Any, 409: Any},
    summary="Act on a request: " + ", ".join(STAFF_ACTIONS),
    description=(
        "Bodies: clarify {text}; extend {text: reasons}; answer {text, partial, "
        "document_id, link, personal}; refuse {reasons: ["
        + ", ".join(RefusalReason.values)
        + "], reasoning, document_id, link}; transfer {collectivity: slug, note}; "
        "decide-complaint {decision: upheld|partly_upheld|rejected, text}. "
        "409 when the request's state does not allow the action."
    ),
)
def staff_request_act(
    request: HttpRequest, reference: str, action: str, payload: RequestActionIn
) -> Any:
    return ACTIONS.act(request, _staff_request(request, reference), action, payload)
