"""The forum and monitoring committee, their meetings and documents; the programme's own
documents; the submission of an OGP Local action plan and its inception assessment (the
case engine's `inception` clock); the OGP Local candidacy file.

Every service takes keyword arguments and an `actor`, checks the actor's permission in
the collectivity (PermissionDenied), validates its input field by field
(ValidationError with a message per field, nothing written: uploaded files are checked
by their content before anything is stored), writes in one transaction and records a
ledger event. Who does what:

- the focal point (Perm.OPENPLAN_MANAGE): members, meetings and their documents, the
  programme's documents other than assessments, the submission to OGP, the candidacy;
- the independent monitoring body (Perm.OPENPLAN_ASSESS): the inception and final
  assessments; recording the inception assessment takes the engine's `inception` step,
  which meets the clock the submission opened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm
from infitah.advisory import selectors as advisory_selectors
from infitah.cases.services import case_transition, files_check
from infitah.council import organs_selectors
from infitah.ledger.services import event_record
from infitah.lib.bounds import whole_number
from infitah.lib.cleaning import Errors, clean_date, clean_pair, clean_text, raise_errors
from infitah.lib.pagecache import bump
from infitah.lib.uploads import CheckedUpload
from infitah.openplan import forum_selectors
from infitah.openplan.models import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    BodyMember,
    Candidacy,
    Meeting,
    MeetingDocument,
    Programme,
    ProgrammeDocument,
    StoredFile,
    SupportLetter,
)
from infitah.openplan.process import PROCESS
from infitah.openplan.services.core import programme_touch, record, require, require_editable
from infitah.openplan.workflow import (
    Action,
    Body,
    Kind,
    MeetingDocumentKind,
    MemberRole,
    ProgrammeDocumentKind,
    Sector,
    Status,
)
from infitah.participation.models import Gender
from infitah.territories.models import Collectivity

# The assessments of the independent monitoring body; the other documents are the focal
# point's.
ASSESSMENTS = frozenset({ProgrammeDocumentKind.INCEPTION, ProgrammeDocumentKind.FINAL})
# Documents the focal point may take back (a wrong upload); assessments stay.
REMOVABLE = frozenset({ProgrammeDocumentKind.ACTION_PLAN, ProgrammeDocumentKind.OTHER})


# --- small checks ----------------------------------------------------------------------------


def _choice(
    errors: Errors,
    data: Mapping[str, Any],
    name: str,
    values: list[str],
    message: str,
    default: str = "",
) -> str:
    value = data.get(name)
    if value in (None, "") and default:
        return default
    if not isinstance(value, str) or value not in values:
        errors[name] = message
        return default
    return value


def _past(errors: Errors, name: str, day: dt.date | None) -> dt.date | None:
    """`day`, recorded as a fact: not after today."""
    if day is not None and name not in errors and day > timezone.localdate():
        errors[name] = _("This date is in the future.")
    return day


def _flag(data: Mapping[str, Any], name: str) -> bool:
    raw = data.get(name, False)
    return raw is True or str(raw).lower() in {"1", "true", "on", "yes"}


def _moment(errors: Errors, data: Mapping[str, Any], name: str) -> dt.datetime | None:
    """A date and time (aware; a naive one is read in the site's time zone)."""
    value = data.get(name)
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, str) and value.strip():
        try:
            when = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            errors[name] = _("Give a date and time such as 2026-05-31 18:00.")
            return None
    else:
        errors[name] = _("Give the date and time of the meeting.")
        return None
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _url(errors: Errors, data: Mapping[str, Any], name: str) -> str:
    url = clean_text(errors, data, name, URL_MAX)
    if url and name not in errors:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors[name] = _("Enter a web address starting with https://.")
    return url


def _one_file(errors: Errors, file: UploadedFile[Any] | None) -> CheckedUpload | None:
    """The upload checked by its content (lib/uploads), or an error on "file"."""
    if file is None:
        errors["file"] = _("Choose a file.")
        return None
    try:
        return files_check([file], max_count=1)[0]
    except ValidationError as exc:
        errors["file"] = exc.message_dict["files"]
        return None


def _discard(row: StoredFile) -> None:
    """Delete `row` and, once the transaction commits, its stored file (a rollback
    keeps both)."""
    storage, name = row.file.storage, row.file.name
    row.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _store(row: StoredFile, upload: UploadedFile[Any], checked: CheckedUpload) -> None:
    """Save `row` with the checked file (stored under a random name)."""
    row.name = checked.display_name
    row.content_type = checked.content_type
    row.size = checked.size
    row.sha256 = checked.sha256
    upload.seek(0)
    row.file.save(f"upload.{checked.extension}", upload, save=False)
    row.save()


# --- members --------------------------------------------------------------------------------

MEMBER_FIELDS = (
    "body",
    "name",
    "gender",
    "sector",
    "organisation",
    "advisory_body",
    "role",
    "joined_on",
)


def _member_clean(programme: Programme, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: Errors = {}
    values: dict[str, Any] = {
        "body": _choice(
            errors, data, "body", Body.values, _("Choose the forum or the monitoring committee.")
        ),
        "name": clean_text(errors, data, "name", NAME_MAX, required=_("Give the member's name.")),
        "gender": _choice(
            errors, data, "gender", Gender.values, _("Choose from the list."), Gender.UNDISCLOSED
        ),
        "sector": _choice(errors, data, "sector", Sector.values, _("Choose the member's sector.")),
        "organisation": clean_text(errors, data, "organisation", NAME_MAX),
        "role": _choice(
            errors, data, "role", MemberRole.values, _("Choose from the list."), MemberRole.MEMBER
        ),
        "joined_on": clean_date(errors, data, "joined_on"),
        "advisory_body": None,
    }
    if values["sector"] == Sector.ADVISORY:
        raw = data.get("advisory_body")
        pk = getattr(raw, "pk", raw)
        found = (
            advisory_selectors.body_get(collectivity=programme.collectivity, pk=pk)
            if pk not in (None, "")
            else None
        )
        if found is None:
            errors["advisory_body"] = _(
                "Choose the advisory body of the collectivity this member is a delegate of."
            )
        values["advisory_body"] = found
    raise_errors(errors)
    return values


@transaction.atomic
def member_save(
    *,
    programme: Programme,
    actor: User,
    data: Mapping[str, Any],
    member: BodyMember | None = None,
) -> BodyMember:
    """Add a member to the forum or the monitoring committee, or correct `member`.

    An advisory body delegate names an advisory body of the programme's collectivity
    (another sector names none). Preconditions: Perm.OPENPLAN_MANAGE; the programme is
    not closed; valid fields. Side effects: ledger event `openplan.member` or
    `openplan.member_updated`; the public page is updated.
    """
    require(actor, programme.collectivity)
    require_editable(programme)
    if member is not None and member.programme_id != programme.pk:
        raise PermissionDenied
    values = _member_clean(programme, data)
    if member is not None and member.left_on is not None:
        joined = values["joined_on"]
        if joined is not None and joined > member.left_on:
            raise ValidationError({"joined_on": _("A member cannot join after leaving.")})
    if member is None:
        member = BodyMember.objects.create(programme=programme, **values)
        record(programme, "member", actor, member=member.pk, body=values["body"])
    else:
        changed = sorted(n for n in MEMBER_FIELDS if values[n] != getattr(member, n))
        if not changed:
            return member
        for name in changed:
            setattr(member, name, values[name])
        member.save(update_fields=changed)
        record(programme, "member_updated", actor, member=member.pk, fields=changed)
    programme_touch(programme)
    return member


@transaction.atomic
def member_end(*, member: BodyMember, actor: User, left_on: dt.date | str | None) -> BodyMember:
    """The member left the body on `left_on` (not in the future, not before joining).

    Side effects: ledger event `openplan.member_left`; the public page is updated.
    """
    programme = member.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    if member.left_on is not None:
        raise ValidationError({"left_on": _("This member has already left.")})
    errors: Errors = {}
    day = _past(
        errors, "left_on", clean_date(errors, {"left_on": left_on}, "left_on", required=True)
    )
    if day is not None and "left_on" not in errors and member.joined_on and day < member.joined_on:
        errors["left_on"] = _("A member cannot leave before joining.")
    raise_errors(errors)
    member.left_on = day
    member.save(update_fields=["left_on"])
    record(programme, "member_left", actor, member=member.pk, left_on=str(day))
    programme_touch(programme)
    return member


@transaction.atomic
def member_delete(*, member: BodyMember, actor: User) -> None:
    """Remove a member recorded by mistake (a member who left is ended, not deleted:
    this is for errors). Side effects: ledger event `openplan.member_removed`."""
    programme = member.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    pk, name = member.pk, member.name
    member.delete()
    record(programme, "member_removed", actor, member=pk, name=name)
    programme_touch(programme)


# --- meetings and their documents -----------------------------------------------------------


def _meeting_clean(
    programme: Programme, data: Mapping[str, Any], meeting: Meeting | None
) -> dict[str, Any]:
    errors: Errors = {}
    title_ar, title_fr = clean_pair(errors, data, "title", TITLE_MAX)
    summary_ar = clean_text(errors, data, "summary_ar", TEXT_MAX)
    summary_fr = clean_text(errors, data, "summary_fr", TEXT_MAX)
    values: dict[str, Any] = {
        "body": _choice(
            errors, data, "body", Body.values, _("Choose the forum or the monitoring committee.")
        ),
        "title_ar": title_ar,
        "title_fr": title_fr,
        "starts_at": _moment(errors, data, "starts_at"),
        "place": clean_text(errors, data, "place", TITLE_MAX),
        "online_url": _url(errors, data, "online_url"),
        "summary_ar": summary_ar,
        "summary_fr": summary_fr,
    }
    when = values["starts_at"]
    now = timezone.now()
    if when is not None and (summary_ar or summary_fr) and when > now:
        field = "summary_ar" if summary_ar else "summary_fr"
        errors.setdefault(field, _("The summary of the minutes is written after the meeting."))
    if (
        meeting is not None
        and when is not None
        and when != meeting.starts_at
        and meeting.starts_at <= now
        and meeting.documents.exists()
    ):
        # The dates documents were shared are judged against the start: once the meeting
        # took place with its documents, moving it would rewrite that record.
        errors["starts_at"] = _(
            "This meeting took place and has documents: its date can no longer change."
        )
    raise_errors(errors)
    return values


MEETING_FIELDS = (
    "body",
    "title_ar",
    "title_fr",
    "starts_at",
    "place",
    "online_url",
    "summary_ar",
    "summary_fr",
)


@transaction.atomic
def meeting_save(
    *,
    programme: Programme,
    actor: User,
    data: Mapping[str, Any],
    meeting: Meeting | None = None,
) -> Meeting:
    """Record a meeting of the forum or the committee (a coming one, or a past one with
    the summary of its minutes), or correct `meeting`.

    Preconditions: Perm.OPENPLAN_MANAGE; the programme is not closed; a title (Arabic or
    French), a body, a date and time; a summary only once the meeting started; a meeting
    that took place with documents keeps its date. Side effects: ledger event
    `openplan.meeting` or `openplan.meeting_updated`; the public page is updated.
    """
    require(actor, programme.collectivity)
    require_editable(programme)
    if meeting is not None and meeting.programme_id != programme.pk:
        raise PermissionDenied
    values = _meeting_clean(programme, data, meeting)
    if meeting is None:
        meeting = Meeting.objects.create(programme=programme, **values)
        record(programme, "meeting", actor, meeting=meeting.pk, body=values["body"])
    else:
        changed = sorted(n for n in MEETING_FIELDS if values[n] != getattr(meeting, n))
        if not changed:
            return meeting
        for name in changed:
            setattr(meeting, name, values[name])
        meeting.save(update_fields=changed)
        record(programme, "meeting_updated", actor, meeting=meeting.pk, fields=changed)
    programme_touch(programme)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, actor: User) -> None:
    """Remove a meeting that has no document (one with documents stays on record)."""
    programme = meeting.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    if meeting.documents.exists():
        raise ValidationError(_("This meeting has documents: it stays on record."))
    pk = meeting.pk
    meeting.delete()
    record(programme, "meeting_removed", actor, meeting=pk)
    programme_touch(programme)


@transaction.atomic
def meeting_document_add(
    *,
    meeting: Meeting,
    actor: User,
    kind: str,
    title: str,
    file: UploadedFile[Any] | None,
) -> MeetingDocument:
    """Share a document of `meeting`, stamped with the time it was shared.

    A preparatory document added before the meeting starts is "shared before"; added
    later it is accepted and shown as shared late. Minutes are added once the meeting
    has started. Preconditions: Perm.OPENPLAN_MANAGE; the programme is not closed; a
    title; a file that passes the content checks. Side effects: ledger event
    `openplan.meeting_document`; the public page is updated.
    """
    programme = meeting.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    errors: Errors = {}
    data = {"kind": kind, "title": title}
    kind = _choice(errors, data, "kind", MeetingDocumentKind.values, _("Choose from the list."))
    title = clean_text(errors, data, "title", TITLE_MAX, required=_("Give a title."))
    now = timezone.now()
    if kind == MeetingDocumentKind.MINUTES and now < meeting.starts_at:
        errors["kind"] = _("Minutes are added once the meeting has started.")
    checked = _one_file(errors, file)
    raise_errors(errors)
    assert file is not None and checked is not None  # checked above
    document = MeetingDocument(meeting=meeting, kind=kind, title=title, shared_at=now)
    _store(document, file, checked)
    record(
        programme,
        "meeting_document",
        actor,
        meeting=meeting.pk,
        document=document.pk,
        kind=kind,
        sha256=checked.sha256,
        shared_before=document.is_shared_before,
    )
    programme_touch(programme)
    return document


@transaction.atomic
def meeting_document_delete(*, document: MeetingDocument, actor: User) -> None:
    """Take back a document while its meeting has not started; after that, the
    documents stay (they are the record of what was shared, and when)."""
    meeting = document.meeting
    programme = meeting.programme
    require(actor, programme.collectivity)
    require_editable(programme)
    if timezone.now() >= meeting.starts_at:
        raise ValidationError(_("The meeting has started: its documents stay on record."))
    pk = document.pk
    _discard(document)
    record(programme, "meeting_document_removed", actor, meeting=meeting.pk, document=pk)
    programme_touch(programme)


# --- the programme's documents, submission and inception assessment ------------------------


def _title_and_day(
    errors: Errors, title: str, dated: dt.date | str | None
) -> tuple[str, dt.date | None]:
    data = {"title": title, "dated": dated}
    text = clean_text(errors, data, "title", TITLE_MAX, required=_("Give a title."))
    day = _past(errors, "dated", clean_date(errors, data, "dated", required=True))
    return text, day


def _inception_allowed(programme: Programme) -> None:
    if not PROCESS.is_allowed(programme.status, Action.INCEPTION):
        raise ValidationError(str(PROCESS.refused) % {"status": programme.get_status_display()})


@transaction.atomic
def programme_document_add(
    *,
    programme: Programme,
    actor: User,
    kind: str,
    title: str,
    dated: dt.date | str | None,
    file: UploadedFile[Any] | None,
) -> ProgrammeDocument:
    """Publish a document of the whole programme.

    The inception and final assessments are the independent monitoring body's
    (Perm.OPENPLAN_ASSESS); the plan as submitted and other documents the focal point's
    (Perm.OPENPLAN_MANAGE). An inception assessment takes the engine's `inception`
    step (it meets the clock the submission opened; the programme must be open). A
    final assessment may come after the programme closed; nothing is added to an
    abandoned one. Side effects: ledger event `openplan.document` (and
    `openplan.inception`); the public page is updated.
    """
    perm = Perm.OPENPLAN_ASSESS if kind in ASSESSMENTS else Perm.OPENPLAN_MANAGE
    require(actor, programme.collectivity, perm)
    if programme.status == Status.ABANDONED:
        raise ValidationError(_("This programme was abandoned: it can no longer change."))
    errors: Errors = {}
    kind = _choice(
        errors, {"kind": kind}, "kind", ProgrammeDocumentKind.values, _("Choose from the list.")
    )
    text, day = _title_and_day(errors, title, dated)
    checked = _one_file(errors, file)
    raise_errors(errors)
    assert file is not None and checked is not None and day is not None  # checked above
    if kind == ProgrammeDocumentKind.INCEPTION:
        _inception_allowed(programme)
        case_transition(
            PROCESS,
            programme,
            Action.INCEPTION,
            actor=actor,
            data={"dated": day.isoformat(), "sha256": checked.sha256},
        )
    document = ProgrammeDocument(
        programme=programme, kind=kind, title=text, dated=day, created_by=actor
    )
    _store(document, file, checked)
    record(programme, "document", actor, document=document.pk, kind=kind, sha256=checked.sha256)
    programme_touch(programme)
    return document


def inception_record(
    *,
    programme: Programme,
    actor: User,
    file: UploadedFile[Any] | None,
    title: str,
    dated: dt.date | str | None,
) -> ProgrammeDocument:
    """The independent monitoring body's inception assessment (Perm.OPENPLAN_ASSESS):
    the document, and the engine's `inception` step that meets the clock."""
    return programme_document_add(
        programme=programme,
        actor=actor,
        kind=ProgrammeDocumentKind.INCEPTION,
        title=title,
        dated=dated,
        file=file,
    )


@transaction.atomic
def programme_document_delete(*, document: ProgrammeDocument, actor: User) -> None:
    """Take back the plan as submitted or another document of the focal point (a wrong
    upload). The monitoring body's assessments stay."""
    programme = document.programme
    require(actor, programme.collectivity)
    if document.kind not in REMOVABLE:
        raise ValidationError(_("An assessment stays on record."))
    pk = document.pk
    _discard(document)
    record(programme, "document_removed", actor, document=pk)
    programme_touch(programme)


@transaction.atomic
def programme_submit(
    *,
    programme: Programme,
    actor: User,
    submitted_on: dt.date | str | None,
    document: UploadedFile[Any] | None = None,
) -> Programme:
    """Record that the OGP Local action plan was submitted to OGP on `submitted_on`,
    optionally with the plan as submitted (a document "action plan").

    Preconditions: Perm.OPENPLAN_MANAGE; an OGP Local programme, open and not submitted
    yet; a date not in the future; a file that passes the checks. Side effects: the
    engine's `submit` step opens the `inception` clock (`openplan.inception`: the
    monitoring body's assessment is due within 2 months); ledger events; the public page
    is updated.
    """
    require(actor, programme.collectivity)
    if programme.kind != Kind.OGP_LOCAL:
        raise ValidationError(_("Only an OGP Local action plan is submitted to OGP."))
    if programme.submitted_on is not None:
        raise ValidationError(
            _("This action plan was submitted on %(date)s.")
            % {"date": programme.submitted_on.isoformat()}
        )
    if not PROCESS.is_allowed(programme.status, Action.SUBMIT):
        raise ValidationError(str(PROCESS.refused) % {"status": programme.get_status_display()})
    errors: Errors = {}
    day = _past(
        errors,
        "submitted_on",
        clean_date(errors, {"submitted_on": submitted_on}, "submitted_on", required=True),
    )
    checked = _one_file(errors, document) if document is not None else None
    raise_errors(errors)
    assert day is not None  # required above
    case_transition(
        PROCESS,
        programme,
        Action.SUBMIT,
        actor=actor,
        changes={"submitted_on": day},
        data={"submitted_on": day.isoformat(), "sha256": checked.sha256 if checked else ""},
    )
    if document is not None and checked is not None:
        plan = ProgrammeDocument(
            programme=programme,
            kind=ProgrammeDocumentKind.ACTION_PLAN,
            title=(programme.title_ar or programme.title_fr)[:TITLE_MAX],
            dated=day,
            created_by=actor,
        )
        _store(plan, document, checked)
        record(
            programme,
            "document",
            actor,
            document=plan.pk,
            kind=ProgrammeDocumentKind.ACTION_PLAN,
            sha256=checked.sha256,
        )
    programme_touch(programme)
    return programme


# --- the OGP Local candidacy --------------------------------------------------------------


def _candidacy_event(candidacy: Candidacy, action: str, actor: User, **data: Any) -> None:
    event_record(
        obj=candidacy,
        action=f"openplan.candidacy_{action}",
        actor=actor,
        collectivity=candidacy.collectivity,
        data=data,
    )
    transaction.on_commit(lambda: bump(PROCESS.name))


def _open_candidacy(candidacy: Candidacy) -> None:
    if candidacy.submitted_on is not None:
        raise ValidationError(_("This candidacy was submitted: it no longer changes."))


def candidacy_term_end(collectivity: Collectivity) -> dt.date | None:
    """The end of the council's current term, when the council module knows it: the
    date the candidacy proposes for `term_ends_on`."""
    term = organs_selectors.term_current(collectivity)
    return term.end_date if term is not None else None


@transaction.atomic
def candidacy_save(
    *,
    collectivity: Collectivity,
    actor: User,
    data: Mapping[str, Any],
    candidacy: Candidacy | None = None,
) -> Candidacy:
    """Open the collectivity's candidacy to OGP Local, or change it before submission.

    `term_ends_on` is taken from the council's current term when not given (and the
    term's end is known); `track_record` is required; `track_record_programme` is an
    earlier programme of the collectivity (optional); `ambition` as declared. One
    candidacy is prepared at a time. Preconditions: Perm.OPENPLAN_MANAGE. Side effects:
    ledger event `openplan.candidacy_created` / `openplan.candidacy_updated`.
    """
    require(actor, collectivity)
    if candidacy is not None:
        if candidacy.collectivity_id != collectivity.pk:
            raise PermissionDenied
        _open_candidacy(candidacy)
    errors: Errors = {}
    term_ends_on = clean_date(errors, data, "term_ends_on")
    if term_ends_on is None and "term_ends_on" not in errors:
        term_ends_on = candidacy_term_end(collectivity)
        if term_ends_on is None:
            errors["term_ends_on"] = _("Give the date the council's term ends.")
    values: dict[str, Any] = {
        "term_ends_on": term_ends_on,
        "track_record": clean_text(
            errors,
            data,
            "track_record",
            TEXT_MAX,
            required=_("Describe a co-creation or open-government reform of the past 3 years."),
        ),
        "ambition": clean_text(errors, data, "ambition", TEXT_MAX),
        "track_record_programme": None,
    }
    raw = data.get("track_record_programme")
    pk = getattr(raw, "pk", raw)
    if pk not in (None, ""):
        number = whole_number(pk, minimum=1)
        found = (
            Programme.objects.filter(collectivity=collectivity, pk=number).first()
            if number is not None
            else None
        )
        if found is None:
            errors["track_record_programme"] = _("Choose one of the collectivity's programmes.")
        values["track_record_programme"] = found
    raise_errors(errors)
    if candidacy is None:
        # The collectivity's row lock: two focal points pressing "create" at once open
        # one candidacy, not two.
        Collectivity.objects.select_for_update().filter(pk=collectivity.pk).first()
        if Candidacy.objects.filter(collectivity=collectivity, submitted_on__isnull=True).exists():
            raise ValidationError(_("A candidacy is already being prepared."))
        candidacy = Candidacy.objects.create(collectivity=collectivity, created_by=actor, **values)
        _candidacy_event(candidacy, "created", actor)
        return candidacy
    changed = sorted(n for n in values if values[n] != getattr(candidacy, n))
    if changed:
        for name in changed:
            setattr(candidacy, name, values[name])
        candidacy.save(update_fields=changed)
        _candidacy_event(candidacy, "updated", actor, fields=changed)
    return candidacy


@transaction.atomic
def letter_add(
    *,
    candidacy: Candidacy,
    actor: User,
    data: Mapping[str, Any],
    file: UploadedFile[Any] | None,
) -> SupportLetter:
    """Attach a letter of support (`author`, `organisation`, `is_from_head`,
    `received_on`, the file) to a candidacy not yet submitted.

    Side effects: ledger event `openplan.candidacy_letter`.
    """
    require(actor, candidacy.collectivity)
    _open_candidacy(candidacy)
    errors: Errors = {}
    author = clean_text(errors, data, "author", NAME_MAX, required=_("Give the author's name."))
    organisation = clean_text(errors, data, "organisation", NAME_MAX)
    received_on = _past(
        errors, "received_on", clean_date(errors, data, "received_on", required=True)
    )
    checked = _one_file(errors, file)
    raise_errors(errors)
    assert file is not None and checked is not None and received_on is not None
    letter = SupportLetter(
        candidacy=candidacy,
        author=author,
        organisation=organisation,
        is_from_head=_flag(data, "is_from_head"),
        received_on=received_on,
    )
    _store(letter, file, checked)
    _candidacy_event(
        candidacy,
        "letter",
        actor,
        letter=letter.pk,
        is_from_head=letter.is_from_head,
        sha256=checked.sha256,
    )
    return letter


@transaction.atomic
def letter_delete(*, letter: SupportLetter, actor: User) -> None:
    """Take back a letter of support before the candidacy is submitted."""
    candidacy = letter.candidacy
    require(actor, candidacy.collectivity)
    _open_candidacy(candidacy)
    pk = letter.pk
    _discard(letter)
    _candidacy_event(candidacy, "letter_removed", actor, letter=pk)


@transaction.atomic
def candidacy_submit(
    *, candidacy: Candidacy, actor: User, submitted_on: dt.date | str | None
) -> Candidacy:
    """Record that the candidacy was submitted to OGP on `submitted_on`.

    Refused unless it is eligible on that day (`forum_selectors.candidacy_eligibility`):
    a ValidationError with one message per unmet criterion. Preconditions:
    Perm.OPENPLAN_MANAGE; not submitted yet; a date not in the future. Side effects:
    ledger event `openplan.candidacy_submitted`.
    """
    require(actor, candidacy.collectivity)
    locked = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    _open_candidacy(locked)
    errors: Errors = {}
    day = _past(
        errors,
        "submitted_on",
        clean_date(errors, {"submitted_on": submitted_on}, "submitted_on", required=True),
    )
    raise_errors(errors)
    assert day is not None
    eligibility = forum_selectors.candidacy_eligibility(candidacy=locked, on=day)
    unmet = {c.key: c.reason for c in eligibility.criteria if c.is_met is False}
    raise_errors(unmet)
    locked.submitted_on = day
    locked.save(update_fields=["submitted_on"])
    candidacy.submitted_on = day
    _candidacy_event(locked, "submitted", actor, submitted_on=day.isoformat())
    return locked


def _plan_clean(errors: Errors, candidacy: Candidacy, programme: Programme | None) -> None:
    if programme is None:
        return
    if programme.collectivity_id != candidacy.collectivity_id or programme.kind != Kind.OGP_LOCAL:
        errors["programme"] = _("Choose an OGP Local action plan of the collectivity.")
    elif Candidacy.objects.filter(programme=programme).exclude(pk=candidacy.pk).exists():
        errors["programme"] = _("This action plan belongs to another candidacy.")


@transaction.atomic
def candidacy_accept(
    *,
    candidacy: Candidacy,
    actor: User,
    accepted_on: dt.date | str | None,
    programme: Programme | None = None,
) -> Candidacy:
    """Record OGP's acceptance of a submitted candidacy on `accepted_on` (not before
    the submission, not in the future), optionally with the OGP Local action plan that
    came of it (a programme of kind ogp_local of the collectivity; `candidacy_link`
    links it later). Side effects: ledger event `openplan.candidacy_accepted`.
    """
    require(actor, candidacy.collectivity)
    locked = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if locked.submitted_on is None:
        raise ValidationError(_("Submit the candidacy first."))
    if locked.accepted_on is not None:
        raise ValidationError(_("This candidacy was already accepted."))
    errors: Errors = {}
    day = _past(
        errors,
        "accepted_on",
        clean_date(errors, {"accepted_on": accepted_on}, "accepted_on", required=True),
    )
    if day is not None and "accepted_on" not in errors and day < locked.submitted_on:
        errors["accepted_on"] = _("A candidacy is accepted after it is submitted.")
    _plan_clean(errors, locked, programme)
    raise_errors(errors)
    locked.accepted_on = day
    locked.programme = programme
    locked.save(update_fields=["accepted_on", "programme"])
    candidacy.accepted_on, candidacy.programme = day, programme
    _candidacy_event(
        locked,
        "accepted",
        actor,
        accepted_on=str(day),
        programme=programme.pk if programme else None,
    )
    return locked


@transaction.atomic
def candidacy_link(*, candidacy: Candidacy, actor: User, programme: Programme | None) -> Candidacy:
    """Link the accepted candidacy to the OGP Local action plan that came of it (or
    unlink it with None). Side effects: ledger event `openplan.candidacy_linked`."""
    require(actor, candidacy.collectivity)
    locked = Candidacy.objects.select_for_update().get(pk=candidacy.pk)
    if locked.accepted_on is None:
        raise ValidationError(_("An action plan is linked once the candidacy is accepted."))
    errors: Errors = {}
    _plan_clean(errors, locked, programme)
    raise_errors(errors)
    locked.programme = programme
    locked.save(update_fields=["programme"])
    candidacy.programme = programme
    _candidacy_event(locked, "linked", actor, programme=programme.pk if programme else None)
    return locked
