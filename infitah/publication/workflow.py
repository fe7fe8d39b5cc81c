"""The life of a published document: published, then superseded by a new version or
withdrawn. Nothing is ever deleted or overwritten (docs/publication.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a newer version")
    WITHDRAWN = "withdrawn", _("Withdrawn")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PUBLISHED: frozenset({Status.SUPERSEDED, Status.WITHDRAWN}),
    # An old version may still have to be withdrawn (e.g. it exposed personal data).
    Status.SUPERSEDED: frozenset({Status.WITHDRAWN}),
    Status.WITHDRAWN: frozenset(),
}


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
