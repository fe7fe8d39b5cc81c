"""The open-data sources of participation (infitah/opendata/sources/participation.py):
consultations and their syntheses, survey results, lab votes and lab reports.

Data is made through the participation services, on a fixed clock; each source's rows
are checked by hand, what is not public (pending comments, a synthesis saved but not
published, a draft or running survey, a lab not opened yet, a statement awaiting
moderation, another collectivity's or a non-member's data) is absent, and the CSV of
the rows validates against the source's columns with frictionless.

`table_errors` and `assert_well_formed` are shared with the other source tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from frictionless import Resource, Schema

from django.utils import timezone, translation

from infitah.accounts.models import Role, User
from infitah.finance.tests.budget_public_world import network_commune
from infitah.opendata.files import csv_chunks
from infitah.opendata.models import Frequency
from infitah.opendata.sources import Row, Source, registry
from infitah.opendata.sources import participation as sources
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.models import Consultation, Section
from infitah.participation.consultations.tests.conftest import NOW, SECTIONS, consultation_input
from infitah.participation.consultations.workflow import Moderation
from infitah.participation.labs import reports
from infitah.participation.labs import services as labs
from infitah.participation.labs.models import Lab, Statement
from infitah.participation.labs.tests.conftest import STATEMENT_TEXTS, lab_input
from infitah.participation.models import Participant
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Kind, Survey
from infitah.participation.surveys.services import QuestionInput, SurveyInput
from infitah.participation.testing import make_participant
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year"}
CKAN_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
CKAN_TAG = re.compile(r"^[\w .-]+$")
SITE = "http://testserver"
# The EU data-theme vocabulary (http://publications.europa.eu/resource/authority/data-theme/).
EU_THEMES = {
    "AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI",
    "TECH", "TRAN",
}  # fmt: skip


# --------------------------------------------------------------------------- shared


def table_errors(source: Source, rows: Sequence[Row]) -> list[str]:
    """Frictionless's errors on the dataset's CSV file, as the download writes it
    (`opendata.files.csv_chunks`), read against the source's columns; every row has the
    source's columns."""
    names = [c.name for c in source.columns]
    for row in rows:
        assert set(row) == set(names), set(row) ^ set(names)
    text = "".join(csv_chunks(source.columns, rows))
    schema = Schema.from_descriptor(
        {"fields": [{"name": c.name, "type": c.type} for c in source.columns]}
    )
    resource = Resource(
        data=text.encode("utf-8"), format="csv", encoding="utf-8-sig", schema=schema
    )
    report = resource.validate()
    return [f"{error.type}: {error.message}" for task in report.tasks for error in task.errors]


def assert_well_formed(found: Iterable[Source]) -> None:
    """Keys are CKAN names, titles name the collectivity in both languages, columns are
    unique with a Table Schema type and both titles, tags are CKAN tags, the theme and
    the frequency are codes of the EU vocabularies."""
    for source in found:
        assert CKAN_NAME.match(source.key), source.key
        assert registry()[source.key] is source
        for text in (
            source.title_ar,
            source.title_fr,
            source.description_ar,
            source.description_fr,
        ):
            assert "{name}" in text, (source.key, text)
        names = [c.name for c in source.columns]
        assert len(names) == len(set(names)), source.key
        for column in source.columns:
            assert column.type in TYPES, (source.key, column.name)
            assert column.title_ar and column.title_fr, (source.key, column.name)
            assert re.match(r"^[a-z][a-z0-9_]*$", column.name), column.name
        for tag in source.tags:
            assert tag == tag.lower() and CKAN_TAG.match(tag), (source.key, tag)
        assert not source.network
        assert source.theme in EU_THEMES, (source.key, source.theme)
        assert source.frequency in Frequency.values, (source.key, source.frequency)


def all_cells(rows: Iterable[Row]) -> str:
    return "\n".join(str(v) for row in rows for v in row.values())


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.INFITAH_SITE_URL = SITE


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def focal(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


@pytest.fixture
def collectivity_c(prefecture: Collectivity) -> Collectivity:
    """Another network member."""
    return network_commune(prefecture, "commune-c", 50_000)


def test_every_source_is_well_formed() -> None:
    assert [s.key for s in sources.SOURCES] == [
        "consultations",
        "consultation-syntheses",
        "surveys",
        "lab-votes",
        "lab-reports",
    ]
    assert_well_formed(sources.SOURCES)


def test_the_csv_check_finds_a_cell_of_the_wrong_type() -> None:
    """`table_errors` is not a formality: a cell that does not match its column's type
    is an error."""
    row = {**{c.name: None for c in sources.CONSULTATIONS.columns}, "id": 7}
    assert table_errors(sources.CONSULTATIONS, [row]) == []
    bad = {**row, "id": "sept", "opens_on": "31/12/2026", "synthesis_published": "peut-être"}
    assert len(table_errors(sources.CONSULTATIONS, [bad])) == 3


def test_helpers_write_days_in_the_site_time_zone_and_addresses_in_arabic() -> None:
    # 23:30 UTC on 31 December is 1 January in Casablanca (UTC+1).
    moment = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert sources.iso_day(moment) == "2026-01-01"
    assert sources.iso_day(dt.date(2026, 2, 3)) == "2026-02-03"
    assert sources.iso_day(None) is None
    assert sources.span(moment, dt.date(2026, 3, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    with translation.override("fr"):
        url = sources.page_url("consultations:list", slug="commune-a")
    assert url == f"{SITE}/ar/c/commune-a/consultations/"


# --------------------------------------------------------------------------- consultations


def consult(collectivity: Collectivity, actor: User, **overrides: Any) -> Consultation:
    consultation = consultations.consultation_create(
        collectivity=collectivity, actor=actor, data=consultation_input(**overrides)
    )
    for order, (title_ar, title_fr, body_ar, body_fr) in enumerate(SECTIONS, start=1):
        consultations.section_save(
            consultation=consultation,
            actor=actor,
            order=order,
            title_ar=title_ar,
            title_fr=title_fr,
            body_ar=body_ar,
            body_fr=body_fr,
        )
    return consultation


def sections_of(consultation: Consultation) -> list[Section]:
    found = list(consultation.sections.order_by("order", "pk"))  # type: ignore[attr-defined]
    for section in found:
        section.consultation = consultation
    return found


def people(n: int, prefix: str = "p") -> list[Participant]:
    return [
        make_participant(email=f"{prefix}{i}@example.test", display_name=f"Secret {prefix}{i}")
        for i in range(n)
    ]


@pytest.fixture
def consulted(
    clock: Any,
    focal: User,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    collectivity_c: Collectivity,
) -> dict[str, Consultation]:
    """On NOW: A's consultation `done` (open since yesterday, closing in ten days, pre-
    moderated: one comment approved, one rejected, one pending; two supports and one
    opposition on its first section), A's `later` (opens in 20 days), C's and B's.
    Then 11 days later: `done` is closed, its synthesis published with a response to its
    first section; A's `drafted` (made on NOW, closed since) has a synthesis saved only."""
    done = consult(collectivity_a, focal, moderation=Moderation.PRE)
    drafted = consult(
        collectivity_a,
        focal,
        title_ar="مسودة النظام الداخلي",
        title_fr="Projet de règlement",
        closes_at=NOW + dt.timedelta(days=2),
    )
    later = consult(
        collectivity_a,
        focal,
        title_ar="مسودة لاحقة",
        title_fr="Projet à venir",
        opens_at=NOW + dt.timedelta(days=20),
        closes_at=NOW + dt.timedelta(days=40),
    )
    elsewhere = consult(collectivity_c, focal, title_ar="استشارة ج", title_fr="Consultation C")
    outside = consult(collectivity_b, focal, title_ar="استشارة ب", title_fr="Consultation B")
    first, second = sections_of(done)
    amina, omar, salma = people(3)
    ok = consultations.comment_post(section=first, participant=amina, text="Très bien")
    consultations.comment_moderate(comment=ok, actor=focal, action="approve")
    bad = consultations.comment_post(section=first, participant=omar, text="Pub")
    consultations.comment_moderate(comment=bad, actor=focal, action="reject", reason="spam")
    consultations.comment_post(section=second, participant=salma, text="En attente secrète")
    consultations.stance_set(section=first, participant=amina, value="support")
    consultations.stance_set(section=first, participant=omar, value="support")
    consultations.stance_set(section=first, participant=salma, value="oppose")
    clock.move_to(NOW + dt.timedelta(days=11))
    consultations.synthesis_publish(
        consultation=done,
        actor=focal,
        synthesis_ar="خلاصة الاستشارة",
        synthesis_fr="Synthèse de la consultation",
        responses={first.pk: ("جواب الجماعة", "Réponse de la commune")},
    )
    consultations.synthesis_save(
        consultation=drafted,
        actor=focal,
        synthesis_ar="مسودة خلاصة سرية",
        synthesis_fr="Brouillon secret",
        responses={sections_of(drafted)[0].pk: ("جواب غير منشور", "Réponse non publiée")},
    )
    return {
        "done": Consultation.objects.get(pk=done.pk),
        "drafted": drafted,
        "later": later,
        "elsewhere": elsewhere,
        "outside": outside,
    }


def test_consultations_give_their_dates_state_public_counts_and_synthesis(
    consulted: dict[str, Consultation],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    collectivity_c: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    done, drafted, later = consulted["done"], consulted["drafted"], consulted["later"]
    with django_assert_num_queries(1):
        rows = list(sources.CONSULTATIONS.rows(collectivity_a))
    # Oldest opening first: `done` and `drafted` opened yesterday (in that order), then
    # `later`.
    assert [r["id"] for r in rows] == [done.pk, drafted.pk, later.pk]
    first = rows[0]
    url = f"{SITE}/ar/c/commune-a/consultations/{done.pk}/"
    assert first == {
        "id": done.pk,
        "title_ar": "مسودة خطة عمل الجماعة المنفتحة",
        "title_fr": "Projet de plan d’action de la commune ouverte",
        "kind": "action_plan",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-12",
        "state": "closed",
        "sections": 2,
        "comments": 1,  # the approved one; neither the rejected nor the pending one
        "supports": 2,
        "opposes": 1,
        "synthesis_published": True,
        "synthesis_published_on": "2026-03-13",
        "synthesis_url": url,
        "url": url,
    }
    # A synthesis saved but not published is not public.
    assert rows[1]["synthesis_published"] is False
    assert rows[1]["synthesis_published_on"] is None
    assert rows[1]["synthesis_url"] is None
    assert (rows[1]["state"], rows[2]["state"]) == ("closed", "upcoming")
    assert "secret" not in all_cells(rows).lower()
    assert table_errors(sources.CONSULTATIONS, rows) == []
    # Each collectivity its own; a collectivity outside the network has none.
    assert [r["id"] for r in sources.CONSULTATIONS.rows(collectivity_c)] == [
        consulted["elsewhere"].pk
    ]
    assert list(sources.CONSULTATIONS.rows(collectivity_b)) == []
    assert list(sources.CONSULTATIONS.rows(None)) == []
    assert sorted(sources.CONSULTATIONS.holders()) == sorted([collectivity_a.pk, collectivity_c.pk])
    assert sources.CONSULTATIONS.temporal is not None
    assert sources.CONSULTATIONS.temporal(collectivity_a) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 11),
    )


def test_syntheses_give_the_published_synthesis_and_the_responses_per_section(
    consulted: dict[str, Consultation],
    collectivity_a: Collectivity,
    collectivity_c: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    done = consulted["done"]
    first, second = sections_of(done)
    source = sources.SYNTHESES
    with django_assert_num_queries(2):
        rows = list(source.rows(collectivity_a))
    common = {
        "consultation_id": done.pk,
        "consultation_title_ar": "مسودة خطة عمل الجماعة المنفتحة",
        "consultation_title_fr": "Projet de plan d’action de la commune ouverte",
        "closes_on": "2026-03-12",
        "synthesis_published_on": "2026-03-13",
    }
    page = f"{SITE}/ar/c/commune-a/consultations/{done.pk}/"
    assert rows == [
        {
            **common,
            "part": "synthesis",
            "section_order": None,
            "section_title_ar": None,
            "section_title_fr": None,
            "comments": None,
            "supports": None,
            "opposes": None,
            "text_ar": "خلاصة الاستشارة",
            "text_fr": "Synthèse de la consultation",
            "url": page,
        },
        {
            **common,
            "part": "section",
            "section_order": 1,
            "section_title_ar": SECTIONS[0][0],
            "section_title_fr": SECTIONS[0][1],
            "comments": 1,
            "supports": 2,
            "opposes": 1,
            "text_ar": "جواب الجماعة",
            "text_fr": "Réponse de la commune",
            "url": f"{page}sections/{first.pk}/",
        },
        {
            **common,
            "part": "section",
            "section_order": 2,
            "section_title_ar": SECTIONS[1][0],
            "section_title_fr": SECTIONS[1][1],
            "comments": 0,  # the pending comment is not public
            "supports": 0,
            "opposes": 0,
            "text_ar": "",
            "text_fr": "",
            "url": f"{page}sections/{second.pk}/",
        },
    ]
    # The synthesis saved without publication, and its responses, are never there.
    assert "سرية" not in all_cells(rows) and "non publiée" not in all_cells(rows)
    assert table_errors(source, rows) == []
    assert list(source.holders()) == [collectivity_a.pk]
    assert list(source.rows(collectivity_c)) == []
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (dt.date(2026, 3, 1), dt.date(2026, 3, 12))


# --------------------------------------------------------------------------- surveys

QUESTIONS = [
    QuestionInput(
        kind=Kind.SINGLE,
        text_ar="ما هي الأولوية؟",
        text_fr="Quelle priorité ?",
        order=1,
        options=[("الطرق", "Routes"), ("الإنارة", "Éclairage")],
    ),
    QuestionInput(kind=Kind.SCALE_5, text_ar="ما مدى رضاكم؟", text_fr="Satisfaction ?", order=2),
    QuestionInput(
        kind=Kind.TEXT, text_ar="اقتراحاتكم", text_fr="Suggestions", order=3, is_required=False
    ),
]


def make_survey(
    collectivity: Collectivity, actor: User, *, publish: bool = True, **given: Any
) -> Survey:
    values: dict[str, Any] = {
        "title_ar": "استطلاع الحي",
        "title_fr": "Sondage du quartier",
        "opens_at": NOW - dt.timedelta(days=1),
        "closes_at": NOW + dt.timedelta(days=10),
    }
    values.update(given)
    survey = surveys.survey_save(collectivity=collectivity, actor=actor, data=SurveyInput(**values))
    for question in QUESTIONS:
        surveys.question_save(survey=survey, actor=actor, data=question)
    if publish:
        survey = surveys.survey_publish(survey=survey, actor=actor)
    return survey


def respond(survey: Survey, participant: Participant, option: int, scale: int, text: str) -> None:
    questions = {q.kind: q for q in survey.questions.prefetch_related("options")}
    options = list(questions[Kind.SINGLE].options.order_by("order", "pk"))
    surveys.response_submit(
        survey=survey,
        participant=participant,
        answers={
            questions[Kind.SINGLE].pk: [str(options[option].pk)],
            questions[Kind.SCALE_5].pk: [str(scale)],
            questions[Kind.TEXT].pk: [text] if text else [],
        },
    )


def test_surveys_give_aggregated_results_once_public_never_a_free_text(
    clock: Any,
    focal: User,
    collectivity_a: Collectivity,
    collectivity_c: Collectivity,
) -> None:
    survey = make_survey(collectivity_a, focal)
    running = make_survey(
        collectivity_a, focal, title_fr="En cours", closes_at=NOW + dt.timedelta(days=30)
    )
    shown_while_open = make_survey(
        collectivity_c,
        focal,
        title_fr="Résultats visibles",
        closes_at=NOW + dt.timedelta(days=30),
        show_results_while_open=True,
    )
    make_survey(collectivity_a, focal, publish=False, title_fr="Brouillon")
    for person, option, scale, text in zip(
        people(3), (0, 0, 1), (4, 5, 3), ("رقمي السري 0612", "", "Mon adresse privée"), strict=True
    ):
        respond(survey, person, option, scale, text)
        respond(running, person, option, scale, text)
    source = sources.SURVEYS
    # Open, results not shown while open: nothing of A yet; C shows its open survey.
    assert list(source.rows(collectivity_a)) == []
    assert list(source.holders()) == [collectivity_c.pk]
    assert {r["survey_id"] for r in source.rows(collectivity_c)} == {shown_while_open.pk}

    clock.move_to(NOW + dt.timedelta(days=11))
    rows = list(source.rows(collectivity_a))
    assert {r["survey_id"] for r in rows} == {survey.pk}
    common = {
        "survey_id": survey.pk,
        "survey_title_ar": "استطلاع الحي",
        "survey_title_fr": "Sondage du quartier",
        "opens_on": "2026-03-01",
        "closes_on": "2026-03-12",
        "respondents": 3,
        "url": f"{SITE}/ar/c/commune-a/surveys/{survey.pk}/results/",
    }
    shown = [
        (r["question_number"], r["answer_fr"], r["value"], r["count"], r["percent"], r["answered"])
        for r in rows
    ]
    assert shown == [
        (1, "Routes", None, 2, Decimal("66.7"), 3),
        (1, "Éclairage", None, 1, Decimal("33.3"), 3),
        (2, "1", 1, 0, 0, 3),
        (2, "2", 2, 0, 0, 3),
        (2, "3", 3, 1, Decimal("33.3"), 3),
        (2, "4", 4, 1, Decimal("33.3"), 3),
        (2, "5", 5, 1, Decimal("33.3"), 3),
        (3, None, None, None, None, 2),  # free text: how many answered, nothing else
    ]
    assert {k: rows[0][k] for k in common} == common
    assert rows[0]["answer_ar"] == "الطرق" and rows[0]["question_kind"] == "single"
    assert [r["mean"] for r in rows[2:7]] == [4] * 5  # (4 + 5 + 3) / 3
    cells = all_cells(rows)
    assert "0612" not in cells and "privée" not in cells and "Secret" not in cells
    assert table_errors(source, rows) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, collectivity_c.pk])
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (dt.date(2026, 3, 1), dt.date(2026, 3, 12))


# --------------------------------------------------------------------------- labs


def planted_votes(lab: Lab, statements: list[Statement], voters: list[Participant]) -> None:
    """Two camps: the first half agrees with even statements and disagrees with odd ones,
    the second half the reverse; everyone agrees with the last statement."""
    half = len(voters) // 2
    for n, who in enumerate(voters):
        camp = 1 if n < half else -1
        for i, statement in enumerate(statements):
            value = 1 if i == len(statements) - 1 else (camp if i % 2 == 0 else -camp)
            labs.vote_cast(lab=lab, participant=who, statement_id=statement.pk, value=value)


@pytest.fixture
def lab_world(
    focal: User, collectivity_a: Collectivity, collectivity_c: Collectivity
) -> dict[str, Any]:
    """A's open lab with ten seeded statements, twelve voters in two camps, a pending
    participant's statement, and its report computed; A's lab opening next week; C's."""
    lab = labs.lab_create(collectivity=collectivity_a, actor=focal, data=lab_input(), seed=42)
    statements = labs.statements_seed(lab=lab, actor=focal, texts=STATEMENT_TEXTS)
    voters = people(12, "voter")
    planted_votes(lab, statements, voters)
    pending = labs.statement_submit(lab=lab, participant=voters[0], text="مقترح ينتظر المراجعة")
    report = reports.lab_report_compute(lab_id=lab.pk, force=True).report
    now = timezone.now()
    upcoming = labs.lab_create(
        collectivity=collectivity_a,
        actor=focal,
        data=lab_input(
            question_ar="سؤال لاحق",
            opens_at=now + dt.timedelta(days=7),
            closes_at=now + dt.timedelta(days=17),
        ),
    )
    labs.statements_seed(lab=upcoming, actor=focal, texts=["مقترح لم يفتح بعد"])
    other = labs.lab_create(collectivity=collectivity_c, actor=focal, data=lab_input())
    labs.statements_seed(lab=other, actor=focal, texts=["مقترح ج"])
    return {
        "lab": lab,
        "statements": statements,
        "pending": pending,
        "report": report,
        "upcoming": upcoming,
        "other": other,
    }


def test_lab_votes_give_each_approved_statement_its_counts(
    lab_world: dict[str, Any],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    collectivity_c: Collectivity,
    django_assert_num_queries: Any,
) -> None:
    lab, statements = lab_world["lab"], lab_world["statements"]
    source = sources.LAB_VOTES
    with django_assert_num_queries(2):
        rows = list(source.rows(collectivity_a))
    # The upcoming lab and the pending statement are not there.
    assert [r["statement_id"] for r in rows] == [s.pk for s in statements]
    assert {r["lab_id"] for r in rows} == {lab.pk}
    today = timezone.localdate()
    assert rows[0] == {
        "lab_id": lab.pk,
        "question_ar": "كيف نحسّن خدمات الجماعة؟",
        "question_fr": "Comment améliorer les services de la commune ?",
        "opens_on": (today - dt.timedelta(days=1)).isoformat(),
        "closes_on": (today + dt.timedelta(days=10)).isoformat(),
        "statement_id": statements[0].pk,
        "statement": STATEMENT_TEXTS[0],
        "agree": 6,
        "disagree": 6,
        "pass": 0,
        "votes": 12,
        "url": f"{SITE}/ar/c/commune-a/labs/{lab.pk}/",
    }
    assert (rows[-1]["agree"], rows[-1]["disagree"]) == (12, 0)
    cells = all_cells(rows)
    assert "ينتظر المراجعة" not in cells and "لم يفتح" not in cells and "Secret" not in cells
    assert table_errors(source, rows) == []
    assert sorted(source.holders()) == sorted([collectivity_a.pk, collectivity_c.pk])
    assert [r["statement"] for r in source.rows(collectivity_c)] == ["مقترح ج"]
    assert list(source.rows(collectivity_b)) == []
    assert source.temporal is not None
    assert source.temporal(collectivity_a) == (
        today - dt.timedelta(days=1),
        today + dt.timedelta(days=10),
    )


def test_lab_reports_give_the_groups_and_consensus_of_the_latest_report(
    lab_world: dict[str, Any], collectivity_a: Collectivity, collectivity_c: Collectivity
) -> None:
    lab, statements, report = lab_world["lab"], lab_world["statements"], lab_world["report"]
    source = sources.LAB_REPORTS
    rows = list(source.rows(collectivity_a))
    view = reports.report_view(lab=lab, report=report)
    # The report's page, line for line: each group's statements, then the consensus.
    expected = [
        ("representative", g.letter, g.size, line.statement_id)
        for g in view.groups
        for line in g.representative
    ] + [("consensus", None, None, line.statement_id) for line in view.consensus]
    assert [(r["kind"], r["group"], r["group_size"], r["statement_id"]) for r in rows] == expected
    assert sorted(g.size for g in view.groups) == [6, 6]
    assert len(view.groups) == 2
    # Everyone agrees with the last statement: a consensus.
    assert statements[-1].pk in [r["statement_id"] for r in rows if r["kind"] == "consensus"]
    assert {r["voters"] for r in rows} == {12}
    assert {r["url"] for r in rows} == {f"{SITE}/ar/c/commune-a/labs/{lab.pk}/report/"}
    assert {r["computed_on"] for r in rows} == {timezone.localdate().isoformat()}
    assert table_errors(source, rows) == []
    # C's lab has no report: no row, not a holder.
    assert list(source.rows(collectivity_c)) == []
    assert list(source.holders()) == [collectivity_a.pk]


def test_a_lab_report_that_lost_its_statement_to_moderation_leaves_it_out(
    lab_world: dict[str, Any], focal: User, collectivity_a: Collectivity
) -> None:
    """The page reads the persisted report with the approved statements' texts; a
    statement rejected since is not shown."""
    statements = lab_world["statements"]
    consensus = statements[-1]
    Statement.objects.filter(pk=consensus.pk).update(status="rejected")
    rows = list(sources.LAB_REPORTS.rows(collectivity_a))
    assert consensus.pk not in [r["statement_id"] for r in rows]
    assert consensus.pk not in [r["statement_id"] for r in sources.LAB_VOTES.rows(collectivity_a)]
