"""Reads of Open311 GeoReport v2: jurisdictions, services, requests and their updates.

A jurisdiction is a collectivity of the network (`jurisdiction_id` = its slug); a service
is one of its complaint categories (`service_code` = the category's id, stable for ever)
or `general` (no category). A service request is a complaint once received (never one
awaiting its e-mail confirmation, nor a lapsed one), named by its reference. Nothing
personal is read out: no name, e-mail, phone, description, place or file (docs/open311.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.complaints.models import Category, Complaint, ComplaintSettings
from infitah.complaints.workflow import (
    EVENT_LABELS,
    HANDLED,
    LINK_RENEWED,
    OPEN,
    SUBMITTED,
    Kind,
    Outcome,
    Status,
)
from infitah.ledger.models import Event
from infitah.open311.models import SenderKey
from infitah.territories.models import Collectivity
from infitah.territories.models import Kind as CollectivityKind

GENERAL_CODE = "general"
KIND_ATTRIBUTE = "kind"
MAX_REQUESTS = 1000
WINDOW = dt.timedelta(days=90)
COMPLAINT_TYPE = Complaint._meta.label_lower
CLOSED = HANDLED | {Status.CLOSED, Status.MERGED}
# Not updates of a request: its creation (before it is public) and the citizen's new link.
_NOT_UPDATES = [f"complaints.{SUBMITTED}", f"complaints.{LINK_RENEWED}"]
# The mySociety extension's states (the FixMyStreet "additional states") of each event;
# any other event gives plain open or closed.
_UPDATE_STATES = {
    "complaints.route": "internal_referral",
    "complaints.ask_info": "investigating",
    "complaints.reply": "in_progress",
    "complaints.reopen": "reopen",
    "complaints.merge": "duplicate",
}
_ANSWER_STATES = {
    Outcome.POSITIVE: "fixed",
    Outcome.NEGATIVE: "no_further_action",
    Outcome.NOT_COMPETENT: "not_councils_responsibility",
}


class Open311Error(Exception):
    """A refusal to answer with a GeoReport error: an HTTP status and its reasons."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(status, descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def jurisdiction_list() -> QuerySet[Collectivity]:
    return Collectivity.objects.filter(is_network_member=True).exclude(
        kind=CollectivityKind.NETWORK
    )


def jurisdiction_get(value: str) -> Collectivity:
    """The collectivity `jurisdiction_id` names. It may be left out only while the
    network has one member; an unknown one is a 404, a missing one a 400."""
    value = value.strip()
    if not value:
        members = list(jurisdiction_list().order_by("pk")[:2])
        if len(members) == 1:
            return members[0]
        raise Open311Error(
            400,
            _("jurisdiction_id was not provided: give the slug of a collectivity of the network."),
        )
    found = None if "\x00" in value else jurisdiction_list().filter(slug=value).first()
    if found is None:
        raise Open311Error(
            404, _("jurisdiction_id not found: no collectivity of the network has this slug.")
        )
    return found


def service_code(category_id: int | None) -> str:
    return GENERAL_CODE if category_id is None else str(category_id)


def _category_id(code: str) -> int | None:
    code = code.strip()
    # Only the code as we write it: "001" is not service 1.
    if code.isascii() and code.isdigit() and len(code) <= 10 and code == str(int(code)):
        return int(code) if int(code) <= 2_147_483_647 else None
    return None


@dataclass(frozen=True)
class Service:
    code: str
    category: Category | None


def service_get(*, collectivity: Collectivity, code: str, active_only: bool = True) -> Service:
    """The service of `code` in `collectivity`, or Open311Error 404."""
    code = code.strip()
    if code == GENERAL_CODE:
        return Service(GENERAL_CODE, None)
    pk = _category_id(code)
    found = None
    if pk is not None:
        qs = Category.objects.filter(collectivity=collectivity, pk=pk)
        found = qs.filter(is_active=True).first() if active_only else qs.first()
    if found is None:
        raise Open311Error(404, _("service_code not found in this jurisdiction."))
    return Service(code, found)


def _general_name() -> str:
    return _("Other (no category)")


def _service(code: str, name: str, collectivity: Collectivity) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": name,
        "description": _("Complaints, observations and suggestions to %(name)s: %(category)s.")
        % {"name": collectivity.name, "category": name},
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(str(label) for label in Kind.labels),
        "group": str(_("Complaints")),
    }


def service_list(*, collectivity: Collectivity) -> list[dict[str, Any]]:
    """The collectivity's active categories, then `general` (one query)."""
    categories = Category.objects.filter(collectivity=collectivity, is_active=True).order_by(
        "name_fr", "pk"
    )
    services = [_service(str(c.pk), c.name, collectivity) for c in categories]
    services.append(_service(GENERAL_CODE, _general_name(), collectivity))
    return services


def service_definition(service: Service) -> dict[str, Any]:
    """One attribute: the kind of message (the form's first question), optional."""
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": KIND_ATTRIBUTE,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": _("complaint unless told otherwise"),
                "order": 1,
                "description": _("You send"),
                "values": [{"key": value, "name": str(label)} for value, label in Kind.choices],
            }
        ],
    }


@dataclass(frozen=True)
class RequestFilters:
    ids: list[str]
    codes: list[str]
    start: dt.datetime
    end: dt.datetime
    statuses: list[str]


def _last_update() -> Subquery:
    """The time of a complaint's latest public event (the ledger's object index)."""
    return Subquery(
        Event.objects.filter(object_type=COMPLAINT_TYPE, object_id=OuterRef("pk_text"))
        .exclude(action__in=_NOT_UPDATES)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def _requests(collectivity: Collectivity) -> QuerySet[Complaint]:
    return (
        Complaint.objects.received()
        .filter(collectivity=collectivity)
        .select_related("category", "answer_deadline")
        .annotate(pk_text=Cast("pk", CharField()))
        .annotate(last_update=_last_update())
    )


def request_list(*, collectivity: Collectivity, filters: RequestFilters) -> list[Complaint]:
    """At most MAX_REQUESTS requests, newest first (one query). Ids override the rest."""
    qs = _requests(collectivity)
    if filters.ids:
        qs = qs.filter(reference__in=filters.ids)
    else:
        qs = qs.filter(submitted_at__gte=filters.start, submitted_at__lte=filters.end)
        if filters.codes:
            condition = Q(pk__in=[])
            ids = [pk for pk in map(_category_id, filters.codes) if pk is not None]
            if ids:
                condition |= Q(category_id__in=ids)
            if GENERAL_CODE in filters.codes:
                condition |= Q(category__isnull=True)
            qs = qs.filter(condition)
        if filters.statuses and set(filters.statuses) != {"open", "closed"}:
            wanted = OPEN if filters.statuses == ["open"] else CLOSED
            qs = qs.filter(status__in=list(wanted))
    return list(qs.order_by("-submitted_at", "-pk")[:MAX_REQUESTS])


def request_get(*, collectivity: Collectivity, reference: str) -> Complaint | None:
    if "\x00" in reference:
        return None
    return _requests(collectivity).filter(reference=reference).first()


def publishes_answers(collectivity: Collectivity) -> bool:
    found = ComplaintSettings.objects.filter(collectivity=collectivity).first()
    return found.publish_answered if found is not None else True


def _w3(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _end_of(day: dt.date | None) -> str | None:
    if day is None:
        return None
    return _w3(timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59))))


def request_status(status: str) -> str:
    return "open" if status in OPEN else "closed"


def request_out(
    complaint: Complaint, *, collectivity: Collectivity, publish: bool
) -> dict[str, Any]:
    """One service request: never a contact detail, the description or the place (they
    may name people); the answer only when the collectivity published it."""
    notes = complaint.get_status_display()
    if publish and complaint.is_published and complaint.answer_text:
        notes = complaint.answer_text
    category = complaint.category
    return {
        "service_request_id": complaint.reference,
        "status": request_status(complaint.status),
        "status_notes": notes,
        "service_name": category.name if category is not None else _general_name(),
        "service_code": service_code(complaint.category_id),
        "description": None,
        "agency_responsible": collectivity.name,
        "service_notice": None,
        "requested_datetime": _w3(complaint.submitted_at),
        "updated_datetime": _w3(getattr(complaint, "last_update", None) or complaint.submitted_at),
        "expected_datetime": _end_of(complaint.answer_by) if complaint.is_open else None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _update_status(event: Event) -> str:
    if event.action in _UPDATE_STATES:
        return _UPDATE_STATES[event.action]
    if event.action == "complaints.answer":
        return _ANSWER_STATES.get((event.data or {}).get("outcome", ""), "closed")
    return request_status(event.to_state)


def update_list(
    *, collectivity: Collectivity, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """The public history events of the collectivity's requests within [start, end],
    oldest first, at most MAX_REQUESTS (two queries): the mySociety extension's
    `servicerequestupdates`. The text is the event's name, never a note or a message."""
    public = (
        Complaint.objects.received()
        .filter(collectivity=collectivity)
        .annotate(pk_text=Cast("pk", CharField()))
        .values("pk_text")
    )
    events = list(
        Event.objects.filter(
            object_type=COMPLAINT_TYPE,
            collectivity=collectivity,
            at__gte=start,
            at__lte=end,
            object_id__in=Subquery(public),
        )
        .exclude(action__in=_NOT_UPDATES)
        .only("pk", "at", "object_id", "action", "to_state", "data")
        .order_by("at", "pk")[:MAX_REQUESTS]
    )
    ids = {int(event.object_id) for event in events}
    references = (
        dict(Complaint.objects.filter(pk__in=ids).values_list("pk", "reference")) if ids else {}
    )
    return [
        {
            "update_id": str(event.pk),
            "service_request_id": references[int(event.object_id)],
            "status": _update_status(event),
            "updated_datetime": _w3(event.at),
            "description": str(EVENT_LABELS.get(event.action, "")),
            "media_url": None,
        }
        for event in events
    ]


def sender_key_list(*, collectivity: Collectivity) -> list[SenderKey]:
    return list(SenderKey.objects.filter(collectivity=collectivity).order_by("-created_at", "-pk"))
