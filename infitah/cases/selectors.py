"""Reads every process shares: its settings, a case's history, messages and deadlines."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

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
    """Every period (open or closed) of one case, oldest first."""
    return deadline_list_for_subject(subject_type=case._meta.label_lower, subject_id=str(case.pk))
