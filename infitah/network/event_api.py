"""Event endpoints of the network API (mounted by network/api.py under /network).

- `GET /network/events?kind=&from=&to=&limit=&offset=`: published (and cancelled)
  events, latest first.
- `GET /network/events/{id}`: one, with its workshops and its documents' addresses.

Attendance is published as counts only, for past events whose attendance was marked:
`{attended, women, women_share, by_role}`; never a name or an address.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.lib.bounds import Count, Id
from infitah.lib.openapi import ErrorOut
from infitah.network import event_selectors as selectors
from infitah.network.event_services import registration_refusal
from infitah.network.models import Event, EventKind

router = Router(tags=["network"])

MAX_LIMIT = 200


class NetworkByRoleOut(Schema):
    focal_point: int
    elected: int
    staff: int
    advisory_body: int
    civil_society: int
    partner: int
    other: int


class NetworkAttendanceOut(Schema):
    attended: int
    women: int
    # women / attended, three decimals; null when nobody attended.
    women_share: float | None
    by_role: NetworkByRoleOut


class NetworkEventItemOut(Schema):
    id: int
    kind: str
    status: str
    title_ar: str
    title_fr: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place_ar: str
    place_fr: str
    parent: int | None
    url: str
    registrations: int
    attendance: NetworkAttendanceOut | None


class NetworkEventListOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[NetworkEventItemOut]


class NetworkEventDocumentOut(Schema):
    id: int
    kind: str
    title_ar: str
    title_fr: str
    url: str


class NetworkEventOut(NetworkEventItemOut):
    description_ar: str
    description_fr: str
    online_url: str
    capacity: int | None
    registration_open: bool
    registration_closes_at: dt.datetime | None
    report_ar: str | None
    report_fr: str | None
    report_published_at: dt.datetime | None
    workshops: list[NetworkEventItemOut]
    documents: list[NetworkEventDocumentOut]


class NetworkEventListQuery(Schema):
    kind: EventKind | None = None
    # Events ending on or after this day / starting on or before it.
    since: dt.date | None = Field(None, alias="from")
    until: dt.date | None = Field(None, alias="to")
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    offset: Count = 0


def _item(
    event: Event,
    *,
    registrations: dict[int, int],
    attendance: dict[int, selectors.Attendance],
    now: dt.datetime,
) -> dict[str, Any]:
    found = attendance.get(event.pk)
    shown = found is not None and found.marked and event.ends_at < now
    return {
        "id": event.pk,
        "kind": event.kind,
        "status": event.status,
        "title_ar": event.title_ar,
        "title_fr": event.title_fr,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place_ar": event.place_ar,
        "place_fr": event.place_fr,
        "parent": event.parent_id,
        "url": reverse("network:event", kwargs={"pk": event.pk}),
        "registrations": registrations.get(event.pk, 0),
        "attendance": (
            {
                "attended": found.attended,
                "women": found.women,
                "women_share": found.women_share,
                "by_role": found.by_role,
            }
            if shown and found is not None
            else None
        ),
    }


@router.get(
    "/events",
    response={200: NetworkEventListOut, 400: ErrorOut},
    url_name="network_events",
    summary="The network's events and trainings",
    description=(
        "Published events (status published or cancelled), latest first. kind: gathering, "
        "workshop, training or meeting; from / to: calendar days (events ending on or "
        "after `from`, starting on or before `to`); limit (1–200, default 50), offset. "
        "parent: the gathering a workshop belongs to. registrations: active "
        "registrations. attendance: counts of a past event whose attendance was marked "
        "(null otherwise): attended, women, women_share, by_role (per capacity)."
    ),
)
def event_list(request: HttpRequest, filters: Query[NetworkEventListQuery]) -> Any:
    qs = selectors.event_list_api(
        kind=filters.kind.value if filters.kind else None,
        since=filters.since,
        until=filters.until,
    )
    count = qs.count()
    events = list(qs[filters.offset : filters.offset + filters.limit]) if count else []
    ids = [e.pk for e in events]
    registrations = selectors.registration_counts(ids)
    attendance = selectors.attendance_of(ids)
    now = timezone.now()
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [
            _item(e, registrations=registrations, attendance=attendance, now=now) for e in events
        ],
    }


@router.get(
    "/events/{pk}",
    response={200: NetworkEventOut, 404: ErrorOut},
    url_name="network_event",
    summary="One event with its workshops and documents",
    description=(
        "report_*: null until the report is published. registration_open: whether "
        "registration is open now (published, open, before its closing time, not full). "
        "documents: each document's address on the site."
    ),
)
def event_get(request: HttpRequest, pk: Id) -> Any:
    event = selectors.event_get_public(pk=pk)
    if event is None:
        raise HttpError(404, _("Unknown event."))
    workshops = selectors.event_children_public(event=event)
    ids = [event.pk, *(w.pk for w in workshops)]
    registrations = selectors.registration_counts(ids)
    attendance = selectors.attendance_of(ids)
    now = timezone.now()
    published = event.report_published_at is not None
    return {
        **_item(event, registrations=registrations, attendance=attendance, now=now),
        "description_ar": event.description_ar,
        "description_fr": event.description_fr,
        "online_url": event.online_url,
        "capacity": event.capacity,
        "registration_open": registration_refusal(event, now=now) is None,
        "registration_closes_at": event.registration_closes_at,
        "report_ar": event.report_ar if published else None,
        "report_fr": event.report_fr if published else None,
        "report_published_at": event.report_published_at,
        "workshops": [
            _item(w, registrations=registrations, attendance=attendance, now=now) for w in workshops
        ],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "title_ar": d.title_ar,
                "title_fr": d.title_fr,
                "url": reverse("network:event-document", kwargs={"pk": event.pk, "doc_pk": d.pk}),
            }
            for d in selectors.event_documents(event=event)
        ],
    }
