"""/api/v1's council lists: sessions, members, advisory bodies, referrals."""

from __future__ import annotations

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.oparl import api
from infitah.oparl.tests.test_queries import make_meetings, make_papers, make_persons
from infitah.oparl.tests.world import Tree
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _get(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


def test_sessions_are_the_published_ones_with_public_items(tree: Tree) -> None:
    page = _get(f"/api/v1/c/{tree.collectivity.slug}/council/sessions")
    references = [s["reference"] for s in page["items"]]
    # newest first; not the draft, the one cancelled unpublished, nor the deleted one
    assert references == ["S-2026-6", "S-2026-5", "S-2026-4", "S-2026-3", "S-2026-2"]
    assert page["count"] == 5 and page["page"] == 1
    held = next(s for s in page["items"] if s["reference"] == "S-2026-3")
    assert [i["number"] for i in held["items"]] == [1, 2]
    assert held["items"][0]["result"] == "adopted"
    assert held["items"][0]["votes_for"] == 3
    assert held["summary_ar"] == "صادق المجلس على الميزانية"
    assert held["oparl"] == f"http://testserver/oparl/v1/meeting/council/{tree.held.pk}"
    convened = next(s for s in page["items"] if s["reference"] == "S-2026-2")
    assert [i["number"] for i in convened["items"]] == [1, 2]  # not the closed item
    assert convened["summary_ar"] == ""


def test_members_with_their_committees(tree: Tree) -> None:
    page = _get(f"/api/v1/c/{tree.collectivity.slug}/council/members")
    assert page["count"] == 5  # not the deleted member
    president = page["items"][0]
    assert president["role"] == "president"
    assert president["committees"] == [
        {"committee_ar": "لجنة الميزانية", "committee_fr": "Commission du budget", "role": "chair"}
    ]


def test_advisory_bodies_and_referrals(tree: Tree) -> None:
    bodies = _get(f"/api/v1/c/{tree.collectivity.slug}/advisory/bodies")
    assert bodies["count"] == 1
    assert len(bodies["items"][0]["members"]) == 3
    referrals = _get(f"/api/v1/c/{tree.collectivity.slug}/advisory/referrals")["items"]
    by_status = {r["status"]: r for r in referrals}
    assert set(by_status) == {
        "referred",
        "drafting",
        "adopted",
        "transmitted",
        "answered",
        "withdrawn",
    }
    assert by_status["drafting"]["opinion_ar"] == ""  # a draft opinion is not published
    assert by_status["adopted"]["opinion_ar"] == "رأي الهيئة"
    assert by_status["adopted"]["answer"] == ""
    assert by_status["answered"]["answer"] == "partly"


def test_an_unknown_collectivity_is_404_and_pages_are_bounded(tree: Tree) -> None:
    client = Client()
    for tail in ["council/sessions", "council/members", "advisory/bodies", "advisory/referrals"]:
        assert client.get(f"/api/v1/c/nowhere/{tail}").status_code == 404
        assert client.get(f"/api/v1/c/{tree.collectivity.slug}/{tail}?page=0").status_code == 400
        empty = _get(f"/api/v1/c/{tree.collectivity.slug}/{tail}?page=9")
        assert empty["items"] == [] and empty["count"] > 0


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("tail", "make"),
    [
        ("council/sessions", make_meetings),
        ("council/members", make_persons),
        ("advisory/referrals", make_papers),
    ],
)
def test_a_page_costs_the_same_at_10_and_1000(
    tail: str, make: object, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    make(collectivity_a, 10)  # type: ignore[operator]
    make(collectivity_b, 1000)  # type: ignore[operator]
    small = _queries(f"/api/v1/c/{collectivity_a.slug}/{tail}")
    large = _queries(f"/api/v1/c/{collectivity_b.slug}/{tail}")
    assert small == large <= 6
    assert len(_get(f"/api/v1/c/{collectivity_b.slug}/{tail}")["items"]) == api.PAGE_SIZE
