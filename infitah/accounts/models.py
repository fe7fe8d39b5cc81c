"""Users (login by e-mail) and their roles in collectivities."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A staff role held in one collectivity. Values are stable forever."""

    PUBLICATION_EDITOR = "publication_editor", _("Publication editor")
    INFORMATION_OFFICER = "information_officer", _("Information officer")
    COMPLAINTS_OFFICER = "complaints_officer", _("Complaints officer")
    PETITIONS_BUREAU = "petitions_bureau", _("Petitions bureau")
    COUNCIL_SECRETARY = "council_secretary", _("Council secretary")
    COUNCIL_MEMBER = "council_member", _("Council member")
    ADVISORY_SECRETARY = "advisory_secretary", _("Advisory body secretary")
    FOCAL_POINT = "focal_point", _("Open-government focal point")
    MONITOR = "monitor", _("Monitor")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    ADMIN = "admin", _("Collectivity administrator")


class NetworkRole(models.TextChoices):
    """A role over the whole network rather than one collectivity."""

    NONE = "", _("None")
    NETWORK_ADMIN = "network_admin", _("Network administrator")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("network_role", NetworkRole.NETWORK_ADMIN)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: staff of a collectivity, a network admin, or a citizen."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    network_role = models.CharField(
        _("network role"), max_length=32, choices=NetworkRole.choices, default="", blank=True
    )
    # Django admin access only; staff of collectivities act through memberships.
    is_staff = models.BooleanField(_("admin site access"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def is_network_admin(self) -> bool:
        return self.network_role == NetworkRole.NETWORK_ADMIN


class Membership(models.Model):
    """A role that a user holds in one collectivity."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "collectivity", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.collectivity}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self) -> ApiTokenQuerySet:
        """Tokens that still authenticate: not revoked and not expired."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(models.Model):
    """A personal token for the staff API.

    The secret (`inf_…`) is shown once when the token is created and never stored: only
    its digest, looked up on each API call, and its first characters (`prefix`), which
    let the owner tell their tokens apart. The digest is an HMAC keyed by SECRET_KEY
    (services `_api_token_digests`): a token minted under another key gives nothing.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True)
    # The lookup of every API call: a unique index on the digest of the secret.
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # Null: the token never expires.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired


class ThrottleScope(models.TextChoices):
    """What a throttle row counts. Values are stable forever."""

    LOGIN_ACCOUNT = "login_account", _("Sign-in failures of an account")
    LOGIN_ADDRESS = "login_address", _("Sign-in failures from a client address")
    OTP_USER = "otp_user", _("Second-factor failures of a user")
    RESET_ACCOUNT = "reset_account", _("Password reset requests for an account")
    RESET_ADDRESS = "reset_address", _("Password reset requests from a client address")


class Throttle(models.Model):
    """Attempts counted against one key (an e-mail address, a client address, a user) in
    one scope, and the lock they earned (infitah/accounts/throttle.py).

    In the database rather than the cache: the default cache is per process, so each
    worker would count apart and a restart would forget; a row is shared by every worker
    and can be read (and deleted, to unlock) by an operator in the admin.
    """

    scope = models.CharField(_("scope"), max_length=32, choices=ThrottleScope.choices)
    # An e-mail address (as typed, lowercased: the account need not exist), a client IP
    # address, or a user's id.
    key = models.CharField(_("key"), max_length=254)
    attempts = models.PositiveIntegerField(_("attempts in the window"), default=0)
    window_started_at = models.DateTimeField(_("window started at"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # Locks in a row: each one lasts twice the previous, up to a maximum.
    lockouts = models.PositiveIntegerField(_("lockouts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt at"))

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="throttle_unique_scope_key")
        ]
        # The pruning of forgotten rows.
        indexes = [models.Index(fields=["last_attempt_at"], name="throttle_last_attempt")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.key}"

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Invitations that can still be accepted: not accepted, revoked or expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An e-mailed invitation to hold roles in one collectivity, or a network role.

    The secret of the link is never stored: only its keyed digest (as for API tokens).
    It works once, until `expires_at`, and only for an account with the invited e-mail
    address (a new account is created with it when there is none). Accepting grants the
    roles through `membership_grant`, so each one is in the ledger.
    """

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    # Null: an invitation to a network role only.
    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.CASCADE,
        related_name="invitations",
        null=True,
        blank=True,
    )
    # Role values (Role) to grant in `collectivity`.
    roles = models.JSONField(_("roles"), default=list, blank=True)
    network_role = models.CharField(
        _("network role"), max_length=32, choices=NetworkRole.choices, default="", blank=True
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(collectivity__isnull=False) | ~models.Q(network_role=""),
                name="invitation_grants_something",
            ),
        ]
        indexes = [models.Index(fields=["email"], name="invitation_email_idx")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return not (self.is_accepted or self.is_revoked or self.is_expired)
