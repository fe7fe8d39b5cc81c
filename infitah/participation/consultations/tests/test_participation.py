"""Comments, replies, moderation and stances through the services: pre- and
post-moderation, reasons, one level of replies, one stance per participant and section,
nothing accepted outside the consultation's dates."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.participation.consultations import selectors, services
from infitah.participation.consultations.models import COMMENT_MAX, Comment, Stance
from infitah.participation.consultations.services import NotAllowed
from infitah.participation.consultations.tests.conftest import NOW, Consult, sections_of
from infitah.participation.consultations.workflow import CommentStatus, Moderation
from infitah.participation.models import Participant
from infitah.participation.testing import make_participant

pytestmark = pytest.mark.django_db


def _published(consultation, section) -> list[str]:
    threads = selectors.published_threads(consultation=consultation).get(section.pk, [])
    return [t.comment.text for t in threads]


# --------------------------------------------------------------------------- comments


def test_pre_moderation_hides_a_comment_until_approved(
    consult: Consult, participant: Participant, focal: User
) -> None:
    c = consult(moderation=Moderation.PRE)
    section = sections_of(c)[0]
    comment = services.comment_post(section=section, participant=participant, text="  رأيي  ")
    assert (comment.status, comment.text) == (CommentStatus.PENDING, "رأيي")
    assert _published(c, section) == []
    assert [x.pk for x in selectors.moderation_queue(consultation=c)] == [comment.pk]
    services.comment_moderate(comment=comment, actor=focal, action="approve")
    assert _published(c, section) == ["رأيي"]
    assert selectors.moderation_queue(consultation=c) == []
    comment.refresh_from_db()
    assert comment.moderated_by == focal and comment.moderated_at is not None
    actions = list(
        Event.objects.filter(object_id=str(comment.pk), object_type="consultations.comment")
        .order_by("pk")
        .values_list("action", "from_state", "to_state")
    )
    assert actions == [
        ("consultations.comment_posted", "", "pending"),
        ("consultations.approve", "pending", "published"),
    ]


def test_post_moderation_publishes_at_once_and_a_hidden_comment_disappears(
    consult: Consult, participant: Participant, focal: User
) -> None:
    c = consult(moderation=Moderation.POST)
    section = sections_of(c)[0]
    comment = services.comment_post(section=section, participant=participant, text="Avis")
    assert comment.status == CommentStatus.PUBLISHED and _published(c, section) == ["Avis"]
    services.comment_moderate(
        comment=comment, actor=focal, action="hide", reason="abusive", note="Insultes"
    )
    assert _published(c, section) == []
    comment.refresh_from_db()
    assert (comment.status, comment.reason, comment.reason_note) == (
        "hidden",
        "abusive",
        "Insultes",
    )
    # The author sees it, with the reason.
    own = selectors.participant_pending(consultation=c, participant=participant)
    assert [x.pk for x in own[section.pk]] == [comment.pk]
    services.comment_moderate(comment=comment, actor=focal, action="approve")
    comment.refresh_from_db()
    assert (comment.status, comment.reason, comment.reason_note) == ("published", "", "")


def test_rejection_needs_a_reason_from_the_list(
    consult: Consult, participant: Participant, focal: User
) -> None:
    comment = services.comment_post(
        section=sections_of(consult())[0], participant=participant, text="Spam"
    )
    for reason, note, field in (
        ("", "", "reason"),
        ("rude", "", "reason"),
        ("spam", "x" * 501, "note"),
        ("spam", "\x00", "note"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.comment_moderate(
                comment=comment, actor=focal, action="reject", reason=reason, note=note
            )
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.comment_moderate(comment=comment, actor=focal, action="delete")
    comment.refresh_from_db()
    assert comment.status == CommentStatus.PENDING
    services.comment_moderate(comment=comment, actor=focal, action="reject", reason="spam")
    comment.refresh_from_db()
    assert (comment.status, comment.reason) == ("rejected", "spam")
    # Hiding is for published comments; rejecting twice is not possible.
    for action in ("hide", "reject"):
        with pytest.raises(NotAllowed):
            services.comment_moderate(comment=comment, actor=focal, action=action, reason="spam")


def test_the_constraint_keeps_a_reason_on_refused_comments(
    consult: Consult, participant: Participant
) -> None:
    comment = services.comment_post(
        section=sections_of(consult())[0], participant=participant, text="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(status="rejected", reason="")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write your comment."),
        ("   ", "Write your comment."),
        ("x" * (COMMENT_MAX + 1), "At most 5000 characters."),
        ("a\x00b", "This text contains a forbidden character."),
    ],
)
def test_bad_comment_text(
    consult: Consult, participant: Participant, text: str, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.comment_post(section=sections_of(consult())[0], participant=participant, text=text)
    assert exc.value.message_dict == {"text": [message]}
    assert Comment.objects.count() == 0


def test_a_comment_of_the_maximum_length_is_accepted(
    consult: Consult, participant: Participant
) -> None:
    comment = services.comment_post(
        section=sections_of(consult())[0], participant=participant, text="ب" * COMMENT_MAX
    )
    assert len(comment.text) == COMMENT_MAX


def test_the_same_text_sent_twice_is_one_comment(
    consult: Consult, participant: Participant
) -> None:
    section = sections_of(consult())[0]
    first = services.comment_post(section=section, participant=participant, text="Deux fois")
    again = services.comment_post(section=section, participant=participant, text="Deux fois")
    assert first.pk == again.pk and Comment.objects.count() == 1


def test_an_unverified_participant_cannot_take_part(consult: Consult) -> None:
    unverified = Participant.objects.create(email="new@example.test", display_name="New")
    section = sections_of(consult())[0]
    with pytest.raises(NotAllowed):
        services.comment_post(section=section, participant=unverified, text="x")
    with pytest.raises(NotAllowed):
        services.stance_set(section=section, participant=unverified, value="support")
    assert not Comment.objects.exists() and not Stance.objects.exists()


# ---------------------------------------------------------------------------- replies


def test_replies_one_level(consult: Consult, participant: Participant, focal: User) -> None:
    c = consult(moderation=Moderation.POST)
    section, other = sections_of(c)
    bob = make_participant(email="bob@example.test", display_name="Bob")
    top = services.comment_post(section=section, participant=participant, text="Question")
    reply = services.comment_post(section=section, participant=bob, text="Réponse", parent=top)
    threads = selectors.published_threads(consultation=c)[section.pk]
    assert [(t.comment.pk, [r.pk for r in t.replies]) for t in threads] == [(top.pk, [reply.pk])]
    # No reply to a reply, nor across sections.
    with pytest.raises(ValidationError) as deep:
        services.comment_post(section=section, participant=participant, text="x", parent=reply)
    assert "parent" in deep.value.message_dict
    with pytest.raises(ValidationError):
        services.comment_post(section=other, participant=participant, text="x", parent=top)
    # A reply to a comment that is hidden is no longer shown.
    services.comment_moderate(comment=top, actor=focal, action="hide", reason="off_topic")
    assert selectors.published_threads(consultation=c).get(section.pk, []) == []
    with pytest.raises(ValidationError):
        services.comment_post(section=section, participant=bob, text="Encore", parent=top)


def test_no_reply_to_a_comment_awaiting_moderation(
    consult: Consult, participant: Participant
) -> None:
    section = sections_of(consult(moderation=Moderation.PRE))[0]
    pending = services.comment_post(section=section, participant=participant, text="En attente")
    with pytest.raises(ValidationError):
        services.comment_post(section=section, participant=participant, text="x", parent=pending)


# ---------------------------------------------------------------------------- stances


def test_one_stance_per_participant_and_section(consult: Consult, participant: Participant) -> None:
    c = consult()
    section, other = sections_of(c)
    services.stance_set(section=section, participant=participant, value="support")
    services.stance_set(section=section, participant=participant, value="oppose")
    services.stance_set(section=other, participant=participant, value="support")
    assert dict(Stance.objects.values_list("section_id", "value")) == {
        section.pk: "oppose",
        other.pk: "support",
    }
    counts = {
        s.pk: (s.n_supports, s.n_opposes)  # type: ignore[attr-defined]
        for s in selectors.section_list(consultation=c)
    }
    assert counts == {section.pk: (0, 1), other.pk: (1, 0)}
    assert selectors.participant_stances(consultation=c, participant=participant) == {
        section.pk: "oppose",
        other.pk: "support",
    }
    services.stance_set(section=section, participant=participant, value="withdraw")
    assert list(Stance.objects.values_list("section_id", flat=True)) == [other.pk]
    changes = list(
        Event.objects.filter(action="consultations.stance_set", object_id=str(section.pk))
        .order_by("pk")
        .values_list("from_state", "to_state")
    )
    assert changes == [("", "support"), ("support", "oppose"), ("oppose", "")]


def test_the_database_refuses_a_second_stance(consult: Consult, participant: Participant) -> None:
    c = consult()
    section = sections_of(c)[0]
    services.stance_set(section=section, participant=participant, value="support")
    with pytest.raises(IntegrityError), transaction.atomic():
        Stance.objects.create(
            consultation=c, section=section, participant=participant, value="oppose"
        )


def test_bad_stance_value(consult: Consult, participant: Participant) -> None:
    for value in ("", "maybe", "SUPPORT"):
        with pytest.raises(ValidationError):
            services.stance_set(
                section=sections_of(consult())[0], participant=participant, value=value
            )
    assert not Stance.objects.exists()


# ---------------------------------------------------------------------------- dates


def test_nothing_is_accepted_before_opening_or_after_closing(
    consult: Consult, participant: Participant, focal: User
) -> None:
    c = consult(opens_at=NOW + dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=3))
    section = sections_of(c)[0]
    with pytest.raises(NotAllowed, match="not open yet"):
        services.comment_post(section=section, participant=participant, text="Trop tôt")
    with pytest.raises(NotAllowed):
        services.stance_set(section=section, participant=participant, value="support")
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        comment = services.comment_post(section=section, participant=participant, text="À temps")
        services.stance_set(section=section, participant=participant, value="support")
    with time_machine.travel(c.closes_at, tick=False):
        with pytest.raises(NotAllowed, match="closed"):
            services.comment_post(section=section, participant=participant, text="Trop tard")
        with pytest.raises(NotAllowed, match="closed"):
            services.stance_set(section=section, participant=participant, value="oppose")
        with pytest.raises(NotAllowed):
            services.stance_set(section=section, participant=participant, value="withdraw")
        # Moderation goes on after closing.
        services.comment_moderate(comment=comment, actor=focal, action="approve")
    assert list(Comment.objects.values_list("text", "status")) == [("À temps", "published")]
    assert list(Stance.objects.values_list("value", flat=True)) == ["support"]
