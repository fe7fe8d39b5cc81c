"""Exchange formats of the opening programme: the JSON export and its published schema,
the CSV of commitments and milestones (export and import).

JSON (`programme_export`, `PROGRAMME_SCHEMA`, `export_bytes`):

- one document per programme: its phases, axes, commitments with their milestones (as a
  tree) and indicators (with their values over time), and its adopted versions with the
  council's decision. Numbers (progress, budget, weights, indicator values) are JSON
  numbers; dates are ISO 8601 (`YYYY-MM-DD`); texts come in both languages
  (`{"ar": …, "fr": …}`);
- the shape is declared once, by the pydantic models below: `PROGRAMME_SCHEMA` (JSON
  Schema draft 2020-12, published at /api/v1/programmes/schema) and the API's answer are
  both generated from them. Strict: every object lists its required fields and allows
  no other; vocabularies are the workflow's; progress is 0–100;
- `export_bytes` writes it canonically (sorted keys, UTF-8, no spaces): the file frozen
  with each adopted version, byte for byte reproducible.

CSV (`commitments_csv`, `commitments_import`), one layout for both kinds of lines:

- UTF-8 with a byte-order mark (spreadsheets open Arabic text right only with it; the
  import accepts a file with or without it), comma-separated, CRLF line ends, one header
  line (`CSV_COLUMNS`, stable names, not translated);
- `type` is `commitment` or `milestone`; `commitment` is the commitment's number on both;
  `key` is a commitment's number, or a milestone's path in its commitment's tree
  (`1.2` is the second milestone of commitment 1, `1.2.1` the first under it; siblings
  in their order), which also names its parent (`1.2` for `1.2.1`); the columns of the
  other kind stay empty (`order`, `weight` are a milestone's; `axis` — the axis's
  position, 1 for the first — values, partners, budget are a commitment's);
- a text cell that a spreadsheet would run as a formula (starting with = + - @, a tab or
  a carriage return), or that starts with an apostrophe, is written with one apostrophe
  before it; the import takes one leading apostrophe off such a cell, so that what is
  exported is imported unchanged;
- `progress` (0–100) and `status` (a commitment's completion level, a milestone's
  status) are exported for reading and ignored on import: progress comes from the
  units' progress reports, never from a file (nor does a milestone's cancellation);
- the import validates every line first and reports errors by line number (the line of
  the file where the record starts: the header is line 1) and column; when any line
  fails nothing is imported. Otherwise it creates or updates commitments by number and
  milestones by key, through the core services (ledger events, progress roll-up); lines
  absent from the file are left as they are (nothing is deleted). Only while the
  programme is in co-creation or under consultation.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.lib.bounds import whole_number
from infitah.lib.cleaning import Errors, clean_date, clean_decimal, clean_pair, clean_period
from infitah.lib.csvsafe import FORMULA_START
from infitah.openplan.models import (
    TITLE_MAX,
    Axis,
    Commitment,
    Indicator,
    Milestone,
    Programme,
    Proposal,
    Version,
)
from infitah.openplan.services import core
from infitah.openplan.workflow import (
    Completion,
    Kind,
    MilestoneStatus,
    PhaseKind,
    ProposalStatus,
    Status,
    current_phase,
)
from infitah.territories.models import Collectivity

# --- the JSON document: its shape ----------------------------------------------------------

Percent = Annotated[float, Field(ge=0, le=100)]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]
KindValue = Annotated[str, Field(json_schema_extra={"enum": list(Kind.values)})]
StatusValue = Annotated[str, Field(json_schema_extra={"enum": list(Status.values)})]
PhaseValue = Annotated[str, Field(json_schema_extra={"enum": list(PhaseKind.values)})]
CompletionValue = Annotated[str, Field(json_schema_extra={"enum": list(Completion.values)})]
MilestoneStatusValue = Annotated[
    str, Field(json_schema_extra={"enum": [s.value for s in MilestoneStatus]})
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProgrammeText(_Strict):
    """A text in Arabic and in French ("" when not given in that language)."""

    ar: str
    fr: str


class ProgrammeCollectivity(_Strict):
    slug: str
    name_ar: str
    name_fr: str


class ProgrammePeriod(_Strict):
    starts_on: Day
    ends_on: Day


class ProgrammePhase(_Strict):
    kind: PhaseValue
    starts_on: Day
    ends_on: Day | None


class ProgrammeAxis(_Strict):
    id: int
    order: int
    title: ProgrammeText


class ProgrammeValues(_Strict):
    """OGP values the commitment is relevant to."""

    access_to_information: bool
    civic_participation: bool
    public_accountability: bool


class ProgrammePartners(_Strict):
    government: str
    civil_society: str


class ProgrammeMilestone(_Strict):
    key: str = Field(description="Its path in the commitment's tree, e.g. 1.2.1.")
    title: ProgrammeText
    starts_on: Day | None
    ends_on: Day | None
    weight: Annotated[float, Field(gt=0)] | None = Field(
        description="null: the mean of its siblings' weights (1 when none has one)."
    )
    status: MilestoneStatusValue
    progress: Percent
    cancelled: bool
    completed_on: Day | None
    children: list[ProgrammeMilestone]


class ProgrammeIndicatorValue(_Strict):
    measured_on: Day
    value: float
    note: str
    source_url: str


class ProgrammeIndicator(_Strict):
    name: ProgrammeText
    unit: str
    baseline: float
    baseline_on: Day | None
    target: float
    target_on: Day | None
    values: list[ProgrammeIndicatorValue]


class ProgrammeCommitment(_Strict):
    number: int
    axis: int | None = Field(description="The id of its axis.")
    title: ProgrammeText
    problem: ProgrammeText
    description: ProgrammeText
    solution: ProgrammeText
    values: ProgrammeValues
    technology_and_innovation: bool
    lead_unit: str
    partners: ProgrammePartners
    budget: Annotated[float, Field(ge=0)] | None = Field(description="In dirhams (MAD).")
    budget_line: str
    starts_on: Day | None
    ends_on: Day | None
    progress: Percent
    completion: CompletionValue
    proposals: list[int] = Field(description="Ids of the co-creation proposals it came from.")
    milestones: list[ProgrammeMilestone]
    indicators: list[ProgrammeIndicator]


class ProgrammeDecision(_Strict):
    session: str = Field(description="The council session's reference.")
    item: int = Field(description="The agenda item's number.")
    decision_number: str
    votes_for: int = Field(ge=0)
    votes_against: int = Field(ge=0)
    votes_abstain: int = Field(ge=0)


class ProgrammeVersion(_Strict):
    number: int
    adopted_on: Day
    note: str
    decision: ProgrammeDecision


class ProgrammeExport(_Strict):
    """An opening programme (REMACTO) or OGP Local action plan, whole."""

    id: int
    reference: str
    kind: KindValue
    collectivity: ProgrammeCollectivity
    title: ProgrammeText
    status: StatusValue
    phase: PhaseValue | None = Field(description="The phase of the timeline today.")
    period: ProgrammePeriod
    summary: ProgrammeText
    independent_monitor: str
    progress: Percent
    phases: list[ProgrammePhase]
    axes: list[ProgrammeAxis]
    commitments: list[ProgrammeCommitment]
    versions: list[ProgrammeVersion]


def schema_url() -> str:
    return settings.INFITAH_SITE_URL + "/api/v1/programmes/schema"


class _NoTitles(GenerateJsonSchema):
    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _without_titles(node: Any) -> Any:
    """The schema without pydantic's model titles (a property named "title" stays)."""
    if isinstance(node, dict):
        return {
            key: _without_titles(value)
            for key, value in node.items()
            if not (key == "title" and isinstance(value, str))
        }
    if isinstance(node, list):
        return [_without_titles(value) for value in node]
    return node


def _schema() -> dict[str, Any]:
    generated = ProgrammeExport.model_json_schema(mode="serialization", schema_generator=_NoTitles)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url(),
        "title": "Infitah opening programme",
        **_without_titles(generated),
    }


PROGRAMME_SCHEMA: dict[str, Any] = _schema()


# --- the JSON document: its content --------------------------------------------------------


def _pair(obj: Any, base: str) -> dict[str, str]:
    return {"ar": getattr(obj, f"{base}_ar"), "fr": getattr(obj, f"{base}_fr")}


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def milestone_paths(
    number: int, milestones: Iterable[Milestone]
) -> Iterator[tuple[str, Milestone, list[Milestone]]]:
    """Each milestone of commitment `number` with its key (`1.2.1`) and its children, in
    the tree's order (a parent before its children; siblings by order, then id). A
    milestone whose parent is not among them is a top-level one."""
    items = sorted(milestones, key=lambda m: (m.order, m.pk))
    known = {m.pk for m in items}
    children: dict[int | None, list[Milestone]] = {}
    for m in items:
        parent = m.parent_id if m.parent_id in known else None
        children.setdefault(parent, []).append(m)
    seen: set[int] = set()

    def walk(parent: int | None, prefix: str) -> Iterator[tuple[str, Milestone, list[Milestone]]]:
        for position, m in enumerate(children.get(parent, []), start=1):
            if m.pk in seen:  # a cycle the services never write: shown once
                continue
            seen.add(m.pk)
            key = f"{prefix}.{position}"
            yield key, m, children.get(m.pk, [])
            yield from walk(m.pk, key)

    yield from walk(None, str(number))


def _milestones(commitment: Commitment) -> list[dict[str, Any]]:
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for key, m, _children in milestone_paths(commitment.number, commitment.milestones.all()):
        node: dict[str, Any] = {
            "key": key,
            "title": _pair(m, "title"),
            "starts_on": _day(m.starts_on),
            "ends_on": _day(m.ends_on),
            "weight": _number(m.weight),
            "status": m.status.value,
            "progress": float(m.progress),
            "cancelled": m.is_cancelled,
            "completed_on": _day(m.completed_on),
            "children": [],
        }
        nodes[m.pk] = node
        parent = nodes.get(m.parent_id) if m.parent_id is not None else None
        (parent["children"] if parent is not None else roots).append(node)
    return roots


def _indicator(indicator: Indicator) -> dict[str, Any]:
    return {
        "name": _pair(indicator, "name"),
        "unit": indicator.unit,
        "baseline": float(indicator.baseline),
        "baseline_on": _day(indicator.baseline_on),
        "target": float(indicator.target),
        "target_on": _day(indicator.target_on),
        "values": [
            {
                "measured_on": v.measured_on.isoformat(),
                "value": float(v.value),
                "note": v.note,
                "source_url": v.source_url,
            }
            for v in indicator.values.all()
        ],
    }


def _commitment(c: Commitment) -> dict[str, Any]:
    return {
        "number": c.number,
        "axis": c.axis_id,
        "title": _pair(c, "title"),
        "problem": _pair(c, "problem"),
        "description": _pair(c, "description"),
        "solution": _pair(c, "solution"),
        "values": {
            "access_to_information": c.value_access,
            "civic_participation": c.value_participation,
            "public_accountability": c.value_accountability,
        },
        "technology_and_innovation": c.tag_technology,
        "lead_unit": c.lead_unit,
        "partners": {
            "government": c.partners_government,
            "civil_society": c.partners_civil_society,
        },
        "budget": _number(c.budget),
        "budget_line": c.budget_line,
        "starts_on": _day(c.starts_on),
        "ends_on": _day(c.ends_on),
        "progress": float(c.progress),
        "completion": c.completion.value,
        "proposals": [p.pk for p in c.proposals.all()],
        "milestones": _milestones(c),
        "indicators": [_indicator(i) for i in c.indicators.all()],
    }


def version_data(version: Version) -> dict[str, Any]:
    item = version.agenda_item
    return {
        "number": version.number,
        "adopted_on": version.adopted_on.isoformat(),
        "note": version.note,
        "decision": {
            "session": item.session.reference,
            "item": item.number,
            "decision_number": item.decision_number,
            "votes_for": item.votes_for,
            "votes_against": item.votes_against,
            "votes_abstain": item.votes_abstain,
        },
    }


def _export_query(pk: int) -> Programme:
    """The programme with everything the export shows, in a fixed number of queries."""
    commitments = Commitment.objects.order_by("number", "pk").prefetch_related(
        Prefetch(
            "proposals",
            queryset=Proposal.objects.filter(status=ProposalStatus.PUBLISHED).order_by("pk"),
        ),
        "milestones",
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
    )
    return (
        Programme.objects.select_related("collectivity")
        .prefetch_related(
            "phases",
            "axes",
            Prefetch("commitments", queryset=commitments),
            Prefetch(
                "versions",
                queryset=Version.objects.select_related("agenda_item__session").order_by("number"),
            ),
        )
        .get(pk=pk)
    )


def programme_export(programme: Programme) -> dict[str, Any]:
    """The whole programme as a JSON-ready dict (`PROGRAMME_SCHEMA`): read again from the
    database, in the same number of queries whatever its size."""
    p = _export_query(programme.pk)
    phases = list(p.phases.all())
    collectivity = p.collectivity
    return {
        "id": p.pk,
        "reference": p.reference,
        "kind": p.kind,
        "collectivity": {
            "slug": collectivity.slug,
            "name_ar": collectivity.name_ar,
            "name_fr": collectivity.name_fr,
        },
        "title": _pair(p, "title"),
        "status": p.status,
        "phase": current_phase(phases, timezone.localdate()),
        "period": {"starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat()},
        "summary": _pair(p, "summary"),
        "independent_monitor": p.independent_monitor,
        "progress": float(p.progress),
        "phases": [
            {"kind": ph.kind, "starts_on": ph.starts_on.isoformat(), "ends_on": _day(ph.ends_on)}
            for ph in phases
        ],
        "axes": [{"id": a.pk, "order": a.order, "title": _pair(a, "title")} for a in p.axes.all()],
        "commitments": [_commitment(c) for c in p.commitments.all()],
        "versions": [version_data(v) for v in p.versions.all()],
    }


def export_bytes(document: Mapping[str, Any]) -> bytes:
    """`document` as canonical JSON: sorted keys, UTF-8 (not escaped), no spaces."""
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


# --- the public list (API) -----------------------------------------------------------------


def programme_public_list(*, collectivity: Collectivity) -> QuerySet[Programme]:
    """The programmes of `collectivity` the public sees (not abandoned; none when it is
    not a network member), latest first, with their phases."""
    return (
        Programme.objects.public()
        .filter(collectivity=collectivity)
        .select_related("collectivity")
        .prefetch_related("phases")
        .order_by("-starts_on", "-pk")
    )


def programme_public_get(*, pk: int) -> Programme | None:
    return Programme.objects.public().select_related("collectivity").filter(pk=pk).first()


def programme_summary(programme: Programme, today: dt.date) -> dict[str, Any]:
    """One programme of the API's list (its phases prefetched)."""
    return {
        "id": programme.pk,
        "title": programme.title,
        "kind": programme.kind,
        "phase": current_phase(programme.phases.all(), today),
        "status": programme.status,
        "reference": programme.reference,
        "progress": float(programme.progress),
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "url": reverse(
            "openplan:programme",
            kwargs={"slug": programme.collectivity.slug, "pk": programme.pk},
        ),
    }


# --- CSV ----------------------------------------------------------------------------------

BOM = "\ufeff"
COMMITMENT, MILESTONE = "commitment", "milestone"
TEXTS = (
    "title_ar",
    "title_fr",
    "problem_ar",
    "problem_fr",
    "description_ar",
    "description_fr",
    "solution_ar",
    "solution_fr",
    "lead_unit",
    "partners_government",
    "partners_civil_society",
    "budget_line",
)
FLAGS = core.COMMITMENT_FLAGS
CSV_COLUMNS = (
    "type",
    "commitment",
    "key",
    "order",
    "axis",
    "title_ar",
    "title_fr",
    "problem_ar",
    "problem_fr",
    "description_ar",
    "description_fr",
    "solution_ar",
    "solution_fr",
    *FLAGS,
    "lead_unit",
    "partners_government",
    "partners_civil_society",
    "budget",
    "budget_line",
    "starts_on",
    "ends_on",
    "weight",
    "progress",
    "status",
)
# Exported to be read; ignored on import (progress comes from the progress reports).
READ_ONLY = frozenset({"progress", "status"})
REQUIRED = tuple(c for c in CSV_COLUMNS if c not in READ_ONLY)
MILESTONE_ONLY = frozenset({"order", "weight"})
COMMITMENT_ONLY = frozenset(
    {
        "axis",
        *(f"{b}_{lang}" for b in core.COMMITMENT_TEXTS for lang in ("ar", "fr")),
        *FLAGS,
        "lead_unit",
        "partners_government",
        "partners_civil_society",
        "budget",
        "budget_line",
    }
)
# The states in which the commitments may be imported.
IMPORTABLE = frozenset({Status.DRAFTING, Status.CONSULTING})
MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 5_000
MAX_NUMBER = 999
_ESCAPED = (*FORMULA_START, "'")
_KEY = re.compile(r"[1-9][0-9]{0,2}(?:\.[1-9][0-9]{0,2})+")
_TRUE = frozenset({"1", "true", "yes", "oui"})
_FALSE = frozenset({"", "0", "false", "no", "non"})


def escape_cell(text: str) -> str:
    """A text cell safe in a spreadsheet: one apostrophe before a formula-like text or
    one that starts with an apostrophe (so that `unescape_cell` is its exact inverse)."""
    return "'" + text if text.startswith(_ESCAPED) else text


def unescape_cell(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_ESCAPED) else cell


def _plain(value: Decimal | dt.date | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _commitment_row(c: Commitment, positions: Mapping[int, int]) -> dict[str, str]:
    row = {name: escape_cell(getattr(c, name)) for name in TEXTS}
    row.update(
        {
            "type": COMMITMENT,
            "commitment": str(c.number),
            "key": str(c.number),
            "axis": str(positions[c.axis_id])
            if c.axis_id is not None and c.axis_id in positions
            else "",
            "budget": _plain(c.budget),
            "starts_on": _plain(c.starts_on),
            "ends_on": _plain(c.ends_on),
            "progress": _plain(c.progress),
            "status": c.completion.value,
        }
    )
    row.update({flag: "1" if getattr(c, flag) else "0" for flag in FLAGS})
    return row


def _milestone_row(c: Commitment, key: str, m: Milestone) -> dict[str, str]:
    return {
        "type": MILESTONE,
        "commitment": str(c.number),
        "key": key,
        "order": str(m.order),
        "title_ar": escape_cell(m.title_ar),
        "title_fr": escape_cell(m.title_fr),
        "starts_on": _plain(m.starts_on),
        "ends_on": _plain(m.ends_on),
        "weight": _plain(m.weight),
        "progress": _plain(m.progress),
        "status": m.status.value,
    }


def _axis_positions(programme: Programme) -> list[Axis]:
    return list(Axis.objects.filter(programme=programme).order_by("order", "pk"))


def commitments_csv(programme: Programme) -> str:
    """The commitments and their milestones in the CSV layout (see the module's
    docstring), as text starting with the byte-order mark: encode it in UTF-8."""
    positions = {a.pk: i for i, a in enumerate(_axis_positions(programme), start=1)}
    commitments = Commitment.objects.filter(programme=programme).order_by("number", "pk")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for c in commitments.prefetch_related("milestones"):
        rows = [_commitment_row(c, positions)]
        rows += [
            _milestone_row(c, key, m) for key, m, _ in milestone_paths(c.number, c.milestones.all())
        ]
        for row in rows:
            writer.writerow([row.get(name, "") for name in CSV_COLUMNS])
    return BOM + buffer.getvalue()


@dataclass(frozen=True)
class LineError:
    """What is wrong on a line of an imported file (`line` 1 is the header; `field`
    names the column, "" for the whole line)."""

    line: int
    field: str
    message: str


@dataclass
class ImportResult:
    """What an import did (nothing when `errors`): lines created, updated, unchanged."""

    errors: list[LineError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Line:
    line: int
    cells: dict[str, str]

    def get(self, name: str) -> str:
        return self.cells.get(name, "")


@dataclass
class _Plan:
    """One valid line, ready to apply."""

    line: int
    kind: str
    number: int
    key: str
    values: dict[str, Any]
    existing: Any = None  # the commitment or milestone it updates
    changed: bool = True
    parent_key: str = ""

    @property
    def depth(self) -> int:
        return self.key.count(".")


class _Failed(Exception):
    def __init__(self, error: LineError) -> None:
        super().__init__(error.message)
        self.error = error


def _read(data: bytes) -> tuple[list[str], list[_Line], list[LineError]]:
    """The header and the lines of the file (empty lines skipped), or the errors that
    stop reading it."""
    if len(data) > MAX_BYTES:
        return [], [], [LineError(0, "", _("The file is too large (at most 5 MB)."))]
    bom = BOM.encode("utf-8")
    body = data[len(bom) :] if data.startswith(bom) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        return [], [], [LineError(line, "", _("This line is not UTF-8 text."))]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append((start, record))
            if len(records) > MAX_LINES + 1:
                message = _("The file has too many lines (at most %(max)d).") % {"max": MAX_LINES}
                return [], [], [LineError(start, "", message)]
            start = reader.line_num + 1
    except csv.Error:
        message = _("This line cannot be read as CSV (check its quotes).")
        return [], [], [LineError(start, "", message)]
    if not records:
        return [], [], [LineError(1, "", _("The file is empty: it needs the header line."))]
    header_line, raw_header = records[0]
    header = [name.strip().lower() for name in raw_header]
    errors = []
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    if missing:
        errors.append(
            LineError(
                header_line,
                "",
                _("Columns missing from the header: %(names)s.") % {"names": ", ".join(missing)},
            )
        )
    if unknown or len(set(header)) != len(header):
        errors.append(
            LineError(
                header_line,
                "",
                _("Unknown or repeated columns in the header: %(names)s.")
                % {"names": ", ".join(unknown) or ", ".join(sorted(header))},
            )
        )
    lines = []
    for line, record in records[1:]:
        if len(record) != len(header):
            errors.append(
                LineError(
                    line,
                    "",
                    _("This line has %(found)d cells; the header has %(expected)d.")
                    % {"found": len(record), "expected": len(header)},
                )
            )
            continue
        lines.append(_Line(line, dict(zip(header, record, strict=True))))
    return header, lines, errors


def _flag(value: str) -> bool | None:
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


class _Check:
    """Validates the lines of a file against the programme as it is (see `_plan`)."""

    def __init__(self, programme: Programme, lines: Sequence[_Line]) -> None:
        self.programme = programme
        self.lines = lines
        self.errors: list[LineError] = []
        self.axes = _axis_positions(programme)
        self.commitments = {
            c.number: c
            for c in Commitment.objects.filter(programme=programme)
            .select_related("programme__collectivity", "axis")
            .prefetch_related("milestones")
        }
        self.paths = {
            number: {key: m for key, m, _ in milestone_paths(number, c.milestones.all())}
            for number, c in self.commitments.items()
        }
        self.numbers_in_file = {
            n
            for line in lines
            if line.get("type").strip().lower() == COMMITMENT
            and (n := whole_number(line.get("commitment"), minimum=1, maximum=MAX_NUMBER))
            is not None
        }
        self.keys_in_file: dict[str, int] = {}
        self.numbers_seen: dict[int, int] = {}

    def error(self, line: _Line, name: str, message: str) -> None:
        self.errors.append(LineError(line.line, name, message))

    def service_errors(self, line: _Line, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                self.error(line, name if name in CSV_COLUMNS else "", " ".join(messages))
        else:
            self.error(line, "", " ".join(exc.messages))

    def not_for(self, line: _Line, names: Iterable[str], message: str) -> bool:
        wrong = [name for name in sorted(names) if line.get(name).strip()]
        for name in wrong:
            self.error(line, name, message)
        return bool(wrong)

    def texts(self, line: _Line, names: Iterable[str]) -> dict[str, str]:
        return {name: unescape_cell(line.get(name)) for name in names}

    def run(self) -> list[_Plan]:
        plans = []
        for line in self.lines:
            kind = line.get("type").strip().lower()
            number = whole_number(line.get("commitment"), minimum=1, maximum=MAX_NUMBER)
            if kind not in (COMMITMENT, MILESTONE):
                self.error(line, "type", _("Write “commitment” or “milestone”."))
                continue
            if number is None:
                self.error(
                    line,
                    "commitment",
                    _("Give the commitment's number (1 to %(max)d).") % {"max": MAX_NUMBER},
                )
                continue
            plan = (
                self.commitment(line, number)
                if kind == COMMITMENT
                else self.milestone(line, number)
            )
            if plan is not None:
                plans.append(plan)
        return plans

    def commitment(self, line: _Line, number: int) -> _Plan | None:
        before = len(self.errors)
        key = line.get("key").strip()
        if key not in ("", str(number)):
            self.error(line, "key", _("A commitment's key is its number."))
        if number in self.numbers_seen:
            self.error(
                line,
                "commitment",
                _("This commitment is already on line %(line)d.")
                % {"line": self.numbers_seen[number]},
            )
        self.numbers_seen.setdefault(number, line.line)
        self.not_for(line, MILESTONE_ONLY, _("Leave this column empty on a commitment's line."))
        data: dict[str, Any] = self.texts(line, TEXTS)
        for flag in FLAGS:
            value = _flag(line.get(flag))
            if value is None:
                self.error(line, flag, _("Write 1 (yes) or 0 (no)."))
            data[flag] = bool(value)
        data.update(
            budget=line.get("budget"), starts_on=line.get("starts_on"), ends_on=line.get("ends_on")
        )
        axis = line.get("axis").strip()
        position = whole_number(axis, minimum=1, maximum=len(self.axes)) if axis else None
        if axis and position is None:
            message = (
                _("Give the number of one of the programme's axes (1 to %(max)d).")
                % {"max": len(self.axes)}
                if self.axes
                else _("The programme has no axis: leave this column empty.")
            )
            self.error(line, "axis", message)
        data["axis"] = self.axes[position - 1] if position is not None else None
        try:
            values = core.commitment_clean(self.programme, data)
        except ValidationError as exc:
            self.service_errors(line, exc)
            return None
        if len(self.errors) > before:
            return None
        existing = self.commitments.get(number)
        changed = existing is None or any(
            values[name] != getattr(existing, name) for name in core.COMMITMENT_FIELDS
        )
        return _Plan(line.line, COMMITMENT, number, str(number), values, existing, changed)

    def milestone(self, line: _Line, number: int) -> _Plan | None:
        before = len(self.errors)
        key = line.get("key").strip()
        if not _KEY.fullmatch(key):
            self.error(line, "key", _("Give the milestone's key, such as 1.2 or 1.2.1."))
            return None
        if key.split(".")[0] != str(number):
            self.error(line, "key", _("A milestone's key starts with its commitment's number."))
            return None
        if key in self.keys_in_file:
            self.error(
                line,
                "key",
                _("This milestone is already on line %(line)d.") % {"line": self.keys_in_file[key]},
            )
            return None
        self.keys_in_file[key] = line.line
        if number not in self.commitments and number not in self.numbers_in_file:
            self.error(
                line,
                "commitment",
                _("No commitment has this number, in the programme or in the file."),
            )
            return None
        self.not_for(line, COMMITMENT_ONLY, _("Leave this column empty on a milestone's line."))
        errors: Errors = {}
        data = self.texts(line, ("title_ar", "title_fr"))
        title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
        values: dict[str, Any] = {
            "title_ar": title_ar,
            "title_fr": title_fr,
            "starts_on": clean_date(errors, line.cells, "starts_on"),
            "ends_on": clean_date(errors, line.cells, "ends_on"),
            "weight": clean_decimal(errors, line.cells, "weight", positive=True, max_digits=7),
        }
        clean_period(errors, values["starts_on"], values["ends_on"])
        order = line.get("order").strip()
        if order:
            values["order"] = whole_number(order, minimum=1, maximum=MAX_NUMBER)
            if values["order"] is None:
                errors["order"] = _("Enter a whole number from 1 to 999.")
        for name, message in errors.items():
            self.error(line, name, str(message))
        if len(self.errors) > before:
            return None
        existing = self.paths.get(number, {}).get(key)
        changed = existing is None or any(
            name in values and values[name] != getattr(existing, name)
            for name in ("title_ar", "title_fr", "starts_on", "ends_on", "weight", "order")
        )
        return _Plan(
            line.line,
            MILESTONE,
            number,
            key,
            values,
            existing,
            changed,
            parent_key=key.rsplit(".", 1)[0],
        )

    def parents(self, plans: Sequence[_Plan]) -> None:
        """Each milestone's parent is in the programme or in the file."""
        for plan in plans:
            if plan.kind != MILESTONE or plan.parent_key == str(plan.number):
                continue
            known = plan.parent_key in self.paths.get(plan.number, {})
            if not known and plan.parent_key not in self.keys_in_file:
                self.errors.append(
                    LineError(
                        plan.line,
                        "key",
                        _(
                            "Its parent milestone %(key)s is neither in the programme nor in the file."
                        )
                        % {"key": plan.parent_key},
                    )
                )


class _Apply:
    """Writes valid plans through the core services (in the caller's transaction)."""

    def __init__(self, check: _Check, actor: User) -> None:
        self.check = check
        self.actor = actor
        self.result = ImportResult()
        self.created: dict[str, Milestone] = {}

    def count(self, plan: _Plan) -> None:
        if plan.existing is None:
            self.result.created += 1
        elif plan.changed:
            self.result.updated += 1
        else:
            self.result.unchanged += 1

    def run(self, plans: Sequence[_Plan]) -> ImportResult:
        commitments = dict(self.check.commitments)
        for plan in plans:
            if plan.kind != COMMITMENT:
                continue
            self.count(plan)
            if not plan.changed:
                continue
            data = plan.values
            try:
                if plan.existing is None:
                    commitments[plan.number] = core.commitment_create(
                        programme=self.check.programme,
                        actor=self.actor,
                        data=data,
                        number=plan.number,
                    )
                else:
                    core.commitment_update(commitment=plan.existing, actor=self.actor, data=data)
            except ValidationError as exc:
                raise _Failed(_failure(plan, exc)) from exc
        # Parents before their children: by depth, then in the file's order.
        for plan in sorted(
            (p for p in plans if p.kind == MILESTONE), key=lambda p: (p.depth, p.line)
        ):
            self.count(plan)
            if not plan.changed:
                continue
            parent = None
            if plan.parent_key != str(plan.number):
                parent = self.created.get(plan.parent_key) or self.check.paths[plan.number].get(
                    plan.parent_key
                )
            data = {**plan.values, "parent": parent.pk if parent is not None else ""}
            try:
                if plan.existing is None:
                    self.created[plan.key] = core.milestone_create(
                        commitment=commitments[plan.number], actor=self.actor, data=data
                    )
                else:
                    core.milestone_update(milestone=plan.existing, actor=self.actor, data=data)
            except ValidationError as exc:
                raise _Failed(_failure(plan, exc)) from exc
        return self.result


def _failure(plan: _Plan, exc: ValidationError) -> LineError:
    if hasattr(exc, "error_dict"):
        name, messages = next(iter(exc.message_dict.items()))
        return LineError(plan.line, name if name in CSV_COLUMNS else "", " ".join(messages))
    return LineError(plan.line, "", " ".join(exc.messages))


@transaction.atomic
def commitments_import(*, programme: Programme, actor: User, data: bytes) -> ImportResult:
    """Create or update the programme's commitments and milestones from a CSV file in
    the layout of `commitments_csv` (see the module's docstring).

    Preconditions: Perm.OPENPLAN_MANAGE (else PermissionDenied); the programme in
    co-creation or under consultation (else ValidationError). Every line is checked
    first; any error → an ImportResult listing each (line, column, message) and nothing
    written. Otherwise each changed line goes through the core services (their ledger
    events; progress rolled up), then a ledger event `openplan.imported` with the
    counts; an unchanged file writes nothing at all. Progress is never imported.
    """
    core.require(actor, programme.collectivity)
    locked = (
        Programme.objects.select_for_update().select_related("collectivity").get(pk=programme.pk)
    )
    if locked.status not in IMPORTABLE:
        raise ValidationError(
            _(
                "Commitments are imported only while the programme is in co-creation or under consultation."
            )
        )
    _header, lines, errors = _read(data)
    if errors:
        return ImportResult(errors=errors)
    check = _Check(locked, lines)
    plans = check.run()
    check.parents(plans)
    if check.errors:
        return ImportResult(errors=sorted(check.errors, key=lambda e: (e.line, e.field)))
    try:
        with transaction.atomic():
            result = _Apply(check, actor).run(plans)
    except _Failed as failed:
        return ImportResult(errors=[failed.error])
    if result.created or result.updated:
        core.record(
            locked,
            "imported",
            actor,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
    return result
