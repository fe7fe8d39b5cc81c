"""Surveys over the API (docs/participation.md).

- `GET /c/{slug}/surveys`: the collectivity's published surveys, {"count", "items"}.
- `GET /surveys/{id}`: a published survey, its questions, and its results when public.
- `POST /surveys/{id}/responses` (ParticipantBearer): answer once. 201; 409 with
  `code` "already_answered", "closed" or "not_open"; 400 with one detail per question
  in error ("answers.<question id>"); 401 without a participant's token.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema, Status
from ninja.errors import HttpError

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.lib.bounds import Id, whole_number
from infitah.participation.access import ParticipantBearer
from infitah.participation.api import BreakdownOut
from infitah.participation.breakdown import breakdown_out
from infitah.participation.models import Participant
from infitah.participation.surveys import selectors, services
from infitah.participation.surveys.models import Question, Survey
from infitah.territories.selectors import collectivity_get

router = Router(tags=["surveys"])
staff_router = Router(tags=["surveys (staff)"])

# A value a client may send for one question: an option id, a scale value, a text, or a
# list of option ids. Every value is checked by services.response_submit.
AnswerValue = str | int | list[str | int] | None


class SurveyItem(Schema):
    id: int
    collectivity: str
    title_ar: str
    title_fr: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    state: str
    days_left: int
    response_count: int
    results_public: bool


class SurveyList(Schema):
    count: int
    items: list[SurveyItem]


class OptionOut(Schema):
    id: int
    label_ar: str
    label_fr: str


class BarOut(Schema):
    label: str
    option_id: int | None
    value: int | None
    count: int
    percent: float


class QuestionOut(Schema):
    id: int
    kind: str
    text_ar: str
    text_fr: str
    required: bool
    options: list[OptionOut]
    scale_min: int | None
    scale_max: int | None
    low_label_ar: str
    low_label_fr: str
    high_label_ar: str
    high_label_fr: str


class QuestionResultOut(Schema):
    question_id: int
    answered: int
    mean: float | None
    bars: list[BarOut]


class ResultsOut(Schema):
    respondents: int
    questions: list[QuestionResultOut]


class SurveyOut(SurveyItem):
    # "local": the collectivity's public; "citizens" / "members": a network-wide survey.
    audience: str
    description_ar: str
    description_fr: str
    questions: list[QuestionOut]
    results: ResultsOut | None
    # A survey of the network whose results are public (null otherwise).
    breakdown: BreakdownOut | None


class ResponseIn(Schema):
    answers: dict[str, AnswerValue] = {}


class ResponseOut(Schema):
    id: int
    survey_id: int
    submitted_at: dt.datetime


def _state(survey: Survey, now: dt.datetime) -> str:
    if survey.is_upcoming(now):
        return "upcoming"
    return "open" if survey.is_open(now) else "closed"


def _item(survey: Survey, now: dt.datetime, response_count: int) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "collectivity": survey.collectivity.slug,
        "title_ar": survey.title_ar,
        "title_fr": survey.title_fr,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "state": _state(survey, now),
        "days_left": survey.days_left(now),
        "response_count": response_count,
        "results_public": survey.results_public(now),
    }


def _question(question: Question) -> dict[str, Any]:
    scale = question.scale
    return {
        "id": question.pk,
        "kind": question.kind,
        "text_ar": question.text_ar,
        "text_fr": question.text_fr,
        "required": question.is_required,
        "options": [
            {"id": o.pk, "label_ar": o.label_ar, "label_fr": o.label_fr}
            for o in question.options.all()
        ],
        "scale_min": scale.start if question.is_scale else None,
        "scale_max": scale.stop - 1 if question.is_scale else None,
        "low_label_ar": question.low_label_ar,
        "low_label_fr": question.low_label_fr,
        "high_label_ar": question.high_label_ar,
        "high_label_fr": question.high_label_fr,
    }


@router.get(
    "/c/{slug}/surveys",
    response={200: SurveyList, 404: Any},
    summary="A collectivity's published surveys",
)
def survey_list(request: HttpRequest, slug: str) -> Any:
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise HttpError(404, _("Unknown collectivity."))
    now = timezone.now()
    surveys = selectors.survey_list(collectivity=collectivity)
    items = [_item(s, now, s.response_count) for s in surveys]  # type: ignore[attr-defined]
    return {"count": len(items), "items": items}


def _survey_or_404(pk: int) -> Survey:
    survey = selectors.survey_get(pk=pk)
    if survey is None:
        raise HttpError(404, _("Unknown survey."))
    return survey


@router.get(
    "/surveys/{pk}",
    response={200: SurveyOut, 404: Any},
    summary="A published survey: its questions, and its results when public",
    description="results is null until the results are public (after closing, or while "
    "open if the collectivity chose so). Free-text answers are never published.",
)
def survey_get(request: HttpRequest, pk: Id) -> Any:
    survey = _survey_or_404(pk)
    now = timezone.now()
    questions = selectors.question_list(survey=survey)
    results = None
    breakdown = None
    count = selectors.response_count(survey=survey)
    if survey.results_public(now):
        breakdown = breakdown_out(selectors.survey_breakdown(survey=survey))
        found = selectors.survey_results(survey=survey)
        results = {
            "respondents": found.respondents,
            "questions": [
                {
                    "question_id": r.question.pk,
                    "answered": r.answered,
                    "mean": r.mean,
                    "bars": [
                        {
                            "label": b.label,
                            "option_id": b.option_id,
                            "value": b.value,
                            "count": b.count,
                            "percent": b.percent,
                        }
                        for b in r.bars
                    ],
                }
                for r in found.questions
            ],
        }
    return {
        **_item(survey, now, count),
        "audience": survey.audience,
        "description_ar": survey.description_ar,
        "description_fr": survey.description_fr,
        "questions": [_question(q) for q in questions],
        "results": results,
        "breakdown": breakdown,
    }


def _answers(raw: dict[str, AnswerValue]) -> dict[int, list[str]]:
    """Question id → values as text; a key that is not a question id is an error."""
    answers: dict[int, list[str]] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        question_id = whole_number(key, minimum=1)
        if question_id is None:
            errors[key] = _("This survey has no such question.")
            continue
        values = value if isinstance(value, list) else [] if value is None else [value]
        answers[question_id] = [str(v) for v in values]
    if errors:
        raise ValidationError({f"q{k}": v for k, v in errors.items()})
    return answers


def _detail(exc: ValidationError) -> list[dict[str, str]]:
    details = []
    for name, messages in exc.message_dict.items():
        field = f"answers.{name[1:]}" if name.startswith("q") else name
        details.append({"field": field, "message": " ".join(messages)})
    return details


@router.post(
    "/surveys/{pk}/responses",
    auth=ParticipantBearer(),
    response={201: ResponseOut, 400: Any, 401: Any, 404: Any, 409: Any},
    summary="Answer a survey (once), as the participant of the bearer token",
    description='Body: {"answers": {"<question id>": value}} where value is an option id '
    "(one choice), a list of option ids (several choices), an integer (scale) or a text.",
)
def response_submit(request: HttpRequest, pk: Id, payload: ResponseIn) -> Any:
    survey = _survey_or_404(pk)
    participant: Participant = request.auth  # type: ignore[attr-defined]
    try:
        # The survey's dates first: a closed survey is "closed", whatever was sent.
        services.check_can_answer(survey=survey)
        response = services.response_submit(
            survey=survey, participant=participant, answers=_answers(payload.answers)
        )
    except services.SurveyRefused as exc:
        return Status(409, {"code": exc.code, "detail": [{"field": "", "message": exc.message}]})
    except ValidationError as exc:
        return Status(400, {"detail": _detail(exc)})
    return Status(
        201,
        {"id": response.pk, "survey_id": survey.pk, "submitted_at": response.submitted_at},
    )
