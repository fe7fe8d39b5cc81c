"""The rules of surveys, through the services: building, publishing, answering once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from django.core.exceptions import ValidationError
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.participation.models import Participant
from infitah.participation.surveys import services
from infitah.participation.surveys.models import Answer, Kind, Response, Status, Survey
from infitah.participation.surveys.services import QuestionInput, SurveyInput
from infitah.participation.surveys.tests.conftest import Answer as AnswerFn
from infitah.participation.surveys.tests.conftest import MakeSurvey, by_kind
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _survey_input(**overrides: Any) -> SurveyInput:
    now = timezone.now()
    values: dict[str, Any] = {
        "title_ar": "استطلاع",
        "title_fr": "Sondage",
        "opens_at": now,
        "closes_at": now + timedelta(days=7),
    }
    values.update(overrides)
    return SurveyInput(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title_ar": "", "title_fr": "  "}, "title_ar"),
        ({"title_ar": "x" * 201}, "title_ar"),
        ({"title_fr": "a\x00b"}, "title_fr"),
        ({"description_ar": "x" * 5001}, "description_ar"),
        ({"description_fr": "\x00"}, "description_fr"),
        ({"opens_at": None}, "opens_at"),
        ({"closes_at": None}, "closes_at"),
        ({"closes_at": timezone.now() - timedelta(days=1)}, "closes_at"),
    ],
)
def test_survey_save_refuses_bad_input_per_field(
    collectivity_a: Collectivity, focal_a: User, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.survey_save(
            collectivity=collectivity_a, actor=focal_a, data=_survey_input(**overrides)
        )
    assert field in caught.value.message_dict
    assert not Survey.objects.exists()


def test_survey_save_creates_a_draft_with_one_title(
    collectivity_a: Collectivity, focal_a: User
) -> None:
    survey = services.survey_save(
        collectivity=collectivity_a, actor=focal_a, data=_survey_input(title_ar="")
    )
    assert survey.status == Status.DRAFT
    assert survey.title == "Sondage"  # falls back to French when Arabic is empty
    assert Event.objects.filter(action="survey.create", object_id=str(survey.pk)).exists()


def _question(**overrides: Any) -> QuestionInput:
    values: dict[str, Any] = {
        "kind": Kind.SINGLE,
        "text_ar": "سؤال",
        "text_fr": "Question",
        "options": [("نعم", "Oui"), ("لا", "Non")],
    }
    values.update(overrides)
    return QuestionInput(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "ranking"}, "kind"),
        ({"text_ar": "", "text_fr": ""}, "text_ar"),
        ({"text_fr": "x" * 501}, "text_fr"),
        ({"text_ar": "\x00"}, "text_ar"),
        ({"options": [("نعم", "Oui")]}, "options"),
        ({"options": [("نعم", "Oui"), ("", " ")]}, "options"),
        ({"options": [("نعم", "Oui"), ("نعم", "Oui")]}, "options"),
        ({"options": [(str(i), str(i)) for i in range(21)]}, "options"),
        ({"options": [("نعم", "Oui"), ("x" * 201, "")]}, "options"),
        ({"options": [("نعم", "Oui"), ("\x00", "")]}, "options"),
        ({"kind": Kind.TEXT}, "options"),
        ({"kind": Kind.SCALE_5, "options": [], "low_label_fr": "x" * 61}, "low_label_fr"),
        ({"kind": Kind.TEXT, "options": [], "high_label_ar": "عال"}, "low_label_ar"),
        ({"order": 1001}, "order"),
        ({"order": -1}, "order"),
    ],
)
def test_question_save_refuses_bad_input_per_field(
    make_survey: MakeSurvey, focal_a: User, overrides: dict[str, Any], field: str
) -> None:
    survey = make_survey(publish=False, questions=[])
    with pytest.raises(ValidationError) as caught:
        services.question_save(survey=survey, actor=focal_a, data=_question(**overrides))
    assert field in caught.value.message_dict
    assert not survey.questions.exists()


def test_question_save_replaces_the_options(make_survey: MakeSurvey, focal_a: User) -> None:
    survey = make_survey(publish=False, questions=[])
    question = services.question_save(survey=survey, actor=focal_a, data=_question())
    services.question_save(
        survey=survey,
        actor=focal_a,
        question=question,
        data=_question(options=[("أ", "A"), ("ب", "B"), ("ج", "C")]),
    )
    assert [o.label_fr for o in question.options.all()] == ["A", "B", "C"]


def test_publish_needs_a_question_and_a_future_closing(
    make_survey: MakeSurvey, focal_a: User
) -> None:
    empty = make_survey(publish=False, questions=[])
    with pytest.raises(services.SurveyRefused):
        services.survey_publish(survey=empty, actor=focal_a)
    past = make_survey(
        publish=False,
        opens_at=timezone.now() - timedelta(days=5),
        closes_at=timezone.now() - timedelta(days=1),
    )
    with pytest.raises(services.SurveyRefused):
        services.survey_publish(survey=past, actor=focal_a)
    ok = services.survey_publish(survey=make_survey(publish=False), actor=focal_a)
    assert ok.status == Status.PUBLISHED and ok.published_at is not None
    with pytest.raises(services.SurveyRefused):
        services.survey_publish(survey=ok, actor=focal_a)


def test_answers_lock_the_questions_and_the_publication(
    make_survey: MakeSurvey, focal_a: User, participant: Participant, answer: AnswerFn
) -> None:
    survey = make_survey()
    question = by_kind(survey)[Kind.SINGLE]
    services.question_save(survey=survey, actor=focal_a, question=question, data=_question())
    answer(survey, participant)
    with pytest.raises(services.QuestionsLocked):
        services.question_save(survey=survey, actor=focal_a, data=_question())
    with pytest.raises(services.QuestionsLocked):
        services.question_delete(question=question, actor=focal_a)
    with pytest.raises(services.SurveyRefused):
        services.survey_unpublish(survey=survey, actor=focal_a)
    assert survey.questions.count() == 5


def test_unpublish_without_answers(make_survey: MakeSurvey, focal_a: User) -> None:
    survey = services.survey_unpublish(survey=make_survey(), actor=focal_a)
    assert survey.status == Status.DRAFT
    with pytest.raises(services.SurveyRefused):
        services.survey_unpublish(survey=survey, actor=focal_a)


def test_a_full_answer_is_recorded(
    make_survey: MakeSurvey, participant: Participant, answer: AnswerFn
) -> None:
    survey = make_survey()
    response = answer(survey, participant, multiple=[0, 1], text="  Plus d'arbres  ")
    questions = by_kind(survey)
    rows = {(a.question_id, a.option_id, a.value, a.text) for a in response.answers.all()}
    single_options = list(questions[Kind.SINGLE].options.all())
    multiple_options = list(questions[Kind.MULTIPLE].options.all())
    assert rows == {
        (questions[Kind.SINGLE].pk, single_options[0].pk, None, ""),
        (questions[Kind.MULTIPLE].pk, multiple_options[0].pk, None, ""),
        (questions[Kind.MULTIPLE].pk, multiple_options[1].pk, None, ""),
        (questions[Kind.SCALE_5].pk, None, 4, ""),
        (questions[Kind.SCALE_10].pk, None, 8, ""),
        (questions[Kind.TEXT].pk, None, None, "Plus d'arbres"),
    }


def test_one_answer_per_participant(
    make_survey: MakeSurvey, participant: Participant, answer: AnswerFn
) -> None:
    survey = make_survey()
    answer(survey, participant, scale_5=1)
    with pytest.raises(services.AlreadyAnswered):
        answer(survey, participant, scale_5=5)
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(question__kind=Kind.SCALE_5).get().value == 1
    # Another participant answers; the same participant answers another survey.
    answer(survey, make_participant(email="b@example.test"))
    answer(make_survey(), participant)
    assert Response.objects.count() == 3


def test_dates_decide(make_survey: MakeSurvey, participant: Participant, answer: AnswerFn) -> None:
    now = timezone.now()
    survey = make_survey(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=3))
    with pytest.raises(services.NotOpen):
        answer(survey, participant)
    with time_machine.travel(survey.closes_at, tick=False), pytest.raises(services.Closed):
        answer(survey, participant)
    with time_machine.travel(survey.closes_at - timedelta(seconds=1), tick=False):
        answer(survey, participant)
    assert Response.objects.count() == 1


def test_a_draft_takes_no_answer(
    make_survey: MakeSurvey, participant: Participant, answer: AnswerFn
) -> None:
    with pytest.raises(services.NotOpen):
        answer(make_survey(publish=False), participant)
    assert not Response.objects.exists()


def test_an_unverified_participant_cannot_answer(make_survey: MakeSurvey, answer: AnswerFn) -> None:
    pending = Participant.objects.create(email="p@example.test", display_name="P")
    with pytest.raises(ValueError, match="verified"):
        answer(make_survey(), pending)


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (Kind.SINGLE, []),  # required
        (Kind.SINGLE, ["999999"]),
        (Kind.SINGLE, ["abc"]),
        (Kind.SINGLE, ["9" * 5000]),
        (Kind.SINGLE, ["<first>", "<second>"]),  # two choices for one
        (Kind.MULTIPLE, ["999999"]),
        (Kind.MULTIPLE, ["<first>", "x"]),
        (Kind.SCALE_5, []),  # required
        (Kind.SCALE_5, ["0"]),
        (Kind.SCALE_5, ["6"]),
        (Kind.SCALE_5, ["2.5"]),
        (Kind.SCALE_5, ["²"]),
        (Kind.SCALE_5, ["1", "2"]),
        (Kind.SCALE_10, ["11"]),
        (Kind.SCALE_10, ["-1"]),
        (Kind.TEXT, ["x" * 5001]),
        (Kind.TEXT, ["a\x00b"]),
    ],
)
def test_bad_answers_are_refused_per_question_and_change_nothing(
    make_survey: MakeSurvey, participant: Participant, kind: str, values: list[str]
) -> None:
    survey = make_survey()
    questions = by_kind(survey)
    first = str(questions[kind].options.first().pk) if questions[kind].is_choice else ""
    second = str(list(questions[kind].options.all())[1].pk) if questions[kind].is_choice else ""
    answers = {
        questions[Kind.SINGLE].pk: [str(questions[Kind.SINGLE].options.first().pk)],
        questions[Kind.SCALE_5].pk: ["3"],
        questions[Kind.SCALE_10].pk: ["7"],
    }
    answers[questions[kind].pk] = [
        v.replace("<first>", first).replace("<second>", second) for v in values
    ]
    with pytest.raises(ValidationError) as caught:
        services.response_submit(survey=survey, participant=participant, answers=answers)
    assert list(caught.value.message_dict) == [f"q{questions[kind].pk}"]
    assert not Response.objects.exists()


def test_an_unknown_question_and_another_surveys_option_are_refused(
    make_survey: MakeSurvey, participant: Participant
) -> None:
    survey, other = make_survey(), make_survey()
    questions, foreign = by_kind(survey), by_kind(other)
    answers = {
        questions[Kind.SINGLE].pk: [str(foreign[Kind.SINGLE].options.first().pk)],
        questions[Kind.SCALE_5].pk: ["3"],
        questions[Kind.SCALE_10].pk: ["7"],
        foreign[Kind.TEXT].pk: ["hello"],
    }
    with pytest.raises(ValidationError) as caught:
        services.response_submit(survey=survey, participant=participant, answers=answers)
    assert set(caught.value.message_dict) == {
        f"q{questions[Kind.SINGLE].pk}",
        f"q{foreign[Kind.TEXT].pk}",
    }
    assert not Response.objects.exists()


def test_optional_questions_may_stay_empty_and_repeats_count_once(
    make_survey: MakeSurvey, participant: Participant
) -> None:
    survey = make_survey()
    questions = by_kind(survey)
    option = str(questions[Kind.MULTIPLE].options.first().pk)
    services.response_submit(
        survey=survey,
        participant=participant,
        answers={
            questions[Kind.SINGLE].pk: [str(questions[Kind.SINGLE].options.first().pk)],
            questions[Kind.MULTIPLE].pk: [option, option],
            questions[Kind.SCALE_5].pk: [" 3 "],
            questions[Kind.SCALE_10].pk: ["0"],
            questions[Kind.TEXT].pk: ["   "],
        },
    )
    assert Answer.objects.filter(question=questions[Kind.MULTIPLE]).count() == 1
    assert not Answer.objects.filter(question=questions[Kind.TEXT]).exists()
    assert Answer.objects.get(question=questions[Kind.SCALE_10]).value == 0
