"""`infitah.lib.pades`: PAdES signatures with pyHanko, checked by pyHanko and by Debian's
`pdfsig` (poppler-utils), an independent implementation (NSS).

`pdfsig` tests skip when the binary is absent, unless INFITAH_REQUIRE_PDF=1 (CI), where
its absence fails them. The PDFs are made with pypdf: no WeasyPrint needed here.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfWriter

from infitah.lib.pades import (
    SigningUnavailable,
    env_names,
    pdf_check,
    pdf_sign,
    signing_identity,
    signing_trust_roots,
)
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

SIGNED_VALID = "Signature Validation: Signature is Valid."


@pytest.fixture(autouse=True)
def _signing_world(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path / "var"
    for name in list(os.environ):
        if name.startswith(("INFITAH_SIGNING_P12", "INFITAH_SIGNING_PASSPHRASE")):
            monkeypatch.delenv(name)
    monkeypatch.delenv("INFITAH_SIGNING_TRUST_ROOTS", raising=False)


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    """pdfsig's report on `pdf` (skip, or fail under INFITAH_REQUIRE_PDF=1, without it)."""
    binary = shutil.which("pdfsig")
    if binary is None:
        if os.environ.get("INFITAH_REQUIRE_PDF", "") == "1":
            pytest.fail("pdfsig (Debian: poppler-utils) is required (INFITAH_REQUIRE_PDF=1)")
        pytest.skip("pdfsig is not installed (Debian: apt-get install poppler-utils)")
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [binary, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout


def make_p12(path: Path, common_name: str, passphrase: bytes | None) -> Path:
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
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", key, cert, None, encryption))
    return path


# --- Identities ------------------------------------------------------------------------------


def test_the_development_identity_is_made_once_and_reused(
    collectivity_a: Collectivity, settings: Any
) -> None:
    first = signing_identity(collectivity_a)
    path = Path(settings.VAR_DIR) / "signing" / "commune-a.p12"
    assert first.source == "development" and path.exists()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = signing_identity(collectivity_a)
    assert again.fingerprint == first.fingerprint
    # Its subject names the collectivity; its authority is its own.
    assert collectivity_a.name_ar in first.subject and collectivity_a.name_fr in first.subject
    assert len(first.chain) == 1 and "development" in first.chain[0].subject.human_friendly


def test_each_collectivity_has_its_own_development_identity(collectivity_a, collectivity_b) -> None:
    a, b = signing_identity(collectivity_a), signing_identity(collectivity_b)
    assert a.fingerprint != b.fingerprint


def test_production_never_uses_a_development_identity(collectivity_a, settings) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(SigningUnavailable, match="INFITAH_SIGNING_P12_COMMUNE_A"):
        signing_identity(collectivity_a)
    assert not (Path(settings.VAR_DIR) / "signing").exists()


def test_the_collectivitys_variables_win_over_the_platforms(
    collectivity_a, monkeypatch, tmp_path
) -> None:
    assert env_names("commune-a") == (
        "INFITAH_SIGNING_P12_COMMUNE_A",
        "INFITAH_SIGNING_PASSPHRASE_COMMUNE_A",
    )
    monkeypatch.setenv("INFITAH_SIGNING_P12", str(make_p12(tmp_path / "p.p12", "Platform", b"pp")))
    monkeypatch.setenv("INFITAH_SIGNING_PASSPHRASE", "pp")
    platform = signing_identity(collectivity_a)
    assert (platform.source, platform.subject) == ("platform", "Common Name: Platform")
    monkeypatch.setenv(
        "INFITAH_SIGNING_P12_COMMUNE_A", str(make_p12(tmp_path / "a.p12", "Commune A", b"aa"))
    )
    secret_file = tmp_path / "passphrase"
    secret_file.write_text("aa\n")
    monkeypatch.setenv("INFITAH_SIGNING_PASSPHRASE_COMMUNE_A_FILE", str(secret_file))
    own = signing_identity(collectivity_a)
    assert (own.source, own.subject) == ("collectivity", "Common Name: Commune A")


@pytest.mark.parametrize("problem", ["missing", "passphrase", "garbage"])
def test_an_unusable_configured_certificate_is_an_error(
    collectivity_a, monkeypatch, tmp_path, problem
) -> None:
    path = make_p12(tmp_path / "a.p12", "Commune A", b"right")
    if problem == "missing":
        path = tmp_path / "nowhere.p12"
    elif problem == "garbage":
        path.write_bytes(b"not a pkcs12 file")
    monkeypatch.setenv("INFITAH_SIGNING_P12_COMMUNE_A", str(path))
    monkeypatch.setenv("INFITAH_SIGNING_PASSPHRASE_COMMUNE_A", "wrong" if problem else "right")
    with pytest.raises(SigningUnavailable):
        signing_identity(collectivity_a)


# --- Signing and checking ------------------------------------------------------------------


def test_sign_twice_and_check(collectivity_a) -> None:
    signed = pdf_sign(
        blank_pdf(),
        collectivity=collectivity_a,
        signers=["أحمد العلوي", "Fatima Zahra Bennani"],
        fields=["President", "Secretary"],
        reason="Procès-verbal",
    )
    check = pdf_check(signed, trust_roots=signing_trust_roots(collectivity_a))
    assert check.valid and check.intact and check.trusted and not check.self_signed
    assert check.signer_names == ["أحمد العلوي", "Fatima Zahra Bennani"]
    assert [s.field for s in check.signatures] == ["President", "Secretary"]
    assert [s.covers_file for s in check.signatures] == [False, True]
    assert check.signatures[0].certificate == collectivity_a.name_ar
    assert check.signed_at is not None and check.signed_at.tzinfo is not None
    # Without the collectivity's roots, the same signatures are intact but self-signed.
    untrusted = pdf_check(signed)
    assert untrusted.valid and not untrusted.trusted and untrusted.self_signed


def test_sign_with_a_pkcs12_from_the_environment(collectivity_a, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(
        "INFITAH_SIGNING_P12_COMMUNE_A", str(make_p12(tmp_path / "a.p12", "Seal A", b"pw"))
    )
    monkeypatch.setenv("INFITAH_SIGNING_PASSPHRASE_COMMUNE_A", "pw")
    signed = pdf_sign(blank_pdf(), collectivity=collectivity_a, signers=["X"], reason="r")
    check = pdf_check(signed, trust_roots=signing_trust_roots(collectivity_a))
    assert check.valid and check.trusted
    assert [s.certificate for s in check.signatures] == ["Seal A"]
    assert [s.field for s in check.signatures] == ["Signature1"]


def test_sign_refuses_bad_arguments(collectivity_a) -> None:
    with pytest.raises(ValueError):
        pdf_sign(blank_pdf(), collectivity=collectivity_a, signers=[], reason="r")
    with pytest.raises(ValueError):
        pdf_sign(
            blank_pdf(),
            collectivity=collectivity_a,
            signers=["a", "b"],
            fields=["F", "F"],
            reason="r",
        )
    with pytest.raises(ValueError):
        pdf_sign(b"not a pdf", collectivity=collectivity_a, signers=["a"], reason="r")


def _flip_inside_signed_range(signed: bytes) -> bytes:
    """One byte changed in the middle of the first signed range (before /Contents)."""
    start = signed.index(b"/ByteRange")
    numbers = signed[start:].split(b"[", 1)[1].split(b"]", 1)[0].split()
    first_length = int(numbers[1])
    position = first_length // 2
    changed = bytearray(signed)
    changed[position] ^= 0x01
    return bytes(changed)


def test_pdfsig_verifies_and_a_flipped_byte_breaks_both(collectivity_a, tmp_path) -> None:
    signed = pdf_sign(
        blank_pdf(2),
        collectivity=collectivity_a,
        signers=["الرئيس", "Secrétaire"],
        fields=["President", "Secretary"],
        reason="Minutes",
    )
    report = pdfsig(signed, tmp_path)
    assert report.count(SIGNED_VALID) == 2, report
    assert "Signature Field Name: President" in report and "Total document signed" in report
    # The certificate is self-signed (development): pdfsig does not trust its issuer.
    for line in report.splitlines():
        if "Certificate Validation:" in line:
            assert line.split(":", 1)[1].strip() in {
                "Certificate is Trusted.",
                "Certificate issuer isn't Trusted.",
            }

    altered = _flip_inside_signed_range(signed)
    assert SIGNED_VALID not in pdfsig(altered, tmp_path)
    check = pdf_check(altered, trust_roots=signing_trust_roots(collectivity_a))
    assert not check.valid and check.problem in {"altered", "unreadable"}


def test_a_change_after_the_last_signature_is_caught(collectivity_a) -> None:
    signed = pdf_sign(blank_pdf(), collectivity=collectivity_a, signers=["X"], reason="r")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)  # type: ignore[no-untyped-call]
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    check = pdf_check(out.getvalue())
    assert not check.valid and check.problem == "modified"
    assert check.signatures[0].intact and not check.signatures[0].covers


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage",
        b"%PDF-1.7\n" + b"\x00" * 100,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-" + os.urandom(2000),
    ],
)
def test_check_never_raises_on_garbage(data: bytes) -> None:
    check = pdf_check(data)
    assert not check.valid and check.problem in {"unreadable", "unsigned"}
    assert check.signer_names == [] and check.signed_at is None and not check.intact


def test_check_of_an_unsigned_or_truncated_pdf(collectivity_a) -> None:
    assert pdf_check(blank_pdf()).problem == "unsigned"
    signed = pdf_sign(blank_pdf(), collectivity=collectivity_a, signers=["X"], reason="r")
    assert not pdf_check(signed[: len(signed) // 2]).valid
    assert not pdf_check(signed[:-40]).valid
