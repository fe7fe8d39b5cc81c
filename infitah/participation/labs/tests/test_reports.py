"""The report: recomputed by the background task (never in the service call itself),
persisted with its parameters, deterministic for the lab's seed; the throttle and the
sweep of `manage.py tick`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from django.utils import timezone

from infitah.accounts.models import User
from infitah.participation.labs import reports, services
from infitah.participation.labs.models import Lab, LabReport, Statement
from infitah.participation.labs.tasks import lab_report_refresh
from infitah.participation.labs.tests.conftest import Voters
from infitah.participation.models import Participant

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def planted_votes(lab: Lab, statements: list[Statement], people: list[Participant]) -> None:
    """Two camps: the first half agrees with even statements and disagrees with odd
    ones, the second half the reverse; everyone agrees with the last statement."""
    half = len(people) // 2
    for n, who in enumerate(people):
        camp = 1 if n < half else -1
        for i, statement in enumerate(statements):
            value = 1 if i == len(statements) - 1 else (camp if i % 2 == 0 else -camp)
            services.vote_cast(lab=lab, participant=who, statement_id=statement.pk, value=value)


def test_votes_only_mark_the_lab_and_enqueue_once(
    lab: Lab,
    statements: list[Statement],
    voters: Voters,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        planted_votes(lab, statements, voters(4))
    # 40 votes, one enqueue (when the transaction commits), no report computed yet.
    assert len(callbacks) == 1
    assert not LabReport.objects.exists()
    lab.refresh_from_db()
    assert (lab.revision, lab.computed_revision, lab.is_dirty) == (40, 0, True)


def test_the_task_computes_and_persists_the_report_with_its_parameters(
    lab: Lab,
    statements: list[Statement],
    voters: Voters,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    people = voters(12)
    with django_capture_on_commit_callbacks(execute=True):
        planted_votes(lab, statements, people)
    report = LabReport.objects.get(lab=lab)
    assert report.params == {
        "algorithm": reports.ALGORITHM,
        "seed": 42,
        "min_votes": 7,
        "max_k": 5,
        "revision": 120,
        "vote_count": 120,
        "voter_count": 12,
        "statement_count": 10,
        "excluded_statements": [],
    }
    assert report.revision == 120
    groups = report.result["groups"]
    assert sorted(g["size"] for g in groups) == [6, 6]
    # Voters appear by their number in the lab, never by participant id.
    assert sorted(p["participant_id"] for p in report.result["participants"]) == list(range(1, 13))
    consensus = {c["statement_id"] for c in report.result["consensus"]}
    assert statements[-1].pk in consensus
    lab.refresh_from_db()
    assert not lab.is_dirty


def test_the_task_is_idempotent(lab: Lab, statements: list[Statement], voters: Voters) -> None:
    planted_votes(lab, statements, voters(8))
    assert lab_report_refresh.call(lab.pk) == "computed"
    assert lab_report_refresh.call(lab.pk) == "unchanged"
    assert LabReport.objects.filter(lab=lab).count() == 1
    assert lab_report_refresh.call(999_999) == "missing"


def test_the_report_is_deterministic_for_the_seed(
    lab: Lab, statements: list[Statement], voters: Voters
) -> None:
    planted_votes(lab, statements, voters(14))
    first = reports.lab_report_compute(lab_id=lab.pk).report
    second = reports.lab_report_compute(lab_id=lab.pk, force=True).report
    assert first is not None and second is not None and first.pk != second.pk
    assert first.result == second.result
    assert first.params == second.params


def test_withdrawn_statements_leave_the_maths(
    lab: Lab, statements: list[Statement], voters: Voters, focal_point: User
) -> None:
    planted_votes(lab, statements, voters(10))
    services.statement_moderate(
        statement=statements[0], actor=focal_point, approve=False, reason="مكرر"
    )
    report = reports.lab_report_compute(lab_id=lab.pk).report
    assert report is not None
    assert report.params["excluded_statements"] == [statements[0].pk]
    assert report.params["statement_count"] == 9
    assert report.params["vote_count"] == 90
    mentioned = {c["statement_id"] for c in report.result["consensus"]} | {
        r["statement_id"] for g in report.result["groups"] for r in g["representative"]
    }
    assert statements[0].pk not in mentioned


def test_at_most_one_enqueue_per_window_and_the_sweep_catches_the_rest(
    lab: Lab,
    statements: list[Statement],
    voters: Voters,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    a, b = voters(2)
    with django_capture_on_commit_callbacks(execute=True) as first:
        services.vote_cast(lab=lab, participant=a, statement_id=statements[0].pk, value=1)
    assert len(first) == 1
    assert LabReport.objects.get(lab=lab).params["vote_count"] == 1
    lab.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True) as second:
        services.vote_cast(lab=lab, participant=b, statement_id=statements[0].pk, value=-1)
    assert second == []  # inside the window: only marked dirty
    lab.refresh_from_db()
    assert lab.is_dirty
    assert services.labs_recompute_due() == 0  # still inside the window
    later = timezone.now() + services.RECOMPUTE_EVERY + timedelta(seconds=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert services.labs_recompute_due() == 1
        assert services.labs_recompute_due() == 0  # claimed: not enqueued twice
    latest = LabReport.objects.filter(lab=lab).first()
    assert latest is not None and latest.params["vote_count"] == 2
    lab.refresh_from_db()
    assert not lab.is_dirty


def test_old_reports_are_pruned(lab: Lab, statements: list[Statement], voters: Voters) -> None:
    planted_votes(lab, statements, voters(2))
    for _ in range(reports.KEEP_REPORTS + 3):
        reports.lab_report_compute(lab_id=lab.pk, force=True)
    assert LabReport.objects.filter(lab=lab).count() == reports.KEEP_REPORTS


def test_an_empty_lab_gets_an_empty_report(lab: Lab) -> None:
    report = reports.lab_report_compute(lab_id=lab.pk, force=True).report
    assert report is not None
    assert report.result["groups"] == [] and report.result["participants"] == []
