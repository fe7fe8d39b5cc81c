"""Surveys: a collectivity asks its verified participants a few questions, once each.

A survey is open between `opens_at` and `closes_at` once published (the calendar decides,
not a status kept in sync by a job). Each participant answers once: the unique
(survey, participant) of `Response` holds under concurrent submissions too.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from infitah.participation.models import Audience, Participant
from infitah.territories.models import Collectivity

TITLE_MAX = 200
DESCRIPTION_MAX = 5_000
QUESTION_MAX = 500
OPTION_MAX = 200
SCALE_LABEL_MAX = 60
ANSWER_TEXT_MAX = 5_000
MAX_QUESTIONS = 50
MAX_OPTIONS = 20


def _in_language(ar: str, fr: str) -> str:
    """The French text when French is active and there is one; the Arabic otherwise."""
    if (get_language() or "ar").startswith("fr"):
        return fr or ar
    return ar or fr


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("survey status", "Published")


class Kind(models.TextChoices):
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    SCALE_5 = "scale_5", _("Scale from 1 to 5")
    SCALE_10 = "scale_10", _("Scale from 0 to 10")
    TEXT = "text", _("Free text")


CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE})
SCALE_RANGES: dict[str, range] = {Kind.SCALE_5: range(1, 6), Kind.SCALE_10: range(11)}


class SurveyQuerySet(models.QuerySet["Survey"]):
    def for_collectivity(self, collectivity: Collectivity) -> SurveyQuerySet:
        return self.filter(collectivity=collectivity)

    def published(self) -> SurveyQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def open(self, now: datetime | None = None) -> SurveyQuerySet:
        now = now or timezone.now()
        return self.published().filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self, now: datetime | None = None) -> SurveyQuerySet:
        return self.published().filter(closes_at__lte=now or timezone.now())


class Survey(models.Model):
    collectivity = models.ForeignKey(
        Collectivity,
        verbose_name=_("collectivity"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    # Network-wide items only (the network's space): participation.models.Audience.
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.LOCAL
    )
    title_ar = models.CharField(_("title in Arabic"), max_length=TITLE_MAX, blank=True)
    title_fr = models.CharField(_("title in French"), max_length=TITLE_MAX, blank=True)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_fr = models.TextField(_("description in French"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    show_results_while_open = models.BooleanField(
        _("show the results while the survey is open"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=~models.Q(title_ar="", title_fr=""), name="survey_has_a_title"
            ),
        ]
        # The public list: a collectivity's published surveys, newest first.
        indexes = [
            models.Index(
                fields=["collectivity", "status", "-opens_at"], name="survey_public_list_idx"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _in_language(self.title_ar, self.title_fr)

    @property
    def description(self) -> str:
        return _in_language(self.description_ar, self.description_fr)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def is_open(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.is_published and self.opens_at <= now < self.closes_at

    def is_closed(self, now: datetime | None = None) -> bool:
        return self.is_published and (now or timezone.now()) >= self.closes_at

    def is_upcoming(self, now: datetime | None = None) -> bool:
        return self.is_published and (now or timezone.now()) < self.opens_at

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days until closing, counting a started day (0 once closed)."""
        seconds = (self.closes_at - (now or timezone.now())).total_seconds()
        return max(0, math.ceil(seconds / 86_400))

    def results_public(self, now: datetime | None = None) -> bool:
        """Anyone may read the results: after closing, or while open if chosen."""
        if not self.is_published:
            return False
        return self.is_closed(now) or (self.show_results_while_open and self.is_open(now))


class Question(models.Model):
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text_ar = models.CharField(_("question in Arabic"), max_length=QUESTION_MAX, blank=True)
    text_fr = models.CharField(_("question in French"), max_length=QUESTION_MAX, blank=True)
    is_required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    low_label_ar = models.CharField(
        _("label of the lowest value, in Arabic"), max_length=SCALE_LABEL_MAX, blank=True
    )
    low_label_fr = models.CharField(
        _("label of the lowest value, in French"), max_length=SCALE_LABEL_MAX, blank=True
    )
    high_label_ar = models.CharField(
        _("label of the highest value, in Arabic"), max_length=SCALE_LABEL_MAX, blank=True
    )
    high_label_fr = models.CharField(
        _("label of the highest value, in French"), max_length=SCALE_LABEL_MAX, blank=True
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text_ar="", text_fr=""), name="question_has_a_text"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _in_language(self.text_ar, self.text_fr)

    @property
    def low_label(self) -> str:
        return _in_language(self.low_label_ar, self.low_label_fr)

    @property
    def high_label(self) -> str:
        return _in_language(self.high_label_ar, self.high_label_fr)

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_scale(self) -> bool:
        return self.kind in SCALE_RANGES

    @property
    def scale(self) -> range:
        return SCALE_RANGES.get(self.kind, range(0))


class Option(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="options"
    )
    label_ar = models.CharField(_("label in Arabic"), max_length=OPTION_MAX, blank=True)
    label_fr = models.CharField(_("label in French"), max_length=OPTION_MAX, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(label_ar="", label_fr=""), name="option_has_a_label"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_language(self.label_ar, self.label_fr)


class Response(models.Model):
    """One participant's answers to one survey."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["submitted_at", "pk"]
        constraints = [
            # The rule "one answer per participant", held by the database: two submissions
            # at once both pass the service's check, and one of the inserts fails here.
            models.UniqueConstraint(
                fields=["survey", "participant"], name="survey_one_response_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Answer(models.Model):
    """One answer to one question: a chosen option (one row per option for several
    choices), a value of a scale, or a text."""

    response = models.ForeignKey(
        Response, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="answers"
    )
    option = models.ForeignKey(
        Option,
        verbose_name=_("option"),
        on_delete=models.CASCADE,
        related_name="answers",
        null=True,
        blank=True,
    )
    value = models.SmallIntegerField(_("value"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "option"], name="answer_option_once"
            ),
        ]
        # The results: counts per (question, option, value) of one survey's answers.
        indexes = [models.Index(fields=["question", "option"], name="answer_results_idx")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
