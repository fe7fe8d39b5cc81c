"""The receipt (وصل / récépissé) of a lodged petition, as PDF.

The law asks the council president to give a receipt at once when a petition is lodged.
This one is bilingual on one page, Arabic first, whatever the language of the interface:
reference, title, collectivity, date and time of lodging, signatures counted, the date
by which the council must decide and the legal basis. It names no signatory and shows no
ID number. It does not check who may read it: the caller (the agent's secret link, or the
bureau's role) has done so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from infitah.deadlines.models import LegalLimit
from infitah.deadlines.selectors import UnknownLegalLimit, legal_limit_get
from infitah.ledger.selectors import event_list
from infitah.lib.pdf import html_to_pdf, text_direction
from infitah.petitions.models import Petition
from infitah.petitions.selectors import petition_receipt
from infitah.petitions.workflow import Channel, PetitionerKind

__all__ = ["receipt_pdf"]

LODGING_EVENTS = ("petitions.lodge", "petitions.registered_paper")


@dataclass(frozen=True)
class Duration:
    ar: str
    fr: str


def _duration(limit: LegalLimit | None) -> Duration | None:
    """The limit's duration in words, in both languages (fixed wording, like the form)."""
    if limit is None:
        return None
    n = limit.duration
    if limit.unit == "calendar_months":
        ar = {1: "شهر واحد", 2: "شهران"}.get(n) or (f"{n} أشهر" if n <= 10 else f"{n} شهرا")
        return Duration(ar=ar, fr=f"{n} mois")
    if limit.unit == "working_days":
        return Duration(ar=f"{n} يوم عمل", fr=f"{n} jours ouvrables")
    ar = {1: "يوم واحد", 2: "يومان"}.get(n) or (f"{n} أيام" if n <= 10 else f"{n} يوما")
    return Duration(ar=ar, fr=f"{n} jours")


def _lodged_at(petition: Petition) -> datetime | None:
    """When the lodging was recorded (the online lodging, or the bureau's registration)."""
    for event in event_list(obj=petition).filter(action__in=LODGING_EVENTS):
        return timezone.localtime(event.at)
    return None


def receipt_pdf(petition: Petition) -> bytes:
    """The bilingual receipt of a lodged `petition` (ValueError if it is not lodged)."""
    receipt = petition_receipt(petition)
    try:
        limit: LegalLimit | None = legal_limit_get(code=f"petition.decision.{receipt.level}")
    except UnknownLegalLimit:
        limit = None
    lodged_at = _lodged_at(petition)
    context = {
        "receipt": receipt,
        "reference": receipt.reference,
        "petition": petition,
        "collectivity": receipt.collectivity,
        "limit": limit,
        "duration": _duration(limit),
        "lodged_at": lodged_at,
        "is_paper": receipt.channel == Channel.PAPER,
        "is_association": receipt.petitioner_kind == PetitionerKind.ASSOCIATION,
        "title_dir": text_direction(receipt.title),
        "petitioner_dir": text_direction(receipt.petitioner),
        "request_dir": text_direction(receipt.request),
        "issued_on": timezone.localdate(),
    }
    return html_to_pdf(render_to_string("petitions/pdf/receipt.html", context))
