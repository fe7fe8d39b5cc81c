"""The minutes (محضر) of a council session: drafted, approved, signed, published.

- `minutes_save`: the secretariat drafts the text (Arabic and/or French) once the session
  was held; saving approved minutes with another text puts them back to draft;
- `minutes_approve`: the council approved the minutes (usually at its next sitting);
- `minutes_sign`: the approved minutes become a PDF (WeasyPrint) signed twice with the
  collectivity's PAdES seal (infitah.lib.pades), naming the president and the secretary
  of the term; the PDF, its SHA-256 and the signers are stored, and a public session's
  minutes are appended to the publication register (document type `council.minutes`).
  Signed minutes never change again.

All three need Perm.COUNCIL_MANAGE in the session's collectivity and record a ledger
event on the minutes (`council.minutes_save`, `_approve`, `_sign`). See
docs/council-minutes.md.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.council.minutes_selectors import (
    MINUTES_STATES,
    minutes_record_get,
    minutes_signers_get,
)
from infitah.council.models import Member, MemberRole, Minutes, MinutesStatus, Session
from infitah.ledger.models import RegisterEntry
from infitah.ledger.register_services import RegisterItem, register_append
from infitah.ledger.services import event_record
from infitah.lib.casework import too_long
from infitah.lib.pades import SigningUnavailable, pdf_check, pdf_sign, signing_trust_roots
from infitah.lib.pdf import PdfUnavailable, html_to_pdf
from infitah.lib.text import has_lone_surrogate

logger = logging.getLogger(__name__)

DOCUMENT_TYPE = "council.minutes"
# The longest text of the minutes in one language (a long sitting fills tens of pages).
TEXT_MAX = 200_000
# The signature fields of the PDF, in the order of signing.
SIGNATURE_FIELDS = {MemberRole.PRESIDENT: "President", MemberRole.SECRETARY: "Secretary"}


def _require_manager(actor: User, session: Session) -> None:
    if not has_perm(actor, Perm.COUNCIL_MANAGE, session.collectivity):
        raise PermissionDenied


def _locked_minutes(session: Session) -> Minutes | None:
    """The session's minutes (None before the first draft), after locking the session's
    row until the end of the transaction: two secretaries who save or sign at once take
    turns (neither creates the minutes twice, nor signs and registers them twice). The
    session's status is read again from the locked row."""
    status = (
        Session.objects.select_for_update()
        .filter(pk=session.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status is not None:
        session.status = status
    return Minutes.objects.filter(session=session).first()


def _check_text(value: object, field_name: str) -> str:
    if not isinstance(value, str):
        raise ValidationError({field_name: _("Enter a text.")})
    text = value.strip()
    if len(text) > TEXT_MAX:
        raise ValidationError({field_name: too_long(TEXT_MAX)})
    if "\x00" in text or has_lone_surrogate(text):
        raise ValidationError({field_name: _("This text contains a forbidden character.")})
    return text


@transaction.atomic
def minutes_save(*, session: Session, actor: User, text_ar: object, text_fr: object) -> Minutes:
    """Save the draft text of the session's minutes, creating them if needed.

    Preconditions: `actor` holds Perm.COUNCIL_MANAGE in the session's collectivity
    (PermissionDenied otherwise); the session was held (status held or
    summary_published); the minutes are not signed; at least one of the two texts is
    given, each at most TEXT_MAX characters (ValidationError otherwise, nothing written).
    Approved minutes whose text changes go back to draft: the council must approve the
    new text. Side effect: ledger event `council.minutes_save`.
    """
    _require_manager(actor, session)
    errors: dict[str, list[str]] = {}
    texts: dict[str, str] = {}
    for name, value in (("text_ar", text_ar), ("text_fr", text_fr)):
        try:
            texts[name] = _check_text(value, name)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if not texts["text_ar"] and not texts["text_fr"]:
        raise ValidationError({"text_ar": _("Write the minutes in Arabic, in French or in both.")})
    minutes = _locked_minutes(session)
    if session.status not in MINUTES_STATES:
        raise ValidationError(
            {"__all__": _("The minutes can be written once the session has been held.")}
        )
    if minutes is None:
        minutes = Minutes.objects.create(session=session, **texts)
        changed = True
    else:
        if minutes.status == MinutesStatus.SIGNED:
            raise ValidationError({"__all__": _("These minutes are signed: they cannot change.")})
        changed = (minutes.text_ar, minutes.text_fr) != (texts["text_ar"], texts["text_fr"])
        minutes.text_ar, minutes.text_fr = texts["text_ar"], texts["text_fr"]
        if changed and minutes.status == MinutesStatus.APPROVED:
            minutes.status = MinutesStatus.DRAFT
            minutes.approved_at = None
        minutes.save()
    if changed:
        event_record(
            obj=minutes,
            action="council.minutes_save",
            actor=actor,
            collectivity=session.collectivity,
            to_state=minutes.status,
        )
    return minutes


@transaction.atomic
def minutes_approve(*, session: Session, actor: User) -> Minutes:
    """Record that the council approved the session's minutes (status approved, now).

    Preconditions: Perm.COUNCIL_MANAGE (PermissionDenied); the minutes exist with a text
    and are a draft (ValidationError otherwise). Side effect: ledger event
    `council.minutes_approve`.
    """
    _require_manager(actor, session)
    minutes = _locked_minutes(session)
    if minutes is None or not (minutes.text_ar or minutes.text_fr):
        raise ValidationError({"__all__": _("Write the minutes before they are approved.")})
    if minutes.status != MinutesStatus.DRAFT:
        raise ValidationError({"__all__": _("Only draft minutes can be approved.")})
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = timezone.now()
    minutes.save(update_fields=["status", "approved_at"])
    event_record(
        obj=minutes,
        action="council.minutes_approve",
        actor=actor,
        collectivity=session.collectivity,
        from_state=MinutesStatus.DRAFT,
        to_state=MinutesStatus.APPROVED,
    )
    return minutes


def _member_name(member: Member) -> str:
    """A member's name as the signature names them: Arabic, and French when different."""
    ar, fr = member.name_ar.strip(), member.name_fr.strip()
    return f"{ar} / {fr}" if ar and fr and ar != fr else ar or fr


def minutes_pdf_render(*, minutes: Minutes, signers: dict[str, Member], on: Any) -> bytes:
    """The unsigned PDF of the minutes: Arabic, then French when there is a French text,
    each part with its dates in its own language. Raises PdfUnavailable."""
    session = minutes.session
    record = minutes_record_get(session=session)
    parts = [("ar", "rtl")] + ([("fr", "ltr")] if minutes.text_fr else [])
    html = render_to_string(
        "council/minutes/pdf/minutes.html",
        {
            "collectivity": session.collectivity,
            "session": session,
            "minutes": minutes,
            "record": record,
            "parts": parts,
            "president": signers[MemberRole.PRESIDENT],
            "secretary": signers[MemberRole.SECRETARY],
            "signed_on": on,
        },
    )
    return html_to_pdf(html)


def _reason(session: Session) -> str:
    # Fixed bilingual wording: the signature is a record, not a page in one language.
    reference = session.reference or str(session.pk)
    return (
        f"محضر دورة المجلس {reference} كما صادق عليه المجلس"
        f" / Procès-verbal de la session {reference} approuvé par le conseil"
    )


@transaction.atomic
def minutes_sign(*, session: Session, actor: User) -> Minutes:
    """Render the approved minutes as PDF, sign them and store them; publish them.

    Preconditions: Perm.COUNCIL_MANAGE (PermissionDenied); the minutes are approved; the
    session's term has a president and a secretary (the ones in office on the day of
    the sitting); the PDF can be drawn and the collectivity's signing identity used
    (ValidationError otherwise, nothing written: the cause is logged for operators).
    Side effects: `signed_pdf` stored; a public session's minutes appended to the
    publication register (`publish`, document type council.minutes); ledger event
    `council.minutes_sign`.
    """
    _require_manager(actor, session)
    minutes = _locked_minutes(session)
    if minutes is None or minutes.status != MinutesStatus.APPROVED:
        raise ValidationError({"__all__": _("Only minutes approved by the council can be signed.")})
    found = minutes_signers_get(session=session)
    missing = [role for role, member in found.items() if member is None]
    if missing:
        raise ValidationError(
            {
                "__all__": _(
                    "The term of this session has no president or no secretary on record: "
                    "add them to the council's members first."
                )
            }
        )
    signers: dict[str, Member] = {role: m for role, m in found.items() if m is not None}
    minutes.session = session
    now = timezone.now()
    try:
        unsigned = minutes_pdf_render(minutes=minutes, signers=signers, on=now)
    except PdfUnavailable as exc:
        logger.error("minutes %s: PDF unavailable: %s", minutes.pk, exc)
        raise ValidationError(
            {"__all__": _("PDF files cannot be made on this server at the moment.")}
        ) from exc
    roles = [MemberRole.PRESIDENT, MemberRole.SECRETARY]
    try:
        signed = pdf_sign(
            unsigned,
            collectivity=session.collectivity,
            signers=[_member_name(signers[role]) for role in roles],
            fields=[SIGNATURE_FIELDS[role] for role in roles],
            reason=_reason(session),
            location=session.place,
        )
    except (SigningUnavailable, ValueError) as exc:
        logger.error("minutes %s: cannot sign: %s", minutes.pk, exc)
        raise ValidationError(
            {
                "__all__": _(
                    "The minutes cannot be signed: the signing certificate of this "
                    "collectivity is missing or cannot be used. The operators were told."
                )
            }
        ) from exc
    check = pdf_check(signed, trust_roots=signing_trust_roots(session.collectivity))
    if not check.valid:  # pragma: no cover - a signature we just made always verifies
        logger.error("minutes %s: the new signatures do not verify (%s)", minutes.pk, check)
        raise ValidationError({"__all__": _("The signature of the minutes failed.")})
    minutes.signed_sha256 = hashlib.sha256(signed).hexdigest()
    minutes.signed_at = now
    minutes.status = MinutesStatus.SIGNED
    minutes.signers = [
        {
            "role": str(role),
            "member": signers[role].pk,
            "name_ar": signers[role].name_ar,
            "name_fr": signers[role].name_fr,
            "field": SIGNATURE_FIELDS[role],
            "certificate": signature.certificate,
        }
        for role, signature in zip(roles, check.signatures, strict=True)
    ]
    minutes.signed_pdf.save(f"minutes-{session.pk}.pdf", ContentFile(signed), save=False)
    try:
        minutes.save()
        if session.is_public:
            minutes_register(minutes)
        event_record(
            obj=minutes,
            action="council.minutes_sign",
            actor=actor,
            collectivity=session.collectivity,
            from_state=MinutesStatus.APPROVED,
            to_state=MinutesStatus.SIGNED,
            data={"sha256": minutes.signed_sha256},
        )
    except BaseException:
        # The transaction rolls back: the stored file would be an orphan.
        minutes.signed_pdf.storage.delete(str(minutes.signed_pdf.name))
        raise
    return minutes


# --- The publication register --------------------------------------------------------------


def register_metadata(minutes: Minutes) -> dict[str, Any]:
    """What the register hashes besides the file: titles (fixed wording in both
    languages: the register is a record) and the session, to link to its page."""
    session = minutes.session
    title_ar = session.title_ar or session.title_fr
    title_fr = session.title_fr or session.title_ar
    return {
        "kind": "minutes",
        "title_ar": f"محضر: {title_ar}",
        "title_fr": f"Procès-verbal : {title_fr}",
        "session": session.pk,
        "session_reference": session.reference,
        "signers": [s.get("name_ar") or s.get("name_fr") or "" for s in minutes.signers],
    }


def register_item(minutes: Minutes) -> RegisterItem:
    if minutes.signed_at is None:
        raise ValueError("only signed minutes are registered")
    return RegisterItem(
        action="publish",
        collectivity=minutes.session.collectivity,
        document_type=DOCUMENT_TYPE,
        document_id=str(minutes.pk),
        file_name=str(minutes.signed_pdf.name),
        file_sha256=minutes.signed_sha256,
        metadata=register_metadata(minutes),
        published_at=minutes.signed_at,
    )


def minutes_register(minutes: Minutes) -> RegisterEntry:
    """Append the signed minutes to the register; inside the transaction that signs."""
    item = register_item(minutes)
    return register_append(
        action=item.action,
        collectivity=item.collectivity,
        document_type=item.document_type,
        document_id=item.document_id,
        file_name=item.file_name,
        file_sha256=item.file_sha256,
        metadata=item.metadata,
        published_at=item.published_at,
    )


def register_current() -> Iterator[RegisterItem]:
    """For every minutes in the register, the leaf its latest entry must hold, built from
    the minutes as they are now (settings.INFITAH_REGISTER_SOURCES, verify_register)."""
    registered = (
        RegisterEntry.objects.filter(document_type=DOCUMENT_TYPE)
        .values_list("document_id", flat=True)
        .distinct()
    )
    ids = [int(pk) for pk in registered if str(pk).isdigit()]
    signed = (
        Minutes.objects.filter(pk__in=ids, signed_at__isnull=False)
        .select_related("session__collectivity")
        .order_by("pk")
    )
    for minutes in signed.iterator(chunk_size=1000):
        yield register_item(minutes)


def register_link(entry: RegisterEntry) -> str:
    """The public page of the minutes an entry is about (download and signature check);
    no query: the session is in the entry's metadata."""
    session = entry.metadata.get("session") if isinstance(entry.metadata, dict) else None
    if not isinstance(session, int):
        return ""
    try:
        return reverse(
            "council:minutes-check", kwargs={"slug": entry.collectivity.slug, "pk": session}
        )
    except NoReverseMatch:
        return ""
