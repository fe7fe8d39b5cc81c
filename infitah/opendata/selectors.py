"""Reads of the open-data catalogue: the search, one dataset, the filters' choices, a
preview of the rows. Each runs a fixed number of queries, whatever the catalogue's size."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infitah.lib.text import fold_tokens
from infitah.opendata.models import Dataset, Resource
from infitah.opendata.sources import Column, Row, Source, registry
from infitah.territories.models import Collectivity

# The longest search a visitor may type (folded words beyond it are ignored).
MAX_QUERY_TOKENS = 8
_NAME_SLOT = re.compile(r"\s*[—–:-]?\s*\{name\}\s*")


def _with_relations(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return qs.select_related("collectivity").prefetch_related(
        Prefetch("resources", queryset=Resource.objects.order_by("position", "format")),
        "tags",
    )


def dataset_list(
    *,
    q: str = "",
    collectivity: Collectivity | None = None,
    source: str = "",
    format: str = "",
) -> QuerySet[Dataset]:
    """Active datasets matching every folded word of `q` (titles, descriptions, tags,
    publisher names), of one collectivity, source or resource format, by name.

    A queryset for the paginator: one query for the page, one for its resources, one
    for its tags (and the paginator's count)."""
    qs = Dataset.objects.active()
    for token in fold_tokens(q)[:MAX_QUERY_TOKENS]:
        qs = qs.filter(search_text__contains=token)
    if collectivity is not None:
        qs = qs.filter(collectivity=collectivity)
    if source:
        qs = qs.filter(source=source)
    if format:
        # One resource per format and dataset (resource_one_per_format): no duplicates.
        qs = qs.filter(resources__format=format)
    return _with_relations(qs).order_by("name")


def dataset_get(*, name: str) -> Dataset | None:
    """One dataset by name, active or not, with its publisher, resources and tags."""
    if "\x00" in name:
        return None
    return _with_relations(Dataset.objects.filter(name=name)).first()


def dataset_get_generated(*, name: str) -> tuple[Dataset, Source] | None:
    """An active dataset generated from a source that still exists, with that source;
    None for an upload, an inactive dataset or an unknown name."""
    dataset = dataset_get(name=name)
    if dataset is None or not dataset.is_active or dataset.source == Dataset.UPLOAD:
        return None
    source = registry().get(dataset.source)
    if source is None or source.network != (dataset.collectivity_id is None):
        return None
    return dataset, source


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def source_label(source: Source) -> str:
    """A source's title without its publisher ("{name}"), in the active language."""
    french = (get_language() or "ar").startswith("fr")
    title = source.title_fr if french else source.title_ar
    label = _NAME_SLOT.sub(" ", title).strip(" —–:-")
    return label or source.key


@dataclass(frozen=True)
class Facets:
    collectivities: list[Choice]
    sources: list[Choice]
    formats: list[Choice]


def dataset_facets() -> Facets:
    """The choices of the catalogue's filters: the publishers, sources and formats that
    active datasets have (three queries)."""
    french = (get_language() or "ar").startswith("fr")
    publishers = (
        Collectivity.objects.filter(datasets__is_active=True)
        .distinct()
        .only("slug", "name_ar", "name_fr")
        .order_by("name_fr" if french else "name_ar", "slug")
    )
    sources = registry()
    keys = Dataset.objects.active().values_list("source", flat=True).distinct().order_by("source")
    formats = (
        Resource.objects.filter(dataset__is_active=True)
        .values_list("format", flat=True)
        .distinct()
        .order_by("format")
    )
    labels = {Dataset.UPLOAD: str(_("Files added by the collectivities"))}
    labels.update({key: source_label(source) for key, source in sources.items()})
    source_choices = [Choice(key, labels.get(key, key)) for key in keys]
    return Facets(
        collectivities=[Choice(c.slug, c.name) for c in publishers],
        sources=sorted(source_choices, key=lambda c: c.label),
        formats=[Choice(f, f) for f in formats],
    )


@dataclass(frozen=True)
class Preview:
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    total: int


def dataset_preview(*, dataset: Dataset, limit: int = 10) -> Preview | None:
    """The first `limit` rows of a generated dataset, as its files give them (None for
    an upload or an inactive dataset)."""
    found = dataset_get_generated(name=dataset.name) if dataset.is_active else None
    if found is None:
        return None
    source = found[1]
    rows: list[Row] = list(islice(iter(source.rows(dataset.collectivity)), limit))
    return Preview(
        columns=source.columns,
        rows=[[row.get(c.name) for c in source.columns] for row in rows],
        total=dataset.row_count,
    )
