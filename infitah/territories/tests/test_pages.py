"""The network home and the collectivity home: language, search, weight, query counts."""

import gzip
import re

import pytest

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.territories.models import Collectivity, Kind


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_home_carries_lang_and_dir(lang, direction, collectivity_a) -> None:
    html = _html(Client().get(f"/{lang}/"))
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    assert "<nav" in html and "<footer" in html
    assert '<label for="q">' in html  # labelled search control


@pytest.mark.django_db
def test_root_redirects_to_arabic() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


@pytest.mark.django_db
def test_home_lists_regions_divisions_and_member_communes(collectivity_a, collectivity_b) -> None:
    html = _html(Client().get("/fr/"))
    assert "Souss-Massa" in html
    assert "Inezgane-Aït Melloul" in html
    assert "Aït Melloul" in html  # a network member, shown under its region
    assert "2 communes" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["بنى ملال", "Beni Mellal", "béni-mellal", "BENI MELLAL khenifra"]
)
def test_search_ignores_spelling(query) -> None:
    Collectivity.objects.create(
        kind=Kind.REGION,
        slug="beni-mellal-khenifra",
        name_ar="بني ملال خنيفرة",
        name_fr="Béni Mellal-Khénifra",
    )
    html = _html(Client().get("/fr/", {"q": query}))
    assert 'href="/fr/c/beni-mellal-khenifra/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["zzzz", "'; DROP TABLE x; --", "%", "_", "\x00", "ب" * 5000])
def test_search_survives_odd_input(query, region) -> None:
    response = Client().get("/ar/", {"q": query})
    assert response.status_code == 200


@pytest.mark.django_db
def test_collectivity_home(collectivity_a) -> None:
    html = _html(Client().get("/ar/c/commune-a/"))
    assert "أيت ملول" in html
    assert 'href="/ar/c/inezgane-test/"' in html  # breadcrumb to its prefecture
    assert 'href="/ar/c/souss-massa-test/"' in html
    fr = _html(Client().get("/fr/c/commune-a/"))
    assert "Aït Melloul" in fr and 'lang="fr"' in fr


@pytest.mark.django_db
def test_collectivity_home_links_only_to_existing_pages(collectivity_a) -> None:
    client = Client()
    html = _html(client.get("/fr/c/souss-massa-test/"))
    for href in set(re.findall(r'href="(/fr/[^"#?]*)"', html)):
        assert client.get(href).status_code in {200, 302}, href


@pytest.mark.django_db
def test_unknown_collectivity_is_404() -> None:
    assert Client().get("/fr/c/nowhere/").status_code == 404


@pytest.mark.django_db
def test_language_switch_links_point_to_the_same_page(collectivity_a) -> None:
    html = _html(Client().get("/ar/c/commune-a/"))
    assert 'href="/fr/c/commune-a/"' in html


def _load_communes(parent: Collectivity, n: int, *, prefix: str = "bulk", every: int = 7) -> None:
    """`n` communes under `parent`, one in `every` a network member."""
    Collectivity.objects.bulk_create(
        Collectivity(
            kind=Kind.COMMUNE,
            slug=f"{prefix}-{i}",
            name_ar=f"جماعة {i}",
            name_fr=f"Commune {i}",
            parent=parent,
            region=parent.region,
            search_key=f"commune {i}",
            is_network_member=i % every == 0,
        )
        for i in range(n)
    )


def _queries(url: str) -> int:
    """Queries of an uncached view (the boards' cached HTML too is dropped)."""
    cache.clear()
    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, HTTP_CACHE_CONTROL="no-cache").status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/fr/", "/fr/c/souss-massa-test/", "/fr/c/inezgane-test/"])
def test_query_count_does_not_grow_with_communes(url, prefecture, settings) -> None:
    settings.INFITAH_PAGE_CACHE_SECONDS = 0
    _load_communes(prefecture, 10)
    few = _queries(url)
    _load_communes(prefecture, 1490, prefix="more", every=50)
    assert Collectivity.objects.filter(kind=Kind.COMMUNE).count() == 1500
    assert _queries(url) == few


@pytest.mark.django_db
def test_first_view_weighs_at_most_30_kb_gzipped(prefecture) -> None:
    """HTML + CSS of the network home with a full-size tree, gzip-compressed."""
    region = prefecture.region
    divisions = [
        Collectivity.objects.create(
            kind=Kind.PROVINCE,
            slug=f"prov-{i}",
            name_ar=f"إقليم رقم {i}",
            name_fr=f"Province numéro {i}",
            parent=region,
            region=region,
        )
        for i in range(75)
    ]
    for d in divisions[:20]:
        _load_communes(d, 75, prefix=d.slug, every=75)
    css_path = finders.find("infitah/site.css")
    assert css_path
    with open(css_path, "rb") as fh:
        css = fh.read()
    for lang in ("ar", "fr"):
        html = Client().get(f"/{lang}/").content
        weight = len(gzip.compress(html)) + len(gzip.compress(css))
        assert weight <= 30 * 1024, weight


@pytest.mark.django_db
def test_pages_use_no_external_resources(collectivity_a) -> None:
    for url in ("/ar/", "/fr/c/commune-a/"):
        html = _html(Client().get(url))
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert "<script" not in html  # every page works without JavaScript


@pytest.mark.django_db
def test_pages_are_translated(collectivity_a) -> None:
    ar = _html(Client().get("/ar/"))
    fr = _html(Client().get("/fr/"))
    assert "انفتاح" in ar and "الانتقال إلى المحتوى" in ar and "الجهات" in ar
    assert "Aller au contenu" in fr and "Régions" in fr
    assert ">Regions<" not in ar


@pytest.mark.django_db
def test_names_are_escaped_in_lists(region) -> None:
    Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="evil",
        name_ar="<script>x</script>",
        name_fr='"><b>x</b>',
        parent=region,
        region=region,
        is_network_member=True,
    )
    for url in ("/ar/", "/fr/", "/fr/c/souss-massa-test/"):
        html = _html(Client().get(url))
        assert "<script>x" not in html and "<b>x</b>" not in html, url
        assert "&lt;script&gt;" in html or "&quot;&gt;&lt;b&gt;" in html, url
