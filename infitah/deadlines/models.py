"""The legal calendar: legal time limits, official calendar overrides, tracked deadlines."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from infitah.deadlines.workdays import Unit
from infitah.territories.models import Collectivity


class UnitChoices(models.TextChoices):
    WORKING_DAYS = Unit.WORKING_DAYS.value, _("working days")
    CALENDAR_DAYS = Unit.CALENDAR_DAYS.value, _("calendar days")
    CALENDAR_MONTHS = Unit.CALENDAR_MONTHS.value, _("calendar months")


class LegalLimit(models.Model):
    """A legal time limit (e.g. `ati.answer`: 20 working days, law 31.13).

    Durations are data, seeded by a data migration and editable by the network; no code
    holds a duration.
    """

    code = models.CharField(_("code"), max_length=64, unique=True)
    # The human name the staff reads (the code is only a hint beside it).
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    duration = models.PositiveIntegerField(_("duration"))
    unit = models.CharField(_("unit"), max_length=16, choices=UnitChoices.choices)
    legal_basis_ar = models.CharField(_("legal basis in Arabic"), max_length=300)
    legal_basis_fr = models.CharField(_("legal basis in French"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # A notice: the duty is due `duration` before the start day (e.g. an agenda published
    # 10 days before the sitting), not after it.
    counted_back = models.BooleanField(_("counted back from the start day"), default=False)

    class Meta:
        verbose_name = _("legal time limit")
        verbose_name_plural = _("legal time limits")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration__gt=0), name="legallimit_duration_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(unit__in=[u.value for u in Unit]), name="legallimit_unit_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.duration_label})"

    @property
    def duration_label(self) -> str:
        """The duration with its unit, in the plural form the language gives the number
        ("1 working day", "20 working days"; Arabic has six forms)."""
        n = self.duration
        if self.unit == UnitChoices.WORKING_DAYS:
            text = ngettext("%(n)s working day", "%(n)s working days", n)
        elif self.unit == UnitChoices.CALENDAR_DAYS:
            text = ngettext("%(n)s calendar day", "%(n)s calendar days", n)
        else:
            text = ngettext("%(n)s calendar month", "%(n)s calendar months", n)
        return text % {"n": n}

    @property
    def legal_basis(self) -> str:
        if (get_language() or "ar").startswith("fr"):
            return self.legal_basis_fr
        return self.legal_basis_ar

    @property
    def name(self) -> str:
        """The name in the current language, else in the other one, else the description,
        else (a limit nobody named yet) the code."""
        if (get_language() or "ar").startswith("fr"):
            preferred, other = self.name_fr, self.name_ar
        else:
            preferred, other = self.name_ar, self.name_fr
        return preferred or other or self.description or self.code


class OverrideKind(models.TextChoices):
    ADD = "add", _("add a day off")
    REMOVE = "remove", _("remove a holiday")
    MOVE = "move", _("move a holiday")


class CalendarOverride(models.Model):
    """An official correction of the holiday calendar, network-wide.

    Rows are never changed or deleted: a correction of a correction is another override,
    applied in order of creation.
    """

    kind = models.CharField(_("kind"), max_length=8, choices=OverrideKind.choices)
    date = models.DateField(_("date"))
    new_date = models.DateField(_("new date"), null=True, blank=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=200, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    # The official announcement's reference (e.g. the ministry's communiqué number).
    reference = models.CharField(_("official reference"), max_length=200, blank=True)
    # Null when recorded on the server's command line (`manage.py calendar_override`).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="move") & models.Q(new_date__isnull=False))
                | (~models.Q(kind="move") & models.Q(new_date__isnull=True)),
                name="calendaroverride_new_date_iff_move",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["add", "remove", "move"]),
                name="calendaroverride_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        if self.new_date is not None:
            return f"{self.kind} {self.date.isoformat()} → {self.new_date.isoformat()}"
        return f"{self.kind} {self.date.isoformat()}"


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    CANCELLED = "cancelled", _("cancelled")


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def open(self) -> DeadlineQuerySet:
        return self.filter(status=DeadlineStatus.OPEN)

    def overdue(self, today: date | None = None) -> DeadlineQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def for_collectivity(self, collectivity: Collectivity) -> DeadlineQuerySet:
        return self.filter(collectivity=collectivity)


class Deadline(models.Model):
    """An open legal duty of a collectivity about one case (the subject).

    Overdue is derived from `due_date` and today, never stored.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="deadlines",
    )
    limit = models.ForeignKey(
        LegalLimit, verbose_name=_("legal time limit"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"))
    # The subject's model label_lower (e.g. "information.informationrequest") and pk.
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    label = models.CharField(_("label"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When the sweep found the period passed unmet and did what the case's process does
    # then (once): a fact about the past, not an "overdue" flag, which stays derived.
    expiry_noted_at = models.DateTimeField(_("expiry noted at"), null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["due_date", "pk"]
        indexes = [
            # The staff inbox: open deadlines of a collectivity, soonest first.
            models.Index(
                fields=["collectivity", "due_date"],
                condition=models.Q(status="open"),
                name="deadline_open_inbox_idx",
            ),
            # The sweep (open/overdue counts) and the recompute after a calendar override.
            models.Index(fields=["status", "due_date"], name="deadline_status_due_idx"),
            # The deadlines of one case.
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject_idx"),
            # The expiry sweep: open periods past due whose expiry is not yet noted.
            models.Index(
                fields=["due_date"],
                condition=models.Q(status="open", expiry_noted_at__isnull=True),
                name="deadline_expiry_sweep_idx",
            ),
        ]
        constraints = [
            # No order between start and due date: a notice (LegalLimit.counted_back) is
            # due before its start day; due_date_compute alone sets the due date.
            models.CheckConstraint(
                condition=(models.Q(status="open") & models.Q(closed_at__isnull=True))
                | (~models.Q(status="open") & models.Q(closed_at__isnull=False)),
                name="deadline_closed_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.due_date.isoformat()})"

    @property
    def is_open(self) -> bool:
        return self.status == DeadlineStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()
