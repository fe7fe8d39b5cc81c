"""The public pages of surveys, end to end through the test client (in /ar/ and /fr/).

Assertions look at data, status codes and structure, never at translated text.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from infitah.participation.models import Participant
from infitah.participation.surveys.models import Kind, Response
from infitah.participation.surveys.tests.conftest import Answer, MakeSurvey, by_kind
from infitah.participation.testing import login_participant, make_participant

pytestmark = pytest.mark.django_db

LIST = "/{lang}/c/commune-a/surveys/"


def _detail(survey_pk: int, lang: str = "ar") -> str:
    return f"/{lang}/c/commune-a/surveys/{survey_pk}/"


def _form_data(survey_pk: int, **overrides: list[str]) -> dict[str, list[str]]:
    from infitah.participation.surveys.models import Survey

    questions = by_kind(Survey.objects.get(pk=survey_pk))
    data = {
        f"q{questions[Kind.SINGLE].pk}": [str(questions[Kind.SINGLE].options.first().pk)],
        f"q{questions[Kind.MULTIPLE].pk}": [
            str(o.pk) for o in questions[Kind.MULTIPLE].options.all()
        ],
        f"q{questions[Kind.SCALE_5].pk}": ["5"],
        f"q{questions[Kind.SCALE_10].pk}": ["10"],
        f"q{questions[Kind.TEXT].pk}": ["Des bancs, svp"],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_list_shows_published_surveys_only_with_few_queries(
    client: Client,
    make_survey: MakeSurvey,
    lang: str,
    django_assert_max_num_queries: object,
) -> None:
    now = timezone.now()
    open_ = make_survey(title_fr="Ouvert")
    coming = make_survey(
        title_fr="Bientôt", opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=9)
    )
    draft = make_survey(title_fr="Brouillon", publish=False)
    for _ in range(5):
        make_survey()
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        response = client.get(LIST.format(lang=lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{lang}"' in html
    assert _detail(open_.pk, lang) in html and _detail(coming.pk, lang) in html
    assert _detail(draft.pk, lang) not in html
    assert len(response.content) < 30_000


def test_list_of_an_unknown_collectivity_is_404(client: Client) -> None:
    assert client.get("/ar/c/nowhere/surveys/").status_code == 404


def test_detail_of_a_draft_or_another_collectivitys_survey_is_404(
    client: Client, make_survey: MakeSurvey, collectivity_b: object
) -> None:
    draft = make_survey(publish=False)
    other = make_survey(collectivity=collectivity_b)
    assert client.get(_detail(draft.pk)).status_code == 404
    assert client.get(_detail(other.pk)).status_code == 404
    assert client.get(f"/ar/c/commune-b/surveys/{other.pk}/").status_code == 200


def test_anonymous_visitor_is_invited_to_take_part(client: Client, make_survey: MakeSurvey) -> None:
    survey = make_survey()
    response = client.get(_detail(survey.pk))
    assert response.status_code == 200
    assert b'action="/ar/c/commune-a/surveys/' not in response.content
    assert (
        f"/ar/participation/join/?next=%2Far%2Fc%2Fcommune-a%2Fsurveys%2F{survey.pk}%2F".encode()
        in response.content
    )
    posted = client.post(_detail(survey.pk) + "respond/", _form_data(survey.pk))
    assert posted.status_code == 302
    assert posted["Location"].startswith("/ar/participation/join/?next=")
    assert not Response.objects.exists()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_participant_answers_once_through_the_form(
    participant_client: Client, make_survey: MakeSurvey, lang: str
) -> None:
    survey = make_survey()
    page = participant_client.get(_detail(survey.pk, lang))
    assert page.status_code == 200
    assert b'type="radio"' in page.content and b'type="checkbox"' in page.content
    assert len(page.content) < 30_000
    response = participant_client.post(_detail(survey.pk, lang) + "respond/", _form_data(survey.pk))
    assert response.status_code == 302
    assert response["Location"] == _detail(survey.pk, lang)
    assert Response.objects.get().answers.count() == 6
    after = participant_client.get(_detail(survey.pk, lang))
    assert b"respond/" not in after.content
    again = participant_client.post(
        _detail(survey.pk, lang) + "respond/",
        _form_data(survey.pk, **{f"q{by_kind(survey)[Kind.SCALE_5].pk}": ["1"]}),
    )
    assert again.status_code == 409
    assert b'class="error"' in again.content  # the message
    assert Response.objects.count() == 1
    assert Response.objects.get().answers.get(question__kind=Kind.SCALE_5).value == 5


def test_bad_answers_show_errors_and_record_nothing(
    participant_client: Client, make_survey: MakeSurvey
) -> None:
    survey = make_survey()
    questions = by_kind(survey)
    data = _form_data(
        survey.pk,
        **{
            f"q{questions[Kind.SINGLE].pk}": [],
            f"q{questions[Kind.SCALE_5].pk}": ["9"],
            f"q{questions[Kind.TEXT].pk}": ["x" * 5001],
        },
    )
    response = participant_client.post(_detail(survey.pk) + "respond/", data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {
        f"q{questions[Kind.SINGLE].pk}",
        f"q{questions[Kind.SCALE_5].pk}",
        f"q{questions[Kind.TEXT].pk}",
    }
    assert response.content.count(b'role="alert"') >= 3
    assert not Response.objects.exists()


def test_respond_needs_a_post(participant_client: Client, make_survey: MakeSurvey) -> None:
    survey = make_survey()
    assert participant_client.get(_detail(survey.pk) + "respond/").status_code == 405


def test_outside_the_dates_the_page_says_so_and_refuses(
    participant_client: Client, make_survey: MakeSurvey
) -> None:
    now = timezone.now()
    survey = make_survey(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=5))
    page = participant_client.get(_detail(survey.pk))
    assert b"respond/" not in page.content
    assert (
        participant_client.post(_detail(survey.pk) + "respond/", _form_data(survey.pk)).status_code
        == 409
    )
    with time_machine.travel(survey.closes_at + timedelta(minutes=1), tick=False):
        page = participant_client.get(_detail(survey.pk))
        assert b"respond/" not in page.content
        assert (
            participant_client.post(
                _detail(survey.pk) + "respond/", _form_data(survey.pk)
            ).status_code
            == 409
        )
    assert not Response.objects.exists()


def test_days_left_are_shown_while_open(client: Client, make_survey: MakeSurvey) -> None:
    now = timezone.now()
    survey = make_survey(closes_at=now + timedelta(days=3, hours=2))
    assert survey.days_left() == 4
    with time_machine.travel(now, tick=False):
        html = client.get(LIST.format(lang="fr")).content.decode()
    assert re.search(r"\b4\b", html)


def _answer_many(survey: object, answer: Answer) -> None:
    # Three answers: single 0,0,1; scale_5 4,4,2; text on one.
    answer(
        survey, make_participant(email="a@example.test"), single=0, scale_5=4, text="Plus d'arbres"
    )
    answer(survey, make_participant(email="b@example.test"), single=0, scale_5=4, multiple=[])
    answer(survey, make_participant(email="c@example.test"), single=1, scale_5=2, multiple=[0, 1])


def test_results_are_hidden_until_closing(
    client: Client, make_survey: MakeSurvey, answer: Answer
) -> None:
    survey = make_survey()
    _answer_many(survey, answer)
    response = client.get(_detail(survey.pk) + "results/")
    assert response.status_code == 404
    assert b'role="alert"' in response.content
    assert b"<svg" not in response.content
    assert client.get(_detail(survey.pk) + "results.csv").status_code == 404


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_results_after_closing_count_right_and_hide_free_text(
    client: Client, make_survey: MakeSurvey, answer: Answer, lang: str
) -> None:
    survey = make_survey()
    _answer_many(survey, answer)
    with time_machine.travel(survey.closes_at + timedelta(hours=1), tick=False):
        response = client.get(_detail(survey.pk, lang) + "results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 4  # one chart per question with choices or a scale
    # Single choice: 2 of 3 (66.7 %) for the first option, 1 (33.3 %) for the second.
    assert "2 (66.7 %)" in html and "1 (33.3 %)" in html
    # Scale 1-5: 4 twice (66.7 %), 2 once; the average is 10/3.
    assert "3.33" in html or "3,33" in html
    # Several choices: of the two who answered it, 2 took the first (100 %).
    assert "2 (100 %)" in html
    assert "Plus d&#x27;arbres" not in html and "Plus d'arbres" not in html
    assert f'direction="{"rtl" if lang == "ar" else "ltr"}"' in html
    assert len(response.content) < 30_000


def test_results_while_open_when_the_collectivity_chooses(
    client: Client, make_survey: MakeSurvey, answer: Answer
) -> None:
    survey = make_survey(show_results_while_open=True)
    _answer_many(survey, answer)
    response = client.get(_detail(survey.pk) + "results/")
    assert response.status_code == 200
    assert "2 (66.7 %)" in response.content.decode()


def test_public_results_csv(client: Client, make_survey: MakeSurvey, answer: Answer) -> None:
    survey = make_survey(show_results_while_open=True)
    _answer_many(survey, answer)
    response = client.get(_detail(survey.pk, "fr") + "results.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffquestion_number,question,kind,answer,count,percent,answered")
    assert "1,Quelle priorité ?,single,Routes,2,66.7,3" in text
    assert "3,Satisfaction ?,scale_5,4,2,66.7,3" in text
    assert "Plus d'arbres" not in text


def test_participant_page_is_not_shared_between_visitors(
    client: Client, make_survey: MakeSurvey, participant: Participant
) -> None:
    survey = make_survey()
    login_participant(client, participant)
    assert b"respond/" in client.get(_detail(survey.pk)).content
    assert b"respond/" not in Client().get(_detail(survey.pk)).content
