"""OParl list pages cost the same number of queries with 10 objects as with 1,000."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.advisory.models import Body, BodyKind, BodyMember, Referral
from infitah.advisory.workflow import Origin
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.council.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeSeat,
    Document,
    Member,
    Presence,
    Session,
    Term,
    Vote,
)
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _term(collectivity: Collectivity) -> Term:
    return Term.objects.create(
        collectivity=collectivity, name_ar="الولاية", start_date=dt.date(2021, 9, 20)
    )


def _members(collectivity: Collectivity, term: Term, n: int) -> list[Member]:
    members = Member.objects.bulk_create(
        Member(
            collectivity=collectivity,
            term=term,
            name_ar=f"عضو {i}",
            started_on=dt.date(2021, 9, 20),
        )
        for i in range(n)
    )
    committee = Committee.objects.create(collectivity=collectivity, term=term, name_ar="لجنة")
    CommitteeSeat.objects.bulk_create(CommitteeSeat(committee=committee, member=m) for m in members)
    return members


def make_meetings(collectivity: Collectivity, n: int) -> None:
    term = _term(collectivity)
    voter = _members(collectivity, term, 1)[0]
    sessions = Session.objects.bulk_create(
        Session(
            collectivity=collectivity,
            term=term,
            kind=SessionKind.ORDINARY,
            status=SessionStatus.HELD,
            title_ar=f"دورة {i}",
            starts_at=timezone.now(),
            place="القاعة",
            agenda_published_at=timezone.now(),
        )
        for i in range(n)
    )
    items = AgendaItem.objects.bulk_create(
        AgendaItem(session=s, number=k, title_ar="نقطة") for s in sessions for k in (1, 2)
    )
    Vote.objects.bulk_create(Vote(item=i, member=voter, choice="for") for i in items)
    Attendance.objects.bulk_create(
        Attendance(session=s, member=voter, presence=Presence.PRESENT) for s in sessions
    )
    Document.objects.bulk_create(
        Document(
            session=i.session,
            item=i,
            kind="report",
            title="تقرير",
            file="council/x.pdf",
            name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        )
        for i in items
    )


def make_papers(collectivity: Collectivity, n: int) -> None:
    _term(collectivity)
    body = Body.objects.create(collectivity=collectivity, kind=BodyKind.EQUITY, name_ar="هيئة")
    Referral.objects.bulk_create(
        Referral(
            collectivity=collectivity,
            body=body,
            status=ReferralStatus.ADOPTED,
            origin=Origin.COUNCIL,
            subject_ar=f"إحالة {i}",
            opinion_ar="رأي",
        )
        for i in range(n)
    )


def make_persons(collectivity: Collectivity, n: int) -> None:
    _members(collectivity, _term(collectivity), n)


def make_organizations(collectivity: Collectivity, n: int) -> None:
    """n committees with a seat each, the council with n members, an advisory body with
    n members."""
    term = _term(collectivity)
    members = _members(collectivity, term, n)
    committees = Committee.objects.bulk_create(
        Committee(collectivity=collectivity, term=term, name_ar=f"لجنة {i}") for i in range(n)
    )
    CommitteeSeat.objects.bulk_create(
        CommitteeSeat(committee=c, member=m) for c, m in zip(committees, members, strict=True)
    )
    body = Body.objects.create(collectivity=collectivity, kind=BodyKind.EQUITY, name_ar="هيئة")
    BodyMember.objects.bulk_create(
        BodyMember(body=body, name_ar=f"عضو {i}", started_on=dt.date(2022, 1, 1)) for i in range(n)
    )


def _queries(url: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["data"]
    return len(captured)


@pytest.mark.parametrize(
    ("segment", "make"),
    [
        ("meeting", make_meetings),
        ("paper", make_papers),
        ("person", make_persons),
        ("organization", make_organizations),
    ],
)
def test_a_list_page_costs_the_same_at_10_and_1000(
    segment: str,
    make: Callable[[Collectivity, int], None],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    make(collectivity_a, 10)
    make(collectivity_b, 1000)
    small = _queries(f"/oparl/v1/body/{collectivity_a.slug}/{segment}")
    large = _queries(f"/oparl/v1/body/{collectivity_b.slug}/{segment}")
    last_page = _queries(f"/oparl/v1/body/{collectivity_b.slug}/{segment}?page=10")
    # a page reads each source it shows once: as many queries with 1,000 objects as with
    # 10 (the organizations' first page of 1,000 does not reach the advisory bodies: less)
    assert large <= small and last_page <= small <= 14
    if segment != "organization":
        assert small == large == last_page
