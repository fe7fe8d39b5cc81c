"""Petitions over the API (docs/petitions.md, "API").

- `GET /c/{slug}/petitions`: the collectivity's public petitions (not drafts).
- `GET /petitions/{id}`: one petition, with its count and, for a region, the progress
  in each prefecture/province.
- `POST /petitions/{id}/signatures`: sign; 202 while the e-mail confirmation is
  awaited. 400 per field, 404 unknown, 409 already signed (field "cin") or not
  collecting, 429 with Retry-After.
- `POST /signatures/confirm`: confirm with the e-mailed token (idempotent).
- `GET /staff/petitions/{id}/stats`: the bureau's statistics (token).
- `POST /staff/petitions/{id}/{action}`: the bureau's steps (token): review, accept,
  reject, schedule, decide, withdraw (at the agent's written request), through the case
  engine's one pattern (`infitah.cases.api`). 404 for another collectivity's petition,
  409 when its state forbids the step, 400 per field; 200 with the petition as the
  bureau sees it.

No response ever carries an ID number, an e-mail address or an IP address, except the
staff statistics' top IP addresses and the agent's contact details in the staff answer,
for the bureau of the petition's collectivity. No response names a signatory.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infitah.accounts.api_auth import StaffToken
from infitah.accounts.permissions import Perm
from infitah.cases.api import ApiActions, ApiCall, api_error, staff_case_or_404
from infitah.lib.bounds import Id
from infitah.lib.casework import validation_detail
from infitah.lib.openapi import LabelCount, TimeCount
from infitah.petitions import notify, selectors, services
from infitah.petitions.integrity import RateLimited, client_ip
from infitah.petitions.models import Petition
from infitah.petitions.signatures import (
    AlreadySigned,
    NotCollecting,
    SignatureInput,
    signature_confirm,
    signature_submit,
)
from infitah.petitions.workflow import CHECKLIST, SignatureStatus
from infitah.territories.selectors import collectivity_get

router = Router(tags=["petitions"])
staff_router = Router(tags=["petitions (staff)"], auth=StaffToken())

Scalar = str | int | float | bool | None
TRUE_TEXT = frozenset({"true", "1", "yes", "on"})


class PetitionItemOut(Schema):
    id: int
    title: str
    status: str
    confirmed_signatures: int
    threshold: int
    url: str


class PetitionListOut(Schema):
    count: int
    items: list[PetitionItemOut]


class ProvinceOut(Schema):
    province: str
    name: str
    required: int
    confirmed: int


class PetitionOut(Schema):
    id: int
    title: str
    status: str
    collectivity: str
    threshold: int
    confirmed_signatures: int
    per_province: list[ProvinceOut]
    decision: str | None
    lodged_on: dt.date | None
    # The day the council must decide by (the decision clock's period, as the legal
    # calendar gives it now); null before lodging.
    decision_due: dt.date | None
    reference: str | None


class SignatureIn(Schema):
    full_name: Scalar = None
    cin: Scalar = None
    residence_commune: Scalar = None
    interest: Scalar = None
    email: Scalar = None
    electoral_declaration: Scalar = None


class AcceptedOut(Schema):
    status: str
    detail: str


class ConfirmIn(Schema):
    token: Scalar = None


class ConfirmOut(Schema):
    status: str


class PetitionStatsOut(Schema):
    petition: int
    confirmed: int
    pending: int
    invalidated: int
    by_hour: list[TimeCount]
    by_domain: list[LabelCount]
    by_commune: list[LabelCount]
    by_channel: list[LabelCount]
    by_ip: list[LabelCount]


def _text(value: Scalar) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


def _flag(value: Scalar) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in TRUE_TEXT


def _url(petition: Petition) -> str:
    with translation.override(petition.language):
        return notify.public_url(petition)


def _public_or_404(pk: int) -> Petition:
    found = selectors.petition_get_public(pk)
    if found is None:
        raise HttpError(404, _("Unknown petition."))
    return found


@router.get(
    "/c/{slug}/petitions",
    response={200: PetitionListOut, 404: Any},
    summary="The petitions to a collectivity's council",
)
def petition_list(request: HttpRequest, slug: str) -> Any:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None or not collectivity.is_network_member:
        raise HttpError(404, _("Unknown collectivity."))
    rows = selectors.petition_public_list(collectivity)
    return {
        "count": len(rows),
        "items": [
            {
                "id": row.petition.pk,
                "title": row.petition.title,
                "status": row.petition.status,
                "confirmed_signatures": row.confirmed,
                "threshold": row.required,
                "url": _url(row.petition),
            }
            for row in rows
        ],
    }


@router.get(
    "/petitions/{petition_id}",
    response={200: PetitionOut, 404: Any},
    summary="One petition: its count, threshold and per-province progress",
)
def petition_get(request: HttpRequest, petition_id: Id) -> Any:
    petition = _public_or_404(petition_id)
    threshold = selectors.threshold_for(petition)
    return {
        "id": petition.pk,
        "title": petition.title,
        "status": petition.status,
        "collectivity": petition.collectivity.slug,
        "threshold": petition.threshold_at_lodging or threshold.required,
        "confirmed_signatures": selectors.confirmed_count(petition),
        "per_province": [
            {
                "province": row.slug,
                "name": row.name,
                "required": row.required,
                "confirmed": row.confirmed,
            }
            for row in selectors.province_progress(petition, threshold=threshold)
        ],
        "decision": petition.decision or None,
        "lodged_on": petition.lodged_on,
        "decision_due": petition.decision_due,
        "reference": petition.reference or None,
    }


@router.post(
    "/petitions/{petition_id}/signatures",
    response={202: AcceptedOut, 400: Any, 404: Any, 409: Any, 429: Any},
    summary="Sign a petition (confirmation by e-mail)",
    description=(
        "Body: full_name, cin, residence_commune (slug), interest (resident | activity; "
        "default resident), email, electoral_declaration (must be true). 202: the signature "
        "counts once confirmed from the e-mailed link. 409 with field cin: this ID number "
        "has already signed; 409 without field: the petition is not collecting; 429: too "
        "many signatures from this network or e-mail provider (Retry-After, seconds)."
    ),
)
def signature_create(request: HttpRequest, petition_id: Id, payload: SignatureIn) -> Any:
    petition = selectors.petition_for_signing(petition_id)
    if petition is None:
        raise HttpError(404, _("Unknown petition."))
    data = SignatureInput(
        full_name=_text(payload.full_name),
        cin=_text(payload.cin),
        residence=_text(payload.residence_commune),
        interest=_text(payload.interest) or "resident",
        email=_text(payload.email),
        electoral_declaration=_flag(payload.electoral_declaration),
    )
    try:
        signature_submit(
            petition=petition,
            data=data,
            ip=client_ip(request),
            language=translation.get_language(),
            user_agent=request.headers.get("User-Agent", "")[:500],
        )
    except NotCollecting as exc:
        return api_error(409, exc.message)
    except ValidationError as exc:
        return Status(
            400, {"detail": validation_detail(exc, aliases={"residence": "residence_commune"})}
        )
    except RateLimited as exc:
        response = JsonResponse({"detail": [{"field": "", "message": exc.message}]}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except AlreadySigned as exc:
        return api_error(409, exc.message, "cin")
    return Status(
        202,
        {
            "status": SignatureStatus.PENDING,
            "detail": _(
                "Check your e-mail: your signature counts once you confirm it from the link "
                "we sent."
            ),
        },
    )


@router.post(
    "/signatures/confirm",
    response={200: ConfirmOut, 404: Any, 409: Any},
    summary="Confirm a signature with the token e-mailed to the signatory",
)
def signature_confirm_api(request: HttpRequest, payload: ConfirmIn) -> Any:
    try:
        signature = signature_confirm(token=_text(payload.token).strip())
    except NotCollecting as exc:
        return api_error(409, exc.message)
    if signature is None:
        raise HttpError(404, _("Unknown or expired confirmation link."))
    if signature.status == SignatureStatus.INVALIDATED:
        return api_error(409, _("This signature was invalidated by the council bureau."))
    return {"status": signature.status}


def _staff_petition(request: HttpRequest, petition_id: int) -> Petition:
    """The petition if the token's user is of its collectivity's petitions bureau; 404
    otherwise, not 403: another collectivity's petition is not confirmed."""
    return staff_case_or_404(
        request,
        Petition.objects.select_related("decision_deadline", "association_seat"),
        perm=Perm.PETITIONS_HANDLE,
        message=_("Unknown petition."),
        pk=petition_id,
    )


@staff_router.get(
    "/petitions/{petition_id}/stats",
    response={200: PetitionStatsOut, 404: Any},
    summary="Signature statistics of a petition, for its bureau",
)
def petition_stats(request: HttpRequest, petition_id: Id) -> Any:
    found = _staff_petition(request, petition_id)
    stats = selectors.signature_statistics(found)
    return {"petition": found.pk, **stats.__dict__}


class PetitionActionIn(Schema):
    """The body of a bureau's step: the fields of the page's form for it. Loosely typed,
    as the signing body: the services check each field and answer per field."""

    # accept, reject: the admissibility checklist (the association item is true for
    # citizens' petitions whatever is sent).
    competence: Scalar = None
    signatures: Scalar = None
    association: Scalar = None
    documents: Scalar = None
    note: Scalar = None  # accept (optional)
    # accept, below the threshold: true, with the reason (recorded in the history)
    confirm_below_threshold: Scalar = None
    below_threshold_reason: Scalar = None
    reasons: Scalar = None  # reject (required)
    session_date: Scalar = None  # schedule: YYYY-MM-DD
    session_title: Scalar = None  # schedule
    decision_ar: Scalar = None  # decide (Arabic and/or French)
    decision_fr: Scalar = None


class PetitionEventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str


class StaffPetitionOut(Schema):
    id: int
    reference: str | None
    title: str
    status: str
    channel: str
    petitioner_kind: str
    collectivity: str
    lodged_on: dt.date | None
    decision_due: dt.date | None
    threshold: int
    confirmed_signatures: int
    checklist: dict[str, bool]
    review_note: str
    session_date: dt.date | None
    session_title: str
    decision_ar: str
    decision_fr: str
    rejection_reasons: str
    agent_name: str
    agent_id_number_masked: str
    agent_email: str
    agent_phone: str
    agent_address: str
    association_name: str
    association_founded_on: dt.date | None
    association_seat: str | None
    events: list[PetitionEventOut]


def _staff(petition: Petition) -> dict[str, Any]:
    """The petition as its bureau sees it: the agent's ID number masked, no signatory."""
    return {
        "id": petition.pk,
        "reference": petition.reference or None,
        "title": petition.title,
        "status": petition.status,
        "channel": petition.channel,
        "petitioner_kind": petition.petitioner_kind,
        "collectivity": petition.collectivity.slug,
        "lodged_on": petition.lodged_on,
        "decision_due": petition.decision_due,
        "threshold": petition.threshold_at_lodging or selectors.threshold_for(petition).required,
        "confirmed_signatures": sum(selectors.counts_by_province_exact(petition).values()),
        "checklist": petition.checklist,
        "review_note": petition.review_note,
        "session_date": petition.session_date,
        "session_title": petition.session_title,
        "decision_ar": petition.decision_ar,
        "decision_fr": petition.decision_fr,
        "rejection_reasons": petition.rejection_reasons,
        "agent_name": petition.agent_name,
        "agent_id_number_masked": petition.agent_cin_masked,
        "agent_email": petition.agent_email,
        "agent_phone": petition.agent_phone,
        "agent_address": petition.agent_address,
        "association_name": petition.association_name,
        "association_founded_on": petition.association_founded_on,
        "association_seat": petition.association_seat.slug if petition.association_seat else None,
        "events": [
            {"at": e.at, "action": e.action, "from_state": e.from_state, "to_state": e.to_state}
            for e in selectors.petition_events(petition)
        ],
    }


def _checklist(data: PetitionActionIn) -> dict[str, bool]:
    return {key: _flag(getattr(data, key)) for key in CHECKLIST}


def _day(value: Scalar) -> dt.date | None:
    """An ISO date, or None (the service then asks for the date, on its field)."""
    try:
        return parse_date(_text(value).strip())
    except ValueError:
        return None


# URL segment → the service it calls (with the petition, the token's user and the body).
ACTION_CALLS: dict[str, ApiCall] = {
    "review": lambda found, user, data: services.petition_review_start(petition=found, actor=user),
    "accept": lambda found, user, data: services.petition_accept(
        petition=found,
        actor=user,
        checklist=_checklist(data),
        note=_text(data.note),
        confirm_below_threshold=_flag(data.confirm_below_threshold),
        below_threshold_reason=_text(data.below_threshold_reason),
    ),
    "reject": lambda found, user, data: services.petition_reject(
        petition=found, actor=user, reasons=_text(data.reasons), checklist=_checklist(data)
    ),
    "schedule": lambda found, user, data: services.petition_schedule(
        petition=found,
        actor=user,
        session_date=_day(data.session_date),
        session_title=_text(data.session_title),
    ),
    "decide": lambda found, user, data: services.petition_decide(
        petition=found,
        actor=user,
        decision_ar=_text(data.decision_ar),
        decision_fr=_text(data.decision_fr),
    ),
    "withdraw": lambda found, user, data: services.petition_withdraw(petition=found, actor=user),
}
ACTIONS = ApiActions(
    ACTION_CALLS,
    out=_staff,
    forbidden=gettext_lazy("Only the petitions bureau of the council takes this step."),
)
STAFF_ACTIONS = tuple(ACTION_CALLS)
ACTION_RESPONSES: dict[int, Any] = {200: StaffPetitionOut, 400: Any, 403: Any, 404: Any, 409: Any}


@staff_router.post(
    "/petitions/{petition_id}/{action}",
    response=ACTION_RESPONSES,
    summary="A step of the petitions bureau: " + ", ".join(STAFF_ACTIONS),
    description=(
        "Bodies (JSON; {} when there is nothing to give): review {}; accept {competence, "
        "signatures, association, documents: booleans, every one true, note; below the "
        "threshold also confirm_below_threshold: true and below_threshold_reason}; reject "
        "{reasons, and the checklist as for accept}; schedule {session_date: YYYY-MM-DD, "
        "session_title}; decide {decision_ar, decision_fr: at least one}; withdraw {} (at "
        "the agent's written request). 404 for another collectivity's petition; 409 when "
        "the petition's state does not allow the step; 400 with one message per field."
    ),
)
def petition_act(
    request: HttpRequest, petition_id: Id, action: str, payload: PetitionActionIn
) -> Any:
    return ACTIONS.act(request, _staff_petition(request, petition_id), action, payload)


@staff_router.post(
    "/petitions/{petition_id}/stats", response=ACTION_RESPONSES, include_in_schema=False
)
def petition_act_stats(request: HttpRequest, petition_id: Id, payload: PetitionActionIn) -> Any:
    """A POST to the statistics' address: an unknown step (404), as any other, where the
    statistics' route (GET only) would answer 405."""
    return petition_act(request, petition_id, "stats", payload)
