"""Writes to the tree of collectivities: shipped reference data and file imports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from infitah.lib import pagecache
from infitah.lib.text import fold
from infitah.territories.importers import (
    GROUP_OF_KIND,
    Group,
    ImportFormatError,
    ImportReport,
    Record,
    ReferenceEntry,
    ordered,
    read_reference,
)
from infitah.territories.models import Collectivity, Kind

PAGECACHE_NAMESPACE = "territories"
_SLUG_MAX = 120
_SLUG_STEM_MAX = 80


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


# --- Slugs ------------------------------------------------------------------------------


def _slug_stem(name_fr: str, code: str) -> str:
    stem = slugify(name_fr)[:_SLUG_STEM_MAX].strip("-")
    return stem or slugify(code.replace("_", "-"))[:_SLUG_STEM_MAX] or "collectivity"


def _allocate_slug(candidates: Iterable[str], taken: dict[str, str], kind: str) -> str:
    """The first free candidate, else the last one numbered; records it in `taken`."""
    last = ""
    for candidate in candidates:
        candidate = candidate[:_SLUG_MAX].strip("-")
        if not candidate:
            continue
        last = candidate
        if candidate not in taken:
            taken[candidate] = kind
            return candidate
    n = 2
    while f"{last}-{n}" in taken:
        n += 1
    taken[f"{last}-{n}"] = kind
    return f"{last}-{n}"


def _commune_slug(name_fr: str, code: str, parent: Collectivity, taken: dict[str, str]) -> str:
    """The plain slug of the name; a suffix only when it is taken.

    Taken by a prefecture or province ("marrakech"): "-commune"; taken by a homonymous
    commune: the parent's slug ("akhfennir-tarfaya"); then the dataset code.
    """
    plain = _slug_stem(name_fr, code)
    candidates = [plain]
    if taken.get(plain, Kind.COMMUNE) != Kind.COMMUNE:
        candidates.append(f"{plain}-commune")
    if parent.slug != plain:
        candidates.append(f"{plain}-{parent.slug}")
    candidates.append(f"{plain}-{slugify(code.replace('_', '-'))}")
    return _allocate_slug(candidates, taken, Kind.COMMUNE)


# --- Field comparison -------------------------------------------------------------------


def _apply(row: Collectivity, desired: dict[str, Any]) -> bool:
    """Set the fields of `desired` that differ; True if any did."""
    changed = False
    for name, value in desired.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _create(kind: str, slug: str, desired: dict[str, Any]) -> Collectivity:
    row = Collectivity(kind=kind, slug=slug, **desired)
    row.save()
    return row


# --- Reference data ---------------------------------------------------------------------


def _names_match(row: Collectivity, name_ar: str, name_fr: str) -> bool:
    return fold(row.name_fr) == fold(name_fr) or fold(row.name_ar) == fold(name_ar)


def _find_reference_row(
    entry: ReferenceEntry,
    rows: Sequence[Collectivity],
    region: Collectivity | None,
    claimed: set[int],
) -> Collectivity | None:
    """The stored row of a reference entry: by official code, dataset id, slug, then name.

    Names are compared folded, and for a prefecture or province only within its region.
    """
    group = [r for r in rows if GROUP_OF_KIND[r.kind] == entry.group and r.pk not in claimed]
    plain = _slug_stem(entry.name_fr, entry.code)
    tests: list[Callable[[Collectivity], bool]] = [
        lambda r: bool(entry.code) and r.code == entry.code,
        lambda r: bool(entry.dataset_id) and r.code == entry.dataset_id,
        lambda r: r.slug == plain,
        lambda r: (
            (region is None or r.region_id == region.pk)
            and _names_match(r, entry.name_ar, entry.name_fr)
        ),
    ]
    for test in tests:
        for row in group:
            if test(row):
                return row
    return None


@dataclass
class _ReferenceMatch:
    rows: dict[ReferenceEntry, Collectivity] = field(default_factory=dict)
    missing: list[ReferenceEntry] = field(default_factory=list)


def _match_reference(rows: Sequence[Collectivity]) -> _ReferenceMatch:
    match = _ReferenceMatch()
    claimed: set[int] = set()
    regions: dict[str, Collectivity] = {}
    for entry in read_reference():
        region = None if entry.kind == Kind.REGION else regions.get(entry.region_code)
        row = None
        if entry.kind == Kind.REGION or region is not None:
            row = _find_reference_row(entry, rows, region, claimed)
        if row is None:
            match.missing.append(entry)
            continue
        claimed.add(row.pk)
        match.rows[entry] = row
        if entry.kind == Kind.REGION:
            regions[entry.code] = row
    return match


@transaction.atomic
def reference_load(*, stdout: Writer | None = None) -> ImportReport:
    """Create or update the shipped 12 regions and 75 prefectures and provinces.

    Idempotent: rows are matched (official code, dataset id, slug, folded name) and only
    rows whose fields differ are saved. The reference wins: names, kind, code, parent and
    region are set from it; population only where the reference has one. Slugs of
    existing rows never change. Bumps the "territories" page cache after a change.
    """
    report = ImportReport()
    rows = list(Collectivity.objects.territorial().exclude(kind=Kind.COMMUNE))
    taken: dict[str, str] = dict(Collectivity.objects.values_list("slug", "kind"))
    match = _match_reference(rows)
    claimed = {row.pk for row in match.rows.values()}
    regions: dict[str, Collectivity] = {}
    for entry in read_reference():
        region = regions.get(entry.region_code) if entry.kind != Kind.REGION else None
        desired: dict[str, Any] = {
            "kind": entry.kind,
            "code": entry.code,
            "name_ar": entry.name_ar,
            "name_fr": entry.name_fr,
            "parent_id": region.pk if region else None,
            "region_id": region.pk if region else None,
        }
        if entry.population is not None:
            desired["population"] = entry.population
            desired["population_source"] = entry.population_source
        row = match.rows.get(entry)
        if row is None:
            # Matched again here: its region may have been created in this pass.
            row = _find_reference_row(entry, rows, region, claimed)
        if row is None:
            plain = _slug_stem(entry.name_fr, entry.code)
            slug = _allocate_slug([plain, f"{plain}-{entry.kind}"], taken, entry.kind)
            del desired["kind"]
            row = _create(entry.kind, slug, desired)
            report.add(entry.kind, "created")
        elif _apply(row, desired):
            row.save()
            report.add(entry.kind, "updated")
        else:
            report.add(entry.kind, "unchanged")
        claimed.add(row.pk)
        if entry.kind == Kind.REGION:
            regions[entry.code] = row
    if report.changed:
        transaction.on_commit(lambda: pagecache.bump(PAGECACHE_NAMESPACE))
    if stdout is not None:
        stdout.write(_("Reference data:"))
        for line in report.lines():
            stdout.write(f"  {line}")
    return report


# --- Imports ----------------------------------------------------------------------------


@dataclass
class _Index:
    """Every stored collectivity, indexed for the lookups of one import (one query)."""

    rows: list[Collectivity]
    by_code: dict[tuple[Group, str], Collectivity] = field(default_factory=dict)
    by_slug: dict[tuple[Group, str], Collectivity] = field(default_factory=dict)
    reference: dict[tuple[Group, str], Collectivity] = field(default_factory=dict)
    reference_entry: dict[int, ReferenceEntry] = field(default_factory=dict)
    uncoded_communes: dict[tuple[int | None, str], Collectivity] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Index:
        index = cls(rows=list(Collectivity.objects.territorial()))
        for row in index.rows:
            group = GROUP_OF_KIND[row.kind]
            if row.code:
                index.by_code[(group, row.code)] = row
            index.by_slug[(group, row.slug)] = row
            if row.kind == Kind.COMMUNE and not row.code:
                index.uncoded_communes.setdefault((row.parent_id, fold(row.name_fr)), row)
                index.uncoded_communes.setdefault((row.parent_id, fold(row.name_ar)), row)
        for entry, row in _match_reference(index.rows).rows.items():
            index.reference_entry[row.pk] = entry
            for key in (entry.code, entry.dataset_id):
                if key:
                    index.reference[(entry.group, key)] = row
        return index

    def adopt_commune(self, record: Record, parent: Collectivity) -> Collectivity | None:
        """A stored commune without code, of the same parent and folded name (e.g. a demo)."""
        for name in (record.name_fr, record.name_ar):
            row = self.uncoded_communes.pop((parent.pk, fold(name)), None)
            if row is not None and not row.code:
                return row
        return None

    def reference_by_name(self, record: Record, region: Collectivity | None) -> Collectivity | None:
        rows = {r.pk: r for r in self.rows}
        for row_pk, entry in self.reference_entry.items():
            if entry.group != record.group:
                continue
            row = rows[row_pk]
            if region is not None and row.region_id != region.pk:
                continue
            if fold(entry.name_fr) == fold(record.name_fr) or fold(entry.name_ar) == fold(
                record.name_ar
            ):
                return row
        return None


def _reference_keys() -> set[tuple[Group, str]]:
    keys: set[tuple[Group, str]] = set()
    for entry in read_reference():
        keys.add((entry.group, _slug_stem(entry.name_fr, entry.code)))
        for key in (entry.code, entry.dataset_id):
            if key:
                keys.add((entry.group, key))
    return keys


def _validate(records: Sequence[Record]) -> None:
    """Refuse duplicate records and parents that neither the input nor the database know."""
    seen: dict[tuple[Group, str], Record] = {}
    for record in records:
        key = (record.group, record.code)
        if key in seen:
            raise ImportFormatError(
                _("%(origin)s: duplicate code %(code)r (also %(other)s).")
                % {"origin": record.origin, "code": record.code, "other": seen[key].origin}
            )
        seen[key] = record
    known = set(seen) | _reference_keys()
    # The tree only: the network's own space (Kind.NETWORK) belongs to no group.
    for group, code, slug in Collectivity.objects.territorial().values_list("kind", "code", "slug"):
        known.add((GROUP_OF_KIND[group], slug))
        if code:
            known.add((GROUP_OF_KIND[group], code))
    for record in records:
        if record.parent_group and (record.parent_group, record.parent_code) not in known:
            raise ImportFormatError(
                _("%(origin)s: unknown parent %(parent)r.")
                % {"origin": record.origin, "parent": record.parent_code}
            )


def _population_fields(record: Record) -> dict[str, Any]:
    if record.population is None:
        return {}
    return {"population": record.population, "population_source": record.population_source}


@transaction.atomic
def territories_import(*, records: Sequence[Record], dry_run: bool = False) -> ImportReport:
    """Create or update collectivities from records read by `importers.read_path`.

    Preconditions: none on the database; the shipped reference regions, prefectures and
    provinces are loaded first if any is missing. Everything is validated before the
    first write (ImportFormatError, nothing written), then written in one transaction.
    Matching: communes by code (the dataset id), else an uncoded commune of the same
    parent and folded name; regions, prefectures and provinces by the reference (code,
    dataset id, folded name), whose names win, else by code, else by folded name within
    the region. Only changed rows are saved; a population is never cleared. A dry run
    rolls everything back. Bumps the "territories" page cache after a change.
    """
    records = ordered(records)
    _validate(records)
    report = ImportReport(dry_run=dry_run)
    if _match_reference(
        list(Collectivity.objects.territorial().exclude(kind=Kind.COMMUNE))
    ).missing:
        report.reference = reference_load()
    index = _Index.load()
    taken = {row.slug: row.kind for row in index.rows}
    results: dict[tuple[Group, str], Collectivity] = {}

    def resolve(group: Group, code: str) -> Collectivity:
        key = (group, code)
        row = (
            results.get(key)
            or index.reference.get(key)
            or index.by_code.get(key)
            or index.by_slug.get(key)
        )
        if row is None:  # _validate saw it; the lookups above cover the same keys.
            raise ImportFormatError(_("unknown parent %(parent)r.") % {"parent": code})
        return row

    for record in records:
        parent = resolve(record.parent_group, record.parent_code) if record.parent_group else None
        if record.kind == Kind.COMMUNE:
            assert parent is not None  # the readers give every commune a parent
            results[(record.group, record.code)] = _import_commune(
                record, parent, index, taken, report
            )
        else:
            results[(record.group, record.code)] = _import_upper(
                record, parent, index, taken, report
            )
    if dry_run:
        transaction.set_rollback(True)
    elif report.changed:
        transaction.on_commit(lambda: pagecache.bump(PAGECACHE_NAMESPACE))
    return report


def _import_upper(
    record: Record,
    region: Collectivity | None,
    index: _Index,
    taken: dict[str, str],
    report: ImportReport,
) -> Collectivity:
    """A region, prefecture or province; reference rows keep their names."""
    key = (record.group, record.code)
    row = index.reference.get(key) or index.reference_by_name(record, region)
    if row is not None:
        entry = index.reference_entry[row.pk]
        if entry.population is None and _apply(row, _population_fields(record)):
            row.save()
            report.add(row.kind, "updated")
        else:
            report.add(row.kind, "skipped")
        return row
    desired: dict[str, Any] = {
        "kind": record.kind,
        "code": record.code,
        "name_ar": record.name_ar,
        "name_fr": record.name_fr,
        "parent_id": region.pk if region else None,
        "region_id": region.pk if region else None,
        **_population_fields(record),
    }
    row = index.by_code.get(key)
    if row is None:
        row = next(
            (
                r
                for r in index.rows
                if GROUP_OF_KIND[r.kind] == record.group
                and r.pk not in index.reference_entry
                and (region is None or r.region_id == region.pk)
                and _names_match(r, record.name_ar, record.name_fr)
            ),
            None,
        )
    if row is None:
        plain = _slug_stem(record.name_fr, record.code)
        slug = _allocate_slug([plain, f"{plain}-{record.kind}"], taken, record.kind)
        del desired["kind"]
        row = _create(record.kind, slug, desired)
        index.rows.append(row)
        report.add(record.kind, "created")
    elif _apply(row, desired):
        row.save()
        report.add(record.kind, "updated")
    else:
        report.add(record.kind, "unchanged")
    return row


def _import_commune(
    record: Record,
    parent: Collectivity,
    index: _Index,
    taken: dict[str, str],
    report: ImportReport,
) -> Collectivity:
    desired: dict[str, Any] = {
        "code": record.code,
        "name_ar": record.name_ar,
        "name_fr": record.name_fr,
        "parent_id": parent.pk,
        "region_id": parent.region_id or parent.parent_id,
        **_population_fields(record),
    }
    if record.is_urban is not None:
        desired["is_urban"] = record.is_urban
    row = index.by_code.get((record.group, record.code)) or index.adopt_commune(record, parent)
    if row is None:
        slug = _commune_slug(record.name_fr, record.code, parent, taken)
        row = _create(Kind.COMMUNE, slug, desired)
        report.add(Kind.COMMUNE, "created")
    elif _apply(row, desired):
        row.save()
        report.add(Kind.COMMUNE, "updated")
    else:
        report.add(Kind.COMMUNE, "unchanged")
    return row


NETWORK_SPACE_SLUG = "network"


def network_space() -> Collectivity:
    """The network's own space (Kind.NETWORK), created on first use.

    It owns the network-wide consultations, surveys and labs and holds the roles of the
    network's staff who run them; it is not a territory (models.Kind.NETWORK).
    """
    space = Collectivity.objects.filter(kind=Kind.NETWORK).order_by("pk").first()
    if space is not None:
        return space
    space, _created = Collectivity.objects.get_or_create(
        slug=NETWORK_SPACE_SLUG,
        defaults={
            "kind": Kind.NETWORK,
            "name_ar": "الشبكة المغربية للجماعات الترابية المنفتحة",
            "name_fr": "Réseau marocain des collectivités territoriales ouvertes",
        },
    )
    return space
