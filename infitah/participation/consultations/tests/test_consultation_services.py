"""Creating and changing a consultation and its sections: the calendar's rules, bad input
on every field (a translated message, nothing changed), the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.utils import translation

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.participation.consultations import selectors, services
from infitah.participation.consultations.models import Consultation, Section
from infitah.participation.consultations.services import NotAllowed
from infitah.participation.consultations.tests.conftest import (
    NOW,
    Consult,
    consultation_input,
    sections_of,
)
from infitah.participation.consultations.workflow import Phase
from infitah.participation.models import Participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title_ar": "", "title_fr": ""}, "title_ar"),
        ({"title_ar": "x" * 201}, "title_ar"),
        ({"title_fr": "a\x00b"}, "title_fr"),
        ({"description_ar": "x" * 20_001}, "description_ar"),
        ({"description_fr": "\x00"}, "description_fr"),
        ({"kind": "manifesto"}, "kind"),
        ({"moderation": "never"}, "moderation"),
        ({"opens_at": None}, "opens_at"),
        ({"closes_at": None}, "closes_at"),
        ({"closes_at": NOW - dt.timedelta(days=2)}, "closes_at"),  # before the opening
        (
            {"opens_at": NOW - dt.timedelta(days=9), "closes_at": NOW - dt.timedelta(days=1)},
            "closes_at",
        ),
    ],
)
def test_bad_input_on_every_field_creates_nothing(
    collectivity_a: Collectivity, focal: User, overrides: dict[str, object], field: str
) -> None:
    with translation.override("fr"), pytest.raises(ValidationError) as exc:
        services.consultation_create(
            collectivity=collectivity_a, actor=focal, data=consultation_input(**overrides)
        )
    assert field in _fields(exc)
    assert Consultation.objects.count() == 0 and Event.objects.count() == 0


def test_messages_are_gettext_strings(collectivity_a: Collectivity, focal: User) -> None:
    with pytest.raises(ValidationError) as exc:
        services.consultation_create(
            collectivity=collectivity_a,
            actor=focal,
            data=consultation_input(title_ar="", title_fr=""),
        )
    assert exc.value.message_dict["title_ar"] == ["Give the title in Arabic or in French."]


def test_create_records_a_ledger_event(consult: Consult, focal: User) -> None:
    c = consult()
    assert c.phase() == Phase.OPEN and c.days_left == 10
    event = Event.objects.get(action="consultations.created")
    assert (event.object_id, event.actor, event.collectivity_id) == (
        str(c.pk),
        focal,
        c.collectivity_id,
    )
    assert Event.objects.filter(action="consultations.section_saved").count() == 2


def test_phases_follow_the_calendar(consult: Consult) -> None:
    c = consult(opens_at=NOW + dt.timedelta(days=2), closes_at=NOW + dt.timedelta(days=5))
    assert c.phase() == Phase.UPCOMING and c.days_left is None and c.days_to_opening == 2
    assert list(Consultation.objects.upcoming()) == [c]
    with time_machine.travel(NOW + dt.timedelta(days=4), tick=False):
        assert c.phase() == Phase.OPEN and c.days_left == 1
        assert list(Consultation.objects.open()) == [c]
    with time_machine.travel(c.closes_at, tick=False):
        assert c.phase() == Phase.CLOSED and c.days_left is None
        assert list(Consultation.objects.closed()) == [c]


def test_days_left_is_zero_on_the_closing_day(consult: Consult) -> None:
    c = consult(closes_at=NOW + dt.timedelta(hours=5))
    assert c.days_left == 0


def test_update_while_open_keeps_the_opening(consult: Consult, focal: User) -> None:
    c = consult()
    with pytest.raises(ValidationError) as exc:
        services.consultation_update(
            consultation=c, actor=focal, data=consultation_input(opens_at=NOW)
        )
    assert "opens_at" in _fields(exc)
    later = NOW + dt.timedelta(days=30)
    services.consultation_update(
        consultation=c,
        actor=focal,
        data=consultation_input(opens_at=c.opens_at, closes_at=later, title_fr="Nouveau titre"),
    )
    c.refresh_from_db()
    assert (c.closes_at, c.title_fr) == (later, "Nouveau titre")
    with pytest.raises(ValidationError) as past:
        services.consultation_update(
            consultation=c,
            actor=focal,
            data=consultation_input(opens_at=c.opens_at, closes_at=NOW - dt.timedelta(hours=1)),
        )
    assert "closes_at" in _fields(past)


def test_a_closed_consultation_cannot_change(consult: Consult, focal: User) -> None:
    c = consult()
    with time_machine.travel(NOW + dt.timedelta(days=11), tick=False):
        with pytest.raises(NotAllowed):
            services.consultation_update(
                consultation=c, actor=focal, data=consultation_input(title_fr="Autre")
            )
        with pytest.raises(NotAllowed):
            services.section_save(
                consultation=c, actor=focal, title_ar="ج", title_fr="N", body_ar="ن", body_fr="T"
            )
        with pytest.raises(NotAllowed):
            services.section_delete(section=sections_of(c)[0], actor=focal)
    c.refresh_from_db()
    assert c.title_fr != "Autre" and c.sections.count() == 2  # type: ignore[attr-defined]


def test_close_now(consult: Consult, focal: User) -> None:
    c = consult()
    services.consultation_close(consultation=c, actor=focal)
    c.refresh_from_db()
    assert c.phase() == Phase.CLOSED
    assert Event.objects.filter(action="consultations.closed", object_id=str(c.pk)).exists()
    with pytest.raises(NotAllowed):
        services.consultation_close(consultation=c, actor=focal)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title_ar": "", "title_fr": ""}, "title_ar"),
        ({"title_fr": "x" * 201}, "title_fr"),
        ({"body_ar": "", "body_fr": ""}, "body_ar"),
        ({"body_fr": "\x00"}, "body_fr"),
        ({"order": 0}, "order"),
        ({"order": 1000}, "order"),
    ],
)
def test_section_bad_input(
    consult: Consult, focal: User, overrides: dict[str, object], field: str
) -> None:
    c = consult(sections=[])
    values: dict[str, object] = {
        "title_ar": "عنوان",
        "title_fr": "Titre",
        "body_ar": "نص",
        "body_fr": "Texte",
        "order": 1,
    }
    values.update(overrides)
    with pytest.raises(ValidationError) as exc:
        services.section_save(consultation=c, actor=focal, **values)  # type: ignore[arg-type]
    assert field in _fields(exc)
    assert Section.objects.count() == 0


def test_section_text_is_frozen_once_participants_react(
    consult: Consult, focal: User, participant: Participant
) -> None:
    c = consult()
    section, other = sections_of(c)
    services.stance_set(section=section, participant=participant, value="support")
    with pytest.raises(NotAllowed):
        services.section_save(
            consultation=c,
            actor=focal,
            section=section,
            title_ar=section.title_ar,
            title_fr=section.title_fr,
            body_ar="نص آخر",
            body_fr=section.body_fr,
        )
    with pytest.raises(NotAllowed):
        services.section_delete(section=section, actor=focal)
    # Its order may still change.
    services.section_save(
        consultation=c,
        actor=focal,
        section=section,
        order=5,
        title_ar=section.title_ar,
        title_fr=section.title_fr,
        body_ar=section.body_ar,
        body_fr=section.body_fr,
    )
    section.refresh_from_db()
    assert (section.order, section.body_ar) == (5, "نشر المعطيات المالية.")
    services.section_delete(section=other, actor=focal)
    assert list(c.sections.all()) == [section]  # type: ignore[attr-defined]


def test_section_of_another_consultation_is_refused(consult: Consult, focal: User) -> None:
    one, two = consult(), consult()
    with pytest.raises(ValidationError):
        services.section_save(
            consultation=one,
            actor=focal,
            section=sections_of(two)[0],
            title_ar="ع",
            title_fr="T",
            body_ar="ن",
            body_fr="B",
        )


def test_reads_are_scoped_to_the_collectivity(
    consult: Consult,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    participant: Participant,
) -> None:
    ours = consult()
    theirs = consult(collectivity=collectivity_b)
    comment = services.comment_post(
        section=sections_of(theirs)[0], participant=participant, text="x"
    )
    assert selectors.consultation_get(collectivity=collectivity_a, pk=theirs.pk) is None
    assert [c.pk for c in selectors.consultation_list(collectivity=collectivity_a)] == [ours.pk]
    assert selectors.section_get(consultation=ours, pk=sections_of(theirs)[0].pk) is None
    assert selectors.comment_get(consultation=ours, pk=comment.pk) is None
    # B is not a network member: its consultations are not public.
    assert selectors.public_consultation_get(pk=theirs.pk) is None
    assert selectors.public_consultation_get(pk=ours.pk) == ours
