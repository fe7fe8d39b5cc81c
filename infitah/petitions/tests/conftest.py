"""Fixtures of the petitions tests.

- `bureau_a`: a member of A's petitions bureau (`staff_for(Role.PETITIONS_BUREAU)`);
- `low_threshold`: A's council applies 2 signatures (an override), so that lodging needs
  few signatures;
- `make_petition(status=..., collectivity=..., **fields)`: a petition driven through the
  services to `status`;
- `sign(petition, n, confirm=True)`: `n` online signatures (distinct CINs), confirmed;
- `region_world`: a region (population 900,000) with two provinces and communes;
- `holiday_add(day)`: the ministry declares `day` a day off (a calendar correction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from infitah.accounts.models import Role, User
from infitah.deadlines.services import calendar_override_add
from infitah.notifications.models import OutboundEmail
from infitah.petitions import services, signatures
from infitah.petitions.models import Petition, PetitionSettings, Signature
from infitah.petitions.services import PetitionInput
from infitah.petitions.signatures import SignatureInput
from infitah.petitions.workflow import Status
from infitah.territories.models import Collectivity, Kind

AGENT_EMAIL = "agent@example.test"
AGENT_CIN = "JB 445566"


def petition_input(**overrides: Any) -> PetitionInput:
    values: dict[str, Any] = {
        "petitioner_kind": "citizens",
        "title": "إحداث مساحة خضراء بحي المسيرة",
        "text": "نحن سكان حي المسيرة نطالب المجلس بإحداث مساحة خضراء في العقار الجماعي.",
        "request": "إدراج نقطة إحداث مساحة خضراء في جدول أعمال الدورة العادية المقبلة.",
        "agent_name": "Amina El Idrissi",
        "agent_cin": AGENT_CIN,
        "agent_email": AGENT_EMAIL,
        "agent_phone": "0612345678",
        "agent_address": "12 زنقة الورود، أيت ملول",
    }
    values.update(overrides)
    return PetitionInput(**values)


def signature_input(n: int, **overrides: Any) -> SignatureInput:
    values: dict[str, Any] = {
        "full_name": f"Signatory {n}",
        "cin": f"AB{n:06d}",
        "residence": "commune-a",
        "interest": "resident",
        "email": f"signatory{n}@example.test",
        "electoral_declaration": True,
    }
    values.update(overrides)
    return SignatureInput(**values)


def token_from_last_email(to: str) -> str:
    """The token in the confirmation link of the last e-mail to `to`."""
    body = OutboundEmail.objects.filter(to=to).order_by("-pk").first().body
    for line in body.splitlines():
        if "://" in line:
            return line.strip().rstrip("/").rsplit("/", 1)[-1]
    raise AssertionError(f"no link in {body!r}")


def holiday_add(day: date) -> None:
    """Record the ministry's correction that makes `day` a day off (from the command
    line): every open period it falls in is recomputed."""
    calendar_override_add(
        actor=None,
        kind="add",
        date=day,
        name_ar="عطلة استثنائية",
        name_fr="Congé exceptionnel",
        reason="Communiqué du ministère",
    )


@pytest.fixture
def bureau_a(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.PETITIONS_BUREAU)


@pytest.fixture
def low_threshold(collectivity_a: Collectivity) -> PetitionSettings:
    return PetitionSettings.objects.create(
        collectivity=collectivity_a, threshold_override=2, threshold_basis="test council page"
    )


Sign = Callable[..., list[Signature]]


@pytest.fixture
def sign() -> Sign:
    counter = iter(range(1, 1_000_000))

    def make(
        petition: Petition, n: int = 1, *, confirm: bool = True, **overrides: Any
    ) -> list[Signature]:
        made = []
        for _ in range(n):
            number = next(counter) + 500_000
            sig = signatures.signature_submit(
                petition=petition,
                data=signature_input(number, **overrides),
                ip=f"10.0.{number // 250 % 250}.{number % 250}",
                language="fr",
            )
            if confirm:
                token = token_from_last_email(sig.email)
                confirmed = signatures.signature_confirm(token=token)
                assert confirmed is not None
                sig = confirmed
            made.append(sig)
        return made

    return make


MakePetition = Callable[..., Petition]


@pytest.fixture
def make_petition(
    collectivity_a: Collectivity, low_threshold: PetitionSettings, bureau_a: User, sign: Sign
) -> MakePetition:
    def make(
        status: str = Status.COLLECTING,
        *,
        collectivity: Collectivity | None = None,
        **fields: Any,
    ) -> Petition:
        where = collectivity or collectivity_a
        petition, _token = services.petition_draft(
            collectivity=where, data=petition_input(**fields), language="fr"
        )
        if status == Status.DRAFT:
            return petition
        petition = services.petition_confirm_agent(petition=petition)
        if status == Status.COLLECTING:
            return petition
        if status == Status.WITHDRAWN:
            return services.petition_withdraw(petition=petition)
        sign(petition, 2)
        petition = services.petition_lodge(petition=petition)
        if status == Status.LODGED:
            return petition
        petition = services.petition_review_start(petition=petition, actor=bureau_a)
        if status == Status.REJECTED:
            return services.petition_reject(
                petition=petition, actor=bureau_a, reasons="Outside the council's competence."
            )
        if status == Status.BUREAU_REVIEW:
            return petition
        petition = services.petition_accept(
            petition=petition,
            actor=bureau_a,
            checklist={"competence": True, "signatures": True, "documents": True},
            note="",
        )
        if status == Status.ACCEPTED:
            return petition
        petition = services.petition_schedule(
            petition=petition,
            actor=bureau_a,
            session_date=date(2026, 10, 5),
            session_title="Ordinary session of October",
        )
        if status == Status.SCHEDULED:
            return petition
        petition = services.petition_decide(
            petition=petition, actor=bureau_a, decision_ar="قرر المجلس", decision_fr="Adopté"
        )
        if status == Status.DELIBERATED:
            return petition
        raise AssertionError(status)

    return make


@dataclass
class RegionWorld:
    region: Collectivity
    provinces: list[Collectivity]
    communes: list[Collectivity]


@pytest.fixture
def region_world(db: None) -> RegionWorld:
    region = Collectivity.objects.create(
        kind=Kind.REGION,
        slug="region-x",
        name_ar="جهة",
        name_fr="Région X",
        population=900_000,
        is_network_member=True,
    )
    provinces, communes = [], []
    for i, kind in enumerate([Kind.PROVINCE, Kind.PREFECTURE]):
        province = Collectivity.objects.create(
            kind=kind,
            slug=f"province-x{i}",
            name_ar=f"إقليم {i}",
            name_fr=f"Province {i}",
            parent=region,
            region=region,
        )
        provinces.append(province)
        for j in range(2):
            communes.append(
                Collectivity.objects.create(
                    kind=Kind.COMMUNE,
                    slug=f"commune-x{i}{j}",
                    name_ar=f"جماعة {i}{j}",
                    name_fr=f"Commune {i}{j}",
                    parent=province,
                    region=region,
                    population=20_000,
                )
            )
    return RegionWorld(region=region, provinces=provinces, communes=communes)
