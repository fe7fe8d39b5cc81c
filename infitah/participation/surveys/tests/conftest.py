"""Fixtures of the survey tests.

- `focal_a`: the focal point of A (Perm.PARTICIPATION_MANAGE); `focal_client` signed in;
- `make_survey(**overrides)`: a survey of A through the services, with one question of
  each kind, published and open by default (opened a day ago, closing in ten days);
- `answer(survey, participant, **by_kind)`: a response through the service.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.participation.models import Participant
from infitah.participation.surveys import services
from infitah.participation.surveys.models import Kind, Question, Response, Survey
from infitah.participation.surveys.services import QuestionInput, SurveyInput
from infitah.territories.models import Collectivity

MakeSurvey = Callable[..., Survey]
Answer = Callable[..., Response]

QUESTIONS = [
    QuestionInput(
        kind=Kind.SINGLE,
        text_ar="ما هي الأولوية؟",
        text_fr="Quelle priorité ?",
        order=1,
        options=[("الطرق", "Routes"), ("الإنارة", "Éclairage"), ("النظافة", "Propreté")],
    ),
    QuestionInput(
        kind=Kind.MULTIPLE,
        text_ar="ما هي المرافق؟",
        text_fr="Quels équipements ?",
        order=2,
        is_required=False,
        options=[("المكتبة", "Bibliothèque"), ("الملعب", "Stade")],
    ),
    QuestionInput(
        kind=Kind.SCALE_5,
        text_ar="ما مدى رضاكم؟",
        text_fr="Satisfaction ?",
        order=3,
        low_label_ar="قليل",
        low_label_fr="Peu",
        high_label_ar="كثير",
        high_label_fr="Beaucoup",
    ),
    QuestionInput(kind=Kind.SCALE_10, text_ar="التوصية", text_fr="Recommandation", order=4),
    QuestionInput(
        kind=Kind.TEXT, text_ar="اقتراحاتكم", text_fr="Suggestions", order=5, is_required=False
    ),
]


def by_kind(survey: Survey) -> dict[str, Question]:
    return {q.kind: q for q in survey.questions.prefetch_related("options")}


@pytest.fixture
def focal_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


@pytest.fixture
def focal_client(focal_a: User) -> Client:
    client = Client()
    client.force_login(focal_a)
    return client


@pytest.fixture
def make_survey(collectivity_a: Collectivity, focal_a: User) -> MakeSurvey:
    def make(
        *,
        collectivity: Collectivity | None = None,
        publish: bool = True,
        questions: list[QuestionInput] | None = None,
        **overrides: Any,
    ) -> Survey:
        now = timezone.now()
        values: dict[str, Any] = {
            "title_ar": "استطلاع الحي",
            "title_fr": "Sondage du quartier",
            "description_ar": "وصف",
            "description_fr": "Description",
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=10),
            "show_results_while_open": False,
        }
        values.update(overrides)
        survey = services.survey_save(
            collectivity=collectivity or collectivity_a,
            actor=focal_a,
            data=SurveyInput(**values),
        )
        for data in QUESTIONS if questions is None else questions:
            services.question_save(survey=survey, actor=focal_a, data=data)
        if publish:
            survey = services.survey_publish(survey=survey, actor=focal_a)
        return survey

    return make


@pytest.fixture
def answer() -> Answer:
    """Answer `survey` as `participant`; keyword per kind: single=option position,
    multiple=[positions], scale_5=int, scale_10=int, text=str (defaults: a full answer)."""

    def make(survey: Survey, participant: Participant, **given: Any) -> Response:
        values: dict[str, Any] = {
            "single": 0,
            "multiple": [0],
            "scale_5": 4,
            "scale_10": 8,
            "text": "",
        }
        values.update(given)
        answers: dict[int, list[str]] = {}
        for kind, question in by_kind(survey).items():
            value = values[kind]
            options = list(question.options.all())
            if kind == Kind.SINGLE:
                answers[question.pk] = [] if value is None else [str(options[value].pk)]
            elif kind == Kind.MULTIPLE:
                answers[question.pk] = [str(options[i].pk) for i in value]
            else:
                answers[question.pk] = [] if value in (None, "") else [str(value)]
        return services.response_submit(survey=survey, participant=participant, answers=answers)

    return make
