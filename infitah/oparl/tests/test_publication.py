"""Only public data: drafts, closed items and documents, draft opinions never appear;
deleted objects stay, as deleted; votes are published per member."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.council.models import Vote
from infitah.oparl.tests.walk import BASE
from infitah.oparl.tests.world import Tree

pytestmark = pytest.mark.django_db


def _get(path: str) -> dict:
    response = Client().get(f"/oparl/v1/{path}")
    assert response.status_code == 200, (path, response.content[:300])
    return response.json()


def test_unpublished_objects_are_not_found(tree: Tree) -> None:
    client = Client()
    for path in tree.hidden:
        response = client.get(f"/oparl/v1/{path}")
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json()["detail"]


def test_unpublished_files_cannot_be_downloaded(tree: Tree) -> None:
    client = Client()
    for path in [
        f"file/council/{tree.draft_document.pk}",
        f"file/council/{tree.closed_document.pk}",
        f"file/advisory/{tree.draft_opinion.pk}",
    ]:
        assert client.get(f"/oparl/v1/{path}/download").status_code == 404, path
    tree.public_document.deleted = True
    tree.public_document.save()
    assert client.get(f"/oparl/v1/file/council/{tree.public_document.pk}").json()["deleted"]
    response = client.get(f"/oparl/v1/file/council/{tree.public_document.pk}/download")
    assert response.status_code == 404


def test_a_public_file_is_served_as_an_attachment(tree: Tree) -> None:
    response = Client().get(f"/oparl/v1/file/minutes/{tree.minutes.pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.getvalue().startswith(b"%PDF")


def test_a_deleted_object_keeps_only_its_identity(tree: Tree) -> None:
    meeting = _get(f"meeting/council/{tree.deleted_session.pk}")
    assert set(meeting) == {"id", "type", "created", "modified", "deleted"}
    assert meeting["deleted"] is True
    assert meeting["id"] == BASE + f"meeting/council/{tree.deleted_session.pk}"


def test_a_meeting_embeds_its_public_items_in_order(tree: Tree) -> None:
    held = _get(f"meeting/council/{tree.held.pk}")
    items = held["agendaItem"]
    assert [i["order"] for i in items] == [0, 1]
    assert BASE + f"agenda-item/{tree.deleted_item.pk}" not in {i["id"] for i in items}
    assert held["resultsProtocol"]["id"] == BASE + f"file/minutes/{tree.minutes.pk}"
    convened = _get(f"meeting/council/{tree.convened.pk}")
    assert [i["number"] for i in convened["agendaItem"]] == ["1", "2"]  # not the closed one
    names = [f["name"] for f in convened.get("auxiliaryFile", [])]
    assert convened["invitation"]["name"] == "جدول الأعمال"
    assert "ملحق سري" not in names


def test_votes_are_published_per_member(tree: Tree) -> None:
    item = _get(f"agenda-item/{tree.adopted_item.pk}")
    votes = {v["person"]: v["vote"] for v in item["infitah:votes"]}
    expected = {
        BASE + f"person/member/{v.member_id}": v.choice
        for v in Vote.objects.filter(item=tree.adopted_item)
    }
    assert votes == expected and len(votes) == 5
    assert item["infitah:voteCount"] == {"for": 3, "against": 1, "abstain": 1}
    assert item["infitah:result"] == "adopted"
    assert item["consultation"] == BASE + f"consultation/council/{tree.referrals['answered'].pk}"


def test_an_opinion_is_public_once_adopted(tree: Tree) -> None:
    drafting = _get(f"paper/{tree.referrals['drafting'].pk}")
    assert "infitah:opinion" not in drafting
    assert "mainFile" not in drafting
    adopted = _get(f"paper/{tree.referrals['adopted'].pk}")
    assert adopted["infitah:opinion"] == "رأي الهيئة"
    assert "infitah:answer" not in adopted
    answered = _get(f"paper/{tree.referrals['answered'].pk}")
    assert answered["infitah:answer"]["result"] == "partly"
    assert answered["mainFile"]["id"] == BASE + f"file/advisory/{tree.opinion_document.pk}"
    roles = [c["authoritative"] for c in answered["consultation"]]
    assert roles == [False, True]


def test_a_member_of_another_council_is_not_in_this_body(tree: Tree, other: object) -> None:
    persons = _get(f"body/{tree.collectivity.slug}/person")["data"]
    assert {p["body"] for p in persons if not p.get("deleted")} == {
        BASE + f"body/{tree.collectivity.slug}"
    }
    assert len(_get("body/commune-b/person")["data"]) == 1


def test_results_are_published_once_the_sitting_voted(tree: Tree) -> None:
    """A convened session's item shows no result, vote or decision even if recorded."""
    item = tree.convened.items.get(number=1)
    item.result = "adopted"
    item.votes_for = 3
    item.decision_ar = "مقرر"
    item.save()
    Vote.objects.create(item=item, member=tree.members[0], choice="for")
    shown = _get(f"agenda-item/{item.pk}")
    assert not {"result", "resolutionText", "infitah:votes", "infitah:voteCount"} & set(shown)
    assert "participant" not in _get(f"meeting/council/{tree.convened.pk}")


def test_a_deleted_members_vote_and_presence_are_not_shown(tree: Tree) -> None:
    gone = tree.members[4]
    gone.deleted = True
    gone.save()
    item = _get(f"agenda-item/{tree.adopted_item.pk}")
    assert BASE + f"person/member/{gone.pk}" not in {v["person"] for v in item["infitah:votes"]}
    meeting = _get(f"meeting/council/{tree.held.pk}")
    assert BASE + f"person/member/{gone.pk}" not in meeting["participant"]
    assert _get(f"person/member/{gone.pk}")["deleted"] is True


def test_the_sessions_of_a_deleted_term_are_deleted(tree: Tree) -> None:
    tree.term.deleted = True
    tree.term.save()
    assert _get(f"meeting/council/{tree.held.pk}")["deleted"] is True
    assert _get(f"agenda-item/{tree.adopted_item.pk}")["deleted"] is True
    assert _get(f"file/minutes/{tree.minutes.pk}")["deleted"] is True
    assert _get(f"person/member/{tree.members[0].pk}")["deleted"] is True
    body = _get(f"body/{tree.collectivity.slug}")
    assert body["legislativeTerm"] == []


def test_a_closed_sitting_gives_no_broadcast(tree: Tree) -> None:
    tree.held.is_public = False
    tree.held.save()
    assert "infitah:broadcastUrl" not in _get(f"meeting/council/{tree.held.pk}")
