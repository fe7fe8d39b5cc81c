"""The DCAT-AP 3.0.1 catalogue: what it says, in three serialisations that hold the same
triples, and the SEMIC shapes (pyshacl) find nothing to report — but do report a
broken catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, SKOS
from rdflib.term import Node

from infitah.opendata.dcat import HYDRA, LOCN, VCARD
from infitah.opendata.models import Dataset
from infitah.opendata.tests.dcat_world import World, build_catalogue, shacl_violations

SITE = "http://testserver"
EU = "http://publications.europa.eu/resource/authority/"
PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
CONTENT_TYPES = {
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml; charset=utf-8",
}


@pytest.fixture
def world(region, collectivity_a, collectivity_b) -> World:
    return build_catalogue(
        region=region, collectivity_a=collectivity_a, collectivity_b=collectivity_b
    )


def fetch(client, path: str, ext: str = "ttl") -> Graph:
    response = client.get(f"{path}.{ext}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == CONTENT_TYPES[ext]
    return Graph().parse(data=response.content, format=PARSERS[ext])


def iri(dataset: Dataset) -> URIRef:
    return URIRef(f"{SITE}/dataset/{dataset.pk}")


def texts(graph: Graph, subject: Node | None, predicate: URIRef) -> dict[str | None, list[str]]:
    found: dict[str | None, list[str]] = {}
    for value in graph.objects(subject, predicate):
        assert isinstance(value, Literal)
        found.setdefault(value.language, []).append(str(value))
    return found


# Serialisations ---------------------------------------------------------------------


def same_pages(graph: Graph, ext: str) -> Graph:
    """The graph with the Hydra view's addresses, which name the format served (and are
    all that differs), written as the Turtle ones."""

    def term(node: Node) -> Node:
        if isinstance(node, URIRef) and f"catalog.{ext}?" in node:
            return URIRef(node.replace(f"catalog.{ext}?", "catalog.ttl?"))
        return node

    renamed = Graph()
    for subject, predicate, value in graph:
        renamed.add((term(subject), predicate, term(value)))
    return renamed


@pytest.mark.parametrize("path", ["/catalog", "/c/commune-a/catalog"])
def test_the_three_serialisations_hold_the_same_triples(client, world, path):
    graphs = {ext: same_pages(fetch(client, path, ext), ext) for ext in PARSERS}
    assert len(graphs["ttl"]) > 200
    assert isomorphic(graphs["ttl"], graphs["jsonld"])
    assert isomorphic(graphs["ttl"], graphs["rdf"])


def test_json_ld_uses_prefixes_and_keeps_arabic_readable(client, world):
    body = client.get("/catalog.jsonld").content.decode()
    assert '"dct:title"' in body
    assert '"@language": "ar"' in body
    assert "عنوان commune-a-documents" in body  # not \\u escapes


# The SEMIC shapes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/catalog", "/c/commune-a/catalog", "/c/souss-massa-test/catalog"]
)
@pytest.mark.parametrize("with_ranges", [False, True])
def test_catalogue_conforms_to_the_dcat_ap_shapes(client, world, path, with_ranges):
    graph = fetch(client, path)
    assert set(graph.subjects(RDF.type, ns.DCAT.Dataset))
    assert shacl_violations(graph, with_ranges=with_ranges) == []


def test_an_empty_catalogue_conforms_too(client, collectivity_b):
    assert shacl_violations(fetch(client, "/catalog")) == []
    assert shacl_violations(fetch(client, "/c/commune-b/catalog")) == []


def test_the_validator_reports_a_broken_catalogue(client, world):
    graph = fetch(client, "/catalog")
    distribution = next(graph.objects(iri(world.a[0]), ns.DCAT.distribution))
    assert isinstance(distribution, URIRef)
    graph.remove((distribution, ns.DCAT.accessURL, None))
    violations = shacl_violations(graph)
    assert len(violations) == 1
    assert violations[0].startswith(f"{distribution} | {ns.DCAT.accessURL} |")

    # The class of a format is checked: an untyped file type is reported too.
    graph = fetch(client, "/catalog")
    graph.remove((URIRef(EU + "file-type/CSV"), RDF.type, None))
    violations = shacl_violations(graph)
    assert violations
    assert all(f"| {DCTERMS.format} |" in line for line in violations)

    graph = fetch(client, "/catalog")
    graph.remove((URIRef(f"{SITE}/catalog"), DCTERMS.description, None))
    assert len(shacl_violations(graph)) == 1


# What the catalogue says ------------------------------------------------------------


def test_the_network_catalogue_node(client, world):
    graph = fetch(client, "/catalog")
    catalogue = URIRef(f"{SITE}/catalog")
    assert set(graph.objects(catalogue, RDF.type)) == {ns.DCAT.Catalog, HYDRA.Collection}
    for predicate in (DCTERMS.title, DCTERMS.description):
        found = texts(graph, catalogue, predicate)
        assert set(found) == {"ar", "fr"}
        assert all(len(values) == 1 for values in found.values())
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert publisher == URIRef(f"{SITE}/catalog#publisher")
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert set(texts(graph, publisher, FOAF.name)) == {"ar", "fr"}
    assert graph.value(publisher, DCTERMS.type) is None  # the network is no authority
    assert graph.value(catalogue, FOAF.homepage) == URIRef(f"{SITE}/ar/data/")
    assert set(graph.objects(catalogue, DCTERMS.language)) == {
        URIRef(EU + "language/ARA"),
        URIRef(EU + "language/FRA"),
    }
    assert graph.value(catalogue, DCTERMS.spatial) == URIRef(EU + "country/MAR")
    assert graph.value(catalogue, ns.DCAT.themeTaxonomy) == URIRef(EU + "data-theme")
    assert graph.value(catalogue, DCTERMS.modified) == Literal(
        dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC), datatype=ns.XSD.dateTime
    )
    assert set(graph.objects(catalogue, ns.DCAT.dataset)) == {iri(d) for d in world.active}


def test_a_collectivity_catalogue_is_published_by_the_collectivity(client, world):
    graph = fetch(client, "/c/commune-a/catalog")
    catalogue = URIRef(f"{SITE}/c/commune-a/catalog")
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert publisher == URIRef(f"{SITE}/c/commune-a/catalog#publisher")
    assert texts(graph, publisher, FOAF.name) == {"ar": ["أيت ملول"], "fr": ["Aït Melloul"]}
    assert graph.value(publisher, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/LocalAuthority"
    )
    assert graph.value(publisher, FOAF.homepage) == URIRef(f"{SITE}/ar/c/commune-a/")
    assert graph.value(catalogue, FOAF.homepage) == URIRef(f"{SITE}/ar/c/commune-a/data/")
    assert graph.value(catalogue, DCTERMS.spatial) == URIRef(f"{SITE}/c/commune-a/catalog#location")
    for predicate in (DCTERMS.title, DCTERMS.description):
        found = texts(graph, catalogue, predicate)
        assert set(found) == {"ar", "fr"}
        assert "أيت ملول" in found["ar"][0]
        assert "Aït Melloul" in found["fr"][0]

    region = fetch(client, "/c/souss-massa-test/catalog")
    agent = URIRef(f"{SITE}/c/souss-massa-test/catalog#publisher")
    assert region.value(agent, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/RegionalAuthority"
    )


def test_a_collectivity_dataset(client, world):
    graph = fetch(client, "/catalog")
    procurement = world.a[1]
    node = iri(procurement)
    assert (node, RDF.type, ns.DCAT.Dataset) in graph
    assert graph.value(node, DCTERMS.identifier) == Literal(str(procurement.pk))
    assert texts(graph, node, DCTERMS.title) == {
        "ar": ["عنوان commune-a-procurement"],
        "fr": ["Titre de commune-a-procurement"],
    }
    assert texts(graph, node, DCTERMS.description) == {
        "ar": ["وصف commune-a-procurement"],
        "fr": ["Description de commune-a-procurement"],
    }
    assert set(texts(graph, node, ns.DCAT.keyword)[None]) == {"ocds", "procurement"}
    theme = graph.value(node, ns.DCAT.theme)
    assert theme == URIRef(EU + "data-theme/ECON")
    assert (theme, RDF.type, SKOS.Concept) in graph
    assert (theme, SKOS.prefLabel, Literal("Economy and finance", lang="en")) in graph
    assert graph.value(node, DCTERMS.publisher) == URIRef(f"{SITE}/c/commune-a/catalog#publisher")
    place = graph.value(node, DCTERMS.spatial)
    assert place == URIRef(f"{SITE}/c/commune-a/catalog#location")
    assert (place, RDF.type, DCTERMS.Location) in graph
    assert texts(graph, place, SKOS.prefLabel) == {"ar": ["أيت ملول"], "fr": ["Aït Melloul"]}
    assert texts(graph, place, LOCN.geographicName) == {"ar": ["أيت ملول"], "fr": ["Aït Melloul"]}
    period = graph.value(node, DCTERMS.temporal)
    assert (period, RDF.type, DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, ns.DCAT.startDate) == Literal(
        dt.date(2026, 1, 1), datatype=ns.XSD.date
    )
    assert graph.value(period, ns.DCAT.endDate) == Literal(
        dt.date(2026, 12, 31), datatype=ns.XSD.date
    )
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/WEEKLY")
    public = graph.value(node, DCTERMS.accessRights)
    assert public == URIRef(EU + "access-right/PUBLIC")
    assert (public, RDF.type, DCTERMS.RightsStatement) in graph
    assert graph.value(node, DCTERMS.issued) == Literal(
        dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC), datatype=ns.XSD.dateTime
    )
    assert graph.value(node, DCTERMS.modified).datatype == ns.XSD.dateTime
    assert graph.value(node, ns.DCAT.landingPage) == URIRef(
        f"{SITE}/ar/data/commune-a-procurement/"
    )
    contact = graph.value(node, ns.DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in graph
    assert graph.value(contact, VCARD.hasURL) == URIRef(f"{SITE}/ar/c/commune-a/")
    assert len(set(graph.objects(node, ns.DCAT.distribution))) == 4


def test_a_network_dataset_covers_morocco(client, world):
    graph = fetch(client, "/catalog")
    node = iri(world.network)
    assert graph.value(node, DCTERMS.publisher) == URIRef(f"{SITE}/catalog#publisher")
    morocco = graph.value(node, DCTERMS.spatial)
    assert morocco == URIRef(EU + "country/MAR")
    assert (morocco, RDF.type, DCTERMS.Location) in graph
    assert set(texts(graph, node, ns.DCAT.keyword)[None]) == {"openness", "انفتاح"}
    assert graph.value(node, DCTERMS.accrualPeriodicity) == URIRef(EU + "frequency/MONTHLY")


def test_unknown_facts_are_left_out_never_invented(client, world):
    graph = fetch(client, "/catalog")
    petitions, budget = iri(world.a[3]), iri(world.a[2])
    assert graph.value(petitions, DCTERMS.temporal) is None
    assert graph.value(petitions, ns.DCAT.keyword) is None
    # No description at all: the titles stand in (dct:description is mandatory).
    assert texts(graph, petitions, DCTERMS.description) == texts(graph, petitions, DCTERMS.title)
    # No French description: the Arabic one only, never Arabic text tagged @fr.
    assert texts(graph, budget, DCTERMS.description) == {"ar": ["وصف commune-a-budget-2026"]}
    # Only a start: the period has no end.
    period = graph.value(iri(world.a[0]), DCTERMS.temporal)
    assert graph.value(period, ns.DCAT.startDate) is not None
    assert graph.value(period, ns.DCAT.endDate) is None


def distributions(graph: Graph, dataset: Dataset) -> dict[str, URIRef]:
    """The dataset's distributions by the format in their French title ("CSV de …")."""
    found = {}
    for node in graph.objects(iri(dataset), ns.DCAT.distribution):
        assert isinstance(node, URIRef)
        found[texts(graph, node, DCTERMS.title)["fr"][0].split(" ")[0]] = node
    return found


def test_every_kind_of_distribution(client, world):
    graph = fetch(client, "/catalog")
    expected = {
        # format → (EU file type, IANA media type, standard)
        "CSV": ("CSV", "text/csv", None),
        "JSON": ("JSON", "application/json", None),
        "datapackage": (
            "JSON",
            "application/json",
            "https://specs.frictionlessdata.io/tabular-data-package/",
        ),
        "OCDS": ("JSON", "application/json", "https://standard.open-contracting.org/1.1/"),
        "OCDS-RECORDS": (
            "JSON",
            "application/json",
            "https://standard.open-contracting.org/1.1/",
        ),
        "PDF": ("PDF", "application/pdf", None),
        "XLSX": (
            "XLSX",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            None,
        ),
    }
    seen = {}
    for dataset in world.active:
        seen.update(distributions(graph, dataset))
    assert set(seen) == set(expected)
    for kind, (file_type, media_type, standard) in expected.items():
        node = seen[kind]
        assert (node, RDF.type, ns.DCAT.Distribution) in graph
        file_type_iri = graph.value(node, DCTERMS.format)
        assert file_type_iri == URIRef(EU + "file-type/" + file_type)
        assert (file_type_iri, RDF.type, DCTERMS.MediaTypeOrExtent) in graph
        media = graph.value(node, ns.DCAT.mediaType)
        assert media == URIRef("https://www.iana.org/assignments/media-types/" + media_type)
        assert (media, RDF.type, DCTERMS.MediaType) in graph
        licence = graph.value(node, DCTERMS.license)
        assert (licence, RDF.type, DCTERMS.LicenseDocument) in graph
        assert graph.value(node, DCTERMS.conformsTo) == (standard and URIRef(standard))
        assert graph.value(node, DCTERMS.modified).datatype == ns.XSD.dateTime
        access = graph.value(node, ns.DCAT.accessURL)
        assert access == graph.value(node, ns.DCAT.downloadURL)
        assert str(access).startswith(("http://testserver/", "https://files.example.org/"))

    budget = distributions(graph, world.a[2])
    assert str(graph.value(budget["PDF"], ns.DCAT.accessURL)) == (
        "http://testserver/media/open-data/commune-a-budget-2026.pdf"
    )
    assert str(graph.value(budget["XLSX"], ns.DCAT.accessURL)) == (
        "https://files.example.org/commune-a-budget-2026.xlsx"
    )
    assert graph.value(budget["PDF"], ns.DCAT.byteSize) == Literal(
        1000, datatype=ns.XSD.nonNegativeInteger
    )
    assert graph.value(budget["XLSX"], ns.DCAT.byteSize) is None  # size unknown
    assert graph.value(budget["PDF"], DCTERMS.license) == URIRef(EU + "licence/ODC_BL")
    documents = distributions(graph, world.a[0])
    assert graph.value(documents["CSV"], DCTERMS.license) == URIRef(EU + "licence/CC_BY_4_0")
    assert str(graph.value(documents["datapackage"], ns.DCAT.accessURL)) == (
        "http://testserver/data/commune-a-documents/datapackage.json"
    )


def test_an_unknown_licence_is_left_out(client, world):
    Dataset.objects.filter(pk=world.b[0].pk).update(license_id="withdrawn")
    graph = fetch(client, "/catalog")
    for node in distributions(graph, world.b[0]).values():
        assert graph.value(node, DCTERMS.license) is None
    assert shacl_violations(graph) == []


def test_addresses_follow_the_host_of_the_request(client, world):
    response = client.get("/catalog.ttl", headers={"host": "localhost:8000"}, secure=True)
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef("https://localhost:8000/catalog"), RDF.type, ns.DCAT.Catalog) in graph
    access = {str(url) for url in graph.objects(None, ns.DCAT.accessURL)}
    assert "https://localhost:8000/data/commune-a-documents.csv" in access
