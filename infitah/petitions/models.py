"""Petitions to territorial councils, their signatures, counts and integrity settings.

Privacy (law 09-08): an ID number (CIN) is never stored in clear. A signature keeps it
encrypted (`cin_encrypted`, readable back by an authorised officer), as a keyed hash
*per petition* (`cin_hash`, purpose "petition:<pk>": the hashes of one person on two
petitions do not match, so they cannot link their signatures) and as a mask for display
(`cin_masked`, "•••••654"). Signatures are deleted `retention_days` after the petition
is closed; the counts are kept on the petition (`final_*`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infitah.cases.models import CaseSettings
from infitah.cases.workflow import ClockDate
from infitah.petitions.workflow import (
    PUBLIC,
    Channel,
    Interest,
    Level,
    PetitionerKind,
    SignatureStatus,
    Status,
)
from infitah.territories.models import Kind

TITLE_MAX = 200
TEXT_MAX = 10_000
REQUEST_MAX = 2_000
NAME_MAX = 200
ADDRESS_MAX = 300
PHONE_MAX = 30
BASIS_MAX = 300
CNDP_MAX = 100
REASONS_MAX = 10_000

# Well-known throw-away mail services, refused by default (editable at run time).
DISPOSABLE_DOMAINS_DEFAULT = "\n".join(
    [
        "10minutemail.com",
        "guerrillamail.com",
        "mailinator.com",
        "yopmail.com",
        "yopmail.fr",
        "tempmail.com",
        "temp-mail.org",
        "throwawaymail.com",
        "trashmail.com",
        "getnada.com",
        "sharklasers.com",
        "maildrop.cc",
        "dispostable.com",
        "fakeinbox.com",
    ]
)


def level_of(kind: str) -> str:
    """The organic law's level of a collectivity kind (prefectures and provinces share one)."""
    if kind == Kind.REGION:
        return Level.REGION
    if kind in (Kind.PREFECTURE, Kind.PROVINCE):
        return Level.PROVINCE
    return Level.COMMUNE


class PetitionSettings(CaseSettings):
    """How one collectivity applies the petition rules (defaults: the law as published)."""

    collectivity = models.OneToOneField(
        "territories.Collectivity", on_delete=models.CASCADE, related_name="petition_settings"
    )
    threshold_override = models.PositiveIntegerField(
        _("required signatures (override)"),
        null=True,
        blank=True,
        help_text=_(
            "Only where the council publishes another figure than the law's band "
            "(e.g. 600 on some regional sites); give the basis below."
        ),
    )
    threshold_basis = models.CharField(
        _("basis of the override"),
        max_length=BASIS_MAX,
        blank=True,
        help_text=_("Where the figure comes from, e.g. “600 — Souss-Massa council page”."),
    )
    province_share_percent = models.PositiveSmallIntegerField(
        _("minimum share from each prefecture or province (%)"), default=5
    )
    association_min_years = models.PositiveSmallIntegerField(
        _("years an association must have existed (more than)"), default=3
    )
    retention_days = models.PositiveIntegerField(
        _("days signatures are kept after the petition is closed"), default=365
    )
    cndp_authorisation = models.CharField(
        _("CNDP authorisation number"),
        max_length=CNDP_MAX,
        blank=True,
        help_text=_("Reference of the CNDP prior authorisation to process signatories' data."),
    )

    class Meta:
        verbose_name = _("petition settings")
        verbose_name_plural = _("petition settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(province_share_percent__lte=100),
                name="petition_settings_share_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold_override__isnull=True)
                | models.Q(threshold_override__gte=1),
                name="petition_settings_override_positive",
            ),
        ]


class IntegritySettings(models.Model):
    """Network-wide anti-abuse settings of online signing: one row (pk=1), tuned at run
    time by a network administrator (no deploy). Read through a short cache
    (`integrity.integrity_settings_get`), which a save clears."""

    ip_limit_per_hour = models.PositiveIntegerField(
        _("signatures per hour from one IP address, per petition"), default=20
    )
    domain_limit_per_hour = models.PositiveIntegerField(
        _("signatures per hour from one e-mail domain, per petition"), default=500
    )
    disposable_domains = models.TextField(
        _("refused e-mail domains (one per line)"), blank=True, default=DISPOSABLE_DOMAINS_DEFAULT
    )
    enabled = models.BooleanField(_("checks enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("signature integrity settings")
        verbose_name_plural = _("signature integrity settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="integrity_settings_singleton")
        ]

    def __str__(self) -> str:
        return str(_("Signature integrity settings"))

    @property
    def disposable_set(self) -> frozenset[str]:
        return frozenset(
            line.strip().lower().lstrip("@")
            for line in self.disposable_domains.splitlines()
            if line.strip() and not line.strip().startswith("#")
        )


class PetitionQuerySet(models.QuerySet["Petition"]):
    def public(self) -> PetitionQuerySet:
        return self.filter(status__in=list(PUBLIC))

    def collecting(self) -> PetitionQuerySet:
        return self.filter(status=Status.COLLECTING)


class Petition(models.Model):
    """A petition asking a council to put a point within its competence on its agenda.

    The agent (وكيل العريضة) — or, for an association, its legal representative — is the
    single contact: `agent_*`. Their details are never public. `reference` and
    `lodged_on` are set at lodging; the decision due date is read from the current
    Deadline of the decision clock (`decision_deadline`), never copied, so a calendar
    correction that moves the Deadline moves it. `final_confirmed` and
    `final_per_province` keep the counts once the signatures are purged.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    channel = models.CharField(
        _("lodged"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    petitioner_kind = models.CharField(
        _("petitioner"), max_length=16, choices=PetitionerKind.choices
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text of the petition"))
    request = models.TextField(_("point asked for the council's agenda"))
    language = models.CharField(_("language"), max_length=8, default="ar")

    agent_name = models.CharField(_("full name"), max_length=NAME_MAX)
    agent_cin_encrypted = models.TextField(blank=True)
    agent_cin_masked = models.CharField(_("ID number"), max_length=16, blank=True)
    agent_email = models.EmailField(_("e-mail"), blank=True)
    agent_phone = models.CharField(_("phone"), max_length=PHONE_MAX, blank=True)
    agent_address = models.CharField(_("address"), max_length=ADDRESS_MAX, blank=True)

    association_name = models.CharField(_("association"), max_length=NAME_MAX, blank=True)
    association_founded_on = models.DateField(_("founded on"), null=True, blank=True)
    association_seat = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("seat or branch (commune)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    association_good_standing = models.BooleanField(_("in good standing"), default=False)
    association_object = models.TextField(_("object of the association"), blank=True)
    association_object_related = models.BooleanField(
        _("activity related to the petition"), default=False
    )

    manage_digest = models.CharField(max_length=64, unique=True)
    manage_token_encrypted = models.TextField(blank=True)
    confirm_digest = models.CharField(max_length=64, blank=True, db_index=True)

    reference = models.CharField(_("reference"), max_length=64, blank=True)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    collecting_since = models.DateTimeField(_("open for signatures since"), null=True, blank=True)
    lodged_on = models.DateField(_("lodged on"), null=True, blank=True)
    # The current period of the decision clock (None before lodging); kept, closed,
    # once the council has decided, rejected it or the petition was withdrawn.
    decision_deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name=_("decision period"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    threshold_at_lodging = models.PositiveIntegerField(null=True, blank=True)
    confirmed_at_lodging = models.PositiveIntegerField(null=True, blank=True)
    review_started_on = models.DateField(_("review started on"), null=True, blank=True)
    checklist = models.JSONField(_("admissibility checklist"), default=dict, blank=True)
    review_note = models.TextField(_("bureau's note"), blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    session_date = models.DateField(_("session date"), null=True, blank=True)
    session_title = models.CharField(_("session"), max_length=300, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_ar = models.TextField(_("decision (Arabic)"), blank=True)
    decision_fr = models.TextField(_("decision (French)"), blank=True)
    rejected_on = models.DateField(_("rejected on"), null=True, blank=True)
    rejection_reasons = models.TextField(_("reasons for the rejection"), blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    final_confirmed = models.PositiveIntegerField(null=True, blank=True)
    final_per_province = models.JSONField(default=dict, blank=True)
    signatures_purged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PetitionQuerySet.as_manager()

    decision_due = ClockDate("decision")

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="petition_unique_reference",
            ),
            models.UniqueConstraint(
                fields=["collectivity", "year", "number"],
                condition=models.Q(number__isnull=False),
                name="petition_unique_number",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="petition_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(petitioner_kind__in=PetitionerKind.values),
                name="petition_kind_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["collectivity", "status", "-created_at"], name="petition_list_idx"
            ),
            # petitions_purge: closed petitions whose signatures are still kept.
            models.Index(fields=["status", "closed_at"], name="petition_closed_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or self.title

    @property
    def level(self) -> str:
        return level_of(self.collectivity.kind)

    @property
    def is_collecting(self) -> bool:
        return self.status == Status.COLLECTING

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_association(self) -> bool:
        return self.petitioner_kind == PetitionerKind.ASSOCIATION

    @property
    def decision(self) -> str:
        """The published decision in the active language (the other one if missing)."""
        if (get_language() or "ar").startswith("fr"):
            return self.decision_fr or self.decision_ar
        return self.decision_ar or self.decision_fr


class Invalidation(models.Model):
    """One bulk invalidation of signatures by the bureau: who, when, on what criteria, why."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="invalidations")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    criteria = models.JSONField(_("criteria"), default=dict)
    reason = models.TextField(_("reason"))
    count = models.PositiveIntegerField(_("signatures invalidated"), default=0)

    class Meta:
        verbose_name = _("invalidation")
        verbose_name_plural = _("invalidations")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.petition} — {self.count}"


class Signature(models.Model):
    """One signatory's support, never counted twice: one row per (petition, CIN hash)
    whatever its status. A pending signature is counted only once confirmed; it is deleted
    by the sweep when it lapses, so that the same CIN may sign again."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    full_name = models.CharField(_("full name"), max_length=NAME_MAX)
    cin_encrypted = models.TextField()
    cin_hash = models.CharField(max_length=64)
    cin_masked = models.CharField(_("ID number"), max_length=16)
    residence = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("commune of residence or activity"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Denormalised: the prefecture or province of `residence`, for the per-province count.
    province = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("prefecture or province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    interest = models.CharField(
        _("interest"), max_length=16, choices=Interest.choices, default=Interest.RESIDENT
    )
    electoral_declaration = models.BooleanField(_("registered on the electoral lists"))
    email = models.EmailField(_("e-mail"), blank=True)
    email_domain = models.CharField(max_length=253, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent_hash = models.CharField(max_length=16, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SignatureStatus.choices,
        default=SignatureStatus.PENDING,
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    language = models.CharField(max_length=8, default="ar")
    confirm_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("signed at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("invalidated at"), null=True, blank=True)
    invalidation = models.ForeignKey(
        Invalidation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signatures",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["created_at", "pk"]
        constraints = [
            # The heart of "never counted twice": two concurrent submissions of one CIN
            # insert at most one row, whatever the status (the loser gets AlreadySigned).
            models.UniqueConstraint(
                fields=["petition", "cin_hash"], name="signature_unique_cin_per_petition"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=SignatureStatus.values),
                name="signature_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(electoral_declaration=True),
                name="signature_electoral_declaration",
            ),
        ]
        indexes = [
            # Statistics and the signatory list: confirmed signatures of a petition by time.
            models.Index(fields=["petition", "status", "confirmed_at"], name="signature_stats_idx"),
            # petitions_sweep: pending signatures by age.
            models.Index(fields=["status", "created_at"], name="signature_sweep_idx"),
            # Bulk invalidation by IP address or e-mail domain.
            models.Index(fields=["petition", "ip"], name="signature_ip_idx"),
            models.Index(fields=["petition", "email_domain"], name="signature_domain_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} — {self.cin_masked}"


class Tally(models.Model):
    """A shard of the confirmed count of a petition in one prefecture/province.

    A confirmation adds 1 to ONE random shard of N in its own transaction, so that
    concurrent confirmations rarely wait on the same row; the count is the sum of the
    shards (cached a few seconds). Invalidation and purge rewrite the shards from the
    signatures (`signatures.tally_recompute`).
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="tallies")
    province = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="+"
    )
    shard = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("signature tally")
        verbose_name_plural = _("signature tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "province", "shard"], name="tally_unique_shard"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}/{self.province_id}/{self.shard}: {self.count}"
