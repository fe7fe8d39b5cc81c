"""Which datasets each catalogue lists (a collectivity's own only; never an inactive one),
and the IRIs the catalogue mints, which redirect."""

from __future__ import annotations

import uuid

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib import namespace as ns

from infitah.opendata.tests.dcat_world import World, build_catalogue

SITE = "http://testserver"


@pytest.fixture
def world(region, collectivity_a, collectivity_b) -> World:
    return build_catalogue(
        region=region, collectivity_a=collectivity_a, collectivity_b=collectivity_b
    )


def listed(client, path: str) -> set[str]:
    """The names in the landing pages of the datasets of a catalogue."""
    response = client.get(path)
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format="turtle")
    names = set()
    for node in graph.subjects(RDF.type, ns.DCAT.Dataset):
        page = str(graph.value(node, ns.DCAT.landingPage))
        names.add(page.rstrip("/").rsplit("/", 1)[1])
    return names


def test_a_collectivity_catalogue_lists_its_own_active_datasets_only(client, world):
    assert listed(client, "/c/commune-a/catalog.ttl") == {d.name for d in world.a}
    assert listed(client, "/c/commune-b/catalog.ttl") == {"commune-b-documents"}
    assert listed(client, "/c/souss-massa-test/catalog.ttl") == {"souss-massa-test-complaints"}
    assert listed(client, "/c/inezgane-test/catalog.ttl") == set()  # none of its own


def test_the_network_catalogue_lists_every_active_dataset(client, world):
    assert listed(client, "/catalog.ttl") == {d.name for d in world.active}


def test_an_inactive_dataset_appears_nowhere(client, world, charlie):
    client.force_login(charlie)  # signed-in staff of B sees the public catalogue too
    for path in ("/catalog.ttl", "/c/commune-a/catalog.ttl", "/c/commune-b/catalog.ttl"):
        body = client.get(path).content.decode()
        assert "commune-a-old" not in body
        assert str(world.inactive.pk) not in body
    assert client.get(f"/dataset/{world.inactive.pk}").status_code == 404
    resource = world.inactive.resources.first()
    assert client.get(f"/dataset/{world.inactive.pk}/resource/{resource.pk}").status_code == 404


def test_an_unknown_collectivity_is_a_404(client, db):
    for path in ("/c/nowhere/catalog.ttl", "/c/nowhere/catalog"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert client.get("/catalog.xml").status_code == 404


@pytest.mark.parametrize(
    ("accept", "ext"),
    [
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.5", "rdf"),
        ("*/*", "ttl"),
        ("", "ttl"),
        ("image/png", "ttl"),
    ],
)
def test_the_catalogue_iris_redirect_to_the_preferred_format(client, world, accept, ext):
    response = client.get("/catalog", {"page": "2"}, headers={"accept": accept})
    assert response.status_code == 303
    assert response["Location"] == f"/catalog.{ext}?page=2"
    assert "Accept" in [name.strip() for name in response["Vary"].split(",")]
    response = client.get("/c/commune-a/catalog", headers={"accept": accept})
    assert response.status_code == 303
    assert response["Location"] == f"/c/commune-a/catalog.{ext}"


def test_a_browser_is_sent_to_the_catalogue_page(client, world):
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    assert client.get("/catalog", headers={"accept": accept})["Location"] == "/ar/data/"
    response = client.get("/c/commune-a/catalog", headers={"accept": accept})
    assert response["Location"] == "/ar/c/commune-a/data/"
    # B is no network member: no public page, the Turtle document.
    response = client.get("/c/commune-b/catalog", headers={"accept": accept})
    assert response["Location"] == "/c/commune-b/catalog.ttl"


def test_dataset_and_distribution_iris_redirect(client, world):
    dataset = world.a[0]
    response = client.get(f"/dataset/{dataset.pk}")
    assert response.status_code == 303
    assert response["Location"] == "/ar/data/commune-a-documents/"
    resource = dataset.resources.get(format="CSV")
    response = client.get(f"/dataset/{dataset.pk}/resource/{resource.pk}")
    assert response.status_code == 303
    assert response["Location"] == "http://testserver/data/commune-a-documents.csv"
    # A resource under another dataset's IRI, or an unknown one: 404.
    other = world.b[0]
    assert client.get(f"/dataset/{other.pk}/resource/{resource.pk}").status_code == 404
    assert client.get(f"/dataset/{uuid.uuid4()}").status_code == 404
    # Every IRI the catalogue gives for a dataset answers.
    graph = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    for node in graph.subjects(RDF.type, ns.DCAT.Dataset):
        assert isinstance(node, URIRef)
        assert client.get(str(node).removeprefix(SITE)).status_code == 303
    for node in graph.subjects(RDF.type, ns.DCAT.Distribution):
        assert client.get(str(node).removeprefix(SITE)).status_code == 303
