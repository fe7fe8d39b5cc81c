"""Complaints, observations and suggestions (decree 2.17.265), and their settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infitah.cases.models import CaseAttachment, CaseMessage, CaseSettings
from infitah.cases.workflow import ClockDate
from infitah.complaints.workflow import OPEN, Kind, Outcome, Status

NAME_MAX = 200
ADDRESS_MAX = 300
TEXT_MAX = 10_000
PHONE_MAX = 30
POSTAL_MAX = 500
CHIKAYA_MAX = 64


def _localised(ar: str, fr: str) -> str:
    if (get_language() or "ar").startswith("fr"):
        return fr or ar
    return ar or fr


class ComplaintSettings(CaseSettings):
    """How one collectivity handles complaints: its complaints unit, reopening, publication."""

    collectivity = models.OneToOneField(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="complaint_settings"
    )
    complaints_unit = models.ForeignKey(
        "correspondence.ServiceUnit",
        verbose_name=_("complaints unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_days = models.PositiveIntegerField(
        _("days to reopen after the answer"),
        default=30,
        help_text=_("A citizen may reopen a complaint once within this many days of the answer."),
    )
    publish_answered = models.BooleanField(
        _("publish answered complaints (anonymised)"), default=True
    )

    class Meta:
        verbose_name = _("complaint settings")
        verbose_name_plural = _("complaint settings")


class Category(models.Model):
    """A category of complaints of one collectivity, routed to one service unit."""

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="complaint_categories"
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200)
    service = models.ForeignKey(
        "correspondence.ServiceUnit",
        verbose_name=_("service unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["name_fr", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self.name_ar, self.name_fr)


class StateExplanation(models.Model):
    """What a collectivity tells citizens a state means for them (written by it)."""

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=32, choices=Status.choices)
    text_ar = models.TextField(_("explanation in Arabic"), blank=True)
    text_fr = models.TextField(_("explanation in French"), blank=True)

    class Meta:
        verbose_name = _("state explanation")
        verbose_name_plural = _("state explanations")
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity", "status"], name="complaint_explanation_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.collectivity} — {self.status}"

    @property
    def text(self) -> str:
        return _localised(self.text_ar, self.text_fr)


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def received(self) -> ComplaintQuerySet:
        return self.filter(received_on__isnull=False)

    def open(self) -> ComplaintQuerySet:
        return self.filter(status__in=list(OPEN))


class Complaint(models.Model):
    """A complaint, observation or suggestion to one collectivity.

    Contact details (name, e-mail, phone) are never public. The due dates are read from
    the current Deadline of each legal clock (`acknowledge_deadline`, `answer_deadline`):
    a calendar correction that moves a Deadline moves them, as nothing copies them.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    service = models.ForeignKey(
        "correspondence.ServiceUnit",
        verbose_name=_("service unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.AWAITING_CONFIRMATION
    )
    description = models.TextField(_("description"))
    address = models.CharField(_("place"), max_length=ADDRESS_MAX, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=PHONE_MAX, blank=True)
    # The sender's postal address: the only contact allowed without an e-mail or a phone,
    # for a letter registered by staff (the answer then goes by post).
    postal_address = models.CharField(
        _("postal address"), max_length=POSTAL_MAX, blank=True, default=""
    )
    chikaya_reference = models.CharField(
        _("reference on chikaya.ma"), max_length=CHIKAYA_MAX, blank=True
    )
    language = models.CharField(_("language"), max_length=8, default="ar")
    tracking_digest = models.CharField(max_length=64, unique=True)
    tracking_token_encrypted = models.TextField()
    confirm_digest = models.CharField(max_length=64, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    # The current period of each clock (None before receipt); kept, closed, once met or
    # cancelled, so that its last due date stays readable.
    acknowledge_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("acknowledgement period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    answer_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("answer period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    is_acknowledged_late = models.BooleanField(default=False)
    is_answered_late = models.BooleanField(default=False)
    answer_days = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    competent_body = models.CharField(_("competent body"), max_length=300, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    is_published = models.BooleanField(_("published (anonymised)"), default=False)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ComplaintQuerySet.as_manager()

    acknowledge_by = ClockDate("acknowledge")
    answer_by = ClockDate("answer")

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity", "year", "number"], name="complaint_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="complaint_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="complaint_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(email="", phone="", postal_address=""),
                name="complaint_has_contact",
            ),
        ]
        indexes = [
            models.Index(fields=["collectivity", "-submitted_at"], name="complaint_list_idx"),
            models.Index(fields=["status", "submitted_at"], name="complaint_status_idx"),
            models.Index(fields=["collectivity", "category", "status"], name="complaint_dup_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


class Message(CaseMessage):
    """A text exchanged about a complaint, by the citizen or the unit."""

    class MessageKind(models.TextChoices):
        INFO_REQUEST = "info_request", _("Request for more information")
        REPLY = "reply", _("Information from the citizen")
        ANSWER = "answer", _("Answer")
        REOPEN = "reopen", _("Reopening")
        NOTE = "note", _("Note")

    case = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)

    class Meta(CaseMessage.Meta):
        pass


class Attachment(CaseAttachment):
    """A photo or document given with a complaint (checked by content)."""

    case = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")

    class Meta(CaseAttachment.Meta):
        pass
