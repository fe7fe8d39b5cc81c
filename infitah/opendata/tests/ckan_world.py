"""Catalogue rows for the CKAN API tests and the package_search benchmark.

- `build_small(make_dataset, a, b)`: four active datasets with known words, tags,
  formats, licences and dates (two of A, one of B, one network-wide) and an inactive
  one of A, which no action may show;
- `datasets_bulk(collectivities, count, modified=…)`: `count` datasets spread over the
  collectivities, written with bulk inserts (two resources and two tags each), as the
  sync writes them (search_text folded by `search_text_of`);
- `ckan_get(client, action, **params)` / `ckan_post(client, action, body)`: one call
  through the Django test client, with its JSON.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.test import Client

from infitah.opendata.models import Dataset, Resource, Tag
from infitah.opendata.sync import search_text_of
from infitah.territories.models import Collectivity

UTC = dt.UTC
BULK_TAGS = ("budget", "documents", "plaintes", "petitions", "consultations", "marches")
BULK_FORMATS = (("CSV", "text/csv"), ("JSON", "application/json"))


@dataclass
class Small:
    """The small world: `documents` and `budget` of A, `complaints` of B, the network's
    `openness`, and `hidden`, an inactive dataset of A."""

    documents: Dataset
    budget: Dataset
    complaints: Dataset
    openness: Dataset
    hidden: Dataset

    @property
    def active(self) -> list[Dataset]:
        return [self.documents, self.budget, self.complaints, self.openness]


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def build_small(make_dataset: Callable[..., Dataset], a: Collectivity, b: Collectivity) -> Small:
    return Small(
        documents=make_dataset(
            a,
            "documents",
            title_ar="سجل الوثائق المنشورة",
            title_fr="Registre des documents publiés",
            description_fr="Les arrêtés et délibérations publiés par la commune.",
            tags=("documents", "transparence"),
            formats=("CSV", "JSON", "datapackage"),
            created=moment("2026-01-10T08:00:00"),
            modified=moment("2026-11-01T10:00:00.123456"),
            frequency="MONTHLY",
            temporal_start=dt.date(2025, 1, 1),
            temporal_end=dt.date(2026, 10, 31),
        ),
        budget=make_dataset(
            a,
            "budget",
            title_ar="الميزانية وتنفيذها",
            title_fr="Budget et exécution",
            description_fr="Les lignes du budget voté et leur exécution.",
            tags=("budget", "finances"),
            formats=("CSV", "JSON"),
            created=moment("2026-02-01T09:00:00"),
            modified=moment("2026-11-20T12:30:00"),
            theme="ECON",
        ),
        complaints=make_dataset(
            b,
            "complaints",
            title_ar="إحصاءات الشكايات",
            title_fr="Statistiques des plaintes",
            description_fr="Plaintes reçues, délais de réponse.",
            tags=("plaintes", "statistiques"),
            formats=("CSV",),
            created=moment("2026-03-01T09:00:00"),
            modified=moment("2026-10-05T07:15:00"),
            license_id="ODbL-1.0",
        ),
        openness=make_dataset(
            None,
            "openness",
            title_ar="مؤشر الانفتاح",
            title_fr="Indice d'ouverture",
            description_fr="Le score d'ouverture de chaque collectivité.",
            tags=("indice", "transparence"),
            formats=("JSON",),
            created=moment("2026-04-01T09:00:00"),
            modified=moment("2026-11-25T18:00:00"),
        ),
        hidden=make_dataset(
            a,
            "petitions",
            title_ar="العرائض",
            title_fr="Pétitions retirées",
            tags=("budget", "secret"),
            formats=("CSV",),
            modified=moment("2026-11-30T10:00:00"),
            is_active=False,
        ),
    )


def datasets_bulk(
    collectivities: Sequence[Collectivity | None],
    count: int,
    *,
    modified: dt.datetime,
    prefix: str = "bulk",
    batch: int = 2000,
) -> list[Dataset]:
    """`count` active datasets, the n-th of collectivities[n % len], named
    `<slug>-<prefix>-<n>`, modified a minute apart before `modified` (the last at it)."""
    tags = {name: Tag.objects.get_or_create(name=name)[0] for name in BULK_TAGS}
    made: list[Dataset] = []
    numbers = iter(range(count))
    while chunk := list(itertools.islice(numbers, batch)):
        rows = []
        for n in chunk:
            collectivity = collectivities[n % len(collectivities)]
            slug = collectivity.slug if collectivity is not None else "network"
            picked = (BULK_TAGS[n % len(BULK_TAGS)], BULK_TAGS[(n // 7) % len(BULK_TAGS)])
            title_fr = f"Jeu {n} de {collectivity.name_fr if collectivity else 'réseau'}"
            title_ar = f"مجموعة {n}"
            when = modified - dt.timedelta(minutes=count - 1 - n)
            rows.append(
                Dataset(
                    name=f"{slug}-{prefix}-{n}"[:100],
                    collectivity=collectivity,
                    source=f"{prefix}-{n}",
                    title_ar=title_ar,
                    title_fr=title_fr,
                    description_fr=f"Données numéro {n}.",
                    license_id="CC-BY-4.0" if n % 3 else "ODbL-1.0",
                    search_text=search_text_of(
                        titles=(title_ar, title_fr),
                        descriptions=(f"Données numéro {n}.",),
                        tags=picked,
                        collectivity=collectivity,
                    ),
                    metadata_created=when,
                    metadata_modified=when,
                )
            )
        datasets = Dataset.objects.bulk_create(rows)
        Resource.objects.bulk_create(
            Resource(
                dataset=d,
                format=fmt,
                media_type=media,
                name_ar=f"البيانات ({fmt})",
                name_fr=f"Données ({fmt})",
                url=f"/data/{d.name}.{fmt.lower()}",
                size=1000 + position,
                position=position,
                last_modified=d.metadata_modified,
            )
            for d in datasets
            for position, (fmt, media) in enumerate(BULK_FORMATS)
        )
        through = Dataset.tags.through
        through.objects.bulk_create(
            through(dataset_id=d.pk, tag_id=tags[name].pk)
            for n, d in zip(chunk, datasets, strict=True)
            for name in {BULK_TAGS[n % len(BULK_TAGS)], BULK_TAGS[(n // 7) % len(BULK_TAGS)]}
        )
        made += datasets
    return made


def ckan_get(client: Client, action: str, **params: Any) -> tuple[int, Any]:
    response = client.get(f"/api/3/action/{action}", params)
    return response.status_code, json.loads(response.content)


def ckan_post(
    client: Client, action: str, body: Any, *, path: str = "/api/action/"
) -> tuple[int, Any]:
    response = client.post(
        f"{path}{action}",
        body if isinstance(body, bytes | str) else json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, json.loads(response.content)
