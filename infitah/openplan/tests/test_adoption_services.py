"""Consultation on the draft, adoption and amendments by council decision (frozen
versions in the register), evaluation, closing, abandoning: each rule of the services,
permissions and tenancy."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from infitah.accounts.models import Role, User
from infitah.cases.services import TransitionNotAllowed
from infitah.council.models import AgendaItem, ItemResult, Session, Term
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import Event, RegisterEntry
from infitah.ledger.register_selectors import register_audit
from infitah.openplan import register
from infitah.openplan.exchange import PROGRAMME_SCHEMA, export_bytes, programme_export
from infitah.openplan.models import Commitment, Programme, Version
from infitah.openplan.services import adoption, core
from infitah.openplan.tests.conftest import PROGRAMME_DATA, MakeItem
from infitah.openplan.workflow import Status
from infitah.participation.consultations.models import Comment, Consultation, Section, Stance
from infitah.participation.consultations.workflow import (
    CommentStatus,
    Kind,
    Moderation,
    StanceValue,
)
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

jsonschema = pytest.importorskip("jsonschema")


def _window(days: int = 30) -> dict[str, object]:
    now = timezone.now()
    return {
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=days),
        "moderation": Moderation.POST,
    }


def _consult(programme: Programme, actor: User, **extra: object) -> Consultation:
    return adoption.programme_consult(programme=programme, actor=actor, **{**_window(), **extra})  # type: ignore[arg-type]


def _second(programme: Programme, actor: User) -> Commitment:
    return core.commitment_create(
        programme=programme,
        actor=actor,
        data={
            "title_fr": "Budget participatif",
            "problem_fr": "Les habitants ne participent pas.",
            "description_fr": "Un budget participatif annuel.",
            "solution_fr": "Les habitants choisissent des projets.",
        },
    )


def _close(consultation: Consultation) -> None:
    """The consultation closed yesterday (the calendar, not a service)."""
    Consultation.objects.filter(pk=consultation.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=20),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )


# --- consultation --------------------------------------------------------------------------


def test_consult_makes_one_section_per_commitment(
    programme: Programme, commitment: Commitment, focal_point: User
) -> None:
    second = _second(programme, focal_point)
    consultation = _consult(programme, focal_point)
    programme.refresh_from_db()
    assert programme.status == Status.CONSULTING
    assert programme.consultation == consultation
    assert consultation.kind == Kind.ACTION_PLAN
    assert consultation.collectivity == programme.collectivity
    assert (consultation.title_ar, consultation.title_fr) == (
        programme.title_ar,
        programme.title_fr,
    )
    assert consultation.description_ar == programme.summary_ar
    sections = list(consultation.sections.order_by("order"))
    assert len(sections) == 2
    commitment.refresh_from_db()
    second.refresh_from_db()
    assert (commitment.section, second.section) == (sections[0], sections[1])
    assert sections[0].title_ar == "نشر المعطيات المفتوحة"
    assert sections[0].title_fr == "Publier les données ouvertes"
    assert sections[0].order == 1
    assert "صعوبة الولوج إلى المعلومات" in sections[0].body_ar
    assert sections[0].body_fr == ""
    assert sections[1].title_fr == "Budget participatif" and sections[1].order == 2
    for text in (second.problem_fr, second.description_fr, second.solution_fr):
        assert text in sections[1].body_fr
    assert Event.objects.filter(action="openplan.consult").count() == 1
    assert Event.objects.filter(action="consultations.created").count() == 1


def test_consult_needs_a_commitment_with_text_and_valid_dates(
    programme: Programme, focal_point: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        _consult(programme, focal_point)
    assert "commitments" in caught.value.message_dict
    empty = core.commitment_create(
        programme=programme, actor=focal_point, data={"title_ar": "بدون نص"}
    )
    with pytest.raises(ValidationError) as caught:
        _consult(programme, focal_point)
    assert "commitments" in caught.value.message_dict
    empty.delete()
    _second(programme, focal_point)
    past = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        _consult(programme, focal_point, closes_at=past, moderation="nope")
    assert {"closes_at", "moderation"} <= set(caught.value.message_dict)
    programme.refresh_from_db()
    assert programme.status == Status.DRAFTING
    assert not Consultation.objects.exists()
    assert not Section.objects.exists()


def test_consult_only_in_co_creation_and_only_by_the_focal_point(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    monitor: User,
    charlie: User,
    staff_for: Callable[[str], User],
) -> None:
    for actor in (monitor, charlie, staff_for(Role.PUBLICATION_EDITOR)):
        with pytest.raises(PermissionDenied):
            _consult(programme, actor)
    _consult(programme, focal_point)
    with pytest.raises(TransitionNotAllowed):
        _consult(programme, focal_point)
    assert Consultation.objects.count() == 1


def test_consultation_changes_counts_and_detects_changed_texts(
    programme: Programme, commitment: Commitment, focal_point: User, participant: Participant
) -> None:
    second = _second(programme, focal_point)
    consultation = _consult(programme, focal_point)
    commitment.refresh_from_db()
    other = Participant.objects.create(
        email="other@example.test", display_name="X", verified_at=timezone.now()
    )
    section = commitment.section
    assert section is not None
    Comment.objects.create(
        consultation=consultation,
        section=section,
        participant=participant,
        text="ok",
        status=CommentStatus.PUBLISHED,
    )
    Comment.objects.create(
        consultation=consultation,
        section=section,
        participant=other,
        text="en attente",
        status=CommentStatus.PENDING,
    )
    Stance.objects.create(
        consultation=consultation, section=section, participant=participant, value="support"
    )
    Stance.objects.create(
        consultation=consultation, section=section, participant=other, value=StanceValue.OPPOSE
    )
    Section.objects.filter(pk=section.pk).update(response_fr="Nous ajoutons un jalon.")
    core.commitment_update(
        commitment=second,
        actor=focal_point,
        data={**{f: getattr(second, f) for f in core.COMMITMENT_FIELDS}, "solution_fr": "Autre"},
    )
    third = core.commitment_create(programme=programme, actor=focal_point, data={"title_fr": "3"})
    programme.refresh_from_db()
    rows = {row.commitment.number: row for row in adoption.consultation_changes(programme)}
    assert (rows[1].comments, rows[1].supports, rows[1].opposes) == (1, 1, 1)
    assert rows[1].is_consulted and not rows[1].has_changed
    assert (rows[2].comments, rows[2].supports, rows[2].opposes) == (0, 0, 0)
    assert rows[2].has_changed
    assert not rows[third.number].is_consulted
    assert not rows[third.number].has_changed


# --- adoption ------------------------------------------------------------------------------


def test_adopt_freezes_version_1_in_the_register_and_opens_the_update_clock(
    programme: Programme, commitment: Commitment, focal_point: User, make_item: MakeItem
) -> None:
    item = make_item()
    version = adoption.programme_adopt(
        programme=programme, actor=focal_point, agenda_item=item, note="Adopté à l'unanimité"
    )
    programme.refresh_from_db()
    assert programme.status == Status.ADOPTED
    assert (version.number, version.agenda_item, version.note) == (1, item, "Adopté à l'unanimité")
    assert version.adopted_on == timezone.localdate(item.decided_at)
    content = version.file.read()
    assert version.size == len(content)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    document = json.loads(content)
    jsonschema.validate(document, PROGRAMME_SCHEMA)
    assert document["status"] == Status.ADOPTED
    assert document["versions"][0]["decision"]["votes_for"] == 20
    # Canonical bytes: the export of the programme as it is now, byte for byte.
    assert content == export_bytes(programme_export(programme))
    assert content.startswith(b'{"axes":[') and b"\n" not in content  # sorted, no spaces
    entry = RegisterEntry.objects.get(document_type=register.VERSION_TYPE)
    assert entry.document_id == str(version.pk)
    assert entry.file_sha256 == version.sha256
    current = list(register.version_register_current())
    assert len(current) == 1
    assert current[0].file_sha256 == entry.file_sha256
    assert current[0].metadata["version"] == 1
    # `manage.py verify_register`: the version as it is now is what its entry hashed,
    # and the stored file has that SHA-256.
    assert register_audit(check_files=True).problems == []
    deadline = programme.update_deadline
    assert deadline is not None and deadline.status == DeadlineStatus.OPEN
    assert deadline.limit.code == "openplan.update"
    event = Event.objects.get(action="openplan.adopt")
    assert event.data["version"] == 1 and event.data["agenda_item"] == item.pk


def test_the_adoption_date_falls_back_on_the_sitting_day(
    programme: Programme, commitment: Commitment, focal_point: User, make_item: MakeItem
) -> None:
    item = make_item()
    AgendaItem.objects.filter(pk=item.pk).update(decided_at=None)
    item.refresh_from_db()
    version = adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    assert version.adopted_on == item.session.held_on


@pytest.mark.parametrize(
    "spoil",
    [
        {"result": ItemResult.REJECTED},
        {"result": ItemResult.POSTPONED},
        {"decision_ar": "", "decision_fr": ""},
        {"deleted": True},
    ],
)
def test_an_item_not_adopted_with_a_decision_is_refused(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    make_item: MakeItem,
    spoil: dict[str, object],
) -> None:
    item = make_item()
    AgendaItem.objects.filter(pk=item.pk).update(**spoil)
    item.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    assert "agenda_item" in caught.value.message_dict
    programme.refresh_from_db()
    assert programme.status == Status.DRAFTING
    assert not Version.objects.exists()
    assert not RegisterEntry.objects.filter(document_type=register.VERSION_TYPE).exists()


def test_a_foreign_council_s_decision_is_refused(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    make_item: MakeItem,
    collectivity_b: Collectivity,
) -> None:
    item = make_item()
    term = Term.objects.create(
        collectivity=collectivity_b, name_ar="ولاية", start_date=dt.date(2021, 9, 20)
    )
    Session.objects.filter(pk=item.session_id).update(collectivity=collectivity_b, term=term)
    item.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    assert "agenda_item" in caught.value.message_dict
    assert not Version.objects.exists()


def test_a_decision_cannot_adopt_twice(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    make_item: MakeItem,
    collectivity_a: Collectivity,
) -> None:
    item = make_item()
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    other = core.programme_create(
        collectivity=collectivity_a,
        actor=focal_point,
        data={**PROGRAMME_DATA, "title_fr": "Plan d'action OGP"},
    )
    core.commitment_create(programme=other, actor=focal_point, data={"title_fr": "Un"})
    with pytest.raises(ValidationError) as caught:
        adoption.programme_adopt(programme=other, actor=focal_point, agenda_item=item)
    assert "agenda_item" in caught.value.message_dict
    assert item not in adoption.decision_candidates(other)
    programme.refresh_from_db()
    with pytest.raises(ValidationError):
        adoption.programme_amend(
            programme=programme, actor=focal_point, agenda_item=item, note="Encore"
        )
    assert Version.objects.count() == 1


def test_adoption_waits_for_the_consultation_to_close(
    programme: Programme, commitment: Commitment, focal_point: User, make_item: MakeItem
) -> None:
    consultation = _consult(programme, focal_point)
    item = make_item()
    with pytest.raises(ValidationError):
        adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    _close(consultation)
    # Decided two days ago, before the consultation closed yesterday: not its adoption.
    with pytest.raises(ValidationError) as caught:
        adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    assert "agenda_item" in caught.value.message_dict
    AgendaItem.objects.filter(pk=item.pk).update(decided_at=timezone.now())
    item.refresh_from_db()
    version = adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=item)
    assert version.number == 1


def test_adoption_needs_a_commitment(
    programme: Programme, focal_point: User, make_item: MakeItem
) -> None:
    with pytest.raises(ValidationError):
        adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=make_item())
    assert not Version.objects.exists()


def test_a_monitor_and_charlie_cannot_adopt(
    programme: Programme,
    commitment: Commitment,
    monitor: User,
    charlie: User,
    make_item: MakeItem,
) -> None:
    item = make_item()
    for actor in (monitor, charlie):
        with pytest.raises(PermissionDenied):
            adoption.programme_adopt(programme=programme, actor=actor, agenda_item=item)
    assert not Version.objects.exists()


def test_amendments_are_new_versions_with_their_own_decision(
    programme: Programme, commitment: Commitment, focal_point: User, make_item: MakeItem
) -> None:
    with pytest.raises(TransitionNotAllowed):
        adoption.programme_amend(
            programme=programme, actor=focal_point, agenda_item=make_item(), note="Trop tôt"
        )
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=make_item())
    _second(programme, focal_point)
    item = make_item()
    with pytest.raises(ValidationError) as caught:
        adoption.programme_amend(programme=programme, actor=focal_point, agenda_item=item, note="")
    assert "note" in caught.value.message_dict
    version = adoption.programme_amend(
        programme=programme, actor=focal_point, agenda_item=item, note="Engagement 2 ajouté"
    )
    programme.refresh_from_db()
    assert version.number == 2 and programme.status == Status.ADOPTED
    document = json.loads(version.file.read())
    assert [c["number"] for c in document["commitments"]] == [1, 2]
    assert [v["number"] for v in document["versions"]] == [1, 2]
    first = json.loads(programme.versions.get(number=1).file.read())
    assert [c["number"] for c in first["commitments"]] == [1]
    assert len(list(register.version_register_current())) == 2
    assert register_audit(check_files=True).problems == []
    assert Event.objects.filter(action="openplan.amend").count() == 1


def test_evaluate_close_and_the_clocks(
    programme: Programme, commitment: Commitment, focal_point: User, make_item: MakeItem
) -> None:
    with pytest.raises(TransitionNotAllowed):
        adoption.programme_evaluate(programme=programme, actor=focal_point)
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=make_item())
    programme.refresh_from_db()
    clock = programme.update_deadline
    assert clock is not None
    adoption.programme_evaluate(programme=programme, actor=focal_point, note="Bilan")
    programme.refresh_from_db()
    assert programme.status == Status.EVALUATING
    with pytest.raises(ValidationError):
        adoption.programme_close(programme=programme, actor=focal_point, note="x\x00")
    adoption.programme_close(programme=programme, actor=focal_point)
    programme.refresh_from_db()
    assert programme.status == Status.CLOSED and programme.closed_at is not None
    assert Deadline.objects.get(pk=clock.pk).status == DeadlineStatus.CANCELLED
    with pytest.raises(TransitionNotAllowed):
        adoption.programme_abandon(programme=programme, actor=focal_point, reason="trop tard")


def test_abandon_before_adoption_closes_the_open_consultation(
    programme: Programme, commitment: Commitment, focal_point: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        adoption.programme_abandon(programme=programme, actor=focal_point, reason="  ")
    assert "reason" in caught.value.message_dict
    consultation = _consult(programme, focal_point)
    adoption.programme_abandon(programme=programme, actor=focal_point, reason="Fin du mandat")
    programme.refresh_from_db()
    consultation.refresh_from_db()
    assert programme.status == Status.ABANDONED
    assert consultation.is_closed
    assert Event.objects.get(action="openplan.abandon").note == "Fin du mandat"


def test_schedule_puts_the_adoption_on_a_session_in_preparation(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    staff_a: User,
    collectivity_a: Collectivity,
) -> None:
    term = Term.objects.create(
        collectivity=collectivity_a, name_ar="ولاية", start_date=dt.date(2021, 9, 20)
    )
    session = Session.objects.create(
        collectivity=collectivity_a,
        term=term,
        kind=SessionKind.ORDINARY,
        status=SessionStatus.DRAFT,
        reference="SES-2026-9",
        title_ar="دورة",
        starts_at=timezone.now() + dt.timedelta(days=20),
    )
    assert adoption.sessions_to_schedule(programme) == [session]
    with pytest.raises(PermissionDenied):
        adoption.programme_schedule(programme=programme, actor=focal_point, session=session)
    item = adoption.programme_schedule(programme=programme, actor=staff_a, session=session)
    assert item.session == session and item.number == 1
    assert programme.title_fr in item.title_fr and programme.title_ar in item.title_ar
    assert programme.reference in item.description
    assert Event.objects.filter(action="openplan.scheduled").count() == 1
    Session.objects.filter(pk=session.pk).update(status=SessionStatus.CONVENED)
    session.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        adoption.programme_schedule(programme=programme, actor=staff_a, session=session)
    assert AgendaItem.objects.filter(session=session).count() == 1


def test_public_consultation_pages_show_the_draft(
    programme: Programme, commitment: Commitment, focal_point: User
) -> None:
    consultation = _consult(programme, focal_point)
    commitment.refresh_from_db()
    assert commitment.section is not None
    for lang in ("ar", "fr"):
        base = f"/{lang}/c/{programme.collectivity.slug}/consultations/{consultation.pk}/"
        response = Client().get(base)
        assert response.status_code == 200
        title = getattr(commitment.section, f"title_{lang}")
        assert escape(title) in response.content.decode()
        section = Client().get(f"{base}sections/{commitment.section.pk}/")
        assert section.status_code == 200
    listing = Client().get(f"/fr/c/{programme.collectivity.slug}/consultations/")
    assert f"/consultations/{consultation.pk}/" in listing.content.decode()
