"""Reads of the case history."""

from __future__ import annotations

from django.db import models

from infitah.ledger.models import Event, EventQuerySet


def event_list(*, obj: models.Model) -> EventQuerySet:
    """The history of one case, oldest first, with the acting users loaded."""
    return Event.objects.for_object(obj).select_related("actor").order_by("at", "pk")
