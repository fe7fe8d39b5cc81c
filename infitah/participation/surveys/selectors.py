"""Reads of surveys: lists, one survey, results and the rows of the CSV exports.

Every function runs a fixed number of queries, whatever the number of surveys,
questions or responses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Prefetch
from django.utils.crypto import salted_hmac

from infitah.participation.breakdown import Breakdown, breakdown_compute
from infitah.participation.models import Audience, Participant
from infitah.participation.surveys.models import (
    Answer,
    Option,
    Question,
    Response,
    Survey,
    SurveyQuerySet,
)
from infitah.territories.models import Collectivity


def _with_counts(qs: SurveyQuerySet) -> SurveyQuerySet:
    return qs.select_related("collectivity").annotate(
        response_count=Count("responses", distinct=True)
    )


def survey_list(*, collectivity: Collectivity) -> list[Survey]:
    """The collectivity's published surveys, newest first, with `response_count`."""
    return list(_with_counts(Survey.objects.for_collectivity(collectivity).published()))


def survey_get(*, pk: int, collectivity: Collectivity | None = None) -> Survey | None:
    """A published survey (of `collectivity` when given), with its collectivity."""
    qs = Survey.objects.published().select_related("collectivity").filter(pk=pk)
    if collectivity is not None:
        qs = qs.filter(collectivity=collectivity)
    return qs.first()


def staff_survey_list(*, collectivity: Collectivity) -> list[Survey]:
    """Every survey of the collectivity (drafts too), with `response_count` and
    `question_count`."""
    return list(
        _with_counts(Survey.objects.for_collectivity(collectivity)).annotate(
            question_count=Count("questions", distinct=True)
        )
    )


def staff_survey_get(*, collectivity: Collectivity, pk: int) -> Survey | None:
    return (
        Survey.objects.for_collectivity(collectivity)
        .select_related("collectivity")
        .filter(pk=pk)
        .first()
    )


def question_list(*, survey: Survey) -> list[Question]:
    """The survey's questions in order, each with its options (two queries)."""
    return list(
        Question.objects.filter(survey=survey).prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("order", "pk"))
        )
    )


def has_answered(*, survey: Survey, participant: Participant | None) -> bool:
    if participant is None:
        return False
    return Response.objects.filter(survey=survey, participant=participant).exists()


def response_count(*, survey: Survey) -> int:
    return Response.objects.filter(survey=survey).count()


@dataclass
class Bar:
    label: str
    count: int
    percent: float  # of the respondents who answered the question
    option_id: int | None = None
    value: int | None = None


@dataclass
class QuestionResult:
    question: Question
    answered: int  # respondents who answered this question
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None  # scales
    texts: list[str] = field(default_factory=list)  # free text, for staff only


@dataclass
class Results:
    survey: Survey
    respondents: int
    questions: list[QuestionResult]


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def survey_results(*, survey: Survey, with_texts: bool = False) -> Results:
    """Counts and percentages per question (five queries, or six with the texts)."""
    questions = question_list(survey=survey)
    counts: dict[tuple[int, int | None, int | None], int] = {}
    for row in (
        Answer.objects.filter(question__survey=survey)
        .exclude(option__isnull=True, value__isnull=True)
        .values("question_id", "option_id", "value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(row["question_id"], row["option_id"], row["value"])] = row["n"]
    answered = {
        row["question_id"]: row["n"]
        for row in Answer.objects.filter(question__survey=survey)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    }
    texts: dict[int, list[str]] = defaultdict(list)
    if with_texts:
        for question_id, text in (
            Answer.objects.filter(question__survey=survey, question__kind="text")
            .exclude(text="")
            .order_by("pk")
            .values_list("question_id", "text")
        ):
            texts[question_id].append(text)
    results = []
    for question in questions:
        total = answered.get(question.pk, 0)
        result = QuestionResult(question=question, answered=total, texts=texts[question.pk])
        if question.is_choice:
            for option in question.options.all():
                n = counts.get((question.pk, option.pk, None), 0)
                result.bars.append(Bar(option.label, n, _percent(n, total), option_id=option.pk))
        elif question.is_scale:
            weighted = 0
            values = list(question.scale)
            ends = {values[0]: question.low_label, values[-1]: question.high_label}
            for value in values:
                n = counts.get((question.pk, None, value), 0)
                weighted += value * n
                label = f"{value} — {ends[value]}" if ends.get(value) else str(value)
                result.bars.append(Bar(label, n, _percent(n, total), value=value))
            result.mean = round(weighted / total, 2) if total else None
        results.append(result)
    return Results(survey=survey, respondents=response_count(survey=survey), questions=results)


def respondent_number(survey: Survey, participant_id: int) -> int:
    """A stable, opaque number for a participant within one survey: the same in every
    export of that survey, unrelated across surveys, and not the participant's id."""
    digest = salted_hmac(
        "infitah.surveys.respondent", f"{survey.pk}:{participant_id}", algorithm="sha256"
    ).hexdigest()
    return int(digest[:12], 16) % 10**10


@dataclass
class ResponseRow:
    respondent: int
    submitted_at: datetime
    answers: dict[int, list[Answer]]


def response_rows(*, survey: Survey) -> list[ResponseRow]:
    """Every response with its answers (two queries), for the staff's CSV export."""
    responses = list(
        Response.objects.filter(survey=survey)
        .order_by("submitted_at", "pk")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("option").order_by("pk"))
        )
    )
    rows = []
    for response in responses:
        by_question: dict[int, list[Answer]] = defaultdict(list)
        for answer in response.answers.all():
            by_question[answer.question_id].append(answer)
        rows.append(
            ResponseRow(
                respondent=respondent_number(survey, response.participant_id),
                submitted_at=response.submitted_at,
                answers=by_question,
            )
        )
    return rows


def survey_breakdown(*, survey: Survey) -> Breakdown | None:
    """For a survey of the network (a network audience): the responses and respondents
    by region and by kind of collectivity (`participation.breakdown`; one response per
    respondent); None for a collectivity's own survey. At most four queries."""
    if survey.audience == Audience.LOCAL:
        return None
    respondents = Response.objects.filter(survey=survey).values_list("participant_id", flat=True)
    return breakdown_compute(audience=survey.audience, contributions=dict.fromkeys(respondents, 1))
