"""The platform's own bookkeeping: heartbeats of its periodic processes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last run of a periodic process (`tick`): when it ended and what it did.

    One row per process, overwritten at the end of each run; the network's health page
    reads it to tell whether the sweeps still run (network/health.py).
    """

    key = models.CharField(_("process"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("last run at"))
    detail = models.TextField(_("what it did"), blank=True)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.key} @ {self.at:%Y-%m-%d %H:%M}"
