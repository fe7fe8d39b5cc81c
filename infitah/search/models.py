"""The search index: one row per searchable public object (a document, a decision...).

The analyzed text lives in `title_lexemes` and `lexemes` (see `analyzer.py`); each
database indexes those, never the raw text:

- PostgreSQL: a generated `tsvector` column `search_vector` (title weighted A, body D)
  with a GIN index, created by migration 0002 on PostgreSQL only;
- SQLite: the FTS5 table `search_fts` (rowid = SearchEntry.pk), created by migration
  0002 on SQLite only and kept in sync by `services.py`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from infitah.territories.models import Collectivity


class SearchEntry(models.Model):
    collectivity = models.ForeignKey(
        Collectivity,
        verbose_name=_("collectivity"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("URL"), max_length=500)
    date = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=64, blank=True)
    file_type = models.CharField(_("file type"), max_length=16, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    title_lexemes = models.TextField(editable=False, blank=True)
    lexemes = models.TextField(editable=False, blank=True)
    # Denormalised scope, so that "a region and everything under it" is one indexed
    # equality: the region of the collectivity (itself for a region) and its
    # prefecture/province (itself for one; the parent of a commune). Set by index_upsert.
    region_scope_id = models.BigIntegerField(null=True, editable=False)
    province_scope_id = models.BigIntegerField(null=True, editable=False)
    is_public = models.BooleanField(_("public"), default=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"], name="searchentry_unique_object"
            )
        ]
        # The candidate scan of a frequent word walks the entries newest (highest id)
        # first and stops after enough matches: the primary key unscoped, these scoped.
        indexes = [
            models.Index(fields=["collectivity", "-id"], name="searchentry_coll_idx"),
            models.Index(fields=["region_scope_id", "-id"], name="searchentry_region_idx"),
            models.Index(fields=["province_scope_id", "-id"], name="searchentry_province_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"
