"""The receipt (وصل / récépissé) of a complaint, observation or suggestion, as PDF.

Bilingual on one page, Arabic first, whatever the language of the interface, like the
receipt of an access-to-information request: reference, collectivity, type, date of
reception, the two legal time limits (acknowledge, answer) with their due dates and
legal basis, and how to follow the complaint. It never shows the description, the
place, the attachments or the citizen's contact details. It does not check who may read
it: the caller (the view behind the citizen's secret link) has done so.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from infitah.cases.notify import site_url
from infitah.complaints.models import Complaint
from infitah.complaints.process import ACK_LIMIT, ANSWER_LIMIT
from infitah.deadlines.selectors import legal_limit_get
from infitah.lib.pdf import html_to_pdf

__all__ = ["receipt_pdf"]


def _recover_url(language: str) -> str:
    with translation.override(language):
        return site_url("complaints:recover")


def receipt_pdf(complaint: Complaint) -> bytes:
    """The bilingual receipt of `complaint`, as PDF bytes.

    Before the e-mail address is confirmed the complaint is not yet received: the receipt
    then shows the day it was sent, marked as awaiting confirmation, and no due dates.
    """
    context = {
        "complaint": complaint,
        "reference": complaint.reference,
        "collectivity": complaint.collectivity,
        "is_received": complaint.received_on is not None,
        "receipt_date": complaint.received_on or timezone.localdate(complaint.submitted_at),
        "acknowledge_limit": legal_limit_get(code=ACK_LIMIT),
        "answer_limit": legal_limit_get(code=ANSWER_LIMIT),
        "issued_on": timezone.localdate(),
        "recover_url": {language: _recover_url(language) for language in ("ar", "fr")},
    }
    return html_to_pdf(render_to_string("complaints/pdf/receipt.html", context))
