"""Monitoring the programme's implementation: the lead unit's progress reports with
their evidence, the indicators and their measured values, the assessments of the
monitoring committee and of the independent monitoring body; and the removal of a draft
commitment or milestone.

Every service takes keyword arguments and an `actor`, checks the actor's permission in
the programme's collectivity (PermissionDenied), validates (ValidationError with a
message per field, nothing written) and runs in one transaction; whatever the public can
see moves the programme's `public_updated_at`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.cases.services import TransitionNotAllowed, case_transition
from infitah.lib.cleaning import (
    Errors,
    clean_date,
    clean_decimal,
    clean_pair,
    clean_text,
    raise_errors,
)
from infitah.lib.uploads import CheckedUpload, check_upload
from infitah.openplan.models import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    Assessment,
    Commitment,
    Evidence,
    Indicator,
    IndicatorValue,
    Milestone,
    Programme,
    ProgressReport,
)
from infitah.openplan.process import PROCESS
from infitah.openplan.register import evidence_register
from infitah.openplan.services.core import milestone_progress_set as _progress_set
from infitah.openplan.services.core import (
    programme_progress_refresh,
    programme_touch,
    progress_refresh,
    record,
    require,
    require_editable,
)
from infitah.openplan.workflow import (
    Action,
    AssessmentSource,
    Completion,
    EarlyResults,
    EvidenceKind,
    Potential,
    Status,
)

# Progress is reported on an adopted programme (the REPORT step of the state table).
REPORTING = frozenset({Status.ADOPTED, Status.EVALUATING})
# A commitment or a milestone is removed only from a draft; an adopted programme
# changes by an amendment the council decides.
DRAFT = frozenset({Status.DRAFTING, Status.CONSULTING})
# At most this many files, and this many links, with one report.
MAX_FILES = 10
MAX_LINKS = 10
# Uploaded types stored as a photo; every other accepted type is a document.
PHOTO_TYPES = frozenset({"png", "jpeg"})
INDICATOR_UNIT_MAX = 64
VALUE_NOTE_MAX = 500
_URL = URLValidator(schemes=["http", "https"])
_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"0", "false", "off", "no"})
_UNKNOWN = frozenset({"", "unknown", "none"})


def url_check(value: Any) -> tuple[str, str]:
    """(the web address, "") or (the text, the message saying what is wrong with it):
    an http or https address of at most URL_MAX characters. Empty is ("", "")."""
    url = value.strip() if isinstance(value, str) else ""
    if not url:
        return "", ""
    if "\x00" in url or len(url) > URL_MAX:
        return url, _("Enter a web address of at most %(max)d characters.") % {"max": URL_MAX}
    try:
        _URL(url)
    except ValidationError:
        return url, _("Enter a web address starting with http:// or https://.")
    return url, ""


# --- progress reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    title: str
    url: str


def _milestone_of(errors: Errors, commitment: Commitment, value: Any) -> Milestone | None:
    """The milestone `value` (an object or a pk) of `commitment`, if it is one a report
    may set: a leaf, i.e. without a sub-milestone that counts (one with sub-milestones
    takes its progress from them)."""
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, Milestone) else value
    found = (
        Milestone.objects.filter(commitment=commitment, pk=pk).first()
        if str(pk).isdigit()
        else None
    )
    if found is None:
        errors["milestone"] = _("Choose one of this commitment's milestones.")
        return None
    if found.children.filter(is_cancelled=False).exists():
        errors["milestone"] = _(
            "This milestone takes its progress from its sub-milestones: report on one of them."
        )
        return None
    return found


def _files_clean(errors: Errors, files: Sequence[UploadedFile[Any]]) -> list[CheckedUpload]:
    """Each file checked by its content (nothing stored); one message per bad file."""
    if len(files) > MAX_FILES:
        errors["files"] = _("At most %(max)d files with one report.") % {"max": MAX_FILES}
        return []
    checked: list[CheckedUpload] = []
    messages: list[str] = []
    for upload in files:
        name = str(upload.name or "")
        try:
            checked.append(check_upload(upload, name=name))  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.extend(f"{name[:80]}: {message}" for message in exc.messages)
    if messages:
        errors["files"] = messages
    return checked


def _links_clean(errors: Errors, pairs: Sequence[Sequence[Any]]) -> list[_Link]:
    """(title, url) pairs: the url an http(s) address, the title (the url when empty)
    at most TITLE_MAX characters; one message per bad link, naming it."""
    if len(pairs) > MAX_LINKS:
        errors["links"] = _("At most %(max)d links with one report.") % {"max": MAX_LINKS}
        return []
    cleaned: list[_Link] = []
    messages: list[str] = []
    for number, pair in enumerate(pairs, start=1):
        title_raw, url_raw = [*pair, "", ""][:2]
        label = _("Link %(number)d") % {"number": number}
        title = title_raw.strip() if isinstance(title_raw, str) else ""
        url, problem = url_check(url_raw)
        if not url:
            problem = _("Enter a web address starting with http:// or https://.")
        elif "\x00" in title or len(title) > TITLE_MAX:
            problem = _("Give a title of at most %(max)d characters.") % {"max": TITLE_MAX}
        if problem:
            messages.append(f"{label}: {problem}")
        else:
            cleaned.append(_Link(title=title or url[:TITLE_MAX], url=url))
    if messages:
        errors["links"] = messages
    return cleaned


def _flag(value: Any) -> bool | None:
    """True, False, or None (unchanged) from a bool or a form's text."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return None if text in _UNKNOWN else text in _TRUE


@transaction.atomic
def report_submit(
    *,
    commitment: Commitment,
    actor: User,
    milestone: Milestone | int | str | None = None,
    progress: Decimal | str | None = None,
    cancelled: bool | None = None,
    note: str = "",
    unit: str = "",
    files: Sequence[UploadedFile[Any]] = (),
    links: Iterable[Sequence[Any]] = (),
) -> ProgressReport:
    """The lead unit reports on a commitment of an adopted programme: a milestone's
    progress (0–100) or its cancellation, a note, evidence (files: documents and photos;
    links).

    Preconditions: Perm.OPENPLAN_MANAGE in the programme's collectivity
    (PermissionDenied); the programme adopted or in evaluation, a milestone of the
    commitment that has no sub-milestone that counts, evidence only with a milestone,
    each file accepted by its content, each link an http(s) address, something reported
    (ValidationError; nothing written, no file stored).
    Side effects: the milestone's progress set and rolled up to the commitment and the
    programme; each file stored as Evidence of the milestone and appended to the
    publication register (`openplan.evidence`), each link stored as Evidence; the case
    engine's `report` step (ledger event `openplan.report`): the running `update` period
    is met and the next one opens; the public page is marked updated.
    """
    programme = commitment.programme
    require(actor, programme.collectivity)
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.status not in REPORTING:
        raise ValidationError(
            _("Progress is reported once the programme is adopted: this programme is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    errors: Errors = {}
    found = _milestone_of(errors, commitment, milestone)
    value = clean_decimal(
        errors,
        {"progress": progress},
        "progress",
        minimum=Decimal(0),
        maximum=Decimal(100),
        max_digits=5,
    )
    cancel = _flag(cancelled)
    text = clean_text(errors, {"note": note}, "note", TEXT_MAX)
    unit_name = clean_text(errors, {"unit": unit}, "unit", NAME_MAX)
    checked = _files_clean(errors, files)
    pairs = [tuple(pair) for pair in links]
    cleaned_links = _links_clean(errors, pairs)
    if found is None and "milestone" not in errors:
        # Evidence and progress belong to a milestone.
        needs = _("Choose the milestone this is about.")
        given = {"progress": value is not None, "cancelled": cancel is not None}
        given |= {"files": bool(files), "links": bool(pairs)}
        for name, is_given in given.items():
            if is_given and name not in errors:
                errors[name] = needs
    if not errors and value is None and cancel is None and not (text or files or pairs):
        errors["note"] = _("Say what progressed: a note, a milestone's progress or evidence.")
    raise_errors(errors)

    report = ProgressReport.objects.create(
        commitment=commitment,
        milestone=found,
        progress=value,
        note=text,
        unit=unit_name,
        reported_by=actor,
    )
    if found is not None and (value is not None or cancel is not None):
        _progress_set(
            milestone=found,
            progress=found.progress if value is None else value,
            cancelled=cancel,
        )
    stored: list[FieldFile] = []
    try:
        evidence = _evidence_store(report, found, files, checked, cleaned_links, actor, stored)
        case_transition(
            PROCESS,
            programme,
            Action.REPORT,
            actor=actor,
            data={
                "report": report.pk,
                "commitment": commitment.number,
                "milestone": found.pk if found is not None else None,
                "progress": str(value) if value is not None else None,
                "cancelled": cancel,
                "evidence": evidence,
            },
        )
    except TransitionNotAllowed as exc:
        _unstore(stored)
        raise ValidationError(exc.message) from exc
    except BaseException:
        _unstore(stored)
        raise
    programme_touch(programme)
    return report


def _evidence_store(
    report: ProgressReport,
    milestone: Milestone | None,
    files: Sequence[UploadedFile[Any]],
    checked: Sequence[CheckedUpload],
    links: Sequence[_Link],
    actor: User,
    stored: list[FieldFile],
) -> list[int]:
    """Store the checked files and the links as Evidence of `milestone`; files go to
    the publication register. `stored` collects the files written (to remove them if the
    transaction fails). Returns the evidence ids."""
    if milestone is None:
        return []
    ids: list[int] = []
    for upload, check in zip(files, checked, strict=True):
        item = Evidence(
            milestone=milestone,
            report=report,
            kind=EvidenceKind.PHOTO if check.file_type in PHOTO_TYPES else EvidenceKind.DOCUMENT,
            title=check.display_name[:TITLE_MAX],
            name=check.display_name,
            content_type=check.content_type,
            size=check.size,
            sha256=check.sha256,
            created_by=actor,
        )
        upload.seek(0)
        item.file.save(f"evidence.{check.extension}", upload, save=False)
        stored.append(item.file)
        item.save()
        evidence_register(item)
        ids.append(item.pk)
    for link in links:
        item = Evidence.objects.create(
            milestone=milestone,
            report=report,
            kind=EvidenceKind.LINK,
            title=link.title,
            url=link.url,
            name="",
            content_type="",
            size=0,
            sha256="",
            created_by=actor,
        )
        ids.append(item.pk)
    return ids


def _unstore(stored: Sequence[FieldFile]) -> None:
    for field_file in stored:
        if field_file.name:
            field_file.storage.delete(field_file.name)


# --- indicators ---------------------------------------------------------------------------

INDICATOR_FIELDS = (
    "order",
    "name_ar",
    "name_fr",
    "unit",
    "baseline",
    "baseline_on",
    "target",
    "target_on",
)


def _order(errors: Errors, data: Mapping[str, Any], default: int) -> int:
    order = data.get("order")
    if order in (None, ""):
        return default
    if not str(order).isdigit() or not 0 < int(order) < 1000:
        errors["order"] = _("Enter a whole number from 1 to 999.")
        return default
    return int(order)


@transaction.atomic
def indicator_save(
    *,
    commitment: Commitment,
    actor: User,
    data: Mapping[str, Any],
    indicator: Indicator | None = None,
) -> Indicator:
    """Add an indicator to the commitment (name, unit, baseline, target and their
    dates), or change `indicator`.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme not closed nor abandoned; a name
    in Arabic or French, a baseline and a target (ValidationError).
    Side effects: ledger event `openplan.indicator` (or `openplan.indicator_updated`
    naming the changed fields).
    """
    programme = commitment.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    if indicator is not None and indicator.commitment_id != commitment.pk:
        raise PermissionDenied
    errors: Errors = {}
    name_ar, name_fr = clean_pair(errors, data, "name", TITLE_MAX)
    if indicator is not None:
        default = indicator.order
    else:
        default = (commitment.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
    values: dict[str, Any] = {
        "order": _order(errors, data, default),
        "name_ar": name_ar,
        "name_fr": name_fr,
        "unit": clean_text(errors, data, "unit", INDICATOR_UNIT_MAX),
        "baseline": clean_decimal(errors, data, "baseline", required=True),
        "baseline_on": clean_date(errors, data, "baseline_on"),
        "target": clean_decimal(errors, data, "target", required=True),
        "target_on": clean_date(errors, data, "target_on"),
    }
    if (
        values["baseline_on"] is not None
        and values["target_on"] is not None
        and values["target_on"] < values["baseline_on"]
    ):
        errors["target_on"] = _("The target date cannot come before the baseline's.")
    raise_errors(errors)
    if indicator is None:
        indicator = Indicator.objects.create(commitment=commitment, **values)
        record(programme, "indicator", actor, commitment=commitment.number, indicator=indicator.pk)
    else:
        changed = sorted(
            name for name in INDICATOR_FIELDS if values[name] != getattr(indicator, name)
        )
        if not changed:
            return indicator
        for name in changed:
            setattr(indicator, name, values[name])
        indicator.save(update_fields=changed)
        record(programme, "indicator_updated", actor, indicator=indicator.pk, fields=changed)
    programme_touch(programme)
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, actor: User) -> None:
    """Remove an indicator that has no measured value yet (else ValidationError: the
    values are part of the public record).

    Side effects: ledger event `openplan.indicator_removed`."""
    commitment = indicator.commitment
    programme = commitment.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    if indicator.values.exists():
        raise ValidationError(
            _("This indicator has measured values: remove them first, or keep the indicator.")
        )
    pk = indicator.pk
    indicator.delete()
    record(programme, "indicator_removed", actor, commitment=commitment.number, indicator=pk)
    programme_touch(programme)


@transaction.atomic
def indicator_value_record(
    *, indicator: Indicator, actor: User, data: Mapping[str, Any]
) -> IndicatorValue:
    """Record the value an indicator measured on a day (one value per day: recording
    the same day again replaces it).

    Preconditions: Perm.OPENPLAN_MANAGE; the programme not closed nor abandoned; a day
    not in the future, a number, a note of at most 500 characters, a source that is an
    http(s) address (ValidationError).
    Side effects: ledger event `openplan.indicator_value` (`replaced` says whether a
    value of that day was replaced, and what it was).
    """
    programme = indicator.commitment.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    errors: Errors = {}
    measured_on = clean_date(errors, data, "measured_on", required=True)
    if measured_on is not None and measured_on > timezone.localdate():
        errors["measured_on"] = _("A value cannot be measured in the future.")
    value = clean_decimal(errors, data, "value", required=True)
    note = clean_text(errors, data, "note", VALUE_NOTE_MAX)
    source_url, problem = url_check(data.get("source_url", ""))
    if problem:
        errors["source_url"] = problem
    raise_errors(errors)
    assert measured_on is not None and value is not None  # required above
    # The unique (indicator, measured_on) row is replaced in place, under its lock.
    previous = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, measured_on=measured_on)
        .first()
    )
    replaced = str(previous.value) if previous is not None else None
    row, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        measured_on=measured_on,
        defaults={
            "value": value,
            "note": note,
            "source_url": source_url,
            "recorded_by": actor,
            "created_at": timezone.now(),
        },
    )
    record(
        programme,
        "indicator_value",
        actor,
        indicator=indicator.pk,
        measured_on=measured_on.isoformat(),
        value=str(value),
        replaced=previous is not None,
        previous=replaced,
    )
    programme_touch(programme)
    return row


@transaction.atomic
def indicator_value_delete(*, value: IndicatorValue, actor: User) -> None:
    """Remove a value recorded by mistake. Side effects: ledger event
    `openplan.indicator_value_removed` (with the value removed)."""
    indicator = value.indicator
    programme = indicator.commitment.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    removed = {"measured_on": value.measured_on.isoformat(), "value": str(value.value)}
    value.delete()
    record(programme, "indicator_value_removed", actor, indicator=indicator.pk, **removed)
    programme_touch(programme)


# --- assessments --------------------------------------------------------------------------


def _tristate(errors: Errors, data: Mapping[str, Any], name: str) -> bool | None:
    """Yes, no, or not assessed (None)."""
    value = data.get(name)
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _UNKNOWN:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    errors[name] = _("Choose yes, no or not assessed.")
    return None


def _choice(
    errors: Errors,
    data: Mapping[str, Any],
    name: str,
    choices: Sequence[str],
    message: str,
    *,
    required: bool = False,
) -> str:
    value = data.get(name) or ""
    if value == "" and not required:
        return ""
    if value not in choices:
        errors[name] = message
    return str(value)


@transaction.atomic
def assessment_record(
    *, commitment: Commitment, actor: User, data: Mapping[str, Any]
) -> Assessment:
    """Record an assessment of a commitment by the monitoring committee or the
    independent monitoring body (each keeps its own; both are shown): its completion
    and, as OGP asks, whether it is verifiable, its open-government lens, its potential
    for results and its early results.

    Preconditions: Perm.OPENPLAN_ASSESS (the monitor role; PermissionDenied); the
    programme not closed nor abandoned; a source, a completion level, a date not in the
    future (ValidationError).
    Side effects: ledger event `openplan.assessment`; the public page is marked updated.
    """
    programme = commitment.programme
    require(actor, programme.collectivity, Perm.OPENPLAN_ASSESS)
    require_editable(programme)
    errors: Errors = {}
    values: dict[str, Any] = {
        "source": _choice(
            errors,
            data,
            "source",
            AssessmentSource.values,
            _("Choose who assesses: the monitoring committee or the independent body."),
            required=True,
        ),
        "completion": _choice(
            errors,
            data,
            "completion",
            Completion.values,
            _("Choose the level of completion."),
            required=True,
        ),
        "assessor": clean_text(errors, data, "assessor", NAME_MAX),
        "assessed_on": clean_date(errors, data, "assessed_on", required=True),
        "is_verifiable": _tristate(errors, data, "is_verifiable"),
        "has_open_government_lens": _tristate(errors, data, "has_open_government_lens"),
        "potential": _choice(
            errors, data, "potential", Potential.values, _("Choose a potential for results.")
        ),
        "early_results": _choice(
            errors, data, "early_results", EarlyResults.values, _("Choose an early result.")
        ),
        "comment": clean_text(errors, data, "comment", TEXT_MAX),
    }
    if values["assessed_on"] is not None and values["assessed_on"] > timezone.localdate():
        errors["assessed_on"] = _("An assessment cannot be dated in the future.")
    raise_errors(errors)
    assessment = Assessment.objects.create(commitment=commitment, recorded_by=actor, **values)
    record(
        programme,
        "assessment",
        actor,
        commitment=commitment.number,
        assessment=assessment.pk,
        source=values["source"],
        completion=values["completion"],
    )
    programme_touch(programme)
    return assessment


# --- removing from a draft ----------------------------------------------------------------


def _require_draft(programme: Programme) -> None:
    if programme.status not in DRAFT:
        raise ValidationError(
            _(
                "Only a draft programme (in co-creation or under consultation) loses a "
                "commitment or a milestone: an adopted programme changes by an amendment "
                "the council decides."
            )
        )


@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor: User) -> None:
    """Remove a milestone (with its sub-milestones) from a draft programme's commitment.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation or under
    consultation (ValidationError: an adopted programme changes by amendment).
    Side effects: ledger event `openplan.milestone_removed`; progress rolled up again.
    """
    commitment = milestone.commitment
    programme = commitment.programme
    require(actor, programme.collectivity)
    _require_draft(programme)
    pk = milestone.pk
    milestone.delete()
    record(programme, "milestone_removed", actor, commitment=commitment.number, milestone=pk)
    progress_refresh(commitment=commitment)


@transaction.atomic
def commitment_delete(*, commitment: Commitment, actor: User) -> None:
    """Remove a commitment (its milestones, indicators and assessments with it) from a
    draft programme.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme in co-creation or under
    consultation (ValidationError: an adopted programme changes by amendment).
    Side effects: ledger event `openplan.commitment_removed`; the programme's progress
    rolled up again.
    """
    programme = commitment.programme
    require(actor, programme.collectivity)
    _require_draft(programme)
    pk, number = commitment.pk, commitment.number
    commitment.delete()
    record(programme, "commitment_removed", actor, commitment=pk, number=number)
    programme_progress_refresh(programme=programme)
