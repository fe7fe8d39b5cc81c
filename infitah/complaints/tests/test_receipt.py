"""The receipt of a complaint, as PDF (issue #21: "a complainant gets no receipt").

Bilingual, behind the secret link only, linked from the follow-up page and the receipt
e-mail; it shows the reference, the collectivity, the type, the date of reception, the
two legal time limits and how to follow the complaint, never its description.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from django.test import Client
from django.utils import timezone

from infitah.complaints.pdf import receipt_pdf
from infitah.complaints.tests.conftest import CITIZEN_EMAIL, DESCRIPTION, Submit
from infitah.deadlines.selectors import legal_limit_get
from infitah.lib.pii import pii_decrypt
from infitah.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

TITLE_AR = "وصل التوصل بشكاية أو ملاحظة أو اقتراح"


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def _receipt_url(token: str, lang: str = "fr") -> str:
    return f"/{lang}/complaints/track/{token}/receipt.pdf"


@pytest.mark.pdf
def test_the_receipt_names_the_complaint_and_its_time_limits(submit: Submit) -> None:
    complaint = submit(kind="suggestion", phone="0612345678")

    text = _text(receipt_pdf(complaint))

    assert complaint.reference in text
    assert TITLE_AR in text
    assert "Récépissé d’une réclamation, observation ou suggestion" in text
    assert "Aït Melloul" in text and "Suggestion" in text
    assert "Délai de réponse" in text and "Délai d’accusé de réception" in text
    assert legal_limit_get(code="complaint.answer").legal_basis_fr in text
    assert "/fr/complaints/recover/" in text
    # Never the description nor the citizen's contact details.
    for secret in (DESCRIPTION[:20], CITIZEN_EMAIL, "0612345678", "Amina"):
        assert secret not in text


@pytest.mark.pdf
def test_the_receipt_is_served_behind_the_secret_link_only(submit: Submit) -> None:
    complaint = submit()
    token = pii_decrypt(complaint.tracking_token_encrypted)
    client = Client()

    response = client.get(_receipt_url(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{complaint.reference}-receipt.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    assert complaint.reference in _text(response.content)
    # The follow-up page links to it; a wrong token gets the dead-link page, no PDF.
    assert _receipt_url(token) in client.get(f"/fr/complaints/track/{token}/").content.decode()
    wrong = client.get(_receipt_url("x" + token))
    assert wrong.status_code == 404 and wrong["Content-Type"].startswith("text/html")


def test_the_receipt_e_mail_links_to_the_receipt(submit: Submit) -> None:
    complaint = submit()
    token = pii_decrypt(complaint.tracking_token_encrypted)

    mail = OutboundEmail.objects.get(to=CITIZEN_EMAIL, key__contains=":citizen:received:")

    assert re.search(rf"https?://\S+{re.escape(_receipt_url(token, 'ar'))}", mail.body)


def test_no_receipt_link_before_the_complaint_is_received(submit: Submit) -> None:
    complaint = submit(confirm=False)
    token = pii_decrypt(complaint.tracking_token_encrypted)
    page = Client().get(f"/fr/complaints/track/{token}/").content.decode()
    assert "receipt.pdf" not in page
    assert complaint.received_on is None
    assert complaint.submitted_at <= timezone.now()
