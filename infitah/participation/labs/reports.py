"""The lab report: computed by the maths module in the background task, persisted with
the parameters that produced it, and shaped for the report page and the downloads.

Only the task (`tasks.lab_report_refresh`) and the staff's demo call
`lab_report_compute`; a web request reads the persisted LabReport and never computes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.participation.labs.charts import Point, group_colour, group_letter, opinion_map_svg
from infitah.participation.labs.math import opinion_groups
from infitah.participation.labs.models import (
    Lab,
    LabReport,
    Statement,
    StatementStatus,
    Vote,
    Voter,
)

MIN_VOTES = 7
MAX_K = 5
# Reports kept per lab (the latest is shown; a few before it stay for comparison).
KEEP_REPORTS = 10
ALGORITHM = "infitah.participation.labs.math.opinion_groups"


@dataclass(frozen=True)
class ComputeOutcome:
    outcome: str  # "computed", "unchanged" or "missing"
    report: LabReport | None


def lab_report_compute(*, lab_id: int, force: bool = False) -> ComputeOutcome:
    """Compute the opinion groups of the lab's current votes and persist them, unless the
    latest report already covers the lab's revision (then nothing is written).

    Reads the revision first, then the votes: a vote committed in between is in the
    report and, its revision being newer, leaves the lab dirty for one more (harmless)
    run; never the reverse. Votes on statements that are not approved (a statement
    withdrawn by moderation) are left out of the maths.
    """
    lab = Lab.objects.filter(pk=lab_id).only("pk", "seed", "revision").first()
    if lab is None:
        return ComputeOutcome("missing", None)
    revision = lab.revision
    latest = LabReport.objects.filter(lab_id=lab_id).order_by("-revision", "-computed_at").first()
    if not force and latest is not None and latest.revision >= revision:
        Lab.objects.filter(pk=lab_id, computed_revision__lt=latest.revision).update(
            computed_revision=latest.revision
        )
        return ComputeOutcome("unchanged", latest)
    statement_ids = sorted(
        Statement.objects.approved().filter(lab_id=lab_id).values_list("pk", flat=True)
    )
    excluded = sorted(
        Statement.objects.filter(lab_id=lab_id, status=StatementStatus.REJECTED)
        .filter(votes__isnull=False)
        .values_list("pk", flat=True)
        .distinct()
    )
    rows = list(
        Vote.objects.filter(lab_id=lab_id, statement__status=StatementStatus.APPROVED)
        .order_by()
        .values_list("participant_id", "statement_id", "value")
    )
    # After the votes: every voter of a vote read above has its number by now.
    numbers = dict(Voter.objects.filter(lab_id=lab_id).values_list("participant_id", "number"))
    votes = sorted((numbers[p], s, v) for p, s, v in rows if p in numbers)
    voter_ids = sorted({v for v, _s, _x in votes})
    result = opinion_groups(
        [v for v, _s, _x in votes],
        [s for _v, s, _x in votes],
        [x for _v, _s, x in votes],
        seed=lab.seed,
        min_votes=MIN_VOTES,
        max_k=MAX_K,
    )
    params = {
        "algorithm": ALGORITHM,
        "seed": lab.seed,
        "min_votes": MIN_VOTES,
        "max_k": MAX_K,
        "revision": revision,
        "vote_count": len(votes),
        "voter_count": len(voter_ids),
        "statement_count": len(statement_ids),
        "excluded_statements": excluded,
    }
    with transaction.atomic():
        report = LabReport.objects.create(
            lab_id=lab_id,
            computed_at=timezone.now(),
            revision=revision,
            params=params,
            result=result.to_json(),
        )
        Lab.objects.filter(pk=lab_id, computed_revision__lt=revision).update(
            computed_revision=revision
        )
        stale = LabReport.objects.filter(lab_id=lab_id).order_by(
            "-revision", "-computed_at", "-pk"
        )[KEEP_REPORTS:]
        LabReport.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return ComputeOutcome("computed", report)


# ------------------------------------------------------------------ reading a report


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class StatementLine:
    statement_id: int
    text: str
    direction: str  # "agree" or "disagree"
    agree: int | None = None
    disagree: int | None = None
    passed: int | None = None
    score: float | None = None

    @property
    def direction_label(self) -> str:
        return _("mostly agree") if self.direction == "agree" else _("mostly disagree")


@dataclass
class GroupView:
    group: int
    size: int
    representative: list[StatementLine] = field(default_factory=list)

    @property
    def letter(self) -> str:
        return group_letter(self.group)

    @property
    def colour(self) -> str:
        return group_colour(self.group)


@dataclass
class ReportView:
    svg: str
    groups: list[GroupView]
    consensus: list[StatementLine]
    voter_count: int
    grouped_count: int
    vote_count: int


def _line(item: Any, texts: dict[int, str]) -> StatementLine | None:
    """One representative or consensus statement of the maths' JSON (None if the
    statement is no longer approved, or the row is not what the maths writes)."""
    if not isinstance(item, dict):
        return None
    sid = _int(item.get("statement_id"))
    if sid is None or sid not in texts:
        return None
    votes, agree, disagree = (
        _int(item.get("votes")),
        _int(item.get("agree")),
        _int(item.get("disagree")),
    )
    passed = votes - agree - disagree if None not in (votes, agree, disagree) else None  # type: ignore[operator]
    score = item.get("score")
    return StatementLine(
        statement_id=sid,
        text=texts[sid],
        direction="disagree" if item.get("direction") == "disagree" else "agree",
        agree=agree,
        disagree=disagree,
        passed=passed,
        score=float(score) if isinstance(score, int | float) else None,
    )


def _texts(lab: Lab) -> dict[int, str]:
    return dict(Statement.objects.approved().filter(lab=lab).values_list("pk", "text"))


def report_view(*, lab: Lab, report: LabReport) -> ReportView:
    """What the report page shows (one query: the approved statements' texts)."""
    texts = _texts(lab)
    result = report.result if isinstance(report.result, dict) else {}
    points = []
    for item in result.get("participants") or []:
        if not isinstance(item, dict):
            continue
        x, y = item.get("x"), item.get("y")
        if isinstance(x, int | float) and isinstance(y, int | float):
            points.append(Point(float(x), float(y), _int(item.get("group"))))
    groups = []
    for item in result.get("groups") or []:
        if not isinstance(item, dict) or _int(item.get("group")) is None:
            continue
        lines = [_line(r, texts) for r in item.get("representative") or []]
        groups.append(
            GroupView(
                group=int(item["group"]),
                size=_int(item.get("size")) or 0,
                representative=[line for line in lines if line is not None],
            )
        )
    consensus = [_line(r, texts) for r in result.get("consensus") or []]
    grouped = sum(g.size for g in groups)
    params = report.params if isinstance(report.params, dict) else {}
    voter_count = int(params.get("voter_count") or len(points))
    title = _("Opinion map")
    if groups:
        desc = _(
            "%(grouped)d participants with at least %(min)d votes, placed by how they "
            "voted, in %(groups)d opinion groups: %(sizes)s."
        ) % {
            "grouped": grouped,
            "min": int(params.get("min_votes") or MIN_VOTES),
            "groups": len(groups),
            "sizes": ", ".join(
                _("group %(letter)s, %(size)d participants") % {"letter": g.letter, "size": g.size}
                for g in groups
            ),
        }
    else:
        desc = _("Not enough votes yet to form opinion groups.")
    return ReportView(
        svg=opinion_map_svg(points=points, title=title, desc=desc),
        groups=groups,
        consensus=[line for line in consensus if line is not None],
        voter_count=voter_count,
        grouped_count=grouped,
        vote_count=int(params.get("vote_count") or 0),
    )


def report_json(*, lab: Lab, report: LabReport) -> dict[str, Any]:
    """The persisted report as downloaded and served by the API."""
    return {
        "lab": lab.pk,
        "computed_at": report.computed_at.isoformat(),
        "params": report.params,
        "result": report.result,
        "statements": [{"id": pk, "text": text} for pk, text in sorted(_texts(lab).items())],
    }


def report_csv_rows(*, lab: Lab, report: LabReport) -> list[list[Any]]:
    """One row per statement that sets a group apart or gathers consensus."""
    view = report_view(lab=lab, report=report)
    rows: list[list[Any]] = [
        [
            "kind",
            "group",
            "group_size",
            "statement",
            "text",
            "direction",
            "agree",
            "disagree",
            "pass",
            "score",
        ]
    ]
    for g in view.groups:
        for line in g.representative:
            rows.append(
                [
                    "representative",
                    g.letter,
                    g.size,
                    line.statement_id,
                    line.text,
                    line.direction,
                    line.agree,
                    line.disagree,
                    line.passed,
                    line.score,
                ]
            )
    for line in view.consensus:
        rows.append(
            [
                "consensus",
                "",
                "",
                line.statement_id,
                line.text,
                line.direction,
                line.agree,
                line.disagree,
                line.passed,
                line.score,
            ]
        )
    return rows
