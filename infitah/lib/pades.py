"""PAdES signatures of PDF files, with pyHanko: `pdf_sign` and `pdf_check`.

Signing. `pdf_sign` adds one PAdES baseline-B signature (ETSI.CAdES.detached, SHA-256,
no time-stamp) per signer, each in its own incremental update, so that every earlier
signature stays intact: any PDF reader (Adobe Reader, Okular, Evince, `pdfsig` of
poppler-utils) shows and checks them. The signatures are invisible (no drawn stamp: the
PDF fonts of pyHanko's stamps cannot draw Arabic); the document itself says who signs.
Every signature is made with the signing identity of the collectivity (its "seal"), and
names its signer in the signature's /Name entry (docs/council-minutes.md).

The signing identity (`signing_identity`) is, in this order:

1. the PKCS#12 file named by INFITAH_SIGNING_P12_<SLUG> with the passphrase
   INFITAH_SIGNING_PASSPHRASE_<SLUG> (or ..._FILE), where <SLUG> is the collectivity's
   slug in capitals with "-" as "_" (commune-a: INFITAH_SIGNING_P12_COMMUNE_A);
2. the platform's PKCS#12, INFITAH_SIGNING_P12 with INFITAH_SIGNING_PASSPHRASE (or _FILE);
3. outside production only, a development identity made here once with `cryptography`: a
   small certification authority of its own and a signing certificate whose subject names
   the collectivity, kept in <VAR_DIR>/signing/<slug>.p12 and reused. Production refuses
   it (`SigningUnavailable`).

These variables are read when a document is signed, not at start-up: a certificate can be
added or renewed without a restart. They are described in docs/council-minutes.md.

Checking. `pdf_check` never raises: a file that is not a PDF, or whose signatures cannot
be read, is simply not valid. A document is valid when it has at least one signature, every
signature is intact (the signed bytes hash to the signed digest) and cryptographically
sound, the last one covers the whole file, and what was added after each earlier one is
only further signatures (pyHanko's difference analysis). Whether a signing certificate is
*trusted* is a separate question: it chains to one of the roots given to `pdf_check`
(`signing_trust_roots(collectivity)`: the roots of that collectivity's identity, plus those
of INFITAH_SIGNING_TRUST_ROOTS). Nothing is fetched from the network (no OCSP, no CRL).

pyHanko's synchronous functions run an event loop of their own (`asyncio.run`); when the
caller already runs one in this thread (an async view), they run in a worker thread.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
import os
import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers import PdfSignatureMetadata, SimpleSigner, sign_pdf
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from django.conf import settings

if TYPE_CHECKING:
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    from infitah.territories.models import Collectivity

__all__ = [
    "PdfCheck",
    "SignatureCheck",
    "SigningIdentity",
    "SigningUnavailable",
    "env_names",
    "pdf_check",
    "pdf_sign",
    "signing_identity",
    "signing_trust_roots",
]

logger = logging.getLogger(__name__)

DEV_DIR_NAME = "signing"
# The development certificates are valid for ten years, their authority for twenty.
DEV_CERT_DAYS = 3650
DEV_CA_DAYS = 7300
SIGNING_TRUST_ROOTS_ENV = "INFITAH_SIGNING_TRUST_ROOTS"
# A file with more signatures than this is not checked (each costs a validation): no
# document of the platform has more than a few.
MAX_SIGNATURES = 50
_T = TypeVar("_T")


class SigningUnavailable(RuntimeError):
    """No usable signing identity: a PKCS#12 named by the environment cannot be read (or
    its passphrase is wrong), or production has none configured. The message names the
    variables and is meant for the operator's log, not for the public."""


@dataclass(frozen=True)
class SigningIdentity:
    """A key and its certificate chain, ready to sign."""

    signer: SimpleSigner
    # "collectivity" (its own PKCS#12), "platform" (the shared one) or "development".
    source: str
    # The signing certificate's subject, as readers show it, and its SHA-256 fingerprint.
    subject: str
    fingerprint: str
    # The certificates of the chain that the PKCS#12 holds besides the signing one.
    chain: tuple[asn1_x509.Certificate, ...]


# --- Signing identities -----------------------------------------------------------------


def env_names(slug: str) -> tuple[str, str]:
    """The names of the variables of a collectivity's PKCS#12 file and passphrase."""
    suffix = re.sub(r"[^A-Z0-9_]", "_", slug.upper())
    return f"INFITAH_SIGNING_P12_{suffix}", f"INFITAH_SIGNING_PASSPHRASE_{suffix}"


def _env_secret(name: str) -> str:
    """NAME, or the content of the file named by NAME_FILE (as settings.env_secret)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SigningUnavailable(f"{name}_FILE: cannot read {path}: {exc}") from exc
    return os.environ.get(name, "")


def _load_p12(data: bytes, passphrase: str, *, source: str, origin: str) -> SigningIdentity:
    try:
        key, cert, others = pkcs12.load_key_and_certificates(
            data, passphrase.encode() if passphrase else None
        )
    except ValueError as exc:  # Wrong passphrase, or not a PKCS#12 file.
        raise SigningUnavailable(f"{origin}: cannot open the PKCS#12 file ({exc})") from exc
    if key is None or cert is None:
        raise SigningUnavailable(f"{origin}: the PKCS#12 file holds no key and certificate")
    try:
        signer = SimpleSigner.load_pkcs12_data(
            data, [], passphrase=passphrase.encode() if passphrase else None
        )
    except ValueError as exc:
        # pyHanko's X.509 library refuses, among others, names that mix right-to-left and
        # left-to-right letters in one value (RFC 4518 string preparation).
        raise SigningUnavailable(f"{origin}: the certificate cannot be used ({exc})") from exc
    chain = tuple(
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in others
    )
    return SigningIdentity(
        signer=signer,
        source=source,
        subject=str(signer.signing_cert.subject.human_friendly),
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        chain=chain,
    )


def _configured(slug: str) -> tuple[str, str, str, str] | None:
    """(path, passphrase, source, variable) of the PKCS#12 the environment names, if any."""
    p12_name, passphrase_name = env_names(slug)
    for path_var, pass_var, source in (
        (p12_name, passphrase_name, "collectivity"),
        ("INFITAH_SIGNING_P12", "INFITAH_SIGNING_PASSPHRASE", "platform"),
    ):
        path = os.environ.get(path_var, "").strip()
        if path:
            return path, _env_secret(pass_var), source, path_var
    return None


def signing_identity(collectivity: Collectivity) -> SigningIdentity:
    """The identity that signs the collectivity's documents (see the module docstring).

    Raises SigningUnavailable when the configured PKCS#12 cannot be used, or when none is
    configured in production. Outside production, the first call for a collectivity
    without one creates its development identity (a few milliseconds), later calls reuse it.
    """
    configured = _configured(collectivity.slug)
    if configured is not None:
        path, passphrase, source, variable = configured
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise SigningUnavailable(f"{variable}: cannot read {path}: {exc}") from exc
        return _load_p12(data, passphrase, source=source, origin=variable)
    if settings.IS_PRODUCTION:
        p12_name, passphrase_name = env_names(collectivity.slug)
        raise SigningUnavailable(
            f"No signing certificate for {collectivity.slug}: set {p12_name} and "
            f"{passphrase_name}, or INFITAH_SIGNING_P12 and INFITAH_SIGNING_PASSPHRASE "
            "(production never uses a development certificate)."
        )
    dev_path = _dev_path(collectivity.slug)
    if not dev_path.exists():
        _dev_create(collectivity, dev_path)
    return _load_p12(dev_path.read_bytes(), "", source="development", origin=str(dev_path))


def _dev_path(slug: str) -> Path:
    return Path(settings.VAR_DIR) / DEV_DIR_NAME / f"{slug}.p12"


def _bidi_clean(value: str) -> bool:
    """Whether an X.509 name value passes the bidirectional rule of string preparation
    (RFC 3454 §6): with right-to-left letters, no left-to-right letter, and a
    right-to-left letter first and last. pyHanko refuses certificates that break it."""
    kinds = [unicodedata.bidirectional(c) for c in value]
    if not any(k in {"R", "AL"} for k in kinds):
        return True
    return "L" not in kinds and kinds[0] in {"R", "AL"} and kinds[-1] in {"R", "AL"}


def _dev_subject(collectivity: Collectivity) -> x509.Name:
    """CN: the Arabic name (the French one if it cannot be used), O: the French name."""
    name_ar, name_fr = collectivity.name_ar.strip(), collectivity.name_fr.strip()
    common = name_ar if name_ar and _bidi_clean(name_ar) else (name_fr or collectivity.slug)
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common[:64])]
    organisation = name_fr if name_fr and _bidi_clean(name_fr) else collectivity.slug
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]))
    attributes.append(
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Infitah development seal")
    )
    return x509.Name(attributes)


def _dev_create(collectivity: Collectivity, path: Path) -> None:
    """Make the development authority and signing certificate of a collectivity and store
    them in `path`, unless another process did it first (then its file is kept)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name(
        [
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"Infitah development CA ({collectivity.slug})"[:64]
            ),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Infitah (development only)"),
        ]
    )
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=DEV_CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_dev_subject(collectivity))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=DEV_CERT_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        collectivity.slug.encode(), key, cert, [ca_cert], serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: link() fails if the file exists, so two
    # processes that start at once keep the same (first) identity, never a torn file.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as f:
            f.write(data)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        else:
            logger.warning(
                "signing: created the DEVELOPMENT signing certificate of %s in %s "
                "(never used in production)",
                collectivity.slug,
                path,
            )
    finally:
        temporary.unlink(missing_ok=True)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,  # non-repudiation, which pyHanko asks for
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _extra_trust_roots() -> list[asn1_x509.Certificate]:
    """The certificates of INFITAH_SIGNING_TRUST_ROOTS (a PEM bundle or one DER file)."""
    path = os.environ.get(SIGNING_TRUST_ROOTS_ENV, "").strip()
    if not path:
        return []
    try:
        data = Path(path).read_bytes()
        if b"-----BEGIN" in data:
            loaded = x509.load_pem_x509_certificates(data)
        else:
            loaded = [x509.load_der_x509_certificate(data)]
    except (OSError, ValueError) as exc:
        logger.error("signing: %s=%s cannot be read: %s", SIGNING_TRUST_ROOTS_ENV, path, exc)
        return []
    return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in loaded]


def signing_trust_roots(collectivity: Collectivity) -> list[asn1_x509.Certificate]:
    """The certificates a check of the collectivity's documents trusts: the authorities of
    its signing identity (or the signing certificate itself when its PKCS#12 holds no
    chain) and those of INFITAH_SIGNING_TRUST_ROOTS. Creates nothing: without an identity
    yet (or one that cannot be read, which is logged), only the latter."""
    roots = _extra_trust_roots()
    configured = _configured(collectivity.slug)
    dev_path = _dev_path(collectivity.slug)
    if configured is None and (settings.IS_PRODUCTION or not dev_path.exists()):
        return roots
    try:
        identity = signing_identity(collectivity)
    except SigningUnavailable as exc:
        logger.error("signing: %s", exc)
        return roots
    return roots + (list(identity.chain) or [identity.signer.signing_cert])


# --- Signing ------------------------------------------------------------------------------


def _outside_event_loop(fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
    """Call `fn` (which runs `asyncio.run`) here, or in a worker thread when this thread
    already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def pdf_sign(
    pdf: bytes,
    *,
    collectivity: Collectivity,
    signers: Sequence[str],
    reason: str,
    fields: Sequence[str] | None = None,
    location: str = "",
) -> bytes:
    """`pdf` with one PAdES signature per name of `signers`, in that order, each in an
    incremental update (so each signs the previous ones too), all with the collectivity's
    signing identity and naming their signer (/Name). `fields` names the signature fields
    ("Signature1", "Signature2", ... by default). Raises SigningUnavailable (no usable
    identity) or ValueError (no signer, mismatched fields, a PDF pyHanko cannot update).
    """
    if not signers:
        raise ValueError("pdf_sign needs at least one signer")
    field_names = (
        list(fields) if fields is not None else [f"Signature{i + 1}" for i in range(len(signers))]
    )
    if len(field_names) != len(signers) or len(set(field_names)) != len(field_names):
        raise ValueError("pdf_sign: one distinct field name per signer")
    identity = signing_identity(collectivity)
    signed = pdf
    for field_name, name in zip(field_names, signers, strict=True):
        signed = _sign_once(
            signed, identity, field_name=field_name, name=name, reason=reason, location=location
        )
    return signed


def _sign_once(
    pdf: bytes, identity: SigningIdentity, *, field_name: str, name: str, reason: str, location: str
) -> bytes:
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        name=name or None,
        reason=reason or None,
        location=location or None,
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = _outside_event_loop(sign_pdf, writer, metadata, signer=identity.signer)
    except Exception as exc:  # pyHanko's PdfReadError, PdfWriteError, SigningError...
        raise ValueError(f"pdf_sign: pyHanko could not sign this PDF ({exc})") from exc
    return cast(io.BytesIO, output).getvalue()


# --- Checking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    """One signature of a PDF, as `pdf_check` found it."""

    field: str
    # The signer named in the signature (/Name), and the certificate's common name.
    name: str
    certificate: str
    signed_at: dt.datetime | None
    # The signed bytes hash to the signed digest and the signature verifies.
    intact: bool
    # The signature covers the whole file, or what follows it is only further signatures.
    covers: bool
    # The signature covers the whole file (the last one must).
    covers_file: bool
    # The certificate chains to one of the trust roots given to pdf_check.
    trusted: bool
    # Not trusted, and its chain ends in an authority that vouches for itself (a
    # development certificate, or one of an authority this check does not know).
    self_signed: bool

    @property
    def is_valid(self) -> bool:
        return self.intact and self.covers


@dataclass(frozen=True)
class PdfCheck:
    """What `pdf_check` found: `valid` when the PDF is signed, each signature is intact and
    nothing but signatures was added after any of them (see the module docstring)."""

    valid: bool
    signatures: tuple[SignatureCheck, ...] = ()
    # Why the file is not valid, in a word, for logs and tests: "" when valid, else
    # "unreadable", "unsigned", "altered" or "modified".
    problem: str = ""

    @property
    def signer_names(self) -> list[str]:
        return [s.name or s.certificate for s in self.signatures]

    @property
    def signed_at(self) -> dt.datetime | None:
        times = [s.signed_at for s in self.signatures if s.signed_at is not None]
        return max(times) if times else None

    @property
    def intact(self) -> bool:
        return bool(self.signatures) and all(s.intact for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return bool(self.signatures) and all(s.trusted for s in self.signatures)

    @property
    def self_signed(self) -> bool:
        return any(s.self_signed for s in self.signatures)


def _text(value: object) -> str:
    return str(value) if value is not None else ""


def _certificate_name(cert: asn1_x509.Certificate) -> str:
    try:
        native = cert.subject.native
        return str(native.get("common_name") or cert.subject.human_friendly)
    except Exception:  # A malformed name in an untrusted file.
        return ""


def _chain_ends_self_signed(embedded: EmbeddedPdfSignature) -> bool:
    """Whether the signer's certificate, followed through the certificates embedded in the
    signature, reaches one whose issuer is itself."""
    try:
        cert = embedded.signer_cert
        certificates = [
            c.chosen for c in embedded.signed_data["certificates"] if c.name == "certificate"
        ]
        by_subject = {c.subject.dump(): c for c in certificates}
        for _ in range(len(certificates) + 1):
            if cert.issuer.dump() == cert.subject.dump():
                return True
            issuer = by_subject.get(cert.issuer.dump())
            if issuer is None:
                return False
            cert = issuer
    except Exception:
        return False
    return False


def _covers(status: PdfSignatureStatus) -> bool:
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if status.coverage != SignatureCoverageLevel.ENTIRE_REVISION:
        return False
    level = status.modification_level
    return (
        status.docmdp_ok is not False
        and level is not None
        and level <= ModificationLevel.FORM_FILLING
    )


def _check_one(embedded: EmbeddedPdfSignature, context: ValidationContext) -> SignatureCheck:
    name = _text(embedded.sig_object.get("/Name"))
    field = _text(embedded.field_name)
    try:
        signed_at = embedded.self_reported_timestamp
    except Exception:
        signed_at = None
    try:
        status = _outside_event_loop(validate_pdf_signature, embedded, context)
    except Exception as exc:  # Malformed CMS, unknown algorithm...
        logger.info("pdf_check: signature %r cannot be validated: %s", field, exc)
        return SignatureCheck(
            field=field,
            name=name,
            certificate="",
            signed_at=signed_at,
            intact=False,
            covers=False,
            covers_file=False,
            trusted=False,
            self_signed=False,
        )
    trusted = bool(status.trusted)
    return SignatureCheck(
        field=field,
        name=name,
        certificate=_certificate_name(status.signing_cert),
        signed_at=signed_at or _signer_reported(status),
        intact=bool(status.intact and status.valid),
        covers=_covers(status),
        covers_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=trusted,
        self_signed=not trusted and _chain_ends_self_signed(embedded),
    )


def _signer_reported(status: PdfSignatureStatus) -> dt.datetime | None:
    value = getattr(status, "signer_reported_dt", None)
    return value if isinstance(value, dt.datetime) else None


def pdf_check(pdf: bytes, *, trust_roots: Sequence[asn1_x509.Certificate] = ()) -> PdfCheck:
    """Check every signature embedded in `pdf` (see `PdfCheck`). Never raises: whatever
    `pdf` holds, the answer is a PdfCheck (valid=False when it is not a signed PDF)."""
    try:
        reader = PdfFileReader(io.BytesIO(bytes(pdf)), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # Not a PDF, or a broken one: pyHanko raises many kinds.
        logger.info("pdf_check: unreadable PDF: %s", exc)
        return PdfCheck(valid=False, problem="unreadable")
    if not embedded:
        return PdfCheck(valid=False, problem="unsigned")
    if len(embedded) > MAX_SIGNATURES:
        return PdfCheck(valid=False, problem="unreadable")
    try:
        context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
        checks = tuple(_check_one(e, context) for e in embedded)
    except Exception as exc:
        logger.info("pdf_check: signatures cannot be checked: %s", exc)
        return PdfCheck(valid=False, problem="unreadable")
    if not all(c.intact for c in checks):
        return PdfCheck(valid=False, signatures=checks, problem="altered")
    if not all(c.covers for c in checks) or not any(c.covers_file for c in checks):
        return PdfCheck(valid=False, signatures=checks, problem="modified")
    return PdfCheck(valid=True, signatures=checks)
