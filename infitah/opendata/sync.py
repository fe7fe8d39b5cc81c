"""Keep the catalogue in step with the platform's data (docs/opendata.md).

`datasets_sync` builds, for every source of `infitah.opendata.sources.registry()` and
every collectivity that holds rows of it (or once, for a network-wide source), the
rows, their SHA-256 (`files.rows_digest`) and the dataset's record, and writes the
`Dataset`, its `Tag`s and its `Resource`s (CSV, JSON, the data package, the source's
links). Staff uploads are datasets too: every current published document of the
publication category "open-data" is one (source "upload", keyed by its series).

A run is idempotent: a record equal to the stored one writes nothing, so a second run
changes nothing. `metadata_modified` moves when the rows' digest changes, and when the
record itself changes (titles, tags, licence, coverage, resources, active or not), as
CKAN moves it on any change of a package. A dataset that has no rows any more (or
whose document was withdrawn, or whose source was removed) becomes inactive; nothing is
ever deleted, so names and ids stay valid.

`datasets_sync_changed` is the incremental run of the tick: only the collectivities
named by the case events (and the documents and signatures) since the last run, plus
the network-wide sources; the first run of each day (local time) is a full one, which
catches what no event records (a request becoming "deemed refused" at midnight).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from infitah.ledger.models import Event
from infitah.lib.pagecache import bump
from infitah.lib.text import fold
from infitah.lib.uploads import CONTENT_TYPES
from infitah.opendata import files
from infitah.opendata.models import Dataset, Frequency, Resource, SyncState, Tag
from infitah.opendata.sources import Link, Row, Source, dataset_name, registry
from infitah.petitions.models import Signature
from infitah.publication.models import Document
from infitah.territories.models import Collectivity

# The publication category of staff uploads (created by migration 0002).
UPLOAD_CATEGORY = "open-data"
# SyncState keys: where the incremental run starts; when the last full run started.
STATE_KEY = "datasets"
FULL_STATE_KEY = "datasets.full"
PAGE_CACHE_NAMESPACE = "opendata"
# The publisher of a network-wide dataset, for "{name}" in its titles.
NETWORK_NAME_AR = "شبكة انفتاح"
NETWORK_NAME_FR = "le réseau Infitah"
# Names of the generated resources, by format (ar, fr).
RESOURCE_NAMES = {
    "CSV": ("البيانات (CSV)", "Données (CSV)"),
    "JSON": ("البيانات (JSON)", "Données (JSON)"),
    "datapackage": (
        "حزمة البيانات الجدولية (Data Package)",
        "Paquet de données tabulaires (Data Package)",
    ),
}
_TAG_INVALID = re.compile(r"[^\w .-]+", re.UNICODE)


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)

    def __str__(self) -> str:
        return str(
            _(
                "%(created)d created, %(updated)d updated, %(deactivated)d deactivated, %(unchanged)d unchanged"
            )
            % {
                "created": len(self.created),
                "updated": len(self.updated),
                "deactivated": len(self.deactivated),
                "unchanged": self.unchanged,
            }
        )


@dataclass(frozen=True)
class _Resource:
    format: str
    media_type: str
    name_ar: str
    name_fr: str
    url: str
    size: int | None


@dataclass
class _Record:
    """What one dataset should be (everything but its name, id and dates)."""

    collectivity: Collectivity | None
    source: str
    title_ar: str
    title_fr: str
    description_ar: str
    description_fr: str
    tags: tuple[str, ...]
    theme: str
    frequency: str
    temporal_start: dt.date | None
    temporal_end: dt.date | None
    digest: str
    row_count: int
    resources: list[_Resource]
    document_series: UUID | None = None
    name_hint: str = ""

    def fields(self) -> dict[str, Any]:
        return {
            "title_ar": self.title_ar,
            "title_fr": self.title_fr,
            "description_ar": self.description_ar,
            "description_fr": self.description_fr,
            "theme": self.theme,
            "frequency": self.frequency,
            "license_id": settings.INFITAH_OPENDATA_LICENSE,
            "temporal_start": self.temporal_start,
            "temporal_end": self.temporal_end,
            "digest": self.digest,
            "row_count": self.row_count,
            "search_text": search_text_of(
                titles=(self.title_ar, self.title_fr),
                descriptions=(self.description_ar, self.description_fr),
                tags=self.tags,
                collectivity=self.collectivity,
            ),
            "is_active": True,
        }


def tag_name(text: str) -> str:
    """A CKAN-valid tag: lower case, letters, digits, spaces, - _ . (at most 100)."""
    return " ".join(_TAG_INVALID.sub(" ", text.lower()).split())[:100]


def search_text_of(
    *,
    titles: Iterable[str],
    descriptions: Iterable[str],
    tags: Iterable[str],
    collectivity: Collectivity | None,
) -> str:
    """The folded text that the catalogue's search and CKAN's `q` look in."""
    names = (
        (collectivity.name_ar, collectivity.name_fr, collectivity.slug)
        if collectivity is not None
        else (NETWORK_NAME_AR, NETWORK_NAME_FR)
    )
    return fold(" ".join([*titles, *descriptions, *tags, *names]))


def _fill(template: str, name: str) -> str:
    return template.replace("{name}", name)


# --------------------------------------------------------------------------- records


def _generated_resources(
    *, name: str, source: Source, collectivity: Collectivity | None, sizes: dict[str, int | None]
) -> list[_Resource]:
    urls = files.file_urls(name)
    media = {
        "CSV": files.CSV_MEDIA_TYPE,
        "JSON": files.JSON_MEDIA_TYPE,
        "datapackage": files.DATAPACKAGE_MEDIA_TYPE,
    }
    formats = ["CSV", "JSON", *(["datapackage"] if source.datapackage else [])]
    found = [
        _Resource(
            format=f,
            media_type=media[f],
            name_ar=RESOURCE_NAMES[f][0],
            name_fr=RESOURCE_NAMES[f][1],
            url=urls[f],
            size=sizes.get(f),
        )
        for f in formats
    ]
    links: list[Link] = source.links(collectivity)
    found.extend(
        _Resource(
            format=link.format,
            media_type=link.media_type,
            name_ar=link.name_ar,
            name_fr=link.name_fr,
            url=link.url,
            size=None,
        )
        for link in links
        if link.format not in formats
    )
    return found


def _generated_record(
    *, source: Source, collectivity: Collectivity | None, existing: Dataset | None
) -> _Record | None:
    """The record of (source, collectivity), or None when it has no rows."""
    rows: Sequence[Row] = list(source.rows(collectivity))
    if not rows:
        return None
    digest = files.rows_digest(source.columns, rows)
    name = existing.name if existing is not None else dataset_name(collectivity, source.key)
    licence = settings.INFITAH_OPENDATA_LICENSE
    if existing is not None and (existing.digest, existing.license_id) == (digest, licence):
        # Same rows, same files: keep the sizes measured when they were written.
        sizes = {r.format: r.size for r in existing.resources.all()}
    else:
        sizes = {
            "CSV": files.encoded_size(files.csv_chunks(source.columns, rows)),
            "JSON": files.encoded_size(
                files.json_chunks(
                    name=name,
                    license_id=licence,
                    columns=source.columns,
                    rows=rows,
                )
            ),
        }
    if collectivity is not None:
        name_ar, name_fr = collectivity.name_ar, collectivity.name_fr
    else:
        name_ar, name_fr = NETWORK_NAME_AR, NETWORK_NAME_FR
    start, end = source.temporal(collectivity) if source.temporal is not None else (None, None)
    return _Record(
        collectivity=collectivity,
        source=source.key,
        title_ar=_fill(source.title_ar, name_ar),
        title_fr=_fill(source.title_fr, name_fr),
        description_ar=_fill(source.description_ar, name_ar),
        description_fr=_fill(source.description_fr, name_fr),
        tags=tuple(dict.fromkeys(t for t in (tag_name(t) for t in source.tags) if t)),
        theme=source.theme,
        frequency=source.frequency,
        temporal_start=start,
        temporal_end=end,
        digest=digest,
        row_count=len(rows),
        resources=_generated_resources(
            name=name, source=source, collectivity=collectivity, sizes=sizes
        ),
        name_hint=name,
    )


_CATEGORY_FREQUENCY = {
    "monthly": Frequency.MONTHLY,
    "quarterly": Frequency.QUARTERLY,
    "yearly": Frequency.ANNUAL,
}


def _upload_record(document: Document) -> _Record:
    """The record of a staff upload: the document's current version is the data."""
    category = document.category
    collectivity = document.collectivity
    with translation.override(settings.LANGUAGE_CODE):
        url = reverse("publication:file", kwargs={"slug": collectivity.slug, "pk": document.pk})
    file_type = document.file_type
    resource = _Resource(
        format=file_type.upper(),
        media_type=CONTENT_TYPES.get(file_type, "application/octet-stream").split(";")[0],
        name_ar=document.original_name[:200],
        name_fr=document.original_name[:200],
        url=url,
        size=document.size,
    )
    words = slugify(document.title_fr or "")[:60].strip("-") or "data"
    return _Record(
        collectivity=collectivity,
        source=Dataset.UPLOAD,
        title_ar=document.title_ar,
        title_fr=document.title_fr,
        description_ar=category.description_ar,
        description_fr=category.description_fr,
        tags=(),
        theme="GOVE",
        frequency=_CATEGORY_FREQUENCY.get(category.frequency, Frequency.IRREGULAR),
        temporal_start=document.period_start or document.date,
        temporal_end=document.period_end or document.date,
        digest=document.sha256,
        row_count=0,
        resources=[resource],
        document_series=document.series,
        name_hint=f"{collectivity.slug}-{words}-{document.series.hex[:8]}",
    )


# ---------------------------------------------------------------------------- writes


class _Writer:
    """Writes records, remembering the tags it has met (one query per new tag)."""

    def __init__(self, now: dt.datetime, result: SyncResult) -> None:
        self.now = now
        self.result = result
        self.tags: dict[str, Tag] = {}

    def _tags(self, names: Iterable[str]) -> list[Tag]:
        found = []
        for name in names:
            if name not in self.tags:
                self.tags[name] = Tag.objects.get_or_create(name=name)[0]
            found.append(self.tags[name])
        return found

    @staticmethod
    def _free_name(base: str) -> str:
        """`base` (cut to 100 characters), or with "-2", "-3"… when another dataset
        has it (two slugs and keys may join into one name)."""
        base = base[:100].strip("-")
        name, n = base, 1
        while Dataset.objects.filter(name=name).exists():
            n += 1
            suffix = f"-{n}"
            name = base[: 100 - len(suffix)].rstrip("-") + suffix
        return name

    def _resources_equal(self, dataset: Dataset, record: _Record) -> bool:
        stored = {
            r.format: (r.media_type, r.name_ar, r.name_fr, r.url, r.size, r.position)
            for r in dataset.resources.all()
        }
        wanted = {
            r.format: (r.media_type, r.name_ar, r.name_fr, r.url, r.size, i)
            for i, r in enumerate(record.resources)
        }
        return stored == wanted

    def _write_resources(self, dataset: Dataset, record: _Record, *, data_changed: bool) -> None:
        stored = {r.format: r for r in dataset.resources.all()}
        wanted = {r.format for r in record.resources}
        Resource.objects.filter(dataset=dataset).exclude(format__in=wanted).delete()
        for position, item in enumerate(record.resources):
            values = {
                "media_type": item.media_type,
                "name_ar": item.name_ar,
                "name_fr": item.name_fr,
                "url": item.url,
                "size": item.size,
                "position": position,
            }
            old = stored.get(item.format)
            if old is None:
                Resource.objects.create(
                    dataset=dataset, format=item.format, last_modified=self.now, **values
                )
            elif data_changed or any(getattr(old, k) != v for k, v in values.items()):
                for key, value in values.items():
                    setattr(old, key, value)
                old.last_modified = self.now
                old.save()

    def _create(self, record: _Record, fields: dict[str, Any]) -> None:
        try:
            with transaction.atomic():
                dataset = Dataset.objects.create(
                    name=self._free_name(record.name_hint),
                    collectivity=record.collectivity,
                    source=record.source,
                    document_series=record.document_series,
                    metadata_created=self.now,
                    metadata_modified=self.now,
                    **fields,
                )
                dataset.tags.set(self._tags(record.tags))
                self._write_resources(dataset, record, data_changed=True)
        except IntegrityError:
            # Another run (a tick beside the demo) created it meanwhile: its record is
            # this one's, and the next run compares them.
            self.tags.clear()
            self.result.unchanged += 1
            return
        self.result.created.append(dataset.name)

    def write(self, record: _Record, existing: Dataset | None) -> None:
        fields = record.fields()
        if existing is None:
            self._create(record, fields)
            return
        with transaction.atomic():
            same = (
                all(getattr(existing, k) == v for k, v in fields.items())
                and sorted(t.name for t in existing.tags.all()) == sorted(record.tags)
                and self._resources_equal(existing, record)
            )
            if same:
                self.result.unchanged += 1
                return
            data_changed = existing.digest != record.digest
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.metadata_modified = self.now
            existing.save()
            existing.tags.set(self._tags(record.tags))
            self._write_resources(existing, record, data_changed=data_changed)
            self.result.updated.append(existing.name)

    def deactivate(self, dataset: Dataset) -> None:
        if not dataset.is_active:
            return
        dataset.is_active = False
        dataset.metadata_modified = self.now
        dataset.save(update_fields=["is_active", "metadata_modified"])
        self.result.deactivated.append(dataset.name)


def _existing(qs: QuerySet[Dataset]) -> list[Dataset]:
    return list(
        qs.select_related("collectivity").prefetch_related("tags", "resources").order_by("name")
    )


def _sync_sources(writer: _Writer, ids: set[int] | None, sources: dict[str, Source]) -> None:
    """Every source's datasets, one source at a time (so that a full run holds one
    source's datasets in memory, not the whole catalogue's)."""
    collectivities: dict[int, Collectivity] = {}
    for key in sorted(sources):
        source = sources[key]
        stored = Dataset.objects.filter(source=key)
        if source.network:
            stored = stored.filter(collectivity__isnull=True)
        elif ids is not None:
            stored = stored.filter(collectivity_id__in=ids)
        existing = {d.collectivity_id: d for d in _existing(stored)}
        if source.network:
            targets: list[int | None] = [None]
        else:
            holders = set(source.holders())
            if ids is not None:
                holders &= ids
            found = sorted(holders | {cid for cid in existing if cid is not None})
            missing = [cid for cid in found if cid not in collectivities]
            collectivities.update(Collectivity.objects.in_bulk(missing))
            targets = [*found]
        for cid in targets:
            collectivity = collectivities.get(cid) if cid is not None else None
            if cid is not None and collectivity is None:
                continue
            record = _generated_record(
                source=source, collectivity=collectivity, existing=existing.get(cid)
            )
            if record is not None:
                writer.write(record, existing.get(cid))
            elif cid in existing:
                writer.deactivate(existing[cid])
    # The datasets of sources that no longer exist.
    gone = Dataset.objects.active().exclude(source__in=[*sources, Dataset.UPLOAD])
    if ids is not None:
        gone = gone.filter(Q(collectivity_id__in=ids) | Q(collectivity__isnull=True))
    for dataset in gone.order_by("name"):
        writer.deactivate(dataset)


def _sync_uploads(writer: _Writer, ids: set[int] | None) -> None:
    documents = (
        Document.objects.published()
        .filter(category__code=UPLOAD_CATEGORY)
        .select_related("collectivity", "category")
        .order_by("pk")
    )
    stored = Dataset.objects.filter(source=Dataset.UPLOAD)
    if ids is not None:
        documents = documents.filter(collectivity_id__in=ids)
        stored = stored.filter(collectivity_id__in=ids)
    by_series = {d.document_series: d for d in _existing(stored)}
    current: set[UUID] = set()
    for document in documents:
        current.add(document.series)
        writer.write(_upload_record(document), by_series.get(document.series))
    for series, dataset in sorted(by_series.items(), key=lambda item: item[1].name):
        if series not in current:
            writer.deactivate(dataset)


def datasets_sync(
    *, collectivity_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> SyncResult:
    """Bring the catalogue up to date (see the module docstring).

    With `collectivity_ids`, only those collectivities' datasets (and the network-wide
    ones); otherwise every dataset, and the incremental runs start from `now`.
    Side effects: Dataset, Tag and Resource rows; the catalogue pages' cache.
    """
    now = now or timezone.now()
    ids = None if collectivity_ids is None else set(collectivity_ids)
    result = SyncResult()
    writer = _Writer(now, result)
    _sync_sources(writer, ids, registry())
    _sync_uploads(writer, ids)
    if ids is None:
        for key in (STATE_KEY, FULL_STATE_KEY):
            SyncState.objects.update_or_create(key=key, defaults={"synced_at": now})
    if result.changed:
        bump(PAGE_CACHE_NAMESPACE)
        if result.created or result.deactivated:
            # A collectivity's home links its datasets only when it has some.
            bump("territories")
    return result


def changed_collectivities(since: dt.datetime) -> set[int] | None:
    """The collectivities whose public data may have changed since `since`: named by a
    case event, a document published or withdrawn, a signature confirmed. None when a
    network-wide event (a change of the legal calendar) may have changed them all."""
    events = Event.objects.filter(at__gt=since).values_list("collectivity_id", flat=True)
    ids: set[int] = set()
    for cid in events.distinct():
        if cid is None:
            return None
        ids.add(cid)
    ids.update(
        Document.objects.filter(published_at__gt=since)
        .values_list("collectivity_id", flat=True)
        .distinct()
    )
    ids.update(
        Document.objects.filter(withdrawn_at__gt=since)
        .values_list("collectivity_id", flat=True)
        .distinct()
    )
    ids.update(
        Signature.objects.filter(confirmed_at__gt=since)
        .values_list("petition__collectivity_id", flat=True)
        .distinct()
    )
    return ids


def datasets_sync_changed(*, now: dt.datetime | None = None) -> SyncResult:
    """The incremental run (the tick): the collectivities changed since the last run
    (`changed_collectivities`) and the network-wide sources. A full run the first time,
    after a network-wide event, and once a day (the first run after local midnight,
    which catches what the calendar alone changes: requests deemed refused, petitions'
    deadlines). Stores `now` as the next run's start."""
    now = now or timezone.now()
    states = {
        s.key: s.synced_at for s in SyncState.objects.filter(key__in=[STATE_KEY, FULL_STATE_KEY])
    }
    last_full = states.get(FULL_STATE_KEY)
    if (
        STATE_KEY not in states
        or last_full is None
        or timezone.localdate(last_full) < timezone.localdate(now)
    ):
        return datasets_sync(now=now)
    ids = changed_collectivities(states[STATE_KEY])
    if ids is None:
        return datasets_sync(now=now)
    result = datasets_sync(collectivity_ids=ids, now=now)
    SyncState.objects.update_or_create(key=STATE_KEY, defaults={"synced_at": now})
    return result
