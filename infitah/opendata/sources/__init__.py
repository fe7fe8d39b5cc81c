"""What the catalogue generates: one `Source` per public register or statistic.

A source turns one collectivity's public data into rows (dicts keyed by the column
names); `datasets_sync` makes one dataset per (collectivity, source) that has rows, and
the download views stream the same rows as CSV, JSON and a Tabular Data Package.
Sources never expose personal data: only what the public pages already show.

Each module of `SOURCE_MODULES` declares `SOURCES: list[Source]`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

from infitah.territories.models import Collectivity

SOURCE_MODULES = (
    "infitah.opendata.sources.cases",  # documents, information requests, complaints, petitions
    "infitah.opendata.sources.participation",  # consultations, labs
    "infitah.opendata.sources.council",  # session decisions and votes
    "infitah.opendata.sources.programme",  # the action plan and its indicators
    "infitah.opendata.sources.finance",  # budget and execution, procurement (OCDS)
    "infitah.openness.dataset",  # the openness index (network-wide)
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """One column: its name in the files and a Table Schema type (string, integer,
    number, boolean, date, datetime, year)."""

    name: str
    type: str
    title_ar: str
    title_fr: str


@dataclass(frozen=True)
class Link:
    """A resource that is not generated from rows (e.g. the OCDS release package)."""

    format: str
    media_type: str
    name_ar: str
    name_fr: str
    url: str


@dataclass(frozen=True)
class Source:
    key: str
    # "{name}" is replaced by the collectivity's name in that language.
    title_ar: str
    title_fr: str
    description_ar: str
    description_fr: str
    columns: tuple[Column, ...]
    # The public rows of one collectivity (None for a network-wide source), in a stable order.
    rows: Callable[[Collectivity | None], Iterable[Row]]
    # The ids of the collectivities that have at least one row (one grouped query);
    # ignored for a network-wide source.
    holders: Callable[[], Iterable[int]] = lambda: ()
    tags: tuple[str, ...] = ()
    theme: str = "GOVE"
    frequency: str = "IRREG"
    network: bool = False
    # (first, last) date the rows cover, or None when unknown.
    temporal: Callable[[Collectivity | None], tuple[dt.date | None, dt.date | None]] | None = None
    # Resources beside CSV, JSON and the data package (absolute paths on this site).
    links: Callable[[Collectivity | None], list[Link]] = field(default=lambda c: [])
    # False for sources whose rows are not a flat table worth a data package.
    datapackage: bool = True


@cache
def registry() -> dict[str, Source]:
    """Every source, by key (imported once)."""
    found: dict[str, Source] = {}
    for module_name in SOURCE_MODULES:
        module = import_module(module_name)
        for source in module.SOURCES:
            if source.key in found or source.key == "upload":
                raise ValueError(f"duplicate open-data source {source.key!r}")
            found[source.key] = source
    return found


def dataset_name(collectivity: Collectivity | None, source_key: str) -> str:
    """A CKAN-valid name: `<collectivity slug>-<source>` (or `network-<source>`), at most
    100 characters."""
    prefix = collectivity.slug if collectivity is not None else "network"
    return f"{prefix}-{source_key}"[:100].strip("-")
