"""Access-to-information requests (law 31.13), their exchanges and attachments."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.cases.models import CaseAttachment, CaseMessage, CaseSettings
from infitah.cases.workflow import ClockDate
from infitah.information.workflow import (
    OPEN,
    ClarificationClock,
    ComplaintDecision,
    Outcome,
    Status,
)

# Longest accepted texts; forms and the API refuse longer input with a message.
NAME_MAX = 100
ADDRESS_MAX = 300
SUBJECT_MAX = 200
PHONE_MAX = 30
TEXT_MAX = 10_000


class RequesterType(models.TextChoices):
    CITIZEN = "citizen", _("Moroccan citizen")
    FOREIGN_RESIDENT = "foreign_resident", _("Foreigner legally resident in Morocco")


class IdType(models.TextChoices):
    CIN = "cin", _("National identity card (CIN)")
    RESIDENCE_CARD = "residence_card", _("Residence card")


class Delivery(models.TextChoices):
    EMAIL = "email", _("By e-mail")
    PAPER = "paper", _("Paper copy")
    CONSULTATION = "consultation", _("Consultation on site")


class InformationSettings(CaseSettings):
    """How one collectivity receives requests: its CNDP authorisation, desk and rules.

    Without a recorded CNDP authorisation (law 09-08, form F112) the collectivity may not
    collect identity numbers, so the platform does not take requests for it.
    """

    collectivity = models.OneToOneField(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="information_settings"
    )
    cndp_authorisation = models.CharField(
        _("CNDP authorisation number"),
        max_length=100,
        blank=True,
        help_text=_("Reference of the CNDP prior authorisation to process requesters' data."),
    )
    desk_email = models.EmailField(_("information desk e-mail"), blank=True)
    desk_phone = models.CharField(_("information desk phone"), max_length=40, blank=True)
    desk_address_ar = models.CharField(_("desk address in Arabic"), max_length=300, blank=True)
    desk_address_fr = models.CharField(_("desk address in French"), max_length=300, blank=True)
    clarification_clock = models.CharField(
        _("answer clock during a clarification"),
        max_length=16,
        choices=ClarificationClock.choices,
        default=ClarificationClock.RUN,
    )

    class Meta:
        verbose_name = _("access-to-information settings")
        verbose_name_plural = _("access-to-information settings")

    @property
    def is_accepting(self) -> bool:
        return bool(self.cndp_authorisation.strip())


class InformationRequestQuerySet(models.QuerySet["InformationRequest"]):
    def public(self) -> InformationRequestQuerySet:
        """Requests the collectivity received: the e-mail was confirmed (a request never
        confirmed, lapsed or withdrawn before confirming, was never received)."""
        return self.filter(received_on__isnull=False)

    def open(self) -> InformationRequestQuerySet:
        return self.filter(status__in=list(OPEN))


class InformationRequest(models.Model):
    """One request for information to one collectivity.

    The identity number is never stored in clear: `id_number_encrypted` (Fernet) and
    `id_number_hash` (keyed HMAC) come from `infitah.lib.pii`. The due dates are read
    from the current Deadline of each legal clock (`answer_deadline`, `head_deadline`):
    a calendar correction that moves a Deadline moves them, as nothing copies them.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="information_requests",
    )
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    year = models.PositiveIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.AWAITING_CONFIRMATION
    )
    requester_type = models.CharField(_("requester"), max_length=32, choices=RequesterType.choices)
    first_name = models.CharField(_("first name"), max_length=NAME_MAX)
    last_name = models.CharField(_("last name"), max_length=NAME_MAX)
    id_type = models.CharField(_("identity document"), max_length=32, choices=IdType.choices)
    id_number_encrypted = models.TextField(_("identity number (encrypted)"))
    id_number_hash = models.CharField(_("identity number (keyed hash)"), max_length=64)
    id_number_masked = models.CharField(_("identity number (masked)"), max_length=32)
    address = models.CharField(_("postal address"), max_length=ADDRESS_MAX)
    email = models.EmailField(_("e-mail"))
    # Optional: the requester is also told by SMS (docs/sms.md). Kept as typed, as a
    # complaint's phone; personal data, never public.
    phone = models.CharField(_("phone"), max_length=PHONE_MAX, blank=True)
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX)
    description = models.TextField(_("information requested"))
    is_urgent = models.BooleanField(_("urgent"), default=False)
    urgency_reason = models.TextField(_("why it is urgent"), blank=True)
    delivery = models.CharField(_("delivery"), max_length=16, choices=Delivery.choices)
    is_private = models.BooleanField(_("keep my request off the public register"), default=False)
    language = models.CharField(_("language"), max_length=8, default="ar")
    # Secret link of the requester: its SHA-256 (look-up) and its encryption (to put the
    # link in later e-mails). The clear token is never stored.
    tracking_digest = models.CharField(max_length=64, unique=True)
    tracking_token_encrypted = models.TextField()
    # The e-mail confirmation link carries a second secret, sent only by e-mail: the
    # tracking link (shown after filing, returned by the API) cannot confirm the address.
    confirm_digest = models.CharField(max_length=64, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    # The current period of the answer clock (None before receipt, or while a
    # clarification suspends it); kept, closed, once the request is answered.
    answer_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("answer period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_extended = models.BooleanField(_("extended"), default=False)
    deemed_refused_on = models.DateField(_("deemed refused on"), null=True, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answer_working_days = models.PositiveIntegerField(null=True, blank=True)
    is_answered_late = models.BooleanField(_("answered late"), default=False)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    refusal_reasons = models.JSONField(_("grounds for refusal"), default=list, blank=True)
    answer_document = models.ForeignKey(
        "publication.Document",
        verbose_name=_("published document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answer_link = models.URLField(_("link"), blank=True, max_length=500)
    is_answer_personal = models.BooleanField(_("the answer contains personal data"), default=False)
    transferred_to = models.ForeignKey(
        "self",
        verbose_name=_("transferred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transferred_from",
    )
    complaint_on = models.DateField(_("complaint lodged on"), null=True, blank=True)
    complaint_text = models.TextField(_("complaint"), blank=True)
    # The head's period to answer an internal complaint.
    head_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("period of the head"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    complaint_decided_on = models.DateField(_("complaint decided on"), null=True, blank=True)
    complaint_decision = models.CharField(
        _("decision"), max_length=16, choices=ComplaintDecision.choices, blank=True
    )
    complaint_decision_text = models.TextField(_("decision of the head"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = InformationRequestQuerySet.as_manager()

    due_date = ClockDate("answer")
    complaint_due_date = ClockDate("head")

    class Meta:
        verbose_name = _("access-to-information request")
        verbose_name_plural = _("access-to-information requests")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity", "year", "number"], name="ati_request_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="ati_request_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(is_urgent=False) | ~models.Q(urgency_reason=""),
                name="ati_request_urgent_has_reason",
            ),
        ]
        indexes = [
            # The public register of a collectivity, newest first.
            models.Index(fields=["collectivity", "-submitted_at"], name="ati_request_register_idx"),
            # The sweep: requests awaiting confirmation (past due: the Deadline rows).
            models.Index(fields=["status", "submitted_at"], name="ati_request_status_idx"),
            # "Repeated request in the same year": requests of one requester.
            models.Index(
                fields=["collectivity", "id_number_hash"], name="ati_request_requester_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def is_deemed_refused(self, today: date | None = None) -> bool:
        """No answer by the due date: the request is deemed refused (derived, not stored)."""
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def requester_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_answer_public(self) -> bool:
        return not (self.is_private or self.is_answer_personal)


class MessageKind(models.TextChoices):
    CLARIFICATION_REQUEST = "clarification_request", _("Request for clarification")
    CLARIFICATION_REPLY = "clarification_reply", _("Clarification from the requester")
    EXTENSION = "extension", _("Extension of the time limit")
    ANSWER = "answer", _("Answer")
    REFUSAL = "refusal", _("Refusal")
    TRANSFER = "transfer", _("Transfer")
    COMPLAINT = "complaint", _("Complaint to the head")
    COMPLAINT_DECISION = "complaint_decision", _("Decision on the complaint")
    WITHDRAWAL = "withdrawal", _("Withdrawal")


class Message(CaseMessage):
    """A text exchanged about a request, by the requester or the collectivity."""

    case = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=32, choices=MessageKind.choices)

    class Meta(CaseMessage.Meta):
        pass


class Attachment(CaseAttachment):
    """A file given with an answer or a decision (checked by content, lib/uploads)."""

    case = models.ForeignKey(
        InformationRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")

    class Meta(CaseAttachment.Meta):
        pass
