"""The API of consultations: shapes, published comments only and never an e-mail, posting
as a participant (201 / 400 / 401 / 404 / 409), the staff report and its tenancy."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from django.test import Client

from infitah.accounts.models import User
from infitah.accounts.services import api_token_create
from infitah.participation.consultations import services
from infitah.participation.consultations.models import Comment
from infitah.participation.consultations.tests.conftest import NOW, Consult, sections_of
from infitah.participation.consultations.workflow import Moderation
from infitah.participation.models import Participant
from infitah.participation.testing import api_headers, make_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _post(url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return Client().post(
        url, json.dumps(body), content_type="application/json", headers=headers or {}
    )


def _comments_url(consultation, section) -> str:
    return f"/api/v1/consultations/{consultation.pk}/sections/{section.pk}/comments"


def test_list_shape(consult: Consult, collectivity_a: Collectivity) -> None:
    open_one = consult()
    upcoming = consult(opens_at=NOW + dt.timedelta(days=3), closes_at=NOW + dt.timedelta(days=9))
    response = Client().get("/api/v1/c/commune-a/consultations")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {item["id"]: item["status"] for item in body["items"]} == {
        open_one.pk: "open",
        upcoming.pk: "upcoming",
    }
    assert set(body["items"][0]) == {"id", "title", "opens_at", "closes_at", "status"}
    assert Client().get("/api/v1/c/commune-b/consultations").status_code == 404  # not a member
    assert Client().get("/api/v1/c/nowhere/consultations").status_code == 404


def test_detail_with_sections_and_counts(
    consult: Consult, participant: Participant, focal: User
) -> None:
    c = consult(moderation=Moderation.POST)
    s1, s2 = sections_of(c)
    services.comment_post(section=s1, participant=participant, text="Oui")
    services.stance_set(section=s1, participant=participant, value="support")
    services.stance_set(section=s2, participant=participant, value="oppose")
    body = Client().get(f"/api/v1/consultations/{c.pk}").json()
    assert (body["id"], body["status"], body["days_left"], body["moderation"]) == (
        c.pk,
        "open",
        10,
        "post",
    )
    assert body["collectivity"] == "commune-a" and body["kind"] == "action_plan"
    assert [
        (s["id"], s["order"], s["comments"], s["supports"], s["opposes"]) for s in body["sections"]
    ] == [
        (s1.pk, 1, 1, 1, 0),
        (s2.pk, 2, 0, 0, 1),
    ]
    assert body["synthesis_ar"] is None and body["sections"][0]["response_fr"] is None
    with time_machine.travel(NOW + dt.timedelta(days=11), tick=False):
        services.synthesis_publish(
            consultation=c,
            actor=focal,
            synthesis_ar="خلاصة",
            synthesis_fr="Synthèse",
            responses={s1.pk: ("جواب", "Réponse")},
        )
        body = Client().get(f"/api/v1/consultations/{c.pk}").json()
    assert (body["status"], body["synthesis_fr"], body["sections"][0]["response_fr"]) == (
        "closed",
        "Synthèse",
        "Réponse",
    )


def test_unknown_ids_are_404(consult: Consult) -> None:
    c = consult()
    other = consult()
    for url in (
        "/api/v1/consultations/999999",
        "/api/v1/consultations/99999999999999999999",
        f"/api/v1/consultations/{c.pk}/sections/{sections_of(other)[0].pk}/comments",
    ):
        assert Client().get(url).status_code in (404, 400), url
    assert Client().get("/api/v1/consultations/999999").status_code == 404


def test_comments_published_only_with_replies_and_no_email(
    consult: Consult, participant: Participant, focal: User
) -> None:
    c = consult(moderation=Moderation.PRE)
    section = sections_of(c)[0]
    bob = make_participant(email="bob@example.test", display_name="Bob")
    top = services.comment_post(section=section, participant=participant, text="Premier")
    services.comment_moderate(comment=top, actor=focal, action="approve")
    reply = services.comment_post(section=section, participant=bob, text="Réponse", parent=top)
    services.comment_moderate(comment=reply, actor=focal, action="approve")
    services.comment_post(section=section, participant=bob, text="En attente")
    response = Client().get(_comments_url(c, section))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert set(item) == {"id", "author", "text", "created_at", "replies"}
    assert (item["id"], item["author"], item["text"]) == (top.pk, "Amina", "Premier")
    assert [(r["id"], r["author"], r["text"]) for r in item["replies"]] == [
        (reply.pk, "Bob", "Réponse")
    ]
    raw = response.content.decode()
    assert "@" not in raw and "En attente" not in raw
    paged = Client().get(_comments_url(c, section) + "?offset=1&limit=5").json()
    assert (paged["count"], paged["items"]) == (1, [])
    assert Client().get(_comments_url(c, section) + "?limit=abc").status_code == 400


def test_post_a_comment_and_a_reply(consult: Consult, participant: Participant) -> None:
    c = consult(moderation=Moderation.POST)
    section = sections_of(c)[0]
    response = _post(_comments_url(c, section), {"text": "عبر الواجهة"}, api_headers(participant))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["text"], body["parent_id"], body["section_id"]) == (
        "published",
        "عبر الواجهة",
        None,
        section.pk,
    )
    reply = _post(
        _comments_url(c, section), {"text": "رد", "parent_id": body["id"]}, api_headers(participant)
    )
    assert reply.status_code == 201 and reply.json()["parent_id"] == body["id"]


def test_post_under_pre_moderation_is_pending(consult: Consult, participant: Participant) -> None:
    c = consult(moderation=Moderation.PRE)
    response = _post(_comments_url(c, sections_of(c)[0]), {"text": "x"}, api_headers(participant))
    assert response.status_code == 201 and response.json()["status"] == "pending"


def test_post_needs_a_participant(consult: Consult) -> None:
    c = consult()
    url = _comments_url(c, sections_of(c)[0])
    assert _post(url, {"text": "x"}).status_code == 401
    assert _post(url, {"text": "x"}, {"Authorization": "Bearer forged"}).status_code == 401
    unverified = Participant.objects.create(email="u@example.test", display_name="U")
    assert _post(url, {"text": "x"}, api_headers(unverified)).status_code == 401
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": 12}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "a\u0000b"}, "text"),
        ({"text": "ok", "parent_id": "abc"}, "parent_id"),
        ({"text": "ok", "parent_id": 999999}, "parent_id"),
        ({"text": "ok", "parent_id": -1}, "parent_id"),
        ({"text": "ok", "parent_id": True}, "parent_id"),
        ({"text": "ok", "parent_id": 10**30}, "parent_id"),
    ],
)
def test_post_bad_input_is_400(
    consult: Consult, participant: Participant, body: Any, field: str
) -> None:
    c = consult()
    response = _post(_comments_url(c, sections_of(c)[0]), body, api_headers(participant))
    assert response.status_code == 400, response.content
    assert [d["field"] for d in response.json()["detail"]] == [field]
    assert not Comment.objects.exists()


def test_post_malformed_json_is_400(consult: Consult, participant: Participant) -> None:
    c = consult()
    response = Client().post(
        _comments_url(c, sections_of(c)[0]),
        "{not json",
        content_type="application/json",
        headers=api_headers(participant),
    )
    assert response.status_code == 400


def test_post_when_closed_or_not_open_is_409(consult: Consult, participant: Participant) -> None:
    c = consult(opens_at=NOW + dt.timedelta(days=1), closes_at=NOW + dt.timedelta(days=2))
    url = _comments_url(c, sections_of(c)[0])
    assert _post(url, {"text": "tôt"}, api_headers(participant)).status_code == 409
    with time_machine.travel(NOW + dt.timedelta(days=3), tick=False):
        response = _post(url, {"text": "tard"}, api_headers(participant))
    assert response.status_code == 409 and response.json()["detail"][0]["message"]
    assert not Comment.objects.exists()


def test_post_to_another_consultations_section_is_404(
    consult: Consult, participant: Participant
) -> None:
    one, two = consult(), consult()
    url = _comments_url(one, sections_of(two)[0])
    assert _post(url, {"text": "x"}, api_headers(participant)).status_code == 404


def test_staff_report(
    consult: Consult, participant: Participant, focal: User, charlie: User
) -> None:
    c = consult()
    services.comment_post(section=sections_of(c)[0], participant=participant, text="x")
    url = f"/api/v1/staff/consultations/{c.pk}/report"
    token = api_token_create(user=focal, name="t")[1]
    body = Client().get(url, headers={"Authorization": f"Bearer {token}"}).json()
    assert (body["participants"], body["comments_received"], body["comments_pending"]) == (1, 1, 1)
    assert [s["id"] for s in body["sections"]] == [s.pk for s in sections_of(c)]
    assert {g["key"] for g in body["by_gender"]} == {"female", "male", "undisclosed"}
    assert Client().get(url).status_code == 401
    charlie_token = api_token_create(user=charlie, name="t")[1]
    for method in ("get", "post"):
        response = getattr(Client(), method)(
            url, headers={"Authorization": f"Bearer {charlie_token}"}
        )
        assert response.status_code in (404, 405), (method, response.status_code)
    assert (
        Client().get(url, headers={"Authorization": f"Bearer {charlie_token}"}).status_code == 404
    )
