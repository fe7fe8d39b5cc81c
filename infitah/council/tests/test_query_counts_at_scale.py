"""The council's list pages cost the same number of SQL queries with 10 rows as with
1,000 (issue 15): public (the council, a session, a member, the decisions) and the
secretariat's (the sessions, a session, an item's vote grid, the organs, a member's
documents).

Two councils are written with `bulk_create` (the services are tested elsewhere; a
thousand service calls would take minutes), one of `SMALL` and one of `BIG`, in two
network members; each page is drawn once in the small one (warm-up), then counted in
both, and each client has drawn a short page of the big one first. Each page must show
its 1,000 rows, or its first page and a pager where it is paged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.council import selectors, staff_views
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
    Presence,
    Receipt,
    SeatRole,
    Session,
    Vote,
)
from infitah.council.tests.scale import Counter, counter, network_commune
from infitah.council.tests.sessions_world import at, council_make
from infitah.council.workflow import SessionKind, Status
from infitah.deadlines.models import Deadline, DeadlineStatus, LegalLimit
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

SMALL = 10
BIG = 1_000
# Past sessions and decisions are paged by 20 (public_views.PAGE_SIZE).
PAGE = 20
# Whatever the data, no page may cost more than this many queries.
CEILING = 40


@dataclass
class World:
    """One council of `n` members, `n` past and `n` convened sessions, a draft session
    of `n` items, and its latest sitting (held) with `n` items, decisions and documents."""

    collectivity: Collectivity
    n: int
    president: Member  # attended every past session, voted on every item
    held: Session
    draft: Session
    first_item: AgendaItem

    def public(self, path: str = "") -> str:
        return f"/ar/c/{self.collectivity.slug}/council/{path}"

    def staff(self, path: str = "") -> str:
        return f"/ar/staff/{self.collectivity.slug}/council/{path}"


def _document(session: Session, item: AgendaItem | None, kind: str, title: str) -> Document:
    return Document(
        session=session,
        item=item,
        kind=kind,
        title=title,
        file="council/x.pdf",
        name="x.pdf",
        content_type="application/pdf",
        size=1234,
        sha256="0" * 64,
    )


def _deadlines(
    sessions: list[Session], code: str, *, due: Callable[[Session], dt.date], met: bool
) -> list[Deadline]:
    limit = LegalLimit.objects.get(code=code)
    return Deadline.objects.bulk_create(
        Deadline(
            collectivity=s.collectivity,
            limit=limit,
            start_date=timezone.localdate(s.starts_at),
            due_date=due(s),
            subject_type="council.session",
            subject_id=str(s.pk),
            label=f"{code} {s.reference}",
            status=DeadlineStatus.MET if met else DeadlineStatus.OPEN,
            closed_at=timezone.now() if met else None,
        )
        for s in sessions
    )


def _sessions(
    collectivity: Collectivity, term: Any, status: str, days: list[dt.date], tag: str
) -> list[Session]:
    published = status != Status.DRAFT
    sat = status in (Status.HELD, Status.SUMMARY_PUBLISHED)
    return Session.objects.bulk_create(
        Session(
            collectivity=collectivity,
            term=term,
            kind=SessionKind.ORDINARY if i % 3 else SessionKind.EXTRAORDINARY,
            status=status,
            reference=f"CS-{tag}-{i}",
            title_ar=f"دورة {tag} {i}",
            title_fr=f"Session {tag} {i}",
            starts_at=at(day),
            place="قاعة الاجتماعات",
            agenda_published_at=at(day - dt.timedelta(days=12)) if published else None,
            held_on=day if sat else None,
            quorum_met=True if sat else None,
            summary_ar="ملخص المقررات" if status == Status.SUMMARY_PUBLISHED else "",
            summary_published_at=at(day + dt.timedelta(days=3))
            if status == Status.SUMMARY_PUBLISHED
            else None,
        )
        for i, day in enumerate(days)
    )


def build(collectivity: Collectivity, n: int) -> World:
    """The council of `collectivity` at the scale `n`, written with bulk_create."""
    today = timezone.localdate()
    council = council_make(collectivity, n, prefix=f"scale{n}-")
    term, members = council.term, council.members
    Member.objects.filter(pk=members[1].pk).update(role=MemberRole.VICE_PRESIDENT, rank=1)
    Member.objects.filter(pk=members[2].pk).update(role=MemberRole.SECRETARY, party="حزب")
    # Committees (2 at 10 members, 11 at 1,000), every member on one, a chair each.
    committees = [
        council.committee,
        *Committee.objects.bulk_create(
            Committee(collectivity=collectivity, term=term, name_ar=f"لجنة {k}", name_fr=f"C {k}")
            for k in range(1, 1 + max(1, n // 100))
        ),
    ]
    CommitteeSeat.objects.bulk_create(
        CommitteeSeat(
            committee=committees[i % len(committees)],
            member=m,
            role=SeatRole.CHAIR if i < len(committees) else SeatRole.MEMBER,
        )
        for i, m in enumerate(members)
    )

    # `n` past sittings: the latest held (votes may still be recorded), the others with
    # their decisions published; `n` convened sessions; one in preparation.
    held = _sessions(collectivity, term, Status.HELD, [today - dt.timedelta(days=3)], "held")[0]
    older = _sessions(
        collectivity,
        term,
        Status.SUMMARY_PUBLISHED,
        [today - dt.timedelta(days=30 + i) for i in range(n - 1)],
        "past",
    )
    past = [held, *older]
    upcoming = _sessions(
        collectivity,
        term,
        Status.CONVENED,
        [today + dt.timedelta(days=10 + i) for i in range(n)],
        "next",
    )
    draft = _sessions(collectivity, term, Status.DRAFT, [today + dt.timedelta(days=5)], "draft")[0]
    level = "commune"
    past_deadlines = [
        *_deadlines(
            [held],
            f"council.summary.{level}",
            due=lambda s: timezone.localdate(s.starts_at) + dt.timedelta(days=8),
            met=False,
        ),
        *_deadlines(
            older,
            f"council.summary.{level}",
            due=lambda s: timezone.localdate(s.starts_at) + dt.timedelta(days=8),
            met=True,
        ),
    ]
    upcoming_deadlines = _deadlines(
        [*upcoming, draft],
        f"council.agenda_notice.{level}",
        due=lambda s: timezone.localdate(s.starts_at) - dt.timedelta(days=10),
        met=False,
    )
    for session, deadline in zip(past, past_deadlines, strict=True):
        session.summary_deadline = deadline
    for session, deadline in zip([*upcoming, draft], upcoming_deadlines, strict=True):
        session.agenda_deadline = deadline
    Session.objects.bulk_update(past, ["summary_deadline"], batch_size=500)
    Session.objects.bulk_update([*upcoming, draft], ["agenda_deadline"], batch_size=500)

    # Each convened session: one item (reported on by a committee) and its agenda.
    AgendaItem.objects.bulk_create(
        AgendaItem(
            session=s,
            number=1,
            title_ar=f"نقطة {s.reference}",
            rapporteur=members[i % n],
            committee=committees[i % len(committees)],
        )
        for i, s in enumerate(upcoming)
    )
    upcoming_docs = Document.objects.bulk_create(
        _document(s, None, DocumentKind.AGENDA, f"جدول أعمال {s.reference}") for s in upcoming
    )
    # The session in preparation: `n` items on its agenda.
    AgendaItem.objects.bulk_create(
        AgendaItem(session=draft, number=i + 1, title_ar=f"نقطة مقترحة {i}") for i in range(n)
    )

    # The latest sitting: `n` items decided, each with its report; every member present
    # and voting on the first three items; its agenda sent to every member.
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            session=held,
            number=i + 1,
            title_ar=f"نقطة الدورة {i}",
            title_fr=f"Point {i}",
            rapporteur=members[i % n],
            committee=committees[i % len(committees)],
            result=ItemResult.ADOPTED if i % 4 else ItemResult.REJECTED,
            votes_for=n if i % 4 else 0,
            decision_number=f"{i}/2026",
            decision_ar=f"مقرر رقم {i}",
            decided_at=at(held.held_on or today, 12),
        )
        for i in range(n)
    )
    item_docs = Document.objects.bulk_create(
        _document(held, item, DocumentKind.REPORT, f"تقرير النقطة {item.number}") for item in items
    )
    agenda = _document(held, None, DocumentKind.AGENDA, "جدول الأعمال")
    agenda.save()
    Attendance.objects.bulk_create(
        Attendance(session=held, member=m, presence=Presence.PRESENT) for m in members
    )
    choices = [Choice.FOR, Choice.AGAINST, Choice.ABSTAIN, Choice.NONE]
    Vote.objects.bulk_create(
        Vote(item=item, member=m, choice=choices[k % 4])
        for item in items[:3]
        for k, m in enumerate(members)
    )
    # The president attended every past sitting and voted on every item.
    president = members[0]
    Attendance.objects.bulk_create(
        Attendance(
            session=s, member=president, presence=Presence.EXCUSED if i % 2 else Presence.PRESENT
        )
        for i, s in enumerate(older)
    )
    Vote.objects.bulk_create(
        Vote(item=item, member=president, choice=Choice.FOR) for item in items[3:]
    )
    # Distribution: the agenda to every member; each report to the president and two
    # others; each convened session's agenda to the president (some opened).
    now = timezone.now()
    Receipt.objects.bulk_create(
        [
            *(Receipt(document=agenda, member=m) for m in members),
            *(
                Receipt(
                    document=d,
                    member=members[k],
                    opened_at=now if (i + k) % 2 else None,
                    open_count=(i + k) % 2,
                )
                for i, d in enumerate([*item_docs, *upcoming_docs])
                for k in (0, 1 + i % (n - 1))
            ),
        ]
    )
    return World(
        collectivity=collectivity,
        n=n,
        president=president,
        held=held,
        draft=draft,
        first_item=items[0],
    )


@pytest.fixture
def worlds(collectivity_a: Collectivity, prefecture: Collectivity) -> tuple[World, World]:
    return build(collectivity_a, SMALL), build(network_commune(prefecture, "commune-big"), BIG)


def compare(
    pages: dict[str, tuple[Counter, Counter, str, str]],
    record_property: Callable[[str, object], None],
) -> dict[str, tuple[str, str]]:
    """Each page drawn once in the small world (warm-up: what a process loads once),
    then counted in both; the counts must be equal and under CEILING. Returns {page:
    (small page, big page)}. (Each client has already drawn a page of the big world.)"""
    bodies: dict[str, tuple[str, str]] = {}
    counts: dict[str, tuple[int, int]] = {}
    for name, (small_count, big_count, small_url, big_url) in pages.items():
        small_count(small_url)
        few, small_body = small_count(small_url)
        many, big_body = big_count(big_url)
        counts[name] = (few, many)
        bodies[name] = (small_body, big_body)
        record_property(f"queries_{name}", f"{few}/{many}")
    grown = {name: c for name, c in counts.items() if c[0] != c[1] or c[1] > CEILING}
    assert not grown, f"queries (at {SMALL}, at {BIG}) differ or exceed {CEILING}: {grown}"
    return bodies


def _links(body: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, body))


# --------------------------------------------------------------------------- public


def test_public_pages_cost_the_same_with_1000_rows(
    worlds: tuple[World, World], record_property: Callable[[str, object], None]
) -> None:
    small, big = worlds
    client = Client()
    client.get(big.public("decisions/"))  # warm-up in the big world (a short page)
    count = counter(client)
    pages = {
        "public_home": (count, count, small.public(), big.public()),
        "public_session": (
            count,
            count,
            small.public(f"sessions/{small.held.pk}/"),
            big.public(f"sessions/{big.held.pk}/"),
        ),
        "public_member": (
            count,
            count,
            small.public(f"members/{small.president.pk}/"),
            big.public(f"members/{big.president.pk}/"),
        ),
        "public_decisions": (
            count,
            count,
            small.public("decisions/"),
            big.public("decisions/"),
        ),
    }
    bodies = compare(pages, record_property)
    slug = big.collectivity.slug

    # The council: every member, every convened session with its item and agenda, the
    # first page of the past sessions and the pager.
    home = bodies["public_home"][1]
    assert len(_links(home, rf"/ar/c/{slug}/council/members/(\d+)/")) == BIG
    sessions = _links(home, rf"/ar/c/{slug}/council/sessions/(\d+)/")
    assert len(sessions) == BIG + PAGE
    assert home.count("نقطة CS-next-") == BIG
    assert len(_links(home, rf"/ar/c/{slug}/council/documents/(\d+)/")) == BIG
    assert 'rel="next"' in home and "?page=2" in home

    # The sitting: its items with their reports and decisions, each member's presence
    # and vote on the first items.
    session = bodies["public_session"][1]
    assert len(_links(session, r'id="item-(\d+)"')) == BIG
    assert len(_links(session, rf"/ar/c/{slug}/council/documents/(\d+)/")) == BIG + 1
    assert session.count("مقرر رقم ") == BIG
    assert len(_links(session, rf"/ar/c/{slug}/council/members/(\d+)/")) == BIG

    # The president: every sitting attended and every vote.
    member = bodies["public_member"][1]
    attendance = member.split('id="attendance"', 1)[1].split('id="votes"', 1)[0]
    votes = member.split('id="votes"', 1)[1]
    assert len(_links(attendance, rf"/ar/c/{slug}/council/sessions/(\d+)/")) == BIG
    assert len(re.findall(r"#item-\d+", votes)) == BIG

    # The decisions: the first page and the pager.
    decisions = bodies["public_decisions"][1]
    assert len(re.findall(r"#item-\d+", decisions)) == PAGE
    assert 'rel="next"' in decisions


# --------------------------------------------------------------------------- staff


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_secretariat_pages_cost_the_same_with_1000_rows(
    worlds: tuple[World, World],
    staff_for: Callable[[str], User],
    charlie: User,
    record_property: Callable[[str, object], None],
) -> None:
    small, big = worlds
    secretary = staff_for(Role.COUNCIL_SECRETARY)
    Membership.objects.create(
        user=secretary, collectivity=big.collectivity, role=Role.COUNCIL_SECRETARY
    )
    client = _logged_in(secretary)
    count = counter(client)
    # A member's documents: each council's president, signed in.
    small_member = counter(_logged_in(_user(small.president)))
    member = _logged_in(_user(big.president))
    big_member = counter(member)
    # Warm-up in the big world (short pages).
    client.get(big.staff("organs/settings/"))
    member.get(big.staff("my/documents/0/"))

    def both(path: Callable[[World], str]) -> tuple[Counter, Counter, str, str]:
        return count, count, path(small), path(big)

    pages = {
        "staff_home": both(lambda w: w.staff()),
        "staff_session_held": both(lambda w: w.staff(f"sessions/{w.held.pk}/")),
        "staff_session_draft": both(lambda w: w.staff(f"sessions/{w.draft.pk}/")),
        "staff_item_votes": both(
            lambda w: w.staff(f"sessions/{w.held.pk}/items/{w.first_item.pk}/")
        ),
        "staff_organs": both(lambda w: w.staff("organs/")),
        "staff_my_documents": (small_member, big_member, small.staff("my/"), big.staff("my/")),
    }
    bodies = compare(pages, record_property)
    base = big.staff()

    home = bodies["staff_home"][1]
    # Every upcoming session, then the first page of the past ones and the pager.
    upcoming = selectors.sessions_upcoming(
        collectivity=big.collectivity, today=timezone.localdate()
    )
    assert len(upcoming) >= BIG
    shown = _links(home, rf"{base}sessions/(\d+)/")
    assert len(shown) == len(upcoming) + staff_views.PAGE_SIZE
    assert 'rel="next"' in home and "?page=2" in home

    held = bodies["staff_session_held"][1]
    documents = _links(held, rf"{base}sessions/{big.held.pk}/documents/(\d+)/")
    assert len(documents) == BIG + 1
    # The agenda went to every member, each report to three: each name under its record.
    assert held.count("العضو ") >= 3 * BIG

    draft = bodies["staff_session_draft"][1]
    assert draft.count("نقطة مقترحة ") >= BIG

    grid = bodies["staff_item_votes"][1]
    assert len(re.findall(r'name="member_\d+"', grid)) == BIG * 4  # 4 choices each

    organs = bodies["staff_organs"][1]
    assert len(_links(organs, rf"{base}organs/members/(\d+)/")) == BIG

    mine = bodies["staff_my_documents"][1]
    assert len(_links(mine, rf"{base}my/documents/(\d+)/")) == 2 * BIG + 1
    assert mine.count('<section aria-labelledby="session-') == BIG + 1

    # Another collectivity's staff find none of it.
    outsider = _logged_in(charlie)
    for url in (small.staff(), small.staff(f"sessions/{small.held.pk}/"), small.staff("organs/")):
        assert outsider.get(url).status_code == 404


def _user(member: Member) -> User:
    assert member.user is not None
    return member.user
