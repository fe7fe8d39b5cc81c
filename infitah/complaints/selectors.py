"""Reads of complaints: staff lists, likely duplicates, public statistics and answers."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from statistics import median

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from infitah.cases.selectors import case_events
from infitah.complaints.models import Category, Complaint, StateExplanation
from infitah.complaints.workflow import HANDLED, LINK_RENEWED, OPEN, Status
from infitah.ledger.models import Event
from infitah.search.analyzer import analyze
from infitah.territories.models import Collectivity

STAFF_FILTERS = {
    "open": Q(status__in=list(OPEN)),
    "unconfirmed": Q(status=Status.AWAITING_CONFIRMATION),
    "answered": Q(status__in=list(HANDLED)),
    "closed": Q(status__in=[Status.CLOSED, Status.MERGED, Status.LAPSED]),
    "all": Q(),
}
# How far back and how many recent complaints are compared to find duplicates.
DUPLICATE_WINDOW_DAYS = 180
DUPLICATE_CANDIDATES = 300
DUPLICATE_NEAR_METRES = 300
DUPLICATE_MIN_SCORE = 0.35


def category_list(*, collectivity: Collectivity, active_only: bool = True) -> list[Category]:
    qs = Category.objects.filter(collectivity=collectivity).select_related("service")
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs.order_by("name_fr", "pk"))


def explanations(*, collectivity: Collectivity) -> dict[str, str]:
    """The collectivity's own words for each state, in the active language."""
    return {
        e.status: e.text
        for e in StateExplanation.objects.filter(collectivity=collectivity)
        if e.text
    }


def staff_complaint_list(*, collectivity: Collectivity, state: str = "open") -> list[Complaint]:
    """Complaints of `collectivity` for its unit: open ones by the nearer clock (1 query)."""
    qs = (
        Complaint.objects.filter(collectivity=collectivity)
        .filter(STAFF_FILTERS.get(state, STAFF_FILTERS["open"]))
        .select_related("category", "service", "acknowledge_deadline", "answer_deadline")
    )
    if state == "open":
        # A complaint without a due date last, the same on SQLite and PostgreSQL.
        return list(
            qs.order_by(
                F("answer_deadline__due_date").asc(nulls_last=True),
                F("acknowledge_deadline__due_date").asc(nulls_last=True),
                "pk",
            )[:500]
        )
    return list(qs.order_by("-submitted_at", "-pk")[:500])


def staff_complaint_get(*, collectivity: Collectivity, reference: str) -> Complaint | None:
    if "\x00" in reference:
        return None
    return (
        Complaint.objects.filter(collectivity=collectivity, reference=reference)
        .select_related(
            "collectivity",
            "category",
            "service",
            "merged_into",
            "acknowledge_deadline",
            "answer_deadline",
        )
        .first()
    )


def complaint_messages(*, complaint: Complaint) -> list[object]:
    """The exchanges about a complaint, oldest first. Not `cases.selectors.case_messages`:
    a complaint's files come with the complaint, not with a message."""
    return list(complaint.messages.select_related("author"))


def complaint_events(*, complaint: Complaint, public: bool = False) -> list[Event]:
    """The complaint's history, oldest first; `public`: without the renewals of the
    citizen's secret link, which are no act of the collectivity's."""
    events = case_events(complaint)
    if public:
        renewed = f"complaints.{LINK_RENEWED}"
        events = [event for event in events if event.action != renewed]
    return events


def _distance_metres(a: Complaint, b: Complaint) -> float | None:
    values = [a.latitude, a.longitude, b.latitude, b.longitude]
    if any(v is None for v in values):
        return None
    lat1, lon1, lat2, lon2 = (math.radians(float(v or 0)) for v in values)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class Duplicate:
    complaint: Complaint
    score: float
    distance: float | None


def duplicate_list(*, complaint: Complaint, limit: int = 5) -> list[Duplicate]:
    """Likely duplicates: same category, received lately, similar words (the search
    analyzer's stems, Jaccard) and, when both give coordinates or an address, nearby.

    The score is the text similarity, raised for a nearby place or the same address; a
    place far away lowers it. Computed in Python over at most DUPLICATE_CANDIDATES
    recent complaints of the category (one query).
    """
    since = timezone.now() - timedelta(days=DUPLICATE_WINDOW_DAYS)
    candidates = (
        Complaint.objects.filter(
            Q(category_id=complaint.category_id)
            if complaint.category_id is not None
            else Q(category__isnull=True),
            collectivity_id=complaint.collectivity_id,
            submitted_at__gte=since,
            status__in=[*OPEN, *HANDLED],
        )
        .exclude(pk=complaint.pk)
        .only(
            "reference",
            "kind",
            "status",
            "description",
            "address",
            "latitude",
            "longitude",
            "submitted_at",
            "collectivity_id",
            "category_id",
        )
        .order_by("-submitted_at")[:DUPLICATE_CANDIDATES]
    )
    words = set(analyze(complaint.description))
    address = " ".join(analyze(complaint.address)) if complaint.address else ""
    found = []
    for other in candidates:
        others = set(analyze(other.description))
        union = words | others
        score = len(words & others) / len(union) if union else 0.0
        distance = _distance_metres(complaint, other)
        if distance is not None:
            score += 0.3 if distance <= DUPLICATE_NEAR_METRES else -0.3
        elif address and address == " ".join(analyze(other.address)):
            score += 0.3
        if score >= DUPLICATE_MIN_SCORE:
            found.append(Duplicate(complaint=other, score=round(score, 2), distance=distance))
    found.sort(key=lambda d: -d.score)
    return found[:limit]


@dataclass
class Statistics:
    received: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    acknowledged: int = 0
    acknowledged_on_time: int = 0
    answered: int = 0
    answered_on_time: int = 0
    median_days: float | None = None
    rated: int = 0
    satisfaction_average: float | None = None
    satisfied: int = 0
    reopened: int = 0
    outcomes: list[tuple[str, int]] = field(default_factory=list)


def statistics(*, collectivity: Collectivity) -> Statistics:
    """The public account of a collectivity's complaints (one query; no contact data)."""
    rows = (
        Complaint.objects.received()
        .filter(collectivity=collectivity)
        .values_list(
            "kind",
            "category__name_ar",
            "category__name_fr",
            "acknowledged_on",
            "is_acknowledged_late",
            "answered_on",
            "is_answered_late",
            "answer_days",
            "satisfaction",
            "reopen_count",
            "outcome",
        )
    )
    french = (get_language() or "ar").startswith("fr")
    stats = Statistics()
    kinds: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    days: list[int] = []
    ratings: list[int] = []
    for (
        kind,
        cat_ar,
        cat_fr,
        ack_on,
        ack_late,
        ans_on,
        ans_late,
        n,
        rating,
        reopens,
        outcome,
    ) in rows:
        stats.received += 1
        kinds[kind] += 1
        categories[(cat_fr or cat_ar if french else cat_ar or cat_fr) or ""] += 1
        if ack_on is not None:
            stats.acknowledged += 1
            stats.acknowledged_on_time += not ack_late
        if ans_on is not None:
            stats.answered += 1
            stats.answered_on_time += not ans_late
            if n is not None:
                days.append(n)
        if rating is not None:
            ratings.append(rating)
        if reopens:
            stats.reopened += 1
        if outcome:
            outcomes[outcome] += 1
    stats.by_kind = kinds.most_common()
    stats.by_category = categories.most_common()
    stats.outcomes = outcomes.most_common()
    stats.median_days = median(days) if days else None
    stats.rated = len(ratings)
    stats.satisfaction_average = round(sum(ratings) / len(ratings), 2) if ratings else None
    stats.satisfied = sum(1 for r in ratings if r >= 4)
    return stats


def published_answers(*, collectivity: Collectivity) -> QuerySet[Complaint]:
    """The anonymised public list: answered complaints the collectivity chose to publish.

    Only the type, category, dates, outcome and the answer written for the public; never
    the description (it may name people) nor any contact detail.
    """
    return (
        Complaint.objects.filter(
            # Publishing is on by default: a collectivity without settings publishes too.
            Q(collectivity__complaint_settings__publish_answered=True)
            | Q(collectivity__complaint_settings__isnull=True),
            collectivity=collectivity,
            is_published=True,
            status__in=[*HANDLED, Status.CLOSED],
        )
        .select_related("category")
        .only(
            "reference",
            "kind",
            "category__name_ar",
            "category__name_fr",
            "received_on",
            "answered_on",
            "outcome",
            "answer_text",
            "competent_body",
        )
        .order_by("-answered_on", "-pk")
    )


def public_complaint_get(*, reference: str) -> Complaint | None:
    """A complaint as the public API shows it: received (a merged one too, with its
    `merged_into`)."""
    if "\x00" in reference:
        return None
    return (
        Complaint.objects.received()
        .filter(reference=reference)
        .select_related("collectivity", "category", "acknowledge_deadline", "answer_deadline")
        .first()
    )
