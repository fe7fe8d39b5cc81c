"""The open-data sources of the council (infitah/opendata/sources/council.py): the
decisions of the held sessions and the roll-call votes.

The council's own test world (infitah/council/tests/conftest.py: a term of A, its
members, a session held on 3 February 2026 with a roll-call vote) is built with the ORM;
what the public pages never show (a session whose agenda is in preparation, a convened
session not held yet, a non-public or deleted item, a deleted member's vote, a council
outside the network) must be absent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django.utils import timezone

from infitah.council.models import AgendaItem, Choice, ItemResult, Session, Vote
from infitah.council.tests.conftest import (
    SITTING_DAY,
    Council,
    council_member,
    council_term,
    held_session_for,
)
from infitah.council.workflow import SessionKind, Status
from infitah.finance.tests.budget_public_world import network_commune
from infitah.opendata.sources import council as sources
from infitah.opendata.tests.test_sources_participation import (
    SITE,
    all_cells,
    assert_well_formed,
    table_errors,
)
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.INFITAH_SITE_URL = SITE


def council_of(collectivity: Collectivity) -> Council:
    term = council_term(collectivity)
    return Council(
        term=term,
        president=council_member(term, "أحمد العلوي", "Ahmed Alaoui", "president"),
        secretary=council_member(term, "فاطمة بناني", "Fatima Bennani", "secretary"),
        members=[
            council_member(term, "يوسف الإدريسي", "Youssef Idrissi"),
            council_member(term, "خديجة أمزيان", "Khadija Amziane"),
            council_member(term, "محمد أوبلا", "Mohamed Oubella"),
        ],
    )


def session_of(council: Council, status: str, day: dt.date, **extra: Any) -> Session:
    return Session.objects.create(
        collectivity=council.term.collectivity,
        term=council.term,
        kind=SessionKind.EXTRAORDINARY,
        status=status,
        title_ar="دورة",
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        **extra,
    )


def decided(session: Session, number: int, title: str, **extra: Any) -> AgendaItem:
    return AgendaItem.objects.create(
        session=session,
        number=number,
        title_ar=title,
        title_fr=title,
        result=ItemResult.ADOPTED,
        votes_for=9,
        decision_number=f"SECRET-{number}",
        decision_ar=f"مقرر {title}",
        **extra,
    )


@pytest.fixture
def council_world(
    collectivity_a: Collectivity, collectivity_b: Collectivity, prefecture: Collectivity
) -> dict[str, Any]:
    """A's held session (item 1 voted member by member, 3 for and 1 against; item 2
    noted), plus what is never public: a non-public item and a deleted one of that
    session, a session in preparation and a convened one, each with a decided item.
    B (outside the network) and C (a member) each hold a session too."""
    council = council_of(collectivity_a)
    held = held_session_for(council)
    first, second = held.items.order_by("number")
    decided(held, 3, "نقطة سرية", is_public=False)
    decided(held, 4, "نقطة محذوفة", deleted=True)
    drafted = session_of(council, Status.DRAFT, dt.date(2026, 3, 1))
    decided(drafted, 1, "نقطة في التحضير")
    convened = session_of(council, Status.CONVENED, dt.date(2026, 3, 20))
    decided(convened, 1, "نقطة لم يبت فيها")
    other = held_session_for(council_of(collectivity_b))
    collectivity_c = network_commune(prefecture, "commune-c", 50_000)
    elsewhere = held_session_for(council_of(collectivity_c))
    return {
        "council": council,
        "held": held,
        "first": first,
        "second": second,
        "other": other,
        "c": collectivity_c,
        "elsewhere": elsewhere,
    }


def test_every_source_is_well_formed() -> None:
    assert [s.key for s in sources.SOURCES] == ["council-decisions", "council-votes"]
    assert_well_formed(sources.SOURCES)


def test_decisions_give_the_decided_public_items_of_held_sessions(
    council_world: dict[str, Any],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    held, first, second = council_world["held"], council_world["first"], council_world["second"]
    source = sources.DECISIONS
    with django_assert_num_queries(2):
        rows = list(source.rows(collectivity_a))
    page = f"{SITE}/ar/c/commune-a/council/sessions/{held.pk}/"
    common = {
        "session_id": held.pk,
        "session_reference": "CS-2026-01",
        "session_kind": "ordinary",
        "session_date": "2026-02-03",
    }
    assert rows == [
        {
            **common,
            "item_id": first.pk,
            "item_number": 1,
            "title_ar": "المصادقة على برنامج عمل الجماعة",
            "title_fr": "Approbation du programme d'action de la commune",
            "result": "adopted",
            "votes_for": 3,
            "votes_against": 1,
            "votes_abstain": 0,
            "decision_number": "D-2026-07",
            "decision_ar": "صادق المجلس على برنامج عمل الجماعة.",
            "decision_fr": "Le conseil approuve le programme d'action.",
            "decided_on": None,
            "url": f"{page}#item-{first.pk}",
        },
        {
            **common,
            "item_id": second.pk,
            "item_number": 2,
            "title_ar": "نقطة إخبارية حول الميزانية",
            "title_fr": "Point d'information sur le budget",
            "result": "noted",
            "votes_for": 0,
            "votes_against": 0,
            "votes_abstain": 0,
            "decision_number": "",
            "decision_ar": "",
            "decision_fr": "",
            "decided_on": None,
            "url": f"{page}#item-{second.pk}",
        },
    ]
    assert "SECRET" not in all_cells(rows)
    assert table_errors(source, rows) == []
    assert list(source.rows(collectivity_b)) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, council_world["c"].pk])
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (SITTING_DAY, SITTING_DAY)


def test_a_show_of_hands_gives_the_counts_recorded_on_the_item(
    council_world: dict[str, Any], collectivity_a: Collectivity
) -> None:
    Vote.objects.filter(item=council_world["first"]).delete()
    AgendaItem.objects.filter(pk=council_world["first"].pk).update(
        votes_for=20, votes_against=2, votes_abstain=3, decided_at=timezone.now()
    )
    row = next(iter(sources.DECISIONS.rows(collectivity_a)))
    assert (row["votes_for"], row["votes_against"], row["votes_abstain"]) == (20, 2, 3)
    assert row["decided_on"] == timezone.localdate().isoformat()


def test_votes_give_each_member_s_public_roll_call_vote(
    council_world: dict[str, Any],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    council, held, first = council_world["council"], council_world["held"], council_world["first"]
    # A vote on the non-public item is never shown.
    hidden = AgendaItem.objects.get(session=held, number=3)
    Vote.objects.create(item=hidden, member=council.president, choice=Choice.AGAINST)
    source = sources.VOTES
    with django_assert_num_queries(1):
        rows = list(source.rows(collectivity_a))
    everyone = [council.president, council.secretary, *council.members[:2]]
    assert [(r["member_id"], r["vote"]) for r in rows] == [
        (everyone[0].pk, "for"),
        (everyone[1].pk, "for"),
        (everyone[2].pk, "for"),
        (everyone[3].pk, "against"),
    ]
    assert {r["item_id"] for r in rows} == {first.pk}
    assert rows[0] == {
        "session_id": held.pk,
        "session_date": "2026-02-03",
        "item_id": first.pk,
        "item_number": 1,
        "item_title_ar": "المصادقة على برنامج عمل الجماعة",
        "item_title_fr": "Approbation du programme d'action de la commune",
        "member_id": council.president.pk,
        "member_name_ar": "أحمد العلوي",
        "member_name_fr": "Ahmed Alaoui",
        "party": "",
        "vote": "for",
        "url": f"{SITE}/ar/c/commune-a/council/members/{council.president.pk}/",
    }
    assert table_errors(source, rows) == []
    assert list(source.rows(collectivity_b)) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, council_world["c"].pk])
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (SITTING_DAY, SITTING_DAY)


def test_a_deleted_member_s_vote_is_neither_listed_nor_counted(
    council_world: dict[str, Any], collectivity_a: Collectivity
) -> None:
    council = council_world["council"]
    youssef = council.members[0]  # voted for item 1
    youssef.deleted = True
    youssef.save(update_fields=["deleted"])
    assert youssef.pk not in [r["member_id"] for r in sources.VOTES.rows(collectivity_a)]
    first = next(iter(sources.DECISIONS.rows(collectivity_a)))
    assert (first["votes_for"], first["votes_against"]) == (2, 1)


def test_a_session_whose_decisions_are_published_still_counts_and_a_deleted_one_not(
    council_world: dict[str, Any], collectivity_a: Collectivity
) -> None:
    held = council_world["held"]
    Session.objects.filter(pk=held.pk).update(status=Status.SUMMARY_PUBLISHED)
    assert len(list(sources.DECISIONS.rows(collectivity_a))) == 2
    Session.objects.filter(pk=held.pk).update(deleted=True)
    assert list(sources.DECISIONS.rows(collectivity_a)) == []
    assert list(sources.VOTES.rows(collectivity_a)) == []
    assert collectivity_a.pk not in sources.DECISIONS.holders()
    assert collectivity_a.pk not in sources.VOTES.holders()
    assert sources.DECISIONS.temporal is not None
    assert sources.DECISIONS.temporal(collectivity_a) == (None, None)
