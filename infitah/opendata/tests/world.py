"""A small world of public data, written through each app's own services, for the
open-data tests (sources, sync, files, pages).

Collectivity A holds: two published documents (a communiqué, and an open-data CSV
uploaded by staff) and one withdrawn; three information requests (one answered, one
refused, one still in progress) and a fourth its requester kept private; three
complaints (two answered, one of them published and rated, one not yet answered); two
petitions (one collecting with one signature, one lodged). B holds one published
document. Every personal detail given (names, e-mails, ID numbers, addresses) is in
`PERSONAL`, so that the tests can check none of it leaves in a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from infitah.accounts.models import Membership, Role, User
from infitah.complaints import services as complaints
from infitah.complaints.models import Category as ComplaintCategory
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.correspondence.models import ServiceUnit
from infitah.information import services as information
from infitah.information.models import InformationRequest, InformationSettings
from infitah.notifications.models import OutboundEmail
from infitah.petitions import services as petitions
from infitah.petitions import signatures
from infitah.petitions.models import Petition, PetitionSettings
from infitah.publication.models import Category, Document, Language
from infitah.publication.services import document_publish, document_withdraw
from infitah.territories.models import Collectivity

PERSONAL = (
    "Fatima",
    "Zahra",
    "ZX987654",
    "fatima@example.test",
    "Amina Benali",
    "amina@example.test",
    "0612345678",
    "JB445566",
    "agent@example.test",
    "Signataire Un",
    "AB000001",
    "signer1@example.test",
    "Orangers",
)
PRIVATE_SUBJECT = "Demande privée sur le personnel"
UNPUBLISHED_ANSWER = "Réponse que la commune ne publie pas"
OPEN_DATA_CSV = "quartier,population\r\nAl Massira,12000\r\nTarrast,8000\r\n"


@dataclass
class World:
    a: Collectivity
    b: Collectivity
    staff: User
    communique: Document
    upload: Document
    withdrawn: Document
    document_b: Document
    answered: InformationRequest
    refused: InformationRequest
    in_progress: InformationRequest
    private: InformationRequest
    published_answer: Complaint
    unpublished_answer: Complaint
    waiting: Complaint
    collecting: Petition
    lodged: Petition
    extra: dict[str, Any] = field(default_factory=dict)


def _file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def _publish(
    collectivity: Collectivity, staff: User, code: str, title_fr: str, name: str, text: str
) -> Document:
    return document_publish(
        collectivity=collectivity,
        actor=staff,
        category=Category.objects.get(code=code),
        title_ar=f"{title_fr} (ar)",
        title_fr=title_fr,
        date=dt.date(2026, 3, 16),
        language=Language.FRENCH,
        upload=_file(name, text),
    )


def _request(
    collectivity: Collectivity, subject: str, *, private: bool = False
) -> InformationRequest:
    data = information.RequestInput(
        requester_type="citizen",
        first_name="Fatima",
        last_name="Zahra",
        id_type="cin",
        id_number="ZX987654",
        address="12 rue des Orangers, Aït Melloul",
        email="fatima@example.test",
        subject=subject,
        description="Je demande une copie du document.",
        urgent=False,
        urgency_reason="",
        delivery="email",
        private=private,
    )
    request, _token = information.request_file(collectivity=collectivity, data=data)
    information.request_confirm(request=request)
    request.refresh_from_db()
    return request


def _complaint(collectivity: Collectivity, category: ComplaintCategory) -> Complaint:
    data = complaints.ComplaintInput(
        kind="complaint",
        category=str(category.pk),
        description="La lampe de la rue des Orangers est en panne depuis deux semaines.",
        name="Amina Benali",
        email="amina@example.test",
        phone="0612345678",
        address="Rue des Orangers",
    )
    complaint, _token = complaints.complaint_submit(collectivity=collectivity, data=data)
    if complaint.status == "awaiting_confirmation":
        complaints.complaint_confirm(complaint=complaint)
    complaint.refresh_from_db()
    return complaint


def _confirm_signature(petition: Petition, n: int) -> None:
    sig = signatures.signature_submit(
        petition=petition,
        data=signatures.SignatureInput(
            full_name="Signataire Un",
            cin=f"AB{n:06d}",
            residence=petition.collectivity.slug,
            interest="resident",
            email=f"signer{n}@example.test",
            electoral_declaration=True,
        ),
        ip=f"10.0.0.{n}",
        language="fr",
    )
    body = OutboundEmail.objects.filter(to=sig.email).order_by("-pk").first()
    assert body is not None
    token = next(
        line.strip().rstrip("/").rsplit("/", 1)[-1]
        for line in body.body.splitlines()
        if "://" in line
    )
    assert signatures.signature_confirm(token=token) is not None


def _petition(collectivity: Collectivity, title: str) -> Petition:
    petition, _token = petitions.petition_draft(
        collectivity=collectivity,
        data=petitions.PetitionInput(
            petitioner_kind="citizens",
            title=title,
            text="Nous demandons au conseil de créer un espace vert.",
            request="Inscrire la création d'un espace vert à l'ordre du jour.",
            agent_name="Agent Amina Benali",
            agent_cin="JB445566",
            agent_email="agent@example.test",
            agent_phone="0612345678",
            agent_address="Rue des Orangers",
        ),
        language="fr",
    )
    return petitions.petition_confirm_agent(petition=petition)


def build_world(a: Collectivity, b: Collectivity) -> World:
    """The world described in the module docstring (A must be a commune)."""
    staff = User.objects.create_user(email="world-staff@example.test", password="x-pass-123")
    Membership.objects.bulk_create(Membership(user=staff, collectivity=a, role=r) for r in Role)
    Membership.objects.create(user=staff, collectivity=b, role=Role.ADMIN)

    communique = _publish(a, staff, "communiques", "Communiqué de presse", "c.txt", "Texte.")
    upload = _publish(
        a, staff, "open-data", "Population par quartier", "population.csv", OPEN_DATA_CSV
    )
    withdrawn = _publish(a, staff, "communiques", "Communiqué retiré", "w.txt", "Retiré.")
    document_withdraw(document=withdrawn, actor=staff, reason="Erreur de date.")
    document_b = _publish(b, staff, "communiques", "Communiqué de B", "b.txt", "Texte B.")

    InformationSettings.objects.create(collectivity=a, cndp_authorisation="A-RA-1/2026")
    answered = _request(a, "Budget 2026")
    information.request_answer(request=answered, actor=staff, text="Voici le budget.")
    refused = _request(a, "Dossiers du personnel")
    information.request_refuse(
        request=refused,
        actor=staff,
        reasons=["art7_private_life"],
        reasoning="Données personnelles.",
    )
    in_progress = _request(a, "Marchés 2025")
    private = _request(a, PRIVATE_SUBJECT, private=True)

    unit = ServiceUnit.objects.create(collectivity=a, name_ar="الشكايات", name_fr="Plaintes")
    ComplaintSettings.objects.create(collectivity=a, complaints_unit=unit, reopen_days=30)
    lighting = ComplaintCategory.objects.create(
        collectivity=a, name_ar="الإنارة العمومية", name_fr="Éclairage public"
    )
    published_answer = _complaint(a, lighting)
    complaints.complaint_answer(
        complaint=published_answer,
        actor=staff,
        outcome="positive",
        text="La lampe a été remplacée.",
        publish=True,
    )
    complaints.complaint_rate(complaint=published_answer, satisfaction=5)
    unpublished_answer = _complaint(a, lighting)
    complaints.complaint_answer(
        complaint=unpublished_answer, actor=staff, outcome="negative", text=UNPUBLISHED_ANSWER
    )
    waiting = _complaint(a, lighting)

    PetitionSettings.objects.create(
        collectivity=a, threshold_override=1, threshold_basis="test council page"
    )
    collecting = _petition(a, "Un espace vert à Al Massira")
    _confirm_signature(collecting, 1)
    lodged = _petition(a, "Éclairage de la rue des Écoles")
    _confirm_signature(lodged, 2)
    lodged = petitions.petition_lodge(petition=lodged)

    for item in (answered, refused, in_progress, private, published_answer, unpublished_answer):
        item.refresh_from_db()
    waiting.refresh_from_db()
    collecting.refresh_from_db()
    return World(
        a=a,
        b=b,
        staff=staff,
        communique=communique,
        upload=upload,
        withdrawn=withdrawn,
        document_b=document_b,
        answered=answered,
        refused=refused,
        in_progress=in_progress,
        private=private,
        published_answer=published_answer,
        unpublished_answer=unpublished_answer,
        waiting=waiting,
        collecting=collecting,
        lodged=lodged,
    )
