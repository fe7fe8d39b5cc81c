"""The items of the openness index, each computed for many collectivities at once.

Every `compute_<item>(*, collectivity_ids, today, kinds=None)` reads its facts with a
fixed number of grouped queries (never one per collectivity) and answers, for each
collectivity asked (`None`: every collectivity of the tree), an `ItemResult` (`kinds`:
the kind of each collectivity asked, when the caller has read them already):

- `fraction`: 0–1, how far the collectivity meets the item; None when there is no case
  to judge (no request, complaint or petition due): the item then counts for nothing,
  neither for nor against (docs/openness.md);
- `evidence`: what was counted (JSON numbers, strings and lists of codes), always with
  `records`, the number of facts the item looked at (0: the platform holds nothing);
- `advice`: codes of what would gain points (`ADVICE` gives their text).

Legal periods are read from the cases' own deadlines (`Deadline` rows) and from
`LegalLimit`; the constants below are the method's own choices (targets and shares),
published in docs/openness.md, not legal figures.

Every item reads the data as it stood at the end of `today`, so that a past month is
computed as it would have been on its last day: a fact dated after `today` (a request
received or answered, a document published or withdrawn, a dataset created, a session
cancelled, a rating given...) is treated as not yet happened: a request answered later
is still open at `today` (and deemed refused if past due), a document published later
does not exist yet, a document withdrawn later is still published. Where the platform
keeps only the latest value of a fact that changed after `today` (a dataset's or a
programme page's last change), the latest trace before it stands in (a resource's, a
progress report's, the creation).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from statistics import median
from typing import Any, NamedTuple, TypeVar

from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from infitah.advisory.models import Referral
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.complaints.models import Complaint
from infitah.complaints.workflow import Action as ComplaintAction
from infitah.council.models import Minutes, MinutesStatus, Session
from infitah.council.workflow import Status as SessionStatus
from infitah.deadlines.models import DeadlineStatus, LegalLimit
from infitah.deadlines.workdays import add_months
from infitah.finance.models import BudgetVersion, KeyDocumentLink
from infitah.finance.workflow import KeyDocument, Phase
from infitah.information.models import InformationRequest
from infitah.information.workflow import OPEN as INFORMATION_OPEN
from infitah.ledger.models import Event
from infitah.opendata.models import Dataset, Frequency, Resource
from infitah.openness.models import ITEMS
from infitah.openplan.models import Commitment, Milestone, Programme, ProgressReport, Version
from infitah.openplan.public_selectors import stale_after
from infitah.openplan.workflow import Status as ProgrammeStatus
from infitah.participation.consultations.models import Consultation
from infitah.participation.labs.models import Lab
from infitah.participation.surveys.models import Status as SurveyStatus
from infitah.participation.surveys.models import Survey
from infitah.petitions.models import Petition
from infitah.publication.models import Category, Document
from infitah.publication.selectors import (
    OPEN_FORMATS,
    POINTS_COMPLETE,
    POINTS_CURRENT,
    POINTS_MAX,
    POINTS_OPEN,
)
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

Ids = Sequence[int] | None
# The kind of each collectivity computed, when the caller has read it already (saves each
# item its query).
Kinds = Mapping[int, str]


class ItemResult(NamedTuple):
    fraction: float | None
    evidence: dict[str, Any]
    advice: list[str]


Compute = Callable[..., dict[int, ItemResult]]

# How far back the items look (the trailing twelve months, in calendar months).
WINDOW_MONTHS = 12

# Access to information: the shares of the fraction (on time, median delay, no deemed
# refusal).
INFORMATION_SHARES = (0.6, 0.2, 0.2)
# Complaints: acknowledged on time, answered on time, satisfaction (dropped, and the
# others scaled up, while no answer was rated).
COMPLAINT_SHARES = (0.3, 0.5, 0.2)
# Participation: consultations held, syntheses published, labs and surveys held; the
# targets of a year that earn the whole share.
PARTICIPATION_SHARES = (0.4, 0.3, 0.3)
CONSULTATIONS_TARGET = 2
LABS_SURVEYS_TARGET = 2
# Council: agendas in time, decisions published, signed minutes, opinions answered (a
# part with nothing to judge drops out and the others are scaled up).
COUNCIL_SHARES = {"agendas": 0.35, "decisions": 0.3, "minutes": 0.2, "opinions": 0.15}
# Opening programme: adopted, commitments on track, public page up to date.
PROGRAMME_SHARES = (0.4, 0.4, 0.2)
# Budget: the eight key documents, the execution.
BUDGET_SHARES = (0.8, 0.2)
# Open data: at least one dataset, the share of current datasets.
OPENDATA_SHARES = (0.2, 0.8)
# A dataset is current when it changed within this many days for its declared
# frequency; continuously updated (generated from the live registers) and irregular
# datasets are always current.
FREQUENCY_MAX_AGE_DAYS: dict[str, int | None] = {
    Frequency.CONTINUOUS: None,
    Frequency.DAILY: 1,
    Frequency.WEEKLY: 7,
    Frequency.MONTHLY: 31,
    Frequency.QUARTERLY: 92,
    Frequency.ANNUAL: 366,
    Frequency.IRREGULAR: None,
}

# What gains points, by advice code (stable: the pages and the API name them).
ADVICE: dict[str, Promise] = {
    "publication.publish_missing": _(
        "Publish a document in every category of the catalogue that applies to you."
    ),
    "publication.update_out_of_date": _("Publish a newer document in the out-of-date categories."),
    "publication.declare_complete": _("Publish complete documents and declare them complete."),
    "publication.use_open_formats": _("Publish in open formats (CSV, ODS, ODT, XLSX)."),
    "information.answer_on_time": _("Answer every information request within the legal period."),
    "information.answer_faster": _("Answer information requests sooner."),
    "information.avoid_deemed_refusals": _(
        "Leave no request without an answer at the end of its period (a deemed refusal)."
    ),
    "complaints.acknowledge_on_time": _("Acknowledge every complaint within the legal period."),
    "complaints.answer_on_time": _("Answer every complaint within the legal period."),
    "complaints.improve_satisfaction": _(
        "Improve the answers: complainants rate them below the top mark."
    ),
    "petitions.decide_on_time": _("Decide on every petition within its legal period."),
    "participation.hold_consultations": _("Hold public consultations on your drafts."),
    "participation.publish_syntheses": _("Publish the synthesis of every closed consultation."),
    "participation.hold_labs_or_surveys": _("Ask the public through labs or surveys."),
    "council.hold_sessions": _("Record the council's sessions on the platform."),
    "council.publish_agendas_on_time": _("Publish every agenda before the legal notice."),
    "council.publish_decisions": _("Publish the decisions of every session held."),
    "council.publish_signed_minutes": _("Sign and publish the minutes of every session."),
    "council.answer_opinions": _("Answer the advisory bodies' opinions within the period."),
    "programme.adopt": _("Adopt an opening programme."),
    "programme.keep_on_track": _("Keep the commitments' milestones on schedule."),
    "programme.update_page": _("Update the programme's public page (a progress report)."),
    "budget.publish_key_documents": _("Publish the eight key budget documents."),
    "budget.publish_execution": _("Publish the budget's execution."),
    "opendata.publish_dataset": _("Publish at least one dataset."),
    "opendata.update_datasets": _("Update your datasets as often as they promise."),
}


# --------------------------------------------------------------------------- helpers

M = TypeVar("M", bound=Model)


def kinds_get(collectivity_ids: Ids) -> dict[int, str]:
    """The kind of every collectivity asked (every one of the tree for None, never the
    network's own space): one query."""
    qs = Collectivity.objects.territorial().order_by()
    if collectivity_ids is not None:
        qs = qs.filter(pk__in=list(collectivity_ids))
    return dict(qs.values_list("pk", "kind"))


def _scoped(qs: QuerySet[M], field: str, collectivity_ids: Ids) -> QuerySet[M]:
    """`qs` for the collectivities asked, unordered (the items group in Python)."""
    qs = qs.order_by()
    if collectivity_ids is None:
        return qs
    return qs.filter(**{f"{field}__in": list(collectivity_ids)})


def window_start(today: dt.date) -> dt.date:
    """The first day the items look at: twelve calendar months before `today`."""
    return add_months(today, -WINDOW_MONTHS)


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_end(day: dt.date) -> dt.datetime:
    """Midnight at the end of `day`: a moment before it happened by `day`."""
    return day_start(day + dt.timedelta(days=1))


def _by(day: dt.date | None, today: dt.date) -> bool:
    """Whether a dated fact had happened by `today` (None: it never happened)."""
    return day is not None and day <= today


def _after(moment: dt.datetime | None, today: dt.date) -> bool:
    """Whether `moment` (the closing of a period, of a case) came after `today`; None (not
    closed, or when unknown) is not after."""
    return moment is not None and timezone.localdate(moment) > today


def _is_overdue(
    status: str | None,
    closed_at: dt.datetime | None,
    due: dt.date | None,
    done_on: dt.date | None,
    today: dt.date,
) -> bool:
    """Whether a case's period (a `Deadline`: its status, closing time and due date) was
    still running at `today` past its due date: open now, or met or cancelled only after
    `today`. `done_on`: the day the case met it, the caller having found it after `today`
    (None: not met)."""
    if due is None or due >= today:
        return False
    return status == DeadlineStatus.OPEN or done_on is not None or _after(closed_at, today)


def published_as_of(end: dt.datetime, prefix: str = "") -> Q:
    """The documents (`prefix`: the path to them) published at `end`: published before
    it, and neither withdrawn nor superseded by then. A withdrawal whose time is unknown
    counts as done."""
    return Q(**{f"{prefix}published_at__lt": end}) & (
        Q(**{f"{prefix}status": DocumentStatus.PUBLISHED})
        | Q(**{f"{prefix}status": DocumentStatus.WITHDRAWN, f"{prefix}withdrawn_at__gte": end})
        | Q(
            **{
                f"{prefix}status": DocumentStatus.SUPERSEDED,
                f"{prefix}superseded_by__published_at__gte": end,
            }
        )
    )


def _fraction(value: float) -> float:
    """Clamped to 0–1 and rounded to 4 decimals: the same data gives the same JSON."""
    return round(min(max(value, 0.0), 1.0), 4)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _weighted(parts: Iterable[tuple[float, float | None]]) -> float | None:
    """The weighted mean of the parts that could be judged (value not None)."""
    judged = [(weight, value) for weight, value in parts if value is not None]
    total = sum(weight for weight, _value in judged)
    if not total:
        return None
    return sum(weight * value for weight, value in judged) / total


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else timezone.localdate(moment)


def _limit_duration(code: str) -> int | None:
    return LegalLimit.objects.filter(code=code).values_list("duration", flat=True).first()


# --------------------------------------------------------------------------- publication


def compute_publication(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """The proactive-publication catalogue as the compliance page reads it
    (`publication.selectors.compliance_get`), for many collectivities: for each active
    category applying to the kind, the latest published document (by reference date) earns
    10 points if current, +3 if declared complete, +3 in an open format; the documents
    are those published at `today` (`published_as_of`). Three queries. None when no
    category applies to the kind."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    categories = list(Category.objects.scored().order_by("order", "code"))
    by_kind = {
        kind: [c for c in categories if kind in c.applies_to] for kind in set(kinds.values())
    }
    max_age = {c.pk: c.max_age_days for c in categories}
    # (collectivity, category) → (reference date, pk, is_complete, file_type)
    latest: dict[tuple[int, int], tuple[dt.date, int, bool, str]] = {}
    rows = _scoped(
        Document.objects.filter(
            published_as_of(day_end(today)), category_id__in=[c.pk for c in categories]
        ),
        "collectivity_id",
        collectivity_ids,
    ).values_list(
        "collectivity_id", "category_id", "pk", "date", "period_end", "is_complete", "file_type"
    )
    for collectivity_id, category_id, pk, date, period_end, is_complete, file_type in rows:
        reference = period_end if period_end and period_end > date else date
        key = (collectivity_id, category_id)
        known = latest.get(key)
        if known is None or (reference, pk) > (known[0], known[1]):
            latest[key] = (reference, pk, is_complete, file_type)
    results: dict[int, ItemResult] = {}
    for collectivity_id, kind in kinds.items():
        applicable = by_kind[kind]
        if not applicable:
            results[collectivity_id] = ItemResult(None, {"records": 0, "categories": 0}, [])
            continue
        points = published = current = complete = open_ = 0
        missing: list[str] = []
        out_of_date: list[str] = []
        for category in applicable:
            found = latest.get((collectivity_id, category.pk))
            if found is None:
                missing.append(category.code)
                continue
            published += 1
            age = max_age[category.pk]
            if age is None or (today - found[0]).days <= age:
                current += 1
                points += POINTS_CURRENT
            else:
                out_of_date.append(category.code)
            if found[2]:
                complete += 1
                points += POINTS_COMPLETE
            if found[3] in OPEN_FORMATS:
                open_ += 1
                points += POINTS_OPEN
        max_points = POINTS_MAX * len(applicable)
        advice = []
        if missing:
            advice.append("publication.publish_missing")
        if out_of_date:
            advice.append("publication.update_out_of_date")
        if complete < published:
            advice.append("publication.declare_complete")
        if open_ < published:
            advice.append("publication.use_open_formats")
        results[collectivity_id] = ItemResult(
            _fraction(points / max_points),
            {
                "records": published,
                "categories": len(applicable),
                "published": published,
                "current": current,
                "complete": complete,
                "open": open_,
                "points": points,
                "max_points": max_points,
                "missing": missing,
                "out_of_date": out_of_date,
            },
            advice,
        )
    return results


# --------------------------------------------------------------------------- information


def compute_information(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """Access-to-information requests received in the last twelve months, as the public
    statistics count them (`information.selectors.statistics`): answered on time among
    those answered or deemed refused, the median delay in working days against the legal
    period (`ati.answer`), the share of deemed refusals (no answer by the due date).
    As at `today`: a request answered (or refused, transferred) after it is still open,
    one withdrawn after it too. Two queries. None when no request was answered or deemed
    refused."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    legal_days = _limit_duration("ati.answer")
    since = window_start(today)
    rows = _scoped(
        InformationRequest.objects.public().filter(received_on__gte=since, received_on__lte=today),
        "collectivity_id",
        collectivity_ids,
    ).values_list(
        "collectivity_id",
        "status",
        "answer_deadline__due_date",
        "answer_deadline__closed_at",
        "answered_on",
        "is_answered_late",
        "deemed_refused_on",
        "answer_working_days",
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # received, judged…
    durations: dict[int, list[int]] = defaultdict(list)
    for (
        collectivity_id,
        status,
        due,
        closed_at,
        answered_on,
        late,
        deemed_on,
        working_days,
    ) in rows:
        count = counts[collectivity_id]
        count[0] += 1
        answered = _by(answered_on, today)
        # Open at `today`: open now, or closed (answered, withdrawn) only after it.
        is_open = not answered and (
            status in INFORMATION_OPEN or answered_on is not None or _after(closed_at, today)
        )
        is_deemed = _by(deemed_on, today) or (is_open and due is not None and due < today)
        if answered or is_deemed:
            count[1] += 1
        if answered and not late:
            count[2] += 1
        if is_deemed:
            count[3] += 1
        if answered and working_days is not None:
            durations[collectivity_id].append(working_days)
    results: dict[int, ItemResult] = {}
    on_time_w, delay_w, deemed_w = INFORMATION_SHARES
    for collectivity_id in kinds:
        received, judged, on_time, deemed = counts.get(collectivity_id, (0, 0, 0, 0))
        days = durations.get(collectivity_id, [])
        delay = float(median(days)) if days else None
        evidence: dict[str, Any] = {
            "records": received,
            "received": received,
            "judged": judged,
            "answered_on_time": on_time,
            "deemed_refused": deemed,
            "median_working_days": delay,
            "legal_limit_days": legal_days,
        }
        if not judged:
            results[collectivity_id] = ItemResult(None, evidence, [])
            continue
        delay_part = max(0.0, 1 - delay / legal_days) if delay is not None and legal_days else 0.0
        value = (
            on_time_w * on_time / judged + delay_w * delay_part + deemed_w * (1 - deemed / judged)
        )
        advice = []
        if on_time < judged:
            advice.append("information.answer_on_time")
        if delay_part < 1:
            advice.append("information.answer_faster")
        if deemed:
            advice.append("information.avoid_deemed_refusals")
        results[collectivity_id] = ItemResult(_fraction(value), evidence, advice)
    return results


# --------------------------------------------------------------------------- complaints


def compute_complaints(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """Complaints received in the last twelve months (decree 2.17.265): acknowledged
    within `complaint.acknowledge`, answered within `complaint.answer` (each judged once
    done or once its period has passed unmet), and the citizens' satisfaction (the mean
    rating out of 5), as `complaints.selectors.statistics` counts them. As at `today`:
    an acknowledgement or answer after it is not yet given (its period then judged
    unmet once passed), a merger after it not yet made, a rating given after it (the
    case history dates it: the model keeps none) not yet given. Three queries. None when
    no complaint could be judged yet."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    since = window_start(today)
    rows = _scoped(
        Complaint.objects.received().filter(received_on__gte=since, received_on__lte=today),
        "collectivity_id",
        collectivity_ids,
    ).values_list(
        "pk",
        "collectivity_id",
        "acknowledged_on",
        "is_acknowledged_late",
        "acknowledge_deadline__due_date",
        "acknowledge_deadline__status",
        "acknowledge_deadline__closed_at",
        "answered_on",
        "is_answered_late",
        "answer_deadline__due_date",
        "answer_deadline__status",
        "answer_deadline__closed_at",
        "satisfaction",
    )
    # The ratings given after `today` (read by the index on the events' time: few rows).
    rated_later = {
        int(object_id)
        for object_id in _scoped(
            Event.objects.filter(
                at__gte=day_end(today),
                object_type=Complaint._meta.label_lower,
                action=f"complaints.{ComplaintAction.RATE}",
            ),
            "collectivity_id",
            collectivity_ids,
        ).values_list("object_id", flat=True)
        if object_id.isdigit()
    }
    # received, ack judged, ack on time, answer judged, answer on time
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    ratings: dict[int, list[int]] = defaultdict(list)
    for (
        pk,
        collectivity_id,
        ack_on,
        ack_late,
        ack_due,
        ack_status,
        ack_closed,
        ans_on,
        ans_late,
        ans_due,
        ans_status,
        ans_closed,
        rating,
    ) in rows:
        count = counts[collectivity_id]
        count[0] += 1
        if _by(ack_on, today):
            count[1] += 1
            count[2] += not ack_late
        elif _is_overdue(ack_status, ack_closed, ack_due, ack_on, today):
            count[1] += 1
        if _by(ans_on, today):
            count[3] += 1
            count[4] += not ans_late
            if rating is not None and pk not in rated_later:
                ratings[collectivity_id].append(rating)
        elif _is_overdue(ans_status, ans_closed, ans_due, ans_on, today):
            count[3] += 1
    results: dict[int, ItemResult] = {}
    ack_w, ans_w, sat_w = COMPLAINT_SHARES
    for collectivity_id in kinds:
        received, ack_judged, ack_on_time, ans_judged, ans_on_time = counts.get(
            collectivity_id, (0, 0, 0, 0, 0)
        )
        rated = ratings.get(collectivity_id, [])
        satisfaction = round(sum(rated) / len(rated), 2) if rated else None
        ack_share = _share(ack_on_time, ack_judged)
        ans_share = _share(ans_on_time, ans_judged)
        evidence: dict[str, Any] = {
            "records": received,
            "received": received,
            "acknowledgements_judged": ack_judged,
            "acknowledged_on_time": ack_on_time,
            "answers_judged": ans_judged,
            "answered_on_time": ans_on_time,
            "rated": len(rated),
            "satisfaction_average": satisfaction,
        }
        value = _weighted(
            [
                (ack_w, ack_share),
                (ans_w, ans_share),
                (sat_w, satisfaction / 5 if satisfaction is not None else None),
            ]
        )
        if ack_share is None and ans_share is None:
            results[collectivity_id] = ItemResult(None, evidence, [])
            continue
        advice = []
        if ack_on_time < ack_judged:
            advice.append("complaints.acknowledge_on_time")
        if ans_on_time < ans_judged:
            advice.append("complaints.answer_on_time")
        if satisfaction is not None and satisfaction < 5:
            advice.append("complaints.improve_satisfaction")
        results[collectivity_id] = ItemResult(_fraction(value or 0.0), evidence, advice)
    return results


# --------------------------------------------------------------------------- petitions


def compute_petitions(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """Petitions lodged in the last twelve months, and older ones still waiting past
    their period: decided (or rejected) within their decision period
    (`petition.decision.<level>`, the petition's Deadline). A petition is judged once
    decided or once its period has passed. As at `today`: a decision or a withdrawal
    after it is not yet made. Two queries. None when none could be judged."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    since = window_start(today)
    end = day_end(today)
    # Older petitions only while still waiting at `today` past their period: the query
    # takes those that may be (waiting now, or closed after `today`); the loop decides.
    waiting = Q(decision_deadline__due_date__lt=today) & (
        Q(decision_deadline__status=DeadlineStatus.OPEN)
        | Q(decision_deadline__closed_at__gte=end)
        | Q(decided_on__gt=today)
        | Q(rejected_on__gt=today)
        | Q(withdrawn_on__gt=today)
    )
    rows = _scoped(
        Petition.objects.filter(decision_deadline__isnull=False, lodged_on__lte=today).filter(
            Q(lodged_on__gte=since) | waiting
        ),
        "collectivity_id",
        collectivity_ids,
    ).values_list(
        "collectivity_id",
        "lodged_on",
        "decided_on",
        "rejected_on",
        "withdrawn_on",
        "decision_deadline__due_date",
        "decision_deadline__status",
        "decision_deadline__closed_at",
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # lodged, judged, on time
    for (
        collectivity_id,
        lodged_on,
        decided_on,
        rejected_on,
        withdrawn_on,
        due,
        status,
        closed_at,
    ) in rows:
        decision = decided_on or rejected_on
        is_decided = _by(decision, today)
        # Neither decided nor withdrawn by `today`: any date of theirs is after it.
        is_overdue = (
            not is_decided
            and not _by(withdrawn_on, today)
            and _is_overdue(status, closed_at, due, decision or withdrawn_on, today)
        )
        if (lodged_on is None or lodged_on < since) and not is_overdue:
            continue
        count = counts[collectivity_id]
        count[0] += 1
        if decision is not None and is_decided:
            count[1] += 1
            count[2] += decision <= due
        elif is_overdue:
            count[1] += 1
    results: dict[int, ItemResult] = {}
    for collectivity_id in kinds:
        lodged, judged, on_time = counts.get(collectivity_id, (0, 0, 0))
        evidence: dict[str, Any] = {
            "records": lodged,
            "lodged": lodged,
            "judged": judged,
            "decided_on_time": on_time,
        }
        share = _share(on_time, judged)
        if share is None:
            results[collectivity_id] = ItemResult(None, evidence, [])
            continue
        advice = ["petitions.decide_on_time"] if on_time < judged else []
        results[collectivity_id] = ItemResult(_fraction(share), evidence, advice)
    return results


# --------------------------------------------------------------------------- participation


def compute_participation(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """Participation in the last twelve months: consultations opened (up to
    CONSULTATIONS_TARGET), the synthesis published for those that closed, labs and
    published surveys opened (up to LABS_SURVEYS_TARGET together). As at `today`: what
    opens, closes, or is published after it has not happened yet. Four queries. 0 when
    nothing was held."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    start, end = day_start(window_start(today)), day_start(today + dt.timedelta(days=1))
    seen: dict[int, int] = defaultdict(int)
    held: dict[int, int] = defaultdict(int)
    closed: dict[int, int] = defaultdict(int)
    syntheses: dict[int, int] = defaultdict(int)
    consultations = _scoped(
        Consultation.objects.filter(
            Q(opens_at__gte=start, opens_at__lt=end) | Q(closes_at__gte=start, closes_at__lt=end)
        ),
        "collectivity_id",
        collectivity_ids,
    ).values_list("collectivity_id", "opens_at", "closes_at", "synthesis_published_at")
    for collectivity_id, opens_at, closes_at, synthesis_at in consultations:
        seen[collectivity_id] += 1
        if start <= opens_at < end:
            held[collectivity_id] += 1
        if start <= closes_at < end:
            closed[collectivity_id] += 1
            syntheses[collectivity_id] += synthesis_at is not None and synthesis_at < end
    asked: dict[int, int] = defaultdict(int)
    for collectivity_id in _scoped(
        Lab.objects.filter(opens_at__gte=start, opens_at__lt=end),
        "collectivity_id",
        collectivity_ids,
    ).values_list("collectivity_id", flat=True):
        asked[collectivity_id] += 1
    labs = dict(asked)
    for collectivity_id in _scoped(
        Survey.objects.filter(
            Q(published_at__isnull=True) | Q(published_at__lt=end),
            status=SurveyStatus.PUBLISHED,
            opens_at__gte=start,
            opens_at__lt=end,
        ),
        "collectivity_id",
        collectivity_ids,
    ).values_list("collectivity_id", flat=True):
        asked[collectivity_id] += 1
    results: dict[int, ItemResult] = {}
    held_w, synthesis_w, asked_w = PARTICIPATION_SHARES
    for collectivity_id in kinds:
        n_held, n_closed = held.get(collectivity_id, 0), closed.get(collectivity_id, 0)
        n_syntheses, n_asked = syntheses.get(collectivity_id, 0), asked.get(collectivity_id, 0)
        n_labs = labs.get(collectivity_id, 0)
        value = (
            held_w * min(n_held, CONSULTATIONS_TARGET) / CONSULTATIONS_TARGET
            + synthesis_w * (n_syntheses / n_closed if n_closed else 0.0)
            + asked_w * min(n_asked, LABS_SURVEYS_TARGET) / LABS_SURVEYS_TARGET
        )
        advice = []
        if n_held < CONSULTATIONS_TARGET:
            advice.append("participation.hold_consultations")
        if n_syntheses < n_closed or not n_closed:
            advice.append("participation.publish_syntheses")
        if n_asked < LABS_SURVEYS_TARGET:
            advice.append("participation.hold_labs_or_surveys")
        results[collectivity_id] = ItemResult(
            _fraction(value),
            {
                "records": seen.get(collectivity_id, 0) + n_asked,
                "consultations": n_held,
                "consultations_closed": n_closed,
                "syntheses_published": n_syntheses,
                "labs": n_labs,
                "surveys": n_asked - n_labs,
            },
            advice,
        )
    return results


# --------------------------------------------------------------------------- council

_HELD = frozenset({SessionStatus.HELD, SessionStatus.SUMMARY_PUBLISHED})


def compute_council(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """The council's sittings of the last twelve months (not cancelled): agendas
    published by their notice (`council.agenda_notice.<level>`, counted back from the
    sitting), decisions published once held (judged when published or past
    `council.summary.<level>`), signed minutes (judged for each session held before the
    latest one: minutes are approved at the next session), and the advisory bodies'
    opinions answered within `advisory.answer`. As at `today`: a session cancelled,
    held, its agenda, decisions or minutes published or signed after it, an opinion
    transmitted, answered or withdrawn after it, have not happened yet. Four queries. 0
    when no session."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    since = window_start(today)
    start, end = day_start(since), day_end(today)
    sessions = _scoped(
        Session.objects.filter(deleted=False, starts_at__gte=start, starts_at__lt=end).exclude(
            Q(status=SessionStatus.CANCELLED) & (Q(closed_at__isnull=True) | Q(closed_at__lt=end))
        ),
        "collectivity_id",
        collectivity_ids,
    ).values_list(
        "pk",
        "collectivity_id",
        "status",
        "starts_at",
        "held_on",
        "agenda_published_at",
        "agenda_deadline__due_date",
        "summary_published_at",
        "summary_deadline__due_date",
    )
    rows = list(sessions)
    signed = (
        set(
            Minutes.objects.filter(
                Q(signed_at__isnull=True) | Q(signed_at__lt=end),
                session_id__in=[row[0] for row in rows],
                status=MinutesStatus.SIGNED,
            ).values_list("session_id", flat=True)
        )
        if rows
        else set()
    )
    # counts per part: [judged, met]
    parts: dict[int, dict[str, list[int]]] = defaultdict(
        lambda: {name: [0, 0] for name in COUNCIL_SHARES}
    )
    held_days: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    counted: dict[int, int] = defaultdict(int)
    for (
        pk,
        collectivity_id,
        status,
        starts_at,
        held_on,
        agenda_at,
        agenda_due,
        summary_at,
        summary_due,
    ) in rows:
        counted[collectivity_id] += 1
        part = parts[collectivity_id]
        published = _local_date(agenda_at)
        if published is not None and published > today:
            published = None
        due = agenda_due if agenda_due is not None else timezone.localdate(starts_at)
        if published is not None or due < today:
            part["agendas"][0] += 1
            part["agendas"][1] += published is not None and published <= due
        held_day = held_on or timezone.localdate(starts_at)
        if status in _HELD and held_day <= today:
            summary_on = _local_date(summary_at)
            is_summary = summary_on is not None and summary_on <= today
            if is_summary or (summary_due is not None and summary_due < today):
                part["decisions"][0] += 1
                part["decisions"][1] += is_summary
            held_days[collectivity_id].append((held_day, pk))
    for collectivity_id, days in held_days.items():
        latest = max(day for day, _pk in days)
        for day, pk in days:
            if day < latest:
                parts[collectivity_id]["minutes"][0] += 1
                parts[collectivity_id]["minutes"][1] += pk in signed
    # Older opinions only while still awaiting an answer at `today` past their period:
    # the query takes those that may be (awaiting now, or closed after `today`).
    awaiting = Q(answer_deadline__due_date__lt=today) & (
        Q(answer_deadline__status=DeadlineStatus.OPEN)
        | Q(answer_deadline__closed_at__gte=end)
        | Q(answered_on__gt=today)
        | Q(closed_at__gte=end)
    )
    referrals = _scoped(
        Referral.objects.filter(
            deleted=False, transmitted_on__isnull=False, transmitted_on__lte=today
        ).filter(Q(transmitted_on__gte=since) | awaiting),
        "collectivity_id",
        collectivity_ids,
    ).values_list(
        "collectivity_id",
        "status",
        "transmitted_on",
        "answered_on",
        "closed_at",
        "answer_deadline__due_date",
        "answer_deadline__closed_at",
    )
    opinions: dict[int, int] = defaultdict(int)
    for (
        collectivity_id,
        status,
        transmitted_on,
        answered_on,
        closed_at,
        due,
        due_closed,
    ) in referrals:
        is_answered = _by(answered_on, today)
        # Awaiting at `today`: awaiting now, or answered, withdrawn, closed after it.
        is_overdue = (
            not is_answered
            and due is not None
            and due < today
            and (
                status == ReferralStatus.TRANSMITTED
                or answered_on is not None
                or _after(closed_at, today)
                or _after(due_closed, today)
            )
        )
        if (transmitted_on is None or transmitted_on < since) and not is_overdue:
            continue
        opinions[collectivity_id] += 1
        if answered_on is not None and is_answered:
            parts[collectivity_id]["opinions"][0] += 1
            parts[collectivity_id]["opinions"][1] += due is None or answered_on <= due
        elif is_overdue:
            parts[collectivity_id]["opinions"][0] += 1
    results: dict[int, ItemResult] = {}
    advice_of = {
        "agendas": "council.publish_agendas_on_time",
        "decisions": "council.publish_decisions",
        "minutes": "council.publish_signed_minutes",
        "opinions": "council.answer_opinions",
    }
    for collectivity_id in kinds:
        n_sessions = counted.get(collectivity_id, 0)
        part = parts.get(collectivity_id) or {name: [0, 0] for name in COUNCIL_SHARES}
        evidence: dict[str, Any] = {
            "records": n_sessions + opinions.get(collectivity_id, 0),
            "sessions": n_sessions,
        }
        for name, (judged, met) in part.items():
            evidence[f"{name}_judged"] = judged
            evidence[f"{name}_met"] = met
        if not n_sessions:
            results[collectivity_id] = ItemResult(0.0, evidence, ["council.hold_sessions"])
            continue
        value = _weighted(
            (COUNCIL_SHARES[name], _share(met, judged)) for name, (judged, met) in part.items()
        )
        advice = [advice_of[name] for name, (judged, met) in part.items() if met < judged]
        results[collectivity_id] = ItemResult(_fraction(value or 0.0), evidence, advice)
    return results


# --------------------------------------------------------------------------- programme

_ADOPTED = frozenset({ProgrammeStatus.ADOPTED, ProgrammeStatus.EVALUATING})
_EVER_ADOPTED = _ADOPTED | {ProgrammeStatus.CLOSED}


def _is_on_track(
    commitment: tuple[Any, ...], late: set[int], finished_later: set[int], today: dt.date
) -> bool:
    pk, progress, ends_on = commitment
    if progress >= 100 and pk not in finished_later:
        return True
    return pk not in late and (ends_on is None or ends_on >= today)


def compute_programme(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """The opening programme in force: the latest adopted (or in evaluation, or closed in
    the last twelve months) programme; the share of its commitments on track (done, or
    with no milestone past its end unfinished and not past its own end), and a public page
    updated within INFITAH_OPENPLAN_STALE_MONTHS (`openplan.public_selectors.stale_after`;
    a closed programme is never stale).

    As at `today`: a programme or commitment created after it does not exist yet, one
    adopted after it (its first version's `adopted_on`) is not adopted, one closed after
    it is still in force, a milestone completed after it is unfinished (and its
    commitment not done); a page updated after it counts from its latest progress report
    before it (else its adoption, else its creation). Three queries. 0 when no programme
    was adopted."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    since = window_start(today)
    end = day_end(today)
    programmes = (
        _scoped(
            Programme.objects.exclude(status=ProgrammeStatus.ABANDONED).filter(created_at__lt=end),
            "collectivity_id",
            collectivity_ids,
        )
        .only(
            "pk",
            "collectivity_id",
            "status",
            "starts_on",
            "public_updated_at",
            "created_at",
            "closed_at",
        )
        .annotate(
            adopted_on=Subquery(
                Version.objects.filter(programme=OuterRef("pk"))
                .order_by("adopted_on")
                .values("adopted_on")[:1]
            ),
            reported_at=Subquery(
                ProgressReport.objects.filter(
                    commitment__programme=OuterRef("pk"), reported_at__lt=end
                )
                .order_by("-reported_at")
                .values("reported_at")[:1]
            ),
        )
    )
    found: dict[int, int] = defaultdict(int)
    current: dict[int, Programme] = {}
    for row in programmes.order_by("collectivity_id", "starts_on", "pk"):
        found[row.collectivity_id] += 1
        # A programme without a recorded version was adopted, when, is not known: since
        # its creation.
        adopted_on: dt.date | None = row.adopted_on  # type: ignore[attr-defined]
        if row.status not in _EVER_ADOPTED or (adopted_on is not None and adopted_on > today):
            continue
        closed_on = _local_date(row.closed_at) if row.status == ProgrammeStatus.CLOSED else None
        if row.status == ProgrammeStatus.CLOSED and (closed_on is None or closed_on < since):
            continue
        current[row.collectivity_id] = row  # the latest wins (ordered)
    programme_ids = [p.pk for p in current.values()]
    commitments: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    late: set[int] = set()
    finished_later: set[int] = set()
    if programme_ids:
        for programme_id, pk, progress, ends_on in (
            Commitment.objects.filter(programme_id__in=programme_ids, created_at__lt=end)
            .order_by()
            .values_list("programme_id", "pk", "progress", "ends_on")
        ):
            commitments[programme_id].append((pk, progress, ends_on))
        for commitment_id, progress, ends_on, completed_on in (
            Milestone.objects.filter(commitment__programme_id__in=programme_ids, is_cancelled=False)
            .filter(Q(progress__lt=100, ends_on__lt=today) | Q(completed_on__gt=today))
            .order_by()
            .values_list("commitment_id", "progress", "ends_on", "completed_on")
        ):
            is_later = completed_on is not None and completed_on > today
            if is_later:
                finished_later.add(commitment_id)
            if (progress < 100 or is_later) and ends_on is not None and ends_on < today:
                late.add(commitment_id)
    adopted_w, track_w, fresh_w = PROGRAMME_SHARES
    results: dict[int, ItemResult] = {}
    for collectivity_id in kinds:
        programme = current.get(collectivity_id)
        if programme is None:
            results[collectivity_id] = ItemResult(
                0.0,
                {"records": found.get(collectivity_id, 0), "adopted": 0},
                ["programme.adopt"],
            )
            continue
        rows = commitments.get(programme.pk, [])
        on_track = sum(_is_on_track(row, late, finished_later, today) for row in rows)
        updated_at = _updated_as_of(programme, end)
        is_closed = programme.status == ProgrammeStatus.CLOSED and not _after(
            programme.closed_at, today
        )
        fresh = is_closed or today <= stale_after(updated_at)
        # Closed after `today`: in force at `today` (adopted or in evaluation; which one
        # is not kept).
        status = programme.status
        if status == ProgrammeStatus.CLOSED and not is_closed:
            status = ProgrammeStatus.ADOPTED
        value = adopted_w + track_w * (on_track / len(rows) if rows else 0.0) + fresh_w * fresh
        advice = []
        if on_track < len(rows) or not rows:
            advice.append("programme.keep_on_track")
        if not fresh:
            advice.append("programme.update_page")
        results[collectivity_id] = ItemResult(
            _fraction(value),
            {
                "records": found.get(collectivity_id, 0),
                "adopted": 1,
                "programme": programme.pk,
                "status": status,
                "commitments": len(rows),
                "on_track": on_track,
                "updated_on": timezone.localdate(updated_at).isoformat(),
                "is_up_to_date": int(fresh),
            },
            advice,
        )
    return results


def _updated_as_of(programme: Programme, end: dt.datetime) -> dt.datetime:
    """The programme page's last update before `end`: its own when before, else the
    latest progress report before `end`, its adoption, its creation (the latest known)."""
    if programme.public_updated_at < end:
        return programme.public_updated_at
    adopted_on: dt.date | None = programme.adopted_on  # type: ignore[attr-defined]
    reported_at: dt.datetime | None = programme.reported_at  # type: ignore[attr-defined]
    known = [programme.created_at]
    if reported_at is not None:
        known.append(reported_at)
    if adopted_on is not None and day_start(adopted_on) < end:
        known.append(day_start(adopted_on))
    return max(known)


# --------------------------------------------------------------------------- budget


def compute_budget(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """Budget transparency for the current and the previous fiscal year: each of the
    Open Budget Survey's eight key documents linked to a published document of the
    publication module for either year, and an execution (an imported executed
    version) for either year. As at `today`: a document published at `today`
    (`published_as_of`), an execution imported by then. Three queries. 0 when nothing is
    published."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    years = [today.year - 1, today.year]
    end = day_end(today)
    published: dict[int, set[str]] = defaultdict(set)
    for collectivity_id, kind in _scoped(
        KeyDocumentLink.objects.filter(published_as_of(end, "document__"), budget__year__in=years),
        "budget__collectivity_id",
        collectivity_ids,
    ).values_list("budget__collectivity_id", "kind"):
        published[collectivity_id].add(kind)
    executed = set(
        _scoped(
            BudgetVersion.objects.filter(
                budget__year__in=years, phase=Phase.EXECUTED, imported_at__lt=end
            ),
            "budget__collectivity_id",
            collectivity_ids,
        )
        .values_list("budget__collectivity_id", flat=True)
        .distinct()
    )
    docs_w, execution_w = BUDGET_SHARES
    every = [kind.value for kind in KeyDocument]
    results: dict[int, ItemResult] = {}
    for collectivity_id in kinds:
        kinds_found = published.get(collectivity_id, set())
        has_execution = collectivity_id in executed
        missing = [kind for kind in every if kind not in kinds_found]
        value = docs_w * len(kinds_found) / len(every) + execution_w * has_execution
        advice = []
        if missing:
            advice.append("budget.publish_key_documents")
        if not has_execution:
            advice.append("budget.publish_execution")
        results[collectivity_id] = ItemResult(
            _fraction(value),
            {
                "records": len(kinds_found) + int(has_execution),
                "years": f"{years[0]}-{years[1]}",
                "key_documents": len(kinds_found),
                "key_documents_max": len(every),
                "missing": missing,
                "execution_published": int(has_execution),
            },
            advice,
        )
    return results


# --------------------------------------------------------------------------- open data


def is_dataset_current(frequency: str, modified: dt.datetime, today: dt.date) -> bool:
    """Whether a dataset changed recently enough for the frequency it declares."""
    days = FREQUENCY_MAX_AGE_DAYS.get(frequency)
    return days is None or (today - timezone.localdate(modified)).days <= days


def compute_opendata(
    *, collectivity_ids: Ids, today: dt.date, kinds: Kinds | None = None
) -> dict[int, ItemResult]:
    """The collectivity's active datasets (not the network-wide ones): at least one, and
    the share current for their declared frequency (FREQUENCY_MAX_AGE_DAYS).

    As at `today`: a dataset created after it does not exist, one deactivated after it
    (its last change after it) is still active; a dataset changed after it counts from
    its latest change before it that is known: its resources' latest before it, else its
    creation. Two queries. 0 when none."""
    kinds = kinds_get(collectivity_ids) if kinds is None else kinds
    end = day_end(today)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for collectivity_id, frequency, modified, created, resource_modified in (
        _scoped(
            Dataset.objects.filter(collectivity__isnull=False, metadata_created__lt=end).filter(
                Q(is_active=True) | Q(metadata_modified__gte=end)
            ),
            "collectivity_id",
            collectivity_ids,
        )
        .annotate(
            resource_modified=Subquery(
                Resource.objects.filter(dataset=OuterRef("pk"), last_modified__lt=end)
                .order_by("-last_modified")
                .values("last_modified")[:1]
            )
        )
        .values_list(
            "collectivity_id",
            "frequency",
            "metadata_modified",
            "metadata_created",
            "resource_modified",
        )
    ):
        if modified >= end:
            modified = max(created, resource_modified or created)
        count = counts[collectivity_id]
        count[0] += 1
        count[1] += is_dataset_current(frequency, modified, today)
    any_w, current_w = OPENDATA_SHARES
    results: dict[int, ItemResult] = {}
    for collectivity_id in kinds:
        total, current = counts.get(collectivity_id, (0, 0))
        evidence: dict[str, Any] = {"records": total, "datasets": total, "current": current}
        if not total:
            results[collectivity_id] = ItemResult(0.0, evidence, ["opendata.publish_dataset"])
            continue
        advice = ["opendata.update_datasets"] if current < total else []
        results[collectivity_id] = ItemResult(
            _fraction(any_w + current_w * current / total), evidence, advice
        )
    return results


# The computation of each item, in ITEMS order.
COMPUTE: dict[str, Compute] = {
    "publication": compute_publication,
    "information": compute_information,
    "complaints": compute_complaints,
    "petitions": compute_petitions,
    "participation": compute_participation,
    "council": compute_council,
    "programme": compute_programme,
    "budget": compute_budget,
    "opendata": compute_opendata,
}
if tuple(COMPUTE) != ITEMS:
    raise RuntimeError("infitah.openness.items: one computation per item, in ITEMS order")
