"""The opening programme: a REMACTO opening programme or an OGP Local action plan.

- `Programme` (a case of the engine: `workflow.py`, `process.py`), its `Phase`s (the
  public timeline), its `Axis`es, its bodies' members (`BodyMember`) and meetings
  (`Meeting`, `MeetingDocument`);
- co-creation: `Workshop`s per axis, `Proposal`s (problems and solutions, online by
  participants or recorded on site by staff), their `ProposalComment`s and
  `ProposalSupport`s; duplicates are grouped (`Proposal.duplicate_of`), retained ones
  become commitments (`Commitment.proposals`);
- `Commitment`s with the OGP template fields, `Milestone`s (weighted, nested one level or
  more, cancellable), `Indicator`s and their `IndicatorValue`s, `ProgressReport`s (the
  lead unit's self-report), `Evidence`, `Assessment`s (monitoring committee and
  independent monitoring body, separately);
- `Version`: the programme frozen at adoption and at each amendment, with the council's
  decision (an agenda item), as a JSON file in the publication register;
- `ProgrammeDocument`: inception and final assessments, the plan as submitted;
- `Candidacy` to OGP Local, with its `SupportLetter`s.

Progress is rolled up from weighted milestones by `progress.py` (pure functions) and
kept on each commitment and programme (`progress`), refreshed by the services whenever a
milestone changes.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.cases.workflow import ClockDate
from infitah.lib.bilingual import Bilingual as Bilingual
from infitah.openplan.progress import completion_of
from infitah.openplan.workflow import (
    PHASE_ORDER,
    AssessmentSource,
    Body,
    Completion,
    EarlyResults,
    EvidenceKind,
    Kind,
    MeetingDocumentKind,
    MemberRole,
    MilestoneStatus,
    PhaseKind,
    Potential,
    ProgrammeDocumentKind,
    ProposalKind,
    ProposalStatus,
    Sector,
    Status,
    WorkshopMode,
)
from infitah.participation.models import Gender

TITLE_MAX = 300
NAME_MAX = 200
TEXT_MAX = 20_000
PROPOSAL_MAX = 2_000
COMMENT_MAX = 2_000
URL_MAX = 500
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


def file_path(instance: Any, filename: str) -> str:
    """openplan/<collectivity id>/<random name><suffix> (the programme's collectivity)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"openplan/{instance.collectivity_id_for_path()}/{uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """A file checked by its content on upload (lib/uploads.check_upload)."""

    file = models.FileField(upload_to=file_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        abstract = True

    def collectivity_id_for_path(self) -> int:
        raise NotImplementedError


# --- the programme --------------------------------------------------------------------


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def public(self) -> ProgrammeQuerySet:
        """Programmes shown to the public: of network members, not abandoned."""
        return self.filter(collectivity__is_network_member=True).exclude(status=Status.ABANDONED)


class Programme(Bilingual, models.Model):
    """One cycle of a collectivity's opening programme or OGP Local action plan."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFTING
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    summary_ar = models.TextField(_("presentation in Arabic"), blank=True)
    summary_fr = models.TextField(_("presentation in French"), blank=True)
    # The implementation period (e.g. 2024–2025).
    starts_on = models.DateField(_("implementation starts on"))
    ends_on = models.DateField(_("implementation ends on"))
    # The independent monitoring body (a person or an organisation), OGP Local.
    independent_monitor = models.CharField(
        _("independent monitoring body"), max_length=NAME_MAX, blank=True
    )
    # The draft put to public consultation (participation.consultations), one section
    # per commitment.
    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation on the draft"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme",
    )
    submitted_on = models.DateField(_("submitted to OGP on"), null=True, blank=True)
    # Rolled up from the commitments' progress (progress.py), 0–100.
    progress = models.DecimalField(
        _("progress"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    # The last change the public can see (a report, a milestone, an indicator value…):
    # the public page warns when it is older than INFITAH_OPENPLAN_STALE_MONTHS.
    public_updated_at = models.DateTimeField(_("public page updated at"), default=timezone.now)
    update_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("public update period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inception_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("inception assessment period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    update_due = ClockDate("update")
    inception_due = ClockDate("inception")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="openplan_programme_title"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="openplan_programme_period",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=Kind.values), name="openplan_programme_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="openplan_programme_progress",
            ),
        ]
        indexes = [models.Index(fields=["collectivity", "-starts_on"], name="openplan_prog_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def summary(self) -> str:
        return self._pick("summary")

    def collectivity_id_for_path(self) -> int:
        return int(self.collectivity_id)


class Phase(models.Model):
    """A phase of the cycle with its planned dates, for the public timeline."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=16, choices=PhaseKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note_ar = models.CharField(_("note in Arabic"), max_length=TITLE_MAX, blank=True)
    note_fr = models.CharField(_("note in French"), max_length=TITLE_MAX, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["programme", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="openplan_phase_unique"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="openplan_phase_period",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=PhaseKind.values), name="openplan_phase_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.get_kind_display()}"

    @property
    def order(self) -> int:
        return PHASE_ORDER[self.kind]


class Axis(Bilingual, models.Model):
    """A theme of the programme (e.g. economic attractiveness, culture, governance)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="axes")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)

    class Meta:
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        ordering = ["programme", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="openplan_axis_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")


# --- forum and monitoring committee -----------------------------------------------------


class BodyMember(models.Model):
    """A member of the programme's forum or monitoring committee."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="body_members")
    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    gender = models.CharField(
        _("gender"), max_length=16, choices=Gender.choices, default=Gender.UNDISCLOSED
    )
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    organisation = models.CharField(_("organisation"), max_length=NAME_MAX, blank=True)
    # The advisory body this member is a delegate of (sector "advisory").
    advisory_body = models.ForeignKey(
        "advisory.Body",
        verbose_name=_("advisory body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["programme", "body", "role", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body__in=Body.values), name="openplan_member_body"
            ),
            models.CheckConstraint(
                condition=models.Q(sector__in=Sector.values), name="openplan_member_sector"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.left_on is None or self.left_on > timezone.localdate()


class Meeting(Bilingual, models.Model):
    """A meeting of the forum or of the monitoring committee: documents are shared
    before it, minutes after."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="meetings")
    body = models.CharField(_("body"), max_length=16, choices=Body.choices)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=TITLE_MAX, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=URL_MAX, blank=True)
    summary_ar = models.TextField(_("summary of the minutes in Arabic"), blank=True)
    summary_fr = models.TextField(_("summary of the minutes in French"), blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["programme", "-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="openplan_meeting_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def summary(self) -> str:
        return self._pick("summary")


class MeetingDocument(StoredFile):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=MeetingDocumentKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        ordering = ["meeting", "kind", "pk"]

    def __str__(self) -> str:
        return self.title

    def collectivity_id_for_path(self) -> int:
        return int(self.meeting.programme.collectivity_id)

    @property
    def is_shared_before(self) -> bool:
        return self.shared_at < self.meeting.starts_at


# --- co-creation ------------------------------------------------------------------------


class Workshop(Bilingual, models.Model):
    """A co-creation workshop, on one axis or on all of them. Online participants
    contribute between `opens_at` and `closes_at`; staff record on-site contributions."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="workshops")
    axis = models.ForeignKey(
        Axis,
        verbose_name=_("axis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workshops",
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    description_ar = models.TextField(_("presentation in Arabic"), blank=True)
    description_fr = models.TextField(_("presentation in French"), blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=WorkshopMode.choices)
    place = models.CharField(_("place"), max_length=TITLE_MAX, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    opens_at = models.DateTimeField(_("online contributions open at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("online contributions close at"), null=True, blank=True)
    onsite_participants = models.PositiveIntegerField(_("participants on site"), default=0)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["programme", "held_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="openplan_workshop_title"
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True, closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="openplan_workshop_window",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def description(self) -> str:
        return self._pick("description")

    @property
    def is_open(self) -> bool:
        """Whether online contributions are accepted now (the calendar, not a flag)."""
        if self.opens_at is None or self.closes_at is None:
            return False
        return self.opens_at <= timezone.now() < self.closes_at


class Proposal(models.Model):
    """A problem or a proposed solution on an axis: online by a participant
    (`participant`), or recorded by staff from an on-site workshop (`recorded_by`,
    `author_label`). Duplicates point at the proposal they were grouped under."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="proposals")
    workshop = models.ForeignKey(
        Workshop, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals"
    )
    axis = models.ForeignKey(
        Axis,
        verbose_name=_("axis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ProposalKind.choices)
    text = models.TextField(_("text"), max_length=PROPOSAL_MAX)
    participant = models.ForeignKey(
        "participation.Participant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_label = models.CharField(_("said by"), max_length=NAME_MAX, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PUBLISHED,
    )
    hidden_reason = models.CharField(_("reason"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("grouped under"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["programme", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ProposalKind.values), name="openplan_proposal_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(participant__isnull=False) | models.Q(recorded_by__isnull=False),
                name="openplan_proposal_has_author",
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("pk")),
                name="openplan_proposal_not_own_duplicate",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "axis", "kind"], name="openplan_proposal_idx"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_online(self) -> bool:
        return self.participant_id is not None

    @property
    def is_published(self) -> bool:
        return self.status == ProposalStatus.PUBLISHED


class ProposalComment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    participant = models.ForeignKey(
        "participation.Participant", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"), max_length=COMMENT_MAX)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PUBLISHED,
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment on a proposal")
        verbose_name_plural = _("comments on proposals")
        ordering = ["proposal", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ProposalSupport(models.Model):
    """A participant supports a proposal: once per participant and proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    participant = models.ForeignKey(
        "participation.Participant", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("supported at"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "participant"], name="openplan_support_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} — {self.participant_id}"


# --- commitments ------------------------------------------------------------------------


class Commitment(Bilingual, models.Model):
    """A commitment, with the fields of OGP's action-plan template."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="commitments")
    number = models.PositiveSmallIntegerField(_("number"))
    axis = models.ForeignKey(
        Axis,
        verbose_name=_("axis"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    problem_ar = models.TextField(_("public problem (Arabic)"), blank=True)
    problem_fr = models.TextField(_("public problem (French)"), blank=True)
    description_ar = models.TextField(_("what the commitment is (Arabic)"), blank=True)
    description_fr = models.TextField(_("what the commitment is (French)"), blank=True)
    solution_ar = models.TextField(_("how it solves the problem (Arabic)"), blank=True)
    solution_fr = models.TextField(_("how it solves the problem (French)"), blank=True)
    # OGP values; technology and innovation is a cross-cutting tag.
    value_access = models.BooleanField(_("access to information"), default=False)
    value_participation = models.BooleanField(_("civic participation"), default=False)
    value_accountability = models.BooleanField(_("public accountability"), default=False)
    tag_technology = models.BooleanField(_("technology and innovation"), default=False)
    lead_unit = models.CharField(_("lead unit"), max_length=NAME_MAX, blank=True)
    partners_government = models.TextField(_("government partners"), blank=True)
    partners_civil_society = models.TextField(_("civil society partners"), blank=True)
    budget = models.DecimalField(
        _("budget (MAD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # The budget line (its code in the budget; the finance module will link it).
    budget_line = models.CharField(_("budget line"), max_length=64, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The proposals of the co-creation it came from ("your proposal became commitment 3").
    proposals = models.ManyToManyField(
        Proposal, verbose_name=_("from the proposals"), blank=True, related_name="commitments"
    )
    # Its section in the draft's consultation (participation.consultations).
    section = models.OneToOneField(
        "consultations.Section",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitment",
    )
    # Rolled up from the milestones (progress.py), 0–100.
    progress = models.DecimalField(
        _("progress"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["programme", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="openplan_commitment_number"
            ),
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="openplan_commitment_title"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="openplan_commitment_progress",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="openplan_commitment_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def problem(self) -> str:
        return self._pick("problem")

    @property
    def description(self) -> str:
        return self._pick("description")

    @property
    def solution(self) -> str:
        return self._pick("solution")

    @property
    def completion(self) -> Completion:
        return completion_of(self.progress)


class Milestone(Bilingual, models.Model):
    """A step of a commitment, with its dates, weight and progress.

    A milestone with sub-milestones (`parent`) takes its progress from them; a leaf's
    progress is reported (0–100). A missing weight counts as the mean of its siblings'
    weights (1 when none has one); a cancelled milestone counts for nothing.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="milestones")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    # Reported progress of a leaf; for a milestone with children, the rolled-up value.
    progress = models.DecimalField(
        _("progress"), max_digits=5, decimal_places=2, default=Decimal(0), validators=PERCENT
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["commitment", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="openplan_milestone_title"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100),
                name="openplan_milestone_progress",
            ),
            models.CheckConstraint(
                condition=models.Q(weight__isnull=True) | models.Q(weight__gt=0),
                name="openplan_milestone_weight",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="openplan_milestone_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def status(self) -> MilestoneStatus:
        if self.is_cancelled:
            return MilestoneStatus.CANCELLED
        if self.progress >= 100:
            return MilestoneStatus.COMPLETED
        if self.progress > 0:
            return MilestoneStatus.IN_PROGRESS
        return MilestoneStatus.NOT_STARTED

    @property
    def is_late(self) -> bool:
        return (
            not self.is_cancelled
            and self.progress < 100
            and self.ends_on is not None
            and self.ends_on < timezone.localdate()
        )


class Indicator(Bilingual, models.Model):
    """A measure of a commitment's results: baseline, target, unit, values over time."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    name_ar = models.CharField(_("name in Arabic"), max_length=TITLE_MAX, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=TITLE_MAX, blank=True)
    unit = models.CharField(_("unit"), max_length=64, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=2)
    baseline_on = models.DateField(_("baseline measured on"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    target_on = models.DateField(_("target date"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["commitment", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_fr=""), name="openplan_indicator_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._pick("name")


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    measured_on = models.DateField(_("measured on"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    source_url = models.URLField(_("source"), max_length=URL_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "measured_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "measured_on"], name="openplan_indicator_value_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.measured_on}: {self.value}"


class ProgressReport(models.Model):
    """The lead unit's report on a commitment (its self-assessment): the progress of a
    milestone, a note, evidence. Kept: the history of what was reported when."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    progress = models.DecimalField(
        _("progress reported"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    note = models.TextField(_("report"), blank=True)
    unit = models.CharField(_("reported by the unit"), max_length=NAME_MAX, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["commitment", "-reported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.commitment} — {self.reported_at:%Y-%m-%d}"


class Evidence(StoredFile):
    """Evidence of a milestone's progress: a document or a photo (published in the
    register, `openplan.evidence`) or a link. `file` is empty for a link."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(
        ProgressReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    url = models.URLField(_("link"), max_length=URL_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["milestone", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="link", file="", url__gt="")
                | (~models.Q(kind="link") & ~models.Q(file="")),
                name="openplan_evidence_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def collectivity_id_for_path(self) -> int:
        return int(self.milestone.commitment.programme.collectivity_id)


class Assessment(models.Model):
    """An assessment of a commitment by the monitoring committee or the independent
    monitoring body, with OGP's fields. Each source keeps its own; both are shown."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="assessments")
    source = models.CharField(_("assessed by"), max_length=16, choices=AssessmentSource.choices)
    assessor = models.CharField(_("assessor"), max_length=NAME_MAX, blank=True)
    assessed_on = models.DateField(_("assessed on"))
    completion = models.CharField(_("completion"), max_length=16, choices=Completion.choices)
    is_verifiable = models.BooleanField(_("verifiable"), null=True, blank=True)
    has_open_government_lens = models.BooleanField(_("open-government lens"), null=True, blank=True)
    potential = models.CharField(
        _("potential for results"), max_length=16, choices=Potential.choices, blank=True
    )
    early_results = models.CharField(
        _("did it open government?"), max_length=16, choices=EarlyResults.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["commitment", "source", "-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=AssessmentSource.values),
                name="openplan_assessment_source",
            ),
            models.CheckConstraint(
                condition=models.Q(completion__in=Completion.values),
                name="openplan_assessment_completion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commitment} — {self.get_source_display()} {self.assessed_on}"


# --- adoption and documents -----------------------------------------------------------------


class Version(StoredFile):
    """The programme frozen by a council decision: version 1 at adoption, the next ones
    at each amendment. `file` is the programme's JSON export at that moment (the
    published schema), appended to the publication register (`openplan.version`)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    agenda_item = models.ForeignKey(
        "council.AgendaItem",
        verbose_name=_("council decision"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    adopted_on = models.DateField(_("adopted on"))
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("adopted version")
        verbose_name_plural = _("adopted versions")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="openplan_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.number}"

    def collectivity_id_for_path(self) -> int:
        return int(self.programme.collectivity_id)


class ProgrammeDocument(StoredFile):
    """A document about the whole programme: the inception or final assessment by the
    independent monitoring body, the plan as submitted to OGP…"""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=ProgrammeDocumentKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    dated = models.DateField(_("dated"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("programme document")
        verbose_name_plural = _("programme documents")
        ordering = ["programme", "-dated", "-pk"]

    def __str__(self) -> str:
        return self.title

    def collectivity_id_for_path(self) -> int:
        return int(self.programme.collectivity_id)


# --- OGP Local candidacy ----------------------------------------------------------------


class Candidacy(models.Model):
    """A collectivity's candidacy to OGP Local, with the eligibility criteria
    (domain.md §6) checked by `selectors.candidacy_eligibility`."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="ogp_candidacies",
    )
    # The action plan that came of it, once accepted.
    programme = models.OneToOneField(
        Programme,
        verbose_name=_("action plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidacy",
    )
    term_ends_on = models.DateField(_("the council's term ends on"))
    track_record = models.TextField(_("co-creation or open-government reform track record"))
    # The earlier cycle that shows the track record, when it is on the platform.
    track_record_programme = models.ForeignKey(
        Programme,
        verbose_name=_("earlier programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ambition = models.TextField(_("ambition"), blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("OGP Local candidacy")
        verbose_name_plural = _("OGP Local candidacies")
        ordering = ["collectivity", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepted_on__isnull=True)
                | models.Q(submitted_on__isnull=False, accepted_on__gte=models.F("submitted_on")),
                name="openplan_candidacy_accepted_after_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collectivity} — OGP Local"


class SupportLetter(StoredFile):
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="letters")
    author = models.CharField(_("author"), max_length=NAME_MAX)
    organisation = models.CharField(_("organisation"), max_length=NAME_MAX, blank=True)
    # The letter of the head of the collectivity (an eligibility criterion).
    is_from_head = models.BooleanField(_("from the head of the collectivity"), default=False)
    received_on = models.DateField(_("received on"))

    class Meta:
        verbose_name = _("letter of support")
        verbose_name_plural = _("letters of support")
        ordering = ["candidacy", "-is_from_head", "received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.author} ({self.organisation})"

    def collectivity_id_for_path(self) -> int:
        return int(self.candidacy.collectivity_id)
