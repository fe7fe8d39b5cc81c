"""The schema.org Dataset of a dataset page (jsonld.py), read as a crawler reads it:
`extruct` finds one JSON-LD `Dataset` with name, description, url, identifier,
keywords, license, creator, distribution (absolute contentUrl), spatial and temporal
coverage, language and dates; the block cannot be closed by a title."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import extruct  # type: ignore[import-untyped]
import pytest

from django.test import Client

from infitah.opendata.jsonld import jsonld_script, temporal_coverage
from infitah.opendata.models import Dataset
from infitah.opendata.sources import Source
from infitah.opendata.sync import datasets_sync
from infitah.opendata.tests.world import World
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

BASE = "http://testserver"


@pytest.fixture(autouse=True)
def _no_page_cache(settings: Any) -> None:
    settings.INFITAH_PAGE_CACHE_SECONDS = 0


def extract(url: str) -> list[dict[str, Any]]:
    html = Client().get(url).content.decode()
    found = extruct.extract(html, base_url=BASE + url, syntaxes=["json-ld"])["json-ld"]
    return [item for item in found if item.get("@type") == "Dataset"]


def test_a_crawler_reads_every_field(world: World, case_sources: dict[str, Source]) -> None:
    datasets_sync()
    dataset = Dataset.objects.get(name="commune-a-documents")
    (found,) = extract("/fr/data/commune-a-documents/")
    assert found["@context"] == "https://schema.org/"
    page = f"{BASE}/fr/data/commune-a-documents/"
    assert found["url"] == found["@id"] == page
    assert found["name"] == "Catalogue des documents publiés — Aït Melloul"
    assert found["alternateName"] == "فهرس الوثائق المنشورة — أيت ملول"
    assert found["description"] == dataset.description_fr
    assert found["identifier"] == [str(dataset.id), "commune-a-documents"]
    assert found["keywords"] == ["documents", "law 31.13", "proactive publication"]
    assert found["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert found["isAccessibleForFree"] is True
    assert found["creator"] == {
        "@type": "GovernmentOrganization",
        "name": "Aït Melloul",
        "alternateName": "أيت ملول",
        "url": f"{BASE}/fr/c/commune-a/",
    }
    assert found["publisher"] == found["creator"]
    assert [(d["@type"], d["encodingFormat"], d["contentUrl"]) for d in found["distribution"]] == [
        ("DataDownload", "text/csv", f"{BASE}/data/commune-a-documents.csv"),
        ("DataDownload", "application/json", f"{BASE}/data/commune-a-documents.json"),
        ("DataDownload", "application/json", f"{BASE}/data/commune-a-documents/datapackage.json"),
    ]
    csv_size = dataset.resources.get(format="CSV").size
    assert found["distribution"][0]["contentSize"] == f"{csv_size} B"
    assert found["spatialCoverage"] == {"@type": "Place", "name": "Aït Melloul"}
    assert found["temporalCoverage"] == "2026-03-16/2026-03-16"
    assert found["inLanguage"] == ["ar", "fr"]
    assert dt.datetime.fromisoformat(found["dateModified"]) == dataset.metadata_modified
    assert dt.datetime.fromisoformat(found["dateCreated"]) == dataset.metadata_created
    assert found["includedInDataCatalog"]["url"] == f"{BASE}/fr/data/"


def test_in_arabic_and_for_an_upload(world: World, case_sources: dict[str, Source]) -> None:
    datasets_sync()
    upload = Dataset.objects.get(source=Dataset.UPLOAD)
    (found,) = extract(f"/ar/data/{upload.name}/")
    assert found["name"] == "Population par quartier (ar)"
    assert found["creator"]["name"] == "أيت ملول"
    assert found["spatialCoverage"]["name"] == "أيت ملول"
    (download,) = found["distribution"]
    assert download["encodingFormat"] == "text/csv"
    assert download["contentUrl"] == f"{BASE}/ar/c/commune-a/documents/{world.upload.pk}/file"


def test_a_network_dataset_covers_the_country(make_dataset: Callable[..., Dataset]) -> None:
    make_dataset(
        None,
        "openness",
        name="network-openness",
        temporal_start=dt.date(2025, 1, 1),
        description_fr="",
        description_ar="",
    )
    (found,) = extract("/fr/data/network-openness/")
    assert found["creator"]["@type"] == "GovernmentOrganization"
    assert found["creator"]["url"] == f"{BASE}/fr/"
    assert found["spatialCoverage"] == {"@type": "Place", "name": "Maroc"}
    assert found["temporalCoverage"] == "2025-01-01/.."
    # Without a description, the title stands in (schema.org requires one).
    assert found["description"] == found["name"]


def test_a_title_cannot_close_the_block(
    make_dataset: Callable[..., Dataset], collectivity_a: Collectivity
) -> None:
    nasty = 'A </script><script>alert(1)</script> & <!-- "B"'
    make_dataset(collectivity_a, "x", name="nasty", title_fr=nasty)
    (found,) = extract("/fr/data/nasty/")
    assert found["name"] == nasty
    block = str(jsonld_script({"name": nasty}))
    assert block.count("</script>") == 1 and "<!--" not in block
    assert "\\u003c/script\\u003e" in block and "\\u0026" in block


def test_temporal_coverage_is_an_iso_interval(make_dataset: Callable[..., Dataset]) -> None:
    dataset = make_dataset(None, "y")
    assert temporal_coverage(dataset) == ""
    dataset.temporal_end = dt.date(2026, 6, 30)
    assert temporal_coverage(dataset) == "../2026-06-30"
