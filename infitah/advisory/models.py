"""Advisory bodies (الهيئات الاستشارية) of a collectivity, their members, meetings and
documents, and the referrals and opinions that go between them and the council.

- `Body`: one of the bodies the law requires (regions: equity, youth, economic issues;
  communes and prefectures/provinces: equity) or one the collectivity created;
- `BodyMember`: its composition, mostly civil society, with its bureau;
- `BodyMeeting` and `BodyDocument` (minutes, annual reports, opinions);
- `Referral`: a case of the engine (workflow.py, process.py): a referral from the council
  or the president, or a self-initiated opinion, up to the council's public answer.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infitah.advisory.workflow import Answer, Origin, Status
from infitah.cases.workflow import ClockDate
from infitah.council.models import NAME_MAX, TITLE_MAX, Bilingual, Tracked


class BodyKind(models.TextChoices):
    EQUITY = "equity", _("Equity, equal opportunities and gender")
    YOUTH = "youth", _("Youth issues")
    ECONOMIC = "economic", _("Economic issues")
    OTHER = "other", _("Other body")


class Body(Tracked, Bilingual):
    """An advisory body of a collectivity (OParl Organization, classification advisory)."""

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="advisory_bodies"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BodyKind.choices)
    name_ar = models.CharField(_("name in Arabic"), max_length=NAME_MAX)
    name_fr = models.CharField(_("name in French"), max_length=NAME_MAX, blank=True)
    # The article that requires it (e.g. "111.14 art. 117"); blank for a body the
    # collectivity created on its own.
    legal_basis = models.CharField(_("legal basis"), max_length=NAME_MAX, blank=True)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)

    class Meta:
        verbose_name = _("advisory body")
        verbose_name_plural = _("advisory bodies")
        ordering = ["collectivity", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._pick("name")

    @property
    def description(self) -> str:
        return self._pick("description")


class BodyRole(models.TextChoices):
    PRESIDENT = "president", _("President")
    VICE_PRESIDENT = "vice_president", _("Vice-president")
    RAPPORTEUR = "rapporteur", _("Rapporteur")
    DEPUTY_RAPPORTEUR = "deputy_rapporteur", _("Deputy rapporteur")
    MEMBER = "member", pgettext_lazy("advisory body role", "Member")


class BodyMember(Tracked, Bilingual):
    """A member of an advisory body, with the organisation they come from."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advisory_seats",
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=NAME_MAX)
    name_fr = models.CharField(_("name in French"), max_length=NAME_MAX, blank=True)
    organisation = models.CharField(
        _("association or organisation"), max_length=NAME_MAX, blank=True
    )
    role = models.CharField(
        _("role"), max_length=20, choices=BodyRole.choices, default=BodyRole.MEMBER
    )
    started_on = models.DateField(_("member since"))
    ended_on = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["body", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._pick("name")


class BodyMeeting(Tracked):
    """A meeting of an advisory body (OParl Meeting of its organization), with minutes."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    place = models.CharField(_("place"), max_length=TITLE_MAX, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)

    class Meta:
        verbose_name = _("body meeting")
        verbose_name_plural = _("body meetings")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.body} — {self.starts_at:%Y-%m-%d}"


class BodyDocumentKind(models.TextChoices):
    MINUTES = "minutes", _("Minutes")
    ANNUAL_REPORT = "annual_report", _("Annual report")
    OPINION = "opinion", _("Opinion")
    OTHER = "other", _("Other document")


def body_document_path(instance: BodyDocument, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"advisory/{instance.body.collectivity_id}/{uuid4().hex}{suffix}"


class BodyDocument(Tracked):
    """A file of a body: minutes of a meeting, its annual report, the text of an opinion."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="documents")
    meeting = models.ForeignKey(
        BodyMeeting, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    referral = models.ForeignKey(
        "advisory.Referral",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BodyDocumentKind.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    file = models.FileField(upload_to=body_document_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("body document")
        verbose_name_plural = _("body documents")
        ordering = ["body", "-pk"]

    def __str__(self) -> str:
        return self.title


class Referral(Tracked, Bilingual):
    """A matter before an advisory body (OParl Paper, with a Consultation of the body):
    a referral from the council or its president, or a self-initiated opinion.

    Due dates are read from the current Deadline of each clock, never copied.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="referrals"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    subject_ar = models.CharField(_("subject in Arabic"), max_length=TITLE_MAX)
    subject_fr = models.CharField(_("subject in French"), max_length=TITLE_MAX, blank=True)
    question = models.TextField(_("matter referred"), blank=True)
    referred_on = models.DateField(_("referred on"), null=True, blank=True)
    # The council session that decided the referral, if it came from a sitting.
    session = models.ForeignKey(
        "council.Session",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    opinion_ar = models.TextField(_("opinion (Arabic)"), blank=True)
    opinion_fr = models.TextField(_("opinion (French)"), blank=True)
    adopted_on = models.DateField(_("opinion adopted on"), null=True, blank=True)
    transmitted_on = models.DateField(_("transmitted on"), null=True, blank=True)
    # The council's answer: comply or explain.
    answer = models.CharField(_("answer"), max_length=16, choices=Answer.choices, blank=True)
    answer_reasons_ar = models.TextField(_("reasons (Arabic)"), blank=True)
    answer_reasons_fr = models.TextField(_("reasons (French)"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    # The agenda item where the council considered the opinion, if any.
    agenda_item = models.ForeignKey(
        "council.AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opinion_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("opinion period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answer_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("answer period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opinion_due = ClockDate("opinion")
    answer_due = ClockDate("answer")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["collectivity", "status"])]

    def __str__(self) -> str:
        return self.reference or self.subject

    @property
    def subject(self) -> str:
        return self._pick("subject")

    @property
    def opinion(self) -> str:
        return self._pick("opinion")

    @property
    def answer_reasons(self) -> str:
        return self._pick("answer_reasons")
