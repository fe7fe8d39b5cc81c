"""Reads every process shares: its settings, a case's history, messages and deadlines."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models

from infitah.cases.workflow import Process, process_for
from infitah.deadlines.models import Deadline
from infitah.deadlines.selectors import deadline_list_for_subject
from infitah.ledger.models import Event
from infitah.ledger.selectors import event_list
from infitah.territories.models import Collectivity

S = TypeVar("S", bound=models.Model)


def settings_get(model: type[S], collectivity: Collectivity) -> S:
    """The collectivity's settings of a process: the saved row, or the defaults (unsaved)."""
    found = model._default_manager.filter(collectivity=collectivity).first()
    return found or model(collectivity=collectivity)


def case_events(case: models.Model) -> list[Event]:
    """The history of one case, oldest first."""
    return list(event_list(obj=case))


def case_messages(case: Any) -> list[Any]:
    """The exchanges about one case, oldest first, with authors and files."""
    return list(case.messages.select_related("author").prefetch_related("attachments"))


def case_deadlines(case: models.Model) -> list[Deadline]:
    """Every period (open or closed) of one case, oldest first. The label of a period
    that one of the process's clocks keeps is that clock's, in the current language
    (the stored label is in the language of whoever opened the period)."""
    subject_type = case._meta.label_lower
    deadlines = deadline_list_for_subject(subject_type=subject_type, subject_id=str(case.pk))
    process = process_for(subject_type)
    if process is not None:
        # The clock's current period by its id; earlier ones by their legal limit.
        by_id = {getattr(case, f"{c.field}_id", None): c.label for c in process.clocks.values()}
        by_limit = {c.limit: c.label for c in process.clocks.values() if isinstance(c.limit, str)}
        reference = getattr(case, "reference", "")
        for deadline in deadlines:
            label = by_id.get(deadline.pk) or by_limit.get(deadline.limit.code)
            if label is not None:
                deadline.label = str(label) % {"reference": reference}
    return deadlines


def duty_titles(process: Process) -> Callable[[Sequence[Deadline]], Mapping[int, str]]:
    """The `titles` of the process's duty kind in the staff inbox: each deadline's clock
    label in the current language with its case's reference, in one query for all."""

    def titles(deadlines: Sequence[Deadline]) -> Mapping[int, str]:
        fields = [clock.field for clock in process.clocks.values()]
        cases = process.model._default_manager.filter(
            pk__in={deadline.subject_id for deadline in deadlines}
        ).values("reference", *(f"{name}_id" for name in fields))
        result: dict[int, str] = {}
        for case in cases:
            for clock in process.clocks.values():
                deadline_id = case[f"{clock.field}_id"]
                if deadline_id is not None:
                    result[deadline_id] = str(clock.label) % {"reference": case["reference"]}
        return result

    return titles
