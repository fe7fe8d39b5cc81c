"""Advisory bodies: their composition, meetings and documents, and the referrals to them.

Bodies (`body_*`), their members, meetings and documents are kept by the advisory
secretariat (Perm.ADVISORY_MANAGE). Referrals are cases of the engine (workflow.py,
process.py): the council secretariat (Perm.COUNCIL_MANAGE) refers a matter, which opens
the `opinion` clock; the body adopts its opinion (meets it) and transmits it, which opens
the council's `answer` clock; the council answers, adopted, partly or not adopted, with
its reasons (comply or explain), which meets it. A body may also take up a matter on its
own initiative (no opinion clock). Every state change goes through `case_created` /
`case_transition`; every other change is recorded in the ledger. The council's sessions
put a transmitted opinion on an agenda (`referral_link_item`, from
`council.services.item_add_from_opinion`) and take it off (`referral_unlink_item`).

Each service checks its input field by field first (ValidationError with a dict,
nothing written), then the actor's permission (PermissionDenied), then acts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.advisory import notify
from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyKind,
    BodyMeeting,
    BodyMember,
    BodyRole,
    Referral,
)
from infitah.advisory.process import PROCESS
from infitah.advisory.workflow import INITIATED, REFERRED, Action, Answer, Origin, Status
from infitah.cases.services import case_created, case_transition, files_check
from infitah.council.models import NAME_MAX, TITLE_MAX, AgendaItem, Session
from infitah.council.process import level
from infitah.council.selectors import item_is_live
from infitah.ledger.services import event_record
from infitah.lib.casework import TEXT_MAX, too_long
from infitah.lib.pagecache import bump
from infitah.lib.uploads import CheckedUpload
from infitah.numbering.services import number_next
from infitah.territories.models import Collectivity

# The numbering series of referrals (and self-initiated opinions), per collectivity/year.
SERIES = "advisory"
# An opinion, minutes or reasons may be long: a report rather than a message.
LONG_TEXT_MAX = 50_000
# The bureau roles held by one member at a time (the others may be several).
SINGLE_ROLES = (BodyRole.PRESIDENT, BodyRole.RAPPORTEUR)
REFERRAL_ORIGINS = (Origin.COUNCIL, Origin.PRESIDENT)
FIRST_YEAR = 2015  # the organic laws of 2015 created the bodies


@dataclass(frozen=True)
class RequiredBody:
    """A body the organic law requires of a collectivity of some level."""

    kind: str
    name_ar: str
    name_fr: str
    legal_basis: str

    @property
    def name(self) -> str:
        """The name in the page's language."""
        return self.name_fr if (get_language() or "ar").startswith("fr") else self.name_ar


EQUITY_AR = "هيئة المساواة وتكافؤ الفرص ومقاربة النوع"
EQUITY_FR = "Instance de l'équité, de l'égalité des chances et de l'approche genre"

# Names as the organic laws and the councils' internal regulations usually give them;
# the collectivity may rename its body (body_update). The article for prefectures and
# provinces is UNCONFIRMED (believed art. 111 of 112.14): the basis names the law only.
REQUIRED: dict[str, tuple[RequiredBody, ...]] = {
    "region": (
        RequiredBody(BodyKind.EQUITY, EQUITY_AR, EQUITY_FR, "111.14 art. 117"),
        RequiredBody(
            BodyKind.YOUTH,
            "الهيئة الاستشارية المكلفة بدراسة القضايا المتعلقة بالشباب",
            "Instance consultative chargée de l'étude des questions relatives aux jeunes",
            "111.14 art. 117",
        ),
        RequiredBody(
            BodyKind.ECONOMIC,
            "الهيئة الاستشارية بشراكة مع الفاعلين الاقتصاديين بالجهة المهتمة بدراسة القضايا "
            "الجهوية ذات الطابع الاقتصادي",
            "Instance consultative, en partenariat avec les acteurs économiques de la région, "
            "chargée des questions régionales à caractère économique",
            "111.14 art. 117",
        ),
    ),
    "province": (RequiredBody(BodyKind.EQUITY, EQUITY_AR, EQUITY_FR, "112.14"),),
    "commune": (RequiredBody(BodyKind.EQUITY, EQUITY_AR, EQUITY_FR, "113.14 art. 120"),),
}


def bodies_required(collectivity: Collectivity) -> tuple[RequiredBody, ...]:
    """The advisory bodies the organic law requires of `collectivity` (by its level)."""
    return REQUIRED[level(collectivity)]


# ------------------------------------------------------------------------ checks


def _require(perm: Perm, actor: User | None, collectivity: Collectivity) -> None:
    if actor is None or not has_perm(actor, perm, collectivity):
        raise PermissionDenied


def _text(
    errors: dict[str, Any],
    field: str,
    value: str | None,
    *,
    max_length: int,
    required: str = "",
) -> str:
    """`value` stripped; a message in `errors[field]` if it is missing (when `required`
    is the message), too long or holds a NUL character."""
    text = (value or "").strip()
    if not text and required:
        errors[field] = required
    elif len(text) > max_length:
        errors[field] = too_long(max_length)
    elif "\x00" in text:
        errors[field] = _("This text contains a forbidden character.")
    return text


def _past_day(
    errors: dict[str, Any], field: str, value: dt.date | None, *, required: str = ""
) -> dt.date | None:
    """A date that is not in the future (a fact recorded), required if `required`."""
    if value is None:
        if required:
            errors[field] = required
        return None
    if not isinstance(value, dt.date):
        errors[field] = _("Enter a valid date.")
        return None
    if value > timezone.localdate():
        errors[field] = _("This date is in the future.")
    return value


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        raise ValidationError(errors)


def _live_body(body: Body) -> None:
    if body.deleted:
        raise ValidationError({"body": _("This body no longer exists.")})


def _changed() -> None:
    """The public pages of advisory bodies are stale once the change commits."""
    transaction.on_commit(lambda: bump(PROCESS.name))


def _record(
    obj: Any,
    action: str,
    *,
    actor: User | None,
    collectivity: Collectivity,
    data: dict[str, Any] | None = None,
    note: str = "",
) -> None:
    event_record(
        obj=obj,
        action=f"advisory.{action}",
        actor=actor,
        process="" if actor is not None else "advisory",
        collectivity=collectivity,
        data=data or {},
        note=note[:2000],
    )


# ------------------------------------------------------------------------ bodies


@transaction.atomic
def body_ensure_required(*, collectivity: Collectivity, actor: User | None) -> list[Body]:
    """Create the bodies the law requires of `collectivity` that it does not have yet
    (a live body of the same kind counts), with their Arabic and French names and legal
    basis; returns the bodies created (none on a second run).

    Requires ADVISORY_MANAGE of `actor`. The collectivity row is locked so that two
    secretaries pressing the button at once do not create a body twice.
    """
    _require(Perm.ADVISORY_MANAGE, actor, collectivity)
    Collectivity.objects.select_for_update().filter(pk=collectivity.pk).first()
    existing = set(
        Body.objects.filter(collectivity=collectivity, deleted=False).values_list("kind", flat=True)
    )
    created = []
    for required in bodies_required(collectivity):
        if required.kind in existing:
            continue
        body = Body.objects.create(
            collectivity=collectivity,
            kind=required.kind,
            name_ar=required.name_ar,
            name_fr=required.name_fr,
            legal_basis=required.legal_basis,
        )
        _record(body, "body_created", actor=actor, collectivity=collectivity)
        created.append(body)
    if created:
        _changed()
    return created


def _body_fields(
    errors: dict[str, Any],
    *,
    name_ar: str,
    name_fr: str,
    description_ar: str,
    description_fr: str,
    established_on: dt.date | None,
) -> dict[str, Any]:
    return {
        "name_ar": _text(
            errors, "name_ar", name_ar, max_length=NAME_MAX, required=_("Give the name in Arabic.")
        ),
        "name_fr": _text(errors, "name_fr", name_fr, max_length=NAME_MAX),
        "description_ar": _text(errors, "description_ar", description_ar, max_length=TEXT_MAX),
        "description_fr": _text(errors, "description_fr", description_fr, max_length=TEXT_MAX),
        "established_on": _past_day(errors, "established_on", established_on),
    }


@transaction.atomic
def body_create(
    *,
    collectivity: Collectivity,
    actor: User | None,
    name_ar: str,
    name_fr: str = "",
    description_ar: str = "",
    description_fr: str = "",
    established_on: dt.date | None = None,
) -> Body:
    """Create an advisory body the collectivity sets up on its own (kind "other", no
    legal basis): the bodies the law requires come from `body_ensure_required`."""
    errors: dict[str, Any] = {}
    values = _body_fields(
        errors,
        name_ar=name_ar,
        name_fr=name_fr,
        description_ar=description_ar,
        description_fr=description_fr,
        established_on=established_on,
    )
    _raise(errors)
    _require(Perm.ADVISORY_MANAGE, actor, collectivity)
    body = Body.objects.create(collectivity=collectivity, kind=BodyKind.OTHER, **values)
    _record(body, "body_created", actor=actor, collectivity=collectivity)
    _changed()
    return body


@transaction.atomic
def body_update(
    *,
    body: Body,
    actor: User | None,
    name_ar: str,
    name_fr: str = "",
    description_ar: str = "",
    description_fr: str = "",
    established_on: dt.date | None = None,
) -> Body:
    """Rename a body, describe it, record when it was set up. Its kind and legal basis
    do not change."""
    errors: dict[str, Any] = {}
    values = _body_fields(
        errors,
        name_ar=name_ar,
        name_fr=name_fr,
        description_ar=description_ar,
        description_fr=description_fr,
        established_on=established_on,
    )
    _raise(errors)
    _live_body(body)
    _require(Perm.ADVISORY_MANAGE, actor, body.collectivity)
    for name, value in values.items():
        setattr(body, name, value)
    body.save()
    _record(body, "body_updated", actor=actor, collectivity=body.collectivity)
    _changed()
    return body


# ----------------------------------------------------------------------- members


def _active_members(body: Body, *, exclude: int | None = None) -> Any:
    members = BodyMember.objects.filter(body=body, deleted=False, ended_on__isnull=True)
    return members.exclude(pk=exclude) if exclude is not None else members


def _member_fields(
    errors: dict[str, Any],
    body: Body,
    *,
    name_ar: str,
    name_fr: str,
    organisation: str,
    role: str,
    started_on: dt.date | None,
    user_email: str,
    exclude: int | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name_ar": _text(
            errors,
            "name_ar",
            name_ar,
            max_length=NAME_MAX,
            required=_("Give the member's name in Arabic."),
        ),
        "name_fr": _text(errors, "name_fr", name_fr, max_length=NAME_MAX),
        "organisation": _text(errors, "organisation", organisation, max_length=NAME_MAX),
        "started_on": _past_day(
            errors, "started_on", started_on, required=_("Give the date the seat started.")
        ),
        "role": role,
        "user": None,
    }
    if role not in BodyRole.values:
        errors["role"] = _("Choose a role from the list.")
    elif role in SINGLE_ROLES and _active_members(body, exclude=exclude).filter(role=role).exists():
        errors["role"] = _("The body already has a member in this role: end their seat first.")
    email = (user_email or "").strip()
    if email:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            errors["user_email"] = _("No active account has this e-mail address.")
        elif _active_members(body, exclude=exclude).filter(user=user).exists():
            errors["user_email"] = _("This account already holds a seat in this body.")
        values["user"] = user
    return values


@transaction.atomic
def body_member_add(
    *,
    body: Body,
    actor: User | None,
    name_ar: str,
    name_fr: str = "",
    organisation: str = "",
    role: str = BodyRole.MEMBER,
    started_on: dt.date | None = None,
    user_email: str = "",
) -> BodyMember:
    """Seat a member in `body` (mostly civil society: the association or organisation
    they come from), with their bureau role: one president and one rapporteur at a
    time. `user_email` links the member's account, if they have one: they then receive
    the body's e-mails (referrals, answers, meetings)."""
    errors: dict[str, Any] = {}
    values = _member_fields(
        errors,
        body,
        name_ar=name_ar,
        name_fr=name_fr,
        organisation=organisation,
        role=role,
        started_on=started_on,
        user_email=user_email,
    )
    _raise(errors)
    _live_body(body)
    _require(Perm.ADVISORY_MANAGE, actor, body.collectivity)
    member = BodyMember.objects.create(body=body, **values)
    _record(
        member, "member_added", actor=actor, collectivity=body.collectivity, data={"role": role}
    )
    _changed()
    return member


@transaction.atomic
def body_member_update(
    *,
    member: BodyMember,
    actor: User | None,
    name_ar: str,
    name_fr: str = "",
    organisation: str = "",
    role: str = BodyRole.MEMBER,
    started_on: dt.date | None = None,
    user_email: str = "",
) -> BodyMember:
    """Correct a member's name, organisation, role, start or account (a seat that has
    ended is not changed: seat the person again)."""
    body = member.body
    errors: dict[str, Any] = {}
    if member.deleted or member.ended_on is not None:
        raise ValidationError({"member": _("This seat has ended.")})
    values = _member_fields(
        errors,
        body,
        name_ar=name_ar,
        name_fr=name_fr,
        organisation=organisation,
        role=role,
        started_on=started_on,
        user_email=user_email,
        exclude=member.pk,
    )
    _raise(errors)
    _live_body(body)
    _require(Perm.ADVISORY_MANAGE, actor, body.collectivity)
    for name, value in values.items():
        setattr(member, name, value)
    member.save()
    _record(
        member, "member_updated", actor=actor, collectivity=body.collectivity, data={"role": role}
    )
    _changed()
    return member


@transaction.atomic
def body_member_end(
    *, member: BodyMember, actor: User | None, ended_on: dt.date | None
) -> BodyMember:
    """End a member's seat on `ended_on` (not before it started, not in the future)."""
    errors: dict[str, Any] = {}
    if member.deleted or member.ended_on is not None:
        raise ValidationError({"member": _("This seat has ended.")})
    day = _past_day(errors, "ended_on", ended_on, required=_("Give the date the seat ended."))
    if day is not None and "ended_on" not in errors and day < member.started_on:
        errors["ended_on"] = _("A seat cannot end before it started.")
    _raise(errors)
    _live_body(member.body)
    _require(Perm.ADVISORY_MANAGE, actor, member.body.collectivity)
    member.ended_on = day
    member.save(update_fields=["ended_on"])
    _record(member, "member_ended", actor=actor, collectivity=member.body.collectivity)
    _changed()
    return member


# ------------------------------------------------------------ meetings, documents


def _meeting_fields(
    errors: dict[str, Any], *, starts_at: dt.datetime | None, place: str, minutes: str
) -> dict[str, Any]:
    when = starts_at
    if not isinstance(when, dt.datetime):
        errors["starts_at"] = _("Give the date and time of the meeting.")
        when = None
    elif timezone.is_naive(when):
        when = timezone.make_aware(when)
    values = {
        "starts_at": when,
        "place": _text(errors, "place", place, max_length=TITLE_MAX),
        "minutes": _text(errors, "minutes", minutes, max_length=LONG_TEXT_MAX),
    }
    if when is not None and values["minutes"] and when > timezone.now():
        errors["minutes"] = _("Minutes are recorded after the meeting.")
    return values


@transaction.atomic
def meeting_add(
    *,
    body: Body,
    actor: User | None,
    starts_at: dt.datetime | None,
    place: str = "",
    minutes: str = "",
) -> BodyMeeting:
    """Record a meeting of `body` (a coming one, or a past one with its minutes). The
    members with an account are told of a coming meeting by e-mail."""
    errors: dict[str, Any] = {}
    values = _meeting_fields(errors, starts_at=starts_at, place=place, minutes=minutes)
    _raise(errors)
    _live_body(body)
    _require(Perm.ADVISORY_MANAGE, actor, body.collectivity)
    meeting = BodyMeeting.objects.create(body=body, **values)
    _record(meeting, "meeting_added", actor=actor, collectivity=body.collectivity)
    if meeting.starts_at > timezone.now():
        notify.meeting_announced(meeting)
    _changed()
    return meeting


@transaction.atomic
def meeting_update(
    *,
    meeting: BodyMeeting,
    actor: User | None,
    starts_at: dt.datetime | None,
    place: str = "",
    minutes: str = "",
) -> BodyMeeting:
    """Correct a meeting, or add its minutes once it was held."""
    errors: dict[str, Any] = {}
    values = _meeting_fields(errors, starts_at=starts_at, place=place, minutes=minutes)
    _raise(errors)
    if meeting.deleted:
        raise ValidationError({"meeting": _("This meeting no longer exists.")})
    _live_body(meeting.body)
    _require(Perm.ADVISORY_MANAGE, actor, meeting.body.collectivity)
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.save()
    _record(meeting, "meeting_updated", actor=actor, collectivity=meeting.body.collectivity)
    _changed()
    return meeting


def _document_store(
    body: Body,
    upload: UploadedFile[Any],
    checked: CheckedUpload,
    **fields: Any,
) -> BodyDocument:
    """Store a file checked by `files_check` as a document of `body` (the engine's
    `files_store`, for a model whose owner is a body rather than a case)."""
    document = BodyDocument(
        body=body,
        name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        **fields,
    )
    upload.seek(0)
    document.file.save(f"upload.{checked.extension}", upload, save=False)
    document.save()
    return document


def _one_file(errors: dict[str, Any], file: UploadedFile[Any] | None) -> CheckedUpload | None:
    if file is None:
        errors["file"] = _("Choose a file.")
        return None
    try:
        return files_check([file], max_count=1)[0]
    except ValidationError as exc:
        errors["file"] = exc.message_dict["files"]
        return None


@transaction.atomic
def document_add(
    *,
    body: Body,
    actor: User | None,
    kind: str,
    title: str,
    file: UploadedFile[Any] | None,
    year: int | None = None,
    meeting: BodyMeeting | None = None,
    referral: Referral | None = None,
) -> BodyDocument:
    """Publish a document of `body`: minutes (of one of its meetings, if given), its
    annual report (with its year), the text of an opinion (on one of its referrals, if
    given; public once the opinion is transmitted) or another document. The file is
    checked by its content (lib/uploads) before anything is written."""
    errors: dict[str, Any] = {}
    title = _text(errors, "title", title, max_length=TITLE_MAX, required=_("Give a title."))
    if kind not in BodyDocumentKind.values:
        errors["kind"] = _("Choose a kind from the list.")
    this_year = timezone.localdate().year
    if year is not None and not (isinstance(year, int) and FIRST_YEAR <= year <= this_year + 1):
        errors["year"] = _("Give a year from %(first)d to %(last)d.") % {
            "first": FIRST_YEAR,
            "last": this_year + 1,
        }
    elif year is None and kind == BodyDocumentKind.ANNUAL_REPORT:
        errors["year"] = _("Give the year of the annual report.")
    if meeting is not None and (meeting.body_id != body.pk or meeting.deleted):
        errors["meeting"] = _("Choose a meeting of this body.")
    if referral is not None and (referral.body_id != body.pk or referral.deleted):
        errors["referral"] = _("Choose a referral of this body.")
    checked = _one_file(errors, file)
    _raise(errors)
    assert file is not None and checked is not None
    _live_body(body)
    _require(Perm.ADVISORY_MANAGE, actor, body.collectivity)
    document = _document_store(
        body,
        file,
        checked,
        kind=kind,
        title=title,
        year=year,
        meeting=meeting,
        referral=referral,
    )
    _record(
        document,
        "document_added",
        actor=actor,
        collectivity=body.collectivity,
        data={"kind": kind, "sha256": checked.sha256},
    )
    _changed()
    return document


@transaction.atomic
def document_delete(*, document: BodyDocument, actor: User | None, reason: str) -> BodyDocument:
    """Take a document off the pages (kept, marked deleted), with the reason."""
    errors: dict[str, Any] = {}
    reason = _text(errors, "reason", reason, max_length=TEXT_MAX, required=_("Give the reason."))
    _raise(errors)
    if document.deleted:
        raise ValidationError({"document": _("This document is already deleted.")})
    _require(Perm.ADVISORY_MANAGE, actor, document.body.collectivity)
    document.deleted = True
    document.save(update_fields=["deleted"])
    _record(
        document,
        "document_deleted",
        actor=actor,
        collectivity=document.body.collectivity,
        note=reason,
    )
    _changed()
    return document


# --------------------------------------------------------------------- referrals


def _new_reference(collectivity: Collectivity) -> str:
    year = timezone.localdate().year
    number = number_next(collectivity=collectivity, series=SERIES, year=year)
    return f"REF-{year}-{number}"


def _matter_fields(
    errors: dict[str, Any], *, subject_ar: str, subject_fr: str, question: str
) -> dict[str, Any]:
    return {
        "subject_ar": _text(
            errors,
            "subject_ar",
            subject_ar,
            max_length=TITLE_MAX,
            required=_("Give the subject in Arabic."),
        ),
        "subject_fr": _text(errors, "subject_fr", subject_fr, max_length=TITLE_MAX),
        "question": _text(
            errors,
            "question",
            question,
            max_length=TEXT_MAX,
            required=_("Describe the matter on which the opinion is asked."),
        ),
    }


@transaction.atomic
def referral_create(
    *,
    collectivity: Collectivity,
    body: Body,
    actor: User | None,
    origin: str,
    subject_ar: str,
    subject_fr: str = "",
    question: str = "",
    session: Session | None = None,
) -> Referral:
    """Refer a matter to a body of `collectivity` for its opinion (the council
    secretariat, Perm.COUNCIL_MANAGE): from the council, optionally with the session
    that decided it, or from the president. Takes the next `REF-<year>-<n>` reference,
    opens the `opinion` clock (`advisory.opinion`) and tells the body by e-mail."""
    errors: dict[str, Any] = {}
    values = _matter_fields(errors, subject_ar=subject_ar, subject_fr=subject_fr, question=question)
    if origin not in REFERRAL_ORIGINS:
        errors["origin"] = _("A matter is referred by the council or by its president.")
    if body.collectivity_id != collectivity.pk or body.deleted:
        errors["body"] = _("Choose a body of this collectivity.")
    if session is not None:
        if session.collectivity_id != collectivity.pk or session.deleted:
            errors["session"] = _("Choose a session of this council.")
        elif origin == Origin.PRESIDENT:
            errors["session"] = _("A referral by the president is not decided in a session.")
    _raise(errors)
    _require(Perm.COUNCIL_MANAGE, actor, collectivity)
    referral = Referral.objects.create(
        collectivity=collectivity,
        body=body,
        status=Status.REFERRED,
        origin=origin,
        reference=_new_reference(collectivity),
        referred_on=timezone.localdate(),
        session=session,
        **values,
    )
    case_created(
        PROCESS,
        referral,
        REFERRED,
        actor=actor,
        data={"body": body.pk, "origin": origin, "session": session.pk if session else None},
    )
    notify.referred(referral)
    return referral


@transaction.atomic
def opinion_initiate(
    *,
    body: Body,
    actor: User | None,
    subject_ar: str,
    subject_fr: str = "",
    question: str = "",
) -> Referral:
    """The body takes up a matter on its own initiative (Perm.ADVISORY_MANAGE): a
    referral of origin "self", in preparation, without an opinion clock."""
    errors: dict[str, Any] = {}
    values = _matter_fields(errors, subject_ar=subject_ar, subject_fr=subject_fr, question=question)
    _raise(errors)
    _live_body(body)
    _require(Perm.ADVISORY_MANAGE, actor, body.collectivity)
    referral = Referral.objects.create(
        collectivity=body.collectivity,
        body=body,
        status=Status.DRAFTING,
        origin=Origin.SELF,
        reference=_new_reference(body.collectivity),
        **values,
    )
    case_created(PROCESS, referral, INITIATED, actor=actor, data={"body": body.pk})
    return referral


def _two_texts(
    errors: dict[str, Any], ar: str, fr: str, *, field: str, message: str
) -> tuple[str, str]:
    """An Arabic and a French text, at least one of them given."""
    text_ar = _text(errors, f"{field}_ar", ar, max_length=LONG_TEXT_MAX)
    text_fr = _text(errors, f"{field}_fr", fr, max_length=LONG_TEXT_MAX)
    if not text_ar and not text_fr and f"{field}_ar" not in errors:
        errors[f"{field}_ar"] = message
    return text_ar, text_fr


@transaction.atomic
def opinion_adopt(
    *,
    referral: Referral,
    actor: User | None,
    opinion_ar: str,
    opinion_fr: str = "",
    adopted_on: dt.date | None = None,
    file: UploadedFile[Any] | None = None,
) -> Referral:
    """Record the opinion the body adopted (its text in Arabic and/or French, the day of
    the adoption, optionally the signed document): meets the opinion clock."""
    errors: dict[str, Any] = {}
    text_ar, text_fr = _two_texts(
        errors,
        opinion_ar,
        opinion_fr,
        field="opinion",
        message=_("Give the text of the opinion (in Arabic or French)."),
    )
    day = _past_day(
        errors, "adopted_on", adopted_on, required=_("Give the day the body adopted it.")
    )
    since = referral.referred_on or timezone.localdate(referral.created_at)
    if day is not None and "adopted_on" not in errors and day < since:
        errors["adopted_on"] = _("The opinion cannot be adopted before the matter was taken up.")
    checked = _one_file(errors, file) if file is not None else None
    _raise(errors)
    locked = case_transition(
        PROCESS,
        referral,
        Action.ADOPT,
        actor=actor,
        changes={"opinion_ar": text_ar, "opinion_fr": text_fr, "adopted_on": day},
    )
    if file is not None and checked is not None:
        document = _document_store(
            locked.body,
            file,
            checked,
            kind=BodyDocumentKind.OPINION,
            title=(locked.subject_ar or locked.subject_fr)[:TITLE_MAX],
            referral=locked,
        )
        _record(
            document,
            "document_added",
            actor=actor,
            collectivity=locked.collectivity,
            data={"kind": BodyDocumentKind.OPINION, "sha256": checked.sha256},
        )
    return locked


@transaction.atomic
def opinion_transmit(*, referral: Referral, actor: User | None) -> Referral:
    """Transmit the adopted opinion to the council: it becomes public, and the council's
    `answer` clock opens (`advisory.answer`); the council secretariat is told."""
    locked = case_transition(
        PROCESS,
        referral,
        Action.TRANSMIT,
        actor=actor,
        changes={"transmitted_on": timezone.localdate()},
    )
    notify.transmitted(locked)
    return locked


@transaction.atomic
def referral_answer(
    *,
    referral: Referral,
    actor: User | None,
    answer: str,
    reasons_ar: str = "",
    reasons_fr: str = "",
    agenda_item: AgendaItem | None = None,
) -> Referral:
    """The council's public answer to a transmitted opinion (Perm.COUNCIL_MANAGE):
    adopted, partly adopted or not adopted, always with its reasons (comply or
    explain), optionally the agenda item where the council considered it. Meets the
    answer clock; the body is told."""
    errors: dict[str, Any] = {}
    if answer not in Answer.values:
        errors["answer"] = _("Choose the council's answer.")
    reasons = _two_texts(
        errors,
        reasons_ar,
        reasons_fr,
        field="answer_reasons",
        message=_("Give the council's reasons (in Arabic or French)."),
    )
    if agenda_item is not None and (
        agenda_item.deleted
        or agenda_item.session.deleted
        or agenda_item.session.collectivity_id != referral.collectivity_id
    ):
        errors["agenda_item"] = _("Choose an agenda item of this council.")
    _raise(errors)
    locked = case_transition(
        PROCESS,
        referral,
        Action.ANSWER,
        actor=actor,
        changes={
            "answer": answer,
            "answer_reasons_ar": reasons[0],
            "answer_reasons_fr": reasons[1],
            "answered_on": timezone.localdate(),
            "agenda_item": agenda_item,
        },
        data={"answer": answer, "agenda_item": agenda_item.pk if agenda_item else None},
    )
    notify.answered(locked)
    return locked


def _agenda_event(locked: Referral, action: str, actor: User | None, item_id: int) -> None:
    """A ledger event on the referral that does not change its state (the chain of
    states stays unbroken)."""
    event_record(
        obj=locked,
        action=f"advisory.{action}",
        actor=actor,
        process="" if actor is not None else PROCESS.name,
        collectivity=locked.collectivity,
        from_state=locked.status,
        to_state=locked.status,
        data={"item": item_id},
    )
    _changed()


@transaction.atomic
def referral_link_item(*, referral: Referral, actor: User | None, item: AgendaItem) -> Referral:
    """The council secretariat put a transmitted opinion on its agenda: `item` (of a
    live session of the same council) carries it, and the answer form proposes it.

    An opinion is put on an agenda only while the council's answer is awaited
    (transmitted): once answered, the answer (with the item where the council considered
    it, if any) is the public record and is not rewritten.

    Preconditions: `item` is a live item of this collectivity's council (else
    ValidationError); Perm.COUNCIL_MANAGE there (else PermissionDenied); the referral
    is live, transmitted, and on no other live agenda (else ValidationError). Linking
    it again to the same item changes nothing. Side effects: ledger event
    `advisory.item_linked`; the advisory pages are stale.
    """
    if item.session.collectivity_id != referral.collectivity_id or not item_is_live(item):
        raise ValidationError({"agenda_item": _("Choose an agenda item of this council.")})
    _require(Perm.COUNCIL_MANAGE, actor, referral.collectivity)
    # The row lock serialises two secretaries adding the same opinion to two sessions.
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.deleted or locked.body.deleted:
        raise ValidationError({"referral": _("This referral no longer exists.")})
    if locked.status != Status.TRANSMITTED:
        raise ValidationError(
            {
                "referral": _(
                    "Only an opinion transmitted to the council, and not yet answered, can "
                    "be put on the agenda."
                )
            }
        )
    current = locked.agenda_item
    if current is not None and current.pk == item.pk:
        return locked
    if current is not None and item_is_live(current):
        raise ValidationError({"referral": _("This opinion is already on an agenda.")})
    locked.agenda_item = item
    locked.save(update_fields=["agenda_item"])
    _agenda_event(locked, "item_linked", actor, item.pk)
    referral.agenda_item = item
    return locked


@transaction.atomic
def referral_unlink_item(*, referral: Referral, actor: User | None, item: AgendaItem) -> Referral:
    """`item` was taken off the agenda: the referral no longer points at it (the
    opinion may be put on an agenda again).

    Preconditions: Perm.COUNCIL_MANAGE in the referral's collectivity (else
    PermissionDenied). Nothing changes when the referral points at another item or at
    none. Side effects: ledger event `advisory.item_unlinked`; the advisory pages are
    stale.
    """
    _require(Perm.COUNCIL_MANAGE, actor, referral.collectivity)
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.agenda_item_id != item.pk:
        return locked
    locked.agenda_item = None
    locked.save(update_fields=["agenda_item"])
    _agenda_event(locked, "item_unlinked", actor, item.pk)
    referral.agenda_item = None
    return locked


@transaction.atomic
def referral_withdraw(*, referral: Referral, actor: User | None, reason: str) -> Referral:
    """The council or its president withdraws a referral before the opinion: the
    opinion clock is cancelled; the body is told, with the reason."""
    errors: dict[str, Any] = {}
    reason = _text(errors, "reason", reason, max_length=TEXT_MAX, required=_("Give the reason."))
    _raise(errors)
    locked = case_transition(PROCESS, referral, Action.WITHDRAW, actor=actor, note=reason)
    notify.withdrawn(locked, reason)
    return locked
