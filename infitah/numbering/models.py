"""Gapless counters: one per collectivity, series and year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """The last number given in one series (e.g. "ati") of one collectivity in one year."""

    collectivity = models.ForeignKey(
        "territories.Collectivity", on_delete=models.PROTECT, related_name="+"
    )
    series = models.CharField(_("series"), max_length=32)
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(
                fields=["collectivity", "series", "year"], name="counter_unique_series_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series}/{self.year}: {self.last}"
