"""Writes on accounts: memberships, invitations and the team's roles, account
deactivation, sign-in and second factor (throttled), password reset, and personal API
tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from infitah.accounts import throttle
from infitah.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    NetworkRole,
    Role,
    ThrottleScope,
    User,
)
from infitah.accounts.permissions import NetworkPerm, Perm, has_network_perm, has_perm
from infitah.accounts.selectors import invitation_may_manage, invitation_token_digests
from infitah.ledger.services import event_record
from infitah.notifications.services import email_queue
from infitah.territories.models import Collectivity

# Failed sign-ins, locks and password resets: what an operator watches (docs/operations.md).
logger = logging.getLogger("infitah.accounts")


@transaction.atomic
def membership_grant(
    *,
    user: User,
    collectivity: Collectivity,
    role: str,
    actor: User | None,
    process: str = "",
    data: dict[str, Any] | None = None,
) -> Membership:
    """Give `user` `role` in `collectivity` (idempotent), recorded in the case history
    (with `data`, e.g. the invitation that carried the role)."""
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
            data={"user": user.email, **(data or {})},
        )
        user.__dict__.pop("_infitah_roles", None)
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


# --- Invitations, the team's roles, accounts ---------------------------------------------

# The process named in the ledger when an invitation grants roles: the inviter is the
# actor (who gave the role), the process says it came by an accepted invitation.
INVITATION_PROCESS = "invitation"


def _invitation_language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (language, translation.get_language() or ""):
        candidate = (candidate or "").split("-")[0].lower()
        if candidate in codes:
            return candidate
    return str(settings.LANGUAGE_CODE)


def _invitation_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": _("Enter a valid e-mail address, such as name@example.ma.")},
            code="invalid",
        ) from None
    return email


def _roles_clean(roles: Iterable[str]) -> list[str]:
    """`roles` without repeats, in Role order; ValidationError on an unknown value."""
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(role)s.") % {"role": sorted(unknown)[0]}}
        )
    return [value for value in Role.values if value in wanted]


def _invitation_data(invitation: Invitation) -> dict[str, Any]:
    return {
        "email": invitation.email,
        "roles": list(invitation.roles),
        "network_role": invitation.network_role,
    }


def _invitation_email_queue(invitation: Invitation, secret: str) -> None:
    inviter = invitation.invited_by
    with translation.override(invitation.language):
        link = settings.INFITAH_SITE_URL + reverse("accounts:invitation", kwargs={"token": secret})
        context = {
            "invitation": invitation,
            "inviter": str(inviter) if inviter is not None else "",
            "collectivity": invitation.collectivity.name if invitation.collectivity else "",
            "roles": [str(Role(r).label) for r in invitation.roles],
            "network_role": (
                str(NetworkRole(invitation.network_role).label) if invitation.network_role else ""
            ),
            "link": link,
            "expires": date_format(timezone.localtime(invitation.expires_at), "DATETIME_FORMAT"),
        }
        subject = render_to_string("accounts/mail/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/mail/invitation_body.txt", context).strip()
    email_queue(
        key=f"accounts:invitation:{invitation.pk}",
        to=invitation.email,
        subject=" ".join(subject.split()),
        body=body + "\n\n— Infitah",
    )


@transaction.atomic
def invitation_create(
    *,
    actor: User | None,
    email: str,
    collectivity: Collectivity | None,
    roles: Sequence[str] = (),
    network_role: str = "",
    full_name: str = "",
    language: str = "",
    process: str = "",
) -> tuple[Invitation, str]:
    """Invite `email` to hold `roles` in `collectivity` and/or `network_role`; return the
    invitation and the secret of its link.

    Who may: a machine (`actor` None, then `process` names it, else ValueError); a
    network administrator (NetworkPerm.ACCOUNTS_MANAGE) in any collectivity, the
    network's own space included, with a network role or not; a holder of
    Perm.MEMBERS_MANAGE in `collectivity`, for its roles only (never a network role).
    Anyone else: PermissionDenied. Bad input (an invalid address, an unknown role, no
    role at all, roles without a collectivity): ValidationError, nothing stored.

    The secret appears only in the e-mail's link and the return value: the row keeps
    its keyed digest. The link works once, for INFITAH_INVITATION_DAYS days. Side
    effects: "invitation.created" in the ledger; the e-mail (in `language`, by default
    the active one) queued in the outbox, with the link and the expiry date.
    """
    if actor is None and not process:
        raise ValueError("An invitation needs an actor or a process.")
    if network_role and network_role not in NetworkRole.values:
        raise ValidationError({"network_role": _("Unknown network role.")})
    if actor is not None and not invitation_may_manage(
        actor=actor, collectivity=collectivity, network_role=network_role
    ):
        raise PermissionDenied
    email = _invitation_email(email)
    role_list = _roles_clean(roles)
    if role_list and collectivity is None:
        raise ValidationError({"roles": _("Roles are given in a collectivity: choose one.")})
    if not role_list and not network_role:
        raise ValidationError({"roles": _("Choose at least one role.")})
    max_name = Invitation._meta.get_field("full_name").max_length or 200
    now = timezone.now()
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email,
        full_name=" ".join((full_name or "").split())[:max_name],
        collectivity=collectivity,
        roles=role_list,
        network_role=network_role,
        digest=invitation_token_digests(secret)[0],
        language=_invitation_language(language),
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.INFITAH_INVITATION_DAYS),
    )
    event_record(
        obj=invitation,
        action="invitation.created",
        actor=actor,
        process=process,
        collectivity=collectivity,
        data=_invitation_data(invitation),
    )
    _invitation_email_queue(invitation, secret)
    logger.info("invitation %s created for %s", invitation.pk, email)
    return invitation, secret


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Revoke a not yet accepted invitation: its link stops working (idempotent).

    Who may: as for `invitation_create` (PermissionDenied otherwise). An accepted
    invitation cannot be revoked (ValidationError: take the roles back instead).
    Records "invitation.revoked" in the ledger the first time only.
    """
    if not invitation_may_manage(
        actor=actor, collectivity=invitation.collectivity, network_role=invitation.network_role
    ):
        raise PermissionDenied
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(
            _("This invitation was already accepted: take the roles back instead."),
            code="accepted",
        )
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        event_record(
            obj=locked,
            action="invitation.revoked",
            actor=actor,
            collectivity=locked.collectivity,
            data=_invitation_data(locked),
        )
    return locked


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> tuple[Invitation, str]:
    """Send an invitation again: a new invitation with the same address, roles and
    language (a new link and expiry), the old one revoked if it was still open.

    As `invitation_create` and `invitation_revoke`; an accepted invitation is not sent
    again (ValidationError).
    """
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation was already accepted."), code="accepted")
    new, secret = invitation_create(
        actor=actor,
        email=invitation.email,
        collectivity=invitation.collectivity,
        roles=list(invitation.roles),
        network_role=invitation.network_role,
        full_name=invitation.full_name,
        language=invitation.language,
    )
    invitation_revoke(actor=actor, invitation=invitation)
    return new, secret


def _invitation_locked(token: str) -> Invitation:
    """The invitation of `token`, locked, if it can still be accepted; otherwise a
    ValidationError whose code says why: unknown, used, revoked or expired."""
    # of=("self",): PostgreSQL cannot lock the nullable side of an outer join.
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("collectivity", "invited_by")
        .filter(digest__in=invitation_token_digests(token))
        .first()
        if token and len(token) <= 100
        else None
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="unknown")
    if invitation.is_accepted:
        raise ValidationError(_("This invitation was already used."), code="used")
    if invitation.is_revoked:
        raise ValidationError(_("This invitation was withdrawn."), code="revoked")
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired."), code="expired")
    return invitation


def _invitation_grant(invitation: Invitation, user: User) -> Invitation:
    """Grant what `invitation` carries to `user` (the checks are done), mark it used."""
    inviter = invitation.invited_by
    if inviter is not None and not (
        inviter.is_active
        and invitation_may_manage(
            actor=inviter,
            collectivity=invitation.collectivity,
            network_role=invitation.network_role,
        )
    ):
        # The inviter has since lost the right to give these roles.
        raise ValidationError(
            _("This invitation is no longer valid: ask for a new one."), code="void"
        )
    # The audit trail reads "the inviter gave role R to the user, by invitation N".
    actor = inviter
    process = INVITATION_PROCESS
    data = {"invitation": invitation.pk}
    if invitation.collectivity is not None:
        for role in invitation.roles:
            membership_grant(
                user=user,
                collectivity=invitation.collectivity,
                role=role,
                actor=actor,
                process=process,
                data=data,
            )
    if invitation.network_role and user.network_role != invitation.network_role:
        previous = user.network_role
        user.network_role = invitation.network_role
        # Network administrators may enter /django-admin/ (catalogue, calendar).
        user.is_staff = True
        user.save(update_fields=["network_role", "is_staff"])
        event_record(
            obj=user,
            action="account.network_role_granted",
            actor=actor,
            process=process,
            from_state=previous,
            to_state=invitation.network_role,
            data={"user": user.email, **data},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    event_record(
        obj=invitation,
        action="invitation.accepted",
        actor=user,
        collectivity=invitation.collectivity,
        data=_invitation_data(invitation),
    )
    logger.info("invitation %s accepted by %s", invitation.pk, user.email)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Invitation:
    """Accept the invitation of `token` as `user`: grant its roles and network role.

    Preconditions, else ValidationError with a code and nothing granted: the link is
    known ("unknown"), not used ("used"), revoked ("revoked") or expired ("expired");
    `user` is active ("inactive") and has the invited address ("wrong_account"); the
    inviter may still give these roles ("void"). Each role goes through
    `membership_grant` with the inviter as actor and the process "invitation" (the
    ledger names the invitation); a network role sets `network_role` and `is_staff`
    ("account.network_role_granted"). Records "invitation.accepted". The invitation
    row is locked: a link pressed twice at once grants once.
    """
    invitation = _invitation_locked(token)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated."), code="inactive")
    if user.email.lower() != invitation.email:
        raise ValidationError(
            _("This invitation was sent to another e-mail address."), code="wrong_account"
        )
    return _invitation_grant(invitation, user)


@transaction.atomic
def invitation_signup(*, token: str, full_name: str, password: str) -> User:
    """Create the account of an invitation's address and accept the invitation with it.

    Preconditions, else ValidationError and nothing created: the invitation can be
    accepted (codes as `invitation_accept`); no account has its address yet
    ("account_exists"); a full name; the password passes AUTH_PASSWORD_VALIDATORS
    ("password"). Records "account.created", then what `invitation_accept` records.
    Does not sign the user in (the view does).
    """
    invitation = _invitation_locked(token)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            _("An account with this e-mail address exists: sign in to accept."),
            code="account_exists",
        )
    max_name = User._meta.get_field("full_name").max_length or 200
    full_name = " ".join((full_name or "").split())[:max_name]
    if not full_name:
        raise ValidationError(_("Enter your full name."), code="full_name")
    candidate = User(email=invitation.email, full_name=full_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        # One message with one code, so that the caller can tell it from the others.
        raise ValidationError(" ".join(error.messages), code="password") from None
    user = User.objects.create_user(email=invitation.email, password=password, full_name=full_name)
    event_record(
        obj=user,
        action="account.created",
        actor=user,
        process=INVITATION_PROCESS,
        data={"user": user.email, "invitation": invitation.pk},
    )
    _invitation_grant(invitation, user)
    return user


def _admin_remains(collectivity: Collectivity, without: User) -> bool:
    return (
        Membership.objects.filter(collectivity=collectivity, role=Role.ADMIN, user__is_active=True)
        .exclude(user=without)
        .exists()
    )


@transaction.atomic
def member_roles_set(
    *, actor: User, collectivity: Collectivity, user: User, roles: Iterable[str]
) -> tuple[list[str], list[str]]:
    """Make `roles` the roles of `user` in `collectivity`; return (given, taken).

    Preconditions: `actor` holds Perm.MEMBERS_MANAGE in `collectivity`
    (PermissionDenied otherwise); `user` already holds a role there (new people are
    invited) and `roles` are Role values (ValidationError otherwise). A change that
    would leave the collectivity without an active administrator is refused
    (ValidationError), so that nobody takes their own last ADMIN role by mistake.
    Each role given or taken goes through `membership_grant`/`membership_revoke` with
    `actor`, so each is in the ledger. An empty `roles` removes `user` from the team.
    """
    if not has_perm(actor, Perm.MEMBERS_MANAGE, collectivity):
        raise PermissionDenied
    wanted = _roles_clean(roles)
    # Serialises the team changes of one collectivity: two administrators taking each
    # other's ADMIN role at once cannot both see the other one remain.
    Collectivity.objects.select_for_update().filter(pk=collectivity.pk).first()
    current = set(
        Membership.objects.filter(user=user, collectivity=collectivity).values_list(
            "role", flat=True
        )
    )
    if not current:
        raise ValidationError(
            _("This person holds no role here: invite them instead."), code="not_member"
        )
    if (
        Role.ADMIN in current
        and Role.ADMIN not in wanted
        and not _admin_remains(collectivity, user)
    ):
        if user.pk == actor.pk:
            message = _(
                "You are the only administrator here: give the administrator role to "
                "someone else before you give it up."
            )
        else:
            message = _("This is the only administrator here: the role cannot be taken.")
        raise ValidationError(message, code="last_admin")
    given = [role for role in wanted if role not in current]
    taken = [role for role in Role.values if role in current and role not in wanted]
    for role in given:
        membership_grant(user=user, collectivity=collectivity, role=role, actor=actor)
    for role in taken:
        membership_revoke(user=user, collectivity=collectivity, role=role, actor=actor)
    user.__dict__.pop("_infitah_roles", None)
    actor.__dict__.pop("_infitah_roles", None)
    return given, taken


def member_remove(*, actor: User, collectivity: Collectivity, user: User) -> list[str]:
    """Take every role of `user` in `collectivity` (as `member_roles_set` with no role);
    return the roles taken. The account and its history stay."""
    return member_roles_set(actor=actor, collectivity=collectivity, user=user, roles=())[1]


def _account_active_set(*, actor: User, user: User, active: bool) -> bool:
    if not has_network_perm(actor, NetworkPerm.ACCOUNTS_MANAGE):
        raise PermissionDenied
    if not active and user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."), code="self")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        return False
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    user.is_active = active
    event_record(
        obj=locked,
        action="account.reactivated" if active else "account.deactivated",
        actor=actor,
        data={"user": locked.email},
    )
    logger.info(
        "account %s %s by %s",
        locked.email,
        "reactivated" if active else "deactivated",
        actor.email,
    )
    return True


@transaction.atomic
def account_deactivate(*, actor: User, user: User) -> bool:
    """Deactivate `user`: they can no longer sign in (their sessions and API tokens stop
    working), accept invitations or act; their memberships and history stay, nothing
    else is revoked. Preconditions: `actor` holds NetworkPerm.ACCOUNTS_MANAGE
    (PermissionDenied) and is not `user` (ValidationError). Idempotent; records
    "account.deactivated". Returns whether the account changed."""
    return _account_active_set(actor=actor, user=user, active=False)


@transaction.atomic
def account_reactivate(*, actor: User, user: User) -> bool:
    """Let a deactivated account sign in again, with the roles it kept. As
    `account_deactivate`; records "account.reactivated"."""
    return _account_active_set(actor=actor, user=user, active=True)
