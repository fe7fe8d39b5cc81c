"""Test helpers for the legal calendar."""

from __future__ import annotations

from datetime import date, timedelta

from infitah.deadlines.models import Deadline, LegalLimit
from infitah.territories.models import Collectivity


def deadline_make(
    *,
    collectivity: Collectivity,
    limit_code: str = "ati.answer",
    start: date = date(2026, 3, 16),
    due: date | None = None,
    subject_id: str = "1",
    save: bool = True,
) -> Deadline:
    """A Deadline row written directly (services are tested on their own)."""
    deadline = Deadline(
        collectivity=collectivity,
        limit=LegalLimit.objects.get(code=limit_code),
        start_date=start,
        due_date=due or start + timedelta(days=30),
        subject_type="tests.subject",
        subject_id=subject_id,
        label=f"Case {subject_id}: answer",
    )
    if save:
        deadline.save()
    return deadline
