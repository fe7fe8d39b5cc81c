"""Petitions over the API (docs/petitions.md, "API").

- `GET /c/{slug}/petitions`: the collectivity's public petitions (not drafts).
- `GET /petitions/{id}`: one petition, with its count and, for a region, the progress
  in each prefecture/province.
- `POST /petitions/{id}/signatures`: sign; 202 while the e-mail confirmation is
  awaited. 400 per field, 404 unknown, 409 already signed (field "cin") or not
  collecting, 429 with Retry-After.
- `POST /signatures/confirm`: confirm with the e-mailed token (idempotent).
- `GET /staff/petitions/{id}/stats`: the bureau's statistics (token).

No response ever carries an ID number, an e-mail address or an IP address, except the
staff statistics' top IP addresses, for the bureau of the petition's collectivity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from infitah.accounts.api_auth import StaffToken
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.lib.casework import validation_detail
from infitah.petitions import notify, selectors
from infitah.petitions.integrity import RateLimited, client_ip
from infitah.petitions.models import Petition
from infitah.petitions.signatures import (
    AlreadySigned,
    NotCollecting,
    SignatureInput,
    signature_confirm,
    signature_submit,
)
from infitah.petitions.workflow import SignatureStatus
from infitah.territories.selectors import collectivity_get

router = Router(tags=["petitions"])
staff_router = Router(tags=["petitions (staff)"], auth=StaffToken())

Scalar = str | int | float | bool | None
TRUE_TEXT = frozenset({"true", "1", "yes", "on"})


class ItemOut(Schema):
    id: int
    title: str
    status: str
    confirmed_signatures: int
    threshold: int
    url: str


class ListOut(Schema):
    count: int
    items: list[ItemOut]


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


class StatsOut(Schema):
    petition: int
    confirmed: int
    pending: int
    invalidated: int
    by_hour: list[tuple[dt.datetime, int]]
    by_domain: list[tuple[str, int]]
    by_commune: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_ip: list[tuple[str, int]]


def _error(status: int, message: str, field: str = "") -> Status[Any]:
    return Status(status, {"detail": [{"field": field, "message": message}]})


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
    response={200: ListOut, 404: Any},
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
    "/petitions/{int:petition_id}",
    response={200: PetitionOut, 404: Any},
    summary="One petition: its count, threshold and per-province progress",
)
def petition_get(request: HttpRequest, petition_id: int) -> Any:
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
        "reference": petition.reference or None,
    }


@router.post(
    "/petitions/{int:petition_id}/signatures",
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
def signature_create(request: HttpRequest, petition_id: int, payload: SignatureIn) -> Any:
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
        return _error(409, exc.message)
    except ValidationError as exc:
        return Status(
            400, {"detail": validation_detail(exc, aliases={"residence": "residence_commune"})}
        )
    except RateLimited as exc:
        response = JsonResponse({"detail": [{"field": "", "message": exc.message}]}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except AlreadySigned as exc:
        return _error(409, exc.message, "cin")
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
        return _error(409, exc.message)
    if signature is None:
        raise HttpError(404, _("Unknown or expired confirmation link."))
    if signature.status == SignatureStatus.INVALIDATED:
        return _error(409, _("This signature was invalidated by the council bureau."))
    return {"status": signature.status}


@staff_router.get(
    "/petitions/{int:petition_id}/stats",
    response={200: StatsOut, 404: Any},
    summary="Signature statistics of a petition, for its bureau",
)
def petition_stats(request: HttpRequest, petition_id: int) -> Any:
    user: User = request.auth  # type: ignore[attr-defined]
    found = (
        Petition.objects.select_related("collectivity").filter(pk=petition_id).first()
        if 0 < petition_id < 2**31
        else None
    )
    # 404, not 403, for another collectivity's petition: its existence is not confirmed.
    if found is None or not has_perm(user, Perm.PETITIONS_HANDLE, found.collectivity):
        raise HttpError(404, _("Unknown petition."))
    stats = selectors.signature_statistics(found)
    return {"petition": found.pk, **stats.__dict__}
