"""The public exchange of practices: only published practices of members, filters,
search that ignores accents and hamza forms, a constant number of queries, the
practice's page and its documents, and the include of a collectivity's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from infitah.accounts.models import Membership, Role, User
from infitah.network import practice_services as services
from infitah.network.models import Practice, PracticeStatus, Theme
from infitah.network.practice_selectors import practices_of
from infitah.network.tests.test_practices_services import (
    event_make,
    pdf_upload,
    practice_make,
)
from infitah.territories.models import Collectivity, Kind

LIST = "/fr/network/practices/"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Stored files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def world(
    collectivity_a: Collectivity, collectivity_b: Collectivity, staff_a: User, charlie: User
) -> dict[str, Practice]:
    """A's published and draft practices; B's practice, published while B was a member,
    now that B has left."""
    published = practice_make(
        collectivity_a, staff_a, publish=True, title_fr="Ouverture exemplaire à Aït Melloul"
    )
    draft = practice_make(collectivity_a, staff_a, title_fr="Brouillon secret")
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    collectivity_b.refresh_from_db()
    former = practice_make(
        collectivity_b, charlie, publish=True, title_fr="Pratique d'un ancien membre"
    )
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=False)
    return {"published": published, "draft": draft, "former": former}


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_only_published_practices_of_members(
    client: Client, world: dict[str, Practice]
) -> None:
    page = _page(client, LIST)
    assert "Ouverture exemplaire à Aït Melloul" in page
    assert "Brouillon secret" not in page
    assert "Pratique d&#x27;un ancien membre" not in page
    assert "ancien membre" not in page


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_list_in_both_languages(
    client: Client, world: dict[str, Practice], lang: str, direction: str
) -> None:
    page = _page(client, f"/{lang}/network/practices/")
    assert f'<html lang="{lang}" dir="{direction}">' in page
    # The title in the page's language, falling back on the other one.
    expected = world["published"].title_ar if lang == "ar" else world["published"].title_fr
    assert expected in page


def test_theme_filter(
    client: Client, collectivity_a: Collectivity, staff_a: User, world: dict[str, Practice]
) -> None:
    practice_make(
        collectivity_a, staff_a, publish=True, theme=Theme.BUDGET, title_fr="Budget citoyen"
    )
    page = _page(client, f"{LIST}?theme=budget")
    assert "Budget citoyen" in page
    assert "Ouverture exemplaire" not in page
    # An unknown theme is dropped, not an error.
    assert "Budget citoyen" in _page(client, f"{LIST}?theme=cooking")


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ouverture EXEMPLAIRE", True),
        ("ait melloul", True),  # the accents ignored
        ("AÏT", True),
        ("المعلومات", True),
        ("الاستباقي", True),  # summary_ar: "النشر الاستباقي" with its hamza folded
        ("الإستباقي", True),  # spelt with a hamza
        ("brouillon", False),  # a draft
        ("ouverture budget", False),  # every word must match
    ],
)
def test_search_ignores_accents_case_and_hamza(
    client: Client, world: dict[str, Practice], query: str, found: bool
) -> None:
    page = _page(client, f"{LIST}?q={query}")
    assert ("Ouverture exemplaire à Aït Melloul" in page) is found


def test_search_matches_the_collectivitys_name(client: Client, world: dict[str, Practice]) -> None:
    # "Aït Melloul" is collectivity_a's name; the practice's texts matched above too, so
    # use a word only the Arabic name holds.
    assert "Ouverture exemplaire" in _page(client, f"{LIST}?q=ملول")


def test_region_and_collectivity_filters(
    client: Client,
    world: dict[str, Practice],
    region: Collectivity,
    collectivity_a: Collectivity,
    staff_a: User,
) -> None:
    other = Collectivity.objects.create(
        kind=Kind.REGION, slug="draa-test", name_ar="درعة", name_fr="Drâa", is_network_member=True
    )
    Membership.objects.create(user=staff_a, collectivity=other, role=Role.ADMIN)
    practice_make(other, staff_a, publish=True, title_fr="Pratique de la région Drâa")
    page = _page(client, f"{LIST}?region={region.slug}")
    assert "Ouverture exemplaire" in page and "région Drâa" not in page
    # The region's own practices count as the region's.
    page = _page(client, f"{LIST}?region={other.slug}")
    assert "région Drâa" in page and "Ouverture exemplaire" not in page
    page = _page(client, f"{LIST}?c={collectivity_a.slug}")
    assert "Ouverture exemplaire" in page and "région Drâa" not in page
    assert f"— {collectivity_a.name_fr}</h1>" in page
    # The filter offers the regions that have practices.
    page = _page(client, LIST)
    assert f'<option value="{other.slug}">' in page and f'<option value="{region.slug}">' in page
    # A bad slug is dropped.
    assert "région Drâa" in _page(client, f"{LIST}?region=<script>")


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_runs_a_constant_number_of_queries(
    client: Client, collectivity_a: Collectivity, staff_a: User, media: Path
) -> None:
    event = event_make()

    def add(n: int) -> None:
        for i in range(n):
            practice = practice_make(
                collectivity_a, staff_a, title_fr=f"Pratique {i}", event=event.pk
            )
            services.practice_document_add(practice=practice, actor=staff_a, file=pdf_upload())
            services.practice_publish(practice=practice, actor=staff_a)

    add(2)
    urls = [LIST, f"{LIST}?q=pratique&theme=information", f"{LIST}?c={collectivity_a.slug}"]
    few = [_count(client, url) for url in urls]
    add(23)
    many = [_count(client, url) for url in urls]
    assert few == many
    assert max(many) <= 5
    page = _page(client, f"{LIST}?page=2")
    assert "Page 2" in page


def test_the_practice_page_shows_documents_contact_and_event(
    client: Client, collectivity_a: Collectivity, staff_a: User, media: Path
) -> None:
    event = event_make(title_fr="Rencontre de Saïdia")
    practice = practice_make(collectivity_a, staff_a, event=event.pk)
    document = services.practice_document_add(
        practice=practice, actor=staff_a, file=pdf_upload(), title_fr="Les diapositives"
    )
    services.practice_publish(practice=practice, actor=staff_a)
    page = _page(client, f"/fr/network/practices/{practice.pk}/")
    assert practice.title_fr.replace("'", "&#x27;") in page
    assert "Les diapositives" in page
    assert f"/fr/network/practices/{practice.pk}/documents/{document.pk}/" in page
    assert "mailto:focal@example.test" in page
    assert "Rencontre de Saïdia" in page
    assert f'href="/fr/network/events/{event.pk}/"' in page
    assert f"/fr/c/{collectivity_a.slug}/" in page or collectivity_a.slug in page


def test_the_document_is_served_with_its_checked_type(
    client: Client, collectivity_a: Collectivity, staff_a: User, media: Path
) -> None:
    practice = practice_make(collectivity_a, staff_a)
    document = services.practice_document_add(practice=practice, actor=staff_a, file=pdf_upload())
    url = f"/fr/network/practices/{practice.pk}/documents/{document.pk}/"
    assert client.get(url).status_code == 404  # the practice is a draft
    services.practice_publish(practice=practice, actor=staff_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    other = practice_make(collectivity_a, staff_a, publish=True)
    assert (
        client.get(f"/fr/network/practices/{other.pk}/documents/{document.pk}/").status_code == 404
    )


def test_drafts_and_former_members_practices_are_404(
    client: Client, world: dict[str, Practice]
) -> None:
    assert client.get(f"/fr/network/practices/{world['draft'].pk}/").status_code == 404
    assert client.get(f"/fr/network/practices/{world['former'].pk}/").status_code == 404
    assert client.get("/fr/network/practices/999999/").status_code == 404
    assert client.get("/fr/network/practices/99999999999999999999/").status_code == 404


def test_practices_of_and_the_include_for_a_collectivitys_page(
    world: dict[str, Practice], collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    collectivity_b.refresh_from_db()
    assert practices_of(collectivity_b) == []  # not a member any more
    found = practices_of(collectivity_a)
    assert [p.pk for p in found] == [world["published"].pk]
    with translation.override("fr"):
        html = render_to_string(
            "network/practices/_member_practices.html",
            {"member_practices": found, "collectivity": collectivity_a},
        )
        empty = render_to_string(
            "network/practices/_member_practices.html",
            {"member_practices": [], "collectivity": collectivity_a},
        )
    assert "Ouverture exemplaire à Aït Melloul" in html
    assert f"/fr/network/practices/?c={collectivity_a.slug}" in html
    assert "Brouillon" not in html
    assert empty.strip() == ""


def test_withdrawn_practices_leave_the_list(
    client: Client, world: dict[str, Practice], staff_a: User
) -> None:
    services.practice_unpublish(practice=world["published"], actor=staff_a)
    assert "Ouverture exemplaire" not in _page(client, LIST)
    assert Practice.objects.filter(status=PracticeStatus.PUBLISHED).count() == 1  # former's


def test_practices_of_runs_one_query(world: dict[str, Practice], collectivity_a: Any) -> None:
    with CaptureQueriesContext(connection) as captured:
        found = practices_of(collectivity_a)
        for practice in found:
            _ = practice.event, practice.document_count  # type: ignore[attr-defined]
    assert len(captured) == 1
