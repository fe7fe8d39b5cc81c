"""The public pages of advisory bodies, in Arabic and French: the collectivity's bodies,
a body (members and bureau, meetings, annual reports, its tracker), a referral (opinion
and answer), the documents' files; what is never shown; constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.accounts.models import User
from infitah.advisory import services
from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyKind,
    BodyRole,
    Referral,
)
from infitah.advisory.tests.conftest import PDF, MakeReferral, pdf_file
from infitah.advisory.workflow import Answer, Status
from infitah.council.models import AgendaItem
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
HOME = "/{lang}/c/commune-a/advisory/"


def _get(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def seated(equity_a: Body, advisory_secretary: User) -> Body:
    services.body_member_add(
        body=equity_a,
        actor=advisory_secretary,
        name_ar="سعاد الإدريسي",
        name_fr="Souad El Idrissi",
        organisation="جمعية النساء المبادرات",
        role=BodyRole.PRESIDENT,
        started_on=dt.date(2022, 3, 1),
    )
    services.body_member_add(
        body=equity_a,
        actor=advisory_secretary,
        name_ar="محمد الوردي",
        name_fr="Mohamed El Ouardi",
        started_on=dt.date(2022, 3, 1),
    )
    former = services.body_member_add(
        body=equity_a,
        actor=advisory_secretary,
        name_ar="عضو سابق",
        name_fr="Ancien membre",
        started_on=dt.date(2022, 3, 1),
    )
    services.body_member_end(member=former, actor=advisory_secretary, ended_on=dt.date(2024, 1, 1))
    return equity_a


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_lists_the_bodies_and_what_the_law_requires(
    lang: str, seated: Body, collectivity_a: Collectivity
) -> None:
    Body.objects.create(
        collectivity=collectivity_a,
        kind=BodyKind.OTHER,
        name_ar="محذوفة",
        name_fr="Supprimée",
        deleted=True,
    )
    html = _get(HOME.format(lang=lang))
    assert f'lang="{lang}"' in html and ('dir="rtl"' in html) == (lang == "ar")
    assert f'href="/{lang}/c/commune-a/advisory/bodies/{seated.pk}/"' in html
    with translation.override(lang):
        assert escape(seated.name) in html
        assert escape(services.bodies_required(collectivity_a)[0].name) in html
    assert "113.14 art. 120" in html
    assert "محذوفة" not in html and "Supprimée" not in html


def test_only_network_members_have_the_pages(collectivity_b: Collectivity) -> None:
    assert Client().get("/fr/c/commune-b/advisory/").status_code == 404
    assert Client().get("/fr/c/nowhere/advisory/").status_code == 404


@pytest.mark.parametrize("lang", LANGS)
def test_a_body_page_shows_members_meetings_reports_and_tracker(
    lang: str, seated: Body, advisory_secretary: User, make_referral: MakeReferral
) -> None:
    meeting = services.meeting_add(
        body=seated,
        actor=advisory_secretary,
        starts_at=timezone.now() - dt.timedelta(days=5),
        place="قاعة الاجتماعات",
        minutes="تدارست الهيئة حصيلة الحملة.",
    )
    minutes = services.document_add(
        body=seated,
        actor=advisory_secretary,
        kind=BodyDocumentKind.MINUTES,
        title="محضر الاجتماع",
        file=pdf_file(),
        meeting=meeting,
    )
    report = services.document_add(
        body=seated,
        actor=advisory_secretary,
        kind=BodyDocumentKind.ANNUAL_REPORT,
        title="التقرير السنوي",
        year=2025,
        file=pdf_file(),
    )
    answered = make_referral(Status.ANSWERED, subject="موضوع مجاب عنه")
    pending = make_referral(subject="موضوع ينتظر الرأي")
    hidden = make_referral(subject="موضوع محذوف")
    Referral.objects.filter(pk=hidden.pk).update(deleted=True)
    html = _get(f"/{lang}/c/commune-a/advisory/bodies/{seated.pk}/")
    with translation.override(lang):
        assert "سعاد الإدريسي" in html or "Souad El Idrissi" in html
        assert str(BodyRole.PRESIDENT.label) in html
        assert str(Answer.PARTLY.label) in html
    assert "جمعية النساء المبادرات" in html
    assert "عضو سابق" not in html and "Ancien membre" not in html
    assert "تدارست الهيئة حصيلة الحملة." in html
    for document in (minutes, report):
        assert f"/c/commune-a/advisory/bodies/{seated.pk}/documents/{document.pk}/" in html
    for referral in (answered, pending):
        assert f'href="/{lang}/c/commune-a/advisory/referrals/{referral.pk}/"' in html
        assert referral.reference in html
    assert hidden.reference not in html
    assert pending.opinion_due.isoformat() in html  # <time datetime=…>
    assert '<ol class="grid tracker">' in html and "<table" not in html


def test_a_deleted_body_has_no_page(equity_a: Body) -> None:
    Body.objects.filter(pk=equity_a.pk).update(deleted=True)
    assert Client().get(f"/ar/c/commune-a/advisory/bodies/{equity_a.pk}/").status_code == 404


@pytest.mark.parametrize("lang", LANGS)
def test_the_opinion_is_public_once_transmitted_with_the_answer(
    lang: str,
    make_referral: MakeReferral,
    advisory_secretary: User,
    council_secretary: User,
    item_a: AgendaItem,
) -> None:
    referral = make_referral(Status.ADOPTED)
    document = services.document_add(
        body=referral.body,
        actor=advisory_secretary,
        kind=BodyDocumentKind.OPINION,
        title="نص الرأي",
        file=pdf_file(),
        referral=referral,
    )
    url = f"/{lang}/c/commune-a/advisory/referrals/{referral.pk}/"
    file_url = f"/{lang}/c/commune-a/advisory/bodies/{referral.body.pk}/documents/{document.pk}/"
    html = _get(url)
    assert "ميزانية مراعية للنوع" not in html and "budget sensible au genre" not in html
    assert Client().get(file_url).status_code == 404
    services.opinion_transmit(referral=referral, actor=advisory_secretary)
    cache.clear()
    html = _get(url)
    assert "ميزانية مراعية للنوع" in html or "budget sensible au genre" in html
    assert Client().get(file_url).status_code == 200
    services.referral_answer(
        referral=referral,
        actor=council_secretary,
        answer=Answer.PARTLY,
        reasons_ar="اعتمد المجلس التوصية الأولى.",
        reasons_fr="Le conseil retient la première recommandation.",
        agenda_item=item_a,
    )
    cache.clear()
    html = _get(url)
    with translation.override(lang):
        assert str(Answer.PARTLY.label) in html
        assert escape(referral.body.name) in html
        assert escape(item_a.title) in html
    assert "اعتمد المجلس التوصية الأولى." in html or "Le conseil retient" in html


def test_referral_pages_of_another_collectivity_or_deleted_are_404(
    make_referral: MakeReferral, collectivity_b: Collectivity
) -> None:
    referral = make_referral()
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    assert Client().get(f"/fr/c/commune-b/advisory/referrals/{referral.pk}/").status_code == 404
    Referral.objects.filter(pk=referral.pk).update(deleted=True)
    assert Client().get(f"/fr/c/commune-a/advisory/referrals/{referral.pk}/").status_code == 404


def test_documents_are_served_as_attachments(equity_a: Body, advisory_secretary: User) -> None:
    report = services.document_add(
        body=equity_a,
        actor=advisory_secretary,
        kind=BodyDocumentKind.ANNUAL_REPORT,
        title="التقرير السنوي",
        year=2024,
        file=pdf_file("rapport annuel.pdf"),
    )
    url = f"/fr/c/commune-a/advisory/bodies/{equity_a.pk}/documents/{report.pk}/"
    response = Client().get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    BodyDocument.objects.filter(pk=report.pk).update(deleted=True)
    assert Client().get(url).status_code == 404
    assert (
        Client().get(f"/fr/c/commune-a/advisory/bodies/{equity_a.pk}/documents/999999/").status_code
        == 404
    )


def _many(make_referral: MakeReferral, n: int) -> None:
    for i in range(n):
        make_referral(subject=f"موضوع {i}")
    # A few further on, so that every kind of card is drawn.
    make_referral(Status.TRANSMITTED, subject="محال")
    make_referral(Status.ANSWERED, subject="مجاب")


def _queries(url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url).status_code == 200
    return len(ctx.captured_queries)


def test_public_query_counts_do_not_grow_with_the_referrals(
    make_referral: MakeReferral, equity_a: Body, seated: Body
) -> None:
    urls = [HOME.format(lang="ar"), f"/ar/c/commune-a/advisory/bodies/{equity_a.pk}/"]
    _many(make_referral, 10)
    few = [_queries(url) for url in urls]
    _many(make_referral, 190)
    assert Referral.objects.count() == 204
    many = [_queries(url) for url in urls]
    assert many == few, (few, many)
