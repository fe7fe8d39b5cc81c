"""The council's public pages, end to end through the test client (in /ar/ and /fr/):
the council, a session, a member, a document's file and the decisions.

Assertions look at data (names, titles, counts), status codes and structure, never at
translated text. The world is built with the ORM: these pages read what the staff
services write, whichever they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.html import escape

from infitah.council.models import (
    AgendaItem,
    Attendance,
    Choice,
    Committee,
    CommitteeSeat,
    Document,
    DocumentKind,
    ItemResult,
    Member,
    MemberRole,
    Minutes,
    MinutesStatus,
    Presence,
    SeatRole,
    Session,
    Term,
    Vote,
)
from infitah.council.workflow import SessionKind, Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
MAX_PAGE = 30 * 1024
TZ = timezone.get_fixed_timezone(60)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def url(slug: str, path: str = "", lang: str = "ar") -> str:
    return f"/{lang}/c/{slug}/council/{path}"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def make_term(collectivity: Collectivity, **extra: Any) -> Term:
    values: dict[str, Any] = {
        "name_ar": "الولاية 2021-2026",
        "name_fr": "Mandat 2021-2026",
        "start_date": dt.date(2021, 9, 20),
    }
    values.update(extra)
    return Term.objects.create(collectivity=collectivity, **values)


def make_member(term: Term, n: int, **extra: Any) -> Member:
    values: dict[str, Any] = {
        "name_ar": f"العضو رقم {n}",
        "name_fr": f"Membre numéro {n}",
        "started_on": term.start_date,
        "party": "حزب" if n % 2 else "",
    }
    values.update(extra)
    return Member.objects.create(collectivity=term.collectivity, term=term, **values)


def make_session(term: Term, status: str, day: dt.date, **extra: Any) -> Session:
    values: dict[str, Any] = {
        "kind": SessionKind.ORDINARY,
        "status": status,
        "title_ar": f"دورة {day.isoformat()} {status}",
        "title_fr": f"Session {day.isoformat()} {status}",
        "starts_at": at(day),
        "place": "قاعة الاجتماعات",
    }
    if status != Status.DRAFT:
        values["agenda_published_at"] = at(day - dt.timedelta(days=12))
    if status in (Status.HELD, Status.SUMMARY_PUBLISHED, Status.ADJOURNED):
        values["held_on"] = day
    values.update(extra)
    return Session.objects.create(collectivity=term.collectivity, term=term, **values)


def make_item(session: Session, number: int, **extra: Any) -> AgendaItem:
    values: dict[str, Any] = {
        "title_ar": f"النقطة {number} من {session.title_ar}",
        "title_fr": f"Point {number} de {session.title_fr}",
    }
    values.update(extra)
    return AgendaItem.objects.create(session=session, number=number, **values)


def make_document(
    session: Session, item: AgendaItem | None = None, *, title: str, **extra: Any
) -> Document:
    content = f"{title}\n".encode()
    values: dict[str, Any] = {
        "kind": DocumentKind.REPORT,
        "title": title,
        "name": "report.txt",
        "content_type": "text/plain; charset=utf-8",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    values.update(extra)
    document = Document(session=session, item=item, **values)
    document.file.save("report.txt", ContentFile(content), save=False)
    document.save()
    return document


@dataclass
class World:
    """A commune's council: a term, a bureau and members, a committee; a held session
    (attendance, votes, decisions, summary), a convened one, a draft one, a deleted one,
    a closed sitting, and what must never show."""

    collectivity: Collectivity
    term: Term
    president: Member
    vice: Member
    members: list[Member]
    gone: Member  # deleted
    committee: Committee
    held: Session
    convened: Session
    draft: Session
    deleted: Session
    closed: Session
    cancelled_unpublished: Session
    adopted: AgendaItem
    rejected: AgendaItem
    secret_item: AgendaItem  # not public
    deleted_item: AgendaItem
    public_doc: Document
    convened_doc: Document
    private_doc: Document
    deleted_doc: Document
    draft_doc: Document
    secret_item_doc: Document
    never: list[str] = field(default_factory=list)  # texts never on a public page


def build_world(collectivity: Collectivity) -> World:
    term = make_term(collectivity)
    president = make_member(term, 1, role=MemberRole.PRESIDENT, name_ar="الرئيس أحمد")
    vice = make_member(term, 2, role=MemberRole.VICE_PRESIDENT, rank=1, name_ar="النائب سعاد")
    members = [president, vice] + [make_member(term, n) for n in range(3, 9)]
    gone = make_member(term, 99, name_ar="عضو محذوف", name_fr="Membre supprimé", deleted=True)
    committee = Committee.objects.create(
        collectivity=collectivity, term=term, name_ar="لجنة الميزانية", name_fr="Budget"
    )
    CommitteeSeat.objects.create(committee=committee, member=vice, role=SeatRole.CHAIR)
    CommitteeSeat.objects.create(committee=committee, member=members[3])
    CommitteeSeat.objects.create(committee=committee, member=gone)

    held = make_session(
        term,
        Status.SUMMARY_PUBLISHED,
        dt.date(2026, 2, 3),
        summary_ar="ملخص المقررات: صادق المجلس على النقطة الأولى.",
        summary_fr="Résumé : le conseil a adopté le premier point.",
        summary_published_at=at(dt.date(2026, 2, 6)),
        broadcast_url="https://live.example.org/feb",
        recording_url="https://video.example.org/feb",
        quorum_met=True,
    )
    adopted = make_item(
        held,
        1,
        rapporteur=vice,
        committee=committee,
        result=ItemResult.ADOPTED,
        decision_number="2026/01",
        decision_ar="قرر المجلس المصادقة على الاتفاقية.",
        decision_fr="Le conseil approuve la convention.",
        decided_at=at(dt.date(2026, 2, 3), 12),
    )
    rejected = make_item(
        held,
        2,
        result=ItemResult.REJECTED,
        votes_for=1,
        votes_against=5,
        decision_ar="رفض المجلس المشروع.",
        decision_fr="Le conseil rejette le projet.",
    )
    secret_item = make_item(
        held,
        3,
        is_public=False,
        title_ar="نقطة سرية",
        title_fr="Point confidentiel",
        result=ItemResult.ADOPTED,
        decision_ar="قرار سري",
        decision_fr="Décision confidentielle",
    )
    deleted_item = make_item(
        held, 4, deleted=True, title_ar="نقطة محذوفة", title_fr="Point supprimé"
    )
    # Attendance: 5 present, 2 excused, 1 absent (and the deleted member, never shown).
    presences = [Presence.PRESENT] * 5 + [Presence.EXCUSED] * 2 + [Presence.ABSENT]
    for member, presence in zip(members, presences, strict=True):
        Attendance.objects.create(session=held, member=member, presence=presence)
    Attendance.objects.create(session=held, member=gone, presence=Presence.PRESENT)
    # Item 1: 3 for, 1 against, 1 abstains; the deleted member's vote is never shown.
    choices = [Choice.FOR, Choice.FOR, Choice.FOR, Choice.AGAINST, Choice.ABSTAIN]
    for member, choice in zip(members[:5], choices, strict=True):
        Vote.objects.create(item=adopted, member=member, choice=choice)
    Vote.objects.create(item=adopted, member=gone, choice=Choice.AGAINST)
    Vote.objects.create(item=secret_item, member=members[0], choice=Choice.FOR)

    convened = make_session(
        term,
        Status.CONVENED,
        dt.date(2027, 5, 4),
        broadcast_url="https://live.example.org/may",
        video_url="https://meet.example.org/may",
    )
    gone_committee = Committee.objects.create(
        collectivity=collectivity,
        term=term,
        name_ar="لجنة محذوفة",
        name_fr="Commission supprimée",
        deleted=True,
    )
    make_item(
        convened,
        1,
        title_ar="برمجة الفائض",
        title_fr="Programmation de l'excédent",
        rapporteur=gone,
        committee=gone_committee,
    )
    make_item(convened, 2, is_public=False, title_ar="نقطة مغلقة", title_fr="Point fermé")
    draft = make_session(
        term, Status.DRAFT, dt.date(2027, 10, 5), title_ar="دورة مسودة", title_fr="Brouillon"
    )
    make_item(draft, 1, title_ar="نقطة مسودة", title_fr="Point en préparation")
    deleted = make_session(
        term,
        Status.HELD,
        dt.date(2025, 10, 7),
        deleted=True,
        title_ar="دورة محذوفة",
        title_fr="Session supprimée",
    )
    closed = make_session(
        term,
        Status.HELD,
        dt.date(2025, 5, 6),
        is_public=False,
        broadcast_url="https://live.example.org/closed",
        recording_url="https://video.example.org/closed",
        video_url="https://meet.example.org/closed",
    )
    cancelled = make_session(
        term,
        Status.CANCELLED,
        dt.date(2025, 2, 4),
        agenda_published_at=None,
        title_ar="دورة ملغاة قبل النشر",
        title_fr="Session annulée avant publication",
    )

    world = World(
        collectivity=collectivity,
        term=term,
        president=president,
        vice=vice,
        members=members,
        gone=gone,
        committee=committee,
        held=held,
        convened=convened,
        draft=draft,
        deleted=deleted,
        closed=closed,
        cancelled_unpublished=cancelled,
        adopted=adopted,
        rejected=rejected,
        secret_item=secret_item,
        deleted_item=deleted_item,
        public_doc=make_document(held, adopted, title="تقرير الاتفاقية"),
        convened_doc=make_document(convened, title="جدول أعمال دورة ماي"),
        private_doc=make_document(held, title="وثيقة داخلية", is_public=False),
        deleted_doc=make_document(held, title="وثيقة محذوفة", deleted=True),
        draft_doc=make_document(draft, title="وثيقة المسودة"),
        secret_item_doc=make_document(held, secret_item, title="وثيقة النقطة السرية"),
    )
    world.never = [
        gone.name_ar,
        gone.name_fr,
        gone_committee.name_ar,
        gone_committee.name_fr,
        draft.title_ar,
        draft.title_fr,
        "نقطة مسودة",
        deleted.title_ar,
        deleted.title_fr,
        cancelled.title_ar,
        cancelled.title_fr,
        "نقطة سرية",
        "Point confidentiel",
        "قرار سري",
        "نقطة محذوفة",
        "Point supprimé",
        "نقطة مغلقة",
        "Point fermé",
        "وثيقة داخلية",
        "وثيقة محذوفة",
        "وثيقة المسودة",
        "وثيقة النقطة السرية",
        "closed.example.org",
        "live.example.org/closed",
    ]
    return world


@pytest.fixture
def world(collectivity_a: Collectivity) -> World:
    return build_world(collectivity_a)


def get(path: str) -> tuple[int, str]:
    response = Client().get(path)
    return response.status_code, response.content.decode() if response.status_code == 200 else ""


def assert_never(body: str, world: World) -> None:
    for text in world.never:
        assert text not in body, text


def _html_lang(body: str) -> tuple[str, str]:
    match = re.search(r'<html lang="(\w+)" dir="(\w+)"', body)
    assert match is not None
    return match.group(1), match.group(2)


# --------------------------------------------------------------------------- the council


@pytest.mark.parametrize("lang", LANGS)
def test_council_home_shows_the_term_bureau_committees_and_sessions(
    world: World, lang: str
) -> None:
    status, body = get(url("commune-a", lang=lang))
    assert status == 200
    assert _html_lang(body) == (lang, "rtl" if lang == "ar" else "ltr")
    term_name = world.term.name_ar if lang == "ar" else world.term.name_fr
    assert term_name in body
    president = world.president.name_ar if lang == "ar" else world.president.name_fr
    assert president in body
    assert url("commune-a", f"members/{world.president.pk}/", lang) in body
    for member in world.members:
        assert url("commune-a", f"members/{member.pk}/", lang) in body
    assert (world.committee.name_ar if lang == "ar" else world.committee.name_fr) in body
    # Upcoming: the convened session, its public item and its document.
    assert url("commune-a", f"sessions/{world.convened.pk}/", lang) in body
    assert ("برمجة الفائض" if lang == "ar" else "Programmation de l&#x27;excédent") in body
    assert url("commune-a", f"documents/{world.convened_doc.pk}/", lang) in body
    # Past: the held and the closed sittings.
    assert url("commune-a", f"sessions/{world.held.pk}/", lang) in body
    assert url("commune-a", f"sessions/{world.closed.pk}/", lang) in body
    assert url("commune-a", "decisions/", lang) in body
    for hidden in (world.draft, world.deleted, world.cancelled_unpublished):
        assert url("commune-a", f"sessions/{hidden.pk}/", lang) not in body
    assert_never(body, world)
    assert len(body.encode()) <= MAX_PAGE


def test_council_home_links_the_advisory_bodies_when_they_are_routed(world: World) -> None:
    _status, body = get(url("commune-a"))
    try:
        advisory = reverse("advisory:home", kwargs={"slug": "commune-a"})
    except NoReverseMatch:
        return
    assert f'href="{advisory}"' in body


def test_the_module_of_a_network_member_leads_to_the_council(collectivity_a: Collectivity) -> None:
    body = Client().get(f"/fr/c/{collectivity_a.slug}/").content.decode()
    assert 'href="/fr/c/commune-a/council/"' in body


def test_council_home_without_a_term(collectivity_a: Collectivity) -> None:
    status, _body = get(url("commune-a"))
    assert status == 200


def test_a_collectivity_outside_the_network_has_no_council_pages(
    world: World, collectivity_b: Collectivity
) -> None:
    assert Client().get(url("commune-b")).status_code == 404
    assert Client().get(url("no-such-place")).status_code == 404


def test_a_future_term_is_not_the_current_one(world: World) -> None:
    make_term(world.collectivity, name_ar="الولاية المقبلة", start_date=dt.date(2099, 9, 1))
    _status, body = get(url("commune-a"))
    assert world.term.name_ar in body and "الولاية المقبلة" not in body


def test_a_member_whose_mandate_ended_leaves_the_bureau_and_keeps_a_page(world: World) -> None:
    former = make_member(
        world.term,
        50,
        role=MemberRole.PRESIDENT,
        name_ar="الرئيس السابق",
        ended_on=dt.date(2023, 1, 1),
    )
    _status, body = get(url("commune-a"))
    assert "الرئيس السابق" not in body and world.president.name_ar in body
    assert get(url("commune-a", f"members/{former.pk}/"))[0] == 200


def test_past_sessions_are_paged(world: World) -> None:
    for n in range(25):
        make_session(world.term, Status.HELD, dt.date(2020, 1, 1) + dt.timedelta(days=n))
    _status, first = get(url("commune-a"))
    _status, second = get(url("commune-a", "?page=2"))
    assert 'rel="next"' in first and 'rel="prev"' in second
    assert get(url("commune-a", "?page=zzz"))[0] == 200


# --------------------------------------------------------------------------- a session


@pytest.mark.parametrize("lang", LANGS)
def test_a_held_session_shows_attendance_votes_decisions_and_summary(
    world: World, lang: str
) -> None:
    status, body = get(url("commune-a", f"sessions/{world.held.pk}/", lang))
    assert status == 200
    assert _html_lang(body) == (lang, "rtl" if lang == "ar" else "ltr")
    with translation.override(lang):
        day = formats.date_format(world.held.starts_at.astimezone(timezone.get_current_timezone()))
        present, excused, absent = (escape(p.label) for p in Presence)
        for_, against, abstain, none = (escape(c.label) for c in Choice)
        adopted_label = str(ItemResult.ADOPTED.label)
    assert day in body
    # Attendance: counts, then the names per presence.
    assert f"{present}: <strong>5</strong>" in body
    assert f"{excused}: <strong>2</strong>" in body
    assert f"{absent}: <strong>1</strong>" in body
    attendance = body.split('id="attendance"', 1)[1].split('id="agenda"', 1)[0]
    for member in world.members:
        assert url("commune-a", f"members/{member.pk}/", lang) in attendance
    # Votes of item 1, grouped per choice (a list per choice, no table).
    item = body.split(f'id="item-{world.adopted.pk}"', 1)[1].split("</article>", 1)[0]
    assert "<table" not in item
    assert f"<dt>{for_} (3)</dt>" in item
    assert f"<dt>{against} (1)</dt>" in item
    assert f"<dt>{abstain} (1)</dt>" in item
    assert f"<dt>{none} (0)</dt>" in item
    assert adopted_label in item
    assert "2026/01" in item
    decision = world.adopted.decision_ar if lang == "ar" else world.adopted.decision_fr
    assert decision in item
    assert url("commune-a", f"documents/{world.public_doc.pk}/", lang) in item
    # Item 2: a show of hands, the item's counts.
    item2 = body.split(f'id="item-{world.rejected.pk}"', 1)[1].split("</article>", 1)[0]
    assert " 1 · " in item2 and " 5 · " in item2 and "<dl" not in item2
    # The summary, the public sitting's recording (no live link once held).
    summary = world.held.summary_ar if lang == "ar" else world.held.summary_fr
    assert summary in body
    assert "https://video.example.org/feb" in body
    assert "https://live.example.org/feb" not in body
    assert_never(body, world)
    assert len(body.encode()) <= MAX_PAGE


def test_the_summary_waits_for_its_publication(world: World) -> None:
    Session.objects.filter(pk=world.held.pk).update(status=Status.HELD, summary_published_at=None)
    _status, body = get(url("commune-a", f"sessions/{world.held.pk}/"))
    assert world.held.summary_ar not in body
    # The results are public once held.
    assert world.adopted.decision_ar in body


def test_a_convened_session_shows_its_agenda_live_link_and_no_results(world: World) -> None:
    Vote.objects.create(
        item=AgendaItem.objects.get(session=world.convened, number=1),
        member=world.president,
        choice=Choice.FOR,
    )
    status, body = get(url("commune-a", f"sessions/{world.convened.pk}/", "fr"))
    assert status == 200
    assert "Programmation de l&#x27;excédent" in body
    assert "https://live.example.org/may" in body
    assert "https://meet.example.org/may" in body
    assert 'class="council-votes"' not in body and 'id="attendance"' not in body
    assert_never(body, world)


def test_a_closed_sitting_shows_no_broadcast_recording_or_video_link(world: World) -> None:
    status, body = get(url("commune-a", f"sessions/{world.closed.pk}/"))
    assert status == 200
    assert "example.org" not in body


def test_links_other_than_web_addresses_are_never_drawn(world: World) -> None:
    Session.objects.filter(pk=world.held.pk).update(recording_url="javascript:alert(1)")
    _status, body = get(url("commune-a", f"sessions/{world.held.pk}/"))
    assert "javascript:" not in body


@pytest.mark.parametrize("which", ["draft", "deleted", "cancelled_unpublished"])
def test_sessions_never_public_are_not_found(world: World, which: str) -> None:
    session = getattr(world, which)
    assert Client().get(url("commune-a", f"sessions/{session.pk}/")).status_code == 404


def test_a_session_of_another_collectivity_is_not_found_under_this_slug(
    world: World, collectivity_b: Collectivity
) -> None:
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    other = build_world(collectivity_b)
    assert Client().get(url("commune-a", f"sessions/{other.held.pk}/")).status_code == 404
    assert Client().get(url("commune-b", f"sessions/{other.held.pk}/")).status_code == 200
    assert Client().get(url("commune-b", f"sessions/{world.held.pk}/")).status_code == 404


def test_signed_minutes_are_announced_only_once_signed(world: World) -> None:
    minutes = Minutes.objects.create(session=world.held, status=MinutesStatus.APPROVED)
    _status, body = get(url("commune-a", f"sessions/{world.held.pk}/"))
    assert 'id="minutes"' not in body
    minutes.status = MinutesStatus.SIGNED
    minutes.signed_at = timezone.now()
    minutes.save()
    _status, body = get(url("commune-a", f"sessions/{world.held.pk}/"))
    assert 'id="minutes"' in body
    for name in ("council:minutes-pdf", "council:minutes-check"):
        try:
            link = reverse(name, kwargs={"slug": "commune-a", "pk": world.held.pk})
        except NoReverseMatch:
            continue
        assert f'href="{link}"' in body
    minutes.deleted = True
    minutes.save()
    assert 'id="minutes"' not in get(url("commune-a", f"sessions/{world.held.pk}/"))[1]


# --------------------------------------------------------------------------- a member


@pytest.mark.parametrize("lang", LANGS)
def test_a_member_page_shows_role_committees_attendance_and_votes(world: World, lang: str) -> None:
    vice = world.vice
    # Another held session where the vice-president was excused, and an adjourned one
    # where they were absent; attendance of a draft session never counts.
    second = make_session(world.term, Status.HELD, dt.date(2025, 10, 8))
    Attendance.objects.create(session=second, member=vice, presence=Presence.EXCUSED)
    adjourned = make_session(world.term, Status.ADJOURNED, dt.date(2025, 7, 1))
    Attendance.objects.create(session=adjourned, member=vice, presence=Presence.ABSENT)
    Attendance.objects.create(session=world.draft, member=vice, presence=Presence.PRESENT)
    Attendance.objects.create(session=world.deleted, member=vice, presence=Presence.PRESENT)
    Vote.objects.create(item=world.secret_item, member=vice, choice=Choice.AGAINST)

    status, body = get(url("commune-a", f"members/{vice.pk}/", lang))
    assert status == 200
    assert _html_lang(body)[0] == lang
    with translation.override(lang):
        present, excused, absent = (str(p.label) for p in Presence)
        role = str(MemberRole.VICE_PRESIDENT.label)
        chair = str(SeatRole.CHAIR.label)
        for_ = str(Choice.FOR.label)
    assert role in body
    assert (world.committee.name_ar if lang == "ar" else world.committee.name_fr) in body
    assert chair in body
    assert f"{present}: <strong>1</strong>" in body
    assert f"{excused}: <strong>1</strong>" in body
    assert f"{absent}: <strong>1</strong>" in body
    attendance = body.split('id="attendance"', 1)[1].split('id="votes"', 1)[0]
    for session in (world.held, second, adjourned):
        assert url("commune-a", f"sessions/{session.pk}/", lang) in attendance
    votes = body.split('id="votes"', 1)[1].split("</section>", 1)[0]
    assert f"#item-{world.adopted.pk}" in votes
    assert f"<strong>{for_}</strong>" in votes
    assert votes.count("<li>") == 1  # not the vote on the non-public item
    assert_never(body, world)
    assert len(body.encode()) <= MAX_PAGE


def test_deleted_members_and_another_collectivitys_members_are_not_found(
    world: World, collectivity_b: Collectivity
) -> None:
    assert Client().get(url("commune-a", f"members/{world.gone.pk}/")).status_code == 404
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    other = make_member(make_term(collectivity_b), 1)
    assert Client().get(url("commune-a", f"members/{other.pk}/")).status_code == 404
    assert Client().get(url("commune-b", f"members/{other.pk}/")).status_code == 200


# --------------------------------------------------------------------------- documents


def test_a_public_document_is_served_as_an_attachment(world: World) -> None:
    response = Client().get(url("commune-a", f"documents/{world.public_doc.pk}/"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == "تقرير الاتفاقية\n".encode()  # type: ignore[attr-defined]
    assert Client().get(url("commune-a", f"documents/{world.convened_doc.pk}/")).status_code == 200


@pytest.mark.parametrize("which", ["private_doc", "deleted_doc", "draft_doc", "secret_item_doc"])
def test_documents_never_public_are_not_found(world: World, which: str) -> None:
    document = getattr(world, which)
    assert Client().get(url("commune-a", f"documents/{document.pk}/")).status_code == 404


def test_a_document_of_a_deleted_item_or_session_is_not_found(world: World) -> None:
    document = make_document(world.held, world.deleted_item, title="x")
    assert Client().get(url("commune-a", f"documents/{document.pk}/")).status_code == 404
    Session.objects.filter(pk=world.held.pk).update(deleted=True)
    response = Client().get(url("commune-a", f"documents/{world.public_doc.pk}/"))
    assert response.status_code == 404


def test_another_collectivitys_document_id_under_this_slug_is_not_found(
    world: World, collectivity_b: Collectivity
) -> None:
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    other = build_world(collectivity_b)
    assert Client().get(url("commune-a", f"documents/{other.public_doc.pk}/")).status_code == 404
    assert Client().get(url("commune-b", f"documents/{other.public_doc.pk}/")).status_code == 200


# --------------------------------------------------------------------------- decisions


@pytest.mark.parametrize("lang", LANGS)
def test_decisions_lists_every_public_decision_newest_first(world: World, lang: str) -> None:
    older = make_session(world.term, Status.HELD, dt.date(2025, 10, 7))
    old_item = make_item(older, 1, result=ItemResult.ADOPTED, decision_ar="قرار أكتوبر")
    make_item(older, 2)  # no result, no decision: not a decision
    status, body = get(url("commune-a", "decisions/", lang))
    assert status == 200
    assert _html_lang(body)[0] == lang
    anchors = re.findall(r"#item-(\d+)", body)
    assert anchors == [str(world.adopted.pk), str(world.rejected.pk), str(old_item.pk)]
    assert_never(body, world)
    assert len(body.encode()) <= MAX_PAGE


def test_decisions_are_paged(world: World) -> None:
    for n in range(25):
        session = make_session(world.term, Status.HELD, dt.date(2020, 1, 1) + dt.timedelta(n))
        make_item(session, 1, result=ItemResult.ADOPTED)
    first = get(url("commune-a", "decisions/"))[1]
    second = get(url("commune-a", "decisions/?page=2"))[1]
    assert len(re.findall(r"#item-\d+", first)) == 20
    assert len(re.findall(r"#item-\d+", second)) == 7
    assert get(url("commune-a", "decisions/?page=-1"))[0] == 200


# --------------------------------------------------------------------------- query counts


def build_big(collectivity: Collectivity, n: int) -> dict[str, Any]:
    """`n` members (all on one committee), `n` past and `n` convened sessions, a held
    session with `n` items (each with a document) where every member voted on three
    items and attended, and a member who attended `n` sessions and voted `n` times."""
    term = make_term(collectivity)
    members = Member.objects.bulk_create(
        Member(
            collectivity=collectivity,
            term=term,
            name_ar=f"عضو {i}",
            name_fr=f"Membre {i}",
            started_on=term.start_date,
            role=MemberRole.PRESIDENT if i == 0 else MemberRole.MEMBER,
        )
        for i in range(n)
    )
    committee = Committee.objects.create(
        collectivity=collectivity, term=term, name_ar="لجنة", name_fr="Commission"
    )
    CommitteeSeat.objects.bulk_create(CommitteeSeat(committee=committee, member=m) for m in members)

    def sessions(status: str, start: dt.date) -> list[Session]:
        return Session.objects.bulk_create(
            Session(
                collectivity=collectivity,
                term=term,
                kind=SessionKind.ORDINARY,
                status=status,
                title_ar=f"دورة {i}",
                starts_at=at(start + dt.timedelta(days=i)),
                agenda_published_at=at(start),
                held_on=start + dt.timedelta(days=i),
            )
            for i in range(n)
        )

    past = sessions(Status.SUMMARY_PUBLISHED, dt.date(2022, 1, 1))
    upcoming = sessions(Status.CONVENED, dt.date(2027, 1, 1))
    AgendaItem.objects.bulk_create(
        AgendaItem(session=s, number=1, title_ar="نقطة") for s in upcoming
    )
    Document.objects.bulk_create(
        Document(
            session=s,
            kind=DocumentKind.AGENDA,
            title="جدول الأعمال",
            file="council/x.txt",
            name="x.txt",
            content_type="text/plain",
            size=1,
            sha256="0" * 64,
        )
        for s in upcoming
    )
    held = past[0]
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            session=held,
            number=i + 1,
            title_ar=f"نقطة {i}",
            result=ItemResult.ADOPTED,
            decision_ar="قرار",
        )
        for i in range(n)
    )
    Document.objects.bulk_create(
        Document(
            session=held,
            item=item,
            kind=DocumentKind.REPORT,
            title="تقرير",
            file="council/x.txt",
            name="x.txt",
            content_type="text/plain",
            size=1,
            sha256="0" * 64,
        )
        for item in items
    )
    Vote.objects.bulk_create(
        Vote(item=item, member=m, choice=Choice.FOR) for item in items[:3] for m in members
    )
    Attendance.objects.bulk_create(
        Attendance(session=held, member=m, presence=Presence.PRESENT) for m in members
    )
    # The president attended every past session and voted on every item.
    Attendance.objects.bulk_create(
        Attendance(session=s, member=members[0], presence=Presence.EXCUSED) for s in past[1:]
    )
    Vote.objects.bulk_create(
        Vote(item=item, member=members[0], choice=Choice.AGAINST) for item in items[3:]
    )
    return {
        "home": url(collectivity.slug),
        "session": url(collectivity.slug, f"sessions/{held.pk}/"),
        "member": url(collectivity.slug, f"members/{members[0].pk}/"),
        "decisions": url(collectivity.slug, "decisions/"),
    }


def _queries(path: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["home", "session", "member", "decisions"])
def test_query_counts_do_not_grow_with_the_data(
    collectivity_a: Collectivity, prefecture: Collectivity, page: str
) -> None:
    small = build_big(collectivity_a, 10)
    big_place = Collectivity.objects.create(
        kind=collectivity_a.kind,
        slug="commune-big",
        name_ar="كبيرة",
        name_fr="Grande",
        parent=prefecture,
        region=prefecture.region,
        is_network_member=True,
    )
    big = build_big(big_place, 300)
    few, many = _queries(small[page]), _queries(big[page])
    assert few == many, (few, many)
    assert many <= 10


@pytest.mark.parametrize("path", ["sessions/{n}/", "members/{n}/", "documents/{n}/", "?page={n}"])
def test_numbers_beyond_any_id_are_not_found_never_a_server_error(world: World, path: str) -> None:
    client = Client(raise_request_exception=False)
    response = client.get(url("commune-a", path.format(n="9" * 20)))
    assert response.status_code in (200, 404)
    response = client.get(url("commune-a", "decisions/?page=" + "9" * 20))
    assert response.status_code == 200
