"""Registering a letter: validation, numbering, the scan, the ledger event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from infitah.correspondence.models import Entry, EntryEvent, ServiceUnit
from infitah.correspondence.services import SERIES
from infitah.correspondence.tests.conftest import CASABLANCA, MONDAY, Register
from infitah.ledger.models import Event
from infitah.lib.tests.files import pdf_with_text
from infitah.numbering.services import number_peek

pytestmark = pytest.mark.django_db


def _errors(register: Register, **overrides: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        register(**overrides)
    return caught.value.message_dict


def test_a_letter_gets_the_first_number_of_the_year(register, clerk_a, monday):
    entry = register()
    assert (entry.year, entry.number) == (2026, 1)
    assert entry.display_number == "2026/000001"
    assert str(entry) == "2026/000001"
    assert entry.registered_by == clerk_a
    assert entry.direction == "incoming" and entry.channel == "paper"
    assert timezone.localtime(entry.registered_at).date() == MONDAY.date()


def test_numbers_follow_each_other_across_directions(register, monday):
    numbers = [
        register(direction="incoming").number,
        register(direction="outgoing", correspondent="Wilaya").number,
        register(direction="incoming").number,
    ]
    assert numbers == [1, 2, 3]


def test_numbers_restart_each_year_and_count_per_collectivity(register, collectivity_b, charlie):
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 0, tzinfo=CASABLANCA)):
        assert register().display_number == "2026/000001"
        assert register().display_number == "2026/000002"
    with time_machine.travel(dt.datetime(2027, 1, 1, 8, 0, tzinfo=CASABLANCA)):
        assert register().display_number == "2027/000001"
        assert register(collectivity=collectivity_b, actor=charlie).display_number == "2027/000001"


def test_the_year_is_the_local_year(register):
    # 23:30 UTC on 31 December is already 1 January in Casablanca (UTC+1).
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)):
        assert register().year == 2027


def test_times_follow_numbers(register):
    entries = [register() for _ in range(5)]
    times = [e.registered_at for e in entries]
    assert times == sorted(times)


def test_text_is_stripped_and_kept_in_arabic(register):
    entry = register(correspondent="  جمعية الأمل  ", subject=" شكاية بخصوص الإنارة العمومية ")
    entry.refresh_from_db()
    assert entry.correspondent == "جمعية الأمل"
    assert entry.subject == "شكاية بخصوص الإنارة العمومية"


def test_every_field_is_kept(register, unit_a, monday):
    first = register()
    entry = register(
        direction="outgoing",
        channel="email",
        correspondent="Wilaya de la région",
        subject="Réponse",
        letter_date=dt.date(2026, 2, 27),
        summary="Texte",
        service=unit_a,
        in_reply_to=first,
    )
    entry.refresh_from_db()
    assert entry.letter_date == dt.date(2026, 2, 27)
    assert entry.service == unit_a
    assert entry.in_reply_to == first
    assert list(first.replies.all()) == [entry]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"direction": "sideways"}, "direction"),
        ({"direction": ""}, "direction"),
        ({"channel": "pigeon"}, "channel"),
        ({"correspondent": ""}, "correspondent"),
        ({"correspondent": "   "}, "correspondent"),
        ({"correspondent": "x" * 301}, "correspondent"),
        ({"correspondent": "Ali\x00"}, "correspondent"),
        ({"subject": ""}, "subject"),
        ({"subject": "س" * 301}, "subject"),
        ({"subject": "a\x00b"}, "subject"),
        ({"summary": "x" * 10_001}, "summary"),
        ({"summary": "\x00"}, "summary"),
    ],
)
def test_invalid_input_is_refused_field_by_field_and_nothing_is_written(
    register, collectivity_a, overrides, field
):
    errors = _errors(register, **overrides)
    assert field in errors
    assert Entry.objects.count() == 0
    assert Event.objects.filter(action=EntryEvent.REGISTERED).count() == 0
    assert number_peek(collectivity=collectivity_a, series=SERIES, year=2026) == 0


def test_limits_are_inclusive(register):
    entry = register(correspondent="x" * 300, subject="س" * 300, summary="y" * 10_000)
    assert len(entry.subject) == 300


def test_several_errors_come_together(register):
    errors = _errors(register, direction="", channel="", correspondent="", subject="")
    assert {"direction", "channel", "correspondent", "subject"} <= set(errors)


def test_a_letter_dated_in_the_future_is_refused(register, monday):
    errors = _errors(register, letter_date=dt.date(2026, 3, 3))
    assert "letter_date" in errors
    assert register(letter_date=dt.date(2026, 3, 2)).letter_date == dt.date(2026, 3, 2)


def test_messages_are_translated(register):
    with translation.override("fr"):
        fr = _errors(register, correspondent="x" * 301)["correspondent"]
    with translation.override("en"):
        en = _errors(register, correspondent="x" * 301)["correspondent"]
    assert en == ["At most 300 characters."]
    assert fr and fr[0]  # a message in the active language (translations come later)


def test_a_service_of_another_collectivity_is_refused(register, unit_b):
    errors = _errors(register, service=unit_b)
    assert "service" in errors
    assert Entry.objects.count() == 0


def test_an_inactive_service_is_refused(register, unit_a):
    ServiceUnit.objects.filter(pk=unit_a.pk).update(is_active=False)
    unit_a.refresh_from_db()
    assert "service" in _errors(register, service=unit_a)


def test_a_reply_to_another_collectivitys_entry_is_refused(register, collectivity_b, charlie):
    theirs = register(collectivity=collectivity_b, actor=charlie)
    assert "in_reply_to" in _errors(register, in_reply_to=theirs)


def test_the_scan_is_checked_by_content_and_stored_under_a_random_name(register, collectivity_a):
    scan = ContentFile(pdf_with_text("Lettre"), name="courrier du wali.pdf")
    entry = register(attachment=scan)
    entry.refresh_from_db()
    assert entry.attachment.name.startswith(f"correspondence/{collectivity_a.pk}/")
    assert entry.attachment.name.endswith(".pdf")
    assert "wali" not in entry.attachment.name
    assert entry.attachment_name == "courrier du wali.pdf"
    assert entry.attachment_content_type == "application/pdf"
    assert entry.attachment_size == len(pdf_with_text("Lettre"))
    assert len(entry.attachment_sha256) == 64
    with entry.attachment.open("rb") as stored:
        assert stored.read().startswith(b"%PDF-")


def test_a_file_that_lies_about_its_type_is_refused(register, settings):
    fake = ContentFile(b"MZ\x90\x00 not a pdf at all", name="scan.pdf")
    errors = _errors(register, attachment=fake)
    assert "attachment" in errors
    assert Entry.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not (media / "correspondence").exists() or not any((media / "correspondence").rglob("*"))


def test_a_rolled_back_registration_gives_its_number_again_and_removes_its_scan(register, settings):
    register()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        register(attachment=ContentFile(pdf_with_text(), name="a.pdf"))
        _ = 1 / 0
    assert register().number == 2
    assert Entry.objects.count() == 2


def test_a_failure_inside_the_service_removes_the_stored_scan(register, settings, monkeypatch):
    from infitah.correspondence import services

    def boom(**kwargs: Any) -> None:
        raise RuntimeError("ledger down")

    monkeypatch.setattr(services, "event_record", boom)
    with pytest.raises(RuntimeError):
        register(attachment=ContentFile(pdf_with_text(), name="a.pdf"))
    folder = settings.MEDIA_ROOT / "correspondence"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert Entry.objects.count() == 0


def test_registration_is_recorded_in_the_ledger(register, clerk_a, collectivity_a, unit_a):
    entry = register(service=unit_a)
    event = Event.objects.for_object(entry).get()
    assert event.action == EntryEvent.REGISTERED
    assert event.actor == clerk_a
    assert event.collectivity == collectivity_a
    assert event.data["number"] == entry.display_number
    assert event.data["direction"] == "incoming"
    assert event.data["service"] == unit_a.pk
    # The correspondent's name is not copied into the ledger.
    assert "Fatima" not in str(event.data)
