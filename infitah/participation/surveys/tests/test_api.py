"""Surveys over the API: list, one survey, answering with a participant's token."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from infitah.participation.models import Participant
from infitah.participation.surveys.models import Kind, Response, Survey
from infitah.participation.surveys.tests.conftest import Answer, MakeSurvey, by_kind
from infitah.participation.testing import api_headers, make_participant

pytestmark = pytest.mark.django_db


def _post(client: Client, survey: Survey, body: Any, participant: Participant | None) -> Any:
    headers = api_headers(participant) if participant else {}
    return client.post(
        f"/api/v1/surveys/{survey.pk}/responses",
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def _body(survey: Survey, **overrides: Any) -> dict[str, Any]:
    q = by_kind(survey)
    answers: dict[str, Any] = {
        str(q[Kind.SINGLE].pk): q[Kind.SINGLE].options.first().pk,
        str(q[Kind.MULTIPLE].pk): [str(o.pk) for o in q[Kind.MULTIPLE].options.all()],
        str(q[Kind.SCALE_5].pk): 3,
        str(q[Kind.SCALE_10].pk): "9",
        str(q[Kind.TEXT].pk): "Merci",
    }
    answers.update(overrides)
    return {"answers": answers}


def test_list(
    client: Client, make_survey: MakeSurvey, answer: Answer, django_assert_max_num_queries: Any
) -> None:
    open_ = make_survey()
    make_survey(publish=False)
    answer(open_, make_participant(email="a@example.test"))
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/c/commune-a/surveys")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == open_.pk and item["state"] == "open"
    assert item["response_count"] == 1 and item["days_left"] == 10
    assert client.get("/api/v1/c/nowhere/surveys").status_code == 404


def test_detail_gives_results_only_when_public(
    client: Client, make_survey: MakeSurvey, answer: Answer
) -> None:
    survey = make_survey()
    answer(survey, make_participant(email="a@example.test"), single=1, scale_5=5)
    body = client.get(f"/api/v1/surveys/{survey.pk}").json()
    assert [q["kind"] for q in body["questions"]] == [
        "single",
        "multiple",
        "scale_5",
        "scale_10",
        "text",
    ]
    assert body["questions"][2]["scale_min"] == 1 and body["questions"][2]["scale_max"] == 5
    assert body["questions"][3]["scale_min"] == 0 and body["questions"][3]["scale_max"] == 10
    assert body["results"] is None
    with time_machine.travel(survey.closes_at + timedelta(seconds=1), tick=False):
        body = client.get(f"/api/v1/surveys/{survey.pk}").json()
    assert body["state"] == "closed"
    results = {r["question_id"]: r for r in body["results"]["questions"]}
    single = results[by_kind(survey)[Kind.SINGLE].pk]
    assert [(b["count"], b["percent"]) for b in single["bars"]] == [(0, 0.0), (1, 100.0), (0, 0.0)]
    scale = results[by_kind(survey)[Kind.SCALE_5].pk]
    assert scale["mean"] == 5.0 and scale["bars"][-1]["value"] == 5
    assert "Merci" not in json.dumps(body)


def test_detail_of_a_draft_is_404(client: Client, make_survey: MakeSurvey) -> None:
    assert client.get(f"/api/v1/surveys/{make_survey(publish=False).pk}").status_code == 404
    assert client.get("/api/v1/surveys/999999").status_code == 404


def test_answer_201_then_409(
    client: Client, make_survey: MakeSurvey, participant: Participant
) -> None:
    survey = make_survey()
    response = _post(client, survey, _body(survey), participant)
    assert response.status_code == 201, response.content
    assert response.json()["survey_id"] == survey.pk
    assert Response.objects.get().answers.count() == 6
    again = _post(client, survey, _body(survey), participant)
    assert again.status_code == 409
    assert again.json()["code"] == "already_answered"
    assert Response.objects.count() == 1


def test_closed_and_not_yet_open_are_409(
    client: Client, make_survey: MakeSurvey, participant: Participant
) -> None:
    now = timezone.now()
    survey = make_survey(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    assert _post(client, survey, _body(survey), participant).json()["code"] == "not_open"
    with time_machine.travel(survey.closes_at, tick=False):
        response = _post(client, survey, {"answers": {"x": 1}}, participant)
    assert response.status_code == 409 and response.json()["code"] == "closed"
    assert not Response.objects.exists()


def test_needs_a_participant_token(client: Client, make_survey: MakeSurvey) -> None:
    survey = make_survey()
    assert _post(client, survey, _body(survey), None).status_code == 401
    pending = Participant.objects.create(email="p@example.test", display_name="P")
    assert _post(client, survey, _body(survey), pending).status_code == 401
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Kind.SINGLE, None),
        (Kind.SINGLE, 999999),
        (Kind.SINGLE, "abc"),
        (Kind.MULTIPLE, [999999]),
        (Kind.MULTIPLE, "abc"),
        (Kind.SCALE_5, 6),
        (Kind.SCALE_5, "x"),
        (Kind.SCALE_10, [1, 2]),
        (Kind.TEXT, "x" * 5001),
        (Kind.TEXT, "a\u0000b"),
    ],
)
def test_bad_answers_are_400_per_question(
    client: Client, make_survey: MakeSurvey, participant: Participant, kind: str, value: Any
) -> None:
    survey = make_survey()
    question = by_kind(survey)[kind]
    response = _post(client, survey, _body(survey, **{str(question.pk): value}), participant)
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["detail"]] == [f"answers.{question.pk}"]
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["not json", "[]", '{"answers": 3}', '{"answers": {"1": {"a": 1}}}', '{"answers": {"abc": 1}}'],
)
def test_malformed_bodies_are_400(
    client: Client, make_survey: MakeSurvey, participant: Participant, body: str
) -> None:
    survey = make_survey()
    response = _post(client, survey, body, participant)
    assert response.status_code == 400
    assert "detail" in response.json()
    assert not Response.objects.exists()


def test_an_unknown_question_id_is_400(
    client: Client, make_survey: MakeSurvey, participant: Participant
) -> None:
    survey = make_survey()
    response = _post(client, survey, _body(survey, **{"999999": 1}), participant)
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "answers.999999"
