"""The co-creation pages cost the same number of SQL queries with 10 proposals, supports
and comments as with 200, and the public ones stay under 30 KB with long texts.

Two programmes of A are written with `bulk_create` (the services are tested elsewhere),
one of SMALL and one of BIG: proposals on four axes, both kinds, a fifth of them grouped
as duplicates, supports, comments on one proposal, proposals linked to a commitment.
Each page is drawn once in the small world (warm-up), then counted in both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import User
from infitah.council.tests.scale import Counter, counter
from infitah.openplan.models import (
    Axis,
    Commitment,
    Programme,
    Proposal,
    ProposalComment,
    ProposalSupport,
    Workshop,
)
from infitah.openplan.services import core
from infitah.openplan.tests.conftest import PROGRAMME_DATA
from infitah.openplan.workflow import ProposalKind, ProposalStatus, WorkshopMode
from infitah.participation.models import Participant
from infitah.participation.testing import login_participant, make_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

SMALL = 10
BIG = 200
MAX_BYTES = 30 * 1024
# Long texts: proposals and comments at their full length would show how truncation
# and paging hold the page's weight.
PROPOSAL_TEXT = "غياب المعلومات حول الميزانية والصفقات العمومية في الجماعة " * 40
COMMENT_TEXT = "أتفق مع هذا المقترح ويجب نشر المعطيات بصيغة مفتوحة " * 8


@dataclass
class World:
    programme: Programme
    workshop: Workshop
    main: Proposal
    axis: Axis

    def public(self, path: str = "cocreation/", lang: str = "ar") -> str:
        return f"/{lang}/c/commune-a/programmes/{self.programme.pk}/{path}"

    def staff(self, path: str = "") -> str:
        return f"/ar/staff/commune-a/programmes/{self.programme.pk}/cocreation/{path}"


def _world(collectivity: Collectivity, actor: User, n: int, tag: str) -> World:
    programme = core.programme_create(collectivity=collectivity, actor=actor, data=PROGRAMME_DATA)
    axes = [
        core.axis_save(programme=programme, actor=actor, data={"title_ar": f"محور {i}"})
        for i in range(4)
    ]
    now = timezone.now()
    workshops = Workshop.objects.bulk_create(
        Workshop(
            programme=programme,
            axis=axes[i] if i < 2 else None,
            title_ar=f"ورشة {i}",
            mode=WorkshopMode.HYBRID,
            place="دار الشباب",
            held_at=now - dt.timedelta(days=i),
            opens_at=now - dt.timedelta(days=5),
            closes_at=now + dt.timedelta(days=5),
            onsite_participants=30,
        )
        for i in range(3)
    )
    people = Participant.objects.bulk_create(
        Participant(
            email=f"{tag}{i}@example.test",
            display_name=f"مشارك {i}",
            verified_at=now,
            confirmed_at=now,
        )
        for i in range(n)
    )
    proposals = Proposal.objects.bulk_create(
        Proposal(
            programme=programme,
            workshop=workshops[0],
            axis=axes[i % 4],
            kind=ProposalKind.PROBLEM if (i // 4) % 2 else ProposalKind.SOLUTION,
            text=f"{i} {PROPOSAL_TEXT}"[:2000],
            participant=people[i % n] if i % 3 else None,
            recorded_by=None if i % 3 else actor,
            author_label="" if i % 3 else "الطاولة 3",
            status=ProposalStatus.HIDDEN if i % 17 == 16 else ProposalStatus.PUBLISHED,
            created_at=now - dt.timedelta(minutes=i),
        )
        for i in range(n * 2)
    )
    main = proposals[0]
    # A fifth of them are duplicates of the first one of their axis and kind.
    for i, proposal in enumerate(proposals):
        if i >= 8 and i % 5 == 0:
            proposal.duplicate_of = proposals[i % 8]
    Proposal.objects.bulk_update(proposals, ["duplicate_of"])
    ProposalSupport.objects.bulk_create(
        ProposalSupport(proposal=proposals[(i * 7) % len(proposals)], participant=person)
        for i, person in enumerate(people)
    )
    ProposalSupport.objects.bulk_create(
        ProposalSupport(proposal=main, participant=person) for person in people[1:]
    )
    ProposalComment.objects.bulk_create(
        ProposalComment(proposal=main, participant=people[i % n], text=f"{i} {COMMENT_TEXT}")
        for i in range(n)
    )
    commitment = core.commitment_create(programme=programme, actor=actor, data={"title_fr": "B"})
    Commitment.proposals.through.objects.bulk_create(
        Commitment.proposals.through(commitment=commitment, proposal=p) for p in proposals[: n // 2]
    )
    # The main proposal has duplicates grouped under it.
    Proposal.objects.filter(pk__in=[p.pk for p in proposals[8 : 8 + n // 2]]).update(
        duplicate_of=main
    )
    return World(programme=programme, workshop=workshops[0], main=main, axis=axes[0])


@pytest.fixture
def worlds(collectivity_a: Collectivity, focal_point: User) -> tuple[World, World]:
    return (
        _world(collectivity_a, focal_point, SMALL, "s"),
        _world(collectivity_a, focal_point, BIG, "b"),
    )


def _public_paths(world: World) -> list[str]:
    return [
        world.public(),
        world.public() + f"?axis={world.axis.pk}&kind=problem",
        world.public() + "?view=workshops",
        world.public(f"workshops/{world.workshop.pk}/"),
        world.public(f"proposals/{world.main.pk}/"),
    ]


def _staff_paths(world: World) -> list[str]:
    return [world.staff(), world.staff(f"proposals/{world.main.pk}/")]


def _compare(count: Counter, small: list[str], big: list[str]) -> list[str]:
    pages = []
    for url in small:
        count(url)  # warm-up
    for small_url, big_url in zip(small, big, strict=True):
        n_small, _html = count(small_url)
        n_big, html = count(big_url)
        assert n_small == n_big, (big_url, n_small, n_big)
        assert n_big <= 30, (big_url, n_big)
        pages.append(html)
    return pages


def test_public_pages_cost_constant_queries_and_stay_light(worlds: tuple[World, World]) -> None:
    small, big = worlds
    anonymous = Client()
    pages = _compare(counter(anonymous), _public_paths(small), _public_paths(big))
    for html in pages:
        assert len(html.encode()) <= MAX_BYTES, len(html.encode())
    # The big world's board shows its axes, its folded duplicates and its commitment
    # badges; the proposal page pages its comments.
    board, column, _workshops, workshop, proposal = pages
    assert board.count('id="proposal-') == 4 * 2 * 3
    assert "commitments/1/" in board
    assert column.count('id="proposal-') == 20 and "page=2" in column
    assert workshop.count('id="proposal-') == 20
    assert proposal.count('id="comment-') == 15 and "page=2" in proposal
    # The French pages weigh the same (the texts are the participants').
    for url in _public_paths(big):
        body = anonymous.get(url.replace("/ar/", "/fr/", 1)).content
        assert len(body) <= MAX_BYTES, (url, len(body))


def test_public_pages_of_a_signed_in_participant_cost_constant_queries(
    worlds: tuple[World, World],
) -> None:
    small, big = worlds
    client = Client()
    login_participant(client, make_participant(email="visitor@example.test"))
    pages = _compare(counter(client), _public_paths(small), _public_paths(big))
    assert 'name="text"' in pages[3] and 'value="support"' in pages[4]


def test_staff_pages_cost_constant_queries(worlds: tuple[World, World], focal_point: User) -> None:
    small, big = worlds
    client = Client()
    client.force_login(focal_point)
    board, proposal = _compare(counter(client), _staff_paths(small), _staff_paths(big))
    # The board pages by 100 proposals, the proposal's comments by 50.
    assert board.count('name="proposals"') == 100 and "page=2" in board
    assert proposal.count('id="comment-') == 50 and "page=2" in proposal
