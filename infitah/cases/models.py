"""The shapes every legal process shares: messages, attachments and settings.

They are abstract: each process has its own tables (its cases' foreign keys, its own
message kinds), in one shape. A concrete message or attachment declares `case`, a
foreign key to its case model with related_name "messages" / "attachments"; an
attachment may also declare `message`, the message it came with.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseMessage(models.Model):
    """A text exchanged about a case, by the citizen or the collectivity."""

    kind = models.CharField(_("kind"), max_length=32)
    text = models.TextField(_("text"))
    from_citizen = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    case: Any

    class Meta:
        abstract = True
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} — {self.kind}"


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    """Where a case's file is stored: <app>/<collectivity id>/<random name><suffix>."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"{instance._meta.app_label}/{instance.case.collectivity_id}/{uuid.uuid4().hex}{suffix}"


class CaseAttachment(models.Model):
    """A file given with a case or a message, checked by its content (lib/uploads)."""

    file = models.FileField(upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    case: Any

    class Meta:
        abstract = True
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class CaseSettings(models.Model):
    """How one collectivity runs a process: one row per collectivity, defaults until saved.

    A concrete settings model declares `collectivity`, a OneToOneField to Collectivity;
    `infitah.cases.selectors.settings_get` reads it, `services.settings_save` writes it.
    """

    collectivity: Any

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.collectivity)
