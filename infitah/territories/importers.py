"""Readers for territorial data: the shipped reference CSVs and importable files.

Nothing here touches the database. The readers turn files into `Record`s and refuse
malformed input with an `ImportFormatError` naming the file and the record; the writes
are `infitah.territories.services`. The file shapes are documented in
docs/territories.md.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.utils.translation import gettext as _

from infitah.territories.models import Kind

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# The dataset's three files, in the order their records depend on each other.
DATASET_FILES = ("regions.json", "region-divisions.json", "communes.json")

# Collectivities are matched across files within a group: a commune names its parent
# by a division id whether the parent is a prefecture or a province.
Group = Literal["region", "division", "commune"]
GROUP_OF_KIND: dict[str, Group] = {
    Kind.REGION: "region",
    Kind.PREFECTURE: "division",
    Kind.PROVINCE: "division",
    Kind.COMMUNE: "commune",
}
KINDS_OF_GROUP: dict[Group, tuple[str, ...]] = {
    "region": (Kind.REGION,),
    "division": (Kind.PREFECTURE, Kind.PROVINCE),
    "commune": (Kind.COMMUNE,),
}
KIND_ORDER: tuple[str, ...] = (Kind.REGION, Kind.PREFECTURE, Kind.PROVINCE, Kind.COMMUNE)

CSV_REQUIRED_COLUMNS = ("kind", "code", "name_ar", "name_fr", "parent_kind", "parent_code")
CSV_OPTIONAL_COLUMNS = ("population", "population_source", "is_urban")

_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# PositiveIntegerField's portable upper bound.
_MAX_POPULATION = 2_147_483_647
_TRUE = frozenset({"1", "true", "yes", "urban", "urbain"})
_FALSE = frozenset({"0", "false", "no", "rural"})


class ImportFormatError(ValueError):
    """A file or one of its records cannot be imported; the message names both."""


def has_arabic(text: str) -> bool:
    return bool(_ARABIC_LETTER.search(text))


@dataclass(frozen=True)
class Record:
    """One collectivity read from a file, not yet matched to the database.

    `code` is the record's identifier in its source (a dataset id such as "COM_0001",
    or the CSV `code`); `parent_code` names the parent in the group of `parent_group`
    (by reference code, dataset id, stored code or slug).
    """

    kind: str
    code: str
    name_ar: str
    name_fr: str
    origin: str
    parent_group: Group | None = None
    parent_code: str = ""
    population: int | None = None
    population_source: str = ""
    is_urban: bool | None = None

    @property
    def group(self) -> Group:
        return GROUP_OF_KIND[self.kind]


@dataclass(frozen=True)
class ReferenceEntry:
    """A shipped region, prefecture or province (infitah/territories/reference/)."""

    kind: str
    code: str
    dataset_id: str
    name_ar: str
    name_fr: str
    region_code: str = ""
    population: int | None = None
    population_source: str = ""

    @property
    def group(self) -> Group:
        return GROUP_OF_KIND[self.kind]


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


Outcome = Literal["created", "updated", "unchanged", "skipped"]


@dataclass
class ImportReport:
    """What an import or reference load did (or, in a dry run, would do), per kind.

    `skipped` counts input records that matched shipped reference data: the reference
    keeps its names, so only a missing population may be taken from such a record.
    """

    counts: dict[str, KindCounts] = field(default_factory=dict)
    reference: ImportReport | None = None
    dry_run: bool = False

    def add(self, kind: str, outcome: Outcome) -> None:
        counts = self.counts.setdefault(kind, KindCounts())
        setattr(counts, outcome, getattr(counts, outcome) + 1)

    def total(self, outcome: Outcome) -> int:
        own: int = sum(int(getattr(c, outcome)) for c in self.counts.values())
        return own + (self.reference.total(outcome) if self.reference else 0)

    @property
    def changed(self) -> bool:
        return bool(self.total("created") or self.total("updated"))

    def lines(self) -> list[str]:
        """Human-readable lines, one per kind, in the active language."""
        labels = dict(Kind.choices)
        lines = []
        for kind in sorted(self.counts, key=KIND_ORDER.index):
            c = self.counts[kind]
            lines.append(
                _(
                    "%(kind)s: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged, %(skipped)d skipped"
                )
                % {
                    "kind": labels[kind],
                    "created": c.created,
                    "updated": c.updated,
                    "unchanged": c.unchanged,
                    "skipped": c.skipped,
                }
            )
        return lines


# --- Reference data -------------------------------------------------------------------


def _int_or_none(value: str, where: str) -> int | None:
    value = value.strip().replace(" ", "").replace(",", "")
    if not value:
        return None
    if not value.isdigit() or int(value) > _MAX_POPULATION:
        raise ImportFormatError(
            _("%(where)s: bad population %(value)r (expected a whole number ≥ 0).")
            % {"where": where, "value": value}
        )
    return int(value)


@cache
def read_reference() -> tuple[ReferenceEntry, ...]:
    """The 12 regions, then the 75 prefectures and provinces, as shipped."""
    entries: list[ReferenceEntry] = []
    regions_csv = REFERENCE_DIR / "regions.csv"
    with regions_csv.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            entries.append(
                ReferenceEntry(
                    kind=Kind.REGION,
                    code=row["code"],
                    dataset_id=row["dataset_id"],
                    name_ar=row["name_ar"],
                    name_fr=row["name_fr"],
                    population=_int_or_none(row["population"], f"{regions_csv.name}:{n}"),
                    population_source=row["population_source"],
                )
            )
    divisions_csv = REFERENCE_DIR / "prefectures_provinces.csv"
    with divisions_csv.open(encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            entries.append(
                ReferenceEntry(
                    kind=row["kind"],
                    code=row["code"],
                    dataset_id=row["dataset_id"],
                    name_ar=row["name_ar"],
                    name_fr=row["name_fr"],
                    region_code=row["region_code"],
                    population=_int_or_none(row["population"], f"{divisions_csv.name}:{n}"),
                    population_source=row["population_source"],
                )
            )
    return tuple(entries)


# --- Importable files -------------------------------------------------------------------


def read_path(path: Path) -> list[Record]:
    """Read a dataset folder, or one .json or .csv file, into records.

    Raises ImportFormatError on anything malformed; never returns a partial list.
    """
    if path.is_dir():
        present = [path / name for name in DATASET_FILES if (path / name).is_file()]
        if not present:
            raise ImportFormatError(
                _("%(path)s: no %(files)s in this folder.")
                % {"path": path, "files": ", ".join(DATASET_FILES)}
            )
        records: list[Record] = []
        for file in present:
            records.extend(read_json_file(file))
        return records
    if not path.is_file():
        raise ImportFormatError(_("%(path)s: no such file or folder.") % {"path": path})
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json_file(path)
    if suffix == ".csv":
        return read_csv_file(path)
    raise ImportFormatError(
        _("%(path)s: unsupported file type (expected .json or .csv).") % {"path": path}
    )


def read_json_file(path: Path) -> list[Record]:
    """Read a file of the public dataset: any of `regions`, `region_divisions`, `communes`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFormatError(
            _("%(file)s: invalid JSON (%(error)s).") % {"file": path.name, "error": exc}
        ) from exc
    if not isinstance(data, dict):
        raise ImportFormatError(_("%(file)s: expected a JSON object.") % {"file": path.name})
    readers = {
        "regions": _json_region,
        "region_divisions": _json_division,
        "communes": _json_commune,
    }
    if not readers.keys() & data.keys():
        raise ImportFormatError(
            _("%(file)s: none of the keys %(keys)s found.")
            % {"file": path.name, "keys": ", ".join(readers)}
        )
    records = []
    for key, reader in readers.items():
        if key not in data:
            continue
        items = data[key]
        if not isinstance(items, list):
            raise ImportFormatError(
                _("%(file)s: %(key)s must be a list.") % {"file": path.name, "key": key}
            )
        for index, item in enumerate(items, start=1):
            records.append(reader(item, _json_origin(path, key, index, item)))
    return records


def _json_origin(path: Path, key: str, index: int, item: object) -> str:
    if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]:
        return _("%(file)s, record %(id)s") % {"file": path.name, "id": item["id"]}
    return _("%(file)s, %(key)s item %(index)d") % {
        "file": path.name,
        "key": key,
        "index": index,
    }


def _fail(origin: str, message: str) -> ImportFormatError:
    return ImportFormatError(f"{origin}: {message}")


def _json_str(item: dict[str, Any], key: str, origin: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(origin, _("missing or empty field %(field)r.") % {"field": key})
    return value.strip()


def _json_names(item: dict[str, Any], origin: str) -> tuple[str, str]:
    """The Arabic and French names; a French name in Arabic letters falls back to English."""
    names = item.get("name")
    if not isinstance(names, dict):
        raise _fail(origin, _("missing or empty field %(field)r.") % {"field": "name"})
    name_ar = _json_str(names, "ar", origin)
    name_fr = names.get("fr")
    if not isinstance(name_fr, str) or not name_fr.strip() or has_arabic(name_fr):
        name_en = names.get("en")
        if isinstance(name_en, str) and name_en.strip() and not has_arabic(name_en):
            name_fr = name_en
        else:
            raise _fail(origin, _("missing or empty field %(field)r.") % {"field": "name.fr"})
    return name_ar, name_fr.strip()


def _json_item(item: object, origin: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise _fail(origin, _("expected a JSON object."))
    return item


def _json_region(item: object, origin: str) -> Record:
    obj = _json_item(item, origin)
    name_ar, name_fr = _json_names(obj, origin)
    return Record(
        kind=Kind.REGION,
        code=_json_str(obj, "id", origin),
        name_ar=name_ar,
        name_fr=name_fr,
        origin=origin,
    )


def _json_division(item: object, origin: str) -> Record:
    obj = _json_item(item, origin)
    code = _json_str(obj, "id", origin)
    name_ar, name_fr = _json_names(obj, origin)
    kind = _json_str(obj, "type", origin)
    if kind not in (Kind.PREFECTURE, Kind.PROVINCE):
        raise _fail(origin, _("unknown kind %(kind)r.") % {"kind": kind})
    return Record(
        kind=kind,
        code=code,
        name_ar=name_ar,
        name_fr=name_fr,
        origin=origin,
        parent_group="region",
        parent_code=_json_str(obj, "region_id", origin),
    )


def _json_commune(item: object, origin: str) -> Record:
    obj = _json_item(item, origin)
    code = _json_str(obj, "id", origin)
    name_ar, name_fr = _json_names(obj, origin)
    commune_type = _json_str(obj, "type", origin)
    if commune_type not in ("urbain", "rural"):
        raise _fail(origin, _("unknown kind %(kind)r.") % {"kind": commune_type})
    population = obj.get("population")
    if population is not None and (
        not isinstance(population, int)
        or isinstance(population, bool)
        or not 0 <= population <= _MAX_POPULATION
    ):
        raise _fail(origin, _("bad population %(value)r.") % {"value": population})
    return Record(
        kind=Kind.COMMUNE,
        code=code,
        name_ar=name_ar,
        name_fr=name_fr,
        origin=origin,
        parent_group="division",
        parent_code=_json_str(obj, "region_division_id", origin),
        population=population,
        is_urban=commune_type == "urbain",
    )


def read_csv_file(path: Path) -> list[Record]:
    """Read the CSV shape of docs/territories.md (header row required)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(
            _("%(file)s: not UTF-8 text (%(error)s).") % {"file": path.name, "error": exc}
        ) from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFormatError(
            _("%(file)s: missing column(s) %(columns)s in the header row.")
            % {"file": path.name, "columns": ", ".join(missing)}
        )
    reader.fieldnames = header
    return list(_csv_records(path, reader))


def _csv_records(path: Path, reader: csv.DictReader[str]) -> Iterator[Record]:
    # The tree's kinds: the network's own space is never imported.
    valid_kinds = {kind: label for kind, label in Kind.choices if kind in KIND_ORDER}
    for row in reader:
        origin = _("%(file)s, line %(line)d") % {"file": path.name, "line": reader.line_num}
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if not any(values.values()):
            continue
        if None in row:
            raise _fail(origin, _("more values than columns."))
        kind = values["kind"]
        if kind not in valid_kinds:
            raise _fail(origin, _("unknown kind %(kind)r.") % {"kind": kind})
        for column in ("code", "name_ar", "name_fr"):
            if not values[column]:
                raise _fail(origin, _("missing or empty field %(field)r.") % {"field": column})
        parent_group = _csv_parent_group(kind, values, origin)
        yield Record(
            kind=kind,
            code=values["code"],
            name_ar=values["name_ar"],
            name_fr=values["name_fr"],
            origin=origin,
            parent_group=parent_group,
            parent_code=values["parent_code"] if parent_group else "",
            population=_int_or_none(values.get("population", ""), origin),
            population_source=values.get("population_source", ""),
            is_urban=_csv_bool(values.get("is_urban", ""), origin),
        )


def _csv_parent_group(kind: str, values: dict[str, str], origin: str) -> Group | None:
    allowed = {
        Kind.REGION: (),
        Kind.PREFECTURE: (Kind.REGION,),
        Kind.PROVINCE: (Kind.REGION,),
        Kind.COMMUNE: (Kind.PREFECTURE, Kind.PROVINCE),
    }[Kind(kind)]
    if not allowed:
        if values["parent_code"]:
            raise _fail(origin, _("a region has no parent."))
        return None
    parent_kind = values["parent_kind"] or allowed[0]
    if parent_kind not in allowed:
        raise _fail(
            origin,
            _("a %(kind)s cannot sit under a %(parent_kind)r.")
            % {"kind": kind, "parent_kind": parent_kind},
        )
    if not values["parent_code"]:
        raise _fail(origin, _("missing or empty field %(field)r.") % {"field": "parent_code"})
    return GROUP_OF_KIND[parent_kind]


def _csv_bool(value: str, origin: str) -> bool | None:
    value = value.lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _fail(origin, _("bad is_urban value %(value)r.") % {"value": value})


def ordered(records: Iterable[Record]) -> list[Record]:
    """Records with parents before children (stable within a kind group)."""
    rank: dict[Group, int] = {"region": 0, "division": 1, "commune": 2}
    return sorted(records, key=lambda r: rank[r.group])
