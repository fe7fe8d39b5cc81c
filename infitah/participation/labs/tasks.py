"""Background recomputation of a lab's opinion groups (Django Tasks API)."""

from __future__ import annotations

from django_tasks import task

from infitah.participation.labs.reports import lab_report_compute


@task()
def lab_report_refresh(lab_id: int) -> str:
    """Compute and persist the lab's report unless the latest one already covers its
    current revision (idempotent: a re-run writes nothing)."""
    return lab_report_compute(lab_id=lab_id).outcome
