"""Cases opened from register entries, and the case types an entry may be linked to.

A letter that starts a case — an access-to-information request, a complaint, later a
petition — received on paper is first registered in the correspondence register, then
opened as a case *from its entry*: the officer opens the entry, chooses "open a …", gets
the case app's own form prefilled from the entry, and on submission the case is created
and the entry linked to it in one transaction. Each case app declares how, once, from its
`AppConfig.ready()` (imports inside `ready()` are the accepted pattern, see
infitah/information/apps.py):

    from infitah.correspondence.cases import register_case_opener, register_case_type

    def open_complaint(entry: Entry, user: User, data: dict[str, Any]) -> tuple[str, str, str]:
        complaint = complaint_submit(collectivity=entry.collectivity, actor=user, ...)
        return complaint._meta.label_lower, str(complaint.pk), complaint.reference

    register_case_opener(
        "complaint",                       # URL key: …/correspondence/2026/123/open/complaint/
        label=_("Open a complaint"),       # the button on the entry's page
        form_class=PaperComplaintForm,     # a plain django Form, bound to request.POST/FILES
        open=open_complaint,
        initial=lambda entry: {"description": entry.summary},  # optional
        perm=Perm.COMPLAINTS_HANDLE,       # optional: who may open one (else 404)
        available=lambda collectivity: True,  # optional: is it offered here?
    )
    register_case_type(
        "complaints.complaint",            # what `open` returns as case_type
        label=_("Complaint"),
        find=lambda collectivity, reference: ...,  # the case's id (str) or None
        url=lambda collectivity, case_id, reference: reverse(...),  # optional
    )

The contract of `open(entry, user, cleaned_data)`:

- it is called with the form's `cleaned_data` once the form is valid, inside the
  transaction of `services.entry_open_case` (so `number_next` and the case app's own
  services work as usual), and returns `(case_type, case_id, case_reference)`: the case
  model's `_meta.label_lower`, its primary key as a string, and its public reference;
- it creates the case through the case app's own service, with `user` as the actor, and
  does nothing else: linking the entry and recording the ledger event are done by
  `entry_open_case` right after, in the same transaction;
- it raises `django.core.exceptions.ValidationError` for anything the officer must fix
  (field errors by the form's field names, or a message without a field): the
  transaction rolls back, nothing is written, and the form is shown again with the
  messages. Any other exception is a bug (500), and rolls back too.

`register_case_type` is separate because a case type can be linked by hand (the entry's
page has a "link to a case" form: type + reference) without offering an opener; `find`
must look the reference up *within the collectivity* (tenancy: an entry of A is never
linked to a case of B) and `url` must not query the database.

Petitions register theirs too (`infitah/petitions/openers.py`): a petition lodged on paper
is opened from its entry by the council bureau.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.functional import Promise

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.territories.models import Collectivity

if TYPE_CHECKING:
    from infitah.correspondence.models import Entry

OpenCase = Callable[["Entry", User, dict[str, Any]], tuple[str, str, str]]


@dataclass(frozen=True)
class CaseOpener:
    key: str
    label: str | Promise
    form_class: type[forms.Form]
    open: OpenCase
    initial: Callable[[Entry], dict[str, Any]] | None = None
    perm: Perm | None = None
    available: Callable[[Collectivity], bool] | None = None

    def initial_for(self, entry: Entry) -> dict[str, Any]:
        """The form's initial values: the opener's own, else `entry_initial`."""
        return self.initial(entry) if self.initial is not None else entry_initial(entry)


@dataclass(frozen=True)
class CaseType:
    case_type: str
    label: str | Promise
    find: Callable[[Collectivity, str], str | None]
    url: Callable[[Collectivity, str, str], str] | None = None


_openers: dict[str, CaseOpener] = {}
_types: dict[str, CaseType] = {}


def register_case_opener(
    key: str,
    *,
    label: str | Promise,
    form_class: type[forms.Form],
    open: OpenCase,
    initial: Callable[[Entry], dict[str, Any]] | None = None,
    perm: Perm | None = None,
    available: Callable[[Collectivity], bool] | None = None,
) -> None:
    """Register (or replace) a way to open a case from a register entry.

    - `key`: a slug, unique among openers; the page is
      `/<lang>/staff/<slug>/correspondence/<year>/<number>/open/<key>/`.
    - `label`: the link on the entry's page ("Open an access-to-information request").
    - `form_class`: a `django.forms.Form` subclass taking `data`, `files` and `initial`
      as usual; the page renders every field (radio buttons, checkboxes, files).
    - `open(entry, user, cleaned_data) -> (case_type, case_id, case_reference)`: creates
      the case (contract in the module docstring).
    - `initial(entry) -> dict`: the form's initial values; by default `entry_initial`.
    - `perm`: a permission the officer needs besides `Perm.CORRESPONDENCE_REGISTER`;
      without it the opener is not listed and its page answers 404.
    - `available(collectivity) -> bool`: whether the opener is offered in that
      collectivity (e.g. only where it receives requests); may run one query.
    """
    if not key or not key.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"An opener key is a slug, not {key!r}.")
    _openers[key] = CaseOpener(
        key=key,
        label=label,
        form_class=form_class,
        open=open,
        initial=initial,
        perm=perm,
        available=available,
    )


def unregister_case_opener(key: str) -> None:
    """Remove a registration (for tests)."""
    _openers.pop(key, None)


def case_opener_get(key: str) -> CaseOpener | None:
    return _openers.get(key)


def case_opener_allowed(opener: CaseOpener, *, collectivity: Collectivity, user: User) -> bool:
    """Whether `user` may use `opener` in `collectivity` (its perm, its availability)."""
    if opener.perm is not None and not has_perm(user, opener.perm, collectivity):
        return False
    return opener.available is None or opener.available(collectivity)


def case_openers_for(*, collectivity: Collectivity, user: User) -> list[CaseOpener]:
    """The openers `user` may use in `collectivity`, in key order."""
    return [
        opener
        for _key, opener in sorted(_openers.items())
        if case_opener_allowed(opener, collectivity=collectivity, user=user)
    ]


def register_case_type(
    case_type: str,
    *,
    label: str | Promise,
    find: Callable[[Collectivity, str], str | None],
    url: Callable[[Collectivity, str, str], str] | None = None,
) -> None:
    """Register (or replace) a type of case that entries may be linked to by hand.

    - `case_type`: the case model's `_meta.label_lower` ("information.informationrequest"),
      as `open` returns it and as `Deadline.subject_type` stores it.
    - `find(collectivity, reference) -> case_id | None`: the case's primary key (as a
      string) if a case of that collectivity has that reference.
    - `url(collectivity, case_id, reference) -> str`: the staff page of the case, shown
      on the entry's page; must not query the database.
    """
    _types[case_type] = CaseType(case_type=case_type, label=label, find=find, url=url)


def unregister_case_type(case_type: str) -> None:
    """Remove a registration (for tests)."""
    _types.pop(case_type, None)


def case_type_get(case_type: str) -> CaseType | None:
    return _types.get(case_type)


def case_type_list() -> list[CaseType]:
    return [t for _key, t in sorted(_types.items())]


def case_url(entry: Entry) -> str:
    """The staff page of the entry's case, or "" (unknown type, no link, or no url)."""
    kind = _types.get(entry.case_type) if entry.case_type else None
    if kind is None or kind.url is None or not entry.case_id:
        return ""
    return kind.url(entry.collectivity, entry.case_id, entry.case_reference)


def entry_initial(entry: Entry) -> dict[str, Any]:
    """Initial values taken from an entry, under the field names case forms commonly use."""
    return {
        "subject": entry.subject,
        "description": entry.summary,
        "summary": entry.summary,
        "correspondent": entry.correspondent,
        "letter_date": entry.letter_date,
    }
