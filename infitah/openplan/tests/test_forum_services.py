"""The forum and monitoring committee's writes: members (advisory delegates scoped to the
collectivity), the composition and its multi-stakeholder warnings, meetings and their
documents (shared before, late, minutes after), the programme's documents by role;
permissions and tenancy; bad input and bad files write nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import time_machine

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import User
from infitah.advisory.models import Body as AdvisoryBody
from infitah.deadlines.models import Deadline
from infitah.ledger.models import Event
from infitah.openplan import forum_selectors as selectors
from infitah.openplan.models import (
    BodyMember,
    Candidacy,
    Meeting,
    MeetingDocument,
    Programme,
    ProgrammeDocument,
    SupportLetter,
)
from infitah.openplan.services import forum as services
from infitah.openplan.tests.conftest import PNG, pdf_file
from infitah.openplan.workflow import Body, MeetingDocumentKind, Sector, Status
from infitah.participation.models import Gender
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot() -> tuple[Any, ...]:
    """Every row a forum service may write, as plain values, and the stored files."""
    return (
        list(Programme.objects.order_by("pk").values()),
        list(BodyMember.objects.order_by("pk").values()),
        list(Meeting.objects.order_by("pk").values()),
        list(MeetingDocument.objects.order_by("pk").values()),
        list(ProgrammeDocument.objects.order_by("pk").values()),
        list(Candidacy.objects.order_by("pk").values()),
        list(SupportLetter.objects.order_by("pk").values()),
        list(Deadline.objects.order_by("pk").values()),
        Event.objects.count(),
        stored_files(),
    )


def refused(call: Callable[[], object], *fields: str) -> ValidationError:
    """`call` raises a ValidationError naming `fields`, and nothing is written."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    if fields:
        assert set(fields) <= set(caught.value.message_dict), caught.value.messages
    assert caught.value.messages
    assert snapshot() == before
    return caught.value


def denied(call: Callable[[], object]) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert snapshot() == before


def member(**extra: Any) -> dict[str, Any]:
    return {
        "body": Body.FORUM,
        "name": "سعاد الإدريسي",
        "gender": Gender.FEMALE,
        "sector": Sector.CIVIL_SOCIETY,
        "organisation": "جمعية المبادرة",
        **extra,
    }


def meeting(when: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {"body": Body.FORUM, "title_ar": "اجتماع المنتدى", "starts_at": when, **extra}


@pytest.fixture
def advisory_a(collectivity_a: Collectivity) -> AdvisoryBody:
    return AdvisoryBody.objects.create(
        collectivity=collectivity_a, kind="equity", name_ar="هيئة المساواة"
    )


# --- members and composition --------------------------------------------------------------


def test_members_make_the_composition_with_shares_and_coordinators(
    programme: Programme, focal_point: User, advisory_a: AdvisoryBody
) -> None:
    today = timezone.localdate()
    services.member_save(programme=programme, actor=focal_point, data=member(role="coordinator"))
    services.member_save(
        programme=programme,
        actor=focal_point,
        data=member(name="Ahmed", gender=Gender.MALE, sector=Sector.ELECTED, organisation=""),
    )
    delegate = services.member_save(
        programme=programme,
        actor=focal_point,
        data=member(name="Fatima", sector=Sector.ADVISORY, advisory_body=advisory_a.pk),
    )
    assert delegate.advisory_body == advisory_a
    left = services.member_save(programme=programme, actor=focal_point, data=member(name="Old"))
    services.member_end(member=left, actor=focal_point, left_on=today)
    coming = services.member_save(
        programme=programme,
        actor=focal_point,
        data=member(name="Later", joined_on=today + dt.timedelta(days=3)),
    )
    # A committee member is not counted in the forum.
    services.member_save(programme=programme, actor=focal_point, data=member(body=Body.COMMITTEE))

    forum = selectors.body_composition(programme=programme, body=Body.FORUM, today=today)
    assert forum.count == 3
    assert (forum.women.count, forum.women.percent) == (2, 67)
    assert (forum.civil_society.count, forum.civil_society.percent) == (1, 33)
    assert [m.name for m in forum.coordinators] == ["سعاد الإدريسي"]
    assert [g.sector for g in forum.sectors] == [
        Sector.ELECTED,
        Sector.CIVIL_SOCIETY,
        Sector.ADVISORY,
    ]
    assert [m.name for m in forum.former] == ["Old"]
    assert forum.upcoming == [coming]
    assert forum.warnings == []
    assert Event.objects.filter(action="openplan.member").count() == 6
    assert Event.objects.filter(action="openplan.member_left").count() == 1


def test_a_forum_of_one_side_only_is_warned(
    programme: Programme, focal_point: User, collectivity_a: Collectivity
) -> None:
    today = timezone.localdate()
    empty = selectors.body_composition(programme=programme, body=Body.FORUM, today=today)
    assert empty.warnings == [] and empty.women.percent == 0  # a REMACTO programme
    Programme.objects.filter(pk=programme.pk).update(kind="ogp_local")
    programme.refresh_from_db()
    assert selectors.body_composition(
        programme=programme, body=Body.FORUM, today=today
    ).warnings == ["empty_forum"]
    services.member_save(programme=programme, actor=focal_point, data=member())
    civil_only = selectors.body_composition(programme=programme, body=Body.FORUM, today=today)
    assert civil_only.warnings == ["no_government"]
    services.member_save(
        programme=programme,
        actor=focal_point,
        data=member(body=Body.COMMITTEE, sector=Sector.ADMINISTRATION),
    )
    committee = selectors.body_composition(programme=programme, body=Body.COMMITTEE, today=today)
    assert committee.warnings == ["no_civil_society"]


def test_an_advisory_delegate_names_an_advisory_body_of_the_collectivity(
    programme: Programme,
    focal_point: User,
    advisory_a: AdvisoryBody,
    collectivity_b: Collectivity,
) -> None:
    other = AdvisoryBody.objects.create(collectivity=collectivity_b, kind="equity", name_ar="ب")
    for value in (None, "", other.pk, "abc", "99999999999999999999"):
        refused(
            partial(
                services.member_save,
                programme=programme,
                actor=focal_point,
                data=member(sector=Sector.ADVISORY, advisory_body=value),
            ),
            "advisory_body",
        )
    AdvisoryBody.objects.filter(pk=advisory_a.pk).update(deleted=True)
    refused(
        lambda: services.member_save(
            programme=programme,
            actor=focal_point,
            data=member(sector=Sector.ADVISORY, advisory_body=advisory_a.pk),
        ),
        "advisory_body",
    )
    # Another sector names no advisory body, whatever the form carried.
    saved = services.member_save(
        programme=programme, actor=focal_point, data=member(advisory_body=other.pk)
    )
    assert saved.advisory_body is None


def test_bad_member_input_names_each_field_and_writes_nothing(
    programme: Programme, focal_point: User
) -> None:
    data = {
        "body": "council",
        "name": "x" * 201,
        "gender": "other",
        "sector": ["elected"],
        "organisation": "a\x00b",
        "role": "president",
        "joined_on": "2026-02-30",
    }
    refused(
        lambda: services.member_save(programme=programme, actor=focal_point, data=data),
        "body",
        "name",
        "gender",
        "sector",
        "organisation",
        "role",
        "joined_on",
    )
    refused(
        lambda: services.member_save(programme=programme, actor=focal_point, data=member(name=" ")),
        "name",
    )


def test_a_member_is_corrected_ended_once_and_deleted(
    programme: Programme, focal_point: User
) -> None:
    today = timezone.localdate()
    seat = services.member_save(
        programme=programme, actor=focal_point, data=member(joined_on="2025-01-10")
    )
    same = services.member_save(
        programme=programme, actor=focal_point, data=member(joined_on="2025-01-10"), member=seat
    )
    assert same == seat and not Event.objects.filter(action="openplan.member_updated").exists()
    services.member_save(
        programme=programme, actor=focal_point, data=member(name="Souad"), member=seat
    )
    seat.refresh_from_db()
    assert seat.name == "Souad" and seat.joined_on is None
    seat.joined_on = dt.date(2025, 1, 10)
    seat.save()
    refused(lambda: services.member_end(member=seat, actor=focal_point, left_on=None), "left_on")
    refused(
        lambda: services.member_end(member=seat, actor=focal_point, left_on="2025-01-09"),
        "left_on",
    )
    refused(
        lambda: services.member_end(
            member=seat, actor=focal_point, left_on=today + dt.timedelta(days=1)
        ),
        "left_on",
    )
    services.member_end(member=seat, actor=focal_point, left_on=today)
    refused(lambda: services.member_end(member=seat, actor=focal_point, left_on=today), "left_on")
    refused(
        lambda: services.member_save(
            programme=programme,
            actor=focal_point,
            data=member(joined_on=today + dt.timedelta(days=1)),
            member=seat,
        ),
        "joined_on",
    )
    services.member_delete(member=seat, actor=focal_point)
    assert not BodyMember.objects.exists()
    assert Event.objects.filter(action="openplan.member_removed").count() == 1


def test_only_the_focal_point_of_the_collectivity_keeps_the_bodies(
    programme: Programme, focal_point: User, monitor: User, charlie: User, citizen: User
) -> None:
    seat = services.member_save(programme=programme, actor=focal_point, data=member())
    held = services.meeting_save(
        programme=programme,
        actor=focal_point,
        data=meeting(timezone.now() + dt.timedelta(days=5)),
    )
    for actor in (monitor, charlie, citizen):
        denied(partial(services.member_save, programme=programme, actor=actor, data=member()))
        denied(partial(services.member_end, member=seat, actor=actor, left_on="2026-01-01"))
        denied(partial(services.member_delete, member=seat, actor=actor))
        denied(
            partial(
                services.meeting_save,
                programme=programme,
                actor=actor,
                data=meeting(timezone.now()),
            )
        )
        denied(partial(services.meeting_delete, meeting=held, actor=actor))
        denied(
            partial(
                services.meeting_document_add,
                meeting=held,
                actor=actor,
                kind="preparatory",
                title="و",
                file=pdf_file(),
            )
        )


def test_a_closed_programme_s_bodies_no_longer_change(
    programme: Programme, focal_point: User
) -> None:
    Programme.objects.filter(pk=programme.pk).update(status=Status.CLOSED)
    programme.refresh_from_db()
    with pytest.raises(ValidationError):
        services.member_save(programme=programme, actor=focal_point, data=member())
    assert not BodyMember.objects.exists()


# --- meetings and their documents ---------------------------------------------------------


def test_documents_shared_before_late_and_minutes_after(
    programme: Programme, focal_point: User
) -> None:
    start = timezone.now() + dt.timedelta(days=3)
    held = services.meeting_save(
        programme=programme,
        actor=focal_point,
        data=meeting(start, place="قاعة الاجتماعات", online_url="https://meet.example.org/x"),
    )
    refused(
        lambda: services.meeting_document_add(
            meeting=held, actor=focal_point, kind="minutes", title="المحضر", file=pdf_file()
        ),
        "kind",
    )
    before = services.meeting_document_add(
        meeting=held, actor=focal_point, kind="preparatory", title="مشروع الخطة", file=pdf_file()
    )
    assert before.is_shared_before and before.name == "preuve.pdf"
    assert before.content_type == "application/pdf" and before.size > 0
    # Taken back while the meeting has not started.
    services.meeting_document_delete(document=before, actor=focal_point)
    assert not MeetingDocument.objects.exists()
    early = services.meeting_document_add(
        meeting=held, actor=focal_point, kind="preparatory", title="مشروع الخطة", file=pdf_file()
    )
    with time_machine.travel(start + dt.timedelta(hours=1)):
        late = services.meeting_document_add(
            meeting=held, actor=focal_point, kind="preparatory", title="ملحق", file=pdf_file()
        )
        minutes = services.meeting_document_add(
            meeting=held, actor=focal_point, kind="minutes", title="المحضر", file=pdf_file()
        )
        assert not late.is_shared_before and minutes.kind == MeetingDocumentKind.MINUTES
        # After the start the documents stay, and so does the meeting.
        refused(lambda: services.meeting_document_delete(document=early, actor=focal_point))
        refused(lambda: services.meeting_delete(meeting=held, actor=focal_point))
        # Its date no longer moves; its summary is written now.
        refused(
            lambda: services.meeting_save(
                programme=programme,
                actor=focal_point,
                data=meeting(start - dt.timedelta(days=1)),
                meeting=held,
            ),
            "starts_at",
        )
        services.meeting_save(
            programme=programme,
            actor=focal_point,
            data=meeting(start, summary_ar="اتفق الأعضاء على المحاور"),
            meeting=held,
        )
    held.refresh_from_db()
    assert held.summary == "اتفق الأعضاء على المحاور"
    flags = {
        e.data["document"]: e.data["shared_before"]
        for e in Event.objects.filter(action="openplan.meeting_document")
    }
    assert flags[early.pk] is True and flags[late.pk] is False


def test_bad_meeting_input_writes_nothing(programme: Programme, focal_point: User) -> None:
    refused(
        lambda: services.meeting_save(
            programme=programme,
            actor=focal_point,
            data={
                "body": "nope",
                "title_ar": "",
                "starts_at": "tomorrow",
                "online_url": "javascript:alert(1)",
                "place": "p" * 301,
            },
        ),
        "body",
        "title_ar",
        "starts_at",
        "online_url",
        "place",
    )
    refused(
        lambda: services.meeting_save(
            programme=programme,
            actor=focal_point,
            data=meeting(timezone.now() + dt.timedelta(days=1), summary_fr="déjà"),
        ),
        "summary_fr",
    )
    refused(
        lambda: services.meeting_save(
            programme=programme, actor=focal_point, data={"body": "forum", "title_ar": "ا"}
        ),
        "starts_at",
    )


def test_a_meeting_without_documents_is_moved_or_deleted(
    programme: Programme, focal_point: User
) -> None:
    past = timezone.now() - dt.timedelta(days=2)
    held = services.meeting_save(programme=programme, actor=focal_point, data=meeting(past))
    moved = services.meeting_save(
        programme=programme,
        actor=focal_point,
        data=meeting(past - dt.timedelta(days=1)),
        meeting=held,
    )
    assert moved.starts_at == past - dt.timedelta(days=1)
    services.meeting_delete(meeting=held, actor=focal_point)
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("plan.pdf", PNG),
        ("plan.pdf", b""),
        ("plan.exe", b"MZ"),
        ("plan.docx", b"%PDF-1.4\n%%EOF\n"),
    ],
)
def test_bad_files_write_nothing(
    programme: Programme, focal_point: User, monitor: User, name: str, content: bytes
) -> None:
    held = services.meeting_save(
        programme=programme,
        actor=focal_point,
        data=meeting(timezone.now() + dt.timedelta(days=1)),
    )

    def upload() -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content, content_type="application/pdf")

    refused(
        lambda: services.meeting_document_add(
            meeting=held, actor=focal_point, kind="preparatory", title="و", file=upload()
        ),
        "file",
    )
    refused(
        lambda: services.programme_document_add(
            programme=programme,
            actor=focal_point,
            kind="other",
            title="و",
            dated="2026-01-01",
            file=upload(),
        ),
        "file",
    )
    refused(
        lambda: services.inception_record(
            programme=programme, actor=monitor, file=upload(), title="و", dated="2026-01-01"
        ),
        "file",
    )
    refused(
        lambda: services.meeting_document_add(
            meeting=held, actor=focal_point, kind="preparatory", title="و", file=None
        ),
        "file",
    )


# --- the programme's documents ------------------------------------------------------------


def test_programme_documents_by_role(
    programme: Programme, focal_point: User, monitor: User, charlie: User
) -> None:
    plan = services.programme_document_add(
        programme=programme,
        actor=focal_point,
        kind="action_plan",
        title="خطة العمل",
        dated="2026-03-01",
        file=pdf_file(),
    )
    final = services.programme_document_add(
        programme=programme,
        actor=monitor,
        kind="final",
        title="التقييم النهائي",
        dated="2026-03-02",
        file=pdf_file(),
    )
    assert plan.created_by == focal_point and final.created_by == monitor
    # The focal point does not record assessments; the monitor does not publish the rest.
    denied(
        lambda: services.programme_document_add(
            programme=programme,
            actor=focal_point,
            kind="final",
            title="و",
            dated="2026-03-01",
            file=pdf_file(),
        )
    )
    denied(
        lambda: services.inception_record(
            programme=programme, actor=focal_point, file=pdf_file(), title="و", dated="2026-03-01"
        )
    )
    denied(
        lambda: services.programme_document_add(
            programme=programme,
            actor=monitor,
            kind="other",
            title="و",
            dated="2026-03-01",
            file=pdf_file(),
        )
    )
    denied(lambda: services.programme_document_delete(document=plan, actor=charlie))
    refused(
        lambda: services.programme_document_add(
            programme=programme,
            actor=focal_point,
            kind="nope",
            title="",
            dated=timezone.localdate() + dt.timedelta(days=1),
            file=pdf_file(),
        ),
        "kind",
        "title",
        "dated",
    )
    # Assessments stay; the focal point's own documents may be taken back.
    refused(lambda: services.programme_document_delete(document=final, actor=focal_point))
    services.programme_document_delete(document=plan, actor=focal_point)
    assert list(ProgrammeDocument.objects.values_list("kind", flat=True)) == ["final"]


def test_nothing_is_added_to_an_abandoned_programme(
    programme: Programme, focal_point: User
) -> None:
    Programme.objects.filter(pk=programme.pk).update(status=Status.ABANDONED)
    programme.refresh_from_db()
    refused(
        lambda: services.programme_document_add(
            programme=programme,
            actor=focal_point,
            kind="other",
            title="و",
            dated="2026-01-01",
            file=pdf_file(),
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_taken_back_file_leaves_the_storage_once_committed(
    programme: Programme, focal_point: User
) -> None:
    held = services.meeting_save(
        programme=programme,
        actor=focal_point,
        data=meeting(timezone.now() + dt.timedelta(days=2)),
    )
    document = services.meeting_document_add(
        meeting=held, actor=focal_point, kind="preparatory", title="مسودة", file=pdf_file()
    )
    path = Path(document.file.path)
    assert path.read_bytes().startswith(b"%PDF-")
    services.meeting_document_delete(document=document, actor=focal_point)
    assert not path.exists() and not MeetingDocument.objects.exists()
