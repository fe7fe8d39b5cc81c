"""Every item reads the data as it stood at `today` (the history of the index).

Each test starts from the facts as they stood at TODAY, computes the item at TODAY and
at LATER, then adds a fact dated after TODAY (a new row, or a later step of a row:
answered, withdrawn, closed...): the result at TODAY stays the same, the result at LATER
changes, as hand-computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from django.db import connection
from django.test.utils import CaptureQueriesContext

from infitah.advisory.models import Referral
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.complaints.models import Complaint
from infitah.complaints.services import complaint_rate
from infitah.complaints.workflow import Status as ComplaintStatus
from infitah.council.models import Minutes, MinutesStatus, Session
from infitah.council.workflow import Status as SessionStatus
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.finance.workflow import KeyDocument
from infitah.information.models import InformationRequest
from infitah.information.workflow import Status as RequestStatus
from infitah.opendata.models import Dataset, Frequency, Resource
from infitah.openness.items import (
    COMPUTE,
    Compute,
    ItemResult,
    compute_budget,
    compute_complaints,
    compute_council,
    compute_information,
    compute_opendata,
    compute_participation,
    compute_petitions,
    compute_programme,
    compute_publication,
)
from infitah.openplan.models import Commitment, Milestone, Programme
from infitah.openplan.workflow import Status as ProgrammeStatus
from infitah.participation.consultations.models import Consultation
from infitah.participation.surveys.models import Status as SurveyStatus
from infitah.participation.surveys.models import Survey
from infitah.petitions.models import Petition
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.publication.models import Document
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

from .conftest import TODAY, Make, at

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
LATER = TODAY + 30 * DAY


def as_of(
    compute: Compute, collectivity: Collectivity, later_fact: Callable[[], object]
) -> tuple[ItemResult, ItemResult]:
    """The item's result for `collectivity` at TODAY and at LATER once `later_fact` is
    added; asserts that the fact leaves TODAY unchanged and changes LATER."""
    ids = [collectivity.pk]
    before_today = compute(collectivity_ids=ids, today=TODAY)[collectivity.pk]
    before_later = compute(collectivity_ids=ids, today=LATER)[collectivity.pk]
    later_fact()
    at_today = compute(collectivity_ids=ids, today=TODAY)[collectivity.pk]
    at_later = compute(collectivity_ids=ids, today=LATER)[collectivity.pk]
    assert at_today == before_today
    assert at_later != before_later
    return at_today, at_later


def _closed(deadline: Deadline | None, status: str, day: dt.date) -> None:
    assert deadline is not None
    Deadline.objects.filter(pk=deadline.pk).update(status=status, closed_at=at(day))


# --------------------------------------------------------------------------- publication


def test_publication_a_document_published_later(make: Make, collectivity_a: Collectivity) -> None:
    today, later = as_of(
        compute_publication,
        collectivity_a,
        lambda: make.document(collectivity_a, "communiques", date=TODAY + 5 * DAY),
    )
    assert "communiques" in today.evidence["missing"]
    assert "communiques" not in later.evidence["missing"]
    assert later.evidence["published"] == today.evidence["published"] + 1


def test_publication_a_document_withdrawn_later(make: Make, collectivity_a: Collectivity) -> None:
    document = make.document(collectivity_a, "communiques", date=TODAY - 5 * DAY)
    today, later = as_of(
        compute_publication,
        collectivity_a,
        lambda: Document.objects.filter(pk=document.pk).update(
            status=DocumentStatus.WITHDRAWN, withdrawn_at=at(TODAY + 3 * DAY)
        ),
    )
    # Still published at TODAY; gone at LATER.
    assert "communiques" not in today.evidence["missing"]
    assert "communiques" in later.evidence["missing"]


def test_publication_a_version_superseded_later(make: Make, collectivity_a: Collectivity) -> None:
    old = make.document(collectivity_a, "communiques", date=TODAY - 5 * DAY, file_type="pdf")

    def supersede() -> None:
        new = make.document(
            collectivity_a, "communiques", date=TODAY - 5 * DAY, file_type="csv", is_complete=True
        )
        Document.objects.filter(pk=new.pk).update(
            supersedes=old, version=2, published_at=at(TODAY + 2 * DAY)
        )
        Document.objects.filter(pk=old.pk).update(status=DocumentStatus.SUPERSEDED)

    today, later = as_of(compute_publication, collectivity_a, supersede)
    # The old version (not complete, PDF) at TODAY: 10 points; the new one at LATER: 16.
    assert (today.evidence["points"], today.evidence["complete"], today.evidence["open"]) == (
        10,
        0,
        0,
    )
    assert (later.evidence["points"], later.evidence["complete"], later.evidence["open"]) == (
        16,
        1,
        1,
    )


# --------------------------------------------------------------------------- information


def test_information_a_request_received_later(make: Make, collectivity_a: Collectivity) -> None:
    today, later = as_of(
        compute_information,
        collectivity_a,
        lambda: make.request(
            collectivity_a,
            received_on=TODAY + 2 * DAY,
            due=TODAY + 25 * DAY,
            status=RequestStatus.ANSWERED,
            answered_on=TODAY + 10 * DAY,
            working_days=6,
        ),
    )
    assert (today.fraction, today.evidence["records"]) == (None, 0)
    assert (later.evidence["received"], later.evidence["answered_on_time"]) == (1, 1)


def test_information_a_request_answered_later(make: Make, collectivity_a: Collectivity) -> None:
    """Open at TODAY, within its period: not judged then; answered on time after."""
    request = make.request(collectivity_a, received_on=TODAY - 15 * DAY, due=TODAY + 5 * DAY)

    def answer() -> None:
        InformationRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.ANSWERED, answered_on=TODAY + 3 * DAY, answer_working_days=14
        )
        _closed(request.answer_deadline, DeadlineStatus.MET, TODAY + 3 * DAY)

    today, later = as_of(compute_information, collectivity_a, answer)
    assert (today.fraction, today.evidence["judged"]) == (None, 0)
    assert later.evidence["answered_on_time"] == 1
    assert later.evidence["median_working_days"] == 14.0


def test_information_a_deemed_refusal_answered_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    """Past its due date at TODAY: deemed refused, no delay yet; answered late after."""
    request = make.request(collectivity_a, received_on=TODAY - 40 * DAY, due=TODAY - 5 * DAY)

    def answer() -> None:
        InformationRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.ANSWERED,
            answered_on=TODAY + 4 * DAY,
            is_answered_late=True,
            deemed_refused_on=TODAY - 4 * DAY,
            answer_working_days=30,
        )
        _closed(request.answer_deadline, DeadlineStatus.MET, TODAY + 4 * DAY)

    today, later = as_of(compute_information, collectivity_a, answer)
    assert (today.evidence["judged"], today.evidence["deemed_refused"]) == (1, 1)
    assert today.evidence["median_working_days"] is None
    assert later.evidence["median_working_days"] == 30.0


def test_information_a_request_withdrawn_later(make: Make, collectivity_a: Collectivity) -> None:
    request = make.request(collectivity_a, received_on=TODAY - 40 * DAY, due=TODAY - 5 * DAY)

    def withdraw() -> None:
        InformationRequest.objects.filter(pk=request.pk).update(status=RequestStatus.WITHDRAWN)
        _closed(request.answer_deadline, DeadlineStatus.CANCELLED, TODAY + 2 * DAY)

    today, later = as_of(compute_information, collectivity_a, withdraw)
    assert (today.fraction, today.evidence["deemed_refused"]) == (0.0, 1)
    assert (later.fraction, later.evidence["judged"]) == (None, 0)


# --------------------------------------------------------------------------- complaints


def test_complaints_received_and_acknowledged_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    today, later = as_of(
        compute_complaints,
        collectivity_a,
        lambda: make.complaint(
            collectivity_a,
            received_on=TODAY + 1 * DAY,
            ack_due=TODAY + 16 * DAY,
            acknowledged_on=TODAY + 3 * DAY,
            answer_due=TODAY + 61 * DAY,
        ),
    )
    assert today.evidence["records"] == 0
    assert (later.evidence["acknowledgements_judged"], later.evidence["acknowledged_on_time"]) == (
        1,
        1,
    )


def test_complaints_acknowledged_late_and_answered_after_today(
    make: Make, collectivity_a: Collectivity
) -> None:
    """At TODAY the acknowledgement is overdue (judged unmet) and the answer not due;
    both are given after TODAY, the answer in time."""
    complaint = make.complaint(
        collectivity_a,
        received_on=TODAY - 20 * DAY,
        ack_due=TODAY - 5 * DAY,
        answer_due=TODAY + 40 * DAY,
    )

    def acknowledge_and_answer() -> None:
        Complaint.objects.filter(pk=complaint.pk).update(
            status=ComplaintStatus.ANSWERED,
            acknowledged_on=TODAY + 2 * DAY,
            is_acknowledged_late=True,
            answered_on=TODAY + 10 * DAY,
        )
        _closed(complaint.acknowledge_deadline, DeadlineStatus.MET, TODAY + 2 * DAY)
        _closed(complaint.answer_deadline, DeadlineStatus.MET, TODAY + 10 * DAY)

    today, later = as_of(compute_complaints, collectivity_a, acknowledge_and_answer)
    assert (today.evidence["acknowledgements_judged"], today.evidence["answers_judged"]) == (1, 0)
    assert today.fraction == 0.0
    assert (later.evidence["acknowledged_on_time"], later.evidence["answered_on_time"]) == (0, 1)
    # (0.3 × 0 + 0.5 × 1) / 0.8
    assert later.fraction == pytest.approx(0.625)


def test_complaints_a_rating_given_later(make: Make, collectivity_a: Collectivity) -> None:
    """Answered before TODAY, rated after it (through the service: the case history
    dates the rating)."""
    complaint = make.complaint(
        collectivity_a,
        received_on=TODAY - 40 * DAY,
        ack_due=TODAY - 25 * DAY,
        acknowledged_on=TODAY - 35 * DAY,
        answer_due=TODAY + 20 * DAY,
        answered_on=TODAY - 5 * DAY,
    )

    def rate() -> None:
        with time_machine.travel(at(TODAY + 3 * DAY), tick=False):
            complaint_rate(complaint=complaint, satisfaction=2)

    today, later = as_of(compute_complaints, collectivity_a, rate)
    assert (today.evidence["rated"], today.evidence["satisfaction_average"]) == (0, None)
    assert today.fraction == 1.0
    assert (later.evidence["rated"], later.evidence["satisfaction_average"]) == (1, 2.0)
    # 0.3 × 1 + 0.5 × 1 + 0.2 × 2/5
    assert later.fraction == pytest.approx(0.88)


def test_complaints_an_answer_after_today_is_not_rated_at_today(
    make: Make, collectivity_a: Collectivity
) -> None:
    complaint = make.complaint(
        collectivity_a,
        received_on=TODAY - 40 * DAY,
        ack_due=TODAY - 25 * DAY,
        acknowledged_on=TODAY - 35 * DAY,
        answer_due=TODAY + 20 * DAY,
    )

    def answer_and_rate() -> None:
        Complaint.objects.filter(pk=complaint.pk).update(
            status=ComplaintStatus.RATED, answered_on=TODAY + 2 * DAY, satisfaction=5
        )
        _closed(complaint.answer_deadline, DeadlineStatus.MET, TODAY + 2 * DAY)

    today, later = as_of(compute_complaints, collectivity_a, answer_and_rate)
    assert (today.evidence["answers_judged"], today.evidence["rated"]) == (0, 0)
    assert (later.evidence["answered_on_time"], later.evidence["rated"]) == (1, 1)


# --------------------------------------------------------------------------- petitions


def test_petitions_lodged_and_decided_later(make: Make, collectivity_a: Collectivity) -> None:
    today, later = as_of(
        compute_petitions,
        collectivity_a,
        lambda: make.petition(
            collectivity_a,
            lodged_on=TODAY + 1 * DAY,
            due=TODAY + 60 * DAY,
            decided_on=TODAY + 20 * DAY,
        ),
    )
    assert today.evidence["records"] == 0
    assert (later.fraction, later.evidence["decided_on_time"]) == (1.0, 1)


def test_petitions_a_decision_after_today(make: Make, collectivity_a: Collectivity) -> None:
    """Waiting within its period at TODAY: not judged; decided in time after it."""
    petition = make.petition(collectivity_a, lodged_on=TODAY - 50 * DAY, due=TODAY + 10 * DAY)

    def decide() -> None:
        Petition.objects.filter(pk=petition.pk).update(
            status=PetitionStatus.DELIBERATED, decided_on=TODAY + 5 * DAY
        )
        _closed(petition.decision_deadline, DeadlineStatus.MET, TODAY + 5 * DAY)

    today, later = as_of(compute_petitions, collectivity_a, decide)
    assert (today.fraction, today.evidence["judged"]) == (None, 0)
    assert (later.fraction, later.evidence["decided_on_time"]) == (1.0, 1)


def test_petitions_an_old_petition_withdrawn_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    """Lodged more than a year before, still waiting past its period at TODAY (judged,
    late); withdrawn after TODAY: no longer judged."""
    petition = make.petition(collectivity_a, lodged_on=TODAY - 400 * DAY, due=TODAY - 300 * DAY)

    def withdraw() -> None:
        Petition.objects.filter(pk=petition.pk).update(
            status=PetitionStatus.WITHDRAWN, withdrawn_on=TODAY + 3 * DAY
        )
        _closed(petition.decision_deadline, DeadlineStatus.CANCELLED, TODAY + 3 * DAY)

    today, later = as_of(compute_petitions, collectivity_a, withdraw)
    assert (today.fraction, today.evidence["judged"]) == (0.0, 1)
    assert (later.fraction, later.evidence["records"]) == (None, 0)


# --------------------------------------------------------------------------- participation


def test_participation_a_synthesis_published_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    consultation = make.consultation(
        collectivity_a, opens=TODAY - 60 * DAY, closes=TODAY - 10 * DAY
    )
    today, later = as_of(
        compute_participation,
        collectivity_a,
        lambda: Consultation.objects.filter(pk=consultation.pk).update(
            synthesis_published_at=at(TODAY + 5 * DAY)
        ),
    )
    assert (today.evidence["consultations_closed"], today.evidence["syntheses_published"]) == (1, 0)
    assert later.evidence["syntheses_published"] == 1


def test_participation_a_consultation_and_a_lab_opened_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    def hold() -> None:
        make.consultation(collectivity_a, opens=TODAY + 2 * DAY, closes=TODAY + 40 * DAY)
        make.lab(collectivity_a, opens=TODAY + 3 * DAY)

    today, later = as_of(compute_participation, collectivity_a, hold)
    assert (today.fraction, today.evidence["records"]) == (0.0, 0)
    assert (later.evidence["consultations"], later.evidence["labs"]) == (1, 1)


def test_participation_a_survey_published_later(make: Make, collectivity_a: Collectivity) -> None:
    survey = make.survey(collectivity_a, opens=TODAY - 5 * DAY, published=False)
    today, later = as_of(
        compute_participation,
        collectivity_a,
        lambda: Survey.objects.filter(pk=survey.pk).update(
            status=SurveyStatus.PUBLISHED, published_at=at(TODAY + 1 * DAY)
        ),
    )
    assert today.evidence["surveys"] == 0
    assert later.evidence["surveys"] == 1


# --------------------------------------------------------------------------- council


def test_council_decisions_published_and_minutes_signed_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    first = make.session(
        collectivity_a,
        sitting=TODAY - 100 * DAY,
        agenda_due=TODAY - 110 * DAY,
        agenda_on=TODAY - 112 * DAY,
    )
    second = make.session(
        collectivity_a,
        sitting=TODAY - 10 * DAY,
        agenda_due=TODAY - 20 * DAY,
        agenda_on=TODAY - 21 * DAY,
        summary_due=TODAY + 5 * DAY,
    )

    def publish_and_sign() -> None:
        Session.objects.filter(pk=second.pk).update(
            status=SessionStatus.SUMMARY_PUBLISHED, summary_published_at=at(TODAY + 2 * DAY)
        )
        Minutes.objects.create(
            session=first, status=MinutesStatus.SIGNED, signed_at=at(TODAY + 3 * DAY)
        )

    today, later = as_of(compute_council, collectivity_a, publish_and_sign)
    assert (today.evidence["decisions_judged"], today.evidence["minutes_met"]) == (0, 0)
    assert today.evidence["minutes_judged"] == 1
    assert (later.evidence["decisions_met"], later.evidence["minutes_met"]) == (1, 1)


def test_council_a_session_cancelled_later(make: Make, collectivity_a: Collectivity) -> None:
    session = make.session(
        collectivity_a, sitting=TODAY - 3 * DAY, agenda_due=TODAY - 13 * DAY, held=False
    )
    today, later = as_of(
        compute_council,
        collectivity_a,
        lambda: Session.objects.filter(pk=session.pk).update(
            status=SessionStatus.CANCELLED, closed_at=at(TODAY + 1 * DAY)
        ),
    )
    assert (today.evidence["sessions"], today.evidence["agendas_judged"]) == (1, 1)
    assert (later.evidence["sessions"], later.fraction) == (0, 0.0)


def test_council_a_session_held_later(make: Make, collectivity_a: Collectivity) -> None:
    today, later = as_of(
        compute_council,
        collectivity_a,
        lambda: make.session(
            collectivity_a,
            sitting=TODAY + 5 * DAY,
            agenda_due=TODAY - 5 * DAY,
            agenda_on=TODAY + 1 * DAY,
        ),
    )
    assert today.evidence["sessions"] == 0
    assert (later.evidence["sessions"], later.evidence["agendas_judged"]) == (1, 1)


def test_council_an_opinion_answered_later(make: Make, collectivity_a: Collectivity) -> None:
    make.session(collectivity_a, sitting=TODAY - 30 * DAY)
    referral = make.referral(
        collectivity_a, transmitted_on=TODAY - 60 * DAY, answer_due=TODAY + 10 * DAY
    )

    def answer() -> None:
        Referral.objects.filter(pk=referral.pk).update(
            status=ReferralStatus.ANSWERED,
            answered_on=TODAY + 4 * DAY,
            closed_at=at(TODAY + 4 * DAY),
        )
        _closed(referral.answer_deadline, DeadlineStatus.MET, TODAY + 4 * DAY)

    today, later = as_of(compute_council, collectivity_a, answer)
    assert today.evidence["opinions_judged"] == 0
    assert (later.evidence["opinions_judged"], later.evidence["opinions_met"]) == (1, 1)


def test_council_an_overdue_opinion_answered_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    """Transmitted more than a year before TODAY, overdue and waiting at TODAY; answered
    after it: no longer counted at LATER (outside the window, answered)."""
    make.session(collectivity_a, sitting=TODAY - 30 * DAY)
    referral = make.referral(
        collectivity_a, transmitted_on=TODAY - 400 * DAY, answer_due=TODAY - 300 * DAY
    )

    def answer() -> None:
        Referral.objects.filter(pk=referral.pk).update(
            status=ReferralStatus.ANSWERED,
            answered_on=TODAY + 4 * DAY,
            closed_at=at(TODAY + 4 * DAY),
        )
        _closed(referral.answer_deadline, DeadlineStatus.MET, TODAY + 4 * DAY)

    today, later = as_of(compute_council, collectivity_a, answer)
    assert (today.evidence["opinions_judged"], today.evidence["opinions_met"]) == (1, 0)
    assert later.evidence["opinions_judged"] == 0


# --------------------------------------------------------------------------- programme


def test_programme_adopted_later(make: Make, collectivity_a: Collectivity) -> None:
    programme = make.programme(
        collectivity_a, status=ProgrammeStatus.CONSULTING, updated_on=TODAY - 10 * DAY
    )

    def adopt() -> None:
        Programme.objects.filter(pk=programme.pk).update(status=ProgrammeStatus.ADOPTED)
        make.version(programme, adopted_on=TODAY + 5 * DAY)

    today, later = as_of(compute_programme, collectivity_a, adopt)
    assert (today.fraction, today.advice) == (0.0, ["programme.adopt"])
    assert later.evidence["adopted"] == 1


def test_programme_created_later(make: Make, collectivity_a: Collectivity) -> None:
    today, later = as_of(
        compute_programme,
        collectivity_a,
        lambda: make.programme(
            collectivity_a,
            updated_on=TODAY + 5 * DAY,
            created_on=TODAY + 1 * DAY,
            adopted_on=TODAY + 4 * DAY,
        ),
    )
    assert today.evidence == {"records": 0, "adopted": 0}
    assert (later.evidence["records"], later.evidence["adopted"]) == (1, 1)


def test_programme_closed_later(make: Make, collectivity_a: Collectivity) -> None:
    """In force and stale at TODAY; closed after it (and a closed programme is never
    stale)."""
    programme = make.programme(
        collectivity_a,
        updated_on=TODAY - 200 * DAY,
        starts_on=TODAY - 240 * DAY,
        adopted_on=TODAY - 250 * DAY,
    )
    today, later = as_of(
        compute_programme,
        collectivity_a,
        lambda: Programme.objects.filter(pk=programme.pk).update(
            status=ProgrammeStatus.CLOSED, closed_at=at(TODAY + 5 * DAY)
        ),
    )
    assert (today.evidence["status"], today.evidence["is_up_to_date"]) == ("adopted", 0)
    assert (later.evidence["status"], later.evidence["is_up_to_date"]) == ("closed", 1)


def test_programme_a_milestone_completed_later(make: Make, collectivity_a: Collectivity) -> None:
    programme = make.programme(collectivity_a, updated_on=TODAY - 10 * DAY)
    commitment = make.commitment(
        programme, progress=50, milestones=((50, TODAY - 5 * DAY, False), (100, None, False))
    )

    def complete() -> None:
        Milestone.objects.filter(commitment=commitment, progress=50).update(
            progress=100, completed_on=TODAY + 3 * DAY
        )
        Commitment.objects.filter(pk=commitment.pk).update(progress=100)

    today, later = as_of(compute_programme, collectivity_a, complete)
    assert (today.evidence["commitments"], today.evidence["on_track"]) == (1, 0)
    assert later.evidence["on_track"] == 1


def test_programme_a_commitment_added_later(make: Make, collectivity_a: Collectivity) -> None:
    programme = make.programme(collectivity_a, updated_on=TODAY - 10 * DAY)
    make.commitment(programme, progress=100)
    today, later = as_of(
        compute_programme,
        collectivity_a,
        lambda: make.commitment(programme, progress=0, created_on=TODAY + 2 * DAY),
    )
    assert (today.evidence["commitments"], today.evidence["on_track"]) == (1, 1)
    assert (later.evidence["commitments"], later.evidence["on_track"]) == (2, 2)


def test_programme_a_page_updated_later(make: Make, collectivity_a: Collectivity) -> None:
    """Stale at TODAY (last updated by a progress report); updated again after it."""
    programme = make.programme(
        collectivity_a,
        updated_on=TODAY - 200 * DAY,
        starts_on=TODAY - 200 * DAY,
        created_on=TODAY - 210 * DAY,
    )
    commitment = make.commitment(programme, progress=10)
    commitment.reports.create(progress=10, reported_at=at(TODAY - 200 * DAY))
    today, later = as_of(
        compute_programme,
        collectivity_a,
        lambda: Programme.objects.filter(pk=programme.pk).update(
            public_updated_at=at(TODAY + 2 * DAY)
        ),
    )
    assert (today.evidence["is_up_to_date"], today.evidence["updated_on"]) == (
        0,
        (TODAY - 200 * DAY).isoformat(),
    )
    assert (later.evidence["is_up_to_date"], later.evidence["updated_on"]) == (
        1,
        (TODAY + 2 * DAY).isoformat(),
    )


def test_programme_a_page_updated_since_counts_from_its_last_report(
    make: Make, collectivity_a: Collectivity
) -> None:
    programme = make.programme(
        collectivity_a,
        updated_on=TODAY + 2 * DAY,
        starts_on=TODAY - 200 * DAY,
        created_on=TODAY - 210 * DAY,
    )
    commitment = make.commitment(programme, progress=10)
    commitment.reports.create(progress=10, reported_at=at(TODAY - 20 * DAY))
    commitment.reports.create(progress=20, reported_at=at(TODAY + 2 * DAY))
    result = compute_programme(collectivity_ids=[collectivity_a.pk], today=TODAY)
    evidence = result[collectivity_a.pk].evidence
    assert (evidence["updated_on"], evidence["is_up_to_date"]) == (
        (TODAY - 20 * DAY).isoformat(),
        1,
    )
    # Without a report: from its creation, stale.
    commitment.reports.all().delete()
    result = compute_programme(collectivity_ids=[collectivity_a.pk], today=TODAY)
    evidence = result[collectivity_a.pk].evidence
    assert (evidence["updated_on"], evidence["is_up_to_date"]) == (
        (TODAY - 210 * DAY).isoformat(),
        0,
    )


# --------------------------------------------------------------------------- budget


def test_budget_documents_published_withdrawn_and_execution_imported_later(
    make: Make, collectivity_a: Collectivity
) -> None:
    kept = make.key_document(collectivity_a, year=TODAY.year, kind=KeyDocument.ENACTED)

    def later_facts() -> None:
        published = make.key_document(collectivity_a, year=TODAY.year, kind=KeyDocument.CITIZENS)
        Document.objects.filter(pk=published.document_id).update(published_at=at(TODAY + 3 * DAY))
        Document.objects.filter(pk=kept.document_id).update(
            status=DocumentStatus.WITHDRAWN, withdrawn_at=at(TODAY + 4 * DAY)
        )
        make.execution(collectivity_a, year=TODAY.year - 1, imported_on=TODAY + 5 * DAY)

    today, later = as_of(compute_budget, collectivity_a, later_facts)
    assert (today.evidence["key_documents"], today.evidence["execution_published"]) == (1, 0)
    assert "enacted" not in today.evidence["missing"]
    assert "citizens" in today.evidence["missing"]
    assert (later.evidence["key_documents"], later.evidence["execution_published"]) == (1, 1)
    assert "enacted" in later.evidence["missing"]
    assert "citizens" not in later.evidence["missing"]


# --------------------------------------------------------------------------- open data


def test_opendata_a_dataset_created_later(make: Make, collectivity_a: Collectivity) -> None:
    today, later = as_of(
        compute_opendata,
        collectivity_a,
        lambda: make.dataset(collectivity_a, frequency=Frequency.MONTHLY, modified=TODAY + DAY),
    )
    assert (today.fraction, today.evidence["datasets"]) == (0.0, 0)
    assert (later.evidence["datasets"], later.evidence["current"]) == (1, 1)


def test_opendata_a_dataset_deactivated_later(make: Make, collectivity_a: Collectivity) -> None:
    dataset = make.dataset(collectivity_a, frequency=Frequency.MONTHLY, modified=TODAY - 10 * DAY)
    today, later = as_of(
        compute_opendata,
        collectivity_a,
        lambda: Dataset.objects.filter(pk=dataset.pk).update(
            is_active=False, metadata_modified=at(TODAY + 2 * DAY)
        ),
    )
    # Still active at TODAY, last changed ten days before it: current.
    assert (today.evidence["datasets"], today.evidence["current"]) == (1, 1)
    assert later.evidence["datasets"] == 0


def test_opendata_a_dataset_changed_later(make: Make, collectivity_a: Collectivity) -> None:
    """Changed after TODAY: at TODAY its latest change known before it counts (a
    resource's, else its creation)."""
    dataset = make.dataset(collectivity_a, frequency=Frequency.MONTHLY, modified=TODAY - 60 * DAY)
    today, later = as_of(
        compute_opendata,
        collectivity_a,
        lambda: Dataset.objects.filter(pk=dataset.pk).update(metadata_modified=at(TODAY + 2 * DAY)),
    )
    assert (today.evidence["datasets"], today.evidence["current"]) == (1, 0)
    assert (later.evidence["datasets"], later.evidence["current"]) == (1, 1)
    # A resource changed before TODAY: the dataset was current then.
    Resource.objects.create(
        dataset=dataset,
        name_ar="بيانات",
        name_fr="Données",
        url="https://example.test/data.csv",
        format="CSV",
        media_type="text/csv",
        last_modified=at(TODAY - 5 * DAY),
    )
    result = compute_opendata(collectivity_ids=[collectivity_a.pk], today=TODAY)
    assert result[collectivity_a.pk].evidence["current"] == 1


# --------------------------------------------------------------------------- queries


def _busy(make: Make, collectivity: Collectivity) -> None:
    """A little of every kind of fact, some of them after TODAY."""
    make.document(collectivity, "communiques", date=TODAY - 5 * DAY)
    make.document(collectivity, "communiques", date=TODAY + 5 * DAY)
    make.request(collectivity, received_on=TODAY - 30 * DAY, due=TODAY - 2 * DAY)
    make.complaint(
        collectivity,
        received_on=TODAY - 40 * DAY,
        ack_due=TODAY - 25 * DAY,
        acknowledged_on=TODAY + 1 * DAY,
        answer_due=TODAY + 20 * DAY,
    )
    make.petition(collectivity, lodged_on=TODAY - 60 * DAY, due=TODAY - 1 * DAY)
    make.consultation(collectivity, opens=TODAY - 60 * DAY, closes=TODAY - 10 * DAY)
    make.session(collectivity, sitting=TODAY - 30 * DAY, minutes_signed=True)
    make.referral(collectivity, transmitted_on=TODAY - 60 * DAY, answer_due=TODAY + 10 * DAY)
    programme = make.programme(collectivity, updated_on=TODAY - 10 * DAY)
    make.commitment(programme, progress=40, milestones=((50, TODAY - 5 * DAY, False),))
    make.key_document(collectivity, year=TODAY.year, kind=KeyDocument.ENACTED)
    make.execution(collectivity, year=TODAY.year - 1)
    make.dataset(collectivity, frequency=Frequency.MONTHLY, modified=TODAY + 2 * DAY)


def _queries(compute: Compute, today: dt.date) -> int:
    with CaptureQueriesContext(connection) as queries:
        compute(collectivity_ids=None, today=today)
    return len(queries)


@pytest.mark.parametrize("code", list(COMPUTE))
def test_queries_do_not_grow_with_the_collectivities_on_a_past_day(
    code: str,
    make: Make,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    region: Collectivity,
) -> None:
    compute = COMPUTE[code]
    _busy(make, collectivity_a)
    one = _queries(compute, TODAY)
    _busy(make, collectivity_b)
    _busy(make, region)
    assert _queries(compute, TODAY) == one
    # Earlier, with fewer facts: no more (the council skips its minutes without a
    # session).
    assert _queries(compute, TODAY - 100 * DAY) <= one
