"""The council of a collectivity, its organs and its sessions without paper.

- `Term` (the mandate, e.g. 2021–2026), `Member` (a seat in the council for a term, a
  user with the council-member role when they have an account), `Committee` (standing
  committees) and `CommitteeSeat`;
- `Session` (a case of the engine: states in `workflow.py`, clocks in `process.py`), its
  `AgendaItem`s (each with its documents, rapporteur, committee report, and, once the
  sitting has voted, its result and decision), `Attendance` and `Vote` per member;
- `Document`: a file of a session or of an item (agenda, report, annex, minutes), with
  `Receipt`s: to which member it was distributed and when they first opened it;
- `Minutes`: the محضر, drafted, approved, then signed (a PAdES-signed PDF);
- `CouncilSettings`: per collectivity (the months of the ordinary sessions, quorum).

Every object the OParl API exposes carries `created_at`, `modified_at` and `deleted`:
a deleted object is kept and listed as deleted, never removed.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.cases.models import CaseSettings
from infitah.cases.workflow import ClockDate
from infitah.council.workflow import SessionKind, Status
from infitah.lib.bilingual import Bilingual as Bilingual

TITLE_MAX = 300
NAME_MAX = 200
URL_MAX = 500


class Tracked(models.Model):
    """What the OParl API needs of every object: when it was created and last modified,
    and whether it was deleted (kept, shown as deleted)."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    modified_at = models.DateTimeField(_("modified at"), default=timezone.now, db_index=True)
    deleted = models.BooleanField(_("deleted"), default=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.modified_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "modified_at"}
        super().save(*args, **kwargs)


class Term(Tracked, Bilingual):
    """A council's mandate (OParl LegislativeTerm), e.g. 2021–2026."""

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="council_terms"
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=NAME_MAX)
    name_fr = models.CharField(_("name in French"), max_length=NAME_MAX, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["-start_date", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._pick("name")


class MemberRole(models.TextChoices):
    PRESIDENT = "president", _("President")
    VICE_PRESIDENT = "vice_president", _("Vice-president")
    SECRETARY = "secretary", pgettext_lazy("council role", "Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    MEMBER = "member", pgettext_lazy("council role", "Member")


class Member(Tracked, Bilingual):
    """A seat in the council for a term (OParl Person + Membership of the council).

    `user` is set when the member has an account (the council-member role): they then
    receive the session documents electronically and their openings are recorded.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="council_members"
    )
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_seats",
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=NAME_MAX)
    name_fr = models.CharField(_("name in French"), max_length=NAME_MAX, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    # Order among the vice-presidents (1st, 2nd, ...); 0 for the other roles.
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    party = models.CharField(_("party"), max_length=NAME_MAX, blank=True)
    started_on = models.DateField(_("mandate started on"))
    ended_on = models.DateField(_("mandate ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["term", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "user"],
                condition=models.Q(user__isnull=False),
                name="council_member_one_seat_per_user",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._pick("name")


class Committee(Tracked, Bilingual):
    """A committee of the council (OParl Organization), standing unless said otherwise."""

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="council_committees"
    )
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="committees")
    name_ar = models.CharField(_("name in Arabic"), max_length=NAME_MAX)
    name_fr = models.CharField(_("name in French"), max_length=NAME_MAX, blank=True)
    is_standing = models.BooleanField(_("standing committee"), default=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["term", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._pick("name")


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    DEPUTY_CHAIR = "deputy_chair", _("Deputy chair")
    RAPPORTEUR = "rapporteur", _("Rapporteur")
    MEMBER = "member", pgettext_lazy("committee role", "Member")


class CommitteeSeat(Tracked):
    """A member's seat in a committee (OParl Membership of the committee)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="committee_seats")
    role = models.CharField(
        _("role"), max_length=16, choices=SeatRole.choices, default=SeatRole.MEMBER
    )

    class Meta:
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")
        ordering = ["committee", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "member"], name="council_one_seat")
        ]

    def __str__(self) -> str:
        return f"{self.committee} — {self.member}"


class Session(Tracked, Bilingual):
    """A session of the council (OParl Meeting), a case of the engine (`process.py`).

    `convocation` is 1 for a first convocation; a session adjourned for want of quorum is
    followed by a new one (`follows`) with the next number; from the one the law names
    (CouncilSettings.quorum_free_convocation, 3 by default: after two failures) the
    council deliberates with the members present.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="council_sessions"
    )
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=TITLE_MAX, blank=True)
    video_url = models.URLField(_("videoconference link"), max_length=URL_MAX, blank=True)
    is_public = models.BooleanField(_("public sitting"), default=True)
    broadcast_url = models.URLField(_("live broadcast link"), max_length=URL_MAX, blank=True)
    recording_url = models.URLField(_("recording link"), max_length=URL_MAX, blank=True)
    convocation = models.PositiveSmallIntegerField(_("convocation"), default=1)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows the adjourned session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followed_by",
    )
    agenda_published_at = models.DateTimeField(_("agenda published at"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    summary_ar = models.TextField(_("summary of decisions (Arabic)"), blank=True)
    summary_fr = models.TextField(_("summary of decisions (French)"), blank=True)
    summary_published_at = models.DateTimeField(_("summary published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The current periods of the two clocks (process.py); due dates read from them.
    agenda_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("agenda publication period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("summary publication period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agenda_due = ClockDate("agenda")
    summary_due = ClockDate("summary")

    class Meta:
        verbose_name = _("council session")
        verbose_name_plural = _("council sessions")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["collectivity", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def summary(self) -> str:
        return self._pick("summary")


class ItemResult(models.TextChoices):
    ADOPTED = "adopted", pgettext_lazy("vote result", "Adopted")
    REJECTED = "rejected", pgettext_lazy("vote result", "Rejected")
    POSTPONED = "postponed", pgettext_lazy("vote result", "Postponed")
    WITHDRAWN = "withdrawn", pgettext_lazy("vote result", "Withdrawn")
    NOTED = "noted", pgettext_lazy("vote result", "Noted, no vote")


class AgendaItem(Tracked, Bilingual):
    """A point of a session's agenda (OParl AgendaItem), and what the sitting decided.

    It may come from a petition the bureau accepted (`petition`) or from an advisory
    body's opinion (the opinion points at its item: `advisory.Referral.agenda_item`).
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    description = models.TextField(_("description"), blank=True)
    rapporteur = models.ForeignKey(
        Member,
        verbose_name=_("rapporteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    committee_report = models.TextField(_("committee report"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    petition = models.ForeignKey(
        "petitions.Petition",
        verbose_name=_("petition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    # What the sitting did: a summary of the deliberation, the result (computed from the
    # votes when there was a vote), the decision (مقرر) and its number.
    deliberation = models.TextField(_("summary of the deliberation"), blank=True)
    result = models.CharField(_("result"), max_length=16, choices=ItemResult.choices, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstentions"), default=0)
    decision_number = models.CharField(_("decision number"), max_length=64, blank=True)
    decision_ar = models.TextField(_("decision (Arabic)"), blank=True)
    decision_fr = models.TextField(_("decision (French)"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"],
                condition=models.Q(deleted=False),
                name="council_item_number_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def decision(self) -> str:
        return self._pick("decision")


class DocumentKind(models.TextChoices):
    AGENDA = "agenda", _("Agenda")
    REPORT = "report", _("Report")
    COMMITTEE_REPORT = "committee_report", _("Committee report")
    ANNEX = "annex", _("Annex")
    DECISION = "decision", _("Decision")
    MINUTES = "minutes", _("Minutes")


def document_path(instance: Document, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"council/{instance.session.collectivity_id}/{uuid4().hex}{suffix}"


class Document(Tracked):
    """A file of a session (OParl File), of one of its items when `item` is set.

    Checked by its content on upload (lib/uploads); `is_public` documents are shown to
    everyone once the agenda is published; the others only to members and staff.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="documents")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    file = models.FileField(upload_to=document_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["session", "item", "pk"]

    def __str__(self) -> str:
        return self.title


class Receipt(models.Model):
    """A document distributed to a member: when it was sent, when they first opened it
    and how many times (the paperless record)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="receipts")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="receipts")
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    open_count = models.PositiveIntegerField(_("openings"), default=0)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(fields=["document", "member"], name="council_one_receipt")
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.member}"


class Presence(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="attendance")
    presence = models.CharField(_("presence"), max_length=8, choices=Presence.choices)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="council_one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.session} — {self.member}: {self.presence}"


class Choice(models.TextChoices):
    FOR = "for", pgettext_lazy("vote", "For")
    AGAINST = "against", pgettext_lazy("vote", "Against")
    ABSTAIN = "abstain", pgettext_lazy("vote", "Abstain")
    NONE = "none", pgettext_lazy("vote", "Did not vote")


class Vote(models.Model):
    """A member's vote on an item; the item's result is computed from them."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="council_one_vote")]

    def __str__(self) -> str:
        return f"{self.item} — {self.member}: {self.choice}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("minutes status", "Draft")
    APPROVED = "approved", pgettext_lazy("minutes status", "Approved")
    SIGNED = "signed", pgettext_lazy("minutes status", "Signed")


def minutes_path(instance: Minutes, filename: str) -> str:
    return f"council/{instance.session.collectivity_id}/minutes-{uuid4().hex}.pdf"


class Minutes(Tracked):
    """The minutes (محضر) of a session: drafted, approved by the council, then signed by
    the president and the secretary (a PDF with a PAdES signature, `signed_pdf`)."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField(
        _("status"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    text_ar = models.TextField(_("minutes (Arabic)"), blank=True)
    text_fr = models.TextField(_("minutes (French)"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    signed_pdf = models.FileField(upload_to=minutes_path, max_length=200, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    # Who signed, as the certificate names them and as the council knows them.
    signers = models.JSONField(_("signers"), default=list, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.session}"


class CouncilSettings(CaseSettings):
    """One collectivity's council: the months of its ordinary sessions (the law's, per
    kind of collectivity, unless overridden here) and its quorum rule."""

    collectivity = models.OneToOneField(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="council_settings"
    )
    # Comma-separated month numbers; blank: INFITAH_COUNCIL_SESSION_MONTHS for the kind.
    session_months = models.CharField(
        _("months of the ordinary sessions"), max_length=40, blank=True
    )
    # From this convocation on, the council deliberates with the members present.
    quorum_free_convocation = models.PositiveSmallIntegerField(
        _("convocation held with the members present"), default=3
    )

    class Meta:
        verbose_name = _("council settings")
        verbose_name_plural = _("council settings")
