"""Writes on accounts: memberships, second-factor devices and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django_otp.plugins.otp_totp.models import TOTPDevice

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import ApiToken, Membership, User
from infitah.ledger.services import event_record
from infitah.territories.models import Collectivity


@transaction.atomic
def membership_grant(
    *, user: User, collectivity: Collectivity, role: str, actor: User | None, process: str = ""
) -> Membership:
    """Give `user` `role` in `collectivity` (idempotent), recorded in the case history."""
    membership, created = Membership.objects.get_or_create(
        user=user, collectivity=collectivity, role=role
    )
    if created:
        event_record(
            obj=membership,
            action="membership.granted",
            actor=actor,
            process=process,
            collectivity=collectivity,
            to_state=role,
            data={"user": user.email},
        )
    return membership


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first enrolment."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, actor: User) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    event_record(obj=actor, action="totp.enrolled", actor=actor)


API_TOKEN_PREFIX = "inf_"  # noqa: S105 (a marker that tells our secrets apart, not one)
API_TOKEN_MAX_LIVE = 20
# A secret is "inf_" + 43 characters; anything much longer is not one of ours.
_API_TOKEN_MAX_LENGTH = 100
# last_used_at is a hint for the owner, not an audit trail: one write a minute at most.
_API_TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def _api_token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token for `user`; return it with its secret.

    Preconditions: `user` holds at least one membership, has fewer than
    API_TOKEN_MAX_LIVE live tokens, and `name` is 1 to 100 characters; otherwise
    ValidationError (name errors keyed by "name"). The secret is returned here only:
    the row keeps its SHA-256 digest and first 8 characters. Records
    "api_token.created" in the case history, without the secret.
    """
    name = name.strip()
    max_length = ApiToken._meta.get_field("name").max_length or 100
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if len(name) > max_length:
        raise ValidationError(
            {"name": _("The name is too long: %(max)d characters at most.") % {"max": max_length}}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    # Lock the user's row so that two simultaneous requests cannot both pass the limit.
    user = User.objects.select_for_update().get(pk=user.pk)
    if not Membership.objects.filter(user=user).exists():
        raise ValidationError(_("Only staff of a collectivity can create API tokens."))
    if ApiToken.objects.filter(user=user).live().count() >= API_TOKEN_MAX_LIVE:
        raise ValidationError(
            _("You already have %(max)d active tokens: revoke one before creating another.")
            % {"max": API_TOKEN_MAX_LIVE}
        )
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:8],
        digest=_api_token_digest(secret),
        expires_at=expires_at,
    )
    event_record(
        obj=token,
        action="api_token.created",
        actor=user,
        data={"name": token.name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s own tokens (idempotent).

    Raises ApiToken.DoesNotExist when the token does not exist or belongs to someone
    else, so that a view answers 404 without confirming that it exists. Records
    "api_token.revoked" in the case history the first time only.
    """
    token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        event_record(
            obj=token,
            action="api_token.revoked",
            actor=user,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token


def api_token_authenticate(secret: str) -> User | None:
    """The active user whose live token has this secret, or None.

    The secret is looked up by its SHA-256 digest (a unique index), so no comparison of
    secrets happens in Python. Revoked and expired tokens, and inactive users, give
    None. Side effect: `last_used_at` is updated at most once a minute.
    """
    if not secret.startswith(API_TOKEN_PREFIX) or len(secret) > _API_TOKEN_MAX_LENGTH:
        return None
    token = (
        ApiToken.objects.live()
        .filter(digest=_api_token_digest(secret), user__is_active=True)
        .select_related("user")
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    stale = now - _API_TOKEN_TOUCH_EVERY
    if token.last_used_at is None or token.last_used_at < stale:
        # A conditional update: of several simultaneous calls, one writes.
        ApiToken.objects.filter(pk=token.pk).filter(
            models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
    return token.user
