"""The openness index: versioned methods (weights) and monthly scores (docs/openness.md).

A `Method` is immutable once a score refers to it: changing the weights creates the next
version. A `Score` is one collectivity's score for one month under one method; the
current month's row is recomputed as events arrive, earlier months stay as they were
(the history).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The items of the index, in the order the pages show them (infitah/openness/items.py
# computes each one).
ITEMS: tuple[str, ...] = (
    "publication",
    "information",
    "complaints",
    "petitions",
    "participation",
    "council",
    "programme",
    "budget",
    "opendata",
)

DEFAULT_WEIGHTS: dict[str, int] = {
    "publication": 20,
    "information": 15,
    "complaints": 10,
    "petitions": 5,
    "participation": 10,
    "council": 15,
    "programme": 10,
    "budget": 10,
    "opendata": 5,
}


class MethodQuerySet(models.QuerySet["Method"]):
    def current(self) -> Method:
        """The latest version (the one new scores are computed with).

        Migration 0002 seeds version 1; a table emptied since (a database flushed by
        hand or by a test) gets version 1 back with the default weights rather than
        stopping every tick round.
        """
        method = self.order_by("-version").first()
        if method is None:
            method, _created = self.get_or_create(
                version=1,
                defaults={
                    "weights": dict(DEFAULT_WEIGHTS),
                    "note": "Initial weights.",
                    "created_at": timezone.now(),
                },
            )
        return method


class Method(models.Model):
    """One version of the method: the weight of each item (whole numbers, any scale)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    weights = models.JSONField(_("weights"))
    note = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MethodQuerySet.as_manager()

    class Meta:
        verbose_name = _("openness method")
        verbose_name_plural = _("openness methods")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class Score(models.Model):
    """One collectivity's openness score for one month (the 1st of the month)."""

    collectivity = models.ForeignKey(
        "territories.Collectivity",
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="openness_scores",
    )
    month = models.DateField(_("month"))
    method = models.ForeignKey(
        Method, verbose_name=_("method"), on_delete=models.PROTECT, related_name="scores"
    )
    # 0-100, one decimal.
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1)
    # False when no item had any evidence: shown as "no data", not as a failure.
    has_data = models.BooleanField(_("has data"), default=False)
    # [{"code", "weight", "fraction" (0-1, or null: not measured), "points", "max_points",
    #   "evidence": {...}, "advice": [codes]}] in ITEMS order.
    items = models.JSONField(_("items"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("openness score")
        verbose_name_plural = _("openness scores")
        ordering = ["-month", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["collectivity", "month"], name="score_one_per_month"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                name="score_between_0_and_100",
            ),
        ]
        indexes = [models.Index(fields=["month", "score"], name="score_month_idx")]

    def __str__(self) -> str:
        return f"{self.collectivity_id} {self.month:%Y-%m}: {self.score}"


class RunState(models.Model):
    """A single row: when the index last read the event log (incremental updates)."""

    key = models.CharField(max_length=40, primary_key=True)
    ran_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} @ {self.ran_at:%Y-%m-%d %H:%M}"
