"""Collective-intelligence labs (opinion mapping): a question, short statements, votes of
verified participants, and the persisted reports of the opinion groups.

- `Lab`: one question of one collectivity, open between two dates; `revision` counts the
  changes that alter the maths (votes, moderation), `computed_revision` the one its
  latest report covers, so "the report is being updated" is `revision > computed_revision`.
- `Statement`: ≤ 280 characters, seeded by the staff or written by a participant
  (pending until approved when the lab moderates; rejected with a reason).
- `Voter`: a participant's opaque, stable number in one lab (1, 2, 3… in order of first
  vote); exports and reports name voters by it, never by the participant.
- `Vote`: agree (1) / disagree (-1) / pass (0); one per participant and statement.
- `LabReport`: one run of the maths, with the parameters that produced it.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infitah.participation.models import Audience

QUESTION_MAX = 300
DESCRIPTION_MAX = 5_000
STATEMENT_MAX = 280
REASON_MAX = 500
SEED_MAX = 2**31 - 1


def _localised(ar: str, fr: str) -> str:
    if (get_language() or "ar").startswith("fr"):
        return fr or ar
    return ar or fr


def seed_new() -> int:
    """A lab's random seed, drawn once at creation and kept: same votes, same report."""
    return secrets.randbelow(SEED_MAX) + 1


class LabQuerySet(models.QuerySet["Lab"]):
    def for_collectivity(self, collectivity_id: int) -> LabQuerySet:
        return self.filter(collectivity_id=collectivity_id)

    def published(self, at: datetime | None = None) -> LabQuerySet:
        """Labs the public sees: opened (open now or closed)."""
        return self.filter(opens_at__lte=at or timezone.now())

    def open(self, at: datetime | None = None) -> LabQuerySet:
        now = at or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self, at: datetime | None = None) -> LabQuerySet:
        return self.filter(closes_at__lte=at or timezone.now())


class Lab(models.Model):
    """One question put to the public, open from `opens_at` until `closes_at`."""

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="labs"
    )
    # Network-wide items only (the network's space): participation.models.Audience.
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.LOCAL
    )
    question_ar = models.CharField(_("question in Arabic"), max_length=QUESTION_MAX)
    question_fr = models.CharField(_("question in French"), max_length=QUESTION_MAX, blank=True)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    moderate_statements = models.BooleanField(
        _("moderate participants' statements"),
        default=True,
        help_text=_("A participant's statement is shown only once the staff approve it."),
    )
    seed = models.PositiveIntegerField(_("random seed of the maths"), default=seed_new)
    # Bumped (F() + 1) by every vote and moderation decision; the report task records the
    # value it read, so a change made while it computes leaves the lab "being updated".
    revision = models.PositiveIntegerField(default=0)
    computed_revision = models.PositiveIntegerField(default=0)
    # When a recomputation was last enqueued: at most one every LABS_RECOMPUTE_SECONDS.
    recompute_queued_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LabQuerySet.as_manager()

    class Meta:
        verbose_name = _("lab")
        verbose_name_plural = _("labs")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="lab_closes_after_opens",
            ),
        ]
        indexes = [
            # The collectivity's list, newest first.
            models.Index(fields=["collectivity", "-opens_at"], name="lab_collectivity_opens"),
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def question(self) -> str:
        return _localised(self.question_ar, self.question_fr)

    @property
    def description(self) -> str:
        return _localised(self.description_ar, self.description_fr)

    @property
    def is_open(self) -> bool:
        return self.opens_at <= timezone.now() < self.closes_at

    @property
    def is_upcoming(self) -> bool:
        return timezone.now() < self.opens_at

    @property
    def is_closed(self) -> bool:
        return self.closes_at <= timezone.now()

    @property
    def days_left(self) -> int:
        """Whole days until closing, rounded up (0 once closed)."""
        seconds = (self.closes_at - timezone.now()).total_seconds()
        return max(0, math.ceil(seconds / 86_400))

    @property
    def is_dirty(self) -> bool:
        """Votes or moderation changed since the latest report."""
        return self.revision > self.computed_revision


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class StatementQuerySet(models.QuerySet["Statement"]):
    def approved(self) -> StatementQuerySet:
        return self.filter(status=StatementStatus.APPROVED)

    def pending(self) -> StatementQuerySet:
        return self.filter(status=StatementStatus.PENDING)


class Statement(models.Model):
    """A short statement people agree or disagree with."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(_("statement"), max_length=STATEMENT_MAX)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StatementStatus.choices,
        default=StatementStatus.PENDING,
    )
    rejection_reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    # Exactly one author: a participant, or the staff (seeded statements).
    author = models.ForeignKey(
        "participation.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lab_statements",
    )
    is_seed = models.BooleanField(_("seeded by the collectivity"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "text"], name="lab_statement_text_unique"),
            models.CheckConstraint(
                condition=~models.Q(text=""), name="lab_statement_text_not_empty"
            ),
        ]
        indexes = [
            # Routing and the moderation queue: a lab's statements of one status.
            models.Index(fields=["lab", "status"], name="lab_statement_status"),
        ]

    def __str__(self) -> str:
        return self.text


class Voter(models.Model):
    """A participant's opaque number in one lab: the only name exports and reports use."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="voters")
    participant = models.ForeignKey(
        "participation.Participant", on_delete=models.CASCADE, related_name="lab_voters"
    )
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        ordering = ["lab", "number"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "participant"], name="lab_voter_unique"),
            models.UniqueConstraint(fields=["lab", "number"], name="lab_voter_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.lab_id} #{self.number}"


class VoteValue(models.IntegerChoices):
    AGREE = 1, _("Agree")
    DISAGREE = -1, _("Disagree")
    PASS = 0, _("Pass / unsure")


class Vote(models.Model):
    """One participant's position on one statement; a changed mind updates it."""

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(
        "participation.Participant", on_delete=models.CASCADE, related_name="lab_votes"
    )
    value = models.SmallIntegerField(_("vote"), choices=VoteValue.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "participant"], name="lab_vote_one_per_participant"
            ),
            models.CheckConstraint(
                condition=models.Q(value__in=[-1, 0, 1]), name="lab_vote_value_valid"
            ),
        ]
        indexes = [
            # "Which statements has this participant voted on in this lab" (routing).
            models.Index(fields=["lab", "participant"], name="lab_vote_participant"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} → {self.statement_id}: {self.value}"


class LabReport(models.Model):
    """One computation of the opinion groups, kept with what produced it.

    `params`: seed, min_votes, max_k, revision, vote_count, voter and statement counts,
    excluded statements; `result`: the maths module's `LabResult.to_json()`.
    """

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="reports")
    computed_at = models.DateTimeField(_("computed at"))
    revision = models.PositiveIntegerField()
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("lab report")
        verbose_name_plural = _("lab reports")
        ordering = ["-revision", "-computed_at", "-pk"]
        indexes = [
            # The latest report of a lab.
            models.Index(fields=["lab", "-revision", "-computed_at"], name="lab_report_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.lab_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
