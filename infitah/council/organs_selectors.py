"""Reads of the council's organs, scoped to one collectivity: terms, members,
committees with their seats, settings. Each list is a fixed number of queries."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from infitah.cases.selectors import settings_get
from infitah.council.models import (
    Committee,
    CommitteeSeat,
    CouncilSettings,
    Member,
    MemberRole,
    SeatRole,
    Term,
)
from infitah.territories.models import Collectivity

# The order of the council's list: the president, the vice-presidents by rank, the
# secretary, the deputy secretary, then the members.
_ROLE_ORDER = Case(
    When(role=MemberRole.PRESIDENT, then=Value(0)),
    When(role=MemberRole.VICE_PRESIDENT, then=Value(1)),
    When(role=MemberRole.SECRETARY, then=Value(2)),
    When(role=MemberRole.DEPUTY_SECRETARY, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)
_SEAT_ORDER = Case(
    When(role=SeatRole.CHAIR, then=Value(0)),
    When(role=SeatRole.DEPUTY_CHAIR, then=Value(1)),
    When(role=SeatRole.RAPPORTEUR, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def term_list(collectivity: Collectivity) -> list[Term]:
    """The council's terms, latest first."""
    return list(
        Term.objects.filter(collectivity=collectivity, deleted=False).order_by("-start_date", "-pk")
    )


def term_current(
    collectivity: Collectivity, *, today: date | None = None, terms: list[Term] | None = None
) -> Term | None:
    """The term running `today` (else the latest one; None without any). Pass `terms`
    (from `term_list`) to choose among them without a query."""
    today = today or timezone.localdate()
    found = terms if terms is not None else term_list(collectivity)
    for term in found:
        if term.start_date <= today and (term.end_date is None or today <= term.end_date):
            return term
    return found[0] if found else None


def term_get(collectivity: Collectivity, pk: int) -> Term | None:
    return (
        Term.objects.filter(collectivity=collectivity, deleted=False, pk=pk)
        .select_related("collectivity")
        .first()
    )


def _members(term: Term) -> QuerySet[Member]:
    return (
        Member.objects.filter(term=term, deleted=False)
        .select_related("user")
        .annotate(office=_ROLE_ORDER)
        .order_by("office", "rank", "name_ar", "pk")
    )


def member_list(term: Term, *, serving_only: bool = False) -> list[Member]:
    """The members of `term` in the council's order (president, vice-presidents by
    rank, secretary, deputy secretary, members by name), with their accounts; only
    those whose mandate has not ended when `serving_only`."""
    members = _members(term)
    if serving_only:
        members = members.filter(ended_on__isnull=True)
    return list(members)


def member_get(collectivity: Collectivity, pk: int) -> Member | None:
    return (
        Member.objects.filter(collectivity=collectivity, deleted=False, pk=pk)
        .select_related("term", "user", "collectivity")
        .first()
    )


def _seats() -> QuerySet[CommitteeSeat]:
    return (
        CommitteeSeat.objects.filter(deleted=False, member__deleted=False)
        .filter(Q(member__ended_on__isnull=True))
        .select_related("member")
        .annotate(office=_SEAT_ORDER)
        .order_by("office", "member__name_ar", "pk")
    )


def committee_list(term: Term) -> list[Committee]:
    """The committees of `term`, standing ones first, each with its seats of serving
    members (`seats_shown`: chair, deputy chair, rapporteur, members) — two queries."""
    return list(
        Committee.objects.filter(term=term, deleted=False)
        .prefetch_related(Prefetch("seats", queryset=_seats(), to_attr="seats_shown"))
        .order_by("-is_standing", "name_ar", "pk")
    )


def committee_get(collectivity: Collectivity, pk: int) -> Committee | None:
    """A committee of `collectivity` with its seats (`seats_shown`), or None."""
    return (
        Committee.objects.filter(collectivity=collectivity, deleted=False, pk=pk)
        .select_related("term", "collectivity")
        .prefetch_related(Prefetch("seats", queryset=_seats(), to_attr="seats_shown"))
        .first()
    )


def seat_get(committee: Committee, pk: int) -> CommitteeSeat | None:
    return (
        CommitteeSeat.objects.filter(committee=committee, deleted=False, pk=pk)
        .select_related("committee__collectivity", "member")
        .first()
    )


def council_settings_get(collectivity: Collectivity) -> CouncilSettings:
    """The council's settings: the saved row, or the defaults (unsaved)."""
    return settings_get(CouncilSettings, collectivity)


def committee_seats(committee: Committee) -> list[CommitteeSeat]:
    """The seats `committee_list` / `committee_get` loaded with a committee (no query)."""
    return list(getattr(committee, "seats_shown", []))
