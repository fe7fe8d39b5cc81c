"""Writes of Open311: the sending organisations' keys, and a service request, which is a
complaint submitted through the complaints app's own services (the same validation, the
same legal clocks, the same e-mails as the web form)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.complaints import services as complaints
from infitah.complaints.models import Complaint
from infitah.complaints.workflow import Kind
from infitah.ledger.services import event_record
from infitah.open311.models import ORGANISATION_MAX, SenderKey
from infitah.open311.selectors import KIND_ATTRIBUTE, service_get
from infitah.territories.models import Collectivity

KEY_PREFIX = "o311_"
_KEY_MAX_LENGTH = 100
_KEY_SALT = "infitah.open311.SenderKey"
PROCESS = "open311"


def _digests(secret: str) -> list[str]:
    """The digests `secret` may be stored under: keyed by SECRET_KEY, then by each key
    being rotated out, so that a key minted elsewhere (a copy of the database) gives
    nothing here."""
    return [
        salted_hmac(_KEY_SALT, secret, secret=key, algorithm="sha256").hexdigest()
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]


def _check_admin(actor: User, collectivity: Collectivity) -> None:
    if not has_perm(actor, Perm.MEMBERS_MANAGE, collectivity):
        raise PermissionError


@transaction.atomic
def sender_key_issue(
    *, collectivity: Collectivity, organisation: str, actor: User
) -> tuple[SenderKey, str]:
    """Issue an `api_key` for one sending organisation; returns it with its secret,
    which is never stored (only its keyed digest and first characters).

    Preconditions: `actor` administers `collectivity` (else PermissionError); the name is
    1 to ORGANISATION_MAX characters (else ValidationError on "organisation"). Records
    "open311_key.issued" in the case history, without the secret.
    """
    _check_admin(actor, collectivity)
    organisation = organisation.strip()
    if not organisation or "\x00" in organisation:
        raise ValidationError({"organisation": _("Name the organisation that will send.")})
    if len(organisation) > ORGANISATION_MAX:
        raise ValidationError(
            {
                "organisation": _("The name is too long: %(max)d characters at most.")
                % {"max": ORGANISATION_MAX}
            }
        )
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = SenderKey.objects.create(
        collectivity=collectivity,
        organisation=organisation,
        prefix=secret[:9],
        digest=_digests(secret)[0],
        created_at=timezone.now(),
        created_by=actor,
    )
    event_record(
        obj=key,
        action="open311_key.issued",
        actor=actor,
        collectivity=collectivity,
        data={"organisation": organisation, "prefix": key.prefix},
    )
    return key, secret


@transaction.atomic
def sender_key_revoke(*, collectivity: Collectivity, key_id: int, actor: User) -> SenderKey:
    """Revoke a key of `collectivity` (idempotent); it stops working at once.

    A key of another collectivity raises SenderKey.DoesNotExist (the page answers 404).
    """
    _check_admin(actor, collectivity)
    key = SenderKey.objects.select_for_update().get(pk=key_id, collectivity=collectivity)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        event_record(
            obj=key,
            action="open311_key.revoked",
            actor=actor,
            collectivity=collectivity,
            data={"organisation": key.organisation, "prefix": key.prefix},
        )
    return key


def sender_key_authenticate(*, secret: str, collectivity: Collectivity) -> SenderKey | None:
    """The live key of `collectivity` whose secret this is, or None (looked up by digest)."""
    secret = secret.strip()
    if not secret.startswith(KEY_PREFIX) or len(secret) > _KEY_MAX_LENGTH:
        return None
    return (
        SenderKey.objects.live()
        .filter(digest__in=_digests(secret), collectivity=collectivity)
        .first()
    )


# GeoReport's names of the complaint's fields, for the error messages.
FIELD_NAMES = {
    "kind": f"attribute[{KIND_ATTRIBUTE}]",
    "category": "service_code",
    "name": "first_name",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
}


@dataclass(frozen=True)
class Submitted:
    complaint: Complaint
    awaits_confirmation: bool


@transaction.atomic
def open311_request_submit(
    *, key: SenderKey, fields: Mapping[str, str], language: str | None = None
) -> Submitted:
    """Create a complaint from a GeoReport POST through `complaints.complaint_submit`.

    `fields` are the POST's arguments. The service is a category of the key's
    collectivity (Open311Error 404 otherwise); the kind comes from `attribute[kind]`
    (complaint by default); the name joins `first_name` and `last_name`. `media_url`,
    `device_id`, `account_id` and `address_id` are not kept: no remote file is fetched,
    no device or account is tracked. Side effects: those of complaint_submit (with an
    e-mail address the citizen confirms it first); the key's last use; the event
    "open311_key.used" on the key (which complaint it sent, nothing personal).
    """
    collectivity = key.collectivity
    service = service_get(collectivity=collectivity, code=fields.get("service_code", ""))
    kind = fields.get(f"attribute[{KIND_ATTRIBUTE}]", "").strip() or Kind.COMPLAINT
    name = " ".join(
        part
        for part in (fields.get("first_name", "").strip(), fields.get("last_name", "").strip())
        if part
    )
    data = complaints.ComplaintInput(
        kind=kind,
        category=str(service.category.pk) if service.category is not None else "",
        description=fields.get("description", ""),
        name=name,
        email=fields.get("email", ""),
        phone=fields.get("phone", ""),
        address=fields.get("address_string", ""),
        latitude=fields.get("lat", ""),
        longitude=fields.get("long", ""),
    )
    complaint, _token = complaints.complaint_submit(
        collectivity=collectivity, data=data, language=language
    )
    now = timezone.now()
    SenderKey.objects.filter(pk=key.pk).update(last_used_at=now)
    event_record(
        obj=key,
        action="open311_key.used",
        process=PROCESS,
        collectivity=collectivity,
        data={"reference": complaint.reference, "prefix": key.prefix},
    )
    return Submitted(complaint, complaint.received_on is None)


def error_descriptions(exc: ValidationError) -> list[str]:
    """One description per field in error, named as GeoReport names it."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    return [
        f"{FIELD_NAMES.get(name, name)}: {' '.join(messages)}"
        for name, messages in exc.message_dict.items()
    ]
