"""Votes, statements and moderation through the services; the model's invariants."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.participation.labs import selectors, services
from infitah.participation.labs.models import Lab, Statement, StatementStatus, Vote, Voter
from infitah.participation.labs.tests.conftest import Voters, lab_input
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def test_one_vote_per_participant_and_statement_is_a_database_constraint(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    Vote.objects.create(lab=lab, statement=statements[0], participant=participant, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(lab=lab, statement=statements[0], participant=participant, value=-1)


def test_a_vote_value_outside_minus_one_to_one_is_refused_by_the_database(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(lab=lab, statement=statements[0], participant=participant, value=2)


def test_a_changed_mind_updates_the_vote(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    first, created = services.vote_cast(
        lab=lab, participant=participant, statement_id=statements[0].pk, value=1
    )
    assert created
    again, created_again = services.vote_cast(
        lab=lab, participant=participant, statement_id=statements[0].pk, value=-1
    )
    assert not created_again
    assert again.pk == first.pk
    assert list(Vote.objects.filter(participant=participant).values_list("value", flat=True)) == [
        -1
    ]


def test_each_change_bumps_the_revision_but_a_repeated_vote_does_not(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    services.vote_cast(lab=lab, participant=participant, statement_id=statements[0].pk, value=1)
    services.vote_cast(lab=lab, participant=participant, statement_id=statements[0].pk, value=1)
    lab.refresh_from_db()
    assert lab.revision == 1
    assert lab.is_dirty
    services.vote_cast(lab=lab, participant=participant, statement_id=statements[0].pk, value=0)
    lab.refresh_from_db()
    assert lab.revision == 2


@pytest.mark.parametrize("value", [2, -2, "yes", None, True, 0.5, "", "1000"])
def test_a_bad_vote_value_is_refused(
    lab: Lab, statements: list[Statement], participant: Participant, value: object
) -> None:
    with pytest.raises(ValidationError):
        services.vote_cast(
            lab=lab, participant=participant, statement_id=statements[0].pk, value=value
        )
    assert not Vote.objects.exists()


def test_voters_get_stable_numbers_in_order_of_first_vote(
    lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    a, b = voters(2)
    services.vote_cast(lab=lab, participant=b, statement_id=statements[0].pk, value=1)
    services.vote_cast(lab=lab, participant=a, statement_id=statements[0].pk, value=1)
    services.vote_cast(lab=lab, participant=b, statement_id=statements[1].pk, value=-1)
    numbers = dict(Voter.objects.filter(lab=lab).values_list("participant_id", "number"))
    assert numbers == {b.pk: 1, a.pk: 2}


def test_a_closed_lab_refuses_votes_and_statements(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    with time_machine.travel(lab.closes_at + timedelta(seconds=1)):
        assert lab.is_closed and not lab.is_open
        with pytest.raises(services.LabClosed):
            services.vote_cast(
                lab=lab, participant=participant, statement_id=statements[0].pk, value=1
            )
        with pytest.raises(services.LabClosed):
            services.statement_submit(lab=lab, participant=participant, text="عبارة جديدة")
    assert not Vote.objects.exists()


def test_an_upcoming_lab_refuses_votes(
    collectivity_a: Collectivity, focal_point: User, participant: Participant
) -> None:
    now = timezone.now()
    lab = services.lab_create(
        collectivity=collectivity_a,
        actor=focal_point,
        data=lab_input(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=5)),
    )
    (statement,) = services.statements_seed(lab=lab, actor=focal_point, texts=["عبارة"])
    with pytest.raises(services.LabClosed) as caught:
        services.vote_cast(lab=lab, participant=participant, statement_id=statement.pk, value=1)
    assert caught.value.message == "This lab is not open yet."


def test_pending_rejected_and_foreign_statements_cannot_be_voted_on(
    lab: Lab,
    statements: list[Statement],
    participant: Participant,
    collectivity_a: Collectivity,
    focal_point: User,
) -> None:
    pending = services.statement_submit(lab=lab, participant=participant, text="عبارة معلقة")
    assert pending.status == StatementStatus.PENDING
    other_lab = services.lab_create(
        collectivity=collectivity_a, actor=focal_point, data=lab_input()
    )
    (foreign,) = services.statements_seed(lab=other_lab, actor=focal_point, texts=["أخرى"])
    for statement_id in (pending.pk, foreign.pk, 999_999):
        with pytest.raises(services.StatementUnavailable):
            services.vote_cast(lab=lab, participant=participant, statement_id=statement_id, value=1)
    services.statement_moderate(
        statement=pending, actor=focal_point, approve=False, reason="خارج الموضوع"
    )
    with pytest.raises(services.StatementUnavailable):
        services.vote_cast(lab=lab, participant=participant, statement_id=pending.pk, value=1)


# ------------------------------------------------------------------------ statements


def test_a_participant_statement_awaits_moderation_then_is_approved(
    lab: Lab, participant: Participant, focal_point: User
) -> None:
    statement = services.statement_submit(
        lab=lab, participant=participant, text="  يجب   نشر جدول الأعمال مسبقا  "
    )
    assert statement.status == StatementStatus.PENDING
    assert statement.text == "يجب نشر جدول الأعمال مسبقا"
    assert selectors.moderation_queue(lab=lab) == [statement]
    services.statement_moderate(statement=statement, actor=focal_point, approve=True)
    statement.refresh_from_db()
    assert statement.status == StatementStatus.APPROVED
    assert statement.moderated_by == focal_point
    assert selectors.moderation_queue(lab=lab) == []
    assert Event.objects.filter(
        action="labs.statement_approved", object_id=str(statement.pk)
    ).exists()


def test_without_moderation_a_statement_is_approved_at_once(
    collectivity_a: Collectivity, focal_point: User, participant: Participant
) -> None:
    lab = services.lab_create(
        collectivity=collectivity_a, actor=focal_point, data=lab_input(moderate_statements=False)
    )
    statement = services.statement_submit(lab=lab, participant=participant, text="عبارة")
    assert statement.status == StatementStatus.APPROVED


def test_rejection_needs_a_reason_and_is_final(
    lab: Lab, participant: Participant, focal_point: User
) -> None:
    statement = services.statement_submit(lab=lab, participant=participant, text="عبارة")
    with pytest.raises(ValidationError) as caught:
        services.statement_moderate(statement=statement, actor=focal_point, approve=False)
    assert "reason" in caught.value.message_dict
    services.statement_moderate(
        statement=statement, actor=focal_point, approve=False, reason="إساءة"
    )
    statement.refresh_from_db()
    assert (statement.status, statement.rejection_reason) == (StatementStatus.REJECTED, "إساءة")
    with pytest.raises(services.ModerationNotAllowed):
        services.statement_moderate(statement=statement, actor=focal_point, approve=True)


def test_withdrawing_a_voted_statement_marks_the_report_stale(
    lab: Lab, statements: list[Statement], participant: Participant, focal_point: User
) -> None:
    services.vote_cast(lab=lab, participant=participant, statement_id=statements[0].pk, value=1)
    lab.refresh_from_db()
    before = lab.revision
    services.statement_moderate(
        statement=statements[0], actor=focal_point, approve=False, reason="مكرر"
    )
    lab.refresh_from_db()
    assert lab.revision == before + 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write the statement."),
        ("   ", "Write the statement."),
        ("ا" * 281, "At most 280 characters."),
        ("a\x00b", "This text contains a forbidden character."),
    ],
)
def test_a_bad_statement_is_refused(
    lab: Lab, participant: Participant, text: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.statement_submit(lab=lab, participant=participant, text=text)
    assert caught.value.message_dict == {"text": [message]}
    assert not Statement.objects.exists()


def test_a_statement_of_exactly_280_characters_is_accepted(
    lab: Lab, participant: Participant
) -> None:
    statement = services.statement_submit(lab=lab, participant=participant, text="ب" * 280)
    assert len(statement.text) == 280


def test_a_duplicate_statement_is_refused(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.statement_submit(lab=lab, participant=participant, text=statements[0].text)
    assert caught.value.message_dict == {"text": ["This statement is already in the lab."]}


def test_a_participant_may_write_a_limited_number_of_statements(
    lab: Lab, participant: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "STATEMENTS_PER_PARTICIPANT", 2)
    services.statement_submit(lab=lab, participant=participant, text="واحد")
    services.statement_submit(lab=lab, participant=participant, text="اثنان")
    with pytest.raises(ValidationError):
        services.statement_submit(lab=lab, participant=participant, text="ثلاثة")


def test_seeding_skips_blank_and_repeated_lines_and_checks_every_line_first(
    lab: Lab, focal_point: User
) -> None:
    created = services.statements_seed(
        lab=lab, actor=focal_point, texts=["أولى", "", "ثانية", "أولى"]
    )
    assert [s.text for s in created] == ["أولى", "ثانية"]
    assert all(s.status == StatementStatus.APPROVED and s.is_seed for s in created)
    with pytest.raises(ValidationError) as caught:
        services.statements_seed(lab=lab, actor=focal_point, texts=["ثالثة", "x" * 281])
    assert caught.value.message_dict == {"texts": ["Line 2: At most 280 characters."]}
    assert Statement.objects.filter(lab=lab).count() == 2
    again = services.statements_seed(lab=lab, actor=focal_point, texts=["أولى"])
    assert again == []


def test_a_lab_must_close_after_it_opens(collectivity_a: Collectivity, focal_point: User) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        services.lab_create(
            collectivity=collectivity_a,
            actor=focal_point,
            data=lab_input(opens_at=now, closes_at=now, question_ar=" "),
        )
    assert set(caught.value.message_dict) == {"closes_at", "question_ar"}
    assert not Lab.objects.exists()


def test_the_seed_is_drawn_once_and_kept(collectivity_a: Collectivity, focal_point: User) -> None:
    lab = services.lab_create(collectivity=collectivity_a, actor=focal_point, data=lab_input())
    assert lab.seed > 0
    seed = lab.seed
    services.lab_update(lab=lab, actor=focal_point, data=lab_input(question_ar="سؤال آخر"))
    lab.refresh_from_db()
    assert (lab.seed, lab.question_ar) == (seed, "سؤال آخر")


def test_days_left_rounds_up(lab: Lab) -> None:
    with time_machine.travel(lab.closes_at - timedelta(days=2, hours=3)):
        assert lab.days_left == 3
    with time_machine.travel(lab.closes_at + timedelta(hours=1)):
        assert lab.days_left == 0
