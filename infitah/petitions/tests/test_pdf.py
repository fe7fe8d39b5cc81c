"""The receipt of a lodged petition, read back from the PDF with pypdf.

pypdf gives Arabic runs in logical order and keeps the runs of a mixed line in visual
order (see infitah/information/tests/test_pdf.py): the assertions look for whole Arabic
phrases and for Latin values (reference, dates) on their own.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from django.utils import timezone

from infitah.accounts.models import User
from infitah.petitions import services
from infitah.petitions.pdf import receipt_pdf
from infitah.petitions.tests.conftest import AGENT_CIN, AGENT_EMAIL, MakePetition, petition_input
from infitah.petitions.workflow import Status
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

TITLE_AR = "وصل إيداع عريضة"
TITLE_FR = "Récépissé de dépôt d’une pétition"


def _words(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


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
    assert petition.lodged_on.isoformat() in words
    assert petition.decision_due.isoformat() in words
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
def test_the_receipt_of_a_paper_petition(collectivity_a: Collectivity, bureau_a: User) -> None:
    lodged_on = timezone.localdate() - timedelta(days=2)
    petition = services.petition_register_paper(
        collectivity=collectivity_a,
        data=petition_input(agent_email=""),
        actor=bureau_a,
        lodged_on=lodged_on,
    )
    words = _words(receipt_pdf(petition))
    assert petition.reference in words and lodged_on.isoformat() in words
    assert "Déposée sur papier" in words
    assert petition.decision_due is not None and petition.decision_due.isoformat() in words


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
