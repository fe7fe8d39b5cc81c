"""Fixtures of the advisory tests.

- `advisory_secretary` / `council_secretary`: one role each in A;
- `equity_a`: A's required equity body (through the service);
- `make_referral(status, body=..., origin=...)`: a referral driven through the services
  to `status` (a self-initiated one with origin "self");
- `session_a` / `item_a`: a council session of A and one of its agenda items (ORM);
- `pdf_file()`: a small file that passes the upload checks;
- stored files go to a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.advisory import services
from infitah.advisory.models import Body, BodyKind, Referral
from infitah.advisory.workflow import Answer, Origin, Status
from infitah.council.models import AgendaItem, Session, Term
from infitah.council.workflow import SessionKind
from infitah.council.workflow import Status as SessionStatus
from infitah.territories.models import Collectivity

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

MakeReferral = Callable[..., Referral]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_file(name: str = "avis.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def advisory_secretary(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.ADVISORY_SECRETARY)


@pytest.fixture
def council_secretary(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.COUNCIL_SECRETARY)


@pytest.fixture
def equity_a(collectivity_a: Collectivity, advisory_secretary: User) -> Body:
    services.body_ensure_required(collectivity=collectivity_a, actor=advisory_secretary)
    return Body.objects.get(collectivity=collectivity_a, kind=BodyKind.EQUITY)


@pytest.fixture
def make_referral(
    collectivity_a: Collectivity,
    equity_a: Body,
    advisory_secretary: User,
    council_secretary: User,
) -> MakeReferral:
    def make(
        status: str = Status.REFERRED,
        *,
        body: Body | None = None,
        origin: str = Origin.COUNCIL,
        subject: str = "مشروع برنامج عمل الجماعة",
    ) -> Referral:
        body = body or equity_a
        if origin == Origin.SELF:
            referral = services.opinion_initiate(
                body=body,
                actor=advisory_secretary,
                subject_ar=subject,
                question="ولوج النساء إلى المرافق الجماعية",
            )
        else:
            referral = services.referral_create(
                collectivity=body.collectivity,
                body=body,
                actor=council_secretary,
                origin=origin,
                subject_ar=subject,
                subject_fr="Projet de programme d'action",
                question="رأي الهيئة في محور المساواة من مشروع برنامج عمل الجماعة",
            )
        if status in (Status.REFERRED, Status.DRAFTING):
            return referral
        if status == Status.WITHDRAWN:
            return services.referral_withdraw(
                referral=referral, actor=council_secretary, reason="طلب الرئيس"
            )
        services.opinion_adopt(
            referral=referral,
            actor=advisory_secretary,
            opinion_ar="توصي الهيئة بتخصيص ميزانية مراعية للنوع.",
            opinion_fr="L'instance recommande un budget sensible au genre.",
            adopted_on=timezone.localdate(),
        )
        if status == Status.ADOPTED:
            return referral
        services.opinion_transmit(referral=referral, actor=advisory_secretary)
        if status == Status.TRANSMITTED:
            return referral
        return services.referral_answer(
            referral=referral,
            actor=council_secretary,
            answer=Answer.PARTLY,
            reasons_ar="اعتمد المجلس التوصية الأولى.",
            reasons_fr="Le conseil retient la première recommandation.",
        )

    return make


def council_session(collectivity: Collectivity, **extra: Any) -> Session:
    term = Term.objects.filter(collectivity=collectivity).first() or Term.objects.create(
        collectivity=collectivity, name_ar="2021-2026", start_date=dt.date(2021, 9, 20)
    )
    values: dict[str, Any] = {
        "collectivity": collectivity,
        "term": term,
        "kind": SessionKind.ORDINARY,
        "status": SessionStatus.HELD,
        "title_ar": "الدورة العادية لشهر فبراير",
        "title_fr": "Session ordinaire de février",
        "starts_at": timezone.now() - dt.timedelta(days=10),
    }
    values.update(extra)
    return Session.objects.create(**values)


@pytest.fixture
def session_a(collectivity_a: Collectivity) -> Session:
    return council_session(collectivity_a)


@pytest.fixture
def item_a(session_a: Session) -> AgendaItem:
    return AgendaItem.objects.create(
        session=session_a, number=3, title_ar="رأي هيئة المساواة", title_fr="Avis de l'instance"
    )
