"""The open-data catalogue: datasets, their resources and tags (docs/opendata.md).

A dataset is either generated from one of the platform's public registers for one
collectivity (`source` names a `infitah.opendata.sources.Source`; its files are built
from the live data when downloaded), a network-wide one (no collectivity, e.g. the
openness index), or added by staff through the publication module (`source` "upload":
one published document series of the open-data category, its file the resource).

The catalogue rows are what the CKAN Action API and the DCAT-AP catalogue read: the
generated data is hashed by `datasets_sync` (infitah/opendata/sync.py), and
`metadata_modified` moves only when that hash changes.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from infitah.lib.bilingual import Bilingual


class Frequency(models.TextChoices):
    """The EU frequency vocabulary (http://publications.europa.eu/resource/authority/frequency/)."""

    CONTINUOUS = "CONT", _("Continuously updated")
    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL = "ANNUAL", _("Annual")
    IRREGULAR = "IRREG", _("Irregular")


class Tag(models.Model):
    """A CKAN tag (keyword): lower case, letters, digits, spaces, - _ ."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def active(self) -> DatasetQuerySet:
        return self.filter(is_active=True)


class Dataset(Bilingual, models.Model):
    """One dataset of the catalogue (a CKAN package, a dcat:Dataset)."""

    UPLOAD = "upload"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # CKAN's name: 2-100 characters, lower-case ASCII letters, digits, - and _; never changes.
    name = models.SlugField(_("name"), max_length=100, unique=True)
    # The publishing collectivity; null for a network-wide dataset.
    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="datasets",
        null=True,
        blank=True,
    )
    # The generator (a key of infitah.opendata.sources.registry()) or "upload".
    source = models.CharField(_("source"), max_length=40)
    # For "upload": the publication document series whose current version is the data.
    document_series = models.UUIDField(null=True, blank=True, unique=True)
    title_ar = models.CharField(_("title in Arabic"), max_length=300)
    title_fr = models.CharField(_("title in French"), max_length=300)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="datasets", blank=True)
    # An EU data theme code (http://publications.europa.eu/resource/authority/data-theme/).
    theme = models.CharField(_("theme"), max_length=8, default="GOVE")
    # A key of settings.INFITAH_OPENDATA_LICENSES.
    license_id = models.CharField(_("licence"), max_length=40)
    frequency = models.CharField(
        _("update frequency"), max_length=10, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers to"), null=True, blank=True)
    # SHA-256 of the generated rows (or of the uploaded file): a change moves metadata_modified.
    digest = models.CharField(max_length=64, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # Folded titles, descriptions, tags and publisher names (infitah.lib.text.fold): the
    # target of package_search's q.
    search_text = models.TextField(editable=False, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    metadata_created = models.DateTimeField(_("created"))
    metadata_modified = models.DateTimeField(_("modified"), db_index=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity", "source"],
                condition=~models.Q(source="upload"),
                name="dataset_one_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["collectivity", "is_active"], name="dataset_collectivity_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def description(self) -> str:
        return self._pick("description")


class Resource(Bilingual, models.Model):
    """One file of a dataset (a CKAN resource, a dcat:Distribution)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="resources"
    )
    # CSV, JSON, datapackage (a Tabular Data Package descriptor), XLSX, PDF, ... upper case
    # except "datapackage".
    format = models.CharField(_("format"), max_length=20)
    media_type = models.CharField(_("media type"), max_length=100)
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_fr = models.CharField(_("name in French"), max_length=200)
    # Absolute path on this site (e.g. /data/ait-melloul-documents.csv) or an absolute URL.
    url = models.CharField(_("address"), max_length=500)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    last_modified = models.DateTimeField(_("modified"))

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["dataset", "position"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "format"], name="resource_one_per_format"),
        ]
        indexes = [models.Index(fields=["format"], name="resource_format_idx")]

    def __str__(self) -> str:
        return f"{self.dataset.name} ({self.format})"

    @property
    def name(self) -> str:
        return self._pick("name")


class SyncState(models.Model):
    """A single row: when `datasets_sync` last looked at the event log (incremental runs)."""

    key = models.CharField(max_length=40, primary_key=True)
    synced_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} @ {self.synced_at:%Y-%m-%d %H:%M}"
