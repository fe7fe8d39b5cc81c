"""Two submissions of the same participant at the same instant: exactly one response.

Real threads with their own database connections, on PostgreSQL only (SQLite serialises
writers on one file lock, so there is no race to test there).
"""

from __future__ import annotations

import threading
import time

import pytest

from django.db import connection, transaction

from infitah.participation.models import Participant
from infitah.participation.surveys import services
from infitah.participation.surveys.models import Answer, Kind, Response, Survey
from infitah.participation.surveys.tests.conftest import MakeSurvey, by_kind

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)"
    ),
]


def _answers(survey: Survey, scale: int) -> dict[int, list[str]]:
    questions = by_kind(survey)
    return {
        questions[Kind.SINGLE].pk: [str(questions[Kind.SINGLE].options.first().pk)],
        questions[Kind.SCALE_5].pk: [str(scale)],
        questions[Kind.SCALE_10].pk: ["5"],
    }


def test_many_simultaneous_submissions_record_one_response(
    make_survey: MakeSurvey, participant: Participant
) -> None:
    survey = make_survey()
    answers = [_answers(survey, 1 + i % 5) for i in range(8)]
    barrier = threading.Barrier(len(answers))
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(given: dict[int, list[str]]) -> None:
        try:
            barrier.wait()
            services.response_submit(survey=survey, participant=participant, answers=given)
            result = "ok"
        except services.AlreadyAnswered:
            result = "already"
        except Exception as exc:
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit, args=(a,)) for a in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already"] * 7 + ["ok"]
    assert Response.objects.filter(survey=survey, participant=participant).count() == 1
    # The answers of the one response only: three questions answered.
    assert Answer.objects.filter(response__survey=survey).count() == 3


def test_a_submission_racing_past_the_check_meets_the_constraint(
    make_survey: MakeSurvey, participant: Participant
) -> None:
    """The second submission starts while the first is inserted but not committed: its
    check sees nothing, its insert waits on the unique index, then fails."""
    survey = make_survey()
    inserted = threading.Event()
    outcome: list[str] = []

    def first() -> None:
        try:
            with transaction.atomic():
                services.response_submit(
                    survey=survey, participant=participant, answers=_answers(survey, 1)
                )
                inserted.set()
                time.sleep(0.5)  # the second submission reaches its insert meanwhile
        finally:
            connection.close()

    def second() -> None:
        inserted.wait(5)
        try:
            services.response_submit(
                survey=survey, participant=participant, answers=_answers(survey, 5)
            )
            outcome.append("ok")
        except services.AlreadyAnswered:
            outcome.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcome == ["already"]
    response = Response.objects.get(survey=survey)
    assert response.answers.get(question__kind=Kind.SCALE_5).value == 1
