"""The services of network events: every path, every refusal, nothing changed on a
refusal, and a ledger event for every change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event as LedgerEvent
from infitah.lib.tests import files
from infitah.network import event_services as services
from infitah.network.event_selectors import event_rows
from infitah.network.event_services import NotAllowed, RegistrationInput
from infitah.network.models import (
    AttendeeGender,
    AttendeeRole,
    Event,
    EventDocument,
    EventKind,
    EventStatus,
    Registration,
)
from infitah.network.tests.test_events_support import (
    event_input,
    make_event,
    register,
    soon,
)
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _ledger(event: Event) -> list[str]:
    return list(
        LedgerEvent.objects.filter(object_type="network.event", object_id=str(event.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _person(**fields: Any) -> RegistrationInput:
    values: dict[str, Any] = {
        "full_name": "Amina Test",
        "email": "amina@example.test",
        "role": AttendeeRole.FOCAL_POINT,
        "gender": AttendeeGender.FEMALE,
    }
    values.update(fields)
    return RegistrationInput(**values)


# ---------------------------------------------------------------- create and update


def test_create_makes_a_draft_with_its_ledger_event(network_admin: User) -> None:
    event = services.event_create(actor=network_admin, data=event_input(capacity=30))
    assert event.status == EventStatus.DRAFT
    assert event.capacity == 30
    assert event.created_by == network_admin
    assert _ledger(event) == ["network.event.created"]
    record = LedgerEvent.objects.get(object_id=str(event.pk), object_type="network.event")
    assert record.collectivity is None
    assert record.actor == network_admin


@pytest.mark.parametrize("fixture", ["citizen", "staff_a", "charlie"])
def test_only_network_admins_create(fixture: str, request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDenied):
        services.event_create(actor=request.getfixturevalue(fixture), data=event_input())
    assert not event_rows().exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title_ar": "", "title_fr": "  "}, "title_ar"),
        ({"kind": "party"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -5}, "capacity"),
        ({"capacity": 10**12}, "capacity"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": None}, "ends_at"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"online_url": "ftp://example.test/x"}, "online_url"),
        ({"title_fr": "x" * 301}, "title_fr"),
        ({"description_ar": "a\x00b"}, "description_ar"),
        ({"parent_id": 999_999}, "parent"),
    ],
)
def test_create_refuses_bad_input(network_admin: User, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.event_create(actor=network_admin, data=event_input(**fields))
    assert field in caught.value.message_dict
    assert not event_rows().exists()
    assert not LedgerEvent.objects.filter(object_type="network.event").exists()


def test_create_refuses_an_end_before_the_start(network_admin: User) -> None:
    starts = soon()
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            actor=network_admin,
            data=event_input(starts_at=starts, ends_at=starts - dt.timedelta(minutes=1)),
        )
    assert "ends_at" in caught.value.message_dict
    assert not event_rows().exists()


def test_registration_must_close_before_the_end(network_admin: User) -> None:
    starts = soon()
    data = event_input(
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        registration_closes_at=starts + dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as caught:
        services.event_create(actor=network_admin, data=data)
    assert "registration_closes_at" in caught.value.message_dict


def test_a_workshop_belongs_to_a_gathering_only(network_admin: User) -> None:
    gathering = make_event(kind=EventKind.GATHERING)
    training = make_event()
    workshop = services.event_create(
        actor=network_admin, data=event_input(kind=EventKind.WORKSHOP, parent_id=gathering.pk)
    )
    assert workshop.parent == gathering
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            actor=network_admin, data=event_input(kind=EventKind.WORKSHOP, parent_id=training.pk)
        )
    assert "parent" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.event_create(
            actor=network_admin,
            data=event_input(kind=EventKind.GATHERING, parent_id=gathering.pk),
        )
    assert "parent" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.event_update(
            event=gathering,
            actor=network_admin,
            data=event_input(kind=EventKind.TRAINING, starts_at=gathering.starts_at),
        )
    assert "kind" in caught.value.message_dict


def test_a_gathering_is_not_its_own_parent(network_admin: User) -> None:
    gathering = make_event(kind=EventKind.GATHERING)
    with pytest.raises(ValidationError):
        services.event_update(
            event=gathering,
            actor=network_admin,
            data=event_input(kind=EventKind.GATHERING, parent_id=gathering.pk),
        )


def test_update_records_the_fields_changed(network_admin: User) -> None:
    event = services.event_create(actor=network_admin, data=event_input())
    data = event_input(
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        place_fr="Rabat",
        capacity=12,
    )
    services.event_update(event=event, actor=network_admin, data=data)
    event.refresh_from_db()
    assert (event.place_fr, event.capacity) == ("Rabat", 12)
    record = LedgerEvent.objects.filter(action="network.event.updated").get()
    assert set(record.data["fields"]) == {"place_fr", "capacity"}
    # Saving the same again changes nothing and records nothing.
    services.event_update(event=event, actor=network_admin, data=data)
    assert _ledger(event).count("network.event.updated") == 1


def test_a_cancelled_event_is_not_edited(network_admin: User) -> None:
    event = make_event(status=EventStatus.CANCELLED)
    with pytest.raises(NotAllowed):
        services.event_update(
            event=event, actor=network_admin, data=event_input(starts_at=event.starts_at)
        )


# ------------------------------------------------------------------ publish, cancel


def test_publish_a_draft(network_admin: User) -> None:
    event = make_event(status=EventStatus.DRAFT)
    services.event_publish(event=event, actor=network_admin)
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert _ledger(event) == ["network.event.published"]
    with pytest.raises(NotAllowed):
        services.event_publish(event=event, actor=network_admin)


def test_a_workshop_waits_for_its_gathering(network_admin: User) -> None:
    gathering = make_event(kind=EventKind.GATHERING, status=EventStatus.DRAFT)
    workshop = make_event(kind=EventKind.WORKSHOP, parent=gathering, status=EventStatus.DRAFT)
    with pytest.raises(NotAllowed):
        services.event_publish(event=workshop, actor=network_admin)
    services.event_publish(event=gathering, actor=network_admin)
    services.event_publish(event=workshop, actor=network_admin)
    workshop.refresh_from_db()
    assert workshop.status == EventStatus.PUBLISHED


def test_cancel_notifies_every_active_registrant_once(network_admin: User) -> None:
    gathering = make_event(kind=EventKind.GATHERING)
    workshop = make_event(kind=EventKind.WORKSHOP, parent=gathering)
    register(gathering, 3)
    register(workshop, 2, prefix="w")
    gone = register(gathering, 1, prefix="gone")[0]
    gone.cancelled_at = timezone.now()
    gone.save()
    sent = services.event_cancel(event=gathering, actor=network_admin, note="Tempête")
    assert sent == 5
    assert set(
        event_rows().filter(pk__in=[gathering.pk, workshop.pk]).values_list("status", flat=True)
    ) == {EventStatus.CANCELLED}
    mails = list(OutboundEmail.objects.order_by("to"))
    assert len(mails) == 5
    assert all("Tempête" in m.body for m in mails)
    assert gone.email not in {m.to for m in mails}
    assert _ledger(gathering) == ["network.event.cancelled"]
    assert _ledger(workshop) == ["network.event.cancelled"]
    with pytest.raises(NotAllowed):
        services.event_cancel(event=gathering, actor=network_admin)
    assert OutboundEmail.objects.count() == 5


def test_cancel_a_draft_sends_nothing(network_admin: User) -> None:
    event = make_event(status=EventStatus.DRAFT)
    assert services.event_cancel(event=event, actor=network_admin) == 0
    assert not OutboundEmail.objects.exists()


# -------------------------------------------------------------------------- report


def test_report_publish_and_withdraw(network_admin: User) -> None:
    event = make_event(starts_at=soon(-3))
    services.event_report_save(
        event=event, actor=network_admin, report_ar="تقرير", report_fr="", publish=True
    )
    event.refresh_from_db()
    first = event.report_published_at
    assert first is not None and event.report_ar == "تقرير"
    services.event_report_save(
        event=event, actor=network_admin, report_ar="تقرير 2", report_fr="Rapport", publish=True
    )
    event.refresh_from_db()
    assert event.report_published_at == first
    services.event_report_save(
        event=event, actor=network_admin, report_ar="تقرير 2", report_fr="", publish=False
    )
    event.refresh_from_db()
    assert event.report_published_at is None
    assert _ledger(event).count("network.event.report_saved") == 3


def test_report_refusals(network_admin: User) -> None:
    upcoming = make_event()
    with pytest.raises(ValidationError) as caught:
        services.event_report_save(
            event=upcoming, actor=network_admin, report_ar="نص", report_fr="", publish=True
        )
    assert "publish" in caught.value.message_dict
    past = make_event(starts_at=soon(-3))
    with pytest.raises(ValidationError) as caught:
        services.event_report_save(
            event=past, actor=network_admin, report_ar="", report_fr="", publish=True
        )
    assert "report_ar" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.event_report_save(
            event=past, actor=network_admin, report_ar="x" * 10_001, report_fr="", publish=False
        )
    past.refresh_from_db()
    assert past.report_ar == "" and past.report_published_at is None
    assert not LedgerEvent.objects.filter(action="network.event.report_saved").exists()


# ----------------------------------------------------------------------- documents


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _pptx() -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("programme.pdf", files.pdf_with_text("Programme"), "programme"),
        ("notes.docx", files.docx(["Notes"]), "other"),
        ("slides.pptx", _pptx(), "presentation"),
        ("chiffres.xlsx", files.xlsx(["a"]), "report"),
        ("texte.odt", files.odf(["نص"]), "other"),
    ],
)
def test_documents_are_added_by_content(
    network_admin: User, name: str, content: bytes, kind: str
) -> None:
    event = make_event()
    document = services.event_document_add(
        event=event,
        actor=network_admin,
        kind=kind,
        title_ar="",
        title_fr="",
        file=_upload(name, content),
    )
    assert document.title_fr == name.rpartition(".")[0]
    assert document.file.name.endswith("." + name.rpartition(".")[2])
    with document.file.open("rb") as handle:
        assert handle.read() == content
    assert _ledger(event) == ["network.event.document_added"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("fake.pptx", files.docx(["a Word file"])),
        ("fake.odp", b"PK\x03\x04garbage"),
        ("empty.pdf", b""),
        ("evil\u202egpj.pdf", files.pdf_with_text()),
        ("evil\u202etpp.pptx", _pptx()),
        ("noext", files.pdf_with_text()),
        ("bomb.docx", files.zip_bomb_docx(30)),
    ],
)
def test_bad_documents_are_refused(network_admin: User, name: str, content: bytes) -> None:
    event = make_event()
    with pytest.raises(ValidationError) as caught:
        services.event_document_add(
            event=event,
            actor=network_admin,
            kind="other",
            title_ar="",
            title_fr="Doc",
            file=_upload(name, content),
        )
    assert "file" in caught.value.message_dict
    assert not EventDocument.objects.exists()
    assert _ledger(event) == []


def test_a_document_over_20_mb_is_refused(network_admin: User) -> None:
    event = make_event()
    big = b"%PDF-1.4\n" + b"0" * (services.DOCUMENT_MAX_BYTES + 1)
    with pytest.raises(ValidationError) as caught:
        services.event_document_add(
            event=event,
            actor=network_admin,
            kind="other",
            title_ar="",
            title_fr="",
            file=_upload("big.pdf", big),
        )
    assert "file" in caught.value.message_dict
    assert not EventDocument.objects.exists()


def test_remove_a_document_deletes_its_file(
    network_admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event()
    document = services.event_document_add(
        event=event,
        actor=network_admin,
        kind="programme",
        title_ar="البرنامج",
        title_fr="",
        file=_upload("p.pdf", files.pdf_with_text()),
    )
    path = Path(document.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_document_remove(document=document, actor=network_admin)
    assert not EventDocument.objects.exists()
    assert not path.exists()
    assert _ledger(event)[-1] == "network.event.document_removed"


# -------------------------------------------------------------------- registrations


def test_register_queues_a_receipt_and_records_no_personal_data(
    collectivity_a: Collectivity,
) -> None:
    event = make_event(capacity=10)
    registration = services.registration_create(
        event=event,
        actor=None,
        data=_person(email=" Amina@Example.TEST ", collectivity_id=collectivity_a.pk),
        language="fr",
    )
    assert registration.email == "amina@example.test"
    assert registration.collectivity == collectivity_a
    assert registration.user is None
    assert registration.attended is None
    mail = OutboundEmail.objects.get()
    assert mail.to == "amina@example.test"
    assert event.title_fr in mail.body
    record = LedgerEvent.objects.get(action="network.event.registered")
    assert record.process == "public-form"
    assert "amina" not in str(record.data).lower() and "Amina" not in record.note


def test_a_signed_in_user_is_linked_with_their_account_address(citizen: User) -> None:
    event = make_event()
    registration = services.registration_create(
        event=event, actor=citizen, data=_person(email="someone-else@example.test")
    )
    assert registration.user == citizen
    assert registration.email == citizen.email
    with pytest.raises(ValidationError) as caught:
        services.registration_create(event=event, actor=citizen, data=_person())
    assert "email" in caught.value.message_dict
    assert Registration.objects.count() == 1


def test_the_same_address_registers_once() -> None:
    event = make_event()
    services.registration_create(event=event, actor=None, data=_person())
    with pytest.raises(ValidationError) as caught:
        services.registration_create(
            event=event, actor=None, data=_person(email="AMINA@example.test")
        )
    assert "email" in caught.value.message_dict
    assert Registration.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_a_full_event_refuses(collectivity_a: Collectivity) -> None:
    event = make_event(capacity=2)
    register(event, 2)
    with pytest.raises(NotAllowed) as caught:
        services.registration_create(event=event, actor=None, data=_person())
    assert "full" in caught.value.message
    assert Registration.objects.count() == 2
    assert not OutboundEmail.objects.exists()


def test_cancelled_registrations_free_their_places() -> None:
    event = make_event(capacity=1)
    gone = register(event, 1)[0]
    gone.cancelled_at = timezone.now()
    gone.save()
    services.registration_create(event=event, actor=None, data=_person())
    assert Registration.objects.filter(cancelled_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"status": EventStatus.CANCELLED},
        {"status": EventStatus.DRAFT},
        {"registration_open": False},
    ],
)
def test_closed_events_refuse(fields: dict[str, Any]) -> None:
    event = make_event(**fields)
    with pytest.raises(NotAllowed):
        services.registration_create(event=event, actor=None, data=_person())
    assert not Registration.objects.exists()


def test_registration_closes_at_its_time_or_at_the_start() -> None:
    event = make_event(registration_closes_at=soon(2))
    with time_machine.travel(soon(3)), pytest.raises(NotAllowed):
        services.registration_create(event=event, actor=None, data=_person())
    other = make_event()
    with time_machine.travel(other.starts_at + dt.timedelta(minutes=1)), pytest.raises(NotAllowed):
        services.registration_create(event=other, actor=None, data=_person())
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"full_name": "  "}, "full_name"),
        ({"full_name": "x" * 201}, "full_name"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 250 + "@example.test"}, "email"),
        ({"role": "king"}, "role"),
        ({"gender": "other"}, "gender"),
        ({"collectivity_id": 999_999}, "collectivity"),
    ],
)
def test_registration_refuses_bad_input(fields: dict[str, Any], field: str) -> None:
    event = make_event()
    with pytest.raises(ValidationError) as caught:
        services.registration_create(event=event, actor=None, data=_person(**fields))
    assert field in caught.value.message_dict
    assert not Registration.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_the_network_space_is_no_collectivity_to_register_with() -> None:
    from infitah.territories.services import network_space

    space = network_space()
    with pytest.raises(ValidationError) as caught:
        services.registration_create(
            event=make_event(), actor=None, data=_person(collectivity_id=space.pk)
        )
    assert "collectivity" in caught.value.message_dict


# ----------------------------------------------------------------------- attendance


def test_attendance_marks_only_the_rows_shown(network_admin: User) -> None:
    event = make_event(starts_at=soon(-1))
    a, b, c = register(event, 3)
    late = register(event, 1, prefix="late")[0]
    present, absent = services.attendance_mark(
        event=event, actor=network_admin, shown={a.pk, b.pk, c.pk}, attended={a.pk, c.pk, 999}
    )
    assert (present, absent) == (2, 1)
    marks = dict(Registration.objects.values_list("pk", "attended"))
    assert marks == {a.pk: True, b.pk: False, c.pk: True, late.pk: None}
    record = LedgerEvent.objects.get(action="network.event.attendance_marked")
    assert record.data == {"present": 2, "absent": 1}


def test_attendance_ignores_rows_of_another_event(network_admin: User) -> None:
    event, other = make_event(), make_event()
    theirs = register(other, 1, prefix="o")[0]
    services.attendance_mark(event=event, actor=network_admin, shown={theirs.pk}, attended=set())
    theirs.refresh_from_db()
    assert theirs.attended is None


def test_attendance_of_a_draft_is_refused(network_admin: User, citizen: User) -> None:
    event = make_event(status=EventStatus.DRAFT)
    row = register(event, 1)[0]
    with pytest.raises(NotAllowed):
        services.attendance_mark(
            event=event, actor=network_admin, shown={row.pk}, attended={row.pk}
        )
    with pytest.raises(PermissionDenied):
        services.attendance_mark(
            event=make_event(), actor=citizen, shown={row.pk}, attended={row.pk}
        )
    row.refresh_from_db()
    assert row.attended is None
