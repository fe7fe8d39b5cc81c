"""Helpers of the organs tests: a term of a collectivity and its members, written with
the ORM (the services are tested on their own)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

from infitah.accounts.models import User
from infitah.council.models import Committee, CommitteeSeat, CouncilSettings, Member, Term
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

TERM_START = dt.date(2021, 9, 20)


def term_make(
    collectivity: Collectivity,
    *,
    start: dt.date = TERM_START,
    end: dt.date | None = None,
    name_ar: str = "الولاية الانتدابية 2021-2026",
    name_fr: str = "Mandat 2021-2026",
) -> Term:
    return Term.objects.create(
        collectivity=collectivity, name_ar=name_ar, name_fr=name_fr, start_date=start, end_date=end
    )


def member_make(
    term: Term,
    n: int,
    *,
    role: str = "member",
    rank: int = 0,
    user: User | None = None,
    ended_on: dt.date | None = None,
) -> Member:
    return Member.objects.create(
        collectivity=term.collectivity,
        term=term,
        name_ar=f"العضو رقم {n}",
        name_fr=f"Membre n° {n}",
        role=role,
        rank=rank,
        user=user,
        started_on=term.start_date,
        ended_on=ended_on,
    )


def committee_make(term: Term, name_fr: str = "Commission du budget") -> Committee:
    return Committee.objects.create(
        collectivity=term.collectivity, term=term, name_ar="لجنة الميزانية", name_fr=name_fr
    )


def snapshot() -> tuple[int, ...]:
    """How many rows each organ table, the users and the ledger hold: a refused service
    call leaves it unchanged."""
    models: list[type[Model]] = [
        Term,
        Member,
        Committee,
        CommitteeSeat,
        CouncilSettings,
        User,
        Event,
    ]
    return tuple(model._default_manager.count() for model in models)
