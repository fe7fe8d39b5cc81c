"""Fixtures of the openness index's tests (collectivities A and B, `staff_for`, `charlie`
and `network_admin` come from the root conftest).

- `TODAY`: the day the item tests judge on (a Monday, mid-June 2026);
- `make`: builders of the facts each item reads, straight through the ORM with every
  date chosen by the test (`make.request(...)`, `make.complaint(...)`, ...); the
  services of each app are tested in their own app, and some tests here also go through
  them (`test_items_*`);
- stored files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest

from django.utils import timezone

from infitah.advisory.models import Body, BodyKind, Referral
from infitah.advisory.workflow import Origin
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.complaints.models import Complaint
from infitah.complaints.workflow import Status as ComplaintStatus
from infitah.council.models import AgendaItem, Minutes, MinutesStatus, Session, Term
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.deadlines.models import Deadline, DeadlineStatus, LegalLimit
from infitah.finance.models import Budget, BudgetVersion, KeyDocumentLink
from infitah.finance.workflow import Phase
from infitah.information.models import InformationRequest
from infitah.information.workflow import Status as RequestStatus
from infitah.opendata.models import Dataset
from infitah.openplan.models import Commitment, Milestone, Programme, Version
from infitah.openplan.workflow import Kind as ProgrammeKind
from infitah.openplan.workflow import Status as ProgrammeStatus
from infitah.participation.consultations.models import Consultation
from infitah.participation.labs.models import Lab
from infitah.participation.surveys.models import Status as SurveyStatus
from infitah.participation.surveys.models import Survey
from infitah.petitions.models import Petition
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.publication.models import Category, Document
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

TODAY = dt.date(2026, 6, 15)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """`day` at `hour` o'clock in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


class Make:
    """Builders of one fact each, through the ORM."""

    def __init__(self) -> None:
        self._n = itertools.count(1)

    def _next(self) -> int:
        return next(self._n)

    def deadline(
        self,
        collectivity: Collectivity,
        code: str,
        due: dt.date,
        *,
        met: bool = False,
        cancelled: bool = False,
        closed_on: dt.date | None = None,
    ) -> Deadline:
        """Closed (met or cancelled) on `closed_on`, by default on its due date."""
        status = DeadlineStatus.OPEN
        if met:
            status = DeadlineStatus.MET
        elif cancelled:
            status = DeadlineStatus.CANCELLED
        return Deadline.objects.create(
            collectivity=collectivity,
            limit=LegalLimit.objects.get(code=code),
            start_date=due - dt.timedelta(days=10),
            due_date=due,
            subject_type="openness.test",
            subject_id=str(self._next()),
            label="test",
            status=status,
            closed_at=None if status == DeadlineStatus.OPEN else at(closed_on or due),
        )

    # ------------------------------------------------------------------ publication

    def document(
        self,
        collectivity: Collectivity,
        category: Category | str,
        *,
        date: dt.date,
        period_end: dt.date | None = None,
        file_type: str = "pdf",
        is_complete: bool = False,
        status: str = DocumentStatus.PUBLISHED,
    ) -> Document:
        if isinstance(category, str):
            category = Category.objects.get(code=category)
        n = self._next()
        return Document.objects.create(
            collectivity=collectivity,
            category=category,
            title_fr=f"Document {n}",
            date=date,
            period_end=period_end,
            language="fr",
            file=f"documents/test/{n}.{file_type}",
            original_name=f"{n}.{file_type}",
            file_type=file_type,
            size=100,
            sha256=f"{n:064x}",
            is_complete=is_complete,
            status=status,
            published_at=at(date),
        )

    # ------------------------------------------------------------------ cases

    def request(
        self,
        collectivity: Collectivity,
        *,
        received_on: dt.date,
        due: dt.date | None,
        status: str = RequestStatus.IN_PROGRESS,
        answered_on: dt.date | None = None,
        late: bool = False,
        deemed_on: dt.date | None = None,
        working_days: int | None = None,
    ) -> InformationRequest:
        n = self._next()
        deadline = None
        if due is not None:
            deadline = self.deadline(collectivity, "ati.answer", due, met=answered_on is not None)
        return InformationRequest.objects.create(
            collectivity=collectivity,
            reference=f"ATI-{n}",
            year=received_on.year,
            number=n,
            status=status,
            requester_type="citizen",
            first_name="F",
            last_name="Z",
            id_type="cin",
            id_number_encrypted="x",
            id_number_hash=f"h{n}",
            id_number_masked="•••",
            address="a",
            email="f@example.test",
            subject="s",
            description="d",
            delivery="email",
            tracking_digest=f"t{n}",
            tracking_token_encrypted="x",
            submitted_at=at(received_on),
            received_on=received_on,
            answer_deadline=deadline,
            answered_on=answered_on,
            is_answered_late=late,
            deemed_refused_on=deemed_on,
            answer_working_days=working_days,
        )

    def complaint(
        self,
        collectivity: Collectivity,
        *,
        received_on: dt.date,
        ack_due: dt.date | None = None,
        acknowledged_on: dt.date | None = None,
        ack_late: bool = False,
        answer_due: dt.date | None = None,
        answered_on: dt.date | None = None,
        answer_late: bool = False,
        satisfaction: int | None = None,
        merged: bool = False,
    ) -> Complaint:
        n = self._next()
        ack = answer = None
        if ack_due is not None:
            ack = self.deadline(
                collectivity,
                "complaint.acknowledge",
                ack_due,
                met=acknowledged_on is not None,
                cancelled=merged and acknowledged_on is None,
            )
        if answer_due is not None:
            answer = self.deadline(
                collectivity,
                "complaint.answer",
                answer_due,
                met=answered_on is not None,
                cancelled=merged and answered_on is None,
            )
        if merged:
            status = ComplaintStatus.MERGED
        elif satisfaction is not None:
            status = ComplaintStatus.RATED
        elif answered_on is not None:
            status = ComplaintStatus.ANSWERED
        elif acknowledged_on is not None:
            status = ComplaintStatus.ACKNOWLEDGED
        else:
            status = ComplaintStatus.RECEIVED
        return Complaint.objects.create(
            collectivity=collectivity,
            reference=f"C-{n}",
            year=received_on.year,
            number=n,
            kind="complaint",
            status=status,
            description="d",
            name="Amina",
            email="a@example.test",
            tracking_digest=f"ct{n}",
            tracking_token_encrypted="x",
            submitted_at=at(received_on),
            received_on=received_on,
            acknowledge_deadline=ack,
            acknowledged_on=acknowledged_on,
            is_acknowledged_late=ack_late,
            answer_deadline=answer,
            answered_on=answered_on,
            is_answered_late=answer_late,
            answer_days=(answered_on - received_on).days if answered_on else None,
            satisfaction=satisfaction,
        )

    def petition(
        self,
        collectivity: Collectivity,
        *,
        lodged_on: dt.date,
        due: dt.date,
        decided_on: dt.date | None = None,
        rejected_on: dt.date | None = None,
        withdrawn: bool = False,
        withdrawn_on: dt.date | None = None,
    ) -> Petition:
        n = self._next()
        done = decided_on or rejected_on
        withdrawn = withdrawn or withdrawn_on is not None
        deadline = self.deadline(
            collectivity,
            "petition.decision.commune",
            due,
            met=done is not None,
            cancelled=withdrawn,
            closed_on=done or withdrawn_on,
        )
        if withdrawn:
            status = PetitionStatus.WITHDRAWN
        elif decided_on is not None:
            status = PetitionStatus.DELIBERATED
        elif rejected_on is not None:
            status = PetitionStatus.REJECTED
        else:
            status = PetitionStatus.BUREAU_REVIEW
        return Petition.objects.create(
            collectivity=collectivity,
            status=status,
            channel="paper",
            petitioner_kind="citizens",
            title=f"Petition {n}",
            text="t",
            request="r",
            agent_name="Agent",
            manage_digest=f"m{n}",
            reference=f"P-{n}",
            year=lodged_on.year,
            number=n,
            lodged_on=lodged_on,
            decision_deadline=deadline,
            decided_on=decided_on,
            rejected_on=rejected_on,
            withdrawn_on=withdrawn_on,
        )

    # ------------------------------------------------------------------ participation

    def consultation(
        self,
        collectivity: Collectivity,
        *,
        opens: dt.date,
        closes: dt.date,
        synthesis_on: dt.date | None = None,
    ) -> Consultation:
        return Consultation.objects.create(
            collectivity=collectivity,
            title_fr=f"Consultation {self._next()}",
            opens_at=at(opens),
            closes_at=at(closes),
            synthesis_published_at=at(synthesis_on) if synthesis_on else None,
        )

    def lab(self, collectivity: Collectivity, *, opens: dt.date) -> Lab:
        return Lab.objects.create(
            collectivity=collectivity,
            question_ar="سؤال",
            opens_at=at(opens),
            closes_at=at(opens + dt.timedelta(days=30)),
        )

    def survey(
        self, collectivity: Collectivity, *, opens: dt.date, published: bool = True
    ) -> Survey:
        return Survey.objects.create(
            collectivity=collectivity,
            title_fr="Enquête",
            opens_at=at(opens),
            closes_at=at(opens + dt.timedelta(days=30)),
            status=SurveyStatus.PUBLISHED if published else SurveyStatus.DRAFT,
        )

    # ------------------------------------------------------------------ council

    def term(self, collectivity: Collectivity) -> Term:
        term = Term.objects.filter(collectivity=collectivity).first()
        return term or Term.objects.create(
            collectivity=collectivity, name_ar="2021-2026", start_date=dt.date(2021, 9, 1)
        )

    def session(
        self,
        collectivity: Collectivity,
        *,
        sitting: dt.date,
        agenda_due: dt.date | None = None,
        agenda_on: dt.date | None = None,
        held: bool = True,
        summary_due: dt.date | None = None,
        summary_on: dt.date | None = None,
        minutes_signed: bool = False,
        status: str | None = None,
    ) -> Session:
        agenda = None
        if agenda_due is not None:
            agenda = self.deadline(
                collectivity, "council.agenda_notice.commune", agenda_due, met=bool(agenda_on)
            )
        summary = None
        if summary_due is not None:
            summary = self.deadline(
                collectivity, "council.summary.commune", summary_due, met=bool(summary_on)
            )
        if status is None:
            if summary_on is not None:
                status = SessionStatus.SUMMARY_PUBLISHED
            elif held:
                status = SessionStatus.HELD
            elif agenda_on is not None:
                status = SessionStatus.CONVENED
            else:
                status = SessionStatus.DRAFT
        session = Session.objects.create(
            collectivity=collectivity,
            term=self.term(collectivity),
            kind=SessionKind.ORDINARY,
            status=status,
            title_ar=f"دورة {self._next()}",
            starts_at=at(sitting),
            agenda_published_at=at(agenda_on) if agenda_on else None,
            held_on=sitting if held else None,
            summary_published_at=at(summary_on) if summary_on else None,
            agenda_deadline=agenda,
            summary_deadline=summary,
        )
        if minutes_signed:
            Minutes.objects.create(
                session=session, status=MinutesStatus.SIGNED, signed_at=at(sitting)
            )
        return session

    def referral(
        self,
        collectivity: Collectivity,
        *,
        transmitted_on: dt.date,
        answer_due: dt.date,
        answered_on: dt.date | None = None,
    ) -> Referral:
        body = Body.objects.filter(collectivity=collectivity).first() or Body.objects.create(
            collectivity=collectivity, kind=BodyKind.EQUITY, name_ar="هيئة المساواة"
        )
        return Referral.objects.create(
            collectivity=collectivity,
            body=body,
            status=ReferralStatus.ANSWERED if answered_on else ReferralStatus.TRANSMITTED,
            origin=Origin.COUNCIL,
            subject_ar="إحالة",
            transmitted_on=transmitted_on,
            answered_on=answered_on,
            answer="adopted" if answered_on else "",
            answer_deadline=self.deadline(
                collectivity, "advisory.answer", answer_due, met=answered_on is not None
            ),
        )

    # ------------------------------------------------------------------ programme

    def programme(
        self,
        collectivity: Collectivity,
        *,
        status: str = ProgrammeStatus.ADOPTED,
        updated_on: dt.date,
        starts_on: dt.date = dt.date(2026, 1, 1),
        closed_on: dt.date | None = None,
        created_on: dt.date | None = None,
        adopted_on: dt.date | None = None,
    ) -> Programme:
        """`created_on`: by default a month before it starts or is updated; `adopted_on`:
        its first adopted version (none by default: adopted since its creation)."""
        if created_on is None:
            created_on = min(starts_on, updated_on) - dt.timedelta(days=30)
        programme = Programme.objects.create(
            collectivity=collectivity,
            kind=ProgrammeKind.REMACTO,
            status=status,
            title_fr=f"Programme {self._next()}",
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=700),
            public_updated_at=at(updated_on),
            created_at=at(created_on),
            closed_at=at(closed_on) if closed_on else None,
        )
        if adopted_on is not None:
            self.version(programme, adopted_on=adopted_on)
        return programme

    def version(self, programme: Programme, *, adopted_on: dt.date) -> Version:
        """An adopted version of `programme` (its council decision: a session's item)."""
        session = self.session(programme.collectivity, sitting=adopted_on)
        item = AgendaItem.objects.create(session=session, number=1, title_ar="برنامج")
        return Version.objects.create(
            programme=programme,
            number=Version.objects.filter(programme=programme).count() + 1,
            agenda_item=item,
            adopted_on=adopted_on,
            file="openplan/v.json",
            name="v.json",
            content_type="application/json",
            size=10,
            sha256="0" * 64,
        )

    def commitment(
        self,
        programme: Programme,
        *,
        progress: int = 0,
        ends_on: dt.date | None = None,
        milestones: tuple[tuple[int, dt.date | None, bool], ...] = (),
        completed_on: dt.date | None = None,
        created_on: dt.date | None = None,
    ) -> Commitment:
        """`milestones`: (progress, ends_on, cancelled) each, completed on `completed_on`
        when done (100); created with the programme unless `created_on`."""
        commitment = Commitment.objects.create(
            programme=programme,
            number=Commitment.objects.filter(programme=programme).count() + 1,
            title_fr="Engagement",
            progress=progress,
            ends_on=ends_on,
            created_at=programme.created_at if created_on is None else at(created_on),
        )
        for order, (done, ends, cancelled) in enumerate(milestones, start=1):
            Milestone.objects.create(
                commitment=commitment,
                order=order,
                title_fr=f"Jalon {order}",
                progress=done,
                ends_on=ends,
                is_cancelled=cancelled,
                completed_on=completed_on if done >= 100 else None,
            )
        return commitment

    # ------------------------------------------------------------------ budget, open data

    def key_document(
        self, collectivity: Collectivity, *, year: int, kind: str, withdrawn: bool = False
    ) -> KeyDocumentLink:
        budget, _created = Budget.objects.get_or_create(collectivity=collectivity, year=year)
        document = self.document(
            collectivity,
            "budget.current",
            date=dt.date(year, 1, 15),
            status=DocumentStatus.WITHDRAWN if withdrawn else DocumentStatus.PUBLISHED,
        )
        return KeyDocumentLink.objects.create(budget=budget, kind=kind, document=document)

    def execution(
        self, collectivity: Collectivity, *, year: int, imported_on: dt.date | None = None
    ) -> BudgetVersion:
        """Imported on `imported_on` (default: the end of `year`)."""
        budget, _created = Budget.objects.get_or_create(collectivity=collectivity, year=year)
        return BudgetVersion.objects.create(
            budget=budget,
            phase=Phase.EXECUTED,
            number=BudgetVersion.objects.filter(budget=budget, phase=Phase.EXECUTED).count() + 1,
            as_of=dt.date(year, 12, 31),
            file="finance/x.csv",
            name="x.csv",
            content_type="text/csv",
            size=10,
            sha256="0" * 64,
            imported_at=at(imported_on or dt.date(year, 12, 31)),
        )

    def dataset(
        self,
        collectivity: Collectivity | None,
        *,
        frequency: str,
        modified: dt.date,
        active: bool = True,
    ) -> Dataset:
        n = self._next()
        return Dataset.objects.create(
            name=f"dataset-{n}",
            collectivity=collectivity,
            source="upload",
            title_ar="بيانات",
            title_fr="Données",
            license_id="CC-BY-4.0",
            frequency=frequency,
            is_active=active,
            metadata_created=at(modified),
            metadata_modified=at(modified),
        )


@pytest.fixture
def make(db: None) -> Make:
    return Make()
