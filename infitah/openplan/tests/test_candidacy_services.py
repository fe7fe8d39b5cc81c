"""The OGP Local candidacy's writes: one file prepared at a time, letters of support
(checked files), submission refused with one message per unmet criterion, acceptance
and the action plan linked; a submitted candidacy no longer changes; permissions and
tenancy; bad input writes nothing."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.openplan.models import Candidacy, Programme, SupportLetter
from infitah.openplan.services import core
from infitah.openplan.services import forum as services
from infitah.openplan.tests.conftest import PNG, PROGRAMME_DATA, pdf_file
from infitah.openplan.tests.test_forum_services import denied, refused
from infitah.openplan.workflow import Kind
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _data(**extra: object) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "term_ends_on": (today + dt.timedelta(days=800)).isoformat(),
        "track_record": "ورشات الإنشاء المشترك لبرنامج الانفتاح 2023",
        "ambition": "لوحة قيادة مفتوحة للميزانية",
        **extra,
    }


@pytest.fixture
def candidacy(collectivity_a: Collectivity, focal_point: User) -> Candidacy:
    return services.candidacy_save(collectivity=collectivity_a, actor=focal_point, data=_data())


def _head(candidacy: Candidacy, actor: User) -> SupportLetter:
    return services.letter_add(
        candidacy=candidacy,
        actor=actor,
        data={
            "author": "رئيس مجلس الجهة",
            "organisation": "مجلس الجهة",
            "is_from_head": True,
            "received_on": timezone.localdate().isoformat(),
        },
        file=pdf_file("lettre.pdf"),
    )


def test_one_candidacy_is_prepared_at_a_time(
    candidacy: Candidacy, collectivity_a: Collectivity, focal_point: User
) -> None:
    assert candidacy.created_by == focal_point
    assert Event.objects.filter(action="openplan.candidacy_created").count() == 1
    refused(
        lambda: services.candidacy_save(
            collectivity=collectivity_a, actor=focal_point, data=_data()
        )
    )
    _head(candidacy, focal_point)
    services.candidacy_submit(
        candidacy=candidacy, actor=focal_point, submitted_on=timezone.localdate()
    )
    # Once submitted, another may be prepared (the first one was refused, say).
    services.candidacy_save(collectivity=collectivity_a, actor=focal_point, data=_data())
    assert Candidacy.objects.count() == 2


def test_submission_is_refused_with_a_message_per_unmet_criterion(
    collectivity_a: Collectivity, focal_point: User
) -> None:
    short = services.candidacy_save(
        collectivity=collectivity_a,
        actor=focal_point,
        data=_data(term_ends_on=(timezone.localdate() + dt.timedelta(days=200)).isoformat()),
    )
    error = refused(
        lambda: services.candidacy_submit(
            candidacy=short, actor=focal_point, submitted_on=timezone.localdate()
        ),
        "head_letter",
        "term",
    )
    assert set(error.message_dict) == {"head_letter", "term"}
    assert all(len(messages) == 1 for messages in error.message_dict.values())


def test_submit_accept_and_link_the_action_plan(
    candidacy: Candidacy, collectivity_a: Collectivity, focal_point: User
) -> None:
    today = timezone.localdate()
    letter = _head(candidacy, focal_point)
    assert letter.is_from_head and letter.content_type == "application/pdf"
    refused(
        lambda: services.candidacy_accept(candidacy=candidacy, actor=focal_point, accepted_on=today)
    )
    services.candidacy_submit(
        candidacy=candidacy, actor=focal_point, submitted_on=today - dt.timedelta(days=10)
    )
    candidacy.refresh_from_db()
    assert candidacy.submitted_on == today - dt.timedelta(days=10)
    # A submitted file no longer changes.
    refused(
        lambda: services.candidacy_save(
            collectivity=collectivity_a, actor=focal_point, data=_data(), candidacy=candidacy
        )
    )
    refused(lambda: services.letter_delete(letter=letter, actor=focal_point))
    refused(lambda: _head(candidacy, focal_point))
    refused(
        lambda: services.candidacy_submit(
            candidacy=candidacy, actor=focal_point, submitted_on=today
        )
    )

    remacto = core.programme_create(
        collectivity=collectivity_a, actor=focal_point, data=PROGRAMME_DATA
    )
    plan = core.programme_create(
        collectivity=collectivity_a,
        actor=focal_point,
        data={**PROGRAMME_DATA, "kind": Kind.OGP_LOCAL},
    )
    refused(
        lambda: services.candidacy_accept(
            candidacy=candidacy,
            actor=focal_point,
            accepted_on=today - dt.timedelta(days=11),
            programme=remacto,
        ),
        "accepted_on",
        "programme",
    )
    services.candidacy_accept(candidacy=candidacy, actor=focal_point, accepted_on=today)
    candidacy.refresh_from_db()
    assert candidacy.accepted_on == today and candidacy.programme is None
    refused(
        lambda: services.candidacy_accept(candidacy=candidacy, actor=focal_point, accepted_on=today)
    )
    refused(
        lambda: services.candidacy_link(candidacy=candidacy, actor=focal_point, programme=remacto),
        "programme",
    )
    services.candidacy_link(candidacy=candidacy, actor=focal_point, programme=plan)
    candidacy.refresh_from_db()
    assert candidacy.programme == plan
    assert [
        e.action.removeprefix("openplan.candidacy_")
        for e in Event.objects.filter(action__startswith="openplan.candidacy_").order_by("pk")
    ] == ["created", "letter", "submitted", "accepted", "linked"]


def test_an_action_plan_of_another_collectivity_or_candidacy_is_refused(
    candidacy: Candidacy,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    focal_point: User,
) -> None:
    today = timezone.localdate()
    _head(candidacy, focal_point)
    services.candidacy_submit(candidacy=candidacy, actor=focal_point, submitted_on=today)
    theirs = Programme.objects.create(
        collectivity=collectivity_b,
        kind=Kind.OGP_LOCAL,
        title_fr="Plan de B",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2028, 1, 1),
    )
    refused(
        lambda: services.candidacy_accept(
            candidacy=candidacy, actor=focal_point, accepted_on=today, programme=theirs
        ),
        "programme",
    )
    plan = Programme.objects.create(
        collectivity=collectivity_a,
        kind=Kind.OGP_LOCAL,
        title_fr="Plan de A",
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2028, 1, 1),
    )
    Candidacy.objects.create(
        collectivity=collectivity_a,
        term_ends_on=today,
        track_record="x",
        submitted_on=today,
        accepted_on=today,
        programme=plan,
    )
    refused(
        lambda: services.candidacy_accept(
            candidacy=candidacy, actor=focal_point, accepted_on=today, programme=plan
        ),
        "programme",
    )


def test_letters_are_taken_back_before_submission(candidacy: Candidacy, focal_point: User) -> None:
    letter = _head(candidacy, focal_point)
    services.letter_delete(letter=letter, actor=focal_point)
    assert not SupportLetter.objects.exists()
    assert Event.objects.filter(action="openplan.candidacy_letter_removed").count() == 1


def test_bad_candidacy_input_writes_nothing(
    collectivity_a: Collectivity, collectivity_b: Collectivity, focal_point: User
) -> None:
    theirs = Programme.objects.create(
        collectivity=collectivity_b,
        kind=Kind.REMACTO,
        title_fr="Programme de B",
        starts_on=dt.date(2022, 1, 1),
        ends_on=dt.date(2023, 1, 1),
    )
    refused(
        lambda: services.candidacy_save(
            collectivity=collectivity_a,
            actor=focal_point,
            data={
                "term_ends_on": "",
                "track_record": "a\x00b",
                "ambition": "x" * 20_001,
                "track_record_programme": theirs.pk,
            },
        ),
        "term_ends_on",
        "track_record",
        "ambition",
        "track_record_programme",
    )
    refused(
        lambda: services.candidacy_save(
            collectivity=collectivity_a,
            actor=focal_point,
            data=_data(track_record=" ", track_record_programme="1e3"),
        ),
        "track_record",
        "track_record_programme",
    )


def test_bad_letters_write_nothing(candidacy: Candidacy, focal_point: User) -> None:
    good = {"author": "رئيس الجماعة", "received_on": timezone.localdate().isoformat()}
    for file in (
        SimpleUploadedFile("lettre.pdf", PNG),
        SimpleUploadedFile("lettre.pdf", b""),
        None,
    ):
        refused(
            partial(
                services.letter_add, candidacy=candidacy, actor=focal_point, data=good, file=file
            ),
            "file",
        )
    refused(
        lambda: services.letter_add(
            candidacy=candidacy,
            actor=focal_point,
            data={
                "author": "",
                "organisation": "o" * 201,
                "received_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            },
            file=pdf_file(),
        ),
        "author",
        "organisation",
        "received_on",
    )


def test_only_the_focal_point_of_the_collectivity(
    candidacy: Candidacy,
    collectivity_a: Collectivity,
    focal_point: User,
    monitor: User,
    charlie: User,
    citizen: User,
) -> None:
    letter = _head(candidacy, focal_point)
    today = timezone.localdate()
    for actor in (monitor, charlie, citizen):
        denied(
            partial(services.candidacy_save, collectivity=collectivity_a, actor=actor, data=_data())
        )
        denied(
            partial(
                services.candidacy_save,
                collectivity=collectivity_a,
                actor=actor,
                data=_data(),
                candidacy=candidacy,
            )
        )
        denied(partial(_head, candidacy, actor))
        denied(partial(services.letter_delete, letter=letter, actor=actor))
        denied(
            partial(services.candidacy_submit, candidacy=candidacy, actor=actor, submitted_on=today)
        )
        denied(
            partial(services.candidacy_accept, candidacy=candidacy, actor=actor, accepted_on=today)
        )
