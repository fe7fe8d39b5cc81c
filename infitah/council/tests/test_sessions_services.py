"""The life of a council session through its services: convening, the agenda clock, the
agenda and its distribution, attendance and quorum (second and third convocations),
votes, decisions, the register, petitions and the summary clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import NoReverseMatch, reverse

from infitah.accounts.models import Role
from infitah.cases.services import TransitionNotAllowed
from infitah.council import services
from infitah.council.models import (
    AgendaItem,
    Attendance,
    CouncilSettings,
    Document,
    DocumentKind,
    ItemResult,
    Presence,
    Receipt,
    Session,
    Vote,
)
from infitah.council.register import DOCUMENT_TYPE, register_current, register_link
from infitah.council.services import ItemInput, member_field
from infitah.council.tests.sessions_world import (
    CONVENED_ON,
    MEMBERS,
    SITTING_DAY,
    accepted_petition,
    at,
    session_input,
    upload,
)
from infitah.council.workflow import Status
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import Event, RegisterEntry
from infitah.ledger.register_selectors import register_audit
from infitah.notifications.models import OutboundEmail
from infitah.petitions.workflow import Status as PetitionStatus

pytestmark = pytest.mark.django_db
pytest_plugins = ["infitah.council.tests.sessions_fixtures"]


def _convene(collectivity, actor, **overrides) -> Session:
    return services.session_create(
        collectivity=collectivity, actor=actor, data=session_input(**overrides)
    )


def _item(session, actor, title="الميزانية", **overrides) -> AgendaItem:
    return services.item_add(
        session=session, actor=actor, data=ItemInput(title_ar=title, **overrides)
    )


def _published(collectivity, actor, items: int = 2) -> Session:
    session = _convene(collectivity, actor)
    for n in range(items):
        _item(session, actor, title=f"النقطة {n + 1}")
    return services.agenda_publish(session=session, actor=actor)


def _attend(session, actor, council, present: int) -> Session:
    presences = {
        m.pk: Presence.PRESENT if n < present else Presence.ABSENT
        for n, m in enumerate(council.members)
    }
    return services.attendance_record(session=session, actor=actor, presences=presences)


def _events(session) -> list[str]:
    return list(
        Event.objects.filter(object_type="council.session", object_id=str(session.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# ------------------------------------------------------------------------- convening


def test_convening_numbers_the_session_and_opens_the_agenda_clock(
    session_council, session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    assert session.reference == "SES-2026-1"
    assert session.status == Status.DRAFT
    assert session.term == session_council.term
    assert session.convocation == 1
    # Counted back 10 calendar days from Wednesday 7 October: Sunday 27 September, moved
    # earlier to Friday 25 September (a notice is never shortened).
    deadline = session.agenda_deadline
    assert deadline.limit.code == "council.agenda_notice.commune"
    assert deadline.limit.counted_back
    assert deadline.start_date == SITTING_DAY
    assert session.agenda_due == date(2026, 9, 25) == SITTING_DAY - timedelta(days=12)
    assert _events(session) == ["council.convened"]
    assert _convene(collectivity_a, session_secretary).reference == "SES-2026-2"


def test_an_ordinary_session_sits_in_an_ordinary_month(
    session_council, session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    september = at(date(2026, 9, 23))
    with pytest.raises(ValidationError) as caught:
        _convene(collectivity_a, session_secretary, starts_at=september)
    assert "starts_at" in caught.value.message_dict
    assert not Session.objects.exists()
    assert not Deadline.objects.exists()
    # An extraordinary session may sit in any month.
    assert _convene(collectivity_a, session_secretary, kind="extraordinary", starts_at=september).pk
    # The council's own months replace the law's.
    CouncilSettings.objects.create(collectivity=collectivity_a, session_months="9")
    assert _convene(collectivity_a, session_secretary, starts_at=september).pk


def test_input_is_checked_field_by_field(
    session_council, session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    with pytest.raises(ValidationError) as caught:
        _convene(
            collectivity_a,
            session_secretary,
            kind="weekly",
            title_ar="",
            title_fr="",
            place="",
            video_url="javascript:alert(1)",
            broadcast_url="x" * 600,
            starts_at=None,
        )
    assert set(caught.value.message_dict) >= {
        "kind",
        "title_ar",
        "video_url",
        "broadcast_url",
        "starts_at",
    }
    assert not Session.objects.exists()
    # A videoconference link alone is enough.
    session = _convene(
        collectivity_a, session_secretary, place="", video_url="https://visio.example/s1"
    )
    assert session.video_url == "https://visio.example/s1"


def test_a_council_without_a_term_cannot_convene(
    session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    with pytest.raises(ValidationError) as caught:
        _convene(collectivity_a, session_secretary)
    assert "starts_at" in caught.value.message_dict


def test_only_the_secretariat_manages_sessions(
    session_council, session_secretary, collectivity_a, charlie, session_day
) -> None:
    session_day(CONVENED_ON)
    member = session_council.members[1].user
    for outsider in (member, charlie):
        with pytest.raises(PermissionDenied):
            _convene(collectivity_a, outsider)
    session = _convene(collectivity_a, session_secretary)
    for outsider in (member, charlie):
        with pytest.raises(PermissionDenied):
            _item(session, outsider)
        with pytest.raises(PermissionDenied):
            services.agenda_publish(session=session, actor=outsider)
    assert session.items.count() == 0


def test_a_new_sitting_day_moves_the_agenda_clock(
    session_council, session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    first = session.agenda_deadline
    later = at(date(2026, 10, 14))
    services.session_update(
        session=session,
        actor=session_secretary,
        data=services.SessionInput.of(session, starts_at=later),
    )
    session.refresh_from_db()
    first.refresh_from_db()
    assert first.status == DeadlineStatus.CANCELLED
    # 14 October − 10 days = Sunday 4 October → Friday 2 October.
    assert session.agenda_due == date(2026, 10, 2)
    assert "council.updated" in _events(session)


def test_once_published_the_convocation_is_fixed(
    session_council, session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    with pytest.raises(ValidationError) as caught:
        services.session_update(
            session=session,
            actor=session_secretary,
            data=services.SessionInput.of(session, starts_at=at(date(2026, 10, 14))),
        )
    assert "starts_at" in caught.value.message_dict
    updated = services.session_update(
        session=session,
        actor=session_secretary,
        data=services.SessionInput.of(session, place="قصر البلدية"),
    )
    assert updated.place == "قصر البلدية"
    # The agenda is fixed: no new item, no new title.
    with pytest.raises(TransitionNotAllowed):
        _item(session, session_secretary)
    item = session.items.get(number=1)
    with pytest.raises(ValidationError):
        services.item_update(
            item=item, actor=session_secretary, data=ItemInput(title_ar="عنوان آخر")
        )
    changed = services.item_update(
        item=item,
        actor=session_secretary,
        data=ItemInput(title_ar=item.title_ar, committee_report="تقرير اللجنة"),
    )
    assert changed.committee_report == "تقرير اللجنة"


# --------------------------------------------------------------------------- agenda


def test_agenda_items_are_added_removed_and_reordered(
    session_council, session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    a = _item(
        session,
        session_secretary,
        "أ",
        rapporteur=session_council.members[0],
        committee=session_council.committee,
    )
    b = _item(session, session_secretary, "ب")
    c = _item(session, session_secretary, "ج")
    assert [a.number, b.number, c.number] == [1, 2, 3]
    services.items_reorder(session=session, actor=session_secretary, order=[c.pk, a.pk, b.pk])
    assert list(session.items.order_by("number").values_list("title_ar", flat=True)) == [
        "ج",
        "أ",
        "ب",
    ]
    services.item_remove(item=AgendaItem.objects.get(pk=a.pk), actor=session_secretary)
    live = session.items.filter(deleted=False).order_by("number")
    assert [(i.title_ar, i.number) for i in live] == [("ج", 1), ("ب", 2)]
    assert AgendaItem.objects.get(pk=a.pk).deleted  # kept, listed as deleted
    with pytest.raises(ValidationError):
        services.items_reorder(session=session, actor=session_secretary, order=[c.pk, c.pk])
    # A rapporteur of another council is refused.
    other = session_council.members[0]
    other.term_id = None
    with pytest.raises(ValidationError) as caught:
        _item(session, session_secretary, "د", rapporteur=other)
    assert "rapporteur" in caught.value.message_dict


def test_an_empty_agenda_cannot_be_published(
    session_council, session_secretary, collectivity_a, session_day
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    with pytest.raises(ValidationError):
        services.agenda_publish(session=session, actor=session_secretary)
    session.refresh_from_db()
    assert session.status == Status.DRAFT
    assert session.agenda_deadline.is_open


def test_publishing_distributes_every_document_to_every_member(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    without_account, retired = session_council.members[3], session_council.members[4]
    without_account.user = None
    without_account.save()
    retired.ended_on = date(2026, 1, 1)
    retired.save()
    session = _convene(collectivity_a, session_secretary)
    item = _item(session, session_secretary)
    report = services.document_add(
        session=session,
        actor=session_secretary,
        upload=upload(),
        kind=DocumentKind.REPORT,
        title="تقرير",
        item=item,
    )
    assert not Receipt.objects.exists()  # not before publication
    session_day(date(2026, 9, 20))
    session = services.agenda_publish(session=session, actor=session_secretary)
    assert session.status == Status.CONVENED
    assert session.agenda_published_at is not None
    assert session.agenda_deadline.status == DeadlineStatus.MET
    agenda = session.documents.get(kind=DocumentKind.AGENDA)
    assert item.title_ar in agenda.file.read().decode()
    reached = {m.pk for m in session_council.members[:3]}
    for document in (report, agenda):
        assert set(document.receipts.values_list("member_id", flat=True)) == reached
    emails = OutboundEmail.objects.filter(key__startswith=f"council:{session.pk}:members")
    assert sorted(emails.values_list("to", flat=True)) == sorted(
        m.user.email for m in session_council.members[:3]
    )
    link = f"/ar/staff/{collectivity_a.slug}/council/my/"
    assert all(link in e.body for e in emails)
    # The agenda is in the register.
    entry = RegisterEntry.objects.get(document_type=DOCUMENT_TYPE, document_id=str(agenda.pk))
    assert entry.metadata["kind"] == "agenda"
    assert entry.metadata["session"] == session.pk
    assert entry.file_sha256 == agenda.sha256
    # A document added later is distributed at once, and announced.
    annex = services.document_add(
        session=session,
        actor=session_secretary,
        upload=upload("annexe.pdf"),
        kind=DocumentKind.ANNEX,
    )
    assert annex.receipts.count() == 3
    assert OutboundEmail.objects.filter(key__contains=f"document-{annex.pk}").count() == 3


def test_an_upload_is_checked_by_its_content(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    with pytest.raises(ValidationError) as caught:
        services.document_add(
            session=session,
            actor=session_secretary,
            upload=upload("rapport.pdf", b"MZ\x90\x00 not a pdf"),
            kind=DocumentKind.REPORT,
        )
    assert "file" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.document_add(
            session=session, actor=session_secretary, upload=upload(), kind=DocumentKind.MINUTES
        )
    assert "kind" in caught.value.message_dict
    assert not Document.objects.exists()


def test_a_member_opening_a_document_is_recorded(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    member, other = session_council.members[1], session_council.members[2]
    receipt = Receipt.objects.get(document__session=session, member=member)
    assert receipt.opened_at is None and receipt.open_count == 0
    first = services.receipt_open(receipt=receipt, actor=member.user).opened_at
    session_day(date(2026, 9, 2))
    again = services.receipt_open(receipt=receipt, actor=member.user)
    assert again.open_count == 2
    assert again.opened_at == first
    with pytest.raises(PermissionDenied):
        services.receipt_open(receipt=receipt, actor=other.user)


# -------------------------------------------------------------------------- sitting


def test_attendance_quorum_hold_and_the_summary_clock(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    with pytest.raises(ValidationError):  # the sitting has not begun
        _attend(session, session_secretary, session_council, present=3)
    session_day(SITTING_DAY)
    with pytest.raises(TransitionNotAllowed):  # no attendance yet
        services.session_hold(session=session, actor=session_secretary)
    with pytest.raises(ValidationError) as caught:  # a member missing
        services.attendance_record(
            session=session,
            actor=session_secretary,
            presences={session_council.members[0].pk: Presence.PRESENT},
        )
    assert member_field(session_council.members[1].pk) in caught.value.message_dict
    session = _attend(session, session_secretary, session_council, present=3)  # 3 of 5
    assert session.quorum_met is True
    assert Attendance.objects.filter(session=session).count() == MEMBERS
    with pytest.raises(TransitionNotAllowed):  # the quorum is met: no adjournment
        services.session_adjourn(session=session, actor=session_secretary)
    session = services.session_hold(session=session, actor=session_secretary)
    assert session.status == Status.HELD
    assert session.held_on == SITTING_DAY
    # The summary of the decisions is due 8 calendar days after the sitting.
    assert session.summary_deadline.limit.code == "council.summary.commune"
    assert session.summary_due == date(2026, 10, 15)
    assert session.summary_deadline.is_open


def test_half_of_the_members_is_no_quorum(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    session_day(SITTING_DAY)
    session_council.members[4].ended_on = date(2026, 1, 1)  # 4 in office
    session_council.members[4].save()
    presences = {
        m.pk: Presence.PRESENT if n < 2 else Presence.EXCUSED
        for n, m in enumerate(session_council.members[:4])
    }
    session = services.attendance_record(
        session=session, actor=session_secretary, presences=presences
    )
    assert session.quorum_met is False  # 2 of 4 is not more than half
    assert services.quorum_reached(present=3, in_office=4)
    assert not services.quorum_reached(present=2, in_office=4)
    assert services.quorum_reached(present=3, in_office=5)


def test_without_quorum_the_session_is_convened_again_until_the_third_convocation(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    first = _convene(collectivity_a, session_secretary)
    item = _item(first, session_secretary)
    services.document_add(
        session=first, actor=session_secretary, upload=upload(), kind=DocumentKind.REPORT, item=item
    )
    first = services.agenda_publish(session=first, actor=session_secretary)
    session_day(SITTING_DAY)
    first = _attend(first, session_secretary, session_council, present=2)
    assert first.quorum_met is False
    with pytest.raises(TransitionNotAllowed):
        services.session_hold(session=first, actor=session_secretary)
    first = services.session_adjourn(session=first, actor=session_secretary, note="غياب النصاب")
    assert first.status == Status.ADJOURNED
    second = services.session_reconvene(
        session=first, actor=session_secretary, starts_at=at(date(2026, 10, 14))
    )
    assert second.follows == first
    assert second.convocation == 2
    assert second.status == Status.DRAFT
    assert second.reference == "SES-2026-2"
    assert second.agenda_due == date(2026, 10, 2)
    copied = second.items.get()
    assert copied.title_ar == item.title_ar
    assert copied.documents.get().sha256 == item.documents.get().sha256
    assert not second.documents.filter(kind=DocumentKind.AGENDA).exists()
    with pytest.raises(TransitionNotAllowed):  # only once
        services.session_reconvene(
            session=first, actor=session_secretary, starts_at=at(date(2026, 10, 21))
        )
    # The second convocation still needs its quorum.
    session_day(date(2026, 10, 1))
    second = services.agenda_publish(session=second, actor=session_secretary)
    session_day(date(2026, 10, 14))
    second = _attend(second, session_secretary, session_council, present=1)
    assert services.quorum_needed(second)
    second = services.session_adjourn(session=second, actor=session_secretary)
    third = services.session_reconvene(
        session=second, actor=session_secretary, starts_at=at(date(2026, 10, 21))
    )
    assert third.convocation == 3
    # From the third convocation on, the council deliberates with the members present.
    session_day(date(2026, 10, 8))
    third = services.agenda_publish(session=third, actor=session_secretary)
    session_day(date(2026, 10, 21))
    third = _attend(third, session_secretary, session_council, present=1)
    assert third.quorum_met is False
    assert not services.quorum_needed(third)
    with pytest.raises(TransitionNotAllowed):
        services.session_adjourn(session=third, actor=session_secretary)
    third = services.session_hold(session=third, actor=session_secretary)
    assert third.status == Status.HELD


def test_the_vote_result_is_computed(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    session_day(SITTING_DAY)
    session = _attend(session, session_secretary, session_council, present=4)
    m = session_council.members
    item = session.items.get(number=1)
    with pytest.raises(ValidationError) as caught:
        services.vote_record(
            item=item,
            actor=session_secretary,
            votes={m[0].pk: "for", m[1].pk: "for", m[2].pk: "against", m[4].pk: "for"},
        )
    errors = caught.value.message_dict
    assert member_field(m[3].pk) in errors  # present, no choice
    assert member_field(m[4].pk) in errors  # absent, may not vote
    item = services.vote_record(
        item=item,
        actor=session_secretary,
        votes={m[0].pk: "for", m[1].pk: "for", m[2].pk: "against", m[3].pk: "abstain"},
    )
    assert (item.votes_for, item.votes_against, item.votes_abstain) == (2, 1, 1)
    assert item.result == ItemResult.ADOPTED
    assert Vote.objects.get(item=item, member=m[4]).choice == "none"
    tie = services.vote_record(
        item=item,
        actor=session_secretary,
        votes={m[0].pk: "for", m[1].pk: "against", m[2].pk: "abstain", m[3].pk: "none"},
    )
    assert tie.result == ItemResult.REJECTED  # for does not exceed against
    assert services.vote_result(votes_for=0, votes_against=0, votes_abstain=0) == ""
    assert services.vote_result(votes_for=3, votes_against=2, votes_abstain=9) == "adopted"
    # A member who voted cannot become absent without correcting the vote.
    with pytest.raises(ValidationError):
        _attend(session, session_secretary, session_council, present=1)


def test_decisions_go_to_the_register_and_a_correction_withdraws_the_former(
    session_council, session_secretary, collectivity_a, session_day, session_media, settings
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    session_day(SITTING_DAY)
    session = _attend(session, session_secretary, session_council, present=3)
    m = session_council.members
    item = session.items.get(number=1)
    with pytest.raises(ValidationError) as caught:  # no vote yet
        services.item_decide(item=item, actor=session_secretary, decision_ar="قرر المجلس")
    assert "outcome" in caught.value.message_dict
    services.vote_record(
        item=item,
        actor=session_secretary,
        votes={m[0].pk: "for", m[1].pk: "for", m[2].pk: "against"},
    )
    with pytest.raises(ValidationError):  # voted: the result is the vote's
        services.item_decide(item=item, actor=session_secretary, outcome=ItemResult.POSTPONED)
    item = services.item_decide(
        item=item,
        actor=session_secretary,
        deliberation="نقاش مستفيض",
        decision_ar="صادق المجلس على الميزانية",
        decision_fr="Le conseil adopte le budget",
    )
    assert item.decision_number == "1/2026"
    assert item.result == ItemResult.ADOPTED
    decision = item.documents.get(kind=DocumentKind.DECISION, deleted=False)
    assert "صادق المجلس على الميزانية" in decision.file.read().decode()

    def entries() -> list[RegisterEntry]:
        return list(RegisterEntry.objects.filter(document_type=DOCUMENT_TYPE).order_by("index"))

    assert [(e.action, e.metadata["kind"]) for e in entries()] == [
        ("publish", "agenda"),
        ("publish", "decision"),
    ]
    # The same decision again adds nothing; a corrected one is a new version.
    services.item_decide(
        item=item,
        actor=session_secretary,
        deliberation="نقاش",
        decision_ar="صادق المجلس على الميزانية",
        decision_fr="Le conseil adopte le budget",
    )
    assert len(entries()) == 2
    services.item_decide(
        item=item, actor=session_secretary, decision_ar="صادق المجلس على الميزانية المعدلة"
    )
    decision.refresh_from_db()
    assert decision.deleted
    assert [e.action for e in entries()] == ["publish", "publish", "withdraw", "publish"]
    # Another item is postponed without a vote (no decision text: not in the register).
    other = services.item_decide(
        item=session.items.get(number=2), actor=session_secretary, outcome=ItemResult.POSTPONED
    )
    assert other.result == ItemResult.POSTPONED
    assert len(entries()) == 4
    # `manage.py verify_register` finds each council document as its latest entry says.
    settings.INFITAH_REGISTER_SOURCES = {
        **settings.INFITAH_REGISTER_SOURCES,
        DOCUMENT_TYPE: "infitah.council.register.register_current",
    }
    report = register_audit(check_files=True)
    assert report.problems == []
    assert len(list(register_current())) == 3
    try:
        expected = reverse(
            "council:session", kwargs={"slug": collectivity_a.slug, "pk": session.pk}
        )
    except NoReverseMatch:
        expected = ""
    assert register_link(entries()[-1]).startswith(expected)


def test_summary_needs_every_outcome_and_meets_its_clock(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary, items=2)
    session_day(SITTING_DAY)
    session = _attend(session, session_secretary, session_council, present=3)
    session = services.session_hold(session=session, actor=session_secretary)
    m = session_council.members
    first, second = session.items.order_by("number")
    services.vote_record(
        item=first, actor=session_secretary, votes={m[0].pk: "for", m[1].pk: "for", m[2].pk: "for"}
    )
    services.item_decide(item=first, actor=session_secretary, decision_ar="قرر المجلس")
    with pytest.raises(ValidationError):  # item 2 has no outcome
        services.summary_publish(session=session, actor=session_secretary, summary_ar="ملخص")
    services.item_decide(item=second, actor=session_secretary, outcome=ItemResult.NOTED)
    with pytest.raises(ValidationError):
        services.summary_publish(session=session, actor=session_secretary)
    session_day(date(2026, 10, 12))
    session = services.summary_publish(
        session=session, actor=session_secretary, summary_ar="ملخص المقررات", summary_fr="Résumé"
    )
    assert session.status == Status.SUMMARY_PUBLISHED
    assert session.summary_published_at is not None
    assert session.summary_deadline.status == DeadlineStatus.MET
    assert session.closed_at is not None


def test_a_cancelled_session_tells_the_members(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    with pytest.raises(ValidationError):
        services.session_cancel(session=session, actor=session_secretary, reason="")
    session = services.session_cancel(session=session, actor=session_secretary, reason="ظروف قاهرة")
    assert session.status == Status.CANCELLED
    assert OutboundEmail.objects.filter(key__contains=":members:cancelled:").count() == MEMBERS
    with pytest.raises(TransitionNotAllowed):
        services.document_add(
            session=session, actor=session_secretary, upload=upload(), kind=DocumentKind.ANNEX
        )


# ------------------------------------------------------------------------ petitions


def test_a_petition_is_scheduled_and_decided_by_a_secretariat_of_the_bureau(
    session_council, staff_a, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    petition = accepted_petition(collectivity_a)
    session = _convene(collectivity_a, staff_a)
    item = services.item_add_from_petition(session=session, actor=staff_a, petition=petition)
    assert item.petition == petition
    assert item.title_ar == petition.request
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.SCHEDULED
    assert petition.session_date == SITTING_DAY
    assert petition.session_title == session.title_ar
    with pytest.raises(ValidationError):  # once on an agenda
        services.item_add_from_petition(session=session, actor=staff_a, petition=petition)
    session = services.agenda_publish(session=session, actor=staff_a)
    session_day(SITTING_DAY)
    session = _attend(session, staff_a, session_council, present=3)
    m = session_council.members
    services.vote_record(
        item=item, actor=staff_a, votes={m[0].pk: "for", m[1].pk: "for", m[2].pk: "against"}
    )
    services.item_decide(item=item, actor=staff_a, decision_ar="قرر المجلس إحداث المساحة")
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.DELIBERATED
    assert petition.decision_ar == "قرر المجلس إحداث المساحة"


def test_without_the_bureaus_permission_the_bureau_is_told(
    session_council, session_secretary, staff_for, collectivity_a, session_day, session_media
) -> None:
    bureau = staff_for(Role.PETITIONS_BUREAU)
    session_day(CONVENED_ON)
    petition = accepted_petition(collectivity_a)
    session = _convene(collectivity_a, session_secretary)
    item = services.item_add_from_petition(
        session=session, actor=session_secretary, petition=petition
    )
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ACCEPTED  # linked only
    told = OutboundEmail.objects.filter(to=bureau.email, key__contains=f"petition-{petition.pk}")
    assert told.count() == 1
    session = services.agenda_publish(session=session, actor=session_secretary)
    session_day(SITTING_DAY)
    session = _attend(session, session_secretary, session_council, present=3)
    m = session_council.members
    services.vote_record(
        item=item, actor=session_secretary, votes={m[0].pk: "for", m[1].pk: "for", m[2].pk: "for"}
    )
    services.item_decide(item=item, actor=session_secretary, decision_ar="قرر المجلس")
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ACCEPTED
    assert told.count() == 2
    assert "decided" in told.order_by("-pk").first().key


def test_only_an_accepted_petition_of_the_collectivity_goes_on_the_agenda(
    session_council, session_secretary, collectivity_a, collectivity_b, session_day
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    elsewhere = accepted_petition(collectivity_b, number=2)
    lodged = accepted_petition(collectivity_a, number=3, status=PetitionStatus.LODGED)
    for petition in (elsewhere, lodged):
        with pytest.raises(ValidationError) as caught:
            services.item_add_from_petition(
                session=session, actor=session_secretary, petition=petition
            )
        assert "petition" in caught.value.message_dict
    assert not session.items.exists()
