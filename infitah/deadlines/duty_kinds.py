"""The registry of duty kinds: how the staff inbox links a deadline to its case.

A case app registers its subject type once, from its AppConfig.ready():

    register_duty_kind(
        "information.informationrequest",
        url=lambda d: reverse("information:request-detail", args=[d.collectivity.slug, d.subject_id]),
        label=_("Access-to-information request"),
    )

The `url` function receives the Deadline (its collectivity is loaded) and must not query
the database, so that the inbox stays at a constant number of queries.

`perm` is the permission the linked page requires: the inbox shows the deadline only to a
member who holds it there (a publication editor does not see the complaints). A page that
admits several permissions (a referral: the advisory body's and the council's
secretariats) gives them as a tuple: the deadline shows to a member holding any of them. `titles`,
given the kind's deadlines of one inbox, returns their titles in the current language by
deadline id, in one query for all of them; a deadline it leaves out keeps its stored label
(written in the language of whoever opened the case).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise

from infitah.deadlines.models import Deadline

Titles = Callable[[Sequence[Deadline]], Mapping[int, str]]


@dataclass(frozen=True)
class DutyKind:
    subject_type: str
    url: Callable[[Deadline], str]
    label: str | Promise
    perm: str | tuple[str, ...] | None = None
    titles: Titles | None = None

    def visible_to(self, perms: Collection[str]) -> bool:
        if not self.perm:
            return True
        needed = (self.perm,) if isinstance(self.perm, str) else self.perm
        return any(p in perms for p in needed)


_REGISTRY: dict[str, DutyKind] = {}


def register_duty_kind(
    subject_type: str,
    *,
    url: Callable[[Deadline], str],
    label: str | Promise = "",
    perm: str | tuple[str, ...] | None = None,
    titles: Titles | None = None,
) -> None:
    """Register (or replace) how deadlines about `subject_type` link to their case."""
    _REGISTRY[subject_type] = DutyKind(
        subject_type=subject_type, url=url, label=label, perm=perm, titles=titles
    )


def duty_kinds_hidden_from(perms: Collection[str]) -> list[str]:
    """The subject types whose linked pages need a permission not in `perms`."""
    return [k.subject_type for k in _REGISTRY.values() if not k.visible_to(perms)]


def duty_kind_get(subject_type: str) -> DutyKind | None:
    return _REGISTRY.get(subject_type)


def unregister_duty_kind(subject_type: str) -> None:
    """Remove a registration (for tests)."""
    _REGISTRY.pop(subject_type, None)
