"""A paper letter whose sender gave only a postal address: the complaint is opened from
its register entry, answered by post (the staff page says where), and no e-mail is
queued. Online submissions still need an e-mail address or a phone number."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from infitah.accounts.models import Role, User
from infitah.complaints import services
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.complaints.tests.conftest import complaint_input
from infitah.complaints.workflow import Status
from infitah.correspondence.services import entry_register
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

POSTAL = "12, rue des Roses, Aït Melloul"


def _entry_url(collectivity: Collectivity, officer: User) -> str:
    entry = entry_register(
        collectivity=collectivity,
        actor=officer,
        direction="incoming",
        correspondent="Amina Belkadi",
        subject="Éclairage",
        channel="paper",
    )
    return f"/fr/staff/commune-a/correspondence/{entry.year}/{entry.number}/open/complaint/"


def test_a_paper_letter_with_a_postal_address_only_becomes_a_complaint(
    collectivity_a: Collectivity,
    complaint_settings_a: ComplaintSettings,
    staff_for: Callable[[str], User],
) -> None:
    officer = staff_for(Role.COMPLAINTS_OFFICER)
    client = Client()
    client.force_login(officer)
    url = _entry_url(collectivity_a, officer)
    form = {"kind": "complaint", "name": "Amina Belkadi", "description": "La lampe est en panne."}
    assert 'name="postal_address"' in client.get(url).content.decode()
    # No contact at all: refused on the form, nothing written.
    refused = client.post(url, form)
    assert refused.status_code in (200, 400)
    assert not Complaint.objects.exists()
    officer_mails = OutboundEmail.objects.filter(to=officer.email).count()
    opened = client.post(url, {**form, "postal_address": POSTAL})
    assert opened.status_code == 302, opened.content.decode()[:2000]
    complaint = Complaint.objects.get()
    assert complaint.status == Status.RECEIVED
    assert (complaint.email, complaint.phone, complaint.postal_address) == ("", "", POSTAL)
    # The unit is told (as for any complaint); the citizen has no address to e-mail.
    assert OutboundEmail.objects.filter(to=officer.email).count() == officer_mails + 1
    assert not OutboundEmail.objects.exclude(to=officer.email).exists()
    page = client.get(f"/fr/staff/commune-a/complaints/{complaint.reference}/")
    html = page.content.decode()
    assert page.status_code == 200
    with translation.override("fr"):
        label = translation.gettext("Answer by post to: %(address)s").split("%(address)s")[0]
    assert label.strip() in html and POSTAL in html


def test_the_service_needs_a_contact_even_on_paper(
    collectivity_a: Collectivity, complaint_settings_a: ComplaintSettings
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.complaint_validate(
            collectivity=collectivity_a, data=complaint_input(email=""), paper=True
        )
    assert "email" in exc.value.message_dict
    clean = services.complaint_validate(
        collectivity=collectivity_a,
        data=complaint_input(email="", postal_address=f"  {POSTAL} "),
        paper=True,
    )
    assert clean.postal_address == POSTAL
    with pytest.raises(ValidationError) as exc:
        services.complaint_validate(
            collectivity=collectivity_a,
            data=complaint_input(email="", postal_address="x" * 501),
            paper=True,
        )
    assert "postal_address" in exc.value.message_dict


def test_online_submissions_still_need_an_e_mail_or_a_phone(
    collectivity_a: Collectivity, complaint_settings_a: ComplaintSettings
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.complaint_submit(
            collectivity=collectivity_a,
            data=complaint_input(email="", postal_address=POSTAL),
        )
    assert "email" in exc.value.message_dict
    assert not Complaint.objects.exists()
    page = Client().post(
        "/fr/c/commune-a/complaints/new/",
        {
            "kind": "complaint",
            "name": "Amina",
            "description": "La lampe est en panne.",
            "postal_address": POSTAL,
            "consent": "on",
        },
    )
    assert page.status_code in (200, 400)
    assert not Complaint.objects.exists()
