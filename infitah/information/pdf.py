"""PDF documents of an access-to-information request: the receipt and the case file.

- The receipt (وصل) is bilingual on one page, Arabic first: it proves the filing date,
  the reference and the legal due date, and tells the requester how to complain.
- The case file (ملف الطلب) is in one language and holds everything a requester needs
  to complain to the CDAI or go to court: the request, every dated exchange, the answer
  or refusal, the complaint, the attachments' fingerprints, the legal deadlines and the
  case history.

Neither shows the identity number in clear: only `id_number_masked`; nothing here ever
decrypts it. Neither checks who may read it: the caller (a view with the requester's
secret link or an officer's role) has done so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from infitah.deadlines.models import Deadline, LegalLimit
from infitah.deadlines.selectors import deadline_list_for_subject, legal_limit_get
from infitah.information.models import InformationRequest
from infitah.information.process import answer_limit
from infitah.information.workflow import EVENT_LABELS, Action, RefusalReason, Status
from infitah.ledger.selectors import event_list
from infitah.lib.pdf import html_to_pdf, text_direction

__all__ = ["case_file_pdf", "receipt_pdf"]

# Actions of the case history as the requester reads them; an unknown action shows its code.


def _subject_type() -> str:
    return InformationRequest._meta.label_lower


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _answer_limit(request: InformationRequest, deadlines: list[Deadline]) -> LegalLimit:
    """The legal limit behind `request.due_date`: the answer clock's current period, else
    (not yet received) the period that will apply from the receipt."""
    for deadline in deadlines:
        if deadline.pk == request.answer_deadline_id:
            return deadline.limit
    return legal_limit_get(code=answer_limit(request, Action.CONFIRM))


def receipt_pdf(request: InformationRequest) -> bytes:
    """The bilingual receipt (Arabic, then French) of `request`, as PDF bytes.

    Before the e-mail address is confirmed the request is not yet received: the receipt
    then shows the filing date, marked as awaiting confirmation, and no due date.
    """
    deadlines = deadline_list_for_subject(subject_type=_subject_type(), subject_id=str(request.pk))
    info = getattr(request.collectivity, "information_settings", None)
    context = {
        "request": request,
        "reference": request.reference,
        "collectivity": request.collectivity,
        "is_received": request.received_on is not None,
        "receipt_date": request.received_on or timezone.localdate(request.submitted_at),
        "answer_limit": _answer_limit(request, deadlines),
        "complaint_limit": legal_limit_get(code="ati.internal_complaint"),
        "head_limit": legal_limit_get(code="ati.head_answer"),
        "cdai_limit": legal_limit_get(code="ati.cdai_complaint"),
        "cndp_authorisation": info.cndp_authorisation if info is not None else "",
        "name_dir": text_direction(request.requester_name, "rtl"),
        "subject_dir": text_direction(request.subject, "rtl"),
        "issued_on": timezone.localdate(),
    }
    return html_to_pdf(render_to_string("information/pdf/receipt.html", context))


@dataclass(frozen=True)
class ExchangeRow:
    at: datetime
    kind: str
    from_requester: bool
    text: str
    dir: str


@dataclass(frozen=True)
class EventRow:
    at: datetime
    action: str
    code: str
    from_state: str
    to_state: str


@dataclass(frozen=True)
class AttachmentRow:
    name: str
    size: int
    sha256: str
    dir: str


@dataclass(frozen=True)
class DeadlineRow:
    code: str
    legal_basis: str
    duration: str
    start: date
    due: date
    status: str


def case_file_pdf(request: InformationRequest, *, language: str) -> bytes:
    """The case file of `request` in `language` ("ar" or "fr"), as PDF bytes.

    Everything on record about the request, oldest first: fit to attach to a complaint
    to the CDAI or to the court. The case history shows states and dates, not the notes
    or data of the ledger (which may name officers or hold internal remarks).
    """
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}.")
    with translation.override(language):
        default_dir = "rtl" if translation.get_language_bidi() else "ltr"
        deadlines = deadline_list_for_subject(
            subject_type=_subject_type(), subject_id=str(request.pk)
        )
        exchanges = [
            ExchangeRow(
                at=message.at,
                kind=message.get_kind_display(),
                from_requester=message.from_citizen,
                text=message.text,
                dir=text_direction(message.text, default_dir),
            )
            for message in request.messages.all()
        ]
        events = [
            EventRow(
                at=event.at,
                action=str(EVENT_LABELS.get(event.action, event.action)),
                code=event.action,
                from_state=_status_label(event.from_state),
                to_state=_status_label(event.to_state),
            )
            for event in event_list(obj=request)
        ]
        deadline_rows = [
            DeadlineRow(
                code=deadline.limit.code,
                legal_basis=deadline.limit.legal_basis,
                duration=deadline.limit.duration_label,
                start=deadline.start_date,
                due=deadline.due_date,
                status=deadline.get_status_display(),
            )
            for deadline in deadlines
        ]
        refusal_reasons = [
            str(RefusalReason(code).label) if code in RefusalReason.values else str(code)
            for code in request.refusal_reasons or []
        ]
        answer_limit = _answer_limit(request, deadlines)
        transferred_to = request.transferred_to
        context = {
            "request": request,
            "collectivity": request.collectivity,
            "language": language,
            "dir": default_dir,
            "answer_limit": answer_limit,
            "answer_duration": answer_limit.duration_label,
            "exchanges": exchanges,
            "events": events,
            "deadlines": deadline_rows,
            "attachments": [
                AttachmentRow(
                    name=attachment.name,
                    size=attachment.size,
                    sha256=attachment.sha256,
                    dir=text_direction(attachment.name, default_dir),
                )
                for attachment in request.attachments.all()
            ],
            "refusal_reasons": refusal_reasons,
            "transferred_to": transferred_to.reference if transferred_to is not None else "",
            "dirs": {
                name: text_direction(str(getattr(request, name)), default_dir)
                for name in (
                    "requester_name",
                    "subject",
                    "description",
                    "urgency_reason",
                    "answer_text",
                    "complaint_text",
                    "complaint_decision_text",
                )
            },
            "generated_at": timezone.now(),
        }
        html = render_to_string("information/pdf/case_file.html", context)
    return html_to_pdf(html)
