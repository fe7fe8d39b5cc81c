"""Fixtures of the council's tests: a term of collectivity A with its president, secretary
and members, and a session held with attendance, items and votes, built with the ORM
(whatever the session services are), with dates in the past.

`signing_world` points VAR_DIR (the development signing certificates) and MEDIA_ROOT
(signed minutes) at a temporary folder, and clears the signing variables of the
environment, so that no test reads or writes the repository's var/.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from django.utils import timezone

from infitah.council.models import (
    AgendaItem,
    Attendance,
    Choice,
    ItemResult,
    Member,
    MemberRole,
    Presence,
    Session,
    Term,
    Vote,
)
from infitah.council.workflow import SessionKind, Status
from infitah.territories.models import Collectivity

SITTING_DAY = dt.date(2026, 2, 3)


@pytest.fixture
def signing_world(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary VAR_DIR and MEDIA_ROOT, and no signing variable in the environment."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in list(os.environ):
        if name.startswith(("INFITAH_SIGNING_P12", "INFITAH_SIGNING_PASSPHRASE")):
            monkeypatch.delenv(name)
    monkeypatch.delenv("INFITAH_SIGNING_TRUST_ROOTS", raising=False)
    return tmp_path


def council_term(collectivity: Collectivity) -> Term:
    return Term.objects.create(
        collectivity=collectivity,
        name_ar="الولاية 2021-2026",
        name_fr="Mandat 2021-2026",
        start_date=dt.date(2021, 9, 20),
    )


def council_member(term: Term, name_ar: str, name_fr: str, role: str = MemberRole.MEMBER) -> Member:
    return Member.objects.create(
        collectivity=term.collectivity,
        term=term,
        name_ar=name_ar,
        name_fr=name_fr,
        role=role,
        started_on=term.start_date,
    )


@dataclass
class Council:
    term: Term
    president: Member
    secretary: Member
    members: list[Member]


@pytest.fixture
def council_a(collectivity_a: Collectivity) -> Council:
    """Collectivity A's term, its president, its secretary and three other members."""
    term = council_term(collectivity_a)
    president = council_member(term, "أحمد العلوي", "Ahmed Alaoui", MemberRole.PRESIDENT)
    secretary = council_member(
        term, "فاطمة الزهراء بناني", "Fatima Zahra Bennani", MemberRole.SECRETARY
    )
    others = [
        council_member(term, "يوسف الإدريسي", "Youssef Idrissi"),
        council_member(term, "خديجة أمزيان", "Khadija Amziane"),
        council_member(term, "محمد أوبلا", "Mohamed Oubella"),
    ]
    return Council(term=term, president=president, secretary=secretary, members=others)


def held_session_for(
    council: Council, *, status: str = Status.HELD, is_public: bool = True
) -> Session:
    """A session of `council`'s term held on SITTING_DAY: the president, the secretary and
    two members present, one excused; two items, the first voted member by member."""
    term = council.term
    session = Session.objects.create(
        collectivity=term.collectivity,
        term=term,
        kind=SessionKind.ORDINARY,
        status=status,
        reference="CS-2026-01",
        title_ar="الدورة العادية لشهر فبراير 2026",
        title_fr="Session ordinaire de février 2026",
        starts_at=timezone.make_aware(dt.datetime(2026, 2, 3, 10, 0)),
        place="قاعة الاجتماعات بمقر الجماعة",
        is_public=is_public,
        held_on=SITTING_DAY,
        quorum_met=True,
    )
    everyone = [council.president, council.secretary, *council.members]
    presence = [Presence.PRESENT] * 4 + [Presence.EXCUSED]
    Attendance.objects.bulk_create(
        Attendance(session=session, member=m, presence=p)
        for m, p in zip(everyone, presence, strict=True)
    )
    first = AgendaItem.objects.create(
        session=session,
        number=1,
        title_ar="المصادقة على برنامج عمل الجماعة",
        title_fr="Approbation du programme d'action de la commune",
        rapporteur=council.members[0],
        deliberation="تدخل الأعضاء حول أولويات البرنامج.",
        result=ItemResult.ADOPTED,
        votes_for=3,
        votes_against=1,
        decision_number="D-2026-07",
        decision_ar="صادق المجلس على برنامج عمل الجماعة.",
        decision_fr="Le conseil approuve le programme d'action.",
    )
    choices = [Choice.FOR, Choice.FOR, Choice.FOR, Choice.AGAINST]
    Vote.objects.bulk_create(
        Vote(item=first, member=m, choice=c) for m, c in zip(everyone[:4], choices, strict=True)
    )
    AgendaItem.objects.create(
        session=session,
        number=2,
        title_ar="نقطة إخبارية حول الميزانية",
        title_fr="Point d'information sur le budget",
        result=ItemResult.NOTED,
    )
    return session


@pytest.fixture
def held_session(council_a: Council) -> Session:
    return held_session_for(council_a)
