"""The network's own life: its charter, membership (applications and history), events
and trainings with their registrations, and the practices members share.

Membership gates a collectivity's public space: `Collectivity.is_network_member` and
`joined_network_on` stay the flags every page reads; `Member` holds the rest (status,
the focal point's public contact) and `MemberChange` the history, each change also in
the ledger.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 300


def localised(ar: str, fr: str) -> str:
    """The text in the active language, falling back on the other one."""
    if (get_language() or "ar").startswith("fr"):
        return fr or ar
    return ar or fr


def deliberation_path(instance: Application, filename: str) -> str:
    return f"network/deliberations/{timezone.now():%Y}/{filename}"


def event_document_path(instance: EventDocument, filename: str) -> str:
    return f"network/events/{instance.event_id}/{filename}"


def practice_document_path(instance: PracticeDocument, filename: str) -> str:
    return f"network/practices/{instance.practice_id}/{filename}"


class Charter(models.Model):
    """One version of the network's charter, published; members accept a version when
    they apply."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX)
    body_ar = models.TextField(_("text in Arabic"))
    body_fr = models.TextField(_("text in French"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("charter")
        verbose_name_plural = _("charters")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def title(self) -> str:
        return localised(self.title_ar, self.title_fr)

    @property
    def body(self) -> str:
        return localised(self.body_ar, self.body_fr)


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """A collectivity's application to join the network, with its council's decision,
    the charter version it accepts and its focal point."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="network_applications",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    # The council's decision to join.
    decision_date = models.DateField(_("date of the council's decision"))
    decision_reference = models.CharField(_("reference of the decision"), max_length=100)
    deliberation = models.FileField(
        _("deliberation"), upload_to=deliberation_path, max_length=200, blank=True
    )
    charter = models.ForeignKey(
        Charter, verbose_name=_("charter"), on_delete=models.PROTECT, related_name="applications"
    )
    charter_accepted_at = models.DateTimeField(_("charter accepted at"))
    # Who submitted it (a signed-in account, or the contact given on the public form).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    applicant_name = models.CharField(_("applicant's name"), max_length=200)
    applicant_email = models.EmailField(_("applicant's e-mail address"))
    applicant_function = models.CharField(_("applicant's function"), max_length=200, blank=True)
    # The focal point (نقطة الارتكاز), invited with that role on acceptance.
    focal_point_name = models.CharField(_("focal point's name"), max_length=200)
    focal_point_email = models.EmailField(_("focal point's e-mail address"))
    focal_point_phone = models.CharField(_("focal point's phone"), max_length=32, blank=True)
    # The focal point's consent to show the address and phone on the members' pages.
    focal_point_publish_email = models.BooleanField(_("publish the e-mail address"), default=False)
    focal_point_publish_phone = models.BooleanField(_("publish the phone"), default=False)
    # The collectivity's administrator, invited with the admin role on acceptance.
    admin_name = models.CharField(_("administrator's name"), max_length=200, blank=True)
    admin_email = models.EmailField(_("administrator's e-mail address"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("note on the decision"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("membership application")
        verbose_name_plural = _("membership applications")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity"],
                condition=models.Q(status="pending"),
                name="network_application_one_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collectivity} — {self.get_status_display()}"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Member")
    SUSPENDED = "suspended", _("Suspended")
    LEFT = "left", _("Left the network")


class Member(models.Model):
    """A collectivity's membership: its status and its focal point's public contact."""

    collectivity = models.OneToOneField(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="network_member",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    joined_on = models.DateField(_("joined on"))
    focal_point_name = models.CharField(_("focal point's name"), max_length=200, blank=True)
    # Published: the contact the focal point agreed to show (never a private address).
    focal_point_public_email = models.EmailField(_("focal point's public e-mail"), blank=True)
    focal_point_public_phone = models.CharField(
        _("focal point's public phone"), max_length=32, blank=True
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("network member")
        verbose_name_plural = _("network members")
        ordering = ["joined_on", "pk"]
        indexes = [models.Index(fields=["status", "joined_on"], name="network_member_status")]

    def __str__(self) -> str:
        return str(self.collectivity)


class ChangeKind(models.TextChoices):
    JOINED = "joined", _("Joined")
    SUSPENDED = "suspended", _("Suspended")
    REINSTATED = "reinstated", _("Reinstated")
    LEFT = "left", _("Left")


class MemberChange(models.Model):
    """One step of a collectivity's membership history (also in the ledger)."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="network_changes",
    )
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    application = models.ForeignKey(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")
        ordering = ["on", "pk"]
        indexes = [models.Index(fields=["on", "kind"], name="network_change_on")]

    def __str__(self) -> str:
        return f"{self.collectivity} — {self.get_kind_display()} — {self.on}"


class EventKind(models.TextChoices):
    GATHERING = "gathering", _("Yearly gathering")
    WORKSHOP = "workshop", _("Workshop")
    TRAINING = "training", _("Training")
    MEETING = "meeting", _("Meeting")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


class NetworkEventQuerySet(models.QuerySet["Event"]):
    def published(self) -> NetworkEventQuerySet:
        return self.filter(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED])


class Event(models.Model):
    """A network event: a gathering (with its workshops as child events), a workshop, a
    training or a meeting."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    description_ar = models.TextField(_("programme in Arabic"), blank=True)
    description_fr = models.TextField(_("programme in French"), blank=True)
    place_ar = models.CharField(_("place in Arabic"), max_length=200, blank=True)
    place_fr = models.CharField(_("place in French"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # Null: no limit.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    registration_open = models.BooleanField(_("registration open"), default=True)
    registration_closes_at = models.DateTimeField(
        _("registration closes at"), null=True, blank=True
    )
    report_ar = models.TextField(_("report in Arabic"), blank=True)
    report_fr = models.TextField(_("report in French"), blank=True)
    report_published_at = models.DateTimeField(_("report published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = NetworkEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("network event")
        verbose_name_plural = _("network events")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="network_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="network_event_has_title"
            ),
        ]
        indexes = [models.Index(fields=["status", "-starts_at"], name="network_event_list")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_ar, self.title_fr)

    @property
    def description(self) -> str:
        return localised(self.description_ar, self.description_fr)

    @property
    def place(self) -> str:
        return localised(self.place_ar, self.place_fr)

    @property
    def report(self) -> str:
        return localised(self.report_ar, self.report_fr)


class EventDocumentKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    PRESENTATION = "presentation", _("Presentation")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


class EventDocument(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(
        _("kind"), max_length=16, choices=EventDocumentKind.choices, default=EventDocumentKind.OTHER
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    file = models.FileField(_("file"), upload_to=event_document_path, max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("event document")
        verbose_name_plural = _("event documents")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_ar, self.title_fr)


class AttendeeRole(models.TextChoices):
    """The capacity in which someone attends (attendance is counted by it)."""

    FOCAL_POINT = "focal_point", _("Focal point")
    ELECTED = "elected", _("Elected member")
    STAFF = "staff", _("Administrative staff")
    ADVISORY_BODY = "advisory_body", _("Advisory body member")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    PARTNER = "partner", _("Partner or institution")
    OTHER = "other", _("Other")


class AttendeeGender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Registration(models.Model):
    """Someone registered for an event; `attended` is marked by the organisers."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="network_registrations",
    )
    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="network_registrations",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("capacity"), max_length=16, choices=AttendeeRole.choices)
    gender = models.CharField(
        _("gender"),
        max_length=16,
        choices=AttendeeGender.choices,
        default=AttendeeGender.UNDISCLOSED,
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # None: not marked yet.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="network_registration_once"),
        ]
        indexes = [models.Index(fields=["email"], name="network_registration_email")]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.event}"


class Theme(models.TextChoices):
    ACCESS_TO_INFORMATION = "information", _("Access to information")
    PROACTIVE_PUBLICATION = "publication", _("Proactive publication")
    PARTICIPATION = "participation", _("Citizen participation")
    COMPLAINTS = "complaints", _("Complaints and suggestions")
    PETITIONS = "petitions", _("Petitions")
    ADVISORY_BODIES = "advisory", _("Advisory bodies")
    BUDGET = "budget", _("Budget transparency")
    OPEN_DATA = "open_data", _("Open data")
    COMMUNICATION = "communication", _("Communication")
    DIGITAL = "digital", _("Digital services")
    OTHER = "other", _("Other")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PracticeQuerySet(models.QuerySet["Practice"]):
    def published(self) -> PracticeQuerySet:
        return self.filter(status=PracticeStatus.PUBLISHED)


class Practice(models.Model):
    """A practice a member shares with the others: what it did, documents, contacts."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="network_practices",
    )
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    summary_ar = models.TextField(_("summary in Arabic"), blank=True)
    summary_fr = models.TextField(_("summary in French"), blank=True)
    body_ar = models.TextField(_("description in Arabic"), blank=True)
    body_fr = models.TextField(_("description in French"), blank=True)
    contact_name = models.CharField(_("contact's name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact's e-mail"), blank=True)
    contact_phone = models.CharField(_("contact's phone"), max_length=32, blank=True)
    # Where it was presented, if at a network event.
    event = models.ForeignKey(
        Event,
        verbose_name=_("presented at"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practices",
    )
    # Folded title, summary and body in both languages (infitah.lib.text.fold).
    search_text = models.TextField(editable=False, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="network_practice_has_title"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "theme", "-published_at"], name="network_practice_list")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_ar, self.title_fr)

    @property
    def summary(self) -> str:
        return localised(self.summary_ar, self.summary_fr)

    @property
    def body(self) -> str:
        return localised(self.body_ar, self.body_fr)


class PracticeDocument(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="documents")
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    file = models.FileField(_("file"), upload_to=practice_document_path, max_length=200)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("practice document")
        verbose_name_plural = _("practice documents")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_ar, self.title_fr)
