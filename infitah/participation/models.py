"""Participation: the verified participant, the person behind every answer, vote and
comment of the participation apps (consultations, surveys, labs).

A participant is not a staff account: no password, no role. They prove they own an
e-mail address by opening a signed link (`services.participant_join`), and they are
then known in the session (`participant_id`) or through a signed API token.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from infitah.territories.models import Collectivity

DISPLAY_NAME_MAX = 100
EMAIL_MAX = 254


class Gender(models.TextChoices):
    """Declared by the participant; used only for aggregated, anonymous statistics."""

    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Audience(models.TextChoices):
    """Whom a consultation, survey or lab addresses. Values are stable forever.

    LOCAL is a collectivity's own public. The two network audiences belong to the
    network's space (territories Kind.NETWORK): all members' citizens, or the members
    themselves (a participant whose e-mail address is that of a staff account holding a
    role in a member collectivity speaks for it). Results of network-wide items are
    broken down by region and kind of collectivity (`participation.breakdown`).
    """

    LOCAL = "local", _("The collectivity's public")
    NETWORK_CITIZENS = "citizens", _("The citizens of every member")
    NETWORK_MEMBERS = "members", _("The network's members")


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def verified(self) -> ParticipantQuerySet:
        return self.filter(verified_at__isnull=False)


class Participant(models.Model):
    """A person who takes part: e-mail (unique, lowercased), public display name, declared
    commune of residence and gender, and when the e-mail address was confirmed."""

    email = models.EmailField(_("e-mail address"), max_length=EMAIL_MAX, unique=True)
    display_name = models.CharField(_("display name"), max_length=DISPLAY_NAME_MAX)
    commune = models.ForeignKey(
        Collectivity,
        verbose_name=_("commune of residence"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    # A language code the site serves (infitah.lib.casework.site_language), not a choice
    # list: settings.LANGUAGES must never reach a migration.
    language = models.CharField(_("language"), max_length=8, blank=True)
    verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    # The last time a confirmation link was used. Each link carries the value it was
    # issued under, so a link works once: using it moves this stamp on.
    confirmed_at = models.DateTimeField(_("last confirmation"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(email=""), name="participant_email_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
