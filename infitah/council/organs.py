"""Writes of the council's organs: its terms, members, committees, seats and settings.

The council secretariat (Perm.COUNCIL_MANAGE) records them. Every service checks its
input field by field (ValidationError with a dict, nothing written), records a ledger
event and makes the council's cached pages stale on commit. Nothing is ever removed: a
deleted committee or seat is kept with `deleted=True`, because the OParl API lists
deleted objects.

A member given with an e-mail address is a user of the platform: the account is found
or created (without a password: they choose one through "forgotten password") and holds
Role.COUNCIL_MEMBER in the collectivity, so that they receive the session documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infitah.accounts.models import Role, User
from infitah.accounts.permissions import Perm, has_perm
from infitah.accounts.services import membership_grant, membership_revoke
from infitah.cases.selectors import settings_get
from infitah.cases.services import settings_save
from infitah.council.models import (
    NAME_MAX,
    Committee,
    CommitteeSeat,
    CouncilSettings,
    Member,
    MemberRole,
    SeatRole,
    Term,
)
from infitah.council.process import level
from infitah.ledger.services import event_record
from infitah.lib.casework import too_long
from infitah.lib.pagecache import bump
from infitah.territories.models import Collectivity

# The months of the ordinary sessions per level, as domain.md §5 reads the organic laws.
# Some are UNCONFIRMED (the communes' May, the regions' July, all of the provinces'), so
# the setting INFITAH_COUNCIL_SESSION_MONTHS replaces this, and each council may set its
# own (CouncilSettings.session_months).
DEFAULT_SESSION_MONTHS: dict[str, list[int]] = {
    "commune": [2, 5, 10],
    "region": [3, 7, 10],
    "province": [1, 6, 9],
}

# The council's cached public pages (the engine's process name).
PAGE_CACHE_NAMESPACE = "council"
MIN_YEAR, MAX_YEAR = 1990, 2100
EMAIL_MAX = 254
RANK_MAX = 30
QUORUM_FREE_MIN, QUORUM_FREE_MAX = 2, 10
# Offices a term has once at most among its serving members.
SINGLE_OFFICES = frozenset(
    {MemberRole.PRESIDENT, MemberRole.SECRETARY, MemberRole.DEPUTY_SECRETARY}
)
# Offices a committee has once at most among its seats.
SINGLE_SEATS = frozenset({SeatRole.CHAIR, SeatRole.DEPUTY_CHAIR})

Errors = dict[str, str]


# ------------------------------------------------------------------------ helpers


def _require(actor: User, collectivity: Collectivity) -> None:
    if not has_perm(actor, Perm.COUNCIL_MANAGE, collectivity):
        raise PermissionDenied


def _text(errors: Errors, name: str, value: object, *, required: str = "") -> str:
    """`value` stripped; an error on `name` if it is empty (when `required` says why),
    too long or holds a NUL character (which PostgreSQL refuses)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            errors[name] = required
    elif len(text) > NAME_MAX:
        errors[name] = too_long(NAME_MAX)
    elif "\x00" in text:
        errors[name] = _("This text contains a forbidden character.")
    return text


def _day(errors: Errors, name: str, value: object, *, required: bool) -> date | None:
    """`value` as a date (a date, or YYYY-MM-DD) from 1990 to 2100, else an error."""
    if value is None or value == "":
        if required:
            errors[name] = _("Give a date.")
        return None
    day: date | None = None
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            day = None
    if day is None or not MIN_YEAR <= day.year <= MAX_YEAR:
        errors[name] = _("Give a real date between 1990 and 2100.")
        return None
    return day


def _email(errors: Errors, value: object) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not text:
        return ""
    if len(text) > EMAIL_MAX:
        errors["email"] = too_long(EMAIL_MAX)
        return ""
    try:
        validate_email(text)
    except ValidationError:
        errors["email"] = _("Give a valid e-mail address, or leave it empty.")
        return ""
    return text


def _choice(errors: Errors, name: str, value: object, values: Iterable[str]) -> str:
    text = value if isinstance(value, str) else ""
    if text not in set(values):
        errors[name] = _("Choose one of the options.")
    return text


def _record(obj: Any, action: str, actor: User, collectivity: Collectivity, **data: Any) -> None:
    event_record(
        obj=obj, action=f"council.{action}", actor=actor, collectivity=collectivity, data=data
    )
    transaction.on_commit(lambda: bump(PAGE_CACHE_NAMESPACE))


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


# -------------------------------------------------------------------------- terms


def _term_check(
    errors: Errors,
    *,
    collectivity: Collectivity,
    name_ar: object,
    name_fr: object,
    start_date: object,
    end_date: object,
    term: Term | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name_ar": _text(errors, "name_ar", name_ar, required=_("Give the term's name.")),
        "name_fr": _text(errors, "name_fr", name_fr),
        "start_date": _day(errors, "start_date", start_date, required=True),
        "end_date": _day(errors, "end_date", end_date, required=False),
    }
    start, end = values["start_date"], values["end_date"]
    if start is None:
        return values
    if end is not None and end < start:
        errors["end_date"] = _("The end cannot come before the start.")
        return values
    # Terms follow one another (the last day of one may be the first of the next), so
    # that "the current term" is never in doubt.
    others = Term.objects.filter(collectivity=collectivity, deleted=False).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=start)
    )
    if end is not None:
        others = others.filter(start_date__lt=end)
    if term is not None:
        others = others.exclude(pk=term.pk)
    overlapping = others.order_by("start_date").first()
    if overlapping is not None:
        errors["start_date"] = _(
            "These dates overlap the term “%(term)s”: set its end date first."
        ) % {"term": overlapping.name}
    if term is not None:
        members = term.members.filter(deleted=False)
        if members.filter(started_on__lt=start).exists():
            errors["start_date"] = _("Some members' mandates start before this date.")
        if end is not None and members.filter(Q(started_on__gt=end) | Q(ended_on__gt=end)).exists():
            errors["end_date"] = _("Some members' mandates run beyond this date.")
    return values


@transaction.atomic
def term_create(
    *,
    collectivity: Collectivity,
    actor: User,
    name_ar: str,
    name_fr: str = "",
    start_date: date | None,
    end_date: date | None = None,
) -> Term:
    """Record a term (mandate) of the council, e.g. 2021–2026.

    Preconditions: `actor` holds Perm.COUNCIL_MANAGE in `collectivity` (else
    PermissionDenied); a name in Arabic, a start, an end not before it, no overlap with
    another term (else ValidationError, nothing written). Side effects: ledger event
    `council.term_created`; the council's cached pages are made stale.
    """
    _require(actor, collectivity)
    errors: Errors = {}
    values = _term_check(
        errors,
        collectivity=collectivity,
        name_ar=name_ar,
        name_fr=name_fr,
        start_date=start_date,
        end_date=end_date,
    )
    _raise(errors)
    term = Term.objects.create(collectivity=collectivity, **values)
    _record(term, "term_created", actor, collectivity, name=term.name_ar)
    return term


@transaction.atomic
def term_update(
    *,
    term: Term,
    actor: User,
    name_ar: str,
    name_fr: str = "",
    start_date: date | None,
    end_date: date | None = None,
) -> Term:
    """Correct a term's names or dates (as `term_create`; its members' mandates must stay
    within its dates). Side effects: ledger event `council.term_updated`."""
    collectivity = term.collectivity
    _require(actor, collectivity)
    locked = Term.objects.select_for_update().get(pk=term.pk)
    errors: Errors = {}
    values = _term_check(
        errors,
        collectivity=collectivity,
        name_ar=name_ar,
        name_fr=name_fr,
        start_date=start_date,
        end_date=end_date,
        term=locked,
    )
    _raise(errors)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    _record(locked, "term_updated", actor, collectivity, name=locked.name_ar)
    for name in (*values, "modified_at"):
        setattr(term, name, getattr(locked, name))
    return locked


# ------------------------------------------------------------------------ members


def _rank(errors: Errors, role: str, value: object) -> int:
    """A vice-president's rank (1st, 2nd, ...); 0 for every other role."""
    if role != MemberRole.VICE_PRESIDENT:
        return 0
    rank = value if isinstance(value, int) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        rank = int(value.strip()[:4])
    if rank is None or not 1 <= rank <= RANK_MAX:
        errors["rank"] = _("Give the vice-president's rank, from 1 to %(max)d.") % {"max": RANK_MAX}
        return 0
    return rank


def _member_check(
    errors: Errors,
    *,
    term: Term,
    member: Member | None,
    name_ar: object,
    name_fr: object,
    role: object,
    rank: object,
    party: object,
    started_on: object,
    email: object,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name_ar": _text(errors, "name_ar", name_ar, required=_("Give the member's name.")),
        "name_fr": _text(errors, "name_fr", name_fr),
        "role": _choice(errors, "role", role, MemberRole.values),
        "party": _text(errors, "party", party),
        "started_on": _day(errors, "started_on", started_on, required=True),
    }
    values["rank"] = _rank(errors, values["role"], rank) if "role" not in errors else 0
    started = values["started_on"]
    if started is not None and not (
        term.start_date <= started and (term.end_date is None or started <= term.end_date)
    ):
        errors["started_on"] = _("The mandate starts within the term's dates.")
    if (
        member is not None
        and member.ended_on is not None
        and started is not None
        and member.ended_on < started
    ):
        errors["started_on"] = _("The mandate cannot start after it ended.")
    address = _email(errors, email)
    if "role" not in errors and (member is None or member.ended_on is None):
        _offices_check(errors, term=term, member=member, role=values["role"], rank=values["rank"])
    values["email"] = address
    return values


def _offices_check(
    errors: Errors, *, term: Term, member: Member | None, role: str, rank: int
) -> None:
    """One president, secretary and deputy secretary among the serving members of a
    term; vice-presidents each with their own rank."""
    serving = Member.objects.filter(term=term, deleted=False, ended_on__isnull=True)
    if member is not None:
        serving = serving.exclude(pk=member.pk)
    if role in SINGLE_OFFICES:
        holder = serving.filter(role=role).first()
        if holder is not None:
            errors["role"] = _(
                "%(name)s already holds this office: end their mandate or change their role first."
            ) % {"name": holder.name}
    elif role == MemberRole.VICE_PRESIDENT and rank:
        holder = serving.filter(role=role, rank=rank).first()
        if holder is not None:
            errors["rank"] = _("%(name)s is already the vice-president of this rank.") % {
                "name": holder.name
            }


def _account(
    errors: Errors, *, term: Term, member: Member | None, email: str, full_name: str
) -> tuple[User | None, bool]:
    """The user of `email` (created if needed: second value True) or None without one;
    an error when they already have a seat in the term."""
    if not email:
        return None, False
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        taken = Member.objects.filter(term=term, user=user)
        if member is not None:
            taken = taken.exclude(pk=member.pk)
        if taken.exists():
            errors["email"] = _("This person already has a seat in this term.")
        return user, False
    if errors:
        return None, False
    try:
        with transaction.atomic():
            created = User.objects.create_user(email=email, password=None, full_name=full_name)
    except IntegrityError:
        # Created meanwhile by another request: that account is the person's.
        return User.objects.get(email__iexact=email), False
    return created, True


def _locked_term(term: Term) -> Term:
    # Member writes of one term are serialised on its row: two secretaries recording a
    # president at the same moment must not both succeed.
    return Term.objects.select_for_update().select_related("collectivity").get(pk=term.pk)


def _save_seat(member: Member, **kwargs: Any) -> None:
    """Save `member`; the one-seat-per-user constraint, hit by a concurrent write that
    the checks could not see, is an error on the e-mail, not a server error."""
    try:
        with transaction.atomic():
            member.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError({"email": _("This person already has a seat in this term.")}) from exc


@transaction.atomic
def member_add(
    *,
    term: Term,
    actor: User,
    name_ar: str,
    name_fr: str = "",
    role: str = MemberRole.MEMBER,
    rank: int | None = None,
    party: str = "",
    started_on: date | None,
    email: str = "",
) -> Member:
    """Record a member of the council for `term`.

    Preconditions: `actor` holds Perm.COUNCIL_MANAGE in the term's collectivity (else
    PermissionDenied); a name in Arabic, a role (a vice-president with a rank from 1),
    a start within the term; one president, secretary and deputy secretary, one
    vice-president per rank among the serving members; a valid e-mail whose person has
    no other seat in the term (else ValidationError, nothing written).
    Side effects: with an e-mail, the user is found or created and given
    Role.COUNCIL_MEMBER in the collectivity; ledger event `council.member_added`.
    """
    collectivity = term.collectivity
    _require(actor, collectivity)
    term = _locked_term(term)
    errors: Errors = {}
    values = _member_check(
        errors,
        term=term,
        member=None,
        name_ar=name_ar,
        name_fr=name_fr,
        role=role,
        rank=rank,
        party=party,
        started_on=started_on,
        email=email,
    )
    address = values.pop("email")
    _raise(errors)
    user, created = _account(
        errors,
        term=term,
        member=None,
        email=address,
        full_name=values["name_fr"] or values["name_ar"],
    )
    _raise(errors)
    member = Member(collectivity=collectivity, term=term, user=user, **values)
    _save_seat(member)
    if user is not None:
        membership_grant(
            user=user, collectivity=collectivity, role=Role.COUNCIL_MEMBER, actor=actor
        )
    _record(
        member,
        "member_added",
        actor,
        collectivity,
        role=member.role,
        term=term.pk,
        account=bool(user),
        account_created=created,
    )
    return member


@transaction.atomic
def member_update(
    *,
    member: Member,
    actor: User,
    name_ar: str,
    name_fr: str = "",
    role: str = MemberRole.MEMBER,
    rank: int | None = None,
    party: str = "",
    started_on: date | None,
    email: str = "",
) -> Member:
    """Correct a member's record, as `member_add` checks it. An empty e-mail unlinks the
    account (which loses the council-member role unless it has another serving seat);
    another one links that person's account, found or created, with Role.COUNCIL_MEMBER.
    Side effects: ledger event `council.member_updated`."""
    collectivity = member.collectivity
    _require(actor, collectivity)
    term = _locked_term(member.term)
    locked = Member.objects.select_related("user").get(pk=member.pk)
    if locked.deleted:
        raise ValidationError({"name_ar": _("This member was deleted.")})
    errors: Errors = {}
    values = _member_check(
        errors,
        term=term,
        member=locked,
        name_ar=name_ar,
        name_fr=name_fr,
        role=role,
        rank=rank,
        party=party,
        started_on=started_on,
        email=email,
    )
    address = values.pop("email")
    _raise(errors)
    user: User | None = locked.user
    created = False
    if not address:
        user = None
    elif user is None or user.email.lower() != address:
        user, created = _account(
            errors,
            term=term,
            member=locked,
            email=address,
            full_name=values["name_fr"] or values["name_ar"],
        )
    _raise(errors)
    for name, value in values.items():
        setattr(locked, name, value)
    previous = locked.user
    locked.user = user
    _save_seat(locked)
    if user is not None:
        membership_grant(
            user=user, collectivity=collectivity, role=Role.COUNCIL_MEMBER, actor=actor
        )
    if previous is not None and previous != user:
        _role_release(previous, collectivity, actor)
    _record(
        locked,
        "member_updated",
        actor,
        collectivity,
        role=locked.role,
        account=bool(user),
        account_created=created,
    )
    for name in (*values, "user", "modified_at"):
        setattr(member, name, getattr(locked, name))
    return locked


def _role_release(user: User | None, collectivity: Collectivity, actor: User) -> None:
    """Take the council-member role from `user` once they hold no serving seat in the
    collectivity's council any more (a seat of another term may still be serving)."""
    if user is None:
        return
    today = timezone.localdate()
    serving = Member.objects.filter(collectivity=collectivity, user=user, deleted=False).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)
    )
    if not serving.exists():
        membership_revoke(
            user=user, collectivity=collectivity, role=Role.COUNCIL_MEMBER, actor=actor
        )


@transaction.atomic
def member_end(*, member: Member, actor: User, ended_on: date | None) -> Member:
    """Record the end of a member's mandate (resignation, death, dismissal…): they are
    no longer among the serving members, and their office is free.

    Preconditions: as `member_update`; the mandate is not already ended; `ended_on`
    not before its start nor after the term's end (else ValidationError).
    Side effects: ledger event `council.member_ended`.
    """
    collectivity = member.collectivity
    _require(actor, collectivity)
    term = _locked_term(member.term)
    locked = Member.objects.get(pk=member.pk)
    errors: Errors = {}
    day = _day(errors, "ended_on", ended_on, required=True)
    if locked.deleted:
        errors["ended_on"] = _("This member was deleted.")
    elif locked.ended_on is not None:
        errors["ended_on"] = _("This mandate has already ended.")
    elif day is not None and day < locked.started_on:
        errors["ended_on"] = _("The end cannot come before the start.")
    elif day is not None and term.end_date is not None and day > term.end_date:
        errors["ended_on"] = _("The mandate ends within the term's dates.")
    _raise(errors)
    locked.ended_on = day
    locked.save(update_fields=["ended_on"])
    _record(locked, "member_ended", actor, collectivity, ended_on=str(day))
    if day is not None and day <= timezone.localdate():
        _role_release(locked.user, collectivity, actor)
    member.ended_on, member.modified_at = locked.ended_on, locked.modified_at
    return locked


@transaction.atomic
def member_delete(*, member: Member, actor: User) -> Member:
    """Delete a member recorded by mistake: kept with `deleted=True` (the OParl API
    lists it as deleted) with its committee seats; its account is unlinked, so that the
    person may be recorded again. Side effects: ledger event `council.member_deleted`."""
    collectivity = member.collectivity
    _require(actor, collectivity)
    _locked_term(member.term)
    locked = Member.objects.get(pk=member.pk)
    if locked.deleted:
        return locked
    account = locked.user
    locked.deleted, locked.user = True, None
    locked.save(update_fields=["deleted", "user"])
    _role_release(account, collectivity, actor)
    for seat in CommitteeSeat.objects.filter(member=locked, deleted=False):
        seat.deleted = True
        seat.save(update_fields=["deleted"])
    _record(locked, "member_deleted", actor, collectivity)
    member.deleted, member.user = True, None
    return locked


# --------------------------------------------------------------------- committees


def _committee_check(
    errors: Errors,
    *,
    term: Term,
    committee: Committee | None,
    name_ar: object,
    name_fr: object,
    is_standing: object,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name_ar": _text(errors, "name_ar", name_ar, required=_("Give the committee's name.")),
        "name_fr": _text(errors, "name_fr", name_fr),
        "is_standing": bool(is_standing),
    }
    if "name_ar" not in errors:
        same = Committee.objects.filter(term=term, deleted=False, name_ar__iexact=values["name_ar"])
        if committee is not None:
            same = same.exclude(pk=committee.pk)
        if same.exists():
            errors["name_ar"] = _("This term already has a committee of this name.")
    return values


@transaction.atomic
def committee_create(
    *, term: Term, actor: User, name_ar: str, name_fr: str = "", is_standing: bool = True
) -> Committee:
    """Record a committee of the council for `term` (standing unless said otherwise).

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); a name in Arabic, not
    another committee's of the term (else ValidationError).
    Side effects: ledger event `council.committee_created`.
    """
    collectivity = term.collectivity
    _require(actor, collectivity)
    term = _locked_term(term)
    errors: Errors = {}
    values = _committee_check(
        errors, term=term, committee=None, name_ar=name_ar, name_fr=name_fr, is_standing=is_standing
    )
    _raise(errors)
    committee = Committee.objects.create(collectivity=collectivity, term=term, **values)
    _record(committee, "committee_created", actor, collectivity, name=committee.name_ar)
    return committee


@transaction.atomic
def committee_update(
    *, committee: Committee, actor: User, name_ar: str, name_fr: str = "", is_standing: bool = True
) -> Committee:
    """Correct a committee's names or kind, as `committee_create` checks them.
    Side effects: ledger event `council.committee_updated`."""
    collectivity = committee.collectivity
    _require(actor, collectivity)
    term = _locked_term(committee.term)
    locked = Committee.objects.get(pk=committee.pk)
    errors: Errors = {}
    if locked.deleted:
        errors["name_ar"] = _("This committee was deleted.")
    values = _committee_check(
        errors,
        term=term,
        committee=locked,
        name_ar=name_ar,
        name_fr=name_fr,
        is_standing=is_standing,
    )
    _raise(errors)
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    _record(locked, "committee_updated", actor, collectivity, name=locked.name_ar)
    for name in (*values, "modified_at"):
        setattr(committee, name, getattr(locked, name))
    return locked


@transaction.atomic
def committee_delete(*, committee: Committee, actor: User) -> Committee:
    """Delete a committee: kept with `deleted=True`, and its seats with it.
    Side effects: ledger event `council.committee_deleted`."""
    collectivity = committee.collectivity
    _require(actor, collectivity)
    _locked_term(committee.term)
    locked = Committee.objects.get(pk=committee.pk)
    if locked.deleted:
        return locked
    locked.deleted = True
    locked.save(update_fields=["deleted"])
    for seat in locked.seats.filter(deleted=False):
        seat.deleted = True
        seat.save(update_fields=["deleted"])
    _record(locked, "committee_deleted", actor, collectivity)
    committee.deleted = True
    return locked


@transaction.atomic
def seat_set(*, committee: Committee, member: Member, actor: User, role: str) -> CommitteeSeat:
    """Give `member` a seat in `committee` with `role` (chair, deputy chair, rapporteur,
    member), or change the role of their seat; a removed seat is given back.

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); the committee and the
    member of the same term, neither deleted, the member serving; one chair and one
    deputy chair per committee (else ValidationError).
    Side effects: ledger event `council.seat_set`.
    """
    collectivity = committee.collectivity
    _require(actor, collectivity)
    _locked_term(committee.term)
    errors: Errors = {}
    role = _choice(errors, "role", role, SeatRole.values)
    locked = Committee.objects.get(pk=committee.pk)
    chosen = Member.objects.filter(pk=member.pk).first()
    if locked.deleted:
        errors["member"] = _("This committee was deleted.")
    elif (
        chosen is None
        or chosen.term_id != locked.term_id
        or chosen.deleted
        or chosen.ended_on is not None
    ):
        errors["member"] = _("Choose a serving member of this term.")
    if "role" not in errors and "member" not in errors and role in SINGLE_SEATS:
        holder = (
            locked.seats.filter(deleted=False, role=role)
            .exclude(member=member)
            .select_related("member")
            .first()
        )
        if holder is not None:
            errors["role"] = _("%(name)s already holds this seat.") % {"name": holder.member.name}
    _raise(errors)
    seat = CommitteeSeat.objects.filter(committee=locked, member=member).first()
    if seat is None:
        seat = CommitteeSeat(committee=locked, member=member, role=role)
    seat.role, seat.deleted = role, False
    seat.save()
    _record(seat, "seat_set", actor, collectivity, committee=locked.pk, member=member.pk, role=role)
    return seat


@transaction.atomic
def seat_remove(*, seat: CommitteeSeat, actor: User) -> CommitteeSeat:
    """Remove a member from a committee: the seat is kept with `deleted=True`.
    Side effects: ledger event `council.seat_removed`."""
    collectivity = seat.committee.collectivity
    _require(actor, collectivity)
    locked = CommitteeSeat.objects.select_for_update().get(pk=seat.pk)
    if not locked.deleted:
        locked.deleted = True
        locked.save(update_fields=["deleted"])
        _record(locked, "seat_removed", actor, collectivity, committee=locked.committee_id)
    seat.deleted = True
    return locked


# ----------------------------------------------------------------------- settings


def months_parse(text: str) -> list[int] | None:
    """The months of "2, 5,10" (sorted, each once), or None if it is not such a list."""
    months: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit() and len(part) <= 2):
            return None
        month = int(part)
        if not 1 <= month <= 12:
            return None
        months.add(month)
    return sorted(months)


def _months(errors: Errors, value: object) -> str:
    """The months as stored ("2,5,10"), from a text or a list; "" for the law's."""
    if isinstance(value, str):
        text = value.strip()
        parsed = months_parse(text) if text else []
    elif isinstance(value, Iterable):
        items = [str(item) for item in value]
        parsed = months_parse(",".join(items)) if items else []
    else:
        parsed = None
    if parsed is None:
        errors["session_months"] = _(
            "Give month numbers from 1 to 12 separated by commas, e.g. 2,5,10."
        )
        return ""
    return ",".join(str(month) for month in parsed)


@transaction.atomic
def council_settings_save(
    *,
    collectivity: Collectivity,
    actor: User,
    session_months: str | Iterable[int | str],
    quorum_free_convocation: int | str,
) -> CouncilSettings:
    """Record the council's settings: the months of its ordinary sessions (empty: those
    the law sets for its level, `ordinary_months`) and the convocation from which it
    deliberates with the members present (2 or more).

    Preconditions: Perm.COUNCIL_MANAGE (else PermissionDenied); valid values (else
    ValidationError, nothing written). Side effects: through the engine's
    `settings_save`, ledger event `council.settings_saved`; cached pages made stale.
    """
    _require(actor, collectivity)
    errors: Errors = {}
    months = _months(errors, session_months)
    quorum = quorum_free_convocation
    if isinstance(quorum, str) and quorum.strip().isascii() and quorum.strip().isdigit():
        quorum = int(quorum.strip()[:4])
    if (
        not isinstance(quorum, int)
        or isinstance(quorum, bool)
        or not QUORUM_FREE_MIN <= quorum <= QUORUM_FREE_MAX
    ):
        errors["quorum_free_convocation"] = _("Give a number from %(low)d to %(high)d.") % {
            "low": QUORUM_FREE_MIN,
            "high": QUORUM_FREE_MAX,
        }
    _raise(errors)
    values = {"session_months": months, "quorum_free_convocation": quorum}
    return settings_save(
        CouncilSettings,
        collectivity=collectivity,
        actor=actor,
        values=values,
        event="council.settings_saved",
        namespaces=[PAGE_CACHE_NAMESPACE],
        data=values,
    )


def law_months(collectivity: Collectivity) -> list[int]:
    """The months of the ordinary sessions the law sets for the collectivity's level
    (setting INFITAH_COUNCIL_SESSION_MONTHS, else DEFAULT_SESSION_MONTHS)."""
    table: dict[str, list[int]] = getattr(
        settings, "INFITAH_COUNCIL_SESSION_MONTHS", DEFAULT_SESSION_MONTHS
    )
    key = level(collectivity)
    return list(table.get(key, DEFAULT_SESSION_MONTHS[key]))


def ordinary_months(
    collectivity: Collectivity, *, council_settings: CouncilSettings | None = None
) -> list[int]:
    """The months of the collectivity's ordinary sessions: its council's own
    (CouncilSettings.session_months) when set, else the law's for its level."""
    found = council_settings or settings_get(CouncilSettings, collectivity)
    own = months_parse(found.session_months) if found.session_months.strip() else None
    return own or law_months(collectivity)


__all__ = [
    "DEFAULT_SESSION_MONTHS",
    "committee_create",
    "committee_delete",
    "committee_update",
    "council_settings_save",
    "law_months",
    "member_add",
    "member_delete",
    "member_end",
    "member_update",
    "months_parse",
    "ordinary_months",
    "seat_remove",
    "seat_set",
    "term_create",
    "term_update",
]
