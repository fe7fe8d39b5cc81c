"""The catalogue of proactive-publication categories and the documents published in it."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infitah.publication.workflow import Status


class Frequency(models.TextChoices):
    ON_CHANGE = "on_change", _("When it changes")
    PER_SESSION = "per_session", _("At each council session")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    FRENCH = "fr", _("French")
    AMAZIGH = "amazigh", _("Amazigh")
    MIXED = "mixed", _("Several languages")


class TextStatus(models.TextChoices):
    PENDING = "pending", _("Text extraction pending")
    EXTRACTED = "extracted", _("Text extracted")
    NO_TEXT_LAYER = "no_text_layer", _("Scanned document without a text layer")
    FAILED = "failed", _("Text extraction failed")
    NOT_APPLICABLE = "not_applicable", _("No text (image)")


def _localised(ar: str, fr: str) -> str:
    if (get_language() or "ar").startswith("fr"):
        return fr or ar
    return ar or fr


class CategoryQuerySet(models.QuerySet["Category"]):
    def active(self) -> CategoryQuerySet:
        return self.filter(is_active=True)

    def scored(self) -> CategoryQuerySet:
        """Categories that count in the compliance score."""
        return self.active().filter(counts_in_compliance=True)

    def for_kind(self, kind: str) -> list[Category]:
        """Active categories that apply to collectivities of `kind` (filtered in Python:
        a JSON `contains` lookup is not portable to SQLite)."""
        return [c for c in self.active().order_by("order", "code") if kind in c.applies_to]


class Category(models.Model):
    """One item of the proactive-publication catalogue (law 31.13 art. 10, SMIIG-DATA).

    Edited by network administrators in the Django admin; `code` is stable forever.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True, allow_unicode=False)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200)
    legal_basis_ar = models.CharField(_("legal basis in Arabic"), max_length=300, blank=True)
    legal_basis_fr = models.CharField(_("legal basis in French"), max_length=300, blank=True)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    # Kinds of collectivity (territories.Kind values) the obligation applies to.
    applies_to = models.JSONField(_("applies to"), default=list)
    frequency = models.CharField(
        _("expected update"), max_length=16, choices=Frequency.choices, default=Frequency.ON_CHANGE
    )
    # A category is "out of date" when its latest document is older than this; empty:
    # never out of date once published.
    max_age_days = models.PositiveIntegerField(_("out of date after (days)"), null=True, blank=True)
    is_mandatory = models.BooleanField(_("legal obligation"), default=True)
    is_smiig = models.BooleanField(_("SMIIG-DATA item"), default=False)
    # False while the legal basis or the item itself is not confirmed by a source.
    is_confirmed = models.BooleanField(_("confirmed by a source"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    # False for a category that is offered for publishing but is no obligation to score
    # (the open-data files: the openness index scores them under "open data").
    counts_in_compliance = models.BooleanField(_("counts in the compliance score"), default=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication category")
        verbose_name_plural = _("publication categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _localised(self.name_ar, self.name_fr)

    @property
    def legal_basis(self) -> str:
        return _localised(self.legal_basis_ar, self.legal_basis_fr)

    @property
    def description(self) -> str:
        return _localised(self.description_ar, self.description_fr)


def document_upload_to(instance: Document, filename: str) -> str:
    """documents/<collectivity slug>/<uuid>.<ext>: never the user's name on disk."""
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    ext = ext if ext.isalnum() and len(ext) <= 5 else "bin"
    return f"documents/{instance.collectivity.slug}/{uuid.uuid4().hex}.{ext}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def for_collectivity(self, collectivity: Any) -> DocumentQuerySet:
        return self.filter(collectivity=collectivity)

    def published(self) -> DocumentQuerySet:
        return self.filter(status=Status.PUBLISHED)


class Document(models.Model):
    """One version of a published document. Versions share `series`; nothing is deleted."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="documents"
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=300, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=300, blank=True)
    date = models.DateField(_("date of the document"))
    period_start = models.DateField(_("period covered: from"), null=True, blank=True)
    period_end = models.DateField(_("period covered: to"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=16, choices=Language.choices)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    text = models.TextField(_("extracted text"), blank=True)
    text_status = models.CharField(
        _("text status"), max_length=16, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    is_complete = models.BooleanField(_("complete"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED
    )
    series = models.UUIDField(_("series"), default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    published_at = models.DateTimeField(_("published at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ar="") | ~models.Q(title_fr=""),
                name="document_has_a_title",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["published", "superseded", "withdrawn"]),
                name="document_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__isnull=True)
                | models.Q(period_end__isnull=True)
                | models.Q(period_end__gte=models.F("period_start")),
                name="document_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="document_version_positive"
            ),
            models.UniqueConstraint(fields=["series", "version"], name="document_unique_version"),
            # At most one current version per series.
            models.UniqueConstraint(
                fields=["series"],
                condition=models.Q(status="published"),
                name="document_one_published_per_series",
            ),
        ]
        indexes = [
            # The public list: a collectivity's published documents, newest first.
            models.Index(fields=["collectivity", "status", "date"], name="document_list_idx"),
            # The compliance page: latest document per category.
            models.Index(fields=["collectivity", "category", "status"], name="document_cat_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _localised(self.title_ar, self.title_fr)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_withdrawn(self) -> bool:
        return self.status == Status.WITHDRAWN

    @property
    def is_superseded(self) -> bool:
        return self.status == Status.SUPERSEDED

    @property
    def reference_date(self) -> dt.date:
        """The date freshness is judged by: the end of the period covered, if later."""
        if self.period_end and self.period_end > self.date:
            return self.period_end
        return self.date
