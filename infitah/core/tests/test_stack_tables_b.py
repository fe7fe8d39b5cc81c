"""The data tables of the network, participation and petitions pages stack on a phone
(issue 21): each is a `table.stack` whose every body cell (`<td>`, `<th scope="row">`)
carries the header of its column as `data-label`, so that the stylesheet can show it
beside the value once the columns collapse into cards. The pages are rendered with data
through the apps' services; the check reads the HTML structure only (no translated text
is asserted), and also that every progress bar has the design class and a name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from infitah.accounts.models import Membership, Role, User
from infitah.network import event_services, membership_services
from infitah.network.models import AttendeeRole, Charter, Event, EventKind
from infitah.network.tests import test_membership_world as world
from infitah.network.tests.test_events_support import make_event, register
from infitah.network.tests.test_practices_services import practice_make
from infitah.participation.consultations import services as consultations
from infitah.participation.consultations.models import Consultation, Section
from infitah.participation.consultations.tests.conftest import SECTIONS, consultation_input
from infitah.participation.labs import reports
from infitah.participation.labs import services as labs
from infitah.participation.labs.models import Lab
from infitah.participation.labs.tests.conftest import STATEMENT_TEXTS, lab_input
from infitah.participation.labs.tests.test_reports import planted_votes
from infitah.participation.models import Audience, Gender
from infitah.participation.surveys import services as surveys
from infitah.participation.surveys.models import Survey
from infitah.participation.surveys.tests.conftest import QUESTIONS
from infitah.participation.testing import make_participant
from infitah.petitions import services as petitions
from infitah.petitions import signatures
from infitah.petitions.models import Petition, PetitionSettings
from infitah.petitions.selectors import counts_forget
from infitah.petitions.tests.conftest import (
    petition_input,
    signature_input,
    token_from_last_email,
)
from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- the check


@dataclass
class Table:
    ident: str
    classes: set[str]
    headers: list[str] = field(default_factory=list)
    # (tag, scope, data-label or None) of every cell of the body
    cells: list[tuple[str, str | None, str | None]] = field(default_factory=list)


@dataclass
class Progress:
    classes: set[str]
    name: str | None


class _Reader(HTMLParser):
    """The tables of a page: their classes, the text of their column headers and the
    `data-label` of their body cells; and the page's progress bars."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.progress: list[Progress] = []
        self._open: list[Table] = []
        self._section = ""
        self._header: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        classes = set((given.get("class") or "").split())
        if tag == "table":
            self._open.append(Table(ident=given.get("id") or "", classes=classes))
            self.tables.append(self._open[-1])
        elif tag in ("thead", "tbody", "tfoot") and self._open:
            self._section = tag
        elif tag == "th" and self._open and self._section == "thead":
            self._header = []
        elif tag in ("td", "th") and self._open and self._section == "tbody":
            self._open[-1].cells.append((tag, given.get("scope"), given.get("data-label")))
        elif tag == "progress":
            name = given.get("aria-label") or given.get("aria-labelledby")
            self.progress.append(Progress(classes=classes, name=name))

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._header is not None and self._open:
            self._open[-1].headers.append(" ".join("".join(self._header).split()))
            self._header = None
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = ""
        elif tag == "table" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._header is not None:
            self._header.append(data)


def stacked(response: Any, *, tables: int, status: int = 200) -> list[Table]:
    """Check the page and return its tables: `tables` of them hold rows; every table is a
    `table.stack` whose body cells each carry one of its column headers as `data-label`
    (a row header being `scope="row"`); every progress bar has the `progress` class and
    an accessible name."""
    assert response.status_code == status, response.status_code
    reader = _Reader()
    reader.feed(response.content.decode())
    reader.close()
    assert reader.tables, "no table on the page"
    for table in reader.tables:
        assert "stack" in table.classes, table
        assert table.headers and all(table.headers), table
        for tag, scope, label in table.cells:
            assert label is not None, (tag, table.headers)
            assert label in table.headers, (label, table.headers)
            if tag == "th":
                assert scope == "row", (label, scope)
    assert sum(1 for t in reader.tables if t.cells) == tables, [t.headers for t in reader.tables]
    for bar in reader.progress:
        assert "progress" in bar.classes and bar.name, bar
    return reader.tables


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff(email: str, collectivity: Collectivity, role: str) -> User:
    user = User.objects.create_user(email=email, password="test-password-123")
    Membership.objects.create(user=user, collectivity=collectivity, role=role)
    return user


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    return world.media_use(settings, tmp_path)


# --------------------------------------------------------------------------- network


@pytest.fixture
def charter(db: None) -> Charter:
    return world.charter_create()


@pytest.fixture
def accepted(
    collectivity_b: Collectivity, network_admin: User, charter: Charter, media: Path
) -> Collectivity:
    """Commune B, a member since its application was accepted (A is one by its flag)."""
    application = world.submit(collectivity_b, charter)
    membership_services.application_accept(actor=network_admin, application=application)
    return collectivity_b


def test_the_members_page(accepted: Collectivity, collectivity_a: Collectivity) -> None:
    # By region, the composition over time, the list of members.
    tables = stacked(Client().get("/fr/network/members/"), tables=3)
    assert len(tables[-1].cells) == 2 * 4


def test_the_office_pages_of_applications_and_of_a_member(
    accepted: Collectivity, collectivity_c: Collectivity, charter: Charter, network_admin: User
) -> None:
    world.submit(collectivity_c, charter)  # pending
    client = _as(network_admin)
    tables = stacked(client.get("/ar/network/office/applications/"), tables=1)
    assert len(tables[0].cells) == 2 * 4
    stacked(client.get(f"/ar/network/office/members/{accepted.slug}/"), tables=1)


@pytest.fixture
def collectivity_c(prefecture: Collectivity) -> Collectivity:
    """A commune that is not a member of the network."""
    return Collectivity.objects.create(
        kind="commune",
        slug="commune-c",
        name_ar="الدشيرة",
        name_fr="Dcheira",
        parent=prefecture,
        region=prefecture.region,
    )


@pytest.fixture
def attended_event(collectivity_a: Collectivity, network_admin: User) -> Event:
    """A published training with a capacity, six registered, three of them present."""
    event = make_event(kind=EventKind.TRAINING, capacity=10)
    came = register(event, 3, collectivity=collectivity_a, role=AttendeeRole.FOCAL_POINT)
    stayed = register(event, 2, collectivity=collectivity_a, prefix="q")
    register(event, 1, role=AttendeeRole.PARTNER, prefix="r")
    event_services.attendance_mark(
        event=event,
        actor=network_admin,
        shown={r.pk for r in came + stayed},
        attended={r.pk for r in came},
    )
    return event


def test_the_event_pages(attended_event: Event, network_admin: User) -> None:
    office = _as(network_admin)
    base = "/fr/network/events/office/"
    stacked(office.get(base), tables=1)
    tables = stacked(office.get(f"{base}{attended_event.pk}/registrations/"), tables=1)
    assert len(tables[0].cells) == 6 * 6
    # By capacity, by region, by collectivity.
    stacked(office.get(f"{base}{attended_event.pk}/report/"), tables=3)
    # The public page: participants by capacity and by region, once attendance is marked.
    stacked(Client().get(f"/ar/network/events/{attended_event.pk}/"), tables=2)


def test_the_staff_list_of_shared_practices(
    collectivity_a: Collectivity, staff_for: Callable[[str], User]
) -> None:
    focal = staff_for(Role.FOCAL_POINT)
    practice_make(collectivity_a, focal, publish=True)
    practice_make(collectivity_a, focal, title_fr="Un brouillon", title_ar="مسودة")
    tables = stacked(_as(focal).get("/fr/staff/commune-a/practices/"), tables=1)
    assert len(tables[0].cells) == 2 * 4


# --------------------------------------------------------------------------- participation

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZoneInfo("Africa/Casablanca"))


@pytest.fixture
def focal(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.FOCAL_POINT)


@pytest.fixture
def consultation(collectivity_a: Collectivity, focal: User) -> Iterator[Consultation]:
    """A consultation of A with two sections, a comment and a stance of two residents."""
    with time_machine.travel(NOW, tick=True):
        c = consultations.consultation_create(
            collectivity=collectivity_a, actor=focal, data=consultation_input()
        )
        for i, (title_ar, title_fr, body_ar, body_fr) in enumerate(SECTIONS, start=1):
            consultations.section_save(
                consultation=c,
                actor=focal,
                order=i,
                title_ar=title_ar,
                title_fr=title_fr,
                body_ar=body_ar,
                body_fr=body_fr,
            )
        section = Section.objects.filter(consultation=c).order_by("order").first()
        assert section is not None
        amina = make_participant(
            email="amina@example.test", commune=collectivity_a, gender=Gender.FEMALE
        )
        karim = make_participant(email="karim@example.test", gender=Gender.MALE)
        consultations.comment_post(section=section, participant=amina, text="Très bien.")
        consultations.stance_set(section=section, participant=karim, value="support")
        yield c


def test_the_staff_pages_of_consultations(consultation: Consultation, focal: User) -> None:
    client = _as(focal)
    stacked(client.get("/fr/staff/commune-a/consultations/"), tables=1)
    # By section, by declared commune, by declared gender.
    tables = stacked(
        client.get(f"/ar/staff/commune-a/consultations/{consultation.pk}/report/"), tables=3
    )
    assert len(tables[0].cells) == 3 * 6


@pytest.fixture
def answered(collectivity_a: Collectivity, focal: User) -> Survey:
    """A survey of A with one question of each kind, answered by two residents."""
    now = timezone.now()
    survey = surveys.survey_save(
        collectivity=collectivity_a,
        actor=focal,
        data=surveys.SurveyInput(
            title_ar="استطلاع الحي",
            title_fr="Sondage du quartier",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=10),
            show_results_while_open=True,
        ),
    )
    for data in QUESTIONS:
        surveys.question_save(survey=survey, actor=focal, data=data)
    survey = surveys.survey_publish(survey=survey, actor=focal)
    for n in range(2):
        person = make_participant(email=f"resident{n}@example.test", commune=collectivity_a)
        answers: dict[int, list[str]] = {}
        for question in survey.questions.prefetch_related("options"):
            options = list(question.options.all())
            if options:
                answers[question.pk] = [str(options[n % len(options)].pk)]
            elif question.kind != "text":
                answers[question.pk] = ["3"]
        surveys.response_submit(survey=survey, participant=person, answers=answers)
    return survey


def test_the_survey_pages(answered: Survey, focal: User) -> None:
    client = _as(focal)
    stacked(client.get("/fr/staff/commune-a/surveys/"), tables=1)
    # One table per question with options or a scale (the free text has none).
    stacked(client.get(f"/fr/staff/commune-a/surveys/{answered.pk}/results/"), tables=4)
    stacked(Client().get(f"/ar/c/commune-a/surveys/{answered.pk}/results/"), tables=4)


@pytest.fixture
def voted(collectivity_a: Collectivity, focal: User) -> Lab:
    """An open lab of A, twelve voters in two camps, its report computed."""
    lab = labs.lab_create(collectivity=collectivity_a, actor=focal, data=lab_input(), seed=42)
    statements = labs.statements_seed(lab=lab, actor=focal, texts=STATEMENT_TEXTS)
    people = [make_participant(email=f"voter{i}@example.test") for i in range(12)]
    planted_votes(lab, statements, people)
    assert reports.lab_report_compute(lab_id=lab.pk).report is not None
    return lab


def test_the_lab_pages(voted: Lab, focal: User) -> None:
    client = _as(focal)
    stacked(client.get("/fr/staff/commune-a/labs/"), tables=1)
    tables = stacked(client.get(f"/fr/staff/commune-a/labs/{voted.pk}/"), tables=1)
    assert len(tables[0].cells) == len(STATEMENT_TEXTS) * 6
    # The groups: one row each, its letter a row header.
    tables = stacked(Client().get(f"/ar/c/commune-a/labs/{voted.pk}/report/"), tables=1)
    assert [c[0] for c in tables[0].cells] == ["th", "td", "td"] * 2


def test_the_breakdown_of_a_network_survey(
    collectivity_a: Collectivity, collectivity_b: Collectivity, network_admin: User
) -> None:
    space = network_space()
    now = timezone.now()
    survey = surveys.survey_save(
        collectivity=space,
        actor=network_admin,
        data=surveys.SurveyInput(
            title_ar="أولويات الانفتاح",
            title_fr="Priorités d'ouverture",
            opens_at=now - dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=10),
            show_results_while_open=True,
            audience=Audience.NETWORK_CITIZENS,
        ),
    )
    surveys.question_save(survey=survey, actor=network_admin, data=QUESTIONS[0])
    survey = surveys.survey_publish(survey=survey, actor=network_admin)
    question = survey.questions.get()
    option = question.options.order_by("order", "pk").first()
    assert option is not None
    for n, commune in enumerate([collectivity_a, collectivity_b, None]):
        person = make_participant(email=f"citizen{n}@example.test", commune=commune)
        surveys.response_submit(
            survey=survey, participant=person, answers={question.pk: [str(option.pk)]}
        )
    # By region, by kind of collectivity, the answers to the question.
    tables = stacked(Client().get(f"/fr/c/{space.slug}/surveys/{survey.pk}/results/"), tables=3)
    assert [t.ident for t in tables[:2]] == ["breakdown-region", "breakdown-kind"]


# --------------------------------------------------------------------------- petitions


def _sign(petition: Petition, numbers: range, residence: str) -> None:
    for number in numbers:
        sig = signatures.signature_submit(
            petition=petition,
            data=signature_input(number, residence=residence),
            ip=f"10.0.0.{number % 250}",
            language="fr",
        )
        assert signatures.signature_confirm(token=token_from_last_email(sig.email))
    counts_forget(petition.pk)


@pytest.fixture
def bureau_a(collectivity_a: Collectivity) -> User:
    PetitionSettings.objects.create(
        collectivity=collectivity_a, threshold_override=2, threshold_basis="test council page"
    )
    return _staff("bureau-a@example.test", collectivity_a, Role.PETITIONS_BUREAU)


@pytest.fixture
def signed(bureau_a: User, collectivity_a: Collectivity) -> Petition:
    """A petition of A collecting signatures, three of them confirmed, one pending."""
    petition, _token = petitions.petition_draft(
        collectivity=collectivity_a, data=petition_input(), language="fr"
    )
    petition = petitions.petition_confirm_agent(petition=petition)
    _sign(petition, range(1, 4), "commune-a")
    signatures.signature_submit(
        petition=petition, data=signature_input(9), ip="10.0.1.9", language="fr"
    )
    return petition


def test_the_staff_pages_of_petitions(signed: Petition, bureau_a: User) -> None:
    client = _as(bureau_a)
    base = "/fr/staff/commune-a/petitions/"
    stacked(client.get(f"{base}?state=all"), tables=1)
    tables = stacked(client.get(f"{base}{signed.pk}/signatures/?status=all"), tables=1)
    assert len(tables[0].cells) >= 3 * 8
    # Per hour, e-mail domain, IP address, commune and channel (no invalidation yet).
    stacked(client.get(f"{base}{signed.pk}/integrity/"), tables=5)
    bad = "full_name;cin;residence;interest;electoral_declaration\n;XX;nowhere;;non\n"
    upload = SimpleUploadedFile("list.csv", bad.encode(), content_type="text/csv")
    response = client.post(f"{base}{signed.pk}/signatures/import/", {"file": upload})
    tables = stacked(response, tables=1, status=400)
    assert [c[2] for c in tables[0].cells[:3]] == tables[0].headers


def test_the_progress_by_province_of_a_region_petition(
    region: Collectivity, collectivity_a: Collectivity
) -> None:
    Collectivity.objects.filter(pk=region.pk).update(is_network_member=True)
    petition, _token = petitions.petition_draft(
        collectivity=region, data=petition_input(), language="fr"
    )
    petition = petitions.petition_confirm_agent(petition=petition)
    _sign(petition, range(1, 3), collectivity_a.slug)
    tables = stacked(Client().get(f"/fr/c/{region.slug}/petitions/{petition.pk}/"), tables=1)
    assert [c[0] for c in tables[0].cells] == ["th", "td", "td", "td"]
    bureau = _staff("bureau-r@example.test", region, Role.PETITIONS_BUREAU)
    stacked(_as(bureau).get(f"/ar/staff/{region.slug}/petitions/{petition.pk}/"), tables=1)


def test_the_check_sees_a_cell_without_its_label() -> None:
    """The check itself: a cell without `data-label`, or with a label that is not a
    header of its table, or a table that does not stack, is caught."""

    class Page:
        status_code = 200

        def __init__(self, html: str) -> None:
            self.content = html.encode()

    head = "<thead><tr><th scope='col'>A</th><th scope='col'>B &amp; C</th></tr></thead>"
    good = f"<table class='stack'>{head}<tbody><tr><th scope='row' data-label='A'>1</th><td data-label='B &amp; C'>2</td></tr></tbody></table>"
    assert stacked(Page(good), tables=1)[0].headers == ["A", "B & C"]
    for bad in (
        good.replace(" data-label='B &amp; C'", ""),
        good.replace("data-label='A'", "data-label='Z'"),
        good.replace("class='stack'", "class='wide'"),
        good.replace(" scope='row'", ""),
        good + "<progress max='3' value='1'></progress>",
    ):
        with pytest.raises(AssertionError):
            stacked(Page(bad), tables=1)
