"""Hydra paging of the catalogue: following hydra:next from page 1 visits every dataset
once; bad pages answer 400 or 404 in plain text; a page costs the same number of queries
whatever its size."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.term import Node

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from infitah.opendata import dcat
from infitah.opendata.dcat import HYDRA
from infitah.opendata.tests.dcat_world import build_many, make_dataset

PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


@pytest.fixture
def small_pages(monkeypatch) -> int:
    monkeypatch.setattr(dcat, "PAGE_SIZE", 4)
    return 4


def get_graph(client, url: str, ext: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return Graph().parse(data=response.content, format=PARSERS[ext])


def view_of(graph: Graph, catalogue: str) -> URIRef:
    view = graph.value(URIRef(catalogue), HYDRA.view)
    assert isinstance(view, URIRef)
    assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
    return view


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "rdf"])
def test_following_next_visits_every_dataset_once(client, collectivity_a, small_pages, ext):
    datasets = build_many(collectivity_a, 10) + build_many(None, 3, prefix="network")
    make_dataset(name="many-inactive", collectivity=collectivity_a, source="x", is_active=False)
    url: str | None = f"http://testserver/catalog.{ext}?page=1"
    seen: list[Node] = []
    pages = 0
    while url is not None:
        graph = get_graph(client, url, ext)
        view = view_of(graph, "http://testserver/catalog")
        assert str(view) == url
        members = set(graph.objects(URIRef("http://testserver/catalog"), ns.DCAT.dataset))
        assert 1 <= len(members) <= small_pages
        assert members == set(graph.objects(URIRef("http://testserver/catalog"), HYDRA.member))
        seen.extend(members)
        pages += 1
        following = graph.value(view, HYDRA.next)
        url = None if following is None else str(following)
    assert pages == 4  # 13 datasets, 4 a page
    assert sorted(map(str, seen)) == sorted(f"http://testserver/dataset/{d.pk}" for d in datasets)


def test_the_view_names_first_last_previous_next_and_the_total(client, collectivity_a, small_pages):
    build_many(collectivity_a, 10)
    base = "http://testserver/c/commune-a/catalog"
    graph = get_graph(client, "/c/commune-a/catalog.ttl?page=2", "ttl")
    view = view_of(graph, base)
    assert view == URIRef(f"{base}.ttl?page=2")
    assert graph.value(view, HYDRA.first) == URIRef(f"{base}.ttl?page=1")
    assert graph.value(view, HYDRA.last) == URIRef(f"{base}.ttl?page=3")
    assert graph.value(view, HYDRA.previous) == URIRef(f"{base}.ttl?page=1")
    assert graph.value(view, HYDRA.next) == URIRef(f"{base}.ttl?page=3")
    total = Literal(10, datatype=ns.XSD.nonNegativeInteger)
    assert graph.value(URIRef(base), HYDRA.totalItems) == total
    assert graph.value(view, HYDRA.totalItems) == total
    assert (URIRef(base), RDF.type, HYDRA.Collection) in graph

    first = get_graph(client, "/c/commune-a/catalog.ttl", "ttl")  # no page: the first
    view = view_of(first, base)
    assert view == URIRef(f"{base}.ttl?page=1")
    assert first.value(view, HYDRA.previous) is None
    last = get_graph(client, "/c/commune-a/catalog.ttl?page=3", "ttl")
    assert last.value(view_of(last, base), HYDRA.next) is None
    assert len(set(last.objects(URIRef(base), ns.DCAT.dataset))) == 2


def test_an_empty_catalogue_has_one_empty_page(client, db):
    graph = get_graph(client, "/catalog.ttl", "ttl")
    view = view_of(graph, "http://testserver/catalog")
    assert graph.value(view, HYDRA.last) == URIRef("http://testserver/catalog.ttl?page=1")
    assert graph.value(URIRef("http://testserver/catalog"), HYDRA.totalItems) == Literal(
        0, datatype=ns.XSD.nonNegativeInteger
    )
    assert graph.value(URIRef("http://testserver/catalog"), ns.DCAT.dataset) is None
    assert client.get("/catalog.ttl?page=2").status_code == 404


@pytest.mark.parametrize(
    "page", ["0", "-1", "abc", "1.5", "", " ", "1e3", "٢", "99999999999999999999", "2147483648"]
)
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400(client, collectivity_a, page):
    with translation.override("fr"):
        expected = _("The page must be a whole number from 1.")
    for path in ("/catalog.ttl", "/c/commune-a/catalog.jsonld"):
        response = client.get(path, {"page": page}, headers={"accept-language": "fr"})
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert response.content.decode() == expected


def test_a_page_after_the_last_is_a_404(client, collectivity_a, small_pages):
    build_many(collectivity_a, 5)
    for page in ("3", "2147483647"):
        response = client.get("/catalog.rdf", {"page": page}, headers={"accept-language": "fr"})
        assert response.status_code == 404
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        with translation.override("fr"):
            expected = _("This catalogue has no page %(page)s: its last page is %(last)s.") % {
                "page": page,
                "last": 2,
            }
        assert response.content.decode() == expected


def test_only_get_and_head(client, db):
    assert client.post("/catalog.ttl").status_code == 405
    response = client.head("/catalog.ttl")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("path", "queries"), [("/catalog.ttl", 4), ("/c/commune-a/catalog.ttl", 5)]
)
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, collectivity_a, collectivity_b, django_assert_num_queries, path, queries
):
    """The count and dates, the rows with their collectivity, the tags, the resources
    (and the collectivity for its own catalogue)."""
    build_many(collectivity_a, 2)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    build_many(collectivity_a, 40, prefix="more")
    build_many(collectivity_b, 5, prefix="other")
    build_many(None, 5, prefix="network")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert len(captured.captured_queries) == queries
    graph = Graph().parse(data=response.content, format="turtle")
    assert len(set(graph.subjects(RDF.type, ns.DCAT.Dataset))) >= 42
