"""Signatures: never lost, never counted twice.

- One row per (petition, CIN hash), whatever its status, by a UniqueConstraint: of two
  concurrent submissions of one CIN the database keeps one; the other gets
  `AlreadySigned` (HTTP 409). The hash is keyed per petition (purpose
  "petition:<pk>"), so the signatures of one person on two petitions cannot be linked.
- A signature counts once confirmed, by POST of the token e-mailed to the signatory.
  Confirmation adds 1 to one random `Tally` shard of `INFITAH_PETITION_TALLY_SHARDS`
  (default 16) in the same transaction as the row's change: no hot row, no lost update.
- Hot paths, in SQL statements: submit = INSERT + the outbox (e-mail row and its task;
  the commune of residence is looked up once per process and minute, see
  `selectors.place_by_slug`); confirm = SELECT + the shared tally lock + UPDATE and
  tally upsert (one statement on PostgreSQL). Rate counters are in the cache.
- Exactness against the bureau's rewrites: on PostgreSQL a confirmation holds a *shared*
  transaction-level advisory lock on the petition's tallies (`pg_advisory_xact_lock_shared`:
  confirmations never wait for each other), and whatever rewrites the tallies from the
  rows — closing signing at lodging, invalidation, purge — holds it *exclusively*, so it
  sees every committed confirmation and no confirmation runs half-counted beside it. On
  SQLite the database lock serialises writers anyway.
- A pending signature lapses after INFITAH_ATI_CONFIRM_DAYS days: `petitions_sweep`
  deletes it, so the CIN may sign again; it was never counted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from ipaddress import ip_address
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.ledger.services import event_record
from infitah.lib.casework import site_language, token_digest
from infitah.lib.pii import id_normalise, id_valid, pii_encrypt, pii_hash, pii_mask
from infitah.petitions import notify
from infitah.petitions.integrity import (
    RateLimited,
    domain_refused,
    integrity_settings_get,
    rate_check,
)
from infitah.petitions.models import (
    NAME_MAX,
    IntegritySettings,
    Invalidation,
    Petition,
    Signature,
    Tally,
)
from infitah.petitions.selectors import (
    counts_by_province_exact,
    counts_forget,
    petition_settings_get,
    place_by_slug,
    region_provinces,
)
from infitah.petitions.workflow import (
    FINAL,
    Channel,
    Interest,
    SignatureStatus,
    Status,
    TransitionNotAllowed,
)
from infitah.territories.models import Collectivity, Kind

# Advisory lock namespace of the petitions' tallies ("PETT"), paired with the petition id.
TALLY_LOCK_CLASS = 0x50455454
IMPORT_MAX_LINES = 20_000
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_COLUMNS = ("full_name", "cin", "residence", "interest", "electoral_declaration")
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "oui", "o", "vrai", "نعم"})
FALSE_WORDS = frozenset({"", "0", "false", "no", "n", "non", "faux", "لا"})

__all__ = [
    "AlreadySigned",
    "ImportResult",
    "NotCollecting",
    "RateLimited",
    "SignatureInput",
    "petitions_sweep",
    "signature_confirm",
    "signature_paper_add",
    "signature_submit",
    "signatures_import_csv",
    "signatures_invalidate",
    "signatures_purge",
    "tally_recompute",
]


class AlreadySigned(Exception):
    """This CIN has already signed this petition (HTTP 409 on field "cin")."""

    def __init__(self) -> None:
        self.message = _("This ID number has already signed this petition.")
        super().__init__(self.message)


class NotCollecting(TransitionNotAllowed):
    """The petition does not take signatures (any more) (HTTP 409)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("This petition is not open to signatures."))


@dataclass
class SignatureInput:
    full_name: str = ""
    cin: str = ""
    residence: str = ""  # the slug of the commune of residence or activity
    interest: str = Interest.RESIDENT
    email: str = ""
    electoral_declaration: bool = False


@dataclass(frozen=True)
class CleanSignature:
    full_name: str
    cin: str
    cin_hash: str
    residence_id: int
    province_id: int
    interest: str
    email: str
    email_domain: str


# ---- checks shared with services.py ---------------------------------------------------


def in_territory(place: Collectivity, collectivity: Collectivity) -> bool:
    """Whether `place` lies in the territory of `collectivity` (itself included)."""
    if place.pk == collectivity.pk:
        return True
    if collectivity.kind == Kind.REGION:
        return place.region_id == collectivity.pk or place.parent_id == collectivity.pk
    if collectivity.kind in (Kind.PREFECTURE, Kind.PROVINCE):
        return place.parent_id == collectivity.pk
    return False


def province_id_of(place: Collectivity) -> int | None:
    """The prefecture/province a place belongs to (itself if it is one)."""
    if place.kind in (Kind.PREFECTURE, Kind.PROVINCE):
        return place.pk
    if place.kind == Kind.COMMUNE:
        return place.parent_id
    return None


def cin_clean(value: str, field: str, errors: dict[str, str]) -> str:
    """The normalised CIN ("ab 123 456" → "AB123456"), or "" with the error on `field`."""
    raw = (value or "").strip()
    if not raw:
        errors[field] = _("Give the number of your national identity card (CIN).")
        return ""
    cin = id_normalise(raw)
    if len(raw) > 40 or not id_valid(cin, "cin"):
        errors[field] = _(
            "This is not a national identity card number: one or two letters then digits, "
            "e.g. AB123456."
        )
        return ""
    return cin


def email_clean(value: str, field: str, errors: dict[str, str], *, required: bool) -> str:
    """The e-mail address in lower case, or "" with the error on `field`."""
    email = (value or "").strip().lower()
    if not email:
        if required:
            errors[field] = _("Give an e-mail address: the confirmation link is sent there.")
        return ""
    try:
        if len(email) > 254 or "\x00" in email:
            raise ValidationError("too long")
        EmailValidator()(email)
    except ValidationError:
        errors[field] = _("Enter a valid e-mail address, e.g. name@example.ma.")
        return ""
    return email


def _name(value: str, errors: dict[str, str]) -> str:
    name = " ".join((value or "").split())
    if not name:
        errors["full_name"] = _("Give your full name.")
    elif len(name) > NAME_MAX or "\x00" in name:
        errors["full_name"] = _("At most %(max)d characters.") % {"max": NAME_MAX}
    return name


def _residence(
    petition: Petition,
    slug: str,
    errors: dict[str, str],
    known: dict[str, Collectivity] | None = None,
) -> tuple[int, int]:
    """(residence pk, province pk) of a commune slug within the petition's territory."""
    collectivity = petition.collectivity
    slug = (slug or "").strip().lower()
    if not slug:
        # A commune's own petition: the commune is the only possible answer.
        if collectivity.kind == Kind.COMMUNE and collectivity.parent_id:
            return collectivity.pk, collectivity.parent_id
        errors["residence"] = _("Choose the commune where you live or carry on your activity.")
        return 0, 0
    if slug == collectivity.slug:
        place: Collectivity | None = collectivity
    elif known is not None:
        place = known.get(slug)
    else:
        place = place_by_slug(slug)
    province = province_id_of(place) if place is not None else None
    if place is None or province is None or not in_territory(place, collectivity):
        errors["residence"] = _(
            "Choose a commune of %(name)s: only its residents, or those who carry on an "
            "activity there, may sign."
        ) % {"name": collectivity.name}
        return 0, 0
    return place.pk, province


def signature_validate(
    *,
    petition: Petition,
    data: SignatureInput,
    online: bool = True,
    known: dict[str, Collectivity] | None = None,
    integrity: IntegritySettings | None = None,
) -> CleanSignature:
    """`data` checked and normalised, or ValidationError with one message per field.

    Online, the e-mail is required and a refused (throw-away) domain is an error; on paper
    (`online=False`) the e-mail is optional. `known` maps commune slugs to communes
    already loaded (the CSV import loads them in one query)."""
    errors: dict[str, str] = {}
    name = _name(data.full_name, errors)
    cin = cin_clean(data.cin, "cin", errors)
    email = email_clean(data.email, "email", errors, required=online)
    interest = (data.interest or Interest.RESIDENT).strip()
    if interest not in Interest.values:
        errors["interest"] = _("Choose: resident, or activity in the territory.")
    if data.electoral_declaration is not True:
        errors["electoral_declaration"] = _(
            "Only persons registered on the general electoral lists may sign: confirm that you are."
        )
    residence, province = _residence(petition, data.residence, errors, known)
    domain = email.rpartition("@")[2] if email else ""
    if online and domain and "email" not in errors and domain_refused(domain, integrity):
        errors["email"] = _(
            "Addresses of throw-away e-mail services are not accepted: use your usual address."
        )
    if errors:
        raise ValidationError(errors)
    return CleanSignature(
        full_name=name,
        cin=cin,
        cin_hash=cin_hash(petition, cin),
        residence_id=residence,
        province_id=province,
        interest=interest,
        email=email,
        email_domain=domain,
    )


def cin_hash(petition: Petition | int, cin: str) -> str:
    """The keyed hash of `cin` for this petition only (any spelling gives the same)."""
    pk = petition.pk if isinstance(petition, Petition) else petition
    return pii_hash(cin, purpose=f"petition:{pk}")


# ---- tallies --------------------------------------------------------------------------


def shard_count() -> int:
    return max(1, int(getattr(settings, "INFITAH_PETITION_TALLY_SHARDS", 16)))


def _tally_lock(petition_id: int, *, exclusive: bool) -> None:
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [TALLY_LOCK_CLASS, petition_id % 2**31])


_TALLY_ADD = (
    'INSERT INTO "petitions_tally" (petition_id, province_id, shard, count) '
    "VALUES (%s, %s, %s, %s) ON CONFLICT (petition_id, province_id, shard) "
    'DO UPDATE SET count = "petitions_tally".count + EXCLUDED.count'
)


def _tally_add(petition_id: int, province_id: int, amount: int = 1) -> None:
    """Add `amount` to one random shard (created if missing), in the caller's transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            _TALLY_ADD, [petition_id, province_id, secrets.randbelow(shard_count()), amount]
        )


def tallies_prepare(petition: Petition) -> None:
    """Create the zero shards of the petition's prefectures/provinces, so that the first
    confirmations update rows rather than race to insert them."""
    collectivity = petition.collectivity
    if collectivity.kind == Kind.REGION:
        provinces = [p.pk for p in region_provinces(collectivity)]
    else:
        province = province_id_of(collectivity)
        provinces = [province] if province else []
    Tally.objects.bulk_create(
        [
            Tally(petition_id=petition.pk, province_id=province, shard=shard, count=0)
            for province in provinces
            for shard in range(shard_count())
        ],
        ignore_conflicts=True,
    )


def _recompute(petition_id: int) -> dict[int, int]:
    counts = dict(
        Signature.objects.filter(petition_id=petition_id, status=SignatureStatus.CONFIRMED)
        .values_list("province_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    Tally.objects.filter(petition_id=petition_id).exclude(shard=0).update(count=0)
    Tally.objects.filter(petition_id=petition_id, shard=0).exclude(
        province_id__in=list(counts)
    ).update(count=0)
    for province, n in counts.items():
        updated = Tally.objects.filter(
            petition_id=petition_id, province_id=province, shard=0
        ).update(count=n)
        if not updated:
            Tally.objects.create(petition_id=petition_id, province_id=province, shard=0, count=n)
    counts_forget(petition_id)
    return counts


@transaction.atomic
def tally_recompute(petition: Petition) -> dict[int, int]:
    """Rewrite the petition's shards from its confirmed signatures; returns the counts by
    province. Holds the exclusive tally lock: exact even while others confirm."""
    _tally_lock(petition.pk, exclusive=True)
    return _recompute(petition.pk)


def signatures_close(petition: Petition) -> int:
    """Close signing (lodging, withdrawal): pending signatures lapse; returns the exact
    confirmed count. Call inside the transaction that changes the petition's state."""
    _tally_lock(petition.pk, exclusive=True)
    Signature.objects.filter(petition_id=petition.pk, status=SignatureStatus.PENDING).update(
        status=SignatureStatus.LAPSED
    )
    counts_forget(petition.pk)
    return sum(counts_by_province_exact(petition).values())


# ---- online signing -------------------------------------------------------------------


def signature_submit(
    *,
    petition: Petition,
    data: SignatureInput,
    ip: str | None = None,
    language: str | None = None,
    user_agent: str = "",
) -> Signature:
    """Sign a collecting petition online: a pending row and an e-mail with the link that
    confirms it (by POST).

    Raises NotCollecting; ValidationError (per field, incl. a refused e-mail domain);
    RateLimited(retry_after) past the hour's limits per IP address or e-mail domain;
    AlreadySigned if the CIN (in any spelling) signed already — also when two
    submissions race: the unique constraint lets one row in.
    """
    if petition.status != Status.COLLECTING:
        raise NotCollecting()
    integrity = integrity_settings_get()
    clean = signature_validate(petition=petition, data=data, integrity=integrity)
    rate_check(petition_id=petition.pk, ip=ip, domain=clean.email_domain, settings=integrity)
    token = secrets.token_urlsafe(24)
    signature = online_signature(
        petition_id=petition.pk,
        clean=clean,
        token=token,
        ip=ip,
        language=language,
        user_agent=user_agent,
    )
    try:
        with transaction.atomic():
            signature.save(force_insert=True)
            notify.signatory_confirm(signature, petition, token)
    except IntegrityError:
        if Signature.objects.filter(petition_id=petition.pk, cin_hash=clean.cin_hash).exists():
            raise AlreadySigned() from None
        raise
    return signature


def online_signature(**kwargs: Any) -> Signature:
    """The pending row of an online signature, not saved (arguments of `online_values`)."""
    return Signature(**online_values(**kwargs))


def online_values(
    *,
    petition_id: int,
    clean: CleanSignature,
    token: str,
    ip: str | None,
    language: str | None,
    user_agent: str,
) -> dict[str, Any]:
    """The fields of the pending row of an online signature; `token` confirms it."""
    return {
        "petition_id": petition_id,
        "full_name": clean.full_name,
        "cin_encrypted": pii_encrypt(clean.cin),
        "cin_hash": clean.cin_hash,
        "cin_masked": pii_mask(clean.cin),
        "residence_id": clean.residence_id,
        "province_id": clean.province_id,
        "interest": clean.interest,
        "electoral_declaration": True,
        "email": clean.email,
        "email_domain": clean.email_domain,
        "ip": ip or None,
        "user_agent_hash": hashlib.sha256(user_agent.encode()).hexdigest()[:16]
        if user_agent
        else "",
        "status": SignatureStatus.PENDING,
        "channel": Channel.ONLINE,
        "language": site_language(language),
        "confirm_digest": token_digest(token),
        "created_at": timezone.now(),
    }


def signature_by_token(token: str) -> Signature | None:
    """The signature a confirmation link is for (petition loaded), or None."""
    if not token or len(token) > 100:
        return None
    return (
        Signature.objects.select_related("petition", "petition__collectivity")
        .filter(confirm_digest=token_digest(token))
        .first()
    )


# The pending row confirmed and one tally shard counted in one statement: the INSERT
# reads the UPDATE's RETURNING, so a shard is counted iff the row changed.
_CONFIRM_AND_COUNT = (
    'WITH confirmed AS (UPDATE "petitions_signature" SET status = %s, confirmed_at = %s '
    "WHERE id = %s AND status = %s RETURNING petition_id, province_id) "
    'INSERT INTO "petitions_tally" (petition_id, province_id, shard, count) '
    "SELECT petition_id, province_id, %s, 1 FROM confirmed "
    "ON CONFLICT (petition_id, province_id, shard) "
    'DO UPDATE SET count = "petitions_tally".count + EXCLUDED.count RETURNING 1'
)


def _confirm_and_count(signature: Signature, now: datetime) -> int:
    """PostgreSQL: confirm the pending row and add 1 to a random shard; 1 if it changed."""
    with connection.cursor() as cursor:
        cursor.execute(
            _CONFIRM_AND_COUNT,
            [
                SignatureStatus.CONFIRMED,
                now,
                signature.pk,
                SignatureStatus.PENDING,
                secrets.randbelow(shard_count()),
            ],
        )
        return len(cursor.fetchall())


def signature_confirm(*, token: str) -> Signature | None:
    """Confirm a signature by its token (POST only): it counts from now.

    Returns None for an unknown token; the signature otherwise — already confirmed is
    not an error (idempotent); an invalidated one is returned as it is. Raises
    NotCollecting when the petition no longer takes signatures (lodged, withdrawn) and
    the signature was still pending.
    """
    if not token or len(token) > 100:
        return None
    # Only what confirming needs (the petition's status, not its texts); any other field
    # loads on access.
    signature = (
        Signature.objects.select_related("petition")
        .only("status", "petition_id", "province_id", "confirmed_at", "petition__status")
        .filter(confirm_digest=token_digest(token))
        .first()
    )
    if signature is None or signature.status in (
        SignatureStatus.CONFIRMED,
        SignatureStatus.INVALIDATED,
    ):
        return signature
    if signature.status == SignatureStatus.LAPSED or signature.petition.status != Status.COLLECTING:
        raise NotCollecting()
    now = timezone.now()
    with transaction.atomic():
        _tally_lock(signature.petition_id, exclusive=False)
        if connection.vendor == "postgresql":
            updated = _confirm_and_count(signature, now)
        else:
            updated = Signature.objects.filter(
                pk=signature.pk, status=SignatureStatus.PENDING
            ).update(status=SignatureStatus.CONFIRMED, confirmed_at=now)
            if updated:
                _tally_add(signature.petition_id, signature.province_id)
    if not updated:
        # Confirmed meanwhile by a double click, or lapsed by lodging: say which.
        signature.refresh_from_db(fields=["status", "confirmed_at"])
        if signature.status == SignatureStatus.LAPSED:
            raise NotCollecting()
        return signature
    signature.status, signature.confirmed_at = SignatureStatus.CONFIRMED, now
    return signature


# ---- paper signatures -----------------------------------------------------------------


def _require_bureau(actor: User, petition: Petition) -> None:
    if not has_perm(actor, Perm.PETITIONS_HANDLE, petition.collectivity):
        raise PermissionDenied


def paper_allowed(petition: Petition) -> bool:
    """Paper signatures are entered while collecting, and for a petition lodged on paper
    until the bureau decides on it."""
    if petition.status == Status.COLLECTING:
        return True
    return petition.channel == Channel.PAPER and petition.status in (
        Status.LODGED,
        Status.BUREAU_REVIEW,
    )


def _paper_row(petition: Petition, clean: CleanSignature, actor: User, now: datetime) -> Signature:
    return Signature(
        petition_id=petition.pk,
        full_name=clean.full_name,
        cin_encrypted=pii_encrypt(clean.cin),
        cin_hash=clean.cin_hash,
        cin_masked=pii_mask(clean.cin),
        residence_id=clean.residence_id,
        province_id=clean.province_id,
        interest=clean.interest,
        electoral_declaration=True,
        email=clean.email,
        email_domain=clean.email_domain,
        status=SignatureStatus.CONFIRMED,
        channel=Channel.PAPER,
        confirm_digest=None,
        created_at=now,
        confirmed_at=now,
        created_by=actor,
    )


def signature_paper_add(*, petition: Petition, actor: User, data: SignatureInput) -> Signature:
    """Enter one signature from a paper list (the bureau): confirmed at once.

    Raises PermissionDenied (not the bureau of this collectivity), NotCollecting,
    ValidationError (per field; the e-mail is optional), AlreadySigned.
    """
    _require_bureau(actor, petition)
    if not paper_allowed(petition):
        raise NotCollecting()
    clean = signature_validate(petition=petition, data=data, online=False)
    signature = _paper_row(petition, clean, actor, timezone.now())
    try:
        with transaction.atomic():
            _tally_lock(petition.pk, exclusive=False)
            signature.save(force_insert=True)
            _tally_add(petition.pk, clean.province_id)
            event_record(
                obj=petition,
                action="petitions.signature_paper_added",
                actor=actor,
                collectivity=petition.collectivity,
                data={"signature": signature.pk},
            )
    except IntegrityError:
        if Signature.objects.filter(petition_id=petition.pk, cin_hash=clean.cin_hash).exists():
            raise AlreadySigned() from None
        raise
    counts_forget(petition.pk)
    return signature


@dataclass
class ImportResult:
    ok: bool
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (line, field, message)
    imported: int = 0


def _read_csv(file: IO[bytes] | IO[str] | bytes | str | Any) -> tuple[list[dict[str, str]], str]:
    """The rows of a CSV file (comma or semicolon), or ([], error message)."""
    raw: Any = file
    if hasattr(raw, "read"):
        if hasattr(raw, "seek"):
            raw.seek(0)
        raw = raw.read(IMPORT_MAX_BYTES + 1)
    if isinstance(raw, bytes):
        if len(raw) > IMPORT_MAX_BYTES:
            return [], _("The file is too large (at most 5 MB).")
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], _("The file must be a CSV file in UTF-8.")
    text = str(raw)
    if not text.strip():
        return [], _("The file has no signatures.")
    if len(text) > IMPORT_MAX_BYTES:
        return [], _("The file is too large (at most 5 MB).")
    if "\x00" in text:
        return [], _("The file must be a CSV file in UTF-8.")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [(c or "").strip().lower() for c in reader.fieldnames or []]
    missing = [c for c in IMPORT_COLUMNS if c != "interest" and c not in columns]
    if missing:
        return [], _("Missing columns: %(columns)s. Expected: %(expected)s.") % {
            "columns": ", ".join(missing),
            "expected": ", ".join(IMPORT_COLUMNS),
        }
    reader.fieldnames = columns
    rows: list[dict[str, str]] = []
    try:
        for row in reader:
            rows.append({k: (v or "") if isinstance(v, str) else "" for k, v in row.items() if k})
            if len(rows) > IMPORT_MAX_LINES:
                return [], _("At most %(max)d lines per file.") % {"max": IMPORT_MAX_LINES}
    except csv.Error:
        return [], _("The file must be a CSV file in UTF-8.")
    return rows, ""


def signatures_import_csv(*, petition: Petition, actor: User, file: Any) -> ImportResult:
    """Import a paper list: columns full_name, cin, residence (commune slug), interest
    (resident|activity, default resident), electoral_declaration (yes/1/true/oui/نعم).

    All or nothing: every line is checked first (a duplicate CIN within the file or
    against the petition's signatures is a line error); any error imports nothing and
    lists the errors by line number (the header is line 1). Otherwise every line is
    stored confirmed, channel paper, and counted, in one transaction.
    """
    _require_bureau(actor, petition)
    if not paper_allowed(petition):
        raise NotCollecting()
    rows, problem = _read_csv(file)
    if problem:
        return ImportResult(ok=False, errors=[(1, "", problem)])
    if not rows:
        return ImportResult(ok=False, errors=[(1, "", _("The file has no signatures."))])
    slugs = {r.get("residence", "").strip().lower() for r in rows} - {""}
    known = {
        c.slug: c
        for c in Collectivity.objects.filter(slug__in=[s[:120] for s in slugs if "\x00" not in s])
    }
    existing = set(
        Signature.objects.filter(petition_id=petition.pk).values_list("cin_hash", flat=True)
    )
    seen: dict[str, int] = {}
    errors: list[tuple[int, str, str]] = []
    cleaned: list[CleanSignature] = []
    for number, row in enumerate(rows, start=2):
        declaration = row.get("electoral_declaration", "").strip().lower()
        data = SignatureInput(
            full_name=row.get("full_name", ""),
            cin=row.get("cin", ""),
            residence=row.get("residence", ""),
            interest=row.get("interest", "").strip().lower() or Interest.RESIDENT,
            email="",
            electoral_declaration=declaration in TRUE_WORDS,
        )
        try:
            clean = signature_validate(petition=petition, data=data, online=False, known=known)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend((number, name, message) for message in messages)
            continue
        if clean.cin_hash in seen:
            errors.append(
                (
                    number,
                    "cin",
                    _("This ID number is already on line %(line)d of the file.")
                    % {"line": seen[clean.cin_hash]},
                )
            )
        elif clean.cin_hash in existing:
            errors.append((number, "cin", _("This ID number has already signed this petition.")))
        seen.setdefault(clean.cin_hash, number)
        cleaned.append(clean)
    if errors:
        return ImportResult(ok=False, errors=errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            _tally_lock(petition.pk, exclusive=False)
            Signature.objects.bulk_create(
                [_paper_row(petition, clean, actor, now) for clean in cleaned], batch_size=1000
            )
            by_province: dict[int, int] = {}
            for clean in cleaned:
                by_province[clean.province_id] = by_province.get(clean.province_id, 0) + 1
            for province, n in sorted(by_province.items()):
                _tally_add(petition.pk, province, n)
            event_record(
                obj=petition,
                action="petitions.signatures_imported",
                actor=actor,
                collectivity=petition.collectivity,
                data={"count": len(cleaned)},
            )
    except IntegrityError:
        # A signature of one of these CINs arrived between the check and the insert.
        return ImportResult(
            ok=False,
            errors=[(1, "cin", _("Some ID numbers signed meanwhile: check the file again."))],
        )
    counts_forget(petition.pk)
    return ImportResult(ok=True, imported=len(cleaned))


# ---- integrity: bulk invalidation -------------------------------------------------------


def signatures_invalidate(
    *,
    petition: Petition,
    actor: User,
    by_ip: str | None = None,
    window: tuple[datetime, datetime] | None = None,
    domain: str | None = None,
    reason: str,
) -> Invalidation:
    """Invalidate, at once, the signatures matching every given criterion (an IP address,
    a time window of signing [from, to), an e-mail domain), with a required reason.

    One `Invalidation` record (who, when, criteria, reason, count); the signatures —
    confirmed or still pending — are marked invalidated and the tallies rewritten from
    the rows. The bureau of the petition's collectivity only (else PermissionDenied).
    """
    _require_bureau(actor, petition)
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Give the reason for the invalidation.")
    elif len(reason) > 2000 or "\x00" in reason:
        errors["reason"] = _("At most %(max)d characters.") % {"max": 2000}
    criteria: dict[str, str] = {}
    query = Q()
    if by_ip:
        try:
            ip = str(ip_address(by_ip.strip()))
        except ValueError:
            errors["by_ip"] = _("Give an IP address, e.g. 192.0.2.10.")
        else:
            criteria["ip"] = ip
            query &= Q(ip=ip)
    if window is not None:
        start, end = window
        if start is None or end is None or start >= end:
            errors["window"] = _("Give a time window whose start is before its end.")
        else:
            criteria["from"], criteria["to"] = start.isoformat(), end.isoformat()
            query &= Q(created_at__gte=start, created_at__lt=end)
    if domain:
        clean_domain = domain.strip().lower().lstrip("@")
        if not clean_domain or len(clean_domain) > 253 or "\x00" in clean_domain:
            errors["domain"] = _("Give an e-mail domain, e.g. example.com.")
        else:
            criteria["domain"] = clean_domain
            query &= Q(email_domain=clean_domain)
    if not criteria and not errors.keys() & {"by_ip", "window", "domain"}:
        errors["by_ip"] = _("Give at least one criterion: IP address, time window or domain.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        _tally_lock(petition.pk, exclusive=True)
        invalidation = Invalidation.objects.create(
            petition=petition, actor=actor, at=now, criteria=criteria, reason=reason
        )
        count = (
            Signature.objects.filter(query, petition_id=petition.pk)
            .filter(status__in=[SignatureStatus.CONFIRMED, SignatureStatus.PENDING])
            .update(
                status=SignatureStatus.INVALIDATED,
                invalidated_at=now,
                invalidation=invalidation,
            )
        )
        invalidation.count = count
        invalidation.save(update_fields=["count"])
        _recompute(petition.pk)
        event_record(
            obj=petition,
            action="petitions.signatures_invalidated",
            actor=actor,
            collectivity=petition.collectivity,
            note=reason,
            # The criteria (an IP address is personal data) stay on the Invalidation row.
            data={"invalidation": invalidation.pk, "count": count, "by": sorted(criteria)},
        )
    return invalidation


# ---- periodic work ------------------------------------------------------------------------


def petitions_sweep(today: date | None = None) -> dict[str, int]:
    """For `manage.py tick`: delete signatures left unconfirmed for
    INFITAH_ATI_CONFIRM_DAYS days (they were never counted; the CIN may sign again), and
    those that lapsed when signing closed, after the same delay."""
    now = timezone.now()
    if today is not None and today != timezone.localdate(now):
        now = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    cutoff = now - timedelta(days=settings.INFITAH_ATI_CONFIRM_DAYS)
    deleted, _detail = Signature.objects.filter(
        status__in=[SignatureStatus.PENDING, SignatureStatus.LAPSED], created_at__lt=cutoff
    ).delete()
    return {"lapsed": deleted}


def signatures_purge(*, today: date | None = None, dry_run: bool = False) -> dict[str, int]:
    """Delete the signatures of petitions closed (deliberated, rejected, withdrawn) for
    longer than their collectivity's `retention_days`, keeping the counts on the petition.
    Returns {"petitions": n, "signatures": n}."""
    today = today or timezone.localdate()
    petitions = 0
    signatures = 0
    candidates = (
        Petition.objects.filter(
            status__in=list(FINAL), closed_at__isnull=False, signatures_purged_at__isnull=True
        )
        .select_related("collectivity")
        .order_by("pk")
    )
    settings_cache: dict[int, int] = {}
    for petition in candidates:
        days = settings_cache.setdefault(
            petition.collectivity_id, petition_settings_get(petition.collectivity).retention_days
        )
        assert petition.closed_at is not None
        if timezone.localdate(petition.closed_at) + timedelta(days=days) > today:
            continue
        petitions += 1
        if dry_run:
            signatures += Signature.objects.filter(petition_id=petition.pk).count()
            continue
        with transaction.atomic():
            locked = Petition.objects.select_for_update().get(pk=petition.pk)
            if locked.signatures_purged_at is not None:
                continue
            _tally_lock(locked.pk, exclusive=True)
            counts = _recompute(locked.pk)
            locked.final_confirmed = sum(counts.values())
            locked.final_per_province = {str(k): v for k, v in counts.items()}
            locked.signatures_purged_at = timezone.now()
            locked.save(
                update_fields=["final_confirmed", "final_per_province", "signatures_purged_at"]
            )
            deleted, _detail = Signature.objects.filter(petition_id=locked.pk).delete()
            signatures += deleted
            # The invalidations stay (who did what, why), without the IP addresses.
            for invalidation in Invalidation.objects.filter(petition_id=locked.pk):
                if "ip" in invalidation.criteria:
                    invalidation.criteria["ip"] = "—"
                    invalidation.save(update_fields=["criteria"])
            event_record(
                obj=locked,
                action="petitions.signatures_purged",
                process="petitions",
                collectivity=petition.collectivity,
                data={"deleted": deleted, "confirmed": locked.final_confirmed},
            )
    return {"petitions": petitions, "signatures": signatures}
