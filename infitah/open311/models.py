"""The API keys of the organisations that send complaints over Open311 (docs/open311.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ORGANISATION_MAX = 200


class SenderKeyQuerySet(models.QuerySet["SenderKey"]):
    def live(self) -> SenderKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class SenderKey(models.Model):
    """The `api_key` one sending organisation (a reporting app, an NGO) uses to create
    complaints in one collectivity through Open311 GeoReport v2.

    Issued and revoked by the collectivity's administrator. The secret (`o311_…`) is
    shown once; the row keeps its keyed digest (looked up on each POST) and its first
    characters (`prefix`), so the administrator can tell keys apart.
    """

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.CASCADE,
        related_name="open311_keys",
    )
    organisation = models.CharField(_("sending organisation"), max_length=ORGANISATION_MAX)
    prefix = models.CharField(_("prefix"), max_length=12)
    # The lookup of every POST: a unique index on the keyed digest of the secret.
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("issued at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = SenderKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
