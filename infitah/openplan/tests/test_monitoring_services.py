"""Monitoring writes (services/monitoring.py): progress reports with evidence (the
register, the `update` clock), indicators and their values, assessments by the
monitor, removing from a draft; each rule, who may act, tenancy, and nothing written on
bad input (no stored file either)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from infitah.accounts.models import User
from infitah.cases.services import TransitionNotAllowed, case_transition
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.ledger.models import Event, RegisterEntry
from infitah.ledger.register_selectors import register_audit
from infitah.openplan.models import (
    Assessment,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Programme,
    ProgressReport,
)
from infitah.openplan.process import PROCESS
from infitah.openplan.register import EVIDENCE_TYPE, evidence_register_current
from infitah.openplan.services import core, monitoring
from infitah.openplan.tests.conftest import pdf_file, png_file
from infitah.openplan.workflow import (
    Action,
    AssessmentSource,
    Completion,
    EarlyResults,
    EvidenceKind,
    Potential,
    Status,
)

pytestmark = pytest.mark.django_db

D = Decimal


# --- helpers ------------------------------------------------------------------------------


def adopt(programme: Programme, actor: User) -> Programme:
    """The engine's adopt step (the adoption service, with its council decision and
    version, is another part's): the `update` clock opens."""
    case_transition(PROCESS, programme, Action.ADOPT, actor=actor)
    programme.refresh_from_db()
    return programme


def snapshot() -> tuple[Any, ...]:
    """Every row a monitoring service may write, and the stored files."""
    media = Path(settings.MEDIA_ROOT)
    return (
        list(Programme.objects.order_by("pk").values()),
        list(Commitment.objects.order_by("pk").values()),
        list(Milestone.objects.order_by("pk").values()),
        list(ProgressReport.objects.order_by("pk").values()),
        list(Evidence.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(IndicatorValue.objects.order_by("pk").values()),
        list(Assessment.objects.order_by("pk").values()),
        list(Deadline.objects.order_by("pk").values()),
        Event.objects.count(),
        RegisterEntry.objects.count(),
        sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else [],
    )


def refused(call: Callable[[], object], *fields: str) -> ValidationError:
    """`call` raises a ValidationError naming `fields` (or none: a message for the whole
    form), and nothing is written."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call()
    if fields:
        assert set(fields) <= set(caught.value.message_dict), caught.value
    assert snapshot() == before
    return caught.value


def denied(call: Callable[[], object]) -> None:
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert snapshot() == before


@pytest.fixture
def adopted(programme: Programme, focal_point: User) -> Programme:
    return adopt(programme, focal_point)


@pytest.fixture
def steps(commitment: Commitment, focal_point: User) -> dict[str, Milestone]:
    """A (weight 3, with A1 and A2 under it) and B (weight 1)."""
    make = core.milestone_create
    a = make(commitment=commitment, actor=focal_point, data={"title_ar": "أ", "weight": "3"})
    return {
        "a": a,
        "a1": make(
            commitment=commitment, actor=focal_point, data={"title_ar": "أ1", "parent": a.pk}
        ),
        "a2": make(
            commitment=commitment, actor=focal_point, data={"title_ar": "أ2", "parent": a.pk}
        ),
        "b": make(commitment=commitment, actor=focal_point, data={"title_ar": "ب", "weight": "1"}),
    }


def _update_periods(programme: Programme) -> list[Deadline]:
    return list(
        Deadline.objects.filter(
            subject_type="openplan.programme",
            subject_id=str(programme.pk),
            limit__code="openplan.update",
        ).order_by("pk")
    )


# --- progress reports ---------------------------------------------------------------------


def test_a_report_sets_progress_stores_evidence_and_meets_the_update_clock(
    adopted: Programme,
    commitment: Commitment,
    steps: dict[str, Milestone],
    focal_point: User,
    settings: Any,
) -> None:
    [first] = _update_periods(adopted)
    assert first.status == DeadlineStatus.OPEN and adopted.update_deadline == first
    report = monitoring.report_submit(
        commitment=commitment,
        actor=focal_point,
        milestone=steps["a1"],
        progress="100",
        note="تم نشر أول مجموعة من المعطيات",
        unit="مصلحة التواصل",
        files=[pdf_file("محضر.pdf"), png_file()],
        links=[("بوابة المعطيات", "https://data.example.ma/x"), ("", "http://example.ma/y")],
    )
    assert (report.milestone, report.progress, report.reported_by) == (
        steps["a1"],
        D("100.00"),
        focal_point,
    )
    # A = (100 + 0) / 2 = 50; commitment = (3 × 50 + 1 × 0) / 4 = 37.5; the programme's
    # only commitment: 37.5.
    commitment.refresh_from_db()
    adopted.refresh_from_db()
    assert commitment.progress == adopted.progress == D("37.50")
    assert Milestone.objects.get(pk=steps["a"].pk).progress == D("50.00")
    evidence = list(report.evidence.order_by("pk"))
    assert [e.kind for e in evidence] == [
        EvidenceKind.DOCUMENT,
        EvidenceKind.PHOTO,
        EvidenceKind.LINK,
        EvidenceKind.LINK,
    ]
    assert all(e.milestone == steps["a1"] and e.created_by == focal_point for e in evidence)
    assert evidence[0].name == "محضر.pdf" and evidence[0].content_type == "application/pdf"
    assert evidence[0].file.read() == pdf_file().read()
    assert (evidence[2].title, evidence[2].url, evidence[2].file.name) == (
        "بوابة المعطيات",
        "https://data.example.ma/x",
        "",
    )
    assert evidence[3].title == "http://example.ma/y"  # a link without a title
    # The two files (not the links) are in the publication register…
    entries = list(RegisterEntry.objects.filter(document_type=EVIDENCE_TYPE).order_by("index"))
    assert [e.document_id for e in entries] == [str(evidence[0].pk), str(evidence[1].pk)]
    assert [e.file_sha256 for e in entries] == [evidence[0].sha256, evidence[1].sha256]
    assert entries[0].metadata["commitment"] == commitment.number
    # … and `manage.py verify_register` finds each as its entry says.
    current = {item.document_id: item for item in evidence_register_current()}
    assert set(current) == {e.document_id for e in entries}
    assert all(current[e.document_id].file_sha256 == e.file_sha256 for e in entries)
    assert settings.INFITAH_REGISTER_SOURCES[EVIDENCE_TYPE].endswith("evidence_register_current")
    assert register_audit(check_files=True).problems == []
    # The engine's report step: the running period is met, the next 4 months open.
    first.refresh_from_db()
    periods = _update_periods(adopted)
    assert first.status == DeadlineStatus.MET and len(periods) == 2
    assert periods[1].status == DeadlineStatus.OPEN
    assert adopted.update_deadline == periods[1]
    assert periods[1].start_date == timezone.localdate()
    assert adopted.update_due == periods[1].due_date
    assert periods[1].due_date > timezone.localdate() + dt.timedelta(days=115)
    event = Event.objects.get(action="openplan.report")
    assert event.actor == focal_point
    assert event.data["report"] == report.pk
    assert event.data["milestone"] == steps["a1"].pk
    assert event.data["evidence"] == [e.pk for e in evidence]
    assert adopted.status == Status.ADOPTED
    # A second report (a note only) meets the new period and opens a third.
    monitoring.report_submit(commitment=commitment, actor=focal_point, note="متابعة")
    assert [p.status for p in _update_periods(adopted)] == ["met", "met", "open"]


def test_a_report_is_refused_before_adoption_and_after_closing(
    programme: Programme, commitment: Commitment, steps: dict[str, Milestone], focal_point: User
) -> None:
    with translation.override("fr"):
        error = refused(
            lambda: monitoring.report_submit(
                commitment=commitment, actor=focal_point, milestone=steps["b"], progress="10"
            )
        )
        assert str(Status.DRAFTING.label) in error.messages[0]
    adopt(programme, focal_point)
    case_transition(PROCESS, programme, Action.CLOSE, actor=focal_point)
    refused(lambda: monitoring.report_submit(commitment=commitment, actor=focal_point, note="x"))


def test_a_report_is_accepted_in_evaluation(
    adopted: Programme, commitment: Commitment, steps: dict[str, Milestone], focal_point: User
) -> None:
    case_transition(PROCESS, adopted, Action.EVALUATE, actor=focal_point)
    monitoring.report_submit(
        commitment=commitment, actor=focal_point, milestone=steps["b"], progress="40"
    )
    assert Milestone.objects.get(pk=steps["b"].pk).progress == D("40.00")


def test_only_the_focal_point_of_the_collectivity_reports(
    adopted: Programme,
    commitment: Commitment,
    steps: dict[str, Milestone],
    monitor: User,
    charlie: User,
    citizen: User,
) -> None:
    for actor in (monitor, charlie, citizen):
        denied(
            lambda actor=actor: monitoring.report_submit(  # type: ignore[misc]
                commitment=commitment,
                actor=actor,
                milestone=steps["b"],
                progress="50",
                files=[pdf_file()],
            )
        )


def test_the_milestone_must_be_a_leaf_of_this_commitment(
    adopted: Programme,
    commitment: Commitment,
    steps: dict[str, Milestone],
    focal_point: User,
) -> None:
    other = core.commitment_create(programme=adopted, actor=focal_point, data={"title_fr": "B"})
    elsewhere = core.milestone_create(commitment=other, actor=focal_point, data={"title_fr": "x"})
    for milestone in (elsewhere, steps["a"], "abc", 10**12, elsewhere.pk):
        refused(
            lambda m=milestone: monitoring.report_submit(  # type: ignore[misc]
                commitment=commitment, actor=focal_point, milestone=m, progress="10"
            ),
            "milestone",
        )
    # A whose sub-milestones are all cancelled counts as a leaf: it may be reported.
    for child in ("a1", "a2"):
        monitoring.report_submit(
            commitment=commitment, actor=focal_point, milestone=steps[child], cancelled=True
        )
    monitoring.report_submit(
        commitment=commitment, actor=focal_point, milestone=steps["a"], progress="80"
    )
    # (3 × 80 + 1 × 0) / 4 = 60
    commitment.refresh_from_db()
    assert commitment.progress == D("60.00")


def test_evidence_and_progress_need_a_milestone(
    adopted: Programme, commitment: Commitment, steps: dict[str, Milestone], focal_point: User
) -> None:
    error = refused(
        lambda: monitoring.report_submit(
            commitment=commitment,
            actor=focal_point,
            progress="10",
            cancelled=True,
            files=[pdf_file()],
            links=[("t", "https://example.ma")],
        ),
        "progress",
        "cancelled",
        "files",
        "links",
    )
    assert len(error.message_dict["files"]) == 1


def test_bad_input_names_each_field_and_stores_no_file(
    adopted: Programme, commitment: Commitment, steps: dict[str, Milestone], focal_point: User
) -> None:
    fake = SimpleUploadedFile(
        "rapport.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    error = refused(
        lambda: monitoring.report_submit(
            commitment=commitment,
            actor=focal_point,
            milestone=steps["b"],
            progress="101",
            note="x\x00y",
            unit="و" * 201,
            files=[pdf_file(), fake, SimpleUploadedFile("a.exe", b"MZ")],
            links=[("ok", "javascript:alert(1)"), ("t", ""), ("x" * 301, "https://example.ma")],
        ),
        "progress",
        "note",
        "unit",
        "files",
        "links",
    )
    # One message per bad file and per bad link, naming it.
    assert len(error.message_dict["files"]) == 2
    assert error.message_dict["files"][0].startswith("rapport.pdf: ")
    assert len(error.message_dict["links"]) == 3
    for progress in ("abc", "-1", "NaN", "1e400"):
        refused(
            lambda p=progress: monitoring.report_submit(  # type: ignore[misc]
                commitment=commitment, actor=focal_point, milestone=steps["b"], progress=p
            ),
            "progress",
        )
    too_many = [pdf_file(f"f{i}.pdf") for i in range(monitoring.MAX_FILES + 1)]
    refused(
        lambda: monitoring.report_submit(
            commitment=commitment, actor=focal_point, milestone=steps["b"], files=too_many
        ),
        "files",
    )
    # Nothing to report.
    refused(lambda: monitoring.report_submit(commitment=commitment, actor=focal_point), "note")


def test_no_file_is_left_behind_when_the_step_fails_after_storing(
    adopted: Programme,
    commitment: Commitment,
    steps: dict[str, Milestone],
    focal_point: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The state moved on between the checks and the engine's step (another request
    closed the programme meanwhile): the report is refused and its files removed."""

    def closed_meanwhile(*args: Any, **kwargs: Any) -> None:
        raise TransitionNotAllowed("closed meanwhile")

    monkeypatch.setattr(monitoring, "case_transition", closed_meanwhile)
    error = refused(
        lambda: monitoring.report_submit(
            commitment=commitment, actor=focal_point, milestone=steps["b"], files=[pdf_file()]
        )
    )
    assert error.messages == ["closed meanwhile"]


def test_cancelling_and_resuming_a_milestone_by_report(
    adopted: Programme, commitment: Commitment, steps: dict[str, Milestone], focal_point: User
) -> None:
    monitoring.report_submit(
        commitment=commitment, actor=focal_point, milestone=steps["b"], progress="100"
    )
    # (3 × 0 + 1 × 100) / 4 = 25
    commitment.refresh_from_db()
    assert commitment.progress == D("25.00")
    monitoring.report_submit(
        commitment=commitment,
        actor=focal_point,
        milestone=steps["a1"],
        cancelled=True,
        note="ألغيت",
    )
    monitoring.report_submit(
        commitment=commitment, actor=focal_point, milestone=steps["a2"], cancelled=True
    )
    # A's children all cancelled: A counts as a leaf at its stored 0 → (0 + 100) / 4 = 25.
    commitment.refresh_from_db()
    assert commitment.progress == D("25.00")
    assert Milestone.objects.get(pk=steps["a1"].pk).is_cancelled
    monitoring.report_submit(
        commitment=commitment,
        actor=focal_point,
        milestone=steps["a1"],
        cancelled=False,
        progress="100",
    )
    # A1 back: A = 100 (A2 still out) → (3 × 100 + 100) / 4 = 100
    commitment.refresh_from_db()
    assert commitment.progress == D("100.00") and commitment.completion == Completion.COMPLETED


# --- indicators ---------------------------------------------------------------------------


INDICATOR = {
    "name_ar": "عدد مجموعات المعطيات المنشورة",
    "name_fr": "Nombre de jeux de données publiés",
    "unit": "مجموعة",
    "baseline": "0",
    "baseline_on": "2027-01-01",
    "target": "40",
    "target_on": "2028-12-31",
}


def test_indicators_are_added_changed_and_removed(
    commitment: Commitment, focal_point: User
) -> None:
    indicator = monitoring.indicator_save(commitment=commitment, actor=focal_point, data=INDICATOR)
    assert (indicator.order, indicator.baseline, indicator.target) == (1, D("0.00"), D("40.00"))
    second = monitoring.indicator_save(
        commitment=commitment, actor=focal_point, data={**INDICATOR, "name_ar": "ثان"}
    )
    assert second.order == 2
    monitoring.indicator_save(
        commitment=commitment,
        actor=focal_point,
        data={**INDICATOR, "target": "50"},
        indicator=indicator,
    )
    indicator.refresh_from_db()
    assert indicator.target == D("50.00")
    event = Event.objects.filter(action="openplan.indicator_updated").get()
    assert event.data["fields"] == ["target"]
    monitoring.indicator_delete(indicator=second, actor=focal_point)
    assert list(commitment.indicators.all()) == [indicator]
    assert Event.objects.filter(action="openplan.indicator_removed").count() == 1


def test_indicator_bad_input_and_permissions(
    programme: Programme, commitment: Commitment, focal_point: User, monitor: User, charlie: User
) -> None:
    refused(
        lambda: monitoring.indicator_save(
            commitment=commitment,
            actor=focal_point,
            data={
                "name_ar": "",
                "name_fr": "",
                "unit": "x" * 65,
                "baseline": "abc",
                "target": "",
                "baseline_on": "2028-01-01",
                "target_on": "2027-01-01",
                "order": "0",
            },
        ),
        "name_ar",
        "unit",
        "baseline",
        "target",
        "target_on",
        "order",
    )
    for actor in (monitor, charlie):
        denied(
            lambda actor=actor: monitoring.indicator_save(  # type: ignore[misc]
                commitment=commitment, actor=actor, data=INDICATOR
            )
        )
    other = core.commitment_create(programme=programme, actor=focal_point, data={"title_fr": "B"})
    indicator = monitoring.indicator_save(commitment=other, actor=focal_point, data=INDICATOR)
    denied(
        lambda: monitoring.indicator_save(
            commitment=commitment, actor=focal_point, data=INDICATOR, indicator=indicator
        )
    )


def test_one_value_per_day_the_same_day_again_replaces_it(
    commitment: Commitment, focal_point: User
) -> None:
    indicator = monitoring.indicator_save(commitment=commitment, actor=focal_point, data=INDICATOR)
    today = timezone.localdate()
    first = monitoring.indicator_value_record(
        indicator=indicator,
        actor=focal_point,
        data={"measured_on": today, "value": "12", "source_url": "https://data.example.ma"},
    )
    again = monitoring.indicator_value_record(
        indicator=indicator,
        actor=focal_point,
        data={"measured_on": today.isoformat(), "value": "15", "note": "تصحيح"},
    )
    assert again.pk == first.pk
    assert list(indicator.values.values_list("value", "note", "source_url")) == [
        (D("15.00"), "تصحيح", "")
    ]
    events = list(Event.objects.filter(action="openplan.indicator_value").order_by("pk"))
    assert [(e.data["replaced"], e.data["previous"]) for e in events] == [
        (False, None),
        (True, "12.00"),
    ]
    yesterday = monitoring.indicator_value_record(
        indicator=indicator,
        actor=focal_point,
        data={"measured_on": today - dt.timedelta(days=1), "value": "-3.5"},
    )
    assert indicator.values.count() == 2
    monitoring.indicator_value_delete(value=yesterday, actor=focal_point)
    assert list(indicator.values.all()) == [again]
    # An indicator with values stays.
    refused(lambda: monitoring.indicator_delete(indicator=indicator, actor=focal_point))


def test_value_bad_input_writes_nothing(
    commitment: Commitment, focal_point: User, monitor: User, charlie: User
) -> None:
    indicator = monitoring.indicator_save(commitment=commitment, actor=focal_point, data=INDICATOR)
    refused(
        lambda: monitoring.indicator_value_record(
            indicator=indicator,
            actor=focal_point,
            data={
                "measured_on": timezone.localdate() + dt.timedelta(days=1),
                "value": "x",
                "note": "n" * 501,
                "source_url": "ftp://example.ma/file",
            },
        ),
        "measured_on",
        "value",
        "note",
        "source_url",
    )
    refused(
        lambda: monitoring.indicator_value_record(
            indicator=indicator, actor=focal_point, data={"measured_on": "2027-02-30"}
        ),
        "measured_on",
        "value",
    )
    for actor in (monitor, charlie):
        denied(
            lambda actor=actor: monitoring.indicator_value_record(  # type: ignore[misc]
                indicator=indicator,
                actor=actor,
                data={"measured_on": timezone.localdate(), "value": "1"},
            )
        )


# --- assessments --------------------------------------------------------------------------


def test_the_monitor_records_both_sources_separately(commitment: Commitment, monitor: User) -> None:
    committee = monitoring.assessment_record(
        commitment=commitment,
        actor=monitor,
        data={
            "source": AssessmentSource.COMMITTEE,
            "completion": Completion.SUBSTANTIAL,
            "assessed_on": timezone.localdate(),
            "is_verifiable": "yes",
            "has_open_government_lens": "",
            "potential": Potential.MODEST,
            "comment": "تقدم ملموس",
        },
    )
    independent = monitoring.assessment_record(
        commitment=commitment,
        actor=monitor,
        data={
            "source": AssessmentSource.INDEPENDENT,
            "assessor": "جمعية أطيل",
            "completion": Completion.LIMITED,
            "assessed_on": "2026-01-15",
            "is_verifiable": False,
            "early_results": EarlyResults.MARGINAL,
        },
    )
    assert (committee.is_verifiable, committee.has_open_government_lens) == (True, None)
    assert (independent.is_verifiable, independent.potential) == (False, "")
    assert committee.recorded_by == monitor
    assert set(commitment.assessments.values_list("source", "completion")) == {
        ("committee", "substantial"),
        ("independent", "limited"),
    }
    assert Event.objects.filter(action="openplan.assessment").count() == 2


def test_assessment_rules_and_who_may_assess(
    commitment: Commitment, monitor: User, focal_point: User, charlie: User, citizen: User
) -> None:
    refused(
        lambda: monitoring.assessment_record(
            commitment=commitment,
            actor=monitor,
            data={
                "source": "council",
                "completion": "",
                "assessed_on": timezone.localdate() + dt.timedelta(days=1),
                "is_verifiable": "perhaps",
                "potential": "huge",
                "early_results": "x",
                "assessor": "a\x00b",
            },
        ),
        "source",
        "completion",
        "assessed_on",
        "is_verifiable",
        "potential",
        "early_results",
        "assessor",
    )
    refused(
        lambda: monitoring.assessment_record(
            commitment=commitment, actor=monitor, data={"source": "committee"}
        ),
        "completion",
        "assessed_on",
    )
    valid = {
        "source": "committee",
        "completion": "limited",
        "assessed_on": timezone.localdate(),
    }
    for actor in (focal_point, charlie, citizen):
        denied(
            lambda actor=actor: monitoring.assessment_record(  # type: ignore[misc]
                commitment=commitment, actor=actor, data=valid
            )
        )


# --- removing from a draft ----------------------------------------------------------------


def test_milestones_and_commitments_leave_a_draft_and_the_progress_is_rolled_again(
    programme: Programme, commitment: Commitment, steps: dict[str, Milestone], focal_point: User
) -> None:
    core.milestone_progress_set(milestone=steps["b"], progress=D(100))
    # (3 × 0 + 1 × 100) / 4 = 25
    commitment.refresh_from_db()
    assert commitment.progress == D("25.00")
    monitoring.milestone_delete(milestone=steps["a"], actor=focal_point)
    # A and its sub-milestones gone: B alone, 100.
    assert list(commitment.milestones.all()) == [steps["b"]]
    commitment.refresh_from_db()
    programme.refresh_from_db()
    assert commitment.progress == programme.progress == D("100.00")
    other = core.commitment_create(programme=programme, actor=focal_point, data={"title_fr": "B"})
    programme.refresh_from_db()
    assert programme.progress == D("50.00")  # (100 + 0) / 2
    monitoring.commitment_delete(commitment=other, actor=focal_point)
    programme.refresh_from_db()
    assert programme.progress == D("100.00")
    monitoring.commitment_delete(commitment=commitment, actor=focal_point)
    programme.refresh_from_db()
    assert programme.progress == D("0.00") and not programme.commitments.exists()
    actions = set(Event.objects.values_list("action", flat=True))
    assert {"openplan.milestone_removed", "openplan.commitment_removed"} <= actions


def test_an_adopted_programme_changes_by_amendment_not_deletion(
    adopted: Programme,
    commitment: Commitment,
    steps: dict[str, Milestone],
    focal_point: User,
    monitor: User,
    charlie: User,
) -> None:
    refused(lambda: monitoring.milestone_delete(milestone=steps["b"], actor=focal_point))
    refused(lambda: monitoring.commitment_delete(commitment=commitment, actor=focal_point))
    for actor in (monitor, charlie):
        denied(
            lambda actor=actor: monitoring.commitment_delete(  # type: ignore[misc]
                commitment=commitment, actor=actor
            )
        )
