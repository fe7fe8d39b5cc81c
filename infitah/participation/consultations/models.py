"""Public consultations on a collectivity's drafts: the consultation and its sections, the
participants' comments (with one level of replies) and stances, the synthesis and the
collectivity's response section by section. The rules live in `services.py`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infitah.participation.consultations.workflow import (
    WITH_REASON,
    CommentStatus,
    Kind,
    Moderation,
    Phase,
    RejectionReason,
    StanceValue,
)
from infitah.participation.models import Audience
from infitah.territories.models import Kind as CollectivityKind

TITLE_MAX = 200
TEXT_MAX = 20_000  # a section's body, a description, a synthesis, a response
COMMENT_MAX = 5_000
REASON_NOTE_MAX = 500


def localised(ar: str, fr: str) -> str:
    """The French text when French is active (else the Arabic), the other one if empty."""
    if (get_language() or "ar").startswith("fr"):
        return fr or ar
    return ar or fr


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def upcoming(self, now: dt.datetime | None = None) -> ConsultationQuerySet:
        return self.filter(opens_at__gt=now or timezone.now())

    def open(self, now: dt.datetime | None = None) -> ConsultationQuerySet:
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self, now: dt.datetime | None = None) -> ConsultationQuerySet:
        return self.filter(closes_at__lte=now or timezone.now())

    def public(self) -> ConsultationQuerySet:
        """Consultations shown to the public: those of the network's members and of the
        network's own space (`Collectivity.has_public_space`)."""
        return self.filter(
            models.Q(collectivity__is_network_member=True)
            | models.Q(collectivity__kind=CollectivityKind.NETWORK)
        )


class Consultation(models.Model):
    """A collectivity consults the public on a draft (action plan, regulation, budget
    orientation…) between `opens_at` and `closes_at`."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    # Network-wide items only (the network's space): participation.models.Audience.
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.LOCAL
    )
    kind = models.CharField(_("draft"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    description_ar = models.TextField(_("presentation in Arabic"), blank=True)
    description_fr = models.TextField(_("presentation in French"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    moderation = models.CharField(
        _("moderation"), max_length=8, choices=Moderation.choices, default=Moderation.PRE
    )
    synthesis_ar = models.TextField(_("synthesis in Arabic"), blank=True)
    synthesis_fr = models.TextField(_("synthesis in French"), blank=True)
    synthesis_published_at = models.DateTimeField(
        _("synthesis published at"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="consultation_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="consultation_has_title"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="consultation_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(moderation__in=Moderation.values),
                name="consultation_moderation_valid",
            ),
        ]
        indexes = [
            # The collectivity's public list and the staff list, newest first.
            models.Index(fields=["collectivity", "-opens_at"], name="consultation_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_ar, self.title_fr)

    @property
    def description(self) -> str:
        return localised(self.description_ar, self.description_fr)

    @property
    def synthesis(self) -> str:
        return localised(self.synthesis_ar, self.synthesis_fr)

    def phase(self, now: dt.datetime | None = None) -> Phase:
        now = now or timezone.now()
        if now < self.opens_at:
            return Phase.UPCOMING
        if now < self.closes_at:
            return Phase.OPEN
        return Phase.CLOSED

    @property
    def is_open(self) -> bool:
        return self.phase() == Phase.OPEN

    @property
    def is_closed(self) -> bool:
        return self.phase() == Phase.CLOSED

    @property
    def days_left(self) -> int | None:
        """Whole calendar days until the closing day (0: it closes today); None unless open."""
        if not self.is_open:
            return None
        return (timezone.localdate(self.closes_at) - timezone.localdate()).days

    @property
    def days_to_opening(self) -> int | None:
        if self.phase() != Phase.UPCOMING:
            return None
        return (timezone.localdate(self.opens_at) - timezone.localdate()).days

    @property
    def is_synthesis_published(self) -> bool:
        return self.synthesis_published_at is not None


class Section(models.Model):
    """A part of the draft, commented and supported or opposed on its own; after the
    closing, the collectivity's response to what was said about it."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    body_ar = models.TextField(_("text in Arabic"), blank=True)
    body_fr = models.TextField(_("text in French"), blank=True)
    response_ar = models.TextField(_("response in Arabic"), blank=True)
    response_fr = models.TextField(_("response in French"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="consultation_section_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_ar, self.title_fr)

    @property
    def body(self) -> str:
        return localised(self.body_ar, self.body_fr)

    @property
    def response(self) -> str:
        return localised(self.response_ar, self.response_fr)


class CommentQuerySet(models.QuerySet["Comment"]):
    def published(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.PUBLISHED)


class Comment(models.Model):
    """A participant's comment on a section, or a reply to a comment (one level).

    `consultation` repeats the section's, for the moderation queue and the report.
    The participant's e-mail address is never shown: only their display name.
    """

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    participant = models.ForeignKey(
        "participation.Participant", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("comment"))
    status = models.CharField(
        _("status"), max_length=16, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    reason = models.CharField(
        _("reason"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    reason_note = models.CharField(_("moderator's note"), max_length=REASON_NOTE_MAX, blank=True)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CommentStatus.values),
                name="consultation_comment_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(reason="") | models.Q(reason__in=RejectionReason.values),
                name="consultation_comment_reason_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=sorted(WITH_REASON)) | ~models.Q(reason=""),
                name="consultation_comment_refusal_has_reason",
            ),
        ]
        indexes = [
            # The published comments of a consultation's page, and the moderation queue.
            models.Index(
                fields=["consultation", "status", "created_at"], name="consultation_comment_idx"
            ),
            models.Index(fields=["section", "status"], name="consultation_comment_sec_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.section} — {self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == CommentStatus.PUBLISHED


class Stance(models.Model):
    """A participant supports or opposes a section: one stance per participant and
    section, changeable while the consultation is open."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="stances")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="stances")
    participant = models.ForeignKey(
        "participation.Participant", on_delete=models.CASCADE, related_name="+"
    )
    value = models.CharField(_("stance"), max_length=8, choices=StanceValue.choices)
    created_at = models.DateTimeField(_("taken at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("stance")
        verbose_name_plural = _("stances")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "participant"], name="consultation_stance_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(value__in=StanceValue.values),
                name="consultation_stance_value_valid",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "value"], name="consultation_stance_idx")]

    def __str__(self) -> str:
        return f"{self.section} — {self.value}"
