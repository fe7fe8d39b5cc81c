"""Fixtures of the open-data tests (collectivities A and B, `staff_for` and `charlie`
come from the root conftest); other helpers' tests (CKAN, DCAT) reuse them.

- `make_dataset(collectivity, source="documents", **fields)`: a Dataset written directly
  in the ORM with its tags and resources (CSV and JSON by default, each pointing at the
  generated file's path; `formats=("CSV", "JSON", "datapackage")` for more, and for
  `source="upload"` one resource of `formats[0]`, default "CSV"). Fields: `name`,
  `title_ar`, `title_fr`, `description_ar`, `description_fr`, `tags`, `modified`,
  `created`, `is_active`, `theme`, `frequency`, `temporal_start`, `temporal_end`,
  `row_count`, `digest`, `license_id`. One dataset per (collectivity, source): give a
  distinct `source` for several (an unknown source key is fine here: its files 404).
- `csv_upload(name, text)`: an uploaded CSV file that passes the upload checks;
- `open_data_category`: the publication category "open-data" (migration 0002);
- `publish_open_data(collectivity, actor, ...)`: a staff upload through the publication
  service, in the open-data category;
- `world`: A and B with documents, information requests, complaints and petitions
  written through their services (`infitah/opendata/tests/world.py`);
- `case_sources`: `datasets_sync` sees only the sources of `sources/cases.py` (a dict
  the test may add to or remove from), whatever the other apps declare;
- stored files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import User
from infitah.opendata import sync
from infitah.opendata.files import CSV_MEDIA_TYPE, DATAPACKAGE_MEDIA_TYPE, JSON_MEDIA_TYPE
from infitah.opendata.models import Dataset, Resource, Tag
from infitah.opendata.sources import Source, dataset_name
from infitah.opendata.sources.cases import SOURCES
from infitah.opendata.sync import UPLOAD_CATEGORY, search_text_of
from infitah.opendata.tests.world import World, build_world
from infitah.publication.models import Category, Document, Language
from infitah.publication.services import document_publish
from infitah.territories.models import Collectivity

MEDIA = {"CSV": CSV_MEDIA_TYPE, "JSON": JSON_MEDIA_TYPE, "datapackage": DATAPACKAGE_MEDIA_TYPE}
SUFFIX = {"CSV": ".csv", "JSON": ".json", "datapackage": "/datapackage.json"}
SAMPLE_CSV = "year,amount\r\n2025,10\r\n2026,12\r\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_dataset(db: None) -> Callable[..., Dataset]:
    counter = itertools.count(1)

    def make(
        collectivity: Collectivity | None,
        source: str = "documents",
        *,
        name: str | None = None,
        title_ar: str | None = None,
        title_fr: str | None = None,
        description_ar: str = "وصف",
        description_fr: str = "Description",
        tags: Sequence[str] = ("documents",),
        formats: Sequence[str] | None = None,
        modified: dt.datetime | None = None,
        created: dt.datetime | None = None,
        **fields: Any,
    ) -> Dataset:
        n = next(counter)
        is_upload = source == Dataset.UPLOAD
        if name is None:
            name = (
                f"{collectivity.slug if collectivity else 'network'}-upload-{n}"
                if is_upload
                else dataset_name(collectivity, source)
            )
        where = collectivity.name_fr if collectivity else "le réseau"
        title_ar = f"مجموعة بيانات {n}" if title_ar is None else title_ar
        title_fr = f"Jeu de données {n} — {where}" if title_fr is None else title_fr
        modified = modified or timezone.now()
        fields.setdefault("license_id", django_settings.INFITAH_OPENDATA_LICENSE)
        fields.setdefault("digest", f"{n:064x}")
        fields.setdefault("row_count", 2)
        dataset = Dataset.objects.create(
            name=name,
            collectivity=collectivity,
            source=source,
            document_series=uuid.uuid4() if is_upload else None,
            title_ar=title_ar,
            title_fr=title_fr,
            description_ar=description_ar,
            description_fr=description_fr,
            search_text=search_text_of(
                titles=(title_ar, title_fr),
                descriptions=(description_ar, description_fr),
                tags=tags,
                collectivity=collectivity,
            ),
            metadata_created=created or modified,
            metadata_modified=modified,
            **fields,
        )
        dataset.tags.set([Tag.objects.get_or_create(name=t)[0] for t in tags])
        wanted = list(formats or (["CSV"] if is_upload else ["CSV", "JSON"]))
        for position, fmt in enumerate(wanted):
            if is_upload:
                url = f"/ar/c/{collectivity.slug if collectivity else 'x'}/documents/{n}/file"
            else:
                url = f"/data/{name}{SUFFIX.get(fmt, '.' + fmt.lower())}"
            Resource.objects.create(
                dataset=dataset,
                format=fmt,
                media_type=MEDIA.get(fmt, "application/octet-stream"),
                name_ar=f"البيانات ({fmt})",
                name_fr=f"Données ({fmt})",
                url=url,
                size=100 + position,
                position=position,
                last_modified=modified,
            )
        return dataset

    return make


@pytest.fixture
def csv_upload() -> Callable[..., SimpleUploadedFile]:
    def make(name: str = "data.csv", text: str = SAMPLE_CSV) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")

    return make


@pytest.fixture
def open_data_category(db: None) -> Category:
    return Category.objects.get(code=UPLOAD_CATEGORY)


@pytest.fixture
def publish_open_data(
    open_data_category: Category, csv_upload: Callable[..., SimpleUploadedFile]
) -> Callable[..., Document]:
    def publish(
        collectivity: Collectivity,
        actor: User,
        *,
        title_ar: str = "عدد السكان حسب الحي",
        title_fr: str = "Population par quartier",
        text: str = SAMPLE_CSV,
        name: str = "population.csv",
        date: dt.date | None = None,
        **extra: Any,
    ) -> Document:
        return document_publish(
            collectivity=collectivity,
            actor=actor,
            category=open_data_category,
            title_ar=title_ar,
            title_fr=title_fr,
            date=date or dt.date(2026, 3, 16),
            language=Language.MIXED,
            upload=csv_upload(name, text),
            **extra,
        )

    return publish


@pytest.fixture
def world(collectivity_a: Collectivity, collectivity_b: Collectivity) -> World:
    return build_world(collectivity_a, collectivity_b)


@pytest.fixture
def case_sources(monkeypatch: pytest.MonkeyPatch) -> dict[str, Source]:
    found = {s.key: s for s in SOURCES}
    monkeypatch.setattr(sync, "registry", lambda: found)
    return found
