"""Helpers of the session tests (their fixtures are in `sessions_fixtures`):
`council_make(...)`, `session_input(...)`, `upload(...)`, `accepted_petition(...)`.

The life of the test session: convened on 1 September 2026 for an ordinary sitting on
Wednesday 7 October 2026 at 10:00 (October is an ordinary month of communes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from infitah.accounts.models import Membership, Role, User
from infitah.council.models import Committee, Member, MemberRole, Term
from infitah.council.services import SessionInput
from infitah.petitions.models import Petition
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.territories.models import Collectivity

MOROCCO = ZoneInfo("Africa/Casablanca")
MEMBERS = 5
CONVENED_ON = date(2026, 9, 1)
SITTING = datetime(2026, 10, 7, 10, 0, tzinfo=MOROCCO)
SITTING_DAY = SITTING.date()
PASSWORD = "test-password-123"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=MOROCCO)


@dataclass
class Council:
    term: Term
    members: list[Member]
    committee: Committee

    def users(self) -> list[User]:
        return [m.user for m in self.members if m.user is not None]


def council_make(collectivity: Collectivity, count: int, *, prefix: str = "m") -> Council:
    """A term with `count` members, each with an account (council-member role)."""
    term = Term.objects.create(
        collectivity=collectivity,
        name_ar="الولاية 2021-2026",
        name_fr="Mandat 2021-2026",
        start_date=date(2021, 9, 20),
    )
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@{collectivity.slug}.test", full_name=f"Member {n}")
        for n in range(count)
    )
    Membership.objects.bulk_create(
        Membership(user=u, collectivity=collectivity, role=Role.COUNCIL_MEMBER) for u in users
    )
    members = Member.objects.bulk_create(
        Member(
            collectivity=collectivity,
            term=term,
            user=u,
            name_ar=f"العضو {n}",
            name_fr=f"Membre {n}",
            role=MemberRole.PRESIDENT if n == 0 else MemberRole.MEMBER,
            started_on=date(2021, 9, 20),
        )
        for n, u in enumerate(users)
    )
    committee = Committee.objects.create(
        collectivity=collectivity,
        term=term,
        name_ar="لجنة الميزانية والشؤون المالية",
        name_fr="Commission du budget et des finances",
    )
    return Council(term=term, members=list(members), committee=committee)


def member_login(client: Any, member: Member) -> Any:
    assert member.user is not None
    client.force_login(member.user)
    return client


def session_input(**overrides: Any) -> SessionInput:
    values: dict[str, Any] = {
        "kind": "ordinary",
        "title_ar": "الدورة العادية لشهر أكتوبر 2026",
        "title_fr": "Session ordinaire d'octobre 2026",
        "starts_at": SITTING,
        "place": "قاعة الاجتماعات بمقر الجماعة",
        "is_public": True,
    }
    values.update(overrides)
    return SessionInput(**values)


def upload(name: str = "rapport.pdf", content: bytes | None = None) -> SimpleUploadedFile:
    data = content if content is not None else b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def accepted_petition(
    collectivity: Collectivity,
    *,
    status: str = PetitionStatus.ACCEPTED,
    number: int = 1,
    **fields: Any,
) -> Petition:
    """A petition the bureau accepted (written as it stands after `petition_accept`)."""
    values: dict[str, Any] = {
        "collectivity": collectivity,
        "status": status,
        "petitioner_kind": "citizens",
        "title": "إحداث مساحة خضراء بحي المسيرة",
        "text": "نطالب المجلس بإحداث مساحة خضراء.",
        "request": "إدراج نقطة إحداث مساحة خضراء في جدول أعمال الدورة العادية المقبلة.",
        "language": "ar",
        "agent_name": "Amina El Idrissi",
        "agent_email": "agent@example.test",
        "manage_digest": f"digest-{collectivity.slug}-{number}",
        "reference": f"PET-2026-{collectivity.pk}-{number}",
        "year": 2026,
        "number": number,
        "lodged_on": date(2026, 6, 1),
        "accepted_on": date(2026, 7, 1),
    }
    values.update(fields)
    return Petition.objects.create(**values)
