"""A member's practices: write, publish or withdraw, attach documents.

Only a member collectivity (`Collectivity.is_network_member`) shares practices; the
views check Perm.PRACTICES_PUBLISH there. Every change is in the case history (ledger)
under the collectivity, and `search_text` is recomputed from the texts on each save so
that the public search ignores accents, hamza forms and case (infitah.lib.text.fold).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.ledger.services import event_record
from infitah.lib import uploads
from infitah.lib.cleaning import Errors, clean_text, raise_errors
from infitah.lib.pagecache import bump
from infitah.lib.text import fold
from infitah.network.models import (
    TITLE_MAX,
    Event,
    Practice,
    PracticeDocument,
    PracticeStatus,
    Theme,
)
from infitah.network.practice_selectors import published_events
from infitah.territories.models import Collectivity

SUMMARY_MAX = 2_000
BODY_MAX = 20_000
NAME_MAX = 200
PHONE_MAX = 32
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
# The types a practice's documents may have (detected from the content).
DOCUMENT_TYPES = ("pdf", "odt", "docx", "pptx", "jpeg", "png")
DOCUMENT_EXTENSIONS = ("pdf", "odt", "docx", "pptx", "jpg", "jpeg", "png")
CONTENT_TYPES = {kind: uploads.CONTENT_TYPES[kind] for kind in DOCUMENT_TYPES}
EXTENSION_CONTENT_TYPES = {
    "pdf": CONTENT_TYPES["pdf"],
    "odt": CONTENT_TYPES["odt"],
    "docx": CONTENT_TYPES["docx"],
    "pptx": CONTENT_TYPES["pptx"],
    "jpg": CONTENT_TYPES["jpeg"],
    "jpeg": CONTENT_TYPES["jpeg"],
    "png": CONTENT_TYPES["png"],
}
# The collectivity's public page lists its practices (territories' page cache).
PAGES = "territories"
_PHONE = re.compile(r"^\+?[0-9][0-9 .()\-]{3,30}$")
TEXT_FIELDS = ("title_ar", "title_fr", "summary_ar", "summary_fr", "body_ar", "body_fr")
FIELDS = (
    "theme",
    *TEXT_FIELDS,
    "contact_name",
    "contact_email",
    "contact_phone",
    "event",
)


def search_text(practice: Practice) -> str:
    """The folded titles, summaries and descriptions in both languages."""
    return " ".join(
        part for part in (fold(str(getattr(practice, name))) for name in TEXT_FIELDS) if part
    )


def _require_member(collectivity: Collectivity) -> None:
    if not collectivity.is_network_member:
        raise ValidationError(
            _("Practices are shared by the network's members; this collectivity is not one.")
        )


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every field of a practice from `data`, or ValidationError (keyed by field)."""
    errors: Errors = {}
    theme = str(data.get("theme") or "")
    if theme not in Theme.values:
        errors["theme"] = _("Choose a theme.")
    clean: dict[str, Any] = {"theme": theme}
    for name, limit in (("title", TITLE_MAX), ("summary", SUMMARY_MAX), ("body", BODY_MAX)):
        for lang in ("ar", "fr"):
            clean[f"{name}_{lang}"] = clean_text(errors, data, f"{name}_{lang}", limit)
    if (
        not clean["title_ar"]
        and not clean["title_fr"]
        and not {"title_ar", "title_fr"} & set(errors)
    ):
        errors["title_ar"] = _("Give a title in Arabic or in French.")
    clean["contact_name"] = clean_text(errors, data, "contact_name", NAME_MAX)
    email = clean_text(errors, data, "contact_email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = _("Enter a valid e-mail address.")
    clean["contact_email"] = email
    phone = clean_text(errors, data, "contact_phone", PHONE_MAX)
    if phone and not _PHONE.match(phone):
        errors["contact_phone"] = _("Enter a phone number: digits, spaces and + only.")
    clean["contact_phone"] = phone
    event = data.get("event")
    if event in (None, ""):
        clean["event"] = None
    else:
        event_pk = str(event.pk if isinstance(event, Event) else event)
        found = (
            published_events().filter(pk=int(event_pk)).first()
            if event_pk.isdigit() and len(event_pk) < 19
            else None
        )
        if found is None:
            errors["event"] = _("Choose a published event of the network.")
        clean["event"] = found
    raise_errors(errors)
    return clean


def _differs(practice: Practice, name: str, value: Any) -> bool:
    if name == "event":
        return practice.event_id != (value.pk if value is not None else None)
    return bool(getattr(practice, name) != value)


def _bump_pages() -> None:
    transaction.on_commit(lambda: bump(PAGES))


@transaction.atomic
def practice_create(
    *, collectivity: Collectivity, actor: User, data: Mapping[str, Any], is_demo: bool = False
) -> Practice:
    """A draft practice of `collectivity` from `data` (theme, title_ar/fr (one at least),
    summary_ar/fr, body_ar/fr, contact_name/email/phone, event: a published Event or
    its id, or none).

    Preconditions: the caller checked Perm.PRACTICES_PUBLISH; the collectivity is a
    member. ValidationError (nothing written) otherwise. Side effect: a ledger event.
    """
    _require_member(collectivity)
    clean = _clean(data)
    practice = Practice(collectivity=collectivity, created_by=actor, is_demo=is_demo, **clean)
    practice.search_text = search_text(practice)
    practice.save()
    event_record(
        obj=practice,
        action="network.practice_create",
        actor=actor,
        collectivity=collectivity,
        to_state=practice.status,
        data={"theme": practice.theme},
    )
    return practice


def _locked(practice: Practice) -> Practice:
    """The practice's row, locked: two editors' saves or a save racing a publication
    are applied one after the other."""
    return Practice.objects.select_for_update().select_related("collectivity").get(pk=practice.pk)


@transaction.atomic
def practice_update(*, practice: Practice, actor: User, data: Mapping[str, Any]) -> Practice:
    """Replace the practice's fields by `data` (as for `practice_create`); a published
    practice stays published and its public pages are refreshed.

    ValidationError (nothing written) on bad input. Side effect: a ledger event naming
    the fields that changed (none recorded when nothing changed).
    """
    clean = _clean(data)
    locked = _locked(practice)
    changed = sorted(name for name, value in clean.items() if _differs(locked, name, value))
    if not changed:
        return locked
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.search_text = search_text(locked)
    locked.save()
    event_record(
        obj=locked,
        action="network.practice_update",
        actor=actor,
        collectivity=locked.collectivity,
        data={"fields": changed},
    )
    if locked.status == PracticeStatus.PUBLISHED:
        _bump_pages()
    return locked


@transaction.atomic
def practice_publish(*, practice: Practice, actor: User) -> Practice:
    """Show the practice to everyone on the network's exchange.

    Preconditions: the collectivity is a member, the practice is a draft and has a
    summary or a description (in either language); ValidationError otherwise. Side
    effects: `published_at` set, a ledger event, the collectivity's page refreshed.
    """
    locked = _locked(practice)
    _require_member(locked.collectivity)
    if locked.status == PracticeStatus.PUBLISHED:
        raise ValidationError(_("This practice is already published."))
    if not any((locked.summary_ar, locked.summary_fr, locked.body_ar, locked.body_fr)):
        raise ValidationError(_("Write a summary or a description before publishing the practice."))
    locked.status = PracticeStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "updated_at"])
    event_record(
        obj=locked,
        action="network.practice_publish",
        actor=actor,
        collectivity=locked.collectivity,
        from_state=PracticeStatus.DRAFT,
        to_state=PracticeStatus.PUBLISHED,
    )
    _bump_pages()
    return locked


@transaction.atomic
def practice_unpublish(*, practice: Practice, actor: User) -> Practice:
    """Take a published practice back to a draft (no longer public).

    ValidationError when it is not published. Side effects: a ledger event, the
    collectivity's page refreshed. `published_at` is kept until it is published again.
    """
    locked = _locked(practice)
    if locked.status != PracticeStatus.PUBLISHED:
        raise ValidationError(_("This practice is not published."))
    locked.status = PracticeStatus.DRAFT
    locked.save(update_fields=["status", "updated_at"])
    event_record(
        obj=locked,
        action="network.practice_unpublish",
        actor=actor,
        collectivity=locked.collectivity,
        from_state=PracticeStatus.PUBLISHED,
        to_state=PracticeStatus.DRAFT,
    )
    _bump_pages()
    return locked


# ------------------------------------------------------------------------ documents


@dataclass(frozen=True)
class CheckedDocument:
    file_type: str
    display_name: str
    size: int


def _refuse_file(message: str) -> ValidationError:
    return ValidationError({"file": message})


def document_check(file: IO[bytes], *, name: str) -> CheckedDocument:
    """`file` checked by its content: PDF, ODT, DOCX, PPTX, JPEG or PNG, at most
    DOCUMENT_MAX_BYTES; ValidationError (one translated message) otherwise."""
    name = name.strip()
    checked = uploads.check_upload(
        file, name=name, max_bytes=DOCUMENT_MAX_BYTES, types=DOCUMENT_TYPES
    )
    return CheckedDocument(
        file_type=checked.file_type, display_name=checked.display_name, size=checked.size
    )


def document_accepted() -> str:
    """The accepted types and the size limit, for the form's help text."""
    return _("Accepted: %(types)s; at most %(max)s.") % {
        "types": ", ".join(DOCUMENT_EXTENSIONS),
        "max": filesizeformat(DOCUMENT_MAX_BYTES),
    }


@transaction.atomic
def practice_document_add(
    *,
    practice: Practice,
    actor: User,
    file: File[Any],
    title_ar: str = "",
    title_fr: str = "",
) -> PracticeDocument:
    """Attach `file` to the practice, checked by its content (`document_check`); its
    title defaults to the file's name.

    ValidationError keyed "file" or "title_ar"/"title_fr" (nothing stored) otherwise.
    Side effects: the stored file, a ledger event, the public pages refreshed when the
    practice is published.
    """
    errors: Errors = {}
    titles = {"title_ar": title_ar, "title_fr": title_fr}
    title_ar = clean_text(errors, titles, "title_ar", TITLE_MAX)
    title_fr = clean_text(errors, titles, "title_fr", TITLE_MAX)
    raise_errors(errors)
    try:
        checked = document_check(file, name=str(file.name or ""))  # type: ignore[arg-type]
    except ValidationError as exc:
        raise _refuse_file(" ".join(exc.messages)) from exc
    locked = _locked(practice)
    if not title_ar and not title_fr:
        stem = checked.display_name.rpartition(".")[0][:TITLE_MAX]
        title_ar, title_fr = stem, stem
    file.seek(0)
    document = PracticeDocument(practice=locked, title_ar=title_ar, title_fr=title_fr)
    document.file.save(checked.display_name, file, save=False)
    stored = str(document.file.name)
    try:
        document.save()
        event_record(
            obj=document,
            action="network.practice_document_add",
            actor=actor,
            collectivity=locked.collectivity,
            data={"practice": locked.pk, "type": checked.file_type, "size": checked.size},
        )
    except Exception:
        document.file.storage.delete(stored)
        raise
    if locked.status == PracticeStatus.PUBLISHED:
        _bump_pages()
    return document


@transaction.atomic
def practice_document_delete(*, document: PracticeDocument, actor: User) -> None:
    """Remove a document from its practice; the file is deleted from the storage once
    the removal commits. Side effect: a ledger event."""
    practice = _locked(document.practice)
    storage, name = document.file.storage, str(document.file.name or "")
    pk = document.pk
    document.delete()
    event_record(
        obj=practice,
        action="network.practice_document_delete",
        actor=actor,
        collectivity=practice.collectivity,
        data={"document": pk},
    )
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    if practice.status == PracticeStatus.PUBLISHED:
        _bump_pages()


def document_content_type(document: PracticeDocument) -> str:
    """The type of a stored document, from the extension its content was checked
    against on upload."""
    ext = str(document.file.name or "").rpartition(".")[2].lower()
    return EXTENSION_CONTENT_TYPES.get(ext, "application/octet-stream")
