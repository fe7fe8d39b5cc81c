"""The network home and a collectivity's dashboard (territories.highlights): what they
show, what they never show, their figures, their cache and their query counts."""

from __future__ import annotations

import datetime as dt
import re
from itertools import count

import pytest

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from infitah.complaints.highlights import complaint_figures
from infitah.complaints.models import Complaint
from infitah.deadlines.tests.factories import deadline_make
from infitah.information.highlights import information_figures
from infitah.information.models import InformationRequest
from infitah.lib.pagecache import bump
from infitah.participation.consultations.models import Consultation
from infitah.participation.labs.models import Lab
from infitah.participation.surveys.models import Survey
from infitah.petitions.models import Petition, Tally
from infitah.publication.highlights import publication_figures
from infitah.publication.models import Category, Document
from infitah.territories.hcp import hcp_load
from infitah.territories.highlights import board_compute
from infitah.territories.models import Collectivity, Kind
from infitah.territories.services import network_space

_serial = count(1)


# --- A small world of public and non-public things --------------------------------------


def _category() -> Category:
    category, _ = Category.objects.get_or_create(
        code="t.homes",
        defaults={"name_ar": "بلاغات", "name_fr": "Communiqués", "applies_to": ["commune"]},
    )
    return category


def document(collectivity: Collectivity, title: str, *, status: str = "published") -> Document:
    n = next(_serial)
    return Document.objects.create(
        collectivity=collectivity,
        category=_category(),
        title_fr=title,
        title_ar=title,
        date=timezone.localdate(),
        language="fr",
        file=f"documents/t/{n}.pdf",
        original_name=f"{n}.pdf",
        file_type="pdf",
        size=10,
        sha256=f"{n:064d}",
        status=status,
        published_at=timezone.now(),
    )


def _window(open_now: bool) -> dict[str, dt.datetime]:
    now = timezone.now()
    if open_now:
        return {"opens_at": now - dt.timedelta(days=2), "closes_at": now + dt.timedelta(days=9)}
    return {"opens_at": now - dt.timedelta(days=20), "closes_at": now - dt.timedelta(days=1)}


def consultation(collectivity: Collectivity, title: str, *, open_now: bool = True) -> Consultation:
    return Consultation.objects.create(
        collectivity=collectivity, title_fr=title, title_ar=title, **_window(open_now)
    )


def survey(collectivity: Collectivity, title: str, *, status: str = "published") -> Survey:
    return Survey.objects.create(
        collectivity=collectivity, title_fr=title, title_ar=title, status=status, **_window(True)
    )


def lab(collectivity: Collectivity, question: str) -> Lab:
    return Lab.objects.create(
        collectivity=collectivity, question_ar=question, question_fr=question, **_window(True)
    )


def petition(
    collectivity: Collectivity, title: str, *, status: str = "collecting", signatures: int = 0
) -> Petition:
    found = Petition.objects.create(
        collectivity=collectivity,
        status=status,
        petitioner_kind="citizens",
        title=title,
        text="Texte",
        request="Demande",
        agent_name="Agent Secret",
        agent_email="agent.secret@example.test",
        manage_digest=f"{next(_serial):064d}",
        collecting_since=timezone.now() if status == "collecting" else None,
    )
    if signatures:
        Tally.objects.create(
            petition=found, province=collectivity.parent or collectivity, shard=0, count=signatures
        )
    return found


def information_request(
    collectivity: Collectivity,
    *,
    received_days_ago: int | None = 5,
    answered: bool = False,
    late: bool = False,
    days: int | None = None,
    due_in: int | None = None,
    status: str = "in_progress",
) -> InformationRequest:
    n = next(_serial)
    today = timezone.localdate()
    deadline = None
    if due_in is not None:
        deadline = deadline_make(
            collectivity=collectivity,
            start=today - dt.timedelta(days=30),
            due=today + dt.timedelta(days=due_in),
            subject_id=str(n),
        )
    return InformationRequest.objects.create(
        collectivity=collectivity,
        reference=f"ATI-T-{n}",
        year=today.year,
        number=n,
        status="answered" if answered else status,
        requester_type="citizen",
        first_name="Requester",
        last_name="Private",
        id_type="cin",
        id_number_encrypted="x",
        id_number_hash=f"h{n}",
        id_number_masked="•••1",
        address="Adresse",
        email=f"requester{n}@example.test",
        subject=f"Sujet {n}",
        description="Description",
        delivery="email",
        tracking_digest=f"{n:064d}",
        tracking_token_encrypted="x",
        received_on=None
        if received_days_ago is None
        else today - dt.timedelta(days=received_days_ago),
        answered_on=today if answered else None,
        is_answered_late=late,
        answer_working_days=days,
        answer_deadline=deadline,
    )


def complaint(
    collectivity: Collectivity,
    *,
    answered: bool = False,
    late: bool = False,
    days: int | None = None,
    due_in: int | None = None,
) -> Complaint:
    n = next(_serial)
    today = timezone.localdate()
    deadline = None
    if due_in is not None:
        deadline = deadline_make(
            collectivity=collectivity,
            limit_code="complaint.answer",
            start=today - dt.timedelta(days=70),
            due=today + dt.timedelta(days=due_in),
            subject_id=f"c{n}",
        )
    return Complaint.objects.create(
        collectivity=collectivity,
        reference=f"CMP-T-{n}",
        year=today.year,
        number=n,
        kind="complaint",
        status="answered" if answered else "received",
        description="Le nom d'un voisin",
        name="Plaignant Privé",
        email=f"plaignant{n}@example.test",
        tracking_digest=f"{n:064d}",
        tracking_token_encrypted="x",
        received_on=today - dt.timedelta(days=10),
        answered_on=today if answered else None,
        is_answered_late=late,
        answer_days=days,
        answer_deadline=deadline,
    )


def _html(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _dashboard(html: str) -> str:
    """The dashboard section of a collectivity's home."""
    match = re.search(
        r'<section class="dashboard".*?(?=<section aria-labelledby="services-title"|<section aria-labelledby="children-title"|</main>)',
        html,
        re.S,
    )
    assert match, "no dashboard"
    return match.group(0)


@pytest.fixture
def world(collectivity_a: Collectivity, collectivity_b: Collectivity) -> dict[str, object]:
    """Public things of A (a member), things the public must not see, B's things (not a
    member) and the network space's."""
    space = network_space()
    return {
        "doc": document(collectivity_a, "Budget public de A"),
        "withdrawn": document(collectivity_a, "Document retiré de A", status="withdrawn"),
        "consultation": consultation(collectivity_a, "Consultation ouverte de A"),
        "closed": consultation(collectivity_a, "Consultation close de A", open_now=False),
        "survey": survey(collectivity_a, "Enquête ouverte de A"),
        "draft_survey": survey(collectivity_a, "Enquête brouillon de A", status="draft"),
        "lab": lab(collectivity_a, "Labo ouvert de A"),
        "petition": petition(collectivity_a, "Pétition de A en collecte", signatures=37),
        "draft_petition": petition(collectivity_a, "Pétition brouillon de A", status="draft"),
        "b_doc": document(collectivity_b, "Document de B"),
        "b_survey": survey(collectivity_b, "Enquête de B"),
        # B is not a member: its consultation has no public page, its petition neither.
        "b_consultation": consultation(collectivity_b, "Consultation de B non publique"),
        "b_petition": petition(collectivity_b, "Pétition de B non membre"),
        "network_consultation": consultation(space, "Consultation du réseau"),
        "network_survey": survey(space, "Enquête du réseau"),
    }


PUBLIC_OF_A = ["Budget public de A", "Consultation ouverte de A", "Enquête ouverte de A",
               "Labo ouvert de A", "Pétition de A en collecte"]  # fmt: skip
NEVER_SHOWN = ["Document retiré de A", "Consultation close de A", "Enquête brouillon de A",
               "Pétition brouillon de A", "Consultation de B non publique",
               "Pétition de B non membre", "Agent Secret"]  # fmt: skip


# --- What the pages show -------------------------------------------------------------------


def test_the_network_home_shows_what_is_public_and_open(world) -> None:
    html = _html("/fr/")

    for title in [*PUBLIC_OF_A, "Document de B", "Enquête de B", "Consultation du réseau"]:
        assert title in html, title
    for title in NEVER_SHOWN:
        assert title not in html, title
    # The petition's progress toward the commune's threshold (200: population ≥ 35,000).
    assert '<progress class="progress" max="200" value="37"' in html
    # Each item links to its own page, with its collectivity.
    assert f'href="/fr/c/commune-a/consultations/{world["consultation"].pk}/"' in html
    assert f'href="/fr/c/commune-a/documents/{world["doc"].pk}/"' in html
    assert f'href="/fr/c/commune-a/petitions/{world["petition"].pk}/"' in html
    # The network's own item is the network's: under its name, linking to its page.
    network_row = re.search(r"Consultation du réseau.*?</li>", html, re.S)
    assert network_row and "Réseau marocain des collectivités territoriales ouvertes" in (
        network_row.group(0)
    )
    assert 'href="/fr/network/participation/"' in network_row.group(0)


def test_the_network_home_figures(world) -> None:
    html = _html("/fr/")
    stats = re.search(r'<ul class="stats">(.*?)</ul>', html, re.S)
    assert stats
    tiles = re.findall(r'<strong class="num">([^<]*)</strong>', stats.group(1))
    # Members (A), documents published (A's and B's), open participation: A's consultation,
    # survey and lab, B's survey, the network's consultation and survey.
    assert tiles == ["1", "2", "6"]


def test_a_collectivity_dashboard_shows_its_own_public_things_only(world) -> None:
    board = _dashboard(_html("/fr/c/commune-a/"))

    for title in PUBLIC_OF_A:
        assert title in board, title
    for title in [*NEVER_SHOWN, "Document de B", "Enquête de B", "Consultation du réseau",
                  "Enquête du réseau"]:  # fmt: skip
        assert title not in board, title


def test_another_collectivity_sees_none_of_a(world) -> None:
    board = _dashboard(_html("/fr/c/commune-b/"))

    assert "Document de B" in board and "Enquête de B" in board
    for title in [*PUBLIC_OF_A, "Consultation de B non publique", "Consultation du réseau"]:
        assert title not in board, title


def test_the_network_space_is_no_collectivity(world) -> None:
    space = network_space()
    board = board_compute(space)
    titles = [i.title for s in board.sections.values() for i in s.items]
    assert sorted(titles) == ["Consultation du réseau", "Enquête du réseau"]
    a_titles = [i.title for s in board_compute(world["doc"].collectivity).sections.values()
                for i in s.items]  # fmt: skip
    assert "Consultation du réseau" not in a_titles


def test_a_collectivity_with_nothing_says_so_instead_of_zeros(
    collectivity_a, collectivity_b
) -> None:
    board = _dashboard(_html("/fr/c/commune-b/"))

    assert board.count('class="empty"') == 1
    assert 'class="stats"' not in board
    with translation.override("fr"):
        not_member = gettext("It is not a member of the open collectivities network.")
    assert not_member in board
    assert not_member not in _dashboard(_html("/fr/c/commune-a/"))


def test_a_member_with_nothing_shows_each_domain_empty(collectivity_a) -> None:
    board = _dashboard(_html("/fr/c/commune-a/"))

    # One group of figures (the compliance score: a member has obligations), the other
    # domains and lists each with its empty state.
    assert board.count('class="stats"') == 1
    assert board.count('class="empty"') == 4


# --- Figures -------------------------------------------------------------------------------


def test_information_figures_count_in_the_window_and_against_the_time_limit(
    collectivity_a, collectivity_b
) -> None:
    information_request(collectivity_a, answered=True, days=3)
    information_request(collectivity_a, answered=True, late=True, days=25)
    information_request(collectivity_a, due_in=-1)  # past due, no answer: late
    information_request(collectivity_a, due_in=+5)  # still within its time limit
    information_request(collectivity_a, status="internal_complaint", due_in=None)
    InformationRequest.objects.filter(status="internal_complaint").update(
        deemed_refused_on=timezone.localdate() - dt.timedelta(days=3)
    )
    information_request(collectivity_a, received_days_ago=None, status="awaiting_confirmation")
    information_request(collectivity_a, received_days_ago=400, answered=True, days=1)
    information_request(collectivity_b, answered=True, days=2)

    t = information_figures(collectivity_a, timezone.localdate()).timeliness
    assert t is not None
    assert (t.received, t.answered, t.on_time, t.late) == (5, 2, 1, 3)
    assert (t.on_time_percent, t.median_days, t.working_days) == (25, 14, True)
    network = information_figures(None, timezone.localdate()).timeliness
    assert network is not None and (network.received, network.on_time) == (6, 2)

    board = _dashboard(_html("/fr/c/commune-a/"))
    assert ">25%<" not in board and "25\u202f%" in board
    assert "14" in board
    assert "Private" not in board and "requester" not in board


def test_complaint_figures(collectivity_a) -> None:
    complaint(collectivity_a, answered=True, days=20)
    complaint(collectivity_a, answered=True, days=30)
    complaint(collectivity_a, answered=True, late=True, days=70)
    complaint(collectivity_a, due_in=-2)
    complaint(collectivity_a, due_in=10)

    t = complaint_figures(collectivity_a, timezone.localdate()).timeliness
    assert t is not None
    assert (t.received, t.answered, t.on_time, t.late, t.median_days) == (5, 3, 2, 2, 30)
    assert (t.on_time_percent, t.working_days) == (50, False)
    html = _html("/fr/")
    assert "Plaignant" not in html and "voisin" not in html


def test_publication_figures(collectivity_a, collectivity_b) -> None:
    document(collectivity_a, "Un")
    document(collectivity_a, "Deux")
    document(collectivity_a, "Vieux", status="superseded")
    document(collectivity_b, "Trois")

    group = publication_figures(collectivity_a, timezone.localdate())
    assert [f.value for f in group.figures][:1] == ["2"]
    assert group.figures[0].date == timezone.localdate()
    # A member has obligations: its compliance score is shown with the count behind it.
    assert any("%" in f.value for f in group.figures)
    network = publication_figures(None, timezone.localdate())
    assert [f.value for f in network.figures] == ["3", "2"]
    assert network.headline is not None and network.headline.value == "3"
    # B, not a member, publishing: its documents; nothing published: nothing.
    c = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="quiet",
        name_ar="ق",
        name_fr="Quiet",
        parent=collectivity_a.parent,
        region=collectivity_a.region,
    )
    assert publication_figures(c, timezone.localdate()).is_empty


# --- Cache ---------------------------------------------------------------------------------


def test_a_change_shows_at_once(collectivity_a, settings, django_capture_on_commit_callbacks):
    """A document saved (after the commit) makes its collectivity's page and the network
    home stale, not another collectivity's."""
    settings.INFITAH_PAGE_CACHE_SECONDS = 0
    assert "Nouveau budget" not in _html("/fr/c/commune-a/")
    assert "Nouveau budget" not in _html("/fr/")

    _html("/fr/c/inezgane-test/")
    assert _queries("/fr/c/inezgane-test/", clear=False) == 0

    with django_capture_on_commit_callbacks(execute=True):
        document(collectivity_a, "Nouveau budget")

    assert "Nouveau budget" in _html("/fr/c/commune-a/")
    assert "Nouveau budget" in _html("/fr/")
    assert _queries("/fr/c/inezgane-test/", clear=False) == 0


def test_the_cached_board_is_per_language(world, settings) -> None:
    settings.INFITAH_PAGE_CACHE_SECONDS = 0
    fr = _html("/fr/c/commune-a/")
    ar = _html("/ar/c/commune-a/")
    assert 'href="/fr/c/commune-a/documents/' in fr
    assert 'href="/ar/c/commune-a/documents/' in ar and 'href="/fr/c/commune-a/documents/' not in ar


# --- Query counts --------------------------------------------------------------------------


def _queries(url: str, *, clear: bool = True) -> int:
    if clear:
        cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200, url
    return len(ctx.captured_queries)


def _load_communes(parent: Collectivity, n: int) -> None:
    Collectivity.objects.bulk_create(
        Collectivity(
            kind=Kind.COMMUNE,
            slug=f"few-{i}",
            name_ar=f"جماعة {i}",
            name_fr=f"Commune {i}",
            parent=parent,
            region=parent.region,
            search_key=f"commune {i}",
            is_network_member=i % 3 == 0,
        )
        for i in range(n)
    )


HOMES = ["/fr/", "/fr/c/commune-a/", "/fr/c/souss-massa-test/"]


def test_query_counts_are_the_same_for_10_communes_and_the_whole_country(
    world, collectivity_a, settings
) -> None:
    settings.INFITAH_PAGE_CACHE_SECONDS = 0
    information_request(collectivity_a, answered=True, days=3)
    information_request(collectivity_a, due_in=-1)
    complaint(collectivity_a, answered=True, days=20)
    _load_communes(collectivity_a.parent, 8)
    assert Collectivity.objects.filter(kind=Kind.COMMUNE).count() == 10
    few = {url: _queries(url) for url in HOMES}

    hcp_load()

    assert Collectivity.objects.filter(kind=Kind.COMMUNE).count() > 1503
    assert {url: _queries(url) for url in HOMES} == few
    # Once built, the pages' content comes from the cache: no query.
    warm = {url: (_queries(url), _queries(url, clear=False))[1] for url in HOMES}
    assert warm == {"/fr/": 0, "/fr/c/commune-a/": 0, "/fr/c/souss-massa-test/": 0}


def test_a_bump_of_the_territories_pages_reaches_the_boards(collectivity_a, settings) -> None:
    """What makes the collectivity pages stale in the page cache (a module switched on, a
    membership changed) makes the cached boards stale too."""
    settings.INFITAH_PAGE_CACHE_SECONDS = 0
    Client().get("/fr/c/commune-a/")
    assert _queries("/fr/c/commune-a/", clear=False) == 0
    bump("territories")
    assert _queries("/fr/c/commune-a/", clear=False) > 0
    assert _queries("/fr/c/commune-a/", clear=False) == 0
