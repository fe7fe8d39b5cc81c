"""The minutes' services: draft (`minutes_save`), approval (`minutes_approve`) and the
signed PDF (`minutes_sign`), with its entry in the publication register."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, translation

from infitah.accounts.models import Role
from infitah.council.minutes import (
    DOCUMENT_TYPE,
    minutes_approve,
    minutes_save,
    minutes_sign,
    register_current,
    register_link,
)
from infitah.council.models import MemberRole, Minutes, MinutesStatus, Session
from infitah.council.tests.conftest import SITTING_DAY, Council, held_session_for
from infitah.council.workflow import Status
from infitah.ledger.models import Event, RegisterEntry
from infitah.lib.pades import env_names, pdf_check, signing_trust_roots

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("signing_world")]


@pytest.fixture
def secretary(staff_for: Any) -> Any:
    return staff_for(Role.COUNCIL_SECRETARY)


def _approved(session: Session, actor: Any, *, text_fr: str = "Le conseil a siégé.") -> Minutes:
    minutes_save(session=session, actor=actor, text_ar="انعقدت الدورة في وقتها.", text_fr=text_fr)
    return minutes_approve(session=session, actor=actor)


# --- Draft -------------------------------------------------------------------------------


def test_save_creates_the_draft_once_the_session_was_held(held_session, secretary) -> None:
    minutes = minutes_save(
        session=held_session, actor=secretary, text_ar="  نص المحضر  ", text_fr=""
    )
    assert minutes.status == MinutesStatus.DRAFT
    assert minutes.text_ar == "نص المحضر"
    again = minutes_save(session=held_session, actor=secretary, text_ar="نص جديد", text_fr="Texte")
    assert again.pk == minutes.pk and Minutes.objects.count() == 1
    assert (
        Event.objects.filter(action="council.minutes_save", object_id=str(minutes.pk)).count() == 2
    )


@pytest.mark.parametrize("status", [Status.DRAFT, Status.CONVENED, Status.CANCELLED])
def test_save_refused_before_the_sitting(council_a: Council, secretary, status) -> None:
    session = held_session_for(council_a, status=status)
    with pytest.raises(ValidationError) as caught:
        minutes_save(session=session, actor=secretary, text_ar="نص", text_fr="")
    assert "__all__" in caught.value.message_dict
    assert not Minutes.objects.exists()


def test_save_accepts_a_session_whose_decisions_are_published(council_a, secretary) -> None:
    session = held_session_for(council_a, status=Status.SUMMARY_PUBLISHED)
    assert minutes_save(session=session, actor=secretary, text_ar="نص", text_fr="").pk


@pytest.mark.parametrize(
    ("text_ar", "text_fr", "field"),
    [
        ("", "  ", "text_ar"),
        ("نص\x00", "", "text_ar"),
        ("نص", "x" * 200_001, "text_fr"),
        (None, "texte", "text_ar"),
        ("نص", "\ud800", "text_fr"),
    ],
)
def test_save_checks_each_text(held_session, secretary, text_ar, text_fr, field) -> None:
    with pytest.raises(ValidationError) as caught:
        minutes_save(session=held_session, actor=secretary, text_ar=text_ar, text_fr=text_fr)
    assert field in caught.value.message_dict
    assert not Minutes.objects.exists()


def test_save_needs_the_council_permission(held_session, staff_for, charlie, citizen) -> None:
    for actor in (
        staff_for(Role.COUNCIL_MEMBER),
        staff_for(Role.PUBLICATION_EDITOR),
        charlie,
        citizen,
    ):
        with pytest.raises(PermissionDenied):
            minutes_save(session=held_session, actor=actor, text_ar="نص", text_fr="")
    assert not Minutes.objects.exists()


# --- Approval ------------------------------------------------------------------------------


def test_approve_then_a_new_text_needs_a_new_approval(held_session, secretary) -> None:
    with pytest.raises(ValidationError):
        minutes_approve(session=held_session, actor=secretary)  # nothing written yet
    minutes = _approved(held_session, secretary)
    assert minutes.status == MinutesStatus.APPROVED and minutes.approved_at is not None
    with pytest.raises(ValidationError):
        minutes_approve(session=held_session, actor=secretary)  # already approved
    # The same text again changes nothing; another text goes back to draft.
    same = minutes_save(
        session=held_session, actor=secretary, text_ar=minutes.text_ar, text_fr=minutes.text_fr
    )
    assert same.status == MinutesStatus.APPROVED
    changed = minutes_save(session=held_session, actor=secretary, text_ar="نص معدل", text_fr="")
    assert changed.status == MinutesStatus.DRAFT and changed.approved_at is None


def test_approve_needs_the_council_permission(held_session, secretary, charlie) -> None:
    minutes_save(session=held_session, actor=secretary, text_ar="نص", text_fr="")
    with pytest.raises(PermissionDenied):
        minutes_approve(session=held_session, actor=charlie)
    assert Minutes.objects.get().status == MinutesStatus.DRAFT


# --- Signature -------------------------------------------------------------------------------


def test_sign_refuses_unapproved_minutes(held_session, secretary) -> None:
    minutes_save(session=held_session, actor=secretary, text_ar="نص", text_fr="")
    with pytest.raises(ValidationError):
        minutes_sign(session=held_session, actor=secretary)
    minutes = Minutes.objects.get()
    assert minutes.status == MinutesStatus.DRAFT and not minutes.signed_pdf


def test_sign_needs_a_president_and_a_secretary(
    council_a: Council, held_session, secretary
) -> None:
    _approved(held_session, secretary)
    council_a.secretary.role = MemberRole.MEMBER
    council_a.secretary.save()
    with pytest.raises(ValidationError):
        minutes_sign(session=held_session, actor=secretary)
    minutes = Minutes.objects.get()
    assert minutes.status == MinutesStatus.APPROVED and not minutes.signed_pdf
    assert not RegisterEntry.objects.exists()


def test_sign_needs_the_council_permission(held_session, secretary, staff_for) -> None:
    _approved(held_session, secretary)
    with pytest.raises(PermissionDenied):
        minutes_sign(session=held_session, actor=staff_for(Role.COUNCIL_MEMBER))
    assert Minutes.objects.get().status == MinutesStatus.APPROVED


def test_sign_with_a_broken_certificate_writes_nothing(
    held_session, secretary, monkeypatch, tmp_path
) -> None:
    _approved(held_session, secretary)
    p12_name, _ = env_names(held_session.collectivity.slug)
    monkeypatch.setenv(p12_name, str(tmp_path / "missing.p12"))
    with pytest.raises(ValidationError):
        minutes_sign(session=held_session, actor=secretary)
    minutes = Minutes.objects.get()
    assert minutes.status == MinutesStatus.APPROVED and not minutes.signed_pdf
    assert not RegisterEntry.objects.exists()


@pytest.mark.pdf
def test_sign_stores_a_signed_pdf_and_registers_it(
    council_a: Council, held_session, secretary
) -> None:
    _approved(held_session, secretary)
    minutes = minutes_sign(session=held_session, actor=secretary)

    assert minutes.status == MinutesStatus.SIGNED and minutes.signed_at is not None
    data = minutes.signed_pdf.read()
    assert hashlib.sha256(data).hexdigest() == minutes.signed_sha256
    check = pdf_check(data, trust_roots=signing_trust_roots(held_session.collectivity))
    assert check.valid and check.trusted
    assert [s.field for s in check.signatures] == ["President", "Secretary"]
    names = check.signer_names
    assert council_a.president.name_ar in names[0] and council_a.secretary.name_ar in names[1]
    assert [s["role"] for s in minutes.signers] == ["president", "secretary"]
    assert minutes.signers[0]["member"] == council_a.president.pk

    entry = RegisterEntry.objects.get(document_type=DOCUMENT_TYPE)
    assert entry.document_id == str(minutes.pk)
    assert entry.file_sha256 == minutes.signed_sha256
    assert entry.file_name == minutes.signed_pdf.name
    assert entry.metadata["session"] == held_session.pk
    # verify_register's view of the minutes today: the same leaf.
    [item] = list(register_current())
    assert (item.file_sha256, item.document_id) == (entry.file_sha256, entry.document_id)
    assert register_link(entry).endswith(f"/council/sessions/{held_session.pk}/minutes/check/")
    assert Event.objects.filter(action="council.minutes_sign").count() == 1

    # Signed minutes never change again.
    with pytest.raises(ValidationError):
        minutes_save(session=held_session, actor=secretary, text_ar="تعديل", text_fr="")
    with pytest.raises(ValidationError):
        minutes_sign(session=held_session, actor=secretary)
    assert Minutes.objects.get().signed_sha256 == minutes.signed_sha256
    assert RegisterEntry.objects.count() == 1


@pytest.mark.pdf
def test_the_pdf_shows_the_sitting_in_both_languages(
    council_a: Council, held_session, secretary
) -> None:
    # Titles without a month name or digits: PDF text extraction reorders mixed-direction
    # runs, and the month must come from the date alone.
    held_session.title_ar = "الدورة العادية الأولى"
    held_session.title_fr = "Première session ordinaire"
    held_session.save()
    _approved(held_session, secretary, text_fr="Le conseil a siégé à l'heure.")
    minutes = minutes_sign(session=held_session, actor=secretary)
    reader = PdfReader(io.BytesIO(minutes.signed_pdf.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        held_session.title_ar,
        held_session.title_fr,
        "انعقدت الدورة في وقتها",
        "Le conseil a siégé à l'heure.",
        council_a.president.name_ar,
        council_a.president.name_fr,
        council_a.members[2].name_ar,  # excused
        council_a.members[2].name_fr,
        "D-2026-07",
        "صادق المجلس على برنامج عمل الجماعة",
        "Le conseil approuve le programme d'action.",
    ):
        assert expected in text, expected
    # Dates in each part's language ("3 فبراير 2026", "3 février 2026"), never ISO.
    with translation.override("fr"):
        assert formats.date_format(SITTING_DAY, "DATE_FORMAT") in text
    with translation.override("ar"):
        arabic_month = formats.date_format(SITTING_DAY, "F")
    assert arabic_month not in ("February", "") and arabic_month in text
    assert SITTING_DAY.isoformat() not in text


@pytest.mark.pdf
def test_minutes_without_french_text_are_in_arabic_only(held_session, secretary) -> None:
    _approved(held_session, secretary, text_fr="")
    minutes = minutes_sign(session=held_session, actor=secretary)
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(minutes.signed_pdf.read())).pages
    )
    assert "الدورة العادية لشهر فبراير" in text and held_session.title_fr not in text


@pytest.mark.pdf
def test_minutes_of_a_sitting_in_camera_are_signed_but_not_registered(
    council_a: Council, secretary
) -> None:
    session = held_session_for(council_a, is_public=False)
    _approved(session, secretary)
    minutes = minutes_sign(session=session, actor=secretary)
    assert minutes.status == MinutesStatus.SIGNED
    assert not RegisterEntry.objects.exists()


def _p12(tmp_path: Path, common_name: str, passphrase: bytes) -> Path:
    """A self-signed signing certificate in a PKCS#12 file, as an operator would give."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / f"{common_name}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"seal", key, cert, None, serialization.BestAvailableEncryption(passphrase)
        )
    )
    return path


@pytest.mark.pdf
def test_sign_uses_the_collectivitys_certificate_from_the_environment(
    held_session, secretary, monkeypatch, tmp_path
) -> None:
    p12_name, passphrase_name = env_names(held_session.collectivity.slug)
    assert (p12_name, passphrase_name) == (
        "INFITAH_SIGNING_P12_COMMUNE_A",
        "INFITAH_SIGNING_PASSPHRASE_COMMUNE_A",
    )
    monkeypatch.setenv(p12_name, str(_p12(tmp_path, "Commune Ait Melloul seal", b"s3cret")))
    monkeypatch.setenv(passphrase_name, "s3cret")
    _approved(held_session, secretary)
    minutes = minutes_sign(session=held_session, actor=secretary)
    assert [s["certificate"] for s in minutes.signers] == ["Commune Ait Melloul seal"] * 2
    check = pdf_check(
        minutes.signed_pdf.read(), trust_roots=signing_trust_roots(held_session.collectivity)
    )
    assert check.valid and check.trusted
    assert not (Path(os.fspath(tmp_path)) / "var" / "signing").exists()  # no dev certificate


def test_the_record_of_the_pdf_costs_the_same_queries_whatever_its_size(
    council_a: Council, django_assert_max_num_queries: Any
) -> None:
    from infitah.council.minutes_selectors import minutes_record_get
    from infitah.council.models import AgendaItem, Choice, ItemResult, Vote

    session = held_session_for(council_a)
    with django_assert_max_num_queries(3):
        small = minutes_record_get(session=session)
    everyone = [council_a.president, council_a.secretary, *council_a.members]
    for number in range(3, 40):
        item = AgendaItem.objects.create(
            session=session, number=number, title_ar=f"نقطة {number}", result=ItemResult.ADOPTED
        )
        Vote.objects.bulk_create(Vote(item=item, member=m, choice=Choice.FOR) for m in everyone)
    with django_assert_max_num_queries(3):
        large = minutes_record_get(session=session)
    assert len(small.items) == 2 and len(large.items) == 39
    assert [len(members) for _, members in large.attendance] == [4, 1, 0]
    assert large.items[-1].votes == [(Choice.FOR, everyone)]
