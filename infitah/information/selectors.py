"""Reads of access-to-information requests: staff lists, the public register, statistics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.cases.selectors import case_events, case_messages
from infitah.deadlines.selectors import due_date_compute
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.workflow import LINK_RENEWED, NOT_PUBLIC, OPEN, Outcome, Status
from infitah.ledger.models import Event
from infitah.lib.pii import pii_decrypt
from infitah.territories.models import Collectivity


def information_settings_get(*, collectivity: Collectivity) -> InformationSettings | None:
    return InformationSettings.objects.filter(collectivity=collectivity).first()


def is_accepting(collectivity: Collectivity) -> bool:
    """Whether the collectivity receives requests on the platform (module registry hook)."""
    info = information_settings_get(collectivity=collectivity)
    return info is not None and info.is_accepting


def tracking_token(request: InformationRequest) -> str:
    """The requester's secret token, to put the tracking link in an e-mail."""
    return pii_decrypt(request.tracking_token_encrypted)


def complaint_window_end(request: InformationRequest) -> date | None:
    """Last day to complain to the head: `ati.internal_complaint` from the answer or from
    the expiry of the answer period (deemed refusal); None if no complaint is possible."""
    if request.status in {Status.REFUSED, Status.PARTIALLY_ANSWERED} and request.answered_on:
        return due_date_compute(start=request.answered_on, limit="ati.internal_complaint").due_date
    if request.is_deemed_refused() and request.due_date is not None:
        return due_date_compute(start=request.due_date, limit="ati.internal_complaint").due_date
    return None


def officer_list(*, collectivity: Collectivity) -> list[User]:
    """The designated information officers, published with the desk's contacts."""
    ids = Membership.objects.filter(
        collectivity=collectivity, role=Role.INFORMATION_OFFICER, user__is_active=True
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids).order_by("full_name", "pk"))


# ------------------------------------------------------------------------------ staff

STAFF_FILTERS = {
    "open": Q(status__in=list(OPEN)),
    "unconfirmed": Q(status=Status.AWAITING_CONFIRMATION),
    "complaints": Q(status=Status.INTERNAL_COMPLAINT),
    "closed": ~Q(status__in=[*OPEN, Status.AWAITING_CONFIRMATION, Status.INTERNAL_COMPLAINT]),
    "all": Q(),
}


def staff_request_list(
    *, collectivity: Collectivity, state: str = "open"
) -> list[InformationRequest]:
    """Requests of `collectivity` for its officers: open ones soonest due first (1 query)."""
    qs = (
        InformationRequest.objects.filter(collectivity=collectivity)
        .filter(STAFF_FILTERS.get(state, STAFF_FILTERS["open"]))
        .select_related("answer_deadline", "head_deadline")
    )
    if state == "complaints":
        return list(qs.order_by("head_deadline__due_date", "pk"))
    if state == "open":
        # A request without a due date (clarification under the "restart" clock) last,
        # the same on SQLite and PostgreSQL.
        return list(qs.order_by(F("answer_deadline__due_date").asc(nulls_last=True), "pk"))
    return list(qs.order_by("-submitted_at", "-pk")[:500])


def staff_request_get(*, collectivity: Collectivity, reference: str) -> InformationRequest | None:
    """A request of `collectivity` by reference; None for another collectivity's."""
    if "\x00" in reference:  # PostgreSQL refuses NUL in text
        return None
    return (
        InformationRequest.objects.filter(collectivity=collectivity, reference=reference)
        .select_related(
            "collectivity",
            "answer_document",
            "transferred_to__collectivity",
            "answer_deadline",
            "head_deadline",
        )
        .first()
    )


def staff_request_get_by_pk(*, collectivity: Collectivity, pk: int) -> InformationRequest | None:
    return InformationRequest.objects.filter(collectivity=collectivity, pk=pk).first()


def request_messages(*, request: InformationRequest) -> list[object]:
    return case_messages(request)


def request_events(*, request: InformationRequest, public: bool = False) -> list[Event]:
    """The request's history, oldest first; `public`: without the renewals of the
    requester's secret link, which are no act of the collectivity's."""
    events = case_events(request)
    if public:
        renewed = f"information.{LINK_RENEWED}"
        events = [event for event in events if event.action != renewed]
    return events


def same_requester_count(*, request: InformationRequest) -> int:
    """Other requests of the same person to this collectivity this year (keyed hash)."""
    return (
        InformationRequest.objects.filter(
            collectivity_id=request.collectivity_id,
            id_number_hash=request.id_number_hash,
            year=request.year,
        )
        .exclude(pk=request.pk)
        .count()
    )


# ---------------------------------------------------------------------- public register


def public_request_get(*, reference: str) -> InformationRequest | None:
    """A request on the public register (not unconfirmed or lapsed, not private)."""
    if "\x00" in reference:  # PostgreSQL refuses NUL in text
        return None
    return (
        InformationRequest.objects.public()
        .filter(reference=reference, is_private=False)
        .select_related(
            "collectivity", "answer_document", "transferred_to", "answer_deadline", "head_deadline"
        )
        .first()
    )


def register_list(
    *, collectivity: Collectivity | None = None, status: str = ""
) -> QuerySet[InformationRequest]:
    """The public register, newest first: a queryset for the paginator (1 query a page).

    A request its requester asked to keep private is not listed at all (the form promises
    to keep it off the register): not its reference, dates or status either. It still
    counts in `statistics`. The requester's identity is never selected.
    """
    qs = (
        InformationRequest.objects.public()
        .filter(is_private=False)
        .select_related("collectivity", "answer_deadline")
    )
    if collectivity is not None:
        qs = qs.filter(collectivity=collectivity)
    if status in Status.values and status not in NOT_PUBLIC:
        qs = qs.filter(status=status)
    return qs.only(
        "reference",
        "collectivity__slug",
        "collectivity__name_ar",
        "collectivity__name_fr",
        "subject",
        "status",
        "submitted_at",
        "received_on",
        "answer_deadline__due_date",
        "answered_on",
        "outcome",
        "is_answer_personal",
        "is_answered_late",
        "deemed_refused_on",
    ).order_by("-submitted_at", "-pk")


@dataclass
class Statistics:
    received: int = 0
    open: int = 0
    answered: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    deemed_refused: int = 0
    refused: int = 0
    partly_answered: int = 0
    transferred: int = 0
    complaints: int = 0
    refused_by_reason: list[tuple[str, int]] = field(default_factory=list)
    median_working_days: float | None = None


def statistics(
    *, collectivity: Collectivity | None = None, today: date | None = None
) -> Statistics:
    """Counts of the register (one query): received, on time, late, deemed refused…

    Private requests are counted (they are requests received), though not listed.

    "Deemed refused" counts requests that passed their due date without an answer, whether
    the officers answered later or not; derived from the dates, so it needs no sweep.
    """
    today = today or timezone.localdate()
    qs = InformationRequest.objects.public()
    if collectivity is not None:
        qs = qs.filter(collectivity=collectivity)
    rows = qs.values_list(
        "status",
        "answer_deadline__due_date",
        "answered_on",
        "is_answered_late",
        "deemed_refused_on",
        "answer_working_days",
        "refusal_reasons",
        "complaint_on",
        "outcome",
    )
    stats = Statistics()
    reasons: Counter[str] = Counter()
    durations: list[int] = []
    for status, due, answered_on, late, deemed_on, days, refusal, complaint_on, outcome in rows:
        stats.received += 1
        is_open = status in OPEN
        if is_open:
            stats.open += 1
        if deemed_on is not None or (is_open and due is not None and due < today):
            stats.deemed_refused += 1
        if answered_on is not None:
            stats.answered += 1
            if late:
                stats.answered_late += 1
            else:
                stats.answered_on_time += 1
            if days is not None:
                durations.append(days)
        if refusal:
            stats.refused += 1
            reasons.update(refusal)
        if outcome == Outcome.PARTLY_ANSWERED:
            stats.partly_answered += 1
        elif outcome == Outcome.TRANSFERRED:
            stats.transferred += 1
        if complaint_on is not None:
            stats.complaints += 1
    stats.refused_by_reason = reasons.most_common()
    stats.median_working_days = median(durations) if durations else None
    return stats


@dataclass(frozen=True)
class AppealStep:
    """One step of the way after the head's decision, with its dates when known."""

    code: str
    start: date | None
    end: date | None


def appeal_path(*, request: InformationRequest) -> list[AppealStep]:
    """Where the requester may go next, with the dates the calendar gives.

    The CDAI complaint runs from the head's decision, or from the expiry of the head's
    period; the court's period runs from the CDAI's decision or the expiry of its own
    period, which the platform cannot know: it is shown from the latest CDAI date.
    """
    if request.status == Status.COMPLAINT_DECIDED:
        head_end = request.complaint_decided_on
    elif request.status == Status.INTERNAL_COMPLAINT:
        # No decision yet: the way to the CDAI opens once the head's period has expired.
        due = request.complaint_due_date
        head_end = due if due is not None and due < timezone.localdate() else None
    else:
        head_end = None
    if head_end is None:
        return []
    cdai = due_date_compute(start=head_end, limit="ati.cdai_complaint").due_date
    decision = due_date_compute(start=cdai, limit="ati.cdai_decision").due_date
    court = due_date_compute(start=decision, limit="ati.court_appeal").due_date
    return [
        AppealStep(code="cdai_complaint", start=head_end, end=cdai),
        AppealStep(code="cdai_decision", start=cdai, end=decision),
        AppealStep(code="court_appeal", start=decision, end=court),
    ]
