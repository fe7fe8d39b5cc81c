"""The DCAT-AP 3.0.1 catalogue as an RDF graph (docs/dcat.md).

`catalogue_page` reads one page of the active datasets (of the network, or of one
collectivity) in a fixed number of queries; `catalogue_graph` turns it into an rdflib
graph: the `dcat:Catalog` (also a `hydra:Collection`, with a `hydra:PartialCollectionView`
of the page, as ckanext-dcat and udata page their catalogues), its datasets and their
distributions; `catalogue_serialize` writes it as Turtle, JSON-LD or RDF/XML.

Every node that SHACL asks the class of (`sh:class`) is typed in the graph itself:
themes and publisher types are `skos:Concept`s with a label, formats
`dct:MediaTypeOrExtent`, media types `dct:MediaType`, licences `dct:LicenseDocument`,
frequencies `dct:Frequency`, languages `dct:LinguisticSystem`, places `dct:Location`,
pages `foaf:Document`. The SEMIC shapes validate without loading the vocabularies.

IRIs do not depend on the serialisation, so every format holds the same triples but for
the page addresses of the Hydra view: `/catalog` and `/c/<slug>/catalog` (the
catalogues, `#publisher`, `#location` and `#contact` their agent, place and contact),
`/dataset/<uuid>` and `/dataset/<uuid>/resource/<uuid>`; each redirects to a page
(dcat_views.py).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS

from django.conf import settings
from django.db.models import Count, Max, Min, Prefetch
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _

from infitah.opendata.models import Dataset, Resource, Tag
from infitah.territories.models import Collectivity, Kind

# Datasets per page of the catalogue.
PAGE_SIZE = 100
# The languages of every title and description: one literal each.
LANGUAGES = ("ar", "fr")

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(EU + "data-theme/")
FILE_TYPE = Namespace(EU + "file-type/")
FREQUENCY = Namespace(EU + "frequency/")
LANGUAGE = Namespace(EU + "language/")
COUNTRY = Namespace(EU + "country/")
ACCESS_RIGHT = Namespace(EU + "access-right/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

# The labels of the EU data themes, as the authority table gives them (English, French).
THEMES: dict[str, tuple[str, str]] = {
    "AGRI": ("Agriculture, fisheries, forestry and food", "Agriculture, pêche, sylviculture et alimentation"),
    "ECON": ("Economy and finance", "Économie et finances"),
    "EDUC": ("Education, culture and sport", "Éducation, culture et sport"),
    "ENER": ("Energy", "Énergie"),
    "ENVI": ("Environment", "Environnement"),
    "GOVE": ("Government and public sector", "Gouvernement et secteur public"),
    "HEAL": ("Health", "Santé"),
    "INTR": ("International issues", "Questions internationales"),
    "JUST": ("Justice, legal system and public safety", "Justice, système juridique et sécurité publique"),
    "OP_DATPRO": ("Provisional data", "Données provisoires"),
    "REGI": ("Regions and cities", "Régions et villes"),
    "SOCI": ("Population and society", "Population et société"),
    "TECH": ("Science and technology", "Science et technologie"),
    "TRAN": ("Transport", "Transports"),
}  # fmt: skip

# A resource's format → the EU file type. "datapackage" is the JSON descriptor of a
# Tabular Data Package, "OCDS" and "OCDS-RECORDS" an OCDS release and record package.
FILE_TYPES = {
    "CSV": "CSV",
    "JSON": "JSON",
    "DATAPACKAGE": "JSON",
    "OCDS": "JSON",
    "OCDS-RECORDS": "JSON",
    "GEOJSON": "GEOJSON",
    "JSONLD": "JSON_LD",
    "XML": "XML",
    "RDF": "RDF_XML",
    "TTL": "RDF_TURTLE",
    "PDF": "PDF",
    "XLSX": "XLSX",
    "XLS": "XLS",
    "ODS": "ODS",
    "DOCX": "DOCX",
    "DOC": "DOC",
    "ODT": "ODT",
    "HTML": "HTML",
    "TXT": "TXT",
    "ZIP": "ZIP",
}
# A resource's format → the standard its file follows (dct:conformsTo).
STANDARDS = {
    "DATAPACKAGE": "https://specs.frictionlessdata.io/tabular-data-package/",
    "OCDS": "https://standard.open-contracting.org/1.1/",
    "OCDS-RECORDS": "https://standard.open-contracting.org/1.1/",
}
_MEDIA_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")

# name → (rdflib's serialiser, content type).
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("pretty-xml", "application/rdf+xml; charset=utf-8"),
}
# The JSON-LD context: the prefixes, so that keys read `dct:title`, not full IRIs.
PREFIXES = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "hydra": str(HYDRA),
    "locn": str(LOCN),
    "skos": str(SKOS),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}


class PageOutOfRange(Exception):
    """A page after the last one."""

    def __init__(self, last: int) -> None:
        super().__init__(f"the last page is {last}")
        self.last = last


@dataclass(frozen=True)
class CataloguePage:
    collectivity: Collectivity | None  # None: the network's catalogue
    number: int
    last: int
    size: int
    total: int
    issued: dt.datetime | None
    modified: dt.datetime | None
    datasets: list[Dataset]


def catalogue_page(
    *, collectivity: Collectivity | None, number: int, size: int = PAGE_SIZE
) -> CataloguePage:
    """Page `number` (from 1) of the active datasets, by name: all of them for the network's
    catalogue, those of `collectivity` for its own. Four queries whatever the page size:
    the count and dates, the rows with their collectivity, their tags, their resources. Raises
    PageOutOfRange after the last page (an empty catalogue has one, empty, page)."""
    datasets = Dataset.objects.active()
    if collectivity is not None:
        datasets = datasets.filter(collectivity=collectivity)
    summary = datasets.aggregate(
        total=Count("pk"), issued=Min("metadata_created"), modified=Max("metadata_modified")
    )
    total: int = summary["total"]
    last = max(1, math.ceil(total / size))
    if number > last:
        raise PageOutOfRange(last)
    rows = list(
        datasets.select_related("collectivity")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch("resources", queryset=Resource.objects.order_by("position", "format")),
        )
        .order_by("name")[(number - 1) * size : number * size]
    )
    return CataloguePage(
        collectivity=collectivity,
        number=number,
        last=last,
        size=size,
        total=total,
        issued=summary["issued"],
        modified=summary["modified"],
        datasets=rows,
    )


# Sample values of URL keywords: `Addresses` reverses a URL once with them, then fills
# the path it got for each row (a reverse() per dataset and distribution cost a third of
# a page's time).
_SAMPLES = {
    "dataset_id": "00000000-0000-0000-0000-00000000d5e7",
    "resource_id": "00000000-0000-0000-0000-0000000a7e50",
    "name": "dcat-sample-name",
    "slug": "dcat-sample-slug",
}


@dataclass
class Addresses:
    """Absolute IRIs on this site. `base` is scheme and host (request.build_absolute_uri)
    without the final slash; `page_url(n)` the address of page n in the format served."""

    base: str
    page_url: Callable[[int], str]
    _templates: dict[tuple[str, str | None], str] = field(
        default_factory=dict, init=False, repr=False
    )

    def absolute(self, path_or_url: str) -> str:
        return iri_to_uri(urljoin(self.base + "/", path_or_url))

    def path(self, url_name: str, *, language: str | None = None, **kwargs: str) -> URIRef:
        """The absolute address of `url_name` with string `kwargs` (slugs, UUIDs)."""
        key = (url_name, language)
        template = self._templates.get(key)
        if template is None:
            samples = {keyword: _SAMPLES[keyword] for keyword in kwargs}
            with translation.override(language) if language else nullcontext():
                template = reverse(url_name, kwargs=samples)
            for keyword, sample in samples.items():
                template = template.replace(sample, "{" + keyword + "}")
            self._templates[key] = template
        return URIRef(self.base + template.format(**kwargs))

    def page(self, url_name: str, **kwargs: str) -> URIRef:
        """A public page, in Arabic (the site's first language)."""
        return self.path(url_name, language="ar", **kwargs)

    def catalogue(self, collectivity: Collectivity | None) -> URIRef:
        if collectivity is None:
            return self.path("dcat:catalog-any")
        return self.path("dcat:collectivity-catalog-any", slug=collectivity.slug)


def catalogue_serialize(graph: Graph, *, ext: str) -> bytes:
    """The graph as Turtle ("ttl"), JSON-LD ("jsonld") or RDF/XML ("rdf"), UTF-8."""
    serializer = FORMATS[ext][0]
    if serializer == "json-ld":
        return graph.serialize(format=serializer, context=PREFIXES, auto_compact=True).encode()
    return graph.serialize(format=serializer, encoding="utf-8")


def _bilingual(make: Callable[[], str]) -> dict[str, str]:
    """`make()` in each language (a translated message)."""
    texts = {}
    for language in LANGUAGES:
        with translation.override(language):
            texts[language] = make()
    return texts


class _Builder:
    """Adds the nodes of one catalogue page to a graph; shared nodes (publishers, places,
    themes, formats…) once each."""

    def __init__(self, addresses: Addresses) -> None:
        self.at = addresses
        self.graph = Graph(bind_namespaces="rdflib")
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.done: set[URIRef] = set()
        self.catalogues: dict[int | None, URIRef] = {}
        self.network_name = _bilingual(lambda: _("Infitah"))

    def add(self, subject: URIRef | BNode, predicate: URIRef, value: Any) -> None:
        if value is None:
            return
        node = value if isinstance(value, URIRef | BNode | Literal) else Literal(value)
        self.graph.add((subject, predicate, node))

    def texts(self, subject: URIRef | BNode, predicate: URIRef, texts: dict[str, str]) -> None:
        """One literal per language that has a text (an empty one is left out: a text
        tagged with a language it is not written in would mislead)."""
        for language in LANGUAGES:
            if texts.get(language):
                self.add(subject, predicate, Literal(texts[language], lang=language))

    def once(self, node: URIRef) -> bool:
        """True the first time a shared node is met."""
        if node in self.done:
            return False
        self.done.add(node)
        return True

    def catalogue_iri(self, collectivity: Collectivity | None) -> URIRef:
        key = None if collectivity is None else collectivity.pk
        if key not in self.catalogues:
            self.catalogues[key] = self.at.catalogue(collectivity)
        return self.catalogues[key]

    def document(self, iri: URIRef) -> URIRef:
        if self.once(iri):
            self.add(iri, RDF.type, FOAF.Document)
        return iri

    # Shared nodes ----------------------------------------------------------------

    def agent(self, collectivity: Collectivity | None) -> URIRef:
        iri = URIRef(self.catalogue_iri(collectivity) + "#publisher")
        if not self.once(iri):
            return iri
        self.add(iri, RDF.type, FOAF.Agent)
        if collectivity is None:
            self.texts(iri, FOAF.name, self.network_name)
            self.add(iri, FOAF.homepage, self.document(URIRef(self.at.base + "/")))
            return iri
        self.texts(iri, FOAF.name, {"ar": collectivity.name_ar, "fr": collectivity.name_fr})
        self.add(iri, DCTERMS.type, self.publisher_type(collectivity))
        if collectivity.is_network_member:
            page = self.at.page("territories:collectivity", slug=collectivity.slug)
            self.add(iri, FOAF.homepage, self.document(page))
        return iri

    def publisher_type(self, collectivity: Collectivity) -> URIRef:
        """ADMS publisher type: a region is a regional authority; prefectures, provinces
        and communes are local authorities."""
        if collectivity.kind == Kind.REGION:
            iri, label = PUBLISHER_TYPE.RegionalAuthority, "Regional Authority"
        else:
            iri, label = PUBLISHER_TYPE.LocalAuthority, "Local Authority"
        if self.once(iri):
            self.add(iri, RDF.type, SKOS.Concept)
            self.add(iri, SKOS.prefLabel, Literal(label, lang="en"))
            self.add(iri, SKOS.inScheme, URIRef("http://purl.org/adms/publishertype/1.0"))
        return iri

    def place(self, collectivity: Collectivity | None) -> URIRef:
        """Morocco (the EU country authority) for the network; the collectivity's
        territory otherwise."""
        if collectivity is None:
            iri = COUNTRY.MAR
            if self.once(iri):
                self.add(iri, RDF.type, DCTERMS.Location)
                self.texts(iri, SKOS.prefLabel, _bilingual(lambda: _("Morocco")))
            return iri
        iri = URIRef(self.catalogue_iri(collectivity) + "#location")
        if self.once(iri):
            names = {"ar": collectivity.name_ar, "fr": collectivity.name_fr}
            self.add(iri, RDF.type, DCTERMS.Location)
            self.texts(iri, SKOS.prefLabel, names)
            self.texts(iri, LOCN.geographicName, names)
        return iri

    def contact(self, collectivity: Collectivity | None) -> URIRef:
        iri = URIRef(self.catalogue_iri(collectivity) + "#contact")
        if not self.once(iri):
            return iri
        self.add(iri, RDF.type, VCARD.Kind)
        self.add(iri, RDF.type, VCARD.Organization)
        if collectivity is None:
            self.texts(iri, VCARD.fn, self.network_name)
            self.add(iri, VCARD.hasURL, URIRef(self.at.base + "/"))
        else:
            self.texts(iri, VCARD.fn, {"ar": collectivity.name_ar, "fr": collectivity.name_fr})
            if collectivity.is_network_member:
                page = self.at.page("territories:collectivity", slug=collectivity.slug)
                self.add(iri, VCARD.hasURL, page)
        return iri

    def theme_scheme(self) -> URIRef:
        iri = URIRef(EU + "data-theme")
        if self.once(iri):
            self.add(iri, RDF.type, SKOS.ConceptScheme)
            self.add(iri, DCTERMS.title, Literal("Data theme", lang="en"))
            self.add(iri, DCTERMS.title, Literal("Thème des données", lang="fr"))
        return iri

    def theme(self, code: str) -> URIRef:
        iri = DATA_THEME[code]
        if self.once(iri):
            self.add(iri, RDF.type, SKOS.Concept)
            labels = THEMES.get(code)
            if labels is None:
                self.add(iri, SKOS.prefLabel, Literal(code))
            else:
                self.add(iri, SKOS.prefLabel, Literal(labels[0], lang="en"))
                self.add(iri, SKOS.prefLabel, Literal(labels[1], lang="fr"))
            self.add(iri, SKOS.inScheme, self.theme_scheme())
        return iri

    def typed(self, iri: URIRef, kind: URIRef) -> URIRef:
        if self.once(iri):
            self.add(iri, RDF.type, kind)
        return iri

    def licence(self, license_id: str) -> URIRef | None:
        """The EU licence IRI of a configured licence; None for an unknown key (no
        licence is better than a wrong one)."""
        entry = settings.INFITAH_OPENDATA_LICENSES.get(license_id)
        if entry is None:
            return None
        iri = URIRef(entry["eu"])
        if self.once(iri):
            self.add(iri, RDF.type, DCTERMS.LicenseDocument)
            self.add(iri, DCTERMS.title, Literal(entry["title"]))
        return iri

    # The catalogue ---------------------------------------------------------------

    def catalogue(self, page: CataloguePage) -> URIRef:
        collectivity = page.collectivity
        iri = self.catalogue_iri(collectivity)
        self.add(iri, RDF.type, DCAT.Catalog)
        if collectivity is None:
            self.texts(
                iri, DCTERMS.title, _bilingual(lambda: _("Open data of the Infitah network"))
            )
            self.texts(iri, DCTERMS.description, _bilingual(lambda: _(
                "Every dataset of the network's territorial collectivities on Infitah: their "
                "public registers and statistics, generated from the live data, and the "
                "network's own datasets."
            )))  # fmt: skip
            self.add(iri, FOAF.homepage, self.document(self.at.page("opendata:catalogue")))
        else:
            names = {"ar": collectivity.name_ar, "fr": collectivity.name_fr}
            titles = _bilingual(lambda: _("Open data of %(name)s"))
            descriptions = _bilingual(lambda: _(
                "The datasets of %(name)s on Infitah: its public registers and statistics, "
                "generated from the live data."
            ))  # fmt: skip
            for texts, predicate in ((titles, DCTERMS.title), (descriptions, DCTERMS.description)):
                self.texts(iri, predicate, {
                    language: texts[language] % {"name": names[language] or names["ar"] or names["fr"]}
                    for language in LANGUAGES
                })  # fmt: skip
            if collectivity.is_network_member:
                home = self.at.page("opendata:collectivity", slug=collectivity.slug)
                self.add(iri, FOAF.homepage, self.document(home))
        self.add(iri, DCTERMS.publisher, self.agent(collectivity))
        self.add(iri, DCTERMS.spatial, self.place(collectivity))
        for language in ("ARA", "FRA"):
            self.add(
                iri, DCTERMS.language, self.typed(LANGUAGE[language], DCTERMS.LinguisticSystem)
            )
        self.add(iri, DCAT.themeTaxonomy, self.theme_scheme())
        if page.issued is not None:
            self.add(iri, DCTERMS.issued, Literal(page.issued, datatype=XSD.dateTime))
        if page.modified is not None:
            self.add(iri, DCTERMS.modified, Literal(page.modified, datatype=XSD.dateTime))
        self.paging(iri, page)
        for dataset in page.datasets:
            node = self.dataset(dataset)
            self.add(iri, DCAT.dataset, node)
            self.add(iri, HYDRA.member, node)
        return iri

    def paging(self, catalogue: URIRef, page: CataloguePage) -> None:
        """Hydra: the catalogue is a collection, this page a partial view of it."""
        count = Literal(page.total, datatype=XSD.nonNegativeInteger)
        self.add(catalogue, RDF.type, HYDRA.Collection)
        self.add(catalogue, HYDRA.totalItems, count)
        view = URIRef(self.at.page_url(page.number))
        self.add(catalogue, HYDRA.view, view)
        self.add(view, RDF.type, HYDRA.PartialCollectionView)
        self.add(view, HYDRA.totalItems, count)
        self.add(view, HYDRA.itemsPerPage, Literal(page.size, datatype=XSD.nonNegativeInteger))
        self.add(view, HYDRA.first, URIRef(self.at.page_url(1)))
        self.add(view, HYDRA.last, URIRef(self.at.page_url(page.last)))
        if page.number > 1:
            self.add(view, HYDRA.previous, URIRef(self.at.page_url(page.number - 1)))
        if page.number < page.last:
            self.add(view, HYDRA.next, URIRef(self.at.page_url(page.number + 1)))

    def dataset(self, dataset: Dataset) -> URIRef:
        iri = self.at.path("dcat:dataset", dataset_id=str(dataset.pk))
        collectivity = dataset.collectivity
        self.add(iri, RDF.type, DCAT.Dataset)
        self.add(iri, DCTERMS.identifier, Literal(str(dataset.pk)))
        titles = {"ar": dataset.title_ar, "fr": dataset.title_fr}
        if not any(titles.values()):
            titles = {"ar": dataset.name, "fr": dataset.name}
        self.texts(iri, DCTERMS.title, titles)
        descriptions = {"ar": dataset.description_ar, "fr": dataset.description_fr}
        # dct:description is mandatory: the title stands in for an empty description.
        self.texts(iri, DCTERMS.description, descriptions if any(descriptions.values()) else titles)
        for tag in dataset.tags.all():
            self.add(iri, DCAT.keyword, Literal(tag.name))
        self.add(iri, DCAT.theme, self.theme(dataset.theme))
        self.add(iri, DCTERMS.publisher, self.agent(collectivity))
        self.add(iri, DCAT.contactPoint, self.contact(collectivity))
        self.add(iri, DCTERMS.spatial, self.place(collectivity))
        self.temporal(iri, dataset.temporal_start, dataset.temporal_end)
        self.add(
            iri,
            DCTERMS.accrualPeriodicity,
            self.typed(FREQUENCY[dataset.frequency], DCTERMS.Frequency),
        )
        self.add(iri, DCTERMS.issued, Literal(dataset.metadata_created, datatype=XSD.dateTime))
        self.add(iri, DCTERMS.modified, Literal(dataset.metadata_modified, datatype=XSD.dateTime))
        self.add(
            iri, DCTERMS.accessRights, self.typed(ACCESS_RIGHT.PUBLIC, DCTERMS.RightsStatement)
        )
        landing = self.at.page("opendata:dataset", name=dataset.name)
        self.add(iri, DCAT.landingPage, self.document(landing))
        licence = self.licence(dataset.license_id)
        for resource in dataset.resources.all():
            self.add(iri, DCAT.distribution, self.distribution(dataset, resource, licence))
        return iri

    def temporal(self, dataset: URIRef, start: dt.date | None, end: dt.date | None) -> None:
        if start is None and end is None:
            return
        period = BNode()
        self.add(dataset, DCTERMS.temporal, period)
        self.add(period, RDF.type, DCTERMS.PeriodOfTime)
        if start is not None:
            self.add(period, DCAT.startDate, Literal(start, datatype=XSD.date))
        if end is not None:
            self.add(period, DCAT.endDate, Literal(end, datatype=XSD.date))

    def distribution(self, dataset: Dataset, resource: Resource, licence: URIRef | None) -> URIRef:
        iri = self.at.path(
            "dcat:distribution", dataset_id=str(dataset.pk), resource_id=str(resource.pk)
        )
        url = URIRef(self.at.absolute(resource.url))
        kind = resource.format.upper()
        self.add(iri, RDF.type, DCAT.Distribution)
        self.add(iri, DCAT.accessURL, url)
        self.add(iri, DCAT.downloadURL, url)
        self.texts(iri, DCTERMS.title, {"ar": resource.name_ar, "fr": resource.name_fr})
        if kind in FILE_TYPES:
            self.add(
                iri,
                DCTERMS.format,
                self.typed(FILE_TYPE[FILE_TYPES[kind]], DCTERMS.MediaTypeOrExtent),
            )
        media_type = resource.media_type.split(";")[0].strip().lower()
        if _MEDIA_TYPE.match(media_type):
            self.add(
                iri,
                DCAT.mediaType,
                self.typed(URIRef(IANA_MEDIA_TYPES + media_type), DCTERMS.MediaType),
            )
        if kind in STANDARDS:
            self.add(iri, DCTERMS.conformsTo, self.typed(URIRef(STANDARDS[kind]), DCTERMS.Standard))
        self.add(iri, DCTERMS.license, licence)
        if resource.size is not None:
            self.add(iri, DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger))
        self.add(iri, DCTERMS.modified, Literal(resource.last_modified, datatype=XSD.dateTime))
        return iri


def catalogue_graph(*, page: CataloguePage, addresses: Addresses) -> Graph:
    """The DCAT-AP graph of one catalogue page (no query: `page` holds every row)."""
    builder = _Builder(addresses)
    builder.catalogue(page)
    return builder.graph
