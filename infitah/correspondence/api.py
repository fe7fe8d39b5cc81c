"""The correspondence register over the staff API (docs/correspondence.md, docs/api.md).

- `POST /staff/{slug}/register/entries`: register a letter → 201 with its number;
- `GET /staff/{slug}/register/entries?from=&to=&page=`: the entries, newest first.

A personal token (`Authorization: Bearer inf_…`) whose owner holds
`Perm.CORRESPONDENCE_REGISTER` in the collectivity; anyone else gets 404, as on the pages.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ninja import P, QueryEx, Router, Schema, Status
from ninja.errors import HttpError

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _

from infitah.accounts.api_auth import StaffToken
from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.correspondence import selectors, services
from infitah.correspondence.models import Entry
from infitah.lib.bounds import Id, whole_number
from infitah.lib.casework import validation_detail
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

router = Router(tags=["correspondence register (staff)"], auth=StaffToken())

PAGE_SIZE = 50
# The service's field names, as the API names them.
_API_FIELDS = {"service": "service_id"}


class CorrespondenceEntryIn(Schema):
    direction: str = ""
    correspondent: str = ""
    subject: str = ""
    channel: str = ""
    letter_date: dt.date | None = None
    summary: str = ""
    service_id: Id | None = None
    in_reply_to: str = ""


class CorrespondenceEntryOut(Schema):
    id: int
    number: str
    year: int
    sequence: int
    direction: str
    channel: str
    registered_at: dt.datetime
    letter_date: dt.date | None
    correspondent: str
    subject: str
    summary: str
    service_id: int | None
    service: str | None
    case_type: str
    case_reference: str
    in_reply_to: str | None
    has_attachment: bool


class CorrespondenceEntryList(Schema):
    count: int
    page: int
    pages: int
    items: list[CorrespondenceEntryOut]


def _out(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "number": entry.display_number,
        "year": entry.year,
        "sequence": entry.number,
        "direction": entry.direction,
        "channel": entry.channel,
        "registered_at": entry.registered_at,
        "letter_date": entry.letter_date,
        "correspondent": entry.correspondent,
        "subject": entry.subject,
        "summary": entry.summary,
        "service_id": entry.service_id,
        "service": entry.service.name if entry.service is not None else None,
        "case_type": entry.case_type,
        "case_reference": entry.case_reference,
        "in_reply_to": entry.in_reply_to.display_number if entry.in_reply_to else None,
        "has_attachment": bool(entry.attachment),
    }


def _collectivity(request: HttpRequest, slug: str) -> tuple[Collectivity, User]:
    user: User = request.auth  # type: ignore[attr-defined]
    collectivity = collectivity_get(slug=slug)
    # 404, not 403, where the token's owner may not register: existence is not confirmed.
    if collectivity is None or not has_perm(user, Perm.CORRESPONDENCE_REGISTER, collectivity):
        raise HttpError(404, _("Unknown collectivity."))
    return collectivity, user


@router.post(
    "/{slug}/register/entries",
    response={201: CorrespondenceEntryOut, 400: Any, 404: Any},
    summary="Register a letter in the correspondence register",
    description=(
        "direction: incoming|outgoing; channel: paper|email|platform|other; correspondent "
        "(sender or recipient) and subject: at most 300 characters; letter_date "
        "(YYYY-MM-DD, not in the future), summary, service_id (an active service unit of "
        "the collectivity) and in_reply_to (an entry number, 2026/000123) are optional. "
        "201 with the registration number; 400 with one message per field, nothing written."
    ),
)
def entry_register(request: HttpRequest, slug: str, payload: CorrespondenceEntryIn) -> Any:
    collectivity, user = _collectivity(request, slug)
    errors: list[dict[str, str]] = []
    service = None
    if payload.service_id is not None:
        service = selectors.service_unit_get(collectivity=collectivity, pk=payload.service_id)
        if service is None:
            errors.append(
                {"field": "service_id", "message": _("Choose a service of this collectivity.")}
            )
    in_reply_to = None
    if payload.in_reply_to:
        in_reply_to = selectors.entry_get_by_number(
            collectivity=collectivity, text=payload.in_reply_to
        )
        if in_reply_to is None:
            errors.append(
                {
                    "field": "in_reply_to",
                    "message": _("Give the number of an entry of this register."),
                }
            )
    if errors:
        return Status(400, {"detail": errors})
    try:
        entry = services.entry_register(
            collectivity=collectivity,
            actor=user,
            direction=payload.direction,
            correspondent=payload.correspondent,
            subject=payload.subject,
            channel=payload.channel,
            letter_date=payload.letter_date,
            summary=payload.summary,
            service=service,
            in_reply_to=in_reply_to,
        )
    except ValidationError as exc:
        return Status(400, {"detail": validation_detail(exc, aliases=_API_FIELDS)})
    return Status(201, _out(entry))


def _date(raw: str | None, name: str, errors: list[dict[str, str]]) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    errors.append({"field": name, "message": _("Give a date as YYYY-MM-DD, e.g. 2026-01-31.")})
    return None


@router.get(
    "/{slug}/register/entries",
    response={200: CorrespondenceEntryList, 400: Any, 404: Any},
    summary="Entries of the correspondence register, newest first",
    description=(
        "Optional from and to (YYYY-MM-DD, inclusive, local dates of registration) and "
        "page (from 1); 50 entries a page."
    ),
)
def entry_list(
    request: HttpRequest,
    slug: str,
    date_from: QueryEx[str | None, P(alias="from")] = None,  # "from" is a Python keyword
    date_to: QueryEx[str | None, P(alias="to")] = None,
    page: str | None = None,
) -> Any:
    collectivity, _user = _collectivity(request, slug)
    errors: list[dict[str, str]] = []
    start = _date(date_from, "from", errors)
    end = _date(date_to, "to", errors)
    if start is not None and end is not None and start > end:
        errors.append({"field": "to", "message": _("The end of the range comes before its start.")})
    page_number = 1
    if page not in (None, ""):
        parsed_page = whole_number(page, minimum=1)
        if parsed_page is None:
            errors.append({"field": "page", "message": _("Give a page number from 1.")})
        else:
            page_number = parsed_page
    if errors:
        return Status(400, {"detail": errors})
    rows = selectors.entry_list(collectivity=collectivity, start=start, end=end).select_related(
        "in_reply_to"
    )
    paginator = Paginator(rows, PAGE_SIZE)
    items = list(paginator.page(page_number)) if page_number <= paginator.num_pages else []
    return {
        "count": paginator.count,
        "page": page_number,
        "pages": paginator.num_pages,
        "items": [_out(e) for e in items],
    }
