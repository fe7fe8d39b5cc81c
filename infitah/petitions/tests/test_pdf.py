"""The receipt of a lodged petition, read back from the PDF with pypdf.

pypdf gives Arabic runs in logical order and keeps the runs of a mixed line in visual
order (see infitah/information/tests/test_pdf.py): the assertions look for whole Arabic
phrases and for Latin values (reference, figures) on their own. Dates are written in
words in each language ("14 يوليوز 2026", "14 juillet 2026"): the French date is found
whole, the Arabic one by its month name and figures, and no ISO date is left.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from pypdf import PdfReader

from django.utils import timezone, translation

from infitah.accounts.models import User
from infitah.petitions import services
from infitah.petitions.pdf import receipt_pdf
from infitah.petitions.tests.conftest import AGENT_CIN, AGENT_EMAIL, MakePetition, petition_input
from infitah.petitions.workflow import Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

TITLE_AR = "وصل إيداع عريضة"
TITLE_FR = "Récépissé de dépôt d’une pétition"
MONTHS_AR = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
]
MONTHS_FR = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _words(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def _has_word(words: str, word: str) -> bool:
    """`word` not inside a longer word (figures may touch it: pypdf gives "يوليوز14")."""
    return re.search(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", words) is not None


def _assert_dated(words: str, *days: date) -> None:
    """Each day in French words and with its Arabic (Moroccan) month name; no ISO date."""
    for day in days:
        assert f"{day.day} {MONTHS_FR[day.month - 1]} {day.year}" in words
        assert _has_word(words, MONTHS_AR[day.month - 1])
    assert ISO_DATE.findall(words) == []


@pytest.mark.pdf
def test_the_receipt_of_an_online_petition(
    make_petition: MakePetition, collectivity_a: Collectivity
) -> None:
    petition = make_petition(Status.LODGED)
    assert petition.lodged_on is not None and petition.decision_due is not None
    pdf = receipt_pdf(petition)
    assert pdf.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    words = _words(pdf)
    assert petition.reference in words
    _assert_dated(words, petition.lodged_on, petition.decision_due, timezone.localdate())
    assert TITLE_AR in words and TITLE_FR in words
    assert collectivity_a.name_fr in words and collectivity_a.name_ar in words
    assert "113.14" in words  # the legal basis, in both languages
    assert "Loi organique n° 113.14 relative aux communes" in words
    assert "2 / 2" in words  # confirmed at lodging, of the required number
    assert "3 mois" in words  # the commune's decision period
    assert "Déposée en ligne" in words
    # No personal data of the agent beyond the petitioner's name.
    for secret in (AGENT_EMAIL, AGENT_CIN.replace(" ", ""), "0612345678"):
        assert secret not in words


@pytest.mark.pdf
def test_the_receipt_writes_date_and_time_in_arabic_and_in_french(
    make_petition: MakePetition,
) -> None:
    """Lodged online on 14 July 2026 at 09:15: "14 يوليوز 2026، 09:15" in the Arabic part,
    "14 juillet 2026 à 09:15" in the French one, whatever the language of the page."""
    lodged = datetime(2026, 7, 14, 9, 15, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(lodged, tick=False):
        petition = make_petition(Status.LODGED)
        with translation.override("fr"):
            words = _words(receipt_pdf(petition))
    assert petition.lodged_on == date(2026, 7, 14) and petition.decision_due is not None
    assert "14 juillet 2026 à 09:15" in words
    assert _has_word(words, "يوليوز") and "09:15" in words
    assert _has_word(words, MONTHS_AR[petition.decision_due.month - 1])
    _assert_dated(words, petition.decision_due)
    assert "14/07/2026" not in words and "juil." not in words


@pytest.mark.pdf
def test_the_receipt_of_a_paper_petition(collectivity_a: Collectivity, bureau_a: User) -> None:
    lodged_on = timezone.localdate() - timedelta(days=2)
    petition = services.petition_register_paper(
        collectivity=collectivity_a,
        data=petition_input(agent_email=""),
        actor=bureau_a,
        lodged_on=lodged_on,
    )
    words = _words(receipt_pdf(petition))
    assert petition.reference in words and "Déposée sur papier" in words
    assert petition.decision_due is not None
    _assert_dated(words, lodged_on, petition.decision_due)


@pytest.mark.pdf
def test_the_receipt_of_an_association_names_it(make_petition: MakePetition) -> None:
    petition = make_petition(
        Status.LODGED,
        petitioner_kind="association",
        association_name="Association Amal",
        association_founded_on="2015-01-01",
        association_seat="commune-a",
        association_good_standing=True,
        association_object="Environnement",
        association_object_related=True,
    )
    words = _words(receipt_pdf(petition))
    assert "Association Amal" in words
    assert "représentée par son représentant légal" in words


def test_no_receipt_before_lodging(make_petition: MakePetition) -> None:
    with pytest.raises(ValueError):
        receipt_pdf(make_petition(Status.COLLECTING))
