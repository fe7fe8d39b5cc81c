"""The API of labs: shapes and errors, participant tokens, staff moderation and tenancy."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from django.test import Client

from infitah.accounts.models import User
from infitah.accounts.services import api_token_create
from infitah.participation.labs import reports, services
from infitah.participation.labs.models import Lab, Statement, StatementStatus, Vote
from infitah.participation.labs.tests.conftest import QUESTION_AR, Voters
from infitah.participation.labs.tests.test_reports import planted_votes
from infitah.participation.models import Participant
from infitah.participation.testing import api_headers

pytestmark = pytest.mark.django_db


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return Client().post(
        url, json.dumps(body), content_type="application/json", headers=headers or {}
    )


def staff_headers(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='tests')[1]}"}


def test_list_of_a_collectivitys_labs(lab: Lab, statements: list[Statement]) -> None:
    response = Client().get("/api/v1/c/commune-a/labs")
    assert response.status_code == 200
    (item,) = response.json()
    assert item["id"] == lab.pk
    assert item["question_ar"] == QUESTION_AR
    assert item["is_open"] is True
    assert item["statement_count"] == 10
    assert item["voter_count"] == 0
    assert item["url"].endswith(f"/c/commune-a/labs/{lab.pk}/")
    assert Client().get("/api/v1/c/nowhere/labs").status_code == 404
    assert Client().get("/api/v1/c/commune-b/labs").status_code == 404


def test_a_lab_with_its_statements(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    services.vote_cast(lab=lab, participant=participant, statement_id=statements[0].pk, value=1)
    services.statement_submit(lab=lab, participant=participant, text="معلقة")
    data = Client().get(f"/api/v1/labs/{lab.pk}").json()
    assert [s["id"] for s in data["statements"]] == [s.pk for s in statements]
    first = data["statements"][0]
    assert first == {
        "id": statements[0].pk,
        "text": statements[0].text,
        "is_seed": True,
        "agree": 1,
        "disagree": 0,
        "passed": 0,
    }
    assert data["voter_count"] == 1
    assert Client().get("/api/v1/labs/999999").status_code == 404
    assert Client().get(f"/api/v1/labs/{2**70}").status_code in {400, 404}
    assert Client().get("/api/v1/labs/abc").status_code == 400


def test_next_needs_a_participant_token(lab: Lab, statements: list[Statement]) -> None:
    assert Client().get(f"/api/v1/labs/{lab.pk}/next").status_code == 401
    bad = {"Authorization": "Bearer nonsense"}
    assert Client().get(f"/api/v1/labs/{lab.pk}/next", headers=bad).status_code == 401


def test_vote_through_the_api(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    headers = api_headers(participant)
    nxt = Client().get(f"/api/v1/labs/{lab.pk}/next", headers=headers).json()
    assert nxt["voted"] == 0 and nxt["total"] == 10
    sid = nxt["statement"]["id"]
    votes = f"/api/v1/labs/{lab.pk}/votes"
    created = post(votes, {"statement_id": sid, "vote": 1}, headers)
    assert created.status_code == 201
    assert created.json() == {"statement_id": sid, "vote": 1, "created": True}
    updated = post(votes, {"statement_id": sid, "vote": -1}, headers)
    assert updated.status_code == 200
    assert updated.json()["created"] is False
    assert Vote.objects.get().value == -1
    after = Client().get(f"/api/v1/labs/{lab.pk}/next", headers=headers).json()
    assert after["voted"] == 1 and after["statement"]["id"] != sid


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"statement_id": "FIRST", "vote": 2}, 400),
        ({"statement_id": "FIRST", "vote": "agree"}, 400),
        ({"statement_id": "FIRST", "vote": None}, 400),
        ({"statement_id": "FIRST", "vote": True}, 400),
        ({"statement_id": "abc", "vote": 1}, 400),
        ({"statement_id": 2**70, "vote": 1}, 400),
        ({"vote": 1}, 400),
        ({"statement_id": 999_999, "vote": 1}, 404),
        ({"statement_id": "PENDING", "vote": 1}, 404),
    ],
)
def test_vote_errors(
    lab: Lab,
    statements: list[Statement],
    participant: Participant,
    body: dict[str, Any],
    status: int,
) -> None:
    pending = services.statement_submit(lab=lab, participant=participant, text="معلقة")
    ids = {"FIRST": statements[0].pk, "PENDING": pending.pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = post(f"/api/v1/labs/{lab.pk}/votes", body, api_headers(participant))
    assert response.status_code == status
    assert response.json()["detail"]
    assert not Vote.objects.exists()


def test_a_closed_lab_answers_409(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    headers = api_headers(participant)
    with time_machine.travel(lab.closes_at + timedelta(seconds=1)):
        vote = post(
            f"/api/v1/labs/{lab.pk}/votes", {"statement_id": statements[0].pk, "vote": 1}, headers
        )
        statement = post(f"/api/v1/labs/{lab.pk}/statements", {"text": "جديدة"}, headers)
        nxt = Client().get(f"/api/v1/labs/{lab.pk}/next", headers=headers).json()
    assert vote.status_code == 409 and statement.status_code == 409
    assert vote.json()["detail"][0]["message"]
    assert nxt["statement"] is None


def test_propose_a_statement_through_the_api(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    headers = api_headers(participant)
    url = f"/api/v1/labs/{lab.pk}/statements"
    response = post(url, {"text": "يجب نشر جدول الأعمال"}, headers)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert Statement.objects.get(pk=response.json()["id"]).author == participant
    assert post(url, {"text": ""}, headers).status_code == 400
    assert post(url, {"text": "x" * 281}, headers).status_code == 400
    duplicate = post(url, {"text": statements[0].text}, headers)
    assert duplicate.status_code == 400
    assert duplicate.json()["detail"][0]["field"] == "text"
    assert post(url, {"text": "بدون رمز"}).status_code == 401


def test_the_report_through_the_api(lab: Lab, statements: list[Statement], voters: Voters) -> None:
    missing = Client().get(f"/api/v1/labs/{lab.pk}/report", HTTP_ACCEPT_LANGUAGE="fr")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Aucun rapport n'a encore été calculé pour ce laboratoire."}
    planted_votes(lab, statements, voters(12))
    report = reports.lab_report_compute(lab_id=lab.pk).report
    assert report is not None
    data = Client().get(f"/api/v1/labs/{lab.pk}/report").json()
    assert data["params"]["seed"] == 42 and data["params"]["vote_count"] == 120
    assert len(data["result"]["groups"]) == 2
    assert set(data["result"]["participants"][0]) == {"participant_id", "group", "x", "y"}
    assert len(data["statements"]) == 10


def test_staff_moderation_through_the_api(
    lab: Lab, participant: Participant, focal_point: User, charlie: User
) -> None:
    statement = services.statement_submit(lab=lab, participant=participant, text="معلقة")
    queue = f"/api/v1/staff/labs/{lab.pk}/moderation"
    act = f"/api/v1/staff/labs/{lab.pk}/statements/{statement.pk}"
    # Charlie (admin of B) gets 404 for both the queue and a decision.
    assert Client().get(queue, headers=staff_headers(charlie)).status_code == 404
    assert post(f"{act}/approve", {}, staff_headers(charlie)).status_code == 404
    assert Client().get(queue).status_code == 401
    headers = staff_headers(focal_point)
    (item,) = Client().get(queue, headers=headers).json()
    assert item["text"] == "معلقة" and item["author"] == participant.display_name
    assert post(f"{act}/reject", {}, headers).status_code == 400
    done = post(f"{act}/reject", {"reason": "خارج الموضوع"}, headers)
    assert done.status_code == 200 and done.json()["status"] == StatementStatus.REJECTED
    assert post(f"{act}/approve", {}, headers).status_code == 409
    assert post(f"{act}/delete", {}, headers).status_code == 404
