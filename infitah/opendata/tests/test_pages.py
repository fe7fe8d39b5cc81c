"""The catalogue's pages (views.py): the search of every active dataset (folded words,
filters, paging, a fixed number of queries), a dataset's page (record, licence,
downloads, preview, schema), a collectivity's datasets, the link from its home."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.opendata.models import Dataset
from infitah.opendata.sources import Source
from infitah.opendata.sync import datasets_sync
from infitah.opendata.tests.world import World
from infitah.publication.models import Document
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

MAX_FIRST_VIEW_BYTES = 30 * 1024
INLINE = re.compile(r"""<script(?![^>]*\bsrc=)[^>]*>|\sstyle=["']|\son[a-z]+=["']""", re.I)


@pytest.fixture
def synced(world: World, case_sources: dict[str, Source]) -> World:
    datasets_sync()
    return world


@pytest.fixture(autouse=True)
def _no_page_cache(settings: Any) -> None:
    settings.INFITAH_PAGE_CACHE_SECONDS = 0


def listed(html: str) -> list[str]:
    return re.findall(r'id="dataset-([a-z0-9-]+)"', html)


def page(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_catalogue_lists_every_active_dataset(synced: World) -> None:
    html = page("/fr/data/")
    names = listed(html)
    assert len(names) == 8 and names == sorted(names)
    assert "commune-b-documents" in names
    assert "Pétitions — Aït Melloul" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html
    Dataset.objects.filter(name="commune-a-petitions").update(is_active=False)
    assert "commune-a-petitions" not in listed(page("/fr/data/"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Accents, case and hamza do not matter; every word must be found.
        ("q=ait+melloul", "a"),
        ("q=AÏT", "a"),
        ("q=أيت", "a"),
        ("q=ايت+ملول", "a"),
        ("q=inezgane+documents", {"commune-b-documents"}),
        ("q=عرائض", {"commune-a-petitions"}),
        ("q=petitions+inezgane", set()),
        ("collectivity=commune-b", {"commune-b-documents"}),
        ("source=petitions", {"commune-a-petitions"}),
        ("source=upload", "upload"),
        ("format=CSV&collectivity=commune-b", {"commune-b-documents"}),
    ],
)
def test_search_and_filters(synced: World, query: str, expected: Any) -> None:
    found = set(listed(page(f"/fr/data/?{query}")))
    if expected == "a":
        assert found == set(
            Dataset.objects.filter(collectivity=synced.a).values_list("name", flat=True)
        )
        assert len(found) == 7
    elif expected == "upload":
        assert found == {Dataset.objects.get(source=Dataset.UPLOAD).name}
    else:
        assert found == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("format=XLSX", "format"),
        ("collectivity=nowhere", "collectivity"),
        ("source=%3Cscript%3E", "source"),
        ("q=" + "x" * 300, "q"),
    ],
)
def test_a_bad_filter_is_said_and_ignored(synced: World, query: str, field: str) -> None:
    html = page(f"/fr/data/?{query}")
    assert f'id="id_{field}_error"' in html and 'role="alert"' in html
    assert "<script>" not in html
    # The other filters still apply; an invalid one does nothing.
    assert len(listed(html)) == 8


def test_paging(make_dataset: Callable[..., Dataset], collectivity_a: Collectivity) -> None:
    for n in range(25):
        make_dataset(collectivity_a, f"source-{n:02d}")
    first, second = page("/fr/data/"), page("/fr/data/?page=2")
    assert len(listed(first)) == 20 and len(listed(second)) == 5
    assert 'rel="next"' in first and "page=2" in first
    assert len(listed(page("/fr/data/?page=999"))) == 5
    assert len(listed(page("/fr/data/?page=x"))) == 20
    assert len(listed(page("/fr/data/?q=jeu&page=2"))) == 5


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    return len(queries)


def test_list_pages_run_a_fixed_number_of_queries(
    make_dataset: Callable[..., Dataset],
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    def grow(count: int) -> None:
        for n in range(count):
            where = collectivity_a if n % 2 else collectivity_b
            make_dataset(where, f"s-{uuid.uuid4().hex[:8]}", tags=("a", f"t{n}"))

    grow(3)
    urls = [
        "/fr/data/",
        "/fr/data/?q=jeu&format=CSV&collectivity=commune-a",
        "/fr/c/commune-a/data/",
    ]
    few = [_queries(url) for url in urls]
    grow(40)
    assert [_queries(url) for url in urls] == few
    assert few[0] <= 8


def test_the_dataset_page(synced: World) -> None:
    html = page("/fr/data/commune-a-petitions/")
    dataset = Dataset.objects.get(name="commune-a-petitions")
    assert "<h1>Pétitions — Aït Melloul</h1>" in html
    assert '<p class="muted" lang="ar" dir="rtl">العرائض — أيت ملول</p>' in html
    assert dataset.description_fr in html
    assert '<a href="/fr/c/commune-a/">Aït Melloul</a>' in html
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">'
        "Creative Commons Attribution 4.0</a>"
    ) in html
    assert str(dataset.id) in html and 'datetime="' in html
    for t in ("council", "participation", "petitions"):
        assert f'href="/fr/data/?q={t}">{t}</a>' in html
    for resource in dataset.resources.all():
        assert f'<a href="{resource.url}" download>{resource.name}</a>' in html
    assert 'href="/api/3/action/package_show?id=commune-a-petitions"' in html
    preview = html.split('id="preview-title"')[1].split("</table>")[0]
    assert preview.count("<tr>") == 3  # the header and the two petitions
    assert synced.collecting.title in preview
    assert '<th scope="col">Signatures confirmées</th>' in preview
    schema = html.split('id="schema-title"')[1].split("</table>")[0]
    assert schema.count('<code dir="ltr">') == 2 * 21
    assert '<code dir="ltr">threshold_met</code>' in schema


def test_the_preview_shows_the_first_ten_rows(synced: World) -> None:
    template = synced.document_b
    Document.objects.bulk_create(
        Document(
            collectivity=synced.b,
            category=template.category,
            title_ar="",
            title_fr=f"Document {n}",
            date=template.date,
            language=template.language,
            file=template.file.name,
            original_name=template.original_name,
            file_type=template.file_type,
            size=template.size,
            sha256=template.sha256,
            series=uuid.uuid4(),
            published_at=template.published_at,
        )
        for n in range(14)
    )
    datasets_sync()
    html = page("/ar/data/commune-b-documents/")
    preview = html.split('id="preview-title"')[1].split("</table>")[0]
    assert preview.count("<tr>") == 11
    assert "15" in html.split('id="preview-title"')[1].split("</p>")[0]


def test_an_uploaded_dataset_links_the_document_file(synced: World) -> None:
    upload = Dataset.objects.get(source=Dataset.UPLOAD)
    html = page(f"/fr/data/{upload.name}/")
    url = f"/ar/c/commune-a/documents/{synced.upload.pk}/file"
    assert f'<a href="{url}" download>population.csv</a>' in html
    assert 'id="preview-title"' not in html and 'id="schema-title"' not in html
    response = Client().get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"quartier,population")  # type: ignore[attr-defined]


def test_an_inactive_dataset_keeps_its_page_and_says_so(synced: World) -> None:
    Dataset.objects.filter(name="commune-a-petitions").update(is_active=False)
    html = page("/fr/data/commune-a-petitions/")
    assert 'class="overdue" role="status"' in html
    assert 'id="preview-title"' not in html


def test_unknown_pages_are_404(synced: World) -> None:
    client = Client()
    for url in (
        "/fr/data/nothing/",
        "/fr/c/nowhere/data/",
        "/ar/data/%00/",
        "/ar/c/%00/data/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/fr/data/").status_code == 405


def test_a_collectivity_lists_its_own_datasets(synced: World) -> None:
    assert set(listed(page("/fr/c/commune-b/data/"))) == {"commune-b-documents"}
    a = set(listed(page("/ar/c/commune-a/data/")))
    assert len(a) == 7 and "commune-b-documents" not in a


def test_the_collectivity_home_links_its_datasets_once_it_has_some(
    world: World, case_sources: dict[str, Source], prefecture: Collectivity
) -> None:
    link = 'href="/fr/c/commune-a/data/"'
    assert link not in page("/fr/c/commune-a/")
    datasets_sync()
    assert link in page("/fr/c/commune-a/")
    assert 'href="/fr/c/inezgane-test/data/"' not in page("/fr/c/inezgane-test/")


def test_pages_are_small_and_run_no_inline_script(synced: World) -> None:
    for url in ("/ar/data/", "/fr/data/commune-a-documents/", "/ar/c/commune-a/data/"):
        html = page(url)
        assert len(html.encode()) <= MAX_FIRST_VIEW_BYTES, url
        scripts = [m.group(0) for m in INLINE.finditer(html)]
        # The one data block: JSON-LD, which the browser never runs.
        assert scripts in ([], ['<script type="application/ld+json">']), (url, scripts)


def test_titles_are_escaped_everywhere(
    make_dataset: Callable[..., Dataset], collectivity_a: Collectivity
) -> None:
    nasty = '</script><script>alert("x")</script><b>'
    make_dataset(collectivity_a, "x", name="nasty", title_fr=nasty, description_fr=nasty)
    for url in ("/fr/data/", "/fr/data/nasty/"):
        html = page(url)
        assert "<script>alert" not in html and "<b>" not in html, url
    head = page("/fr/data/nasty/").split("</head>")[0]
    assert head.count("</script>") == 1
