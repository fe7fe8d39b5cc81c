"""Writes on accounts: memberships, sign-in and second factor (throttled), password
reset, and personal API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from infitah.accounts import throttle
from infitah.accounts.models import ApiToken, Membership, ThrottleScope, User
from infitah.ledger.services import event_record
from infitah.notifications.services import email_queue
from infitah.territories.models import Collectivity

# Failed sign-ins, locks and password resets: what an operator watches (docs/operations.md).
logger = logging.getLogger("infitah.accounts")


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


def membership_revoke(
    *, user: User, collectivity: Collectivity, role: str, actor: User | None, process: str = ""
) -> bool:
    """Take `role` in `collectivity` from `user` (idempotent), recorded in the case
    history. Returns whether they held it."""
    membership = Membership.objects.filter(user=user, collectivity=collectivity, role=role).first()
    if membership is None:
        return False
    event_record(
        obj=membership,
        action="membership.revoked",
        actor=actor,
        process=process,
        collectivity=collectivity,
        from_state=role,
        data={"user": user.email},
    )
    membership.delete()
    user.__dict__.pop("_infitah_roles", None)
    return True


def _address_text(address: str | None) -> str:
    return address or "an unknown address"


@dataclass(frozen=True)
class Attempt:
    """The outcome of a throttled sign-in or second-factor check."""

    # The signed-in user (sign-in) or the verified user (second factor); None on failure.
    user: User | None
    # Set when the attempt was refused unchecked: the account, user or client address is
    # locked until then.
    locked_until: datetime | None = None


def _log_locks(taken: throttle.Taken, what: str) -> None:
    for guard, until in taken.locks:
        logger.warning(
            "%s locked for %s %s until %s", what, guard.scope, guard.key, until.isoformat()
        )


def login_attempt(*, email: str, password: str, address: str | None) -> Attempt:
    """Check a password, throttled per account and per client address.

    The attempt is counted before the password is checked (accounts/throttle.py): while
    the account (the e-mail address as typed, whether or not an account has it) or the
    client address is locked, it is refused unchecked, right password or not. A success
    clears the account's count and gives the address its attempt back. Failures, locks
    and refusals are logged (never the password).
    """
    email = email.strip().lower()
    guards = [
        throttle.Guard(ThrottleScope.LOGIN_ACCOUNT, email, settings.INFITAH_LOGIN_FAILURE_LIMIT)
    ]
    if address:
        guards.append(
            throttle.Guard(
                ThrottleScope.LOGIN_ADDRESS, address, settings.INFITAH_LOGIN_ADDRESS_FAILURE_LIMIT
            )
        )
    taken = throttle.take(guards)
    if taken.refused_until is not None:
        logger.warning(
            "sign-in refused for %s from %s: locked until %s",
            email,
            _address_text(address),
            taken.refused_until.isoformat(),
        )
        return Attempt(user=None, locked_until=taken.refused_until)
    user = authenticate(None, username=email, password=password)
    if not isinstance(user, User):
        logger.warning("sign-in failed for %s from %s", email, _address_text(address))
        _log_locks(taken, "sign-in")
        return Attempt(user=None)
    throttle.clear(ThrottleScope.LOGIN_ACCOUNT, email)
    if address:
        throttle.give_back(ThrottleScope.LOGIN_ADDRESS, address)
    return Attempt(user=user)


def totp_verify(*, user: User, device: TOTPDevice, token: str) -> Attempt:
    """Check a second-factor code of `user`'s `device`, throttled per user.

    As `login_attempt`: counted before the check, refused unchecked while locked,
    cleared by a success; failures and locks are logged. The device itself records a
    success (drift, last code used); confirming an enrolment is the caller's.
    """
    guard = throttle.Guard(
        ThrottleScope.OTP_USER, str(user.pk), settings.INFITAH_LOGIN_FAILURE_LIMIT
    )
    taken = throttle.take([guard])
    if taken.refused_until is not None:
        logger.warning(
            "second factor refused for %s: locked until %s",
            user.email,
            taken.refused_until.isoformat(),
        )
        return Attempt(user=None, locked_until=taken.refused_until)
    if not device.verify_token(token):
        logger.warning("second factor failed for %s (user %s)", user.email, user.pk)
        _log_locks(taken, "second factor")
        return Attempt(user=None)
    throttle.clear(ThrottleScope.OTP_USER, str(user.pk))
    return Attempt(user=user)


def password_reset_request(*, email: str, address: str | None, language: str) -> datetime | None:
    """Queue a password-reset e-mail to the active account of `email`, if there is one.

    Returns the end of the lock when the client address has asked too often (the caller
    says so); otherwise None, whether or not an e-mail was queued, so that the answer
    tells nothing about which addresses have an account. Each account gets at most
    INFITAH_PASSWORD_RESET_LIMIT e-mails per window (more are dropped silently). The
    e-mail, in `language`, carries a link made with Django's token generator: it works
    once (the token covers the password hash and last sign-in) and expires after
    PASSWORD_RESET_TIMEOUT seconds. Queued through the notifications outbox.
    """
    email = email.strip().lower()
    if address:
        taken = throttle.take(
            [
                throttle.Guard(
                    ThrottleScope.RESET_ADDRESS,
                    address,
                    settings.INFITAH_PASSWORD_RESET_ADDRESS_LIMIT,
                )
            ]
        )
        if taken.refused_until is not None:
            logger.warning(
                "password reset refused from %s: locked until %s",
                address,
                taken.refused_until.isoformat(),
            )
            return taken.refused_until
    taken = throttle.take(
        [throttle.Guard(ThrottleScope.RESET_ACCOUNT, email, settings.INFITAH_PASSWORD_RESET_LIMIT)]
    )
    if taken.refused_until is not None:
        logger.warning(
            "password reset for %s from %s not sent: too many requests",
            email,
            _address_text(address),
        )
        return None
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        logger.info(
            "password reset for %s from %s: no active account", email, _address_text(address)
        )
        return None
    _password_reset_email_queue(user=user, language=language)
    logger.info("password reset e-mail queued for %s from %s", email, _address_text(address))
    return None


@transaction.atomic
def _password_reset_email_queue(*, user: User, language: str) -> None:
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    now = timezone.now()
    with translation.override(language):
        link = settings.INFITAH_SITE_URL + reverse(
            "accounts:password-reset-confirm", kwargs={"uidb64": uid, "token": token}
        )
        duration = timeuntil(now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT), now)
        subject = _("Reset your Infitah password")
        body = _(
            "Hello,\n\n"
            "Someone asked to reset the password of the Infitah account %(email)s. If it "
            "was you, open this link to choose a new password:\n\n"
            "%(link)s\n\n"
            "The link works once and expires in %(duration)s. If you did not ask for it, "
            "ignore this e-mail: your password does not change."
        ) % {"email": user.email, "link": link, "duration": duration}
    email_queue(
        key=f"accounts:password-reset:{user.pk}:{token}",
        to=user.email,
        subject=subject,
        body=body + "\n\n— Infitah",
    )


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> None:
    """Set `user`'s new password after a valid reset link.

    Preconditions: the link was checked by the caller. The password must pass
    AUTH_PASSWORD_VALIDATORS (ValidationError otherwise, nothing changed). Changing it
    ends the user's other sessions and voids the link. The account's sign-in lock is
    lifted (owning the mailbox proves more than a password). Does not sign the user in:
    the second factor, where required, still follows the sign-in. Records
    "password.reset" in the history.
    """
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    event_record(obj=user, action="password.reset", actor=user)
    throttle.clear(ThrottleScope.LOGIN_ACCOUNT, user.email)
    logger.info("password reset completed for %s", user.email)


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


# The HMAC salt of the digests; data migration 0004 repeats it (it may not import this).
_API_TOKEN_KEY_SALT = "infitah.accounts.ApiToken.digest"  # noqa: S105 (a salt, not a secret)


def _api_token_digests(secret: str) -> list[str]:
    """The digests `secret` may be stored under: first under SECRET_KEY, then under each
    of SECRET_KEY_FALLBACKS (a key being rotated out).

    A keyed HMAC, so that a token minted under another key (a development machine, a
    copy of the database) matches nothing here. It is taken over the secret's SHA-256,
    not the secret itself, so that migration 0004 could bind the unkeyed digests of
    older rows to the key without knowing their secrets.
    """
    inner = hashlib.sha256(secret.encode()).hexdigest()
    return [
        salted_hmac(_API_TOKEN_KEY_SALT, inner, secret=key, algorithm="sha256").hexdigest()
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ]


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token for `user`; return it with its secret.

    Preconditions: `user` holds at least one membership, has fewer than
    API_TOKEN_MAX_LIVE live tokens, and `name` is 1 to 100 characters; otherwise
    ValidationError (name errors keyed by "name"). The secret is returned here only:
    the row keeps its keyed digest (bound to SECRET_KEY) and first 8 characters. Records
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
        digest=_api_token_digests(secret)[0],
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

    The secret is looked up by its keyed digest (a unique index), so no comparison of
    secrets happens in Python; a secret minted under another SECRET_KEY (not among
    SECRET_KEY_FALLBACKS) matches nothing. Revoked and expired tokens, and inactive
    users, give None. Side effect: `last_used_at` is updated at most once a minute.
    """
    if not secret.startswith(API_TOKEN_PREFIX) or len(secret) > _API_TOKEN_MAX_LENGTH:
        return None
    token = (
        ApiToken.objects.live()
        .filter(digest__in=_api_token_digests(secret), user__is_active=True)
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
