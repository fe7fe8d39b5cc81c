"""The one way case apps write to the case history."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity


@transaction.atomic
def event_record(
    *,
    obj: models.Model,
    action: str,
    actor: User | None = None,
    process: str = "",
    collectivity: Collectivity | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> Event:
    """Append one event about `obj` to the case history.

    Preconditions: an `actor` (a person) or a `process` name (a machine) is given.
    Call it inside the transaction that makes the change, so that the change and its
    history commit or roll back together.
    """
    if actor is None and not process:
        raise ValueError("A ledger event needs an actor or a process.")
    if actor is not None and not actor.is_authenticated:
        actor = None
        process = process or "anonymous"
    return Event.objects.create(
        at=timezone.now(),
        actor=actor,
        process=process,
        collectivity=collectivity,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
