"""Budgets, gender budgeting and procurement of a collectivity.

Budget:
- `Budget`: a collectivity's budget for a year; `BudgetVersion`: one import of one phase
  (proposed, approved, amended, executed), the spreadsheet kept; `BudgetItem`: a line of
  the budget's structure (direction, section, chapter / article / paragraph / line),
  stable across versions, carrying its functional class, gender marker and, where
  relevant, the action-plan commitment it funds; `Amount`: the amount of an item in a
  version;
- gender budgeting: `GenderIndicator` (sex-disaggregated beneficiaries of an item),
  `GenderComment` (the equality advisory body's comments);
- `KeyDocumentLink`: which of the Open Budget Survey's eight key documents the
  collectivity published for the year (a document of the publication module);
- `FunctionalClass`: the functional classification (reference data, COFOG divisions);
- participatory budgeting: `ParticipatoryBudget` and its `ParticipatoryProject`s.

Procurement:
- `ProcurementPlan` (the forecast programme, البرنامج التوقعي) and its `PlannedItem`s;
- `Process`: a contracting process (OCDS ocid), its `Award`s, `Contract`s,
  `ContractAmendment`s, `Payment`s and `ProcessDocument`s;
- `Release`: each recorded step as an OCDS release, append-only (`ocds.py`).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infitah.finance.workflow import (
    Category,
    Direction,
    GenderMarker,
    KeyDocument,
    Phase,
    Procedure,
    Quarter,
    Section,
    Stage,
)
from infitah.lib.bilingual import Bilingual as Bilingual

TITLE_MAX = 300
NAME_MAX = 200
CODE_MAX = 16


def file_path(instance: Any, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"finance/{instance.collectivity_id_for_path()}/{uuid4().hex}{suffix}"


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


class FunctionalClass(Bilingual, models.Model):
    """A function of government (COFOG division), seeded by a migration."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=NAME_MAX)
    name_fr = models.CharField(_("name in French"), max_length=NAME_MAX)

    class Meta:
        verbose_name = _("function")
        verbose_name_plural = _("functions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self._pick("name")


# --- budget ---------------------------------------------------------------------------------


class Budget(models.Model):
    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="budgets",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["collectivity", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["collectivity", "year"], name="finance_budget_year"),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="finance_budget_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.collectivity} {self.year}"


class BudgetVersion(StoredFile):
    """One import of one phase of a budget: the spreadsheet as received, kept."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="versions")
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    number = models.PositiveSmallIntegerField(_("version"))
    # For an execution: the day the figures stand at.
    as_of = models.DateField(_("figures as of"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    total_revenue = models.DecimalField(
        _("total revenue"), default=0, max_digits=16, decimal_places=2
    )
    total_expenditure = models.DecimalField(
        _("total expenditure"), default=0, max_digits=16, decimal_places=2
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("budget version")
        verbose_name_plural = _("budget versions")
        ordering = ["budget", "phase", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "phase", "number"], name="finance_version_number"
            ),
            models.CheckConstraint(
                condition=models.Q(phase__in=Phase.values), name="finance_version_phase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.phase} v{self.number}"

    def collectivity_id_for_path(self) -> int:
        return int(self.budget.collectivity_id)


class BudgetItem(Bilingual, models.Model):
    """A line of the budget's structure, the same across the year's versions."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="items")
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    chapter = models.CharField(_("chapter"), max_length=CODE_MAX)
    article = models.CharField(_("article"), max_length=CODE_MAX, blank=True)
    paragraph = models.CharField(_("paragraph"), max_length=CODE_MAX, blank=True)
    line = models.CharField(_("line"), max_length=CODE_MAX, blank=True)
    # chapter.article.paragraph.line, as written (the identity within the budget).
    code = models.CharField(_("code"), max_length=4 * CODE_MAX + 3)
    label_ar = models.CharField(_("label in Arabic"), max_length=TITLE_MAX, blank=True)
    label_fr = models.CharField(_("label in French"), max_length=TITLE_MAX, blank=True)
    function = models.ForeignKey(
        FunctionalClass,
        verbose_name=_("function"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    gender_marker = models.PositiveSmallIntegerField(
        _("gender marker"), choices=GenderMarker.choices, null=True, blank=True
    )
    commitment = models.ForeignKey(
        "openplan.Commitment",
        verbose_name=_("action-plan commitment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_items",
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["budget", "direction", "section", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "direction", "section", "code"], name="finance_item_code"
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values), name="finance_item_direction"
            ),
            models.CheckConstraint(
                condition=models.Q(section__in=Section.values), name="finance_item_section"
            ),
            models.CheckConstraint(
                condition=models.Q(gender_marker__isnull=True)
                | models.Q(gender_marker__in=GenderMarker.values),
                name="finance_item_gender_marker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return self._pick("label")


class Amount(models.Model):
    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="amounts")
    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="amounts")
    # Negative for a reduction in an amended budget.
    amount = models.DecimalField(_("amount (MAD)"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("amount")
        verbose_name_plural = _("amounts")
        constraints = [
            models.UniqueConstraint(fields=["version", "item"], name="finance_amount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.amount}"


class GenderIndicator(Bilingual, models.Model):
    """Sex-disaggregated beneficiaries of an expenditure line."""

    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="gender_indicators")
    name_ar = models.CharField(_("name in Arabic"), max_length=TITLE_MAX, blank=True)
    name_fr = models.CharField(_("name in French"), max_length=TITLE_MAX, blank=True)
    women = models.PositiveIntegerField(_("women and girls"))
    men = models.PositiveIntegerField(_("men and boys"))
    measured_on = models.DateField(_("measured on"), null=True, blank=True)

    class Meta:
        verbose_name = _("beneficiaries indicator")
        verbose_name_plural = _("beneficiaries indicators")
        ordering = ["item", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name_ar="", name_fr=""), name="finance_gender_indicator_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self._pick("name")


class GenderComment(models.Model):
    """A comment of the equality advisory body on the budget or one of its lines."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="gender_comments")
    item = models.ForeignKey(
        BudgetItem, on_delete=models.CASCADE, null=True, blank=True, related_name="gender_comments"
    )
    body = models.ForeignKey(
        "advisory.Body", verbose_name=_("advisory body"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        verbose_name = _("gender budgeting comment")
        verbose_name_plural = _("gender budgeting comments")
        ordering = ["budget", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class KeyDocumentLink(models.Model):
    """One of the eight key budget documents, published in the publication module."""

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="key_documents")
    kind = models.CharField(_("document"), max_length=16, choices=KeyDocument.choices)
    document = models.ForeignKey("publication.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("key budget document")
        verbose_name_plural = _("key budget documents")
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind"], name="finance_key_document"),
            models.CheckConstraint(
                condition=models.Q(kind__in=KeyDocument.values), name="finance_key_document_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.budget} {self.kind}"


class ParticipatoryBudget(Bilingual, models.Model):
    """A share of a year's investment budget put to citizens' proposals and votes (a
    consultation or a survey of the participation module)."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="participatory_budgets"
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    envelope = models.DecimalField(
        _("envelope (MAD)"), validators=[MinValueValidator(0)], max_digits=16, decimal_places=2
    )
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("vote"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")
        ordering = ["budget", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="finance_pb_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")


class ParticipatoryProject(Bilingual, models.Model):
    campaign = models.ForeignKey(
        ParticipatoryBudget, on_delete=models.CASCADE, related_name="projects"
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    cost = models.DecimalField(
        _("cost (MAD)"), validators=[MinValueValidator(0)], max_digits=16, decimal_places=2
    )
    votes = models.PositiveIntegerField(_("votes"), default=0)
    is_retained = models.BooleanField(_("retained"), default=False)
    # The budget line the retained project flows into.
    item = models.ForeignKey(
        BudgetItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("participatory project")
        verbose_name_plural = _("participatory projects")
        ordering = ["campaign", "-votes", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="finance_pb_project_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")


# --- procurement --------------------------------------------------------------------------


class ProcurementPlan(models.Model):
    """The forecast programme of a year (published at the start of the year)."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="procurement_plans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("procurement forecast programme")
        verbose_name_plural = _("procurement forecast programmes")
        ordering = ["collectivity", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["collectivity", "year"], name="finance_plan_year"),
        ]

    def __str__(self) -> str:
        return f"{self.collectivity} {self.year}"


class PlannedItem(Bilingual, models.Model):
    plan = models.ForeignKey(ProcurementPlan, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("number"))
    object_ar = models.CharField(_("object in Arabic"), max_length=TITLE_MAX, blank=True)
    object_fr = models.CharField(_("object in French"), max_length=TITLE_MAX, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    estimated_amount = models.DecimalField(
        _("estimated amount (MAD)"),
        validators=[MinValueValidator(0)],
        max_digits=16,
        decimal_places=2,
    )
    quarter = models.PositiveSmallIntegerField(_("expected quarter"), choices=Quarter.choices)
    budget_item = models.ForeignKey(
        BudgetItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commitment = models.ForeignKey(
        "openplan.Commitment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("planned procurement")
        verbose_name_plural = _("planned procurements")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="finance_planned_number"),
            models.CheckConstraint(
                condition=~models.Q(object_ar="", object_fr=""), name="finance_planned_object"
            ),
        ]

    def __str__(self) -> str:
        return self.object

    @property
    def object(self) -> str:
        return self._pick("object")


class Process(Bilingual, models.Model):
    """A contracting process (OCDS), from its planning to its payments."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="procurement_processes",
    )
    ocid = models.CharField("ocid", max_length=128, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    planned_item = models.OneToOneField(
        PlannedItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="process"
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    procedure = models.CharField(_("procedure"), max_length=20, choices=Procedure.choices)
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.PLANNED
    )
    estimated_amount = models.DecimalField(
        _("estimated amount (MAD)"),
        validators=[MinValueValidator(0)],
        max_digits=16,
        decimal_places=2,
    )
    budget_item = models.ForeignKey(
        BudgetItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="processes"
    )
    commitment = models.ForeignKey(
        "openplan.Commitment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="processes",
    )
    # The call for tenders.
    tender_reference = models.CharField(_("tender reference"), max_length=64, blank=True)
    tender_published_on = models.DateField(_("notice published on"), null=True, blank=True)
    tender_deadline = models.DateTimeField(_("tenders due by"), null=True, blank=True)
    tender_url = models.URLField(_("notice on the procurement portal"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("procurement process")
        verbose_name_plural = _("procurement processes")
        ordering = ["collectivity", "-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="finance_process_title"
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=Stage.values), name="finance_process_stage"
            ),
        ]
        indexes = [models.Index(fields=["collectivity", "year"], name="finance_process_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")


class Award(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="awards")
    supplier_name = models.CharField(_("supplier"), max_length=NAME_MAX)
    # The supplier's ICE (identifiant commun de l'entreprise), when known.
    supplier_ice = models.CharField(_("supplier's ICE"), max_length=15, blank=True)
    amount = models.DecimalField(
        _("amount (MAD)"), validators=[MinValueValidator(0)], max_digits=16, decimal_places=2
    )
    awarded_on = models.DateField(_("awarded on"))

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["process", "awarded_on", "pk"]

    def __str__(self) -> str:
        return f"{self.supplier_name} {self.amount}"


class Contract(models.Model):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="contracts")
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(_("contract number"), max_length=64)
    amount = models.DecimalField(
        _("amount (MAD)"), validators=[MinValueValidator(0)], max_digits=16, decimal_places=2
    )
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["process", "signed_on", "pk"]

    def __str__(self) -> str:
        return self.reference


class ContractAmendment(models.Model):
    """An amendment (avenant) of a contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments")
    amended_on = models.DateField(_("amended on"))
    description = models.TextField(_("what changed"))
    # The change of the contract's amount (negative for a reduction).
    amount_change = models.DecimalField(
        _("change of amount (MAD)"), default=0, max_digits=16, decimal_places=2
    )

    class Meta:
        verbose_name = _("contract amendment")
        verbose_name_plural = _("contract amendments")
        ordering = ["contract", "amended_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contract} {self.amended_on}"


class Payment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(
        _("amount (MAD)"), validators=[MinValueValidator(0)], max_digits=16, decimal_places=2
    )
    reference = models.CharField(_("payment order"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["contract", "paid_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contract} {self.paid_on}: {self.amount}"


class ProcessDocument(StoredFile):
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="documents")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        verbose_name = _("procurement document")
        verbose_name_plural = _("procurement documents")
        ordering = ["process", "published_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def collectivity_id_for_path(self) -> int:
        return int(self.process.collectivity_id)


class Release(models.Model):
    """One OCDS release of a process: what was known at that step, never changed."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="releases")
    # Denormalised for the API's lists (by collectivity and date).
    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="+"
    )
    release_id = models.CharField(max_length=160, unique=True)
    date = models.DateTimeField(db_index=True)
    tags = models.JSONField(default=list)
    data = models.JSONField()

    class Meta:
        verbose_name = _("OCDS release")
        verbose_name_plural = _("OCDS releases")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["collectivity", "date"], name="finance_release_idx")]

    def __str__(self) -> str:
        return self.release_id
