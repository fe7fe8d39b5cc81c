"""Writes of surveys: the focal point builds and publishes a survey; participants answer.

Rules (docs/participation.md):
- questions change only while nobody has answered (answers stay comparable);
- a survey is published with at least one question and a closing date to come;
- a participant answers a published survey once, between its opening and closing;
  a second submission, even at the same instant, changes nothing (`AlreadyAnswered`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.ledger.services import event_record
from infitah.lib.casework import too_long
from infitah.participation.models import Audience, Participant
from infitah.participation.services import (
    audience_error,
    audience_locked_error,
    eligibility_refusal,
)
from infitah.participation.surveys.models import (
    ANSWER_TEXT_MAX,
    DESCRIPTION_MAX,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    OPTION_MAX,
    QUESTION_MAX,
    SCALE_LABEL_MAX,
    SCALE_RANGES,
    TITLE_MAX,
    Answer,
    Kind,
    Option,
    Question,
    Response,
    Status,
    Survey,
)
from infitah.territories.models import Collectivity


class SurveyRefused(Exception):
    """The survey's state refuses the action now (HTTP 409); `code` names why."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotOpen(SurveyRefused):
    code = "not_open"


class Closed(SurveyRefused):
    code = "closed"


class AlreadyAnswered(SurveyRefused):
    code = "already_answered"


class QuestionsLocked(SurveyRefused):
    code = "questions_locked"


class NotEligible(SurveyRefused):
    """The participant is not of the survey's audience (a survey of the network
    addressed to its members)."""

    code = "not_eligible"


@dataclass
class SurveyInput:
    title_ar: str = ""
    title_fr: str = ""
    description_ar: str = ""
    description_fr: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    show_results_while_open: bool = False
    # Audience.LOCAL everywhere but in the network's own space (a network audience).
    audience: str = Audience.LOCAL


@dataclass
class QuestionInput:
    kind: str = ""
    text_ar: str = ""
    text_fr: str = ""
    is_required: bool = True
    order: int = 0
    # One (Arabic, French) pair per option, for the choice kinds.
    options: Sequence[tuple[str, str]] = ()
    low_label_ar: str = ""
    low_label_fr: str = ""
    high_label_ar: str = ""
    high_label_fr: str = ""


def _text(value: str, name: str, limit: int, errors: dict[str, str], *, line: bool) -> str:
    value = " ".join(value.split()) if line else value.strip()
    if "\x00" in value:
        errors[name] = _("This text contains a forbidden character.")
    elif len(value) > limit:
        errors[name] = too_long(limit)
    return value


def _pair(
    data: object, base: str, limit: int, errors: dict[str, str], missing: str, *, line: bool
) -> tuple[str, str]:
    """The Arabic and French texts `<base>_ar`, `<base>_fr`: at least one is required."""
    ar = _text(getattr(data, f"{base}_ar"), f"{base}_ar", limit, errors, line=line)
    fr = _text(getattr(data, f"{base}_fr"), f"{base}_fr", limit, errors, line=line)
    if not ar and not fr and f"{base}_ar" not in errors and f"{base}_fr" not in errors:
        errors[f"{base}_ar"] = missing
    return ar, fr


def _record(
    survey: Survey, action: str, actor: User | None, from_state: str = "", to_state: str = ""
) -> None:
    event_record(
        obj=survey,
        action=action,
        actor=actor,
        process="" if actor is not None else "system",
        collectivity=survey.collectivity,
        from_state=from_state,
        to_state=to_state,
    )


def _has_responses(survey: Survey) -> bool:
    return Response.objects.filter(survey=survey).exists()


@transaction.atomic
def survey_save(
    *,
    collectivity: Collectivity,
    actor: User | None,
    data: SurveyInput,
    survey: Survey | None = None,
) -> Survey:
    """Create a survey (a draft) or change one of `collectivity`'s surveys.

    ValidationError per field: a title (Arabic or French) is required, texts have
    limits, the closing comes after the opening, the audience is a network one in the
    network's own space and Audience.LOCAL elsewhere, and changes only while nobody has
    answered. Nothing changes then.
    """
    if survey is not None and survey.collectivity_id != collectivity.pk:
        raise ValueError("The survey belongs to another collectivity.")
    errors: dict[str, str] = {}
    title_ar, title_fr = _pair(
        data, "title", TITLE_MAX, errors, _("Give a title, in Arabic or in French."), line=True
    )
    description_ar = _text(
        data.description_ar, "description_ar", DESCRIPTION_MAX, errors, line=False
    )
    description_fr = _text(
        data.description_fr, "description_fr", DESCRIPTION_MAX, errors, line=False
    )
    if data.opens_at is None:
        errors["opens_at"] = _("Give the opening date and time.")
    if data.closes_at is None:
        errors["closes_at"] = _("Give the closing date and time.")
    if data.opens_at and data.closes_at and data.closes_at <= data.opens_at:
        errors["closes_at"] = _("The survey must close after it opens.")
    wrong_audience = audience_error(collectivity=collectivity, audience=data.audience)
    if wrong_audience is not None:
        errors["audience"] = wrong_audience
    elif survey is not None and survey.audience != data.audience and _has_responses(survey):
        errors["audience"] = audience_locked_error()
    if errors:
        raise ValidationError(errors)
    assert data.opens_at is not None and data.closes_at is not None
    created = survey is None
    if survey is None:
        survey = Survey(collectivity=collectivity, created_by=actor)
    survey.title_ar, survey.title_fr = title_ar, title_fr
    survey.description_ar, survey.description_fr = description_ar, description_fr
    survey.opens_at, survey.closes_at = data.opens_at, data.closes_at
    survey.show_results_while_open = data.show_results_while_open
    survey.audience = data.audience
    survey.save()
    if created:
        _record(survey, "survey.create", actor)
    return survey


def _options(data: QuestionInput, errors: dict[str, str]) -> list[tuple[str, str]]:
    if data.kind not in (Kind.SINGLE, Kind.MULTIPLE):
        if data.options:
            errors["options"] = _("Only questions with choices have options.")
        return []
    cleaned: list[tuple[str, str]] = []
    for ar, fr in data.options:
        ar, fr = " ".join(ar.split()), " ".join(fr.split())
        if not ar and not fr:
            continue
        if "\x00" in ar + fr:
            errors["options"] = _("This text contains a forbidden character.")
            return []
        if len(ar) > OPTION_MAX or len(fr) > OPTION_MAX:
            errors["options"] = _("An option has at most %(max)d characters.") % {"max": OPTION_MAX}
            return []
        cleaned.append((ar, fr))
    if len(cleaned) < 2:
        errors["options"] = _("Give at least two options, one per line.")
    elif len(cleaned) > MAX_OPTIONS:
        errors["options"] = _("At most %(max)d options.") % {"max": MAX_OPTIONS}
    elif len(set(cleaned)) != len(cleaned):
        errors["options"] = _("Two options are the same.")
    return cleaned


def _check_editable(survey: Survey) -> None:
    if _has_responses(survey):
        raise QuestionsLocked(_("Participants have answered: the questions can no longer change."))


@transaction.atomic
def question_save(
    *, survey: Survey, actor: User | None, data: QuestionInput, question: Question | None = None
) -> Question:
    """Add a question to `survey`, or change one of its questions (its options are
    replaced). QuestionsLocked once someone answered; ValidationError per field."""
    # Locked: a response committed meanwhile would otherwise meet changed questions.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if question is not None and question.survey_id != survey.pk:
        raise ValueError("The question belongs to another survey.")
    _check_editable(survey)
    errors: dict[str, str] = {}
    if data.kind not in Kind.values:
        errors["kind"] = _("Choose the kind of question.")
    text_ar, text_fr = _pair(
        data,
        "text",
        QUESTION_MAX,
        errors,
        _("Write the question, in Arabic or French."),
        line=True,
    )
    labels = {
        name: _text(getattr(data, name), name, SCALE_LABEL_MAX, errors, line=True)
        for name in ("low_label_ar", "low_label_fr", "high_label_ar", "high_label_fr")
    }
    if data.kind not in SCALE_RANGES and any(labels.values()):
        errors.setdefault("low_label_ar", _("Only scales have labels."))
    if not 0 <= data.order <= 1000:
        errors["order"] = _("Give a number between 0 and 1000.")
    options = _options(data, errors)
    if question is None and survey.questions.count() >= MAX_QUESTIONS:
        errors["kind"] = _("A survey has at most %(max)d questions.") % {"max": MAX_QUESTIONS}
    if errors:
        raise ValidationError(errors)
    if question is None:
        question = Question(survey=survey)
    question.kind = data.kind
    question.text_ar, question.text_fr = text_ar, text_fr
    question.is_required = data.is_required
    question.order = data.order
    for name, value in labels.items():
        setattr(question, name, value)
    question.save()
    question.options.all().delete()
    Option.objects.bulk_create(
        Option(question=question, label_ar=ar, label_fr=fr, order=i)
        for i, (ar, fr) in enumerate(options)
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: User | None) -> None:
    survey = Survey.objects.select_for_update().get(pk=question.survey_id)
    _check_editable(survey)
    question.delete()


@transaction.atomic
def survey_publish(*, survey: Survey, actor: User | None) -> Survey:
    """Publish a draft: it opens to participants at `opens_at`. SurveyRefused without
    questions or once its closing date has passed."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.is_published:
        raise SurveyRefused(_("This survey is already published."))
    if not survey.questions.exists():
        raise SurveyRefused(_("Add at least one question before publishing."))
    if survey.closes_at <= timezone.now():
        raise SurveyRefused(_("Its closing date has passed: change it before publishing."))
    survey.status = Status.PUBLISHED
    survey.published_at = timezone.now()
    survey.save(update_fields=["status", "published_at", "updated_at"])
    _record(survey, "survey.publish", actor, from_state=Status.DRAFT, to_state=Status.PUBLISHED)
    return survey


@transaction.atomic
def survey_unpublish(*, survey: Survey, actor: User | None) -> Survey:
    """Back to draft, while nobody has answered (answers are never thrown away)."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.is_published:
        raise SurveyRefused(_("This survey is not published."))
    if _has_responses(survey):
        raise SurveyRefused(_("Participants have answered: the survey stays published."))
    survey.status = Status.DRAFT
    survey.published_at = None
    survey.save(update_fields=["status", "published_at", "updated_at"])
    _record(survey, "survey.unpublish", actor, from_state=Status.PUBLISHED, to_state=Status.DRAFT)
    return survey


def check_can_answer(*, survey: Survey, now: datetime | None = None) -> None:
    """SurveyRefused unless the survey takes answers now (published, within its dates)."""
    now = now or timezone.now()
    if not survey.is_published or survey.is_upcoming(now):
        raise NotOpen(
            _("This survey opens on %(date)s.")
            % {"date": date_format(timezone.localtime(survey.opens_at), "DATETIME_FORMAT")}
        )
    if survey.is_closed(now):
        raise Closed(_("This survey is closed: it no longer takes answers."))


def _one(values: list[str]) -> str | None:
    values = [v for v in values if v != ""]
    if not values:
        return None
    if len(values) > 1:
        raise ValueError
    return values[0]


def _clean_answers(questions: list[Question], answers: Mapping[int, list[str]]) -> list[Answer]:
    """Unsaved Answer rows (no response yet), or ValidationError keyed "q<id>"."""
    errors: dict[str, str] = {}
    known = {q.pk for q in questions}
    for key in answers:
        if key not in known:
            errors[f"q{key}"] = _("This survey has no such question.")
    rows: list[Answer] = []
    for question in questions:
        name = f"q{question.pk}"
        raw = [str(v).strip() for v in answers.get(question.pk, [])]
        try:
            if question.is_choice:
                ids = {o.pk: o for o in question.options.all()}
                chosen = list(dict.fromkeys(v for v in raw if v != ""))
                if question.kind == Kind.SINGLE and len(chosen) > 1:
                    raise ValueError
                picked = [ids[int(v)] for v in chosen if v.isdigit() and int(v) in ids]
                if len(picked) != len(chosen):
                    raise ValueError
                rows += [Answer(question=question, option=o) for o in picked]
                given = bool(picked)
            elif question.is_scale:
                one = _one(raw)
                given = one is not None
                if one is not None:
                    if not one.lstrip("-").isdigit() or int(one) not in question.scale:
                        raise ValueError
                    rows.append(Answer(question=question, value=int(one)))
            else:
                text = "\n".join(raw).strip()
                if "\x00" in text:
                    errors[name] = _("This text contains a forbidden character.")
                    continue
                if len(text) > ANSWER_TEXT_MAX:
                    errors[name] = too_long(ANSWER_TEXT_MAX)
                    continue
                given = bool(text)
                if given:
                    rows.append(Answer(question=question, text=text))
        except (ValueError, KeyError):
            errors[name] = _("Choose one of the answers offered.")
            continue
        if question.is_required and not given:
            errors[name] = _("This question needs an answer.")
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def response_submit(
    *, survey: Survey, participant: Participant, answers: Mapping[int, list[str]]
) -> Response:
    """Record `participant`'s answers to `survey` (question id → the values given: option
    ids, a scale value, a text).

    Refused (SurveyRefused, nothing recorded) outside the survey's dates and when the
    participant already answered — also when two submissions race: the unique
    (survey, participant) makes the second insert fail; NotEligible when the
    participant is not of the survey's audience. ValidationError keyed "q<id>" on bad or
    missing answers.
    """
    if participant.verified_at is None:
        raise ValueError("Only a verified participant answers.")
    check_can_answer(survey=survey)
    refusal = eligibility_refusal(audience=survey.audience, participant=participant)
    if refusal is not None:
        raise NotEligible(refusal)
    if Response.objects.filter(survey=survey, participant=participant).exists():
        raise AlreadyAnswered(_("You already answered this survey: one answer per person."))
    questions = list(survey.questions.prefetch_related("options"))
    rows = _clean_answers(questions, answers)
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, participant=participant)
    except IntegrityError as exc:
        raise AlreadyAnswered(
            _("You already answered this survey: one answer per person.")
        ) from exc
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response
