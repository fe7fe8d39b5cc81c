"""Catalogue rows built with the ORM for the DCAT-AP tests, and the SEMIC shapes.

- `build_catalogue(region, collectivity_a, collectivity_b)`: a network dataset, a region's
  dataset, datasets of A with every kind of resource (CSV, JSON, Tabular Data Package,
  OCDS release and record packages, an uploaded PDF, an XLSX elsewhere on the web), one
  of B, and an inactive one of A;
- `build_many(collectivity, count)`: `count` plain datasets with two resources each;
- `shacl_violations(graph)`: the violations pyshacl reports against the DCAT-AP 3.0.1
  shapes of the shared standards folder (a skip without it, a failure with
  INFITAH_REQUIRE_STANDARDS=1).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import RDF, Graph
from rdflib.namespace import SH

from django.conf import settings

from infitah.opendata.models import Dataset, Frequency, Resource, Tag
from infitah.territories.models import Collectivity

CREATED = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
MODIFIED = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)

MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "datapackage": "application/json",
    "OCDS": "application/json",
    "OCDS-RECORDS": "application/json",
    "PDF": "application/pdf",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def resource_url(name: str, kind: str) -> str:
    """Where each kind of file lives: generated files under /data/, uploads under /media/."""
    return {
        "CSV": f"/data/{name}.csv",
        "JSON": f"/data/{name}.json",
        "datapackage": f"/data/{name}/datapackage.json",
        "OCDS": f"/api/v1/ocds/{name}/releases.json",
        "OCDS-RECORDS": f"/api/v1/ocds/{name}/records.json",
        "PDF": f"/media/open-data/{name}.pdf",
        "XLSX": f"https://files.example.org/{name}.xlsx",
    }[kind]


def make_dataset(
    *,
    name: str,
    collectivity: Collectivity | None,
    kinds: tuple[str, ...] = ("CSV", "JSON"),
    tags: tuple[str, ...] = (),
    source: str = "documents",
    **fields: object,
) -> Dataset:
    """One dataset with one resource per kind (sizes known but for the XLSX)."""
    values: dict[str, object] = {
        "title_ar": f"عنوان {name}",
        "title_fr": f"Titre de {name}",
        "description_ar": f"وصف {name}",
        "description_fr": f"Description de {name}",
        "license_id": "CC-BY-4.0",
        "metadata_created": CREATED,
        "metadata_modified": MODIFIED,
    }
    values.update(fields)
    dataset = Dataset.objects.create(name=name, collectivity=collectivity, source=source, **values)
    if tags:
        dataset.tags.set([Tag.objects.get_or_create(name=tag)[0] for tag in tags])
    Resource.objects.bulk_create(
        Resource(
            dataset=dataset,
            format=kind,
            media_type=MEDIA_TYPES[kind],
            name_ar=f"{kind} {name}",
            name_fr=f"{kind} de {name}",
            url=resource_url(name, kind),
            size=None if kind == "XLSX" else 1000 + position,
            position=position,
            last_modified=MODIFIED,
        )
        for position, kind in enumerate(kinds)
    )
    return dataset


@dataclass(frozen=True)
class World:
    network: Dataset
    region: Dataset
    a: list[Dataset]
    b: list[Dataset]
    inactive: Dataset

    @property
    def active(self) -> list[Dataset]:
        return [self.network, self.region, *self.a, *self.b]


def build_catalogue(
    *, region: Collectivity, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> World:
    region.is_network_member = True
    region.save()
    network = make_dataset(
        name="network-openness",
        collectivity=None,
        source="openness",
        kinds=("CSV", "JSON", "datapackage"),
        tags=("openness", "انفتاح"),
        theme="GOVE",
        frequency=Frequency.MONTHLY,
        temporal_start=dt.date(2025, 1, 1),
        temporal_end=dt.date(2026, 2, 28),
    )
    region_dataset = make_dataset(
        name=f"{region.slug}-complaints", collectivity=region, source="complaints", theme="SOCI"
    )
    a = [
        make_dataset(
            name="commune-a-documents",
            collectivity=collectivity_a,
            kinds=("CSV", "JSON", "datapackage"),
            tags=("documents", "وثائق"),
            frequency=Frequency.DAILY,
            temporal_start=dt.date(2024, 6, 1),
        ),
        make_dataset(
            name="commune-a-procurement",
            collectivity=collectivity_a,
            source="procurement",
            kinds=("CSV", "JSON", "OCDS", "OCDS-RECORDS"),
            tags=("ocds", "procurement"),
            theme="ECON",
            frequency=Frequency.WEEKLY,
            temporal_start=dt.date(2026, 1, 1),
            temporal_end=dt.date(2026, 12, 31),
        ),
        make_dataset(
            name="commune-a-budget-2026",
            collectivity=collectivity_a,
            source=Dataset.UPLOAD,
            kinds=("PDF", "XLSX"),
            theme="ECON",
            frequency=Frequency.ANNUAL,
            description_fr="",  # the Arabic one stands in
            license_id="ODbL-1.0",
        ),
        make_dataset(
            name="commune-a-petitions",
            collectivity=collectivity_a,
            source="petitions",
            description_ar="",
            description_fr="",  # no description at all: the title stands in
        ),
    ]
    b = [make_dataset(name="commune-b-documents", collectivity=collectivity_b)]
    inactive = make_dataset(
        name="commune-a-old", collectivity=collectivity_a, source="old", is_active=False
    )
    return World(network=network, region=region_dataset, a=a, b=b, inactive=inactive)


def build_many(
    collectivity: Collectivity | None, count: int, *, prefix: str = "many"
) -> list[Dataset]:
    return [
        make_dataset(
            name=f"{prefix}-{index:03d}",
            collectivity=collectivity,
            source=f"{prefix}-{index:03d}",
            tags=(f"tag-{index % 3}",),
            temporal_start=dt.date(2026, 1, 1),
        )
        for index in range(count)
    ]


# The SEMIC shapes ------------------------------------------------------------------


def standards_dir() -> Path:
    """INFITAH_STANDARDS_DIR, or shared/standards beside the project."""
    configured = os.environ.get("INFITAH_STANDARDS_DIR")
    return (
        Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "standards"
    )


def require_shapes() -> Path:
    """The DCAT-AP 3.0.1 folder, or a skip (a failure with INFITAH_REQUIRE_STANDARDS=1)."""
    folder = standards_dir() / "dcat-ap-3.0.1"
    if not (folder / "dcat-ap-SHACL.ttl").is_file():
        message = (
            f"the DCAT-AP 3.0.1 shapes are not in {folder} "
            "(set INFITAH_STANDARDS_DIR to the shared standards folder)"
        )
        if os.environ.get("INFITAH_REQUIRE_STANDARDS", "") == "1":
            pytest.fail(f"INFITAH_REQUIRE_STANDARDS=1: {message}")
        pytest.skip(message)
    return folder


@cache
def _shapes(folder: Path, with_ranges: bool) -> Graph:
    shapes = Graph().parse(folder / "dcat-ap-SHACL.ttl", format="turtle")
    if with_ranges:
        # ranges.ttl (the class or datatype of each property's range) refers to property
        # shapes that dcat-ap-SHACL.ttl defines: it is read with that file. Five of its
        # references are defined in neither file, which pyshacl refuses; they are dropped.
        shapes.parse(folder / "ranges.ttl", format="turtle")
        for node, shape in list(shapes.subject_objects(SH.property)):
            if shapes.value(shape, SH.path) is None:
                shapes.remove((node, SH.property, shape))
    return shapes


def shacl_violations(data: Graph, *, with_ranges: bool = False) -> list[str]:
    """One line per result pyshacl reports (any severity): focus node, path, message."""
    folder = require_shapes()
    conforms, report, _text = validate(
        data,
        shacl_graph=_shapes(folder, with_ranges),
        data_graph_format="turtle",
        inference="none",
        abort_on_first=False,
    )
    assert isinstance(report, Graph)
    lines = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        lines.append(
            " | ".join(
                str(report.value(result, predicate))
                for predicate in (SH.focusNode, SH.resultPath, SH.resultMessage)
            )
        )
    assert conforms == (not lines)
    return sorted(lines)
