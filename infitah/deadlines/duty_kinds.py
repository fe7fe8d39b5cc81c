"""The registry of duty kinds: how the staff inbox links a deadline to its case.

A case app registers its subject type once, from its AppConfig.ready():

    register_duty_kind(
        "information.informationrequest",
        url=lambda d: reverse("information:request-detail", args=[d.collectivity.slug, d.subject_id]),
        label=_("Access-to-information request"),
    )

The `url` function receives the Deadline (its collectivity is loaded) and must not query
the database, so that the inbox stays at a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from infitah.deadlines.models import Deadline


@dataclass(frozen=True)
class DutyKind:
    subject_type: str
    url: Callable[[Deadline], str]
    label: str | Promise


_REGISTRY: dict[str, DutyKind] = {}


def register_duty_kind(
    subject_type: str, *, url: Callable[[Deadline], str], label: str | Promise = ""
) -> None:
    """Register (or replace) how deadlines about `subject_type` link to their case."""
    _REGISTRY[subject_type] = DutyKind(subject_type=subject_type, url=url, label=label)


def duty_kind_get(subject_type: str) -> DutyKind | None:
    return _REGISTRY.get(subject_type)


def unregister_duty_kind(subject_type: str) -> None:
    """Remove a registration (for tests)."""
    _REGISTRY.pop(subject_type, None)
