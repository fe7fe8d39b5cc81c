"""The public pages of labs end to end through the test client: list, lab, voting one
statement at a time, proposing a statement, the report and its downloads."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from infitah.accounts.models import User
from infitah.participation.labs import reports, services
from infitah.participation.labs.math import opinion_groups
from infitah.participation.labs.models import Lab, LabReport, Statement, StatementStatus, Vote
from infitah.participation.labs.tests.conftest import QUESTION_AR, Voters, lab_input
from infitah.participation.labs.tests.test_reports import planted_votes
from infitah.participation.models import Participant
from infitah.participation.testing import login_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def url(lab: Lab, tail: str = "", lang: str = "ar") -> str:
    return f"/{lang}/c/{lab.collectivity.slug}/labs/{lab.pk}/{tail}"


def statement_shown(html: str) -> int:
    match = re.search(r'name="statement" value="(\d+)"', html)
    assert match, "no statement on the page"
    return int(match.group(1))


# ----------------------------------------------------------------------------- list


def test_the_list_shows_opened_labs_only(
    client: Client, lab: Lab, collectivity_a: Collectivity, focal_point: User
) -> None:
    now = timezone.now()
    services.lab_create(
        collectivity=collectivity_a,
        actor=focal_point,
        data=lab_input(
            question_ar="سؤال لم يفتح بعد",
            opens_at=now + timedelta(days=3),
            closes_at=now + timedelta(days=9),
        ),
    )
    html = client.get("/ar/c/commune-a/labs/").content.decode()
    assert QUESTION_AR in html
    assert "سؤال لم يفتح بعد" not in html


def test_the_list_and_the_lab_of_a_non_member_or_unknown_collectivity_are_404(
    client: Client, lab: Lab, collectivity_b: Collectivity, focal_point: User
) -> None:
    other = services.lab_create(collectivity=collectivity_b, actor=focal_point, data=lab_input())
    assert client.get("/ar/c/commune-b/labs/").status_code == 404
    assert client.get("/ar/c/nowhere/labs/").status_code == 404
    assert client.get(f"/ar/c/commune-b/labs/{other.pk}/").status_code == 404
    # A's slug with B's lab id: not found either.
    assert client.get(f"/ar/c/commune-a/labs/{other.pk}/").status_code == 404
    assert client.get(f"/ar/c/commune-a/labs/{2**40}/").status_code == 404
    assert client.get(f"/ar/c/commune-a/labs/{2**70}/report/").status_code == 404


def test_list_queries_do_not_grow_with_labs(
    client: Client,
    collectivity_a: Collectivity,
    focal_point: User,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    for n in range(6):
        lab = services.lab_create(
            collectivity=collectivity_a, actor=focal_point, data=lab_input(question_ar=f"س{n}")
        )
        services.statements_seed(lab=lab, actor=focal_point, texts=[f"عبارة {n}", f"أخرى {n}"])
    with django_assert_max_num_queries(4):
        response = client.get("/fr/c/commune-a/labs/")
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == 6


def test_the_lab_page(client: Client, lab: Lab, statements: list[Statement]) -> None:
    html = client.get(url(lab)).content.decode()
    assert QUESTION_AR in html
    assert url(lab, "vote/") in html
    assert 'lang="ar" dir="rtl"' in html


# ------------------------------------------------------------------------------ vote


def test_voting_needs_a_verified_participant(client: Client, lab: Lab) -> None:
    response = client.get(url(lab, "vote/"))
    assert response.status_code == 302
    assert response["Location"].startswith("/ar/participation/join/?next=")
    assert client.post(url(lab, "vote/"), {"statement": 1, "vote": "1"}).status_code == 302
    assert not Vote.objects.exists()


def test_a_participant_votes_one_statement_at_a_time(
    participant_client: Client, lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    page = participant_client.get(url(lab, "vote/"))
    html = page.content.decode()
    assert page.status_code == 200
    for value in ('value="1"', 'value="-1"', 'value="0"'):
        assert f'name="vote" {value}' in html
    first = statement_shown(html)
    assert Statement.objects.get(pk=first).text in html
    response = participant_client.post(url(lab, "vote/"), {"statement": first, "vote": "-1"})
    assert response.status_code == 302
    assert response["Location"] == url(lab, "vote/")
    assert Vote.objects.get(participant=participant).value == -1
    second = statement_shown(participant_client.get(url(lab, "vote/")).content.decode())
    assert second != first


def test_the_vote_page_says_when_everything_is_voted(
    participant_client: Client, lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    for statement in statements:
        services.vote_cast(lab=lab, participant=participant, statement_id=statement.pk, value=0)
    html = participant_client.get(url(lab, "vote/")).content.decode()
    assert 'id="all-voted"' in html
    assert 'name="statement"' not in html


@pytest.mark.parametrize(
    "data",
    [
        {"statement": "abc", "vote": "1"},
        {"statement": "1", "vote": "2"},
        {"vote": "1"},
        {"statement": str(2**40), "vote": "1"},
        {"statement": "1", "vote": "\x00"},
    ],
)
def test_a_bad_vote_is_400_and_changes_nothing(
    participant_client: Client, lab: Lab, statements: list[Statement], data: dict[str, str]
) -> None:
    assert participant_client.post(url(lab, "vote/"), data).status_code == 400
    assert not Vote.objects.exists()


def test_a_vote_on_a_pending_statement_is_404(
    participant_client: Client, lab: Lab, participant: Participant
) -> None:
    pending = services.statement_submit(lab=lab, participant=participant, text="معلقة")
    response = participant_client.post(url(lab, "vote/"), {"statement": pending.pk, "vote": "1"})
    assert response.status_code == 404
    assert not Vote.objects.exists()


def test_a_closed_lab_refuses_a_vote_on_the_page(
    participant_client: Client, lab: Lab, statements: list[Statement]
) -> None:
    with time_machine.travel(lab.closes_at + timedelta(minutes=1)):
        page = participant_client.get(url(lab, "vote/"))
        assert 'id="closed"' in page.content.decode()
        assert 'name="statement"' not in page.content.decode()
        response = participant_client.post(
            url(lab, "vote/"), {"statement": statements[0].pk, "vote": "1"}
        )
    assert response.status_code == 409
    assert not Vote.objects.exists()


def test_the_request_only_marks_the_lab_and_enqueues(
    participant_client: Client,
    lab: Lab,
    statements: list[Statement],
    django_capture_on_commit_callbacks: Capture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No recomputation inside the request: the maths is never called while it runs;
    the task is handed over when the transaction commits."""
    calls: list[int] = []
    real = opinion_groups

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(reports, "opinion_groups", spy)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = participant_client.post(
            url(lab, "vote/"), {"statement": statements[0].pk, "vote": "1"}
        )
    assert response.status_code == 302
    assert calls == []
    assert not LabReport.objects.exists()
    lab.refresh_from_db()
    assert lab.is_dirty
    assert len(callbacks) == 1
    callbacks[0]()  # what happens after the commit: the (immediate) task backend runs it
    assert calls == [1]
    assert LabReport.objects.filter(lab=lab, revision=1).exists()


# -------------------------------------------------------------------------- statement


def test_a_participant_proposes_a_statement(
    participant_client: Client, lab: Lab, participant: Participant
) -> None:
    response = participant_client.post(url(lab, "statements/"), {"text": "يجب نشر جدول الأعمال"})
    assert response.status_code == 302
    statement = Statement.objects.get(lab=lab)
    assert (statement.status, statement.author) == (StatementStatus.PENDING, participant)
    # Not routed while pending.
    html = participant_client.get(url(lab, "vote/")).content.decode()
    assert 'name="statement"' not in html


@pytest.mark.parametrize("text", ["", "x" * 281, "a\x00b"])
def test_a_bad_statement_is_400(participant_client: Client, lab: Lab, text: str) -> None:
    response = participant_client.post(url(lab, "statements/"), {"text": text})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Statement.objects.exists()


def test_proposing_needs_a_participant_and_an_open_lab(
    client: Client, participant_client: Client, lab: Lab
) -> None:
    assert client.post(url(lab, "statements/"), {"text": "عبارة"}).status_code == 302
    with time_machine.travel(lab.closes_at + timedelta(minutes=1)):
        response = participant_client.post(url(lab, "statements/"), {"text": "عبارة"})
    assert response.status_code == 409
    assert not Statement.objects.exists()
    assert participant_client.get(url(lab, "statements/")).status_code == 405


# ---------------------------------------------------------------------------- report


def test_the_report_page_before_any_report(client: Client, lab: Lab) -> None:
    response = client.get(url(lab, "report/"))
    assert response.status_code == 200
    assert 'id="no-report"' in response.content.decode()
    assert "<svg" not in response.content.decode()


def test_the_report_page_draws_the_groups(
    client: Client,
    lab: Lab,
    statements: list[Statement],
    voters: Voters,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    planted_votes(lab, statements, voters(12))
    report = reports.lab_report_compute(lab_id=lab.pk).report
    assert report is not None
    with django_assert_max_num_queries(4):
        response = client.get(url(lab, "report/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.content) < 30_000
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="map-title map-desc"' in svg
    assert '<title id="map-title">' in svg and '<desc id="map-desc">' in svg
    assert 'data-group="A"' in svg and 'data-group="B"' in svg
    assert svg.count("<circle") == 12
    assert ">A</text>" in svg and ">B</text>" in svg
    # The text alternative: one row per group with its size.
    table = html[html.index("<table") : html.index("</table>")]
    assert table.count('<th scope="row"') == 2
    assert '">6</td>' in table
    # The consensus statement (everyone agreed with the last one) is listed by its text.
    assert statements[-1].text in html[html.index("</table>") :]
    assert 'id="being-updated"' not in html


def test_the_report_page_says_when_it_is_being_updated(
    client: Client, lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    planted_votes(lab, statements, voters(8))
    reports.lab_report_compute(lab_id=lab.pk)
    late = voters(1)[0]
    services.vote_cast(lab=lab, participant=late, statement_id=statements[0].pk, value=1)
    html = client.get(url(lab, "report/", lang="fr")).content.decode()
    assert 'id="being-updated"' in html
    assert "<svg" in html  # the last report is still shown


def test_report_page_queries_do_not_grow_with_participants(
    client: Client,
    lab: Lab,
    statements: list[Statement],
    voters: Voters,
    django_assert_max_num_queries: Callable[[int], AbstractContextManager[Any]],
) -> None:
    planted_votes(lab, statements, voters(30))
    reports.lab_report_compute(lab_id=lab.pk)
    with django_assert_max_num_queries(4):
        assert client.get(url(lab, "report/")).status_code == 200


# --------------------------------------------------------------------------- exports


def test_the_votes_export_is_anonymised(
    client: Client, lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    people = voters(3)
    planted_votes(lab, statements[:2], people)
    response = client.get(url(lab, "votes.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == ["voter", "statement", "vote"]
    assert len(rows) == 7
    assert {r[0] for r in rows[1:]} == {"1", "2", "3"}
    data = json.loads(client.get(url(lab, "votes.json")).content)
    assert len(data["votes"]) == 6
    assert set(data["votes"][0]) == {"voter", "statement", "vote"}
    assert {s["text"] for s in data["statements"]} == {s.text for s in statements}
    for who in people:
        assert who.email not in body and who.display_name not in body


def test_the_report_exports(
    client: Client, lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    assert client.get(url(lab, "report.json")).status_code == 404
    planted_votes(lab, statements, voters(12))
    report = reports.lab_report_compute(lab_id=lab.pk).report
    assert report is not None
    data = json.loads(client.get(url(lab, "report.json")).content)
    assert data["params"]["seed"] == 42
    assert data["result"] == report.result
    body = client.get(url(lab, "report.csv")).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:4] == ["kind", "group", "group_size", "statement"]
    kinds = {r[0] for r in rows[1:]}
    assert kinds == {"representative", "consensus"}
    assert any(r[4] == statements[-1].text for r in rows if r[0] == "consensus")


def test_an_unknown_export_is_404(client: Client, lab: Lab) -> None:
    for name in ("votes.xml", "emails.csv", "x"):
        assert client.get(url(lab, name)).status_code == 404


def test_pages_of_an_upcoming_lab_are_404(
    client: Client, collectivity_a: Collectivity, focal_point: User
) -> None:
    now = timezone.now()
    upcoming = services.lab_create(
        collectivity=collectivity_a,
        actor=focal_point,
        data=lab_input(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2)),
    )
    for tail in ("", "report/", "votes.csv"):
        assert client.get(url(upcoming, tail)).status_code == 404


def test_the_vote_page_in_french_and_arabic_is_small(
    lab: Lab, statements: list[Statement], participant: Participant
) -> None:
    for lang in ("ar", "fr"):
        client = Client()
        login_participant(client, participant)
        response = client.get(url(lab, "vote/", lang=lang))
        assert response.status_code == 200
        assert len(response.content) < 30_000


def test_the_participant_sees_their_statements_and_why_one_was_rejected(
    participant_client: Client, lab: Lab, participant: Participant, focal_point: User
) -> None:
    kept = services.statement_submit(lab=lab, participant=participant, text="عبارة معلقة")
    gone = services.statement_submit(lab=lab, participant=participant, text="عبارة مرفوضة")
    services.statement_moderate(statement=gone, actor=focal_point, approve=False, reason="مكررة")
    html = participant_client.get(url(lab, "vote/")).content.decode()
    mine = html[html.index('id="mine"') :]
    assert kept.text in mine and gone.text in mine and "مكررة" in mine


def test_csv_cells_that_look_like_formulas_are_neutralised(
    client: Client, lab: Lab, participant: Participant, voters: Voters
) -> None:
    services.lab_update(
        lab=lab,
        actor=lab.created_by,  # type: ignore[arg-type]
        data=lab_input(moderate_statements=False),
    )
    lab.refresh_from_db()
    formula = services.statement_submit(
        lab=lab, participant=participant, text='=HYPERLINK("http://evil.test","x")'
    )
    people = voters(12)
    for n, who in enumerate(people):
        services.vote_cast(lab=lab, participant=who, statement_id=formula.pk, value=1)
        for i in range(7):
            extra = Statement.objects.filter(lab=lab, text=f"ع{i}").first()
            if extra is None:
                extra = services.statement_submit(lab=lab, participant=participant, text=f"ع{i}")
            value = 1 if (n < 6) == (i % 2 == 0) else -1
            services.vote_cast(lab=lab, participant=who, statement_id=extra.pk, value=value)
    reports.lab_report_compute(lab_id=lab.pk)
    body = client.get(url(lab, "report.csv")).content.decode("utf-8")
    texts = [row[4] for row in csv.reader(io.StringIO(body[1:]))]
    assert "'" + formula.text in texts
    assert formula.text not in texts
