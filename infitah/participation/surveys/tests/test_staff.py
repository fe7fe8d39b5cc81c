"""The focal point's pages: list, create and edit, questions, publish, results, CSV; and
tenancy (another collectivity's staff get 404 everywhere)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta

import pytest

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.participation.surveys.models import Kind, Question, Status, Survey
from infitah.participation.surveys.selectors import respondent_number
from infitah.participation.surveys.tests.conftest import Answer, MakeSurvey, by_kind
from infitah.participation.testing import make_participant

pytestmark = pytest.mark.django_db

STAFF = "/{lang}/staff/commune-a/surveys/"


def _url(path: str = "", lang: str = "ar") -> str:
    return STAFF.format(lang=lang) + path


def _survey_form(**overrides: str) -> dict[str, str]:
    now = timezone.localtime()
    data = {
        "title_ar": "استطلاع",
        "title_fr": "Sondage",
        "description_ar": "",
        "description_fr": "",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def _question_form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": "single",
        "text_ar": "سؤال",
        "text_fr": "Question",
        "is_required": "on",
        "order": "1",
        "options": "نعم | Oui\nلا | Non\n\n",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_list_with_few_queries(
    focal_client: Client, make_survey: MakeSurvey, lang: str, django_assert_max_num_queries: object
) -> None:
    surveys = [make_survey(), make_survey(publish=False), make_survey()]
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = focal_client.get(_url(lang=lang))
    assert response.status_code == 200
    for survey in surveys:
        assert _url(f"{survey.pk}/", lang).encode() in response.content
    # More surveys, same number of queries.
    for _ in range(6):
        make_survey()
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        assert focal_client.get(_url(lang=lang)).status_code == 200


def test_create_edit_add_questions_and_publish(focal_client: Client) -> None:
    assert focal_client.get(_url("new/")).status_code == 200
    response = focal_client.post(_url("new/"), _survey_form(title_ar=""))
    survey = Survey.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(f"{survey.pk}/")
    assert survey.status == Status.DRAFT and survey.title_fr == "Sondage"
    assert focal_client.get(_url(f"{survey.pk}/")).status_code == 200
    edited = focal_client.post(
        _url(f"{survey.pk}/"), _survey_form(title_fr="Sondage 2", show_results_while_open="on")
    )
    assert edited.status_code == 302
    survey.refresh_from_db()
    assert survey.title_fr == "Sondage 2" and survey.show_results_while_open
    # Publishing without questions is refused.
    assert focal_client.post(_url(f"{survey.pk}/publish/")).status_code == 409
    assert focal_client.post(_url(f"{survey.pk}/questions/"), _question_form()).status_code == 302
    scale = _question_form(
        kind="scale_10", options="", order="2", low_label_fr="Jamais", high_label_fr="Toujours"
    )
    assert focal_client.post(_url(f"{survey.pk}/questions/"), scale).status_code == 302
    question = Question.objects.get(kind="single")
    changed = _question_form(options="أ | A\nب | B\nج | C")
    assert (
        focal_client.post(_url(f"{survey.pk}/questions/{question.pk}/"), changed).status_code == 302
    )
    assert [o.label_fr for o in question.options.all()] == ["A", "B", "C"]
    page = focal_client.get(_url(f"{survey.pk}/"))
    assert "أ | A\nب | B\nج | C" in page.content.decode()
    assert focal_client.post(_url(f"{survey.pk}/publish/")).status_code == 302
    survey.refresh_from_db()
    assert survey.status == Status.PUBLISHED
    assert focal_client.post(_url(f"{survey.pk}/unpublish/")).status_code == 302
    survey.refresh_from_db()
    assert survey.status == Status.DRAFT
    deleted = focal_client.post(_url(f"{survey.pk}/questions/{question.pk}/delete/"))
    assert deleted.status_code == 302
    assert list(survey.questions.values_list("kind", flat=True)) == ["scale_10"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title_ar": "", "title_fr": ""}, "title_ar"),
        ({"title_fr": "x" * 201}, "title_fr"),
        ({"title_ar": "a\x00"}, "title_ar"),
        ({"description_ar": "x" * 5001}, "description_ar"),
        ({"opens_at": "not a date"}, "opens_at"),
        ({"opens_at": ""}, "opens_at"),
        ({"closes_at": "2026-13-45T99:99"}, "closes_at"),
        ({"closes_at": "2000-01-01T10:00"}, "closes_at"),
    ],
)
def test_bad_survey_input_is_refused_per_field(
    focal_client: Client, overrides: dict[str, str], field: str
) -> None:
    response = focal_client.post(_url("new/"), _survey_form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "ranking"}, "kind"),
        ({"text_ar": "", "text_fr": ""}, "text_ar"),
        ({"text_fr": "x" * 501}, "text_fr"),
        ({"order": "-3"}, "order"),
        ({"order": "abc"}, "order"),
        ({"options": "نعم | Oui"}, "options"),
        ({"options": "\x00 | a\nb | c"}, "options"),
        ({"kind": "text"}, "options"),
        ({"kind": "scale_5", "options": "", "low_label_ar": "x" * 61}, "low_label_ar"),
    ],
)
def test_bad_question_input_is_refused_per_field(
    focal_client: Client, make_survey: MakeSurvey, overrides: dict[str, str], field: str
) -> None:
    survey = make_survey(publish=False, questions=[])
    response = focal_client.post(_url(f"{survey.pk}/questions/"), _question_form(**overrides))
    assert response.status_code == 400
    assert field in response.context["new_question"].errors
    assert not survey.questions.exists()


def test_questions_are_locked_once_answered(
    focal_client: Client, make_survey: MakeSurvey, answer: Answer
) -> None:
    survey = make_survey()
    answer(survey, make_participant(email="a@example.test"))
    question = by_kind(survey)[Kind.SINGLE]
    page = focal_client.get(_url(f"{survey.pk}/"))
    assert f"/questions/{question.pk}/".encode() not in page.content
    assert focal_client.post(_url(f"{survey.pk}/questions/"), _question_form()).status_code == 409
    assert (
        focal_client.post(_url(f"{survey.pk}/questions/{question.pk}/delete/")).status_code == 409
    )
    assert focal_client.post(_url(f"{survey.pk}/unpublish/")).status_code == 409
    assert survey.questions.count() == 5


def test_staff_results_show_free_text_at_any_time(
    focal_client: Client, make_survey: MakeSurvey, answer: Answer
) -> None:
    survey = make_survey()
    answer(survey, make_participant(email="a@example.test"), text="<b>Des bancs</b>")
    response = focal_client.get(_url(f"{survey.pk}/results/"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;b&gt;Des bancs&lt;/b&gt;" in html
    assert html.count('role="img"') == 4
    assert "1 (100 %)" in html


def test_responses_csv_one_row_per_response_with_opaque_numbers(
    focal_client: Client, make_survey: MakeSurvey, answer: Answer
) -> None:
    survey = make_survey()
    amina = make_participant(email="a@example.test")
    omar = make_participant(email="b@example.test")
    answer(survey, amina, single=1, multiple=[0, 1], scale_5=2, scale_10=0, text="=HYPERLINK(1)")
    answer(survey, omar, single=0, multiple=[], scale_5=5, scale_10=10, text="")
    response = focal_client.get(_url(f"{survey.pk}/responses.csv", "fr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:])))
    assert rows[0][:2] == ["respondent", "submitted_at"]
    assert rows[0][2:] == [
        "Q1. Quelle priorité ?",
        "Q2. Quels équipements ?",
        "Q3. Satisfaction ?",
        "Q4. Recommandation",
        "Q5. Suggestions",
    ]
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[0] == str(respondent_number(survey, amina.pk))
    assert first[0] not in {str(amina.pk), str(omar.pk)}
    assert first[2:] == ["Éclairage", "Bibliothèque | Stade", "2", "0", "'=HYPERLINK(1)"]
    assert second[2:] == ["Routes", "", "5", "10", ""]
    # Stable: the same number in a second export; another survey gives another one.
    again = focal_client.get(_url(f"{survey.pk}/responses.csv", "fr")).content.decode()
    assert first[0] in again
    assert respondent_number(make_survey(), amina.pk) != int(first[0])


def test_staff_results_csv(focal_client: Client, make_survey: MakeSurvey, answer: Answer) -> None:
    survey = make_survey()
    answer(survey, make_participant(email="a@example.test"))
    text = focal_client.get(_url(f"{survey.pk}/results.csv", "fr")).content.decode()
    assert text.startswith("\ufeff")
    assert "1,Quelle priorité ?,single,Routes,1,100.0,1" in text


def _staff_urls(survey: Survey, question: Question) -> list[tuple[str, str]]:
    pk, qid = survey.pk, question.pk
    gets = ["", "new/", f"{pk}/", f"{pk}/results/", f"{pk}/results.csv", f"{pk}/responses.csv"]
    posts = [
        "new/",
        f"{pk}/",
        f"{pk}/questions/",
        f"{pk}/questions/{qid}/",
        f"{pk}/questions/{qid}/delete/",
        f"{pk}/publish/",
        f"{pk}/unpublish/",
    ]
    return [("get", p) for p in gets] + [("post", p) for p in posts]


def test_charlie_gets_404_on_every_staff_url(
    make_survey: MakeSurvey, charlie: User, answer: Answer
) -> None:
    survey = make_survey()
    question = by_kind(survey)[Kind.SINGLE]
    client = Client()
    client.force_login(charlie)
    for method, path in _staff_urls(survey, question):
        response = getattr(client, method)(_url(path), _question_form() if method == "post" else {})
        assert response.status_code == 404, (method, path)
    # Nor through his own collectivity's URLs.
    for method, path in _staff_urls(survey, question):
        if path in ("", "new/"):
            continue
        response = getattr(client, method)(f"/ar/staff/commune-b/surveys/{path}")
        assert response.status_code == 404, (method, path)
    survey.refresh_from_db()
    assert survey.status == Status.PUBLISHED
    assert survey.questions.count() == 5


def test_staff_without_the_permission_gets_404(
    make_survey: MakeSurvey, staff_for: Callable[[str], User]
) -> None:
    survey = make_survey()
    client = Client()
    client.force_login(staff_for(Role.COMPLAINTS_OFFICER))
    assert client.get(_url()).status_code == 404
    assert client.get(_url(f"{survey.pk}/results/")).status_code == 404
    assert client.post(_url(f"{survey.pk}/unpublish/")).status_code == 404


def test_anonymous_goes_to_sign_in(client: Client, make_survey: MakeSurvey) -> None:
    survey = make_survey()
    response = client.get(_url(f"{survey.pk}/responses.csv"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_question_or_survey_is_404(focal_client: Client, make_survey: MakeSurvey) -> None:
    survey = make_survey(publish=False)
    other = make_survey(publish=False)
    foreign_question = by_kind(other)[Kind.SINGLE]
    assert (
        focal_client.post(
            _url(f"{survey.pk}/questions/{foreign_question.pk}/"), _question_form()
        ).status_code
        == 404
    )
    assert focal_client.get(_url("999999/")).status_code == 404


def test_an_empty_post_shows_the_errors(focal_client: Client) -> None:
    response = focal_client.post(_url("new/"), {})
    assert response.status_code == 400
    assert {"opens_at", "closes_at"} <= set(response.context["form"].errors)
    assert not Survey.objects.exists()
