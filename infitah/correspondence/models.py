"""The electronic correspondence register (مكتب الضبط الإلكتروني, bureau d'ordre
électronique): every incoming and outgoing letter of a collectivity, numbered per year.

Entries are never deleted or renumbered. After registration only the service an entry is
routed to, its summary and the case it belongs to change, each change through a service
that records it in the case history (docs/correspondence.md).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Longest accepted texts; forms and the API refuse longer input with a message.
CORRESPONDENT_MAX = 300
SUBJECT_MAX = 300
SUMMARY_MAX = 10_000
UNIT_NAME_MAX = 200
CASE_TYPE_MAX = 100
CASE_ID_MAX = 64
CASE_REFERENCE_MAX = 100


def _active_is_french() -> bool:
    return (translation.get_language() or "ar").startswith("fr")


class ServiceUnitQuerySet(models.QuerySet["ServiceUnit"]):
    def for_collectivity(self, collectivity_id: int) -> ServiceUnitQuerySet:
        return self.filter(collectivity_id=collectivity_id)

    def active(self) -> ServiceUnitQuerySet:
        return self.filter(is_active=True)


class ServiceUnit(models.Model):
    """A unit of a collectivity's administration that letters and cases are routed to.

    Generic on purpose: the bureau d'ordre, the complaints unit, urban planning… The
    correspondence register routes entries to units; the complaints app routes
    complaints to them too. A unit is never deleted once used (PROTECT): it is made
    inactive, which hides it from the choices but keeps the history readable.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="service_units",
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=UNIT_NAME_MAX, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=UNIT_NAME_MAX, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ServiceUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("service unit")
        verbose_name_plural = _("service units")
        ordering = ["name_ar", "name_fr", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_ar="") | ~models.Q(name_fr=""),
                name="service_unit_has_a_name",
            ),
            models.UniqueConstraint(
                fields=["collectivity", "name_ar"],
                condition=~models.Q(name_ar=""),
                name="service_unit_unique_name_ar",
            ),
            models.UniqueConstraint(
                fields=["collectivity", "name_fr"],
                condition=~models.Q(name_fr=""),
                name="service_unit_unique_name_fr",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (Arabic unless French is active)."""
        if _active_is_french():
            return self.name_fr or self.name_ar
        return self.name_ar or self.name_fr


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class Channel(models.TextChoices):
    PAPER = "paper", _("Paper")
    EMAIL = "email", _("E-mail")
    PLATFORM = "platform", _("Platform")
    OTHER = "other", _("Other")


class EntryEvent(models.TextChoices):
    """The actions the register writes to the case history, with their labels."""

    REGISTERED = "correspondence.registered", _("Registered")
    ROUTED = "correspondence.routed", _("Routed to a service")
    CASE_LINKED = "correspondence.case_linked", _("Linked to a case")
    CASE_UNLINKED = "correspondence.case_unlinked", _("Link to the case removed")
    CASE_OPENED = "correspondence.case_opened", _("Case opened from the entry")
    SUMMARY_EDITED = "correspondence.summary_edited", _("Summary corrected")
    UNIT_CREATED = "correspondence.unit_created", _("Service unit created")
    UNIT_UPDATED = "correspondence.unit_updated", _("Service unit changed")


def attachment_path(instance: Entry, filename: str) -> str:
    """Where a scan is stored: never under its uploaded name (see infitah.lib.uploads)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"correspondence/{instance.collectivity_id}/{uuid.uuid4().hex}{suffix}"


class Entry(models.Model):
    """One letter in or out, with its number `year/number` in the collectivity's register.

    `number` comes from `infitah.numbering.services.number_next` (series
    "correspondence"), taken in the transaction that inserts the entry: gapless per
    collectivity and year, even under concurrent registration.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="correspondence_entries",
    )
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    registered_at = models.DateTimeField(_("registered at"))
    letter_date = models.DateField(_("date of the letter"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # The sender of an incoming letter, the recipient of an outgoing one.
    correspondent = models.CharField(_("correspondent"), max_length=CORRESPONDENT_MAX)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    summary = models.TextField(_("summary"), blank=True)
    # Folded correspondent and subject (infitah.lib.text.fold), the target of the list's
    # text filter: "ايت ملول" finds "آيت ملول", "eclairage" finds "Éclairage". Both
    # fields are fixed at registration, so the key never goes stale.
    search_key = models.TextField(blank=True, editable=False)
    attachment = models.FileField(
        _("scanned letter"), upload_to=attachment_path, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    attachment_content_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    service = models.ForeignKey(
        ServiceUnit,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    # The case the letter belongs to, as Deadline.subject_type/subject_id: the model's
    # label ("information.informationrequest"), its pk, and its public reference.
    case_type = models.CharField(_("case type"), max_length=CASE_TYPE_MAX, blank=True)
    case_id = models.CharField(_("case id"), max_length=CASE_ID_MAX, blank=True)
    case_reference = models.CharField(
        _("case reference"), max_length=CASE_REFERENCE_MAX, blank=True
    )
    in_reply_to = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("correspondence entry")
        verbose_name_plural = _("correspondence entries")
        ordering = ["-year", "-number"]
        constraints = [
            # Also the index of the list page, newest first (scanned backwards).
            models.UniqueConstraint(
                fields=["collectivity", "year", "number"],
                name="correspondence_entry_unique_number",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="correspondence_entry_number_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values),
                name="correspondence_entry_direction_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="correspondence_entry_channel_valid",
            ),
        ]
        indexes = [
            # The CSV export and the API list: one collectivity's entries in a date range.
            models.Index(
                fields=["collectivity", "registered_at"], name="correspondence_entry_date_idx"
            ),
            # "Which letters belong to this case?" from the case's page.
            models.Index(fields=["case_type", "case_id"], name="correspondence_entry_case_idx"),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        """The number as written on the letter: `2026/000123`."""
        return format_number(self.year, self.number)

    @property
    def is_incoming(self) -> bool:
        return self.direction == Direction.INCOMING

    @property
    def has_case(self) -> bool:
        return bool(self.case_type)


def format_number(year: int, number: int) -> str:
    return f"{year}/{number:06d}"
