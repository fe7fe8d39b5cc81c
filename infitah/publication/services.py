"""Writes of the publication: publish, publish a new version, withdraw.

Each service runs in one transaction that writes the document row, a case-history event
(`infitah.ledger.services.event_record`), an entry of the public register
(`register_append`), the search index (`index_upsert` / `index_remove`) and enqueues the
text extraction task, so that all of them commit or roll back together. Nothing is ever
deleted: a new version supersedes the old one, a withdrawal keeps the file and says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.accounts.models import User
from infitah.ledger.services import event_record
from infitah.lib.pagecache import bump
from infitah.lib.uploads import CheckedUpload, check_upload
from infitah.publication.indexing import document_index, document_register, document_unindex
from infitah.publication.models import Category, Document, Language, TextStatus
from infitah.publication.tasks import document_text_extract
from infitah.publication.workflow import Status, can_transition
from infitah.territories.models import Collectivity

PAGE_CACHE_NAMESPACE = "publication"
# Types whose text we extract; the others (images) have none.
_TEXT_TYPES = frozenset({"pdf", "docx", "xlsx", "odt", "ods", "csv", "txt"})


def _file_fields(checked: CheckedUpload) -> dict[str, Any]:
    """The fields a checked upload gives a document, for a publication or a new version."""
    return {
        "original_name": checked.display_name,
        "file_type": checked.file_type,
        "size": checked.size,
        "sha256": checked.sha256,
        "text_status": (
            TextStatus.PENDING if checked.file_type in _TEXT_TYPES else TextStatus.NOT_APPLICABLE
        ),
    }


def _check_fields(
    *,
    collectivity: Collectivity,
    category: Category,
    title_ar: str,
    title_fr: str,
    language: str,
    period_start: dt.date | None,
    period_end: dt.date | None,
) -> None:
    errors: dict[str, Any] = {}
    if not category.is_active or collectivity.kind not in category.applies_to:
        errors["category"] = _("This category does not apply to this collectivity.")
    if not title_ar.strip() and not title_fr.strip():
        errors["title_ar"] = _("Give a title in Arabic or in French (or both).")
    if language not in Language.values:
        errors["language"] = _("Choose a language from the list.")
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = _("The end of the period cannot be before its start.")
    if errors:
        raise ValidationError(errors)


def _check(upload: File[Any], upload_name: str | None) -> CheckedUpload:
    try:
        return check_upload(upload, name=upload_name or str(upload.name or ""))  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ValidationError({"upload": exc.error_list}) from exc


@contextmanager
def _stored(document: Document, upload: File[Any], checked: CheckedUpload) -> Iterator[None]:
    """Save the file under documents/<slug>/<uuid>.<ext>, then run the body (the row and
    its side effects); if the body fails, remove the file again, since the storage is
    not transactional. (A rollback of an enclosing transaction after this service
    returned can still leave an orphan file: never a row without its file.)"""
    upload.seek(0)
    document.file.save(f"upload.{checked.extension}", upload, save=False)
    try:
        yield
    except BaseException:
        document.file.storage.delete(str(document.file.name))
        raise


def _after_write(document: Document) -> None:
    if document.file_type in _TEXT_TYPES:
        document_text_extract.enqueue(document.pk)
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))


@transaction.atomic
def document_publish(
    *,
    collectivity: Collectivity,
    actor: User,
    category: Category,
    title_ar: str,
    title_fr: str,
    date: dt.date,
    language: str,
    upload: File[Any],
    upload_name: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    is_complete: bool = False,
) -> Document:
    """Publish a new document (version 1 of a new series).

    Preconditions: `actor` may edit publications of `collectivity` (the caller checks);
    the category applies to the collectivity's kind; at least one title. The file is
    checked by content (`infitah.lib.uploads.check_upload`, using `upload_name` or the
    file's own name); any refusal is a ValidationError keyed by field and nothing is
    stored. Side effects: case event "publish", register entry "publish", search index
    entry, text extraction task.
    """
    _check_fields(
        collectivity=collectivity,
        category=category,
        title_ar=title_ar,
        title_fr=title_fr,
        language=language,
        period_start=period_start,
        period_end=period_end,
    )
    checked = _check(upload, upload_name)
    document = Document(
        collectivity=collectivity,
        category=category,
        title_ar=title_ar.strip(),
        title_fr=title_fr.strip(),
        date=date,
        period_start=period_start,
        period_end=period_end,
        language=language,
        **_file_fields(checked),
        is_complete=is_complete,
        status=Status.PUBLISHED,
        version=1,
        published_at=timezone.now(),
        created_by=actor,
    )
    with _stored(document, upload, checked):
        document.save()
        event_record(
            obj=document,
            action="publish",
            actor=actor,
            collectivity=collectivity,
            to_state=Status.PUBLISHED,
            data={"sha256": document.sha256, "category": category.code},
        )
        document_register(document, "publish")
        document_index(document)
        _after_write(document)
    return document


def _locked(document: Document) -> Document:
    return (
        Document.objects.select_for_update()
        .select_related("collectivity", "category")
        .get(pk=document.pk)
    )


@transaction.atomic
def document_new_version(
    *,
    document: Document,
    actor: User,
    upload: File[Any],
    upload_name: str | None = None,
    title_ar: str | None = None,
    title_fr: str | None = None,
    date: dt.date | None = None,
    language: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    is_complete: bool | None = None,
) -> Document:
    """Publish a new version of `document`, which becomes superseded (never replaced).

    Preconditions: `document` is the current (published) version; the new file differs
    from it. Fields left as None keep the old version's values. Side effects: case events
    "supersede" (old) and "new_version" (new), register entry "new_version", the old
    version leaves the search index and the new one enters it, text extraction task.
    """
    old = _locked(document)
    if not can_transition(old.status, Status.SUPERSEDED):
        raise ValidationError(_("Only the current version of a document can be replaced."))
    new_title_ar = old.title_ar if title_ar is None else title_ar
    new_title_fr = old.title_fr if title_fr is None else title_fr
    new_language = old.language if language is None else language
    new_start = old.period_start if period_start is None else period_start
    new_end = old.period_end if period_end is None else period_end
    _check_fields(
        collectivity=old.collectivity,
        category=old.category,
        title_ar=new_title_ar,
        title_fr=new_title_fr,
        language=new_language,
        period_start=new_start,
        period_end=new_end,
    )
    checked = _check(upload, upload_name)
    if checked.sha256 == old.sha256:
        raise ValidationError(
            {"upload": _("This file is identical to the current version: nothing to publish.")}
        )
    old.status = Status.SUPERSEDED
    old.save(update_fields=["status"])
    new = Document(
        collectivity=old.collectivity,
        category=old.category,
        title_ar=new_title_ar.strip(),
        title_fr=new_title_fr.strip(),
        date=old.date if date is None else date,
        period_start=new_start,
        period_end=new_end,
        language=new_language,
        **_file_fields(checked),
        is_complete=old.is_complete if is_complete is None else is_complete,
        status=Status.PUBLISHED,
        series=old.series,
        version=old.version + 1,
        supersedes=old,
        published_at=timezone.now(),
        created_by=actor,
    )
    with _stored(new, upload, checked):
        new.save()
        event_record(
            obj=old,
            action="supersede",
            actor=actor,
            collectivity=old.collectivity,
            from_state=Status.PUBLISHED,
            to_state=Status.SUPERSEDED,
            data={"superseded_by": new.pk},
        )
        event_record(
            obj=new,
            action="new_version",
            actor=actor,
            collectivity=new.collectivity,
            to_state=Status.PUBLISHED,
            data={"sha256": new.sha256, "supersedes": old.pk, "version": new.version},
        )
        document_register(new, "new_version")
        document_unindex(old)
        document_index(new)
        _after_write(new)
    return new


@transaction.atomic
def document_withdraw(*, document: Document, actor: User, reason: str) -> Document:
    """Withdraw `document`: its page stays, says when and why, and keeps the file
    downloadable (marked withdrawn) so that the register stays verifiable.

    Preconditions: a reason; the document is published or superseded. Side effects: case
    event "withdraw", register entry "withdraw", removal from the search index.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the document is withdrawn.")})
    locked = _locked(document)
    if not can_transition(locked.status, Status.WITHDRAWN):
        raise ValidationError(_("This document is already withdrawn."))
    previous = locked.status
    locked.status = Status.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawal_reason = reason
    locked.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    event_record(
        obj=locked,
        action="withdraw",
        actor=actor,
        collectivity=locked.collectivity,
        from_state=previous,
        to_state=Status.WITHDRAWN,
        note=reason,
    )
    document_register(locked, "withdraw")
    document_unindex(locked)
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))
    return locked
