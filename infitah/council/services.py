"""Writes of council sessions without paper: convening, the agenda, its documents and
their distribution, the sitting (attendance, quorum, votes, decisions), the summary.

A session is a case of the engine (`workflow.py`, `process.py`): every change of state
goes through `case_transition`, which checks the table and the secretariat's permission
(Perm.COUNCIL_MANAGE), moves the `agenda` and `summary` clocks and records the ledger
event. The other writes (items, documents, attendance, votes, decisions) lock the session
row, check the state and the permission themselves and record their own ledger event.

Side effects outside the app: the published agenda and each decision are appended to the
publication register (`register.py`); the members get their documents by e-mail
(`sessions_notify.py`); an item that comes from a petition is scheduled and decided on
the petition (`petitions.services`) when the secretariat also holds the bureau's
permission, and the bureau is told by e-mail otherwise; an item that carries an advisory
body's opinion is recorded on the referral (`advisory.services.referral_link_item`), which
follows the item when the session is convened again and lets go of it when the item is
taken off the agenda.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import User
from infitah.accounts.permissions import Perm, has_perm
from infitah.advisory.models import Referral
from infitah.advisory.process import PROCESS as ADVISORY_PROCESS
from infitah.advisory.services import referral_link_item, referral_unlink_item
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.cases.services import (
    TransitionNotAllowed,
    case_created,
    case_lock,
    case_transition,
    files_check,
    refused,
)
from infitah.council import sessions_notify as notify
from infitah.council.models import (
    TITLE_MAX,
    URL_MAX,
    AgendaItem,
    Attendance,
    Choice,
    Committee,
    Document,
    DocumentKind,
    ItemResult,
    Member,
    Presence,
    Receipt,
    Session,
    Vote,
)
from infitah.council.organs import ordinary_months
from infitah.council.organs_selectors import council_settings_get, term_current
from infitah.council.process import PROCESS
from infitah.council.register import document_register, registered_ids
from infitah.council.selectors import (
    PETITION_STATES,
    live_items,
    members_in_office,
    members_reached,
)
from infitah.council.workflow import CONVENED, Action, SessionKind, Status
from infitah.ledger.services import event_record
from infitah.lib.casework import TEXT_MAX, too_long
from infitah.lib.pagecache import bump
from infitah.numbering.services import number_next
from infitah.petitions.models import Petition
from infitah.petitions.services import petition_decide, petition_schedule
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.territories.models import Collectivity

SESSION_SERIES = "council_session"
DECISION_SERIES = "council_decision"
DECISION_NUMBER_MAX = 64
REASON_MAX = 2_000
# Positions are moved out of the way first when the agenda is reordered (the unique
# number per session is checked row by row on both databases).
REORDER_OFFSET = 16_000
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"

Errors = dict[str, Any]

# What may still change in each state (the published agenda's titles, numbers, date and
# kind are fixed: the convocation named them).
SESSION_FIELDS = (
    "kind",
    "title_ar",
    "title_fr",
    "starts_at",
    "ends_at",
    "place",
    "video_url",
    "is_public",
    "broadcast_url",
    "recording_url",
)
SESSION_EDITABLE: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset(SESSION_FIELDS),
    Status.CONVENED: frozenset(
        {"ends_at", "place", "video_url", "is_public", "broadcast_url", "recording_url"}
    ),
    Status.HELD: frozenset({"ends_at", "broadcast_url", "recording_url"}),
    Status.SUMMARY_PUBLISHED: frozenset({"broadcast_url", "recording_url"}),
}
ITEM_FIELDS = (
    "title_ar",
    "title_fr",
    "description",
    "rapporteur",
    "committee",
    "committee_report",
    "is_public",
)
ITEM_EDITABLE: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset(ITEM_FIELDS),
    Status.CONVENED: frozenset(ITEM_FIELDS) - {"title_ar", "title_fr"},
}
# Documents may be added until the session is closed by an adjournment or cancellation.
DOCUMENT_STATES = frozenset({Status.DRAFT, Status.CONVENED, Status.HELD, Status.SUMMARY_PUBLISHED})
# The kinds the secretariat uploads (the minutes are the minutes' own).
UPLOAD_KINDS = frozenset(DocumentKind.values) - {DocumentKind.MINUTES}
OUTCOMES = frozenset({ItemResult.POSTPONED, ItemResult.WITHDRAWN, ItemResult.NOTED})
VOTED = frozenset({ItemResult.ADOPTED, ItemResult.REJECTED})
EXPRESSED = frozenset({Choice.FOR, Choice.AGAINST, Choice.ABSTAIN})


@dataclass
class SessionInput:
    """What the secretariat enters about a session (text as typed, `starts_at` aware)."""

    kind: str
    title_ar: str
    title_fr: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    video_url: str = ""
    is_public: bool = True
    broadcast_url: str = ""
    recording_url: str = ""

    @classmethod
    def of(cls, session: Session, **changes: Any) -> SessionInput:
        """The session as it is, with `changes`."""
        values = {name: getattr(session, name) for name in SESSION_FIELDS}
        return cls(**{**values, **changes})


@dataclass
class ItemInput:
    """What the secretariat enters about an agenda item."""

    title_ar: str
    title_fr: str = ""
    description: str = ""
    rapporteur: Member | None = None
    committee: Committee | None = None
    committee_report: str = ""
    is_public: bool = True


# ------------------------------------------------------------------------- helpers


def _require(
    actor: User | None, collectivity: Collectivity, perm: Perm = Perm.COUNCIL_MANAGE
) -> None:
    if actor is None or not has_perm(actor, perm, collectivity):
        raise PermissionDenied


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _text(errors: Errors, name: str, value: object, limit: int, *, required: str = "") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        errors[name] = _("This text contains a forbidden character.")
    elif len(text) > limit:
        errors[name] = too_long(limit)
    elif not text and required:
        errors[name] = required
    return text


def _url(errors: Errors, name: str, value: object) -> str:
    text = _text(errors, name, value, URL_MAX)
    if text and name not in errors:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            errors[name] = _("Give a web address starting with https:// or http://.")
    return text


def _titles(errors: Errors, title_ar: object, title_fr: object) -> tuple[str, str]:
    ar = _text(errors, "title_ar", title_ar, TITLE_MAX)
    fr = _text(errors, "title_fr", title_fr, TITLE_MAX)
    if not ar and not fr and "title_ar" not in errors and "title_fr" not in errors:
        errors["title_ar"] = _("Give a title, in Arabic or in French.")
    return ar, fr


def sitting_day(session: Session) -> date:
    """The day of the sitting, in the collectivity's time zone."""
    return timezone.localdate(session.starts_at)


def _event(session: Session, action: str, actor: User | None, **data: Any) -> None:
    """A ledger event about the session that does not change its state."""
    event_record(
        obj=session,
        action=f"council.{action}",
        actor=actor,
        process="" if actor is not None else PROCESS.name,
        collectivity=session.collectivity,
        from_state=session.status,
        to_state=session.status,
        data=data,
    )
    _pages_stale()


def _pages_stale() -> None:
    """The cached pages that show sessions and items are stale once the change commits:
    the council's, and the advisory bodies' (a referral's page names the session and the
    item that carry its opinion)."""
    for namespace in (PROCESS.name, ADVISORY_PROCESS.name):
        transaction.on_commit(lambda namespace=namespace: bump(namespace))  # type: ignore[misc]


def _lock(session: Session) -> Session:
    return case_lock(PROCESS, session)


def _not_now(session: Session) -> TransitionNotAllowed:
    return refused(PROCESS, session)


def quorum_needed(session: Session) -> bool:
    """Whether this convocation needs the quorum: from the council's
    `quorum_free_convocation` on, it deliberates with the members present (art. 42)."""
    free_from = council_settings_get(session.collectivity).quorum_free_convocation
    return session.convocation < free_from


def quorum_reached(*, present: int, in_office: int) -> bool:
    """More than half of the members in office are present."""
    return present * 2 > in_office


def vote_result(*, votes_for: int, votes_against: int, votes_abstain: int) -> str:
    """Adopted when more members voted for than against; "" when nobody voted."""
    if votes_for + votes_against + votes_abstain == 0:
        return ""
    return ItemResult.ADOPTED if votes_for > votes_against else ItemResult.REJECTED


# ------------------------------------------------------------------------- sessions


def _session_clean(
    collectivity: Collectivity, data: SessionInput, errors: Errors
) -> dict[str, Any]:
    """The session's fields from `data`, checked one by one (errors into `errors`), and
    its term (the one in force on the sitting day)."""
    values: dict[str, Any] = {}
    if data.kind not in SessionKind.values:
        errors["kind"] = _("Choose the kind of session.")
    values["kind"] = data.kind
    values["title_ar"], values["title_fr"] = _titles(errors, data.title_ar, data.title_fr)
    starts_at = data.starts_at
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        errors["starts_at"] = _("Give the day and time of the sitting.")
        starts_at = None
    values["starts_at"] = starts_at
    ends_at = data.ends_at
    if ends_at is not None and (not isinstance(ends_at, datetime) or timezone.is_naive(ends_at)):
        errors["ends_at"] = _("Give a valid day and time.")
    elif ends_at is not None and starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The sitting must end after it starts.")
    values["ends_at"] = ends_at
    values["place"] = _text(errors, "place", data.place, TITLE_MAX)
    values["video_url"] = _url(errors, "video_url", data.video_url)
    if not values["place"] and not values["video_url"] and "place" not in errors:
        errors["place"] = _("Give the place of the sitting, a videoconference link, or both.")
    values["is_public"] = bool(data.is_public)
    values["broadcast_url"] = _url(errors, "broadcast_url", data.broadcast_url)
    values["recording_url"] = _url(errors, "recording_url", data.recording_url)
    if starts_at is not None:
        term = term_current(collectivity, today=timezone.localdate(starts_at))
        if term is None:
            errors["starts_at"] = _(
                "The council has no term yet: record it on the council's organs page first."
            )
        values["term"] = term
    return values


def _month_check(
    collectivity: Collectivity, kind: str, starts_at: datetime | None, errors: Errors
) -> None:
    """An ordinary session sits in one of the months the law (or the council) sets; in
    another month it is an extraordinary session."""
    if kind != SessionKind.ORDINARY or starts_at is None:
        return
    months = ordinary_months(collectivity)
    if timezone.localtime(starts_at).month not in months:
        errors["starts_at"] = _(
            "An ordinary session sits in one of the months %(months)s. In another month, "
            "convene an extraordinary session."
        ) % {"months": ", ".join(str(m) for m in months)}


def _session_new(
    *,
    collectivity: Collectivity,
    values: dict[str, Any],
    actor: User,
    convocation: int = 1,
    follows: Session | None = None,
) -> Session:
    starts_at: datetime = values["starts_at"]
    year = timezone.localdate(starts_at).year
    number = number_next(collectivity=collectivity, series=SESSION_SERIES, year=year)
    session = Session(
        collectivity=collectivity,
        status=Status.DRAFT,
        reference=f"SES-{year}-{number}",
        convocation=convocation,
        follows=follows,
        **values,
    )
    session.save()
    data: dict[str, Any] = {
        "reference": session.reference,
        "kind": session.kind,
        "starts_at": starts_at.isoformat(),
        "convocation": convocation,
    }
    if follows is not None:
        data["follows"] = follows.pk
    # Opens the agenda clock, counted back from the sitting day.
    case_created(PROCESS, session, CONVENED, actor=actor, data=data)
    return session


@transaction.atomic
def session_create(*, collectivity: Collectivity, actor: User, data: SessionInput) -> Session:
    """Convene a session of the council (its agenda in preparation), numbered
    `SES-<year>-<n>` per collectivity and year of the sitting.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); valid fields, a council
    term in force, and, for an ordinary session, one of the ordinary months (else
    ValidationError, nothing written). Side effects: the agenda clock opens (its due date
    counted back from the sitting day); ledger event `council.convened`.
    """
    _require(actor, collectivity)
    errors: Errors = {}
    values = _session_clean(collectivity, data, errors)
    _month_check(collectivity, values["kind"], values["starts_at"], errors)
    _raise(errors)
    return _session_new(collectivity=collectivity, values=values, actor=actor)


@transaction.atomic
def session_update(*, session: Session, actor: User, data: SessionInput) -> Session:
    """Change a session's details. While the agenda is in preparation everything may
    change; once it is published, only the place, links and publicity (not the kind, date
    or titles the convocation named); after the sitting, only the broadcast and
    recording links.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); not adjourned nor
    cancelled (else TransitionNotAllowed); valid fields (else ValidationError). Side
    effects: a new sitting day moves the agenda clock and the petitions on the agenda;
    ledger event `council.updated`.
    """
    _require(actor, session.collectivity)
    locked = _lock(session)
    editable = SESSION_EDITABLE.get(locked.status)
    if editable is None:
        raise _not_now(locked)
    errors: Errors = {}
    values = _session_clean(locked.collectivity, data, errors)
    changed = sorted(
        name for name in SESSION_FIELDS if name in values and values[name] != getattr(locked, name)
    )
    for name in changed:
        if name not in editable and name not in errors:
            errors[name] = _("This can no longer be changed.")
    if "starts_at" in changed or "kind" in changed:
        _month_check(locked.collectivity, values["kind"], values["starts_at"], errors)
    _raise(errors)
    if not changed:
        return locked
    day_before = sitting_day(locked)
    for name in changed:
        setattr(locked, name, values[name])
    fields = list(changed)
    if "starts_at" in changed and values.get("term") is not None:
        locked.term = values["term"]
        fields.append("term")
    locked.save(update_fields=fields)
    if sitting_day(locked) != day_before:
        # The engine replaces the running agenda period with one counted back from the
        # new day (the state table's `reschedule`: draft sessions only).
        case_transition(
            PROCESS,
            locked,
            Action.RESCHEDULE,
            actor=actor,
            data={"starts_at": locked.starts_at.isoformat()},
        )
        for item in locked.items.filter(deleted=False, petition__isnull=False).select_related(
            "petition"
        ):
            _petition_schedule(locked, item, actor)
    _event(locked, "updated", actor, fields=changed)
    for name in (*fields, "agenda_deadline"):
        setattr(session, name, getattr(locked, name))
    return locked


@transaction.atomic
def session_cancel(*, session: Session, actor: User, reason: str) -> Session:
    """Cancel a session before its sitting, with the reason.

    Preconditions: agenda in preparation or convened (else TransitionNotAllowed);
    Perm.COUNCIL_MANAGE (else PermissionDenied); a reason (else ValidationError). Side
    effects: the agenda period, if running, is cancelled; if the agenda was published,
    the members are told.
    """
    errors: Errors = {}
    reason = _text(errors, "reason", reason, REASON_MAX, required=_("Give the reason."))
    _raise(errors)
    locked = case_transition(PROCESS, session, Action.CANCEL, actor=actor, note=reason)
    if locked.agenda_published_at is not None:
        notify.members_cancelled(locked, members_reached(locked.term, timezone.localdate()), reason)
    return locked


# --------------------------------------------------------------------------- items


def _item_clean(session: Session, data: ItemInput, errors: Errors) -> dict[str, Any]:
    values: dict[str, Any] = {}
    values["title_ar"], values["title_fr"] = _titles(errors, data.title_ar, data.title_fr)
    values["description"] = _text(errors, "description", data.description, TEXT_MAX)
    rapporteur = data.rapporteur
    if rapporteur is not None and (rapporteur.term_id != session.term_id or rapporteur.deleted):
        errors["rapporteur"] = _("Choose a member of the council.")
    values["rapporteur"] = rapporteur
    committee = data.committee
    if committee is not None and (committee.term_id != session.term_id or committee.deleted):
        errors["committee"] = _("Choose a committee of the council.")
    values["committee"] = committee
    values["committee_report"] = _text(errors, "committee_report", data.committee_report, TEXT_MAX)
    values["is_public"] = bool(data.is_public)
    return values


def _item_new(
    session: Session,
    values: dict[str, Any],
    actor: User,
    petition: Petition | None = None,
    **origin: Any,
) -> AgendaItem:
    """A new item at the end of the agenda; `origin` (e.g. `referral=<id>`) goes into
    the ledger event with the petition, if any."""
    last = session.items.filter(deleted=False).aggregate(last=Max("number"))["last"] or 0
    item = AgendaItem.objects.create(session=session, number=last + 1, petition=petition, **values)
    if petition is not None:
        origin["petition"] = petition.pk
    _event(session, "item_added", actor, item=item.pk, number=item.number, **origin)
    return item


def _draft(session: Session, actor: User) -> Session:
    """The session locked, if its agenda is still in preparation."""
    _require(actor, session.collectivity)
    locked = _lock(session)
    if locked.status != Status.DRAFT:
        raise _not_now(locked)
    return locked


@transaction.atomic
def item_add(*, session: Session, actor: User, data: ItemInput) -> AgendaItem:
    """Add an item at the end of the agenda.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); agenda in preparation
    (else TransitionNotAllowed); a title, a rapporteur and committee of the session's term
    (else ValidationError). Side effect: ledger event `council.item_added`.
    """
    locked = _draft(session, actor)
    errors: Errors = {}
    values = _item_clean(locked, data, errors)
    _raise(errors)
    return _item_new(locked, values, actor)


def _item_locked(item: AgendaItem, actor: User) -> tuple[Session, AgendaItem]:
    _require(actor, item.session.collectivity)
    session = _lock(item.session)
    fresh = session.items.filter(pk=item.pk, deleted=False).first()
    if fresh is None:
        raise ValidationError({NON_FIELD_ERRORS: _("This item is no longer on the agenda.")})
    return session, fresh


@transaction.atomic
def item_update(*, item: AgendaItem, actor: User, data: ItemInput) -> AgendaItem:
    """Change an item. Once the agenda is published its titles are fixed; the rest
    (description, rapporteur, committee and its report, publicity) may still change
    until the sitting.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); agenda in preparation or
    convened (else TransitionNotAllowed); valid fields (else ValidationError).
    """
    session, fresh = _item_locked(item, actor)
    editable = ITEM_EDITABLE.get(session.status)
    if editable is None:
        raise _not_now(session)
    errors: Errors = {}
    values = _item_clean(session, data, errors)
    changed = [name for name in ITEM_FIELDS if values[name] != getattr(fresh, name)]
    for name in changed:
        if name not in editable and name not in errors:
            errors[name] = _("This can no longer be changed: the agenda is published.")
    _raise(errors)
    if changed:
        for name in changed:
            setattr(fresh, name, values[name])
        fresh.save(update_fields=changed)
        _event(session, "item_updated", actor, item=fresh.pk, fields=changed)
    return fresh


def _renumber(session: Session, ordered: Sequence[AgendaItem]) -> None:
    """Give `ordered` the numbers 1, 2, … (in two passes: a number is unique per session
    at every row written)."""
    now = timezone.now()
    for position, item in enumerate(ordered, start=1):
        item.number = REORDER_OFFSET + position
        item.modified_at = now
    AgendaItem.objects.bulk_update(ordered, ["number", "modified_at"])
    for position, item in enumerate(ordered, start=1):
        item.number = position
    AgendaItem.objects.bulk_update(ordered, ["number"])


@transaction.atomic
def item_remove(*, item: AgendaItem, actor: User) -> AgendaItem:
    """Take an item off the agenda in preparation (kept, marked deleted, with its
    documents); the items after it move up.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); agenda in preparation
    (else TransitionNotAllowed). Side effect: an opinion the item carried no longer
    points at it (`advisory.services.referral_unlink_item`).
    """
    session, fresh = _item_locked(item, actor)
    if session.status != Status.DRAFT:
        raise _not_now(session)
    fresh.deleted = True
    fresh.save(update_fields=["deleted"])
    fresh.documents.filter(deleted=False).update(deleted=True, modified_at=timezone.now())
    rest = list(session.items.filter(deleted=False).order_by("number", "pk"))
    _renumber(session, rest)
    _event(session, "item_removed", actor, item=fresh.pk, number=fresh.number)
    for referral in Referral.objects.filter(agenda_item=fresh).order_by("pk"):
        referral_unlink_item(referral=referral, actor=actor, item=fresh)
    return fresh


@transaction.atomic
def items_reorder(*, session: Session, actor: User, order: Sequence[int]) -> list[AgendaItem]:
    """Put the agenda's items in the order of `order` (their ids, each once).

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); agenda in preparation
    (else TransitionNotAllowed); `order` names every item of the agenda once (else
    ValidationError).
    """
    locked = _draft(session, actor)
    items = {item.pk: item for item in locked.items.filter(deleted=False)}
    if sorted(order) != sorted(items) or len(set(order)) != len(order):
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Give each item of the agenda a different position.")}
        )
    ordered = [items[pk] for pk in order]
    _renumber(locked, ordered)
    _event(locked, "items_reordered", actor, order=list(order))
    return ordered


def _petition_title(session: Session, petition: Petition) -> str:
    french = (petition.language or "").startswith("fr")
    title = (session.title_fr or session.title_ar) if french else session.title_ar
    return (title or session.title_fr)[:TITLE_MAX]


def _petition_schedule(session: Session, item: AgendaItem, actor: User) -> None:
    """Record on the petition that it is on this session's agenda (or tell the bureau
    when the secretariat may not act on petitions)."""
    petition = item.petition
    if petition is None:
        return
    day = sitting_day(session)
    title = _petition_title(session, petition)
    if petition.status not in PETITION_STATES or (
        petition.status == PetitionStatus.SCHEDULED
        and petition.session_date == day
        and petition.session_title == title
    ):
        return
    if has_perm(actor, Perm.PETITIONS_HANDLE, session.collectivity):
        petition_schedule(petition=petition, actor=actor, session_date=day, session_title=title)
    else:
        notify.bureau_petition(session, petition, item, "scheduled")


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _item_from(
    session: Session,
    actor: User,
    *,
    title_ar: str,
    title_fr: str,
    lines: Sequence[str],
    petition: Petition | None = None,
    **origin: Any,
) -> AgendaItem:
    """A new item for what a petition or an opinion brings to the council: its titles
    (shortened to fit), its description (the non-empty `lines`, one paragraph each),
    public, without rapporteur nor committee yet."""
    description = "\n\n".join(line for line in lines if line)
    values = {
        "title_ar": _shorten(title_ar, TITLE_MAX),
        "title_fr": _shorten(title_fr, TITLE_MAX),
        "description": description[:TEXT_MAX],
        "rapporteur": None,
        "committee": None,
        "committee_report": "",
        "is_public": True,
    }
    return _item_new(session, values, actor, petition=petition, **origin)


@transaction.atomic
def item_add_from_petition(*, session: Session, actor: User, petition: Petition) -> AgendaItem:
    """Put a petition the bureau accepted on the agenda: a new item (its title the point
    the petition asks for), linked to the petition.

    The petition is then scheduled for this sitting (`petitions.services.
    petition_schedule`, which tells its agent) when the secretariat also holds the
    bureau's permission (Perm.PETITIONS_HANDLE); otherwise the bureau is told by e-mail
    to record it.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); agenda in preparation
    (else TransitionNotAllowed); the petition is of the same collectivity, accepted or
    scheduled, and on no other live agenda (else ValidationError).
    """
    locked = _draft(session, actor)
    if petition.collectivity_id != locked.collectivity_id:
        raise ValidationError({"petition": _("Choose a petition of this collectivity.")})
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    if current.status not in PETITION_STATES:
        raise ValidationError(
            {"petition": _("Only a petition the bureau accepted can be put on the agenda.")}
        )
    if live_items().filter(petition=current).exists():
        raise ValidationError({"petition": _("This petition is already on an agenda.")})
    request = current.request or current.title
    french = (current.language or "").startswith("fr")
    item = _item_from(
        locked,
        actor,
        title_ar="" if french else request,
        title_fr=request if french else "",
        lines=(f"{current.reference} — {current.title}", request),
        petition=current,
    )
    _petition_schedule(locked, item, actor)
    return item


def _opinion_lines(referral: Referral) -> tuple[str, ...]:
    """The description of an item that carries an opinion: the body, the reference and
    the opinion's text (a record in both languages, not translated with the page)."""
    body = referral.body
    return (
        f"رأي {body.name_ar} — {referral.reference}" if body.name_ar else "",
        f"Avis : {body.name_fr} — {referral.reference}" if body.name_fr else "",
        referral.opinion_ar,
        referral.opinion_fr,
    )


@transaction.atomic
def item_add_from_opinion(*, session: Session, actor: User, referral: Referral) -> AgendaItem:
    """Put an advisory body's opinion on the agenda: a new item (its titles the
    referral's subject, its description the body, the reference and the opinion), which
    the referral then points at (`advisory.services.referral_link_item`: the council's
    answer form proposes it).

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); agenda in preparation
    (else TransitionNotAllowed); the referral is of the same collectivity, its opinion
    transmitted to the council and not yet answered, and on no other live agenda (else
    ValidationError, nothing written). Side effects: ledger events `council.item_added`
    (with the referral) and `advisory.item_linked`.
    """
    locked = _draft(session, actor)
    if referral.collectivity_id != locked.collectivity_id:
        raise ValidationError({"referral": _("Choose an opinion of this collectivity.")})
    item = _item_from(
        locked,
        actor,
        title_ar=referral.subject_ar,
        title_fr=referral.subject_fr,
        lines=_opinion_lines(referral),
        referral=referral.pk,
    )
    # Checks the referral's state under its row lock; a refusal rolls the item back.
    referral_link_item(referral=referral, actor=actor, item=item)
    return item


# ----------------------------------------------------------------------- documents


def _distribute(session: Session, documents: Sequence[Document]) -> list[Member]:
    """A receipt for each document and each member in office who has an account."""
    members = members_reached(session.term, timezone.localdate())
    now = timezone.now()
    Receipt.objects.bulk_create(
        [Receipt(document=d, member=m, sent_at=now) for d in documents for m in members],
        ignore_conflicts=True,
    )
    return members


def _store_text(
    session: Session,
    *,
    kind: str,
    title: str,
    name: str,
    text: str,
    item: AgendaItem | None = None,
) -> Document:
    """A text file the platform writes (the agenda, a decision), stored as a document."""
    content = text.encode("utf-8")
    document = Document(
        session=session,
        item=item,
        kind=kind,
        title=title[:TITLE_MAX],
        name=name[:200],
        content_type=TEXT_CONTENT_TYPE,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        is_public=True,
    )
    document.file.save(f"{kind}.txt", ContentFile(content), save=False)
    document.save()
    return document


@transaction.atomic
def document_add(
    *,
    session: Session,
    actor: User,
    upload: UploadedFile[Any] | None,
    kind: str,
    title: str = "",
    item: AgendaItem | None = None,
    is_public: bool = True,
) -> Document:
    """Attach a file to the session (or to one of its items), checked by its content.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); the session is not
    adjourned nor cancelled (else TransitionNotAllowed); a file of an accepted type, a
    kind, an item of this agenda (else ValidationError, nothing stored). Side effects:
    once the agenda is published, distributed at once to the members (receipts and an
    e-mail); ledger event `council.document_added`.
    """
    _require(actor, session.collectivity)
    locked = _lock(session)
    if locked.status not in DOCUMENT_STATES:
        raise _not_now(locked)
    errors: Errors = {}
    if kind not in UPLOAD_KINDS:
        errors["kind"] = _("Choose the kind of document.")
    title = _text(errors, "title", title, TITLE_MAX)
    if item is not None and (item.session_id != locked.pk or item.deleted):
        errors["item"] = _("Choose an item of this agenda.")
    checked = None
    if upload is None:
        errors["file"] = _("Choose a file.")
    else:
        try:
            checked = files_check([upload], max_count=1)[0]
        except ValidationError as exc:
            errors["file"] = exc.message_dict.get("files", exc.messages)
    _raise(errors)
    assert checked is not None and upload is not None
    document = Document(
        session=locked,
        item=item,
        kind=kind,
        title=title or checked.display_name[:TITLE_MAX],
        name=checked.display_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        is_public=bool(is_public),
    )
    upload.seek(0)
    document.file.save(f"upload.{checked.extension}", upload, save=False)
    document.save()
    _event(locked, "document_added", actor, document=document.pk, kind=kind)
    if locked.agenda_published_at is not None:
        members = _distribute(locked, [document])
        notify.members_document(locked, document, members)
    return document


@transaction.atomic
def receipt_open(*, receipt: Receipt, actor: User) -> Receipt:
    """A member opens a document distributed to them: the first opening's time is kept
    and the openings counted (one UPDATE: two openings at once both count).

    Preconditions: `actor` is the member the receipt is for (else PermissionDenied).
    """
    if receipt.member.user_id is None or receipt.member.user_id != actor.pk:
        raise PermissionDenied
    Receipt.objects.filter(pk=receipt.pk).update(
        open_count=F("open_count") + 1, opened_at=Coalesce("opened_at", Value(timezone.now()))
    )
    receipt.refresh_from_db(fields=["open_count", "opened_at"])
    return receipt


# -------------------------------------------------------------------------- agenda


def _when(session: Session) -> str:
    return timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")


def _agenda_text(session: Session, items: Sequence[AgendaItem]) -> str:
    """The published agenda as a bilingual text file (a record: not translated with the
    page, the same words for everyone)."""
    collectivity = session.collectivity
    lines = [
        f"{collectivity.name_ar} — {collectivity.name_fr}",
        f"{session.reference}",
        f"{session.title_ar}",
        f"{session.title_fr}",
        f"التاريخ / Date : {_when(session)}",
    ]
    if session.place:
        lines.append(f"المكان / Lieu : {session.place}")
    if session.video_url:
        lines.append(f"الاتصال عن بعد / Visioconférence : {session.video_url}")
    lines.append(
        "الجلسة عمومية / Séance publique"
        if session.is_public
        else "الجلسة سرية / Séance à huis clos"
    )
    lines += ["", "جدول الأعمال / Ordre du jour", ""]
    for item in items:
        titles = " — ".join(t for t in (item.title_ar, item.title_fr) if t)
        lines.append(f"{item.number}. {titles}")
    return "\n".join(lines) + "\n"


@transaction.atomic
def agenda_publish(*, session: Session, actor: User) -> Session:
    """Publish the agenda: the session is convened.

    Preconditions: agenda in preparation (else TransitionNotAllowed); Perm.COUNCIL_MANAGE
    (else PermissionDenied); at least one item (else ValidationError). Side effects: the
    agenda period is met; the agenda becomes a document (a text file) appended to the
    publication register; every document of the session is distributed to every member
    in office who has an account (receipts), and each is e-mailed the link to their
    documents page.
    """

    def guard(locked: Session) -> None:
        if not locked.items.filter(deleted=False).exists():
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Add at least one item to the agenda before publishing it.")}
            )

    locked = case_transition(
        PROCESS,
        session,
        Action.PUBLISH_AGENDA,
        actor=actor,
        guard=guard,
        changes=lambda current: {"agenda_published_at": timezone.now()},
    )
    items = list(locked.items.filter(deleted=False).order_by("number"))
    agenda = _store_text(
        locked,
        kind=DocumentKind.AGENDA,
        title="جدول الأعمال — Ordre du jour",
        name=f"agenda-{locked.reference}.txt",
        text=_agenda_text(locked, items),
    )
    document_register(agenda)
    documents = list(locked.documents.filter(deleted=False))
    members = _distribute(locked, documents)
    notify.members_agenda(locked, members)
    _pages_stale()  # the items are public now (a referral's page links them)
    return locked


# ------------------------------------------------------------------------- sitting


def _attendance_check_day(session: Session) -> None:
    if timezone.localdate() < sitting_day(session):
        raise ValidationError({NON_FIELD_ERRORS: _("The sitting has not begun yet.")})


def member_field(member_id: int) -> str:
    """The name of a member's field in the attendance and vote forms (and errors)."""
    return f"member_{member_id}"


@transaction.atomic
def attendance_record(*, session: Session, actor: User, presences: Mapping[int, str]) -> Session:
    """Record who is present, excused or absent (`presences`: member id → presence) for
    every member in office on the sitting day, and whether the quorum is met (more than
    half of them present).

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); convened (else
    TransitionNotAllowed); the sitting day has come; a presence for each member in office
    and no one else; no member who voted on an item becomes absent (else
    ValidationError). Side effect: ledger event `council.attendance_recorded`.
    """
    _require(actor, session.collectivity)
    locked = _lock(session)
    if locked.status != Status.CONVENED:
        raise _not_now(locked)
    _attendance_check_day(locked)
    members = list(members_in_office(locked.term, sitting_day(locked)))
    known = {m.pk for m in members}
    errors: Errors = {}
    if set(presences) - known:
        errors[NON_FIELD_ERRORS] = _("Only the members in office can be recorded.")
    for member in members:
        if presences.get(member.pk) not in Presence.values:
            errors[member_field(member.pk)] = _("Say whether this member is present.")
    voted = Vote.objects.filter(
        item__session=locked, item__deleted=False, choice__in=EXPRESSED
    ).values_list("member_id", "item__number")
    for member_id, number in voted:
        if presences.get(member_id) not in (None, Presence.PRESENT):
            errors.setdefault(
                member_field(member_id),
                _("This member voted on item %(number)s: correct that vote first.")
                % {"number": number},
            )
    _raise(errors)
    Attendance.objects.filter(session=locked).delete()
    Attendance.objects.bulk_create(
        Attendance(session=locked, member=m, presence=presences[m.pk]) for m in members
    )
    present = sum(1 for m in members if presences[m.pk] == Presence.PRESENT)
    locked.quorum_met = quorum_reached(present=present, in_office=len(members))
    locked.save(update_fields=["quorum_met"])
    _event(
        locked,
        "attendance_recorded",
        actor,
        in_office=len(members),
        present=present,
        excused=sum(1 for m in members if presences[m.pk] == Presence.EXCUSED),
        quorum_met=locked.quorum_met,
        quorum_needed=quorum_needed(locked),
    )
    session.quorum_met = locked.quorum_met
    return locked


def _quorum_guard(session: Session) -> None:
    """The sitting may deliberate: the attendance is recorded and the quorum met (or not
    needed at this convocation)."""
    if session.quorum_met is None:
        raise TransitionNotAllowed(_("Record the attendance first."))
    if not session.quorum_met and quorum_needed(session):
        raise TransitionNotAllowed(_("The quorum is not met: adjourn the session."))


@transaction.atomic
def session_adjourn(*, session: Session, actor: User, note: str = "") -> Session:
    """Adjourn a sitting that lacks its quorum; it may be convened again
    (`session_reconvene`).

    Preconditions: convened (else TransitionNotAllowed); Perm.COUNCIL_MANAGE (else
    PermissionDenied); the attendance recorded without the quorum, at a convocation that
    needs it (else TransitionNotAllowed).
    """
    errors: Errors = {}
    note = _text(errors, "note", note, REASON_MAX)
    _raise(errors)

    def guard(locked: Session) -> None:
        if locked.quorum_met is None:
            raise TransitionNotAllowed(_("Record the attendance first."))
        if locked.quorum_met or not quorum_needed(locked):
            raise TransitionNotAllowed(_("The council can deliberate: hold the session instead."))

    return case_transition(PROCESS, session, Action.ADJOURN, actor=actor, note=note, guard=guard)


@transaction.atomic
def session_reconvene(
    *,
    session: Session,
    actor: User,
    starts_at: datetime | None,
    place: str | None = None,
    video_url: str | None = None,
) -> Session:
    """Convene again a session adjourned for want of quorum: a new session (agenda in
    preparation) that `follows` it, with the next convocation number, the same items
    and documents. From the council's `quorum_free_convocation` on, it deliberates with
    the members present.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); adjourned and not yet
    convened again (else TransitionNotAllowed); a sitting after the adjourned one (else
    ValidationError). Side effects: the new session's agenda clock opens; the petitions
    on its agenda follow it; ledger events `council.convened` (new) and
    `council.reconvened` (old).
    """
    _require(actor, session.collectivity)
    locked = _lock(session)
    if locked.status != Status.ADJOURNED:
        raise _not_now(locked)
    again = locked.followed_by.exclude(status=Status.CANCELLED).filter(deleted=False).first()
    if again is not None:
        raise TransitionNotAllowed(
            _("This session was already convened again: %(reference)s.")
            % {"reference": again.reference}
        )
    data = SessionInput.of(
        locked,
        starts_at=starts_at,
        ends_at=None,
        place=locked.place if place is None else place,
        video_url=locked.video_url if video_url is None else video_url,
        recording_url="",
    )
    errors: Errors = {}
    values = _session_clean(locked.collectivity, data, errors)
    if values["starts_at"] is not None and values["starts_at"] <= locked.starts_at:
        errors["starts_at"] = _("The new sitting must come after the adjourned one.")
    _raise(errors)
    new = _session_new(
        collectivity=locked.collectivity,
        values=values,
        actor=actor,
        convocation=locked.convocation + 1,
        follows=locked,
    )
    old_items = list(locked.items.filter(deleted=False).order_by("number"))
    copies = {
        old.pk: AgendaItem(
            session=new,
            number=old.number,
            title_ar=old.title_ar,
            title_fr=old.title_fr,
            description=old.description,
            rapporteur=old.rapporteur
            if old.rapporteur and old.rapporteur.term_id == new.term_id
            else None,
            committee=old.committee
            if old.committee and old.committee.term_id == new.term_id
            else None,
            committee_report=old.committee_report,
            is_public=old.is_public,
            petition_id=old.petition_id,
        )
        for old in old_items
    }
    for copy in copies.values():
        copy.save()
    Document.objects.bulk_create(
        Document(
            session=new,
            item=copies.get(d.item_id) if d.item_id else None,
            kind=d.kind,
            title=d.title,
            file=d.file.name,
            name=d.name,
            content_type=d.content_type,
            size=d.size,
            sha256=d.sha256,
            is_public=d.is_public,
        )
        for d in locked.documents.filter(deleted=False).exclude(kind=DocumentKind.AGENDA)
        if d.item_id is None or d.item_id in copies
    )
    _event(locked, "reconvened", actor, follower=new.pk, reference=new.reference)
    for copy in copies.values():
        if copy.petition_id is not None:
            _petition_schedule(new, copy, actor)
    # The opinions still awaiting the council's answer follow their items (an answered
    # one keeps the item its answer names).
    awaiting = Referral.objects.filter(
        agenda_item__in=list(copies),
        status=ReferralStatus.TRANSMITTED,
        deleted=False,
        body__deleted=False,
    )
    for referral in awaiting.order_by("pk"):
        assert referral.agenda_item_id is not None
        referral_link_item(referral=referral, actor=actor, item=copies[referral.agenda_item_id])
    return new


def _sitting_guard(session: Session) -> None:
    """Votes and decisions are recorded during the sitting (convened, attendance with
    the quorum) or after it (held)."""
    if session.status == Status.HELD:
        return
    if session.status != Status.CONVENED:
        raise _not_now(session)
    _quorum_guard(session)


@transaction.atomic
def session_hold(*, session: Session, actor: User, held_on: date | None = None) -> Session:
    """The sitting took place (on `held_on`, the sitting day by default).

    Preconditions: convened (else TransitionNotAllowed); Perm.COUNCIL_MANAGE (else
    PermissionDenied); the attendance recorded with the quorum, or the quorum not needed
    at this convocation (else TransitionNotAllowed); `held_on` from the sitting day to
    today (else ValidationError). Side effect: the summary period opens from `held_on`.
    """
    day = sitting_day(session)
    held_on = held_on or day
    errors: Errors = {}
    if not isinstance(held_on, date):
        errors["held_on"] = _("Give the day of the sitting.")
    elif held_on < day:
        errors["held_on"] = _("The sitting cannot be held before the day it was convened for.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("This day has not come yet.")
    _raise(errors)
    return case_transition(
        PROCESS,
        session,
        Action.HOLD,
        actor=actor,
        guard=_quorum_guard,
        changes={"held_on": held_on},
        data={"held_on": held_on.isoformat()},
    )


@transaction.atomic
def vote_record(*, item: AgendaItem, actor: User, votes: Mapping[int, str]) -> AgendaItem:
    """Record each member's vote on an item (`votes`: member id → choice) and compute
    its result: adopted if more voted for than against, else rejected. Only the members
    present vote for, against or abstain; the others did not vote.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); convened with the
    attendance and the quorum, or held (else TransitionNotAllowed); a choice for each
    member present, none but "did not vote" for the others, nobody else (else
    ValidationError). Side effect: ledger event `council.vote_recorded`.
    """
    session, fresh = _item_locked(item, actor)
    _sitting_guard(session)
    members = list(members_in_office(session.term, sitting_day(session)))
    attendance = dict(
        Attendance.objects.filter(session=session).values_list("member_id", "presence")
    )
    errors: Errors = {}
    if set(votes) - {m.pk for m in members}:
        errors[NON_FIELD_ERRORS] = _("Only the members in office vote.")
    chosen: dict[int, str] = {}
    for member in members:
        choice = votes.get(member.pk)
        present = attendance.get(member.pk) == Presence.PRESENT
        if present and choice not in Choice.values:
            errors[member_field(member.pk)] = _("Give this member's vote.")
        elif not present and choice not in (None, Choice.NONE):
            errors[member_field(member.pk)] = _("Only the members present vote.")
        chosen[member.pk] = choice if present and choice else Choice.NONE
    _raise(errors)
    Vote.objects.filter(item=fresh).delete()
    Vote.objects.bulk_create(Vote(item=fresh, member=m, choice=chosen[m.pk]) for m in members)
    fresh.votes_for = sum(1 for c in chosen.values() if c == Choice.FOR)
    fresh.votes_against = sum(1 for c in chosen.values() if c == Choice.AGAINST)
    fresh.votes_abstain = sum(1 for c in chosen.values() if c == Choice.ABSTAIN)
    fresh.result = vote_result(
        votes_for=fresh.votes_for,
        votes_against=fresh.votes_against,
        votes_abstain=fresh.votes_abstain,
    )
    fresh.save(update_fields=["votes_for", "votes_against", "votes_abstain", "result"])
    _event(
        session,
        "vote_recorded",
        actor,
        item=fresh.pk,
        number=fresh.number,
        votes_for=fresh.votes_for,
        votes_against=fresh.votes_against,
        votes_abstain=fresh.votes_abstain,
        result=fresh.result,
    )
    return fresh


def _decision_text(session: Session, item: AgendaItem) -> str:
    """A decision as a bilingual text file (a record, the same words for everyone)."""
    labels: dict[str, str] = {
        ItemResult.ADOPTED: "صودق عليه / Adopté",
        ItemResult.REJECTED: "رفض / Rejeté",
        ItemResult.POSTPONED: "أجل / Reporté",
        ItemResult.WITHDRAWN: "سحب / Retiré",
        ItemResult.NOTED: "أخذ المجلس علما / Pris acte, sans vote",
    }
    result = labels.get(item.result, item.result)
    lines = [
        f"{session.collectivity.name_ar} — {session.collectivity.name_fr}",
        f"{session.reference} — {session.title_ar or session.title_fr}",
        f"مقرر رقم / Délibération n° {item.decision_number}",
        f"النقطة / Point {item.number}: {' — '.join(t for t in (item.title_ar, item.title_fr) if t)}",
        f"النتيجة / Résultat : {result}",
    ]
    if item.result in VOTED:
        lines.append(
            f"مع / Pour : {item.votes_for} — ضد / Contre : {item.votes_against} — "
            f"امتناع / Abstentions : {item.votes_abstain}"
        )
    lines.append("")
    if item.decision_ar:
        lines += [item.decision_ar, ""]
    if item.decision_fr:
        lines += [item.decision_fr, ""]
    return "\n".join(lines)


def _decision_publish(session: Session, item: AgendaItem) -> None:
    """The item's decision as a document in the register; a former one is withdrawn."""
    candidates = list(item.documents.filter(kind=DocumentKind.DECISION, deleted=False))
    registered = registered_ids([d.pk for d in candidates])
    for former in candidates:
        if former.pk in registered:
            former.deleted = True
            former.save(update_fields=["deleted"])
            document_register(former, "withdraw")
    if not (item.decision_ar or item.decision_fr):
        return
    document = _store_text(
        session,
        kind=DocumentKind.DECISION,
        item=item,
        title=f"مقرر النقطة {item.number} — Délibération, point {item.number}",
        name=f"decision-{session.reference}-{item.number}.txt",
        text=_decision_text(session, item),
    )
    document_register(document)
    if session.agenda_published_at is not None:
        _distribute(session, [document])


def _petition_decide(session: Session, item: AgendaItem, actor: User) -> None:
    """The council decided on an item that comes from a petition: publish it on the
    petition (or tell the bureau when the secretariat may not act on petitions)."""
    petition = item.petition
    if petition is None or not (item.decision_ar or item.decision_fr):
        return
    petition = Petition.objects.get(pk=petition.pk)
    if petition.status not in PETITION_STATES:
        return
    if not has_perm(actor, Perm.PETITIONS_HANDLE, session.collectivity):
        notify.bureau_petition(session, petition, item, "decided")
        return
    if petition.status == PetitionStatus.ACCEPTED:
        petition = petition_schedule(
            petition=petition,
            actor=actor,
            session_date=sitting_day(session),
            session_title=_petition_title(session, petition),
        )
    petition_decide(
        petition=petition,
        actor=actor,
        decision_ar=item.decision_ar or item.decision_fr,
        decision_fr=item.decision_fr if item.decision_ar else "",
    )


@transaction.atomic
def item_decide(
    *,
    item: AgendaItem,
    actor: User,
    deliberation: str = "",
    decision_ar: str = "",
    decision_fr: str = "",
    decision_number: str = "",
    outcome: str = "",
) -> AgendaItem:
    """Record what the sitting decided on an item: a summary of the deliberation, and
    either the vote's result (`outcome` "") with the decision (مقرر) in Arabic and/or
    French and its number (given, or the next `<n>/<year>` of the collectivity), or
    another outcome (postponed, withdrawn, noted without a vote).

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); convened with the
    attendance and quorum, or held (else TransitionNotAllowed); for the vote's result, a
    vote recorded, and for another outcome, no vote recorded (else ValidationError).
    Side effects: a decision text (new or changed) becomes a document appended to the
    publication register (a former one is withdrawn there); an item that comes from a
    scheduled petition is decided on the petition (or the bureau told); ledger event
    `council.item_decided`.
    """
    session, fresh = _item_locked(item, actor)
    _sitting_guard(session)
    errors: Errors = {}
    deliberation = _text(errors, "deliberation", deliberation, TEXT_MAX)
    decision_ar = _text(errors, "decision_ar", decision_ar, TEXT_MAX)
    decision_fr = _text(errors, "decision_fr", decision_fr, TEXT_MAX)
    decision_number = _text(errors, "decision_number", decision_number, DECISION_NUMBER_MAX)
    outcome = outcome or ""
    expressed = fresh.votes_for + fresh.votes_against + fresh.votes_abstain
    if outcome and outcome not in OUTCOMES:
        errors["outcome"] = _("Choose the outcome.")
    elif not outcome and fresh.result not in VOTED:
        errors["outcome"] = _("Record the vote on this item, or choose another outcome.")
    elif outcome and expressed:
        errors["outcome"] = _("Votes were recorded on this item: its result is the vote's.")
    _raise(errors)
    result = outcome or fresh.result
    has_decision = bool(decision_ar or decision_fr)
    if has_decision and not decision_number:
        decision_number = fresh.decision_number
    if has_decision and not decision_number:
        year = sitting_day(session).year
        number = number_next(collectivity=session.collectivity, series=DECISION_SERIES, year=year)
        decision_number = f"{number}/{year}"
    published_changes = (
        decision_ar != fresh.decision_ar
        or decision_fr != fresh.decision_fr
        or decision_number != fresh.decision_number
        or result != fresh.result
    )
    fresh.deliberation = deliberation
    fresh.decision_ar = decision_ar
    fresh.decision_fr = decision_fr
    fresh.decision_number = decision_number
    fresh.result = result
    fresh.decided_at = timezone.now()
    fresh.save(
        update_fields=[
            "deliberation",
            "decision_ar",
            "decision_fr",
            "decision_number",
            "result",
            "decided_at",
        ]
    )
    if published_changes:
        _decision_publish(session, fresh)
    _event(
        session,
        "item_decided",
        actor,
        item=fresh.pk,
        number=fresh.number,
        result=result,
        decision_number=decision_number,
    )
    _petition_decide(session, fresh, actor)
    return fresh


@transaction.atomic
def summary_publish(
    *, session: Session, actor: User, summary_ar: str = "", summary_fr: str = ""
) -> Session:
    """Publish the summary of the decisions of a held session.

    Preconditions: held (else TransitionNotAllowed); Perm.COUNCIL_MANAGE (else
    PermissionDenied); a summary in Arabic and/or French, and an outcome recorded for
    every item (else ValidationError). Side effect: the summary period is met.
    """
    errors: Errors = {}
    summary_ar = _text(errors, "summary_ar", summary_ar, TEXT_MAX)
    summary_fr = _text(errors, "summary_fr", summary_fr, TEXT_MAX)
    if not summary_ar and not summary_fr and not errors:
        errors["summary_ar"] = _("Write the summary, in Arabic or in French.")
    _raise(errors)

    def guard(locked: Session) -> None:
        pending = list(
            locked.items.filter(deleted=False, result="")
            .order_by("number")
            .values_list("number", flat=True)
        )
        if pending:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: _(
                        "Record the outcome of every item first (items %(numbers)s)."
                    )
                    % {"numbers": ", ".join(str(n) for n in pending)}
                }
            )

    return case_transition(
        PROCESS,
        session,
        Action.PUBLISH_SUMMARY,
        actor=actor,
        guard=guard,
        changes=lambda current: {
            "summary_ar": summary_ar,
            "summary_fr": summary_fr,
            "summary_published_at": timezone.now(),
        },
    )


__all__ = [
    "ItemInput",
    "SessionInput",
    "agenda_publish",
    "attendance_record",
    "document_add",
    "item_add",
    "item_add_from_opinion",
    "item_add_from_petition",
    "item_decide",
    "item_remove",
    "item_update",
    "items_reorder",
    "quorum_needed",
    "quorum_reached",
    "receipt_open",
    "session_adjourn",
    "session_cancel",
    "session_create",
    "session_hold",
    "session_reconvene",
    "session_update",
    "summary_publish",
    "vote_record",
    "vote_result",
]
