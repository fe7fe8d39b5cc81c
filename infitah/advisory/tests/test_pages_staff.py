"""The staff pages of advisory bodies, end to end through the test client: the home,
setting up the required bodies, a body's composition, meetings and documents, referring
a matter, a referral's page with the actions each secretariat may take; tenancy on
every URL (GET and POST); constant query counts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.accounts.models import Role, User
from infitah.advisory import services, staff_views
from infitah.advisory.models import (
    Body,
    BodyDocument,
    BodyDocumentKind,
    BodyMeeting,
    BodyMember,
    BodyRole,
    Referral,
)
from infitah.advisory.staff_urls import urlpatterns
from infitah.advisory.tests.conftest import MakeReferral, pdf_file
from infitah.advisory.workflow import Answer, Origin, Status
from infitah.council.models import AgendaItem, Session
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
STAFF = "/{lang}/staff/commune-a/advisory/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def advisory(advisory_secretary: User) -> Client:
    return _client(advisory_secretary)


@pytest.fixture
def council(council_secretary: User) -> Client:
    return _client(council_secretary)


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_for_each_secretariat(
    lang: str, advisory: Client, council: Client, collectivity_a: Collectivity
) -> None:
    url = STAFF.format(lang=lang)
    html = advisory.get(url).content.decode()
    assert f'lang="{lang}"' in html
    assert f'href="{url}bodies/new/"' in html and f'action="{url}bodies/required/"' in html
    assert f"{url}referrals/new/" not in html
    html = council.get(url).content.decode()
    assert f"{url}referrals/new/" in html
    assert f'href="{url}bodies/new/"' not in html and f'action="{url}bodies/required/"' not in html
    # Set up the required bodies from the button.
    response = advisory.post(f"{url}bodies/required/")
    assert response.status_code == 302
    assert Body.objects.filter(collectivity=collectivity_a).count() == 1
    assert advisory.get(f"{url}bodies/required/").status_code == 405
    html = advisory.get(url).content.decode()
    body = Body.objects.get()
    assert f'href="{url}bodies/{body.pk}/"' in html
    assert f'action="{url}bodies/required/"' not in html


@pytest.mark.parametrize("lang", LANGS)
def test_a_body_s_composition_meetings_and_documents(
    lang: str, advisory: Client, council: Client, equity_a: Body, citizen: User
) -> None:
    url = f"{STAFF.format(lang=lang)}bodies/{equity_a.pk}/"
    html = advisory.get(url).content.decode()
    assert f'action="{url}members/add/"' in html and f'action="{url}documents/add/"' in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_member_name_ar">' in html
    # The council's secretariat reads the page, without the forms.
    html = council.get(url).content.decode()
    assert f"{url}members/add/" not in html
    assert council.post(f"{url}members/add/", {"name_ar": "س"}).status_code == 404

    bad = advisory.post(f"{url}members/add/", {"name_ar": "", "role": "member"})
    assert bad.status_code == 400 and 'role="alert"' in bad.content.decode()
    assert not BodyMember.objects.exists()
    response = advisory.post(
        f"{url}members/add/",
        {
            "name_ar": "سعاد الإدريسي",
            "name_fr": "Souad El Idrissi",
            "organisation": "جمعية",
            "role": BodyRole.PRESIDENT,
            "started_on": "2022-03-01",
            "user_email": citizen.email,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    member = BodyMember.objects.get()
    assert member.user == citizen and member.role == BodyRole.PRESIDENT
    again = advisory.post(
        f"{url}members/add/",
        {"name_ar": "ب", "role": BodyRole.PRESIDENT, "started_on": "2022-03-01"},
    )
    assert again.status_code == 400 and BodyMember.objects.count() == 1
    assert advisory.get(f"{url}members/{member.pk}/").status_code == 200
    response = advisory.post(
        f"{url}members/{member.pk}/",
        {"name_ar": "سعاد", "role": BodyRole.PRESIDENT, "started_on": "2022-03-01"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name_ar == "سعاد" and member.user is None
    response = advisory.post(f"{url}members/{member.pk}/end/", {"ended_on": "2021-01-01"})
    assert response.status_code == 400
    response = advisory.post(
        f"{url}members/{member.pk}/end/", {"ended_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ended_on == timezone.localdate()

    when = (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = advisory.post(
        f"{url}meetings/add/", {"starts_at": when, "place": "القاعة", "minutes": "محضر"}
    )
    assert response.status_code == 302
    meeting = BodyMeeting.objects.get()
    response = advisory.post(
        f"{url}meetings/{meeting.pk}/",
        {"starts_at": when, "place": "القاعة", "minutes": "محضر مصحح"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "محضر مصحح"

    response = advisory.post(
        f"{url}documents/add/",
        {"kind": BodyDocumentKind.ANNUAL_REPORT, "title": "التقرير", "file": pdf_file()},
    )
    assert response.status_code == 400  # the year of an annual report
    response = advisory.post(
        f"{url}documents/add/",
        {
            "kind": BodyDocumentKind.MINUTES,
            "title": "المحضر",
            "meeting": meeting.pk,
            "file": pdf_file(),
        },
    )
    assert response.status_code == 302
    document = BodyDocument.objects.get()
    assert document.meeting == meeting
    html = advisory.get(url).content.decode()
    assert f"{url}documents/{document.pk}/" in html
    assert council.get(f"{url}documents/{document.pk}/").status_code == 200
    response = advisory.post(f"{url}documents/{document.pk}/delete/", {"reason": "خطأ"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted
    assert advisory.get(f"{url}documents/{document.pk}/").status_code == 404

    response = advisory.post(f"{url}edit/", {"name_ar": "هيئة المساواة", "name_fr": ""})
    assert response.status_code == 302
    equity_a.refresh_from_db()
    assert equity_a.name_ar == "هيئة المساواة"


def test_create_a_body_and_initiate_an_opinion(advisory: Client) -> None:
    url = STAFF.format(lang="fr")
    assert advisory.get(f"{url}bodies/new/").status_code == 200
    assert advisory.post(f"{url}bodies/new/", {"name_ar": ""}).status_code == 400
    response = advisory.post(f"{url}bodies/new/", {"name_ar": "هيئة البيئة"})
    body = Body.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{url}bodies/{body.pk}/"
    response = advisory.post(
        f"{url}bodies/{body.pk}/opinions/new/",
        {"subject_ar": "جودة الهواء", "question": "رأي الهيئة في جودة الهواء"},
    )
    referral = Referral.objects.get()
    assert referral.origin == Origin.SELF and referral.status == Status.DRAFTING
    assert response["Location"] == f"{url}referrals/{referral.pk}/"


@pytest.mark.parametrize("lang", LANGS)
def test_refer_a_matter_then_each_secretariat_acts(
    lang: str,
    advisory: Client,
    council: Client,
    equity_a: Body,
    session_a: Session,
    item_a: AgendaItem,
) -> None:
    base = STAFF.format(lang=lang)
    html = council.get(f"{base}referrals/new/").content.decode()
    assert '<label for="id_subject_ar">' in html
    with translation.override(lang):
        assert escape(session_a.title) in html
    assert advisory.get(f"{base}referrals/new/").status_code == 404
    bad = council.post(f"{base}referrals/new/", {"body": equity_a.pk, "origin": "council"})
    assert bad.status_code == 400 and not Referral.objects.exists()
    response = council.post(
        f"{base}referrals/new/",
        {
            "body": equity_a.pk,
            "origin": Origin.PRESIDENT,
            "session": session_a.pk,
            "subject_ar": "مشروع الميزانية",
            "question": "رأي الهيئة",
        },
    )
    assert response.status_code == 400  # a president's referral has no session
    response = council.post(
        f"{base}referrals/new/",
        {
            "body": equity_a.pk,
            "origin": Origin.COUNCIL,
            "session": session_a.pk,
            "subject_ar": "مشروع الميزانية",
            "question": "رأي الهيئة",
        },
    )
    referral = Referral.objects.get()
    url = f"{base}referrals/{referral.pk}/"
    assert response.status_code == 302 and response["Location"] == url
    assert referral.session == session_a

    act = f"{url}act/"
    html = advisory.get(url).content.decode()
    assert f'action="{act}adopt/"' in html and f'action="{act}withdraw/"' not in html
    html = council.get(url).content.decode()
    assert f'action="{act}withdraw/"' in html and f'action="{act}adopt/"' not in html
    with translation.override(lang):
        assert str(Status.REFERRED.label) in html

    adopt = {"opinion_ar": "رأي الهيئة", "adopted_on": timezone.localdate().isoformat()}
    assert council.post(f"{act}adopt/", adopt).status_code == 403
    assert advisory.post(f"{act}adopt/", {"opinion_ar": ""}).status_code == 400
    assert advisory.post(f"{act}answer/", {}).status_code == 403
    assert advisory.post(f"{act}fly/", {}).status_code == 404
    response = advisory.post(f"{act}adopt/", {**adopt, "file": pdf_file()})
    assert response.status_code == 302
    assert BodyDocument.objects.get().referral == referral
    assert advisory.post(f"{act}adopt/", adopt).status_code == 409
    assert advisory.post(f"{act}transmit/", {}).status_code == 302
    html = council.get(url).content.decode()
    assert f'action="{act}answer/"' in html
    with translation.override(lang):
        assert escape(item_a.title) in html
    assert council.post(f"{act}answer/", {"answer": Answer.PARTLY}).status_code == 400
    response = council.post(
        f"{act}answer/",
        {
            "answer": Answer.PARTLY,
            "answer_reasons_fr": "Retenu en partie.",
            "agenda_item": item_a.pk,
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ANSWERED and referral.agenda_item == item_a
    html = advisory.get(url).content.decode()
    assert f"{act}" not in html  # nothing left to do
    assert "advisory.answer" in html  # the periods, with their limits' codes


def test_the_staff_list_filters_by_state(make_referral: MakeReferral, advisory: Client) -> None:
    open_one = make_referral(subject="مفتوح")
    closed = make_referral(Status.ANSWERED, subject="مغلق")
    url = STAFF.format(lang="ar")
    html = advisory.get(url).content.decode()
    assert open_one.reference in html and closed.reference not in html
    html = advisory.get(f"{url}?state=closed").content.decode()
    assert closed.reference in html and open_one.reference not in html
    html = advisory.get(f"{url}?state=<script>").content.decode()
    assert open_one.reference in html


def test_the_staff_list_is_paged_and_a_bad_page_is_no_error(
    make_referral: MakeReferral, advisory: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Newest first, by pages (the filter kept in the pager's links); `?page=` out of
    range gives the last page, garbage the first, never a 500."""
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    made = [make_referral(subject=f"موضوع {n}") for n in range(5)]
    newest = [r.pk for r in reversed(made)]
    url = STAFF.format(lang="ar")

    def shown(query: str) -> list[int]:
        response = advisory.get(url + query)
        assert response.status_code == 200, query
        found = re.findall(rf'{url}referrals/(\d+)/"', response.content.decode())
        return list(dict.fromkeys(int(pk) for pk in found))

    assert shown("?state=open") == newest[:2]
    assert shown("?state=open&page=2") == newest[2:4]
    assert shown("?state=open&page=3") == newest[4:]
    assert shown("?state=open&page=99") == newest[4:]
    assert shown("?state=open&page=0") == newest[4:]
    assert shown("?state=open&page=x") == newest[:2]
    assert shown("?page=" + "9" * 40) == newest[4:]
    page = advisory.get(f"{url}?state=open&page=2").content.decode()
    assert 'rel="prev"' in page and "?state=open&amp;page=3" in page


# --------------------------------------------------------------------------- tenancy


def _urls(
    body: Body, referral: Referral, member: BodyMember, meeting: BodyMeeting, document: BodyDocument
) -> list[tuple[str, str]]:
    """(name, URL) of every staff route, with real objects of A."""
    kwargs = {
        "slug": body.collectivity.slug,
        "pk": body.pk,
        "member": member.pk,
        "meeting": meeting.pk,
        "doc": document.pk,
        "action": "adopt",
    }
    found = []
    for pattern in urlpatterns:
        names = set(pattern.pattern.converters) | {"slug"}  # type: ignore[union-attr]
        args = {k: v for k, v in kwargs.items() if k in names}
        if pattern.name.startswith("referral") and "pk" in args:
            args["pk"] = referral.pk
        with translation.override("fr"):
            found.append(
                (str(pattern.name), reverse(f"advisory-staff:{pattern.name}", kwargs=args))
            )
    return found


@pytest.fixture
def world(
    equity_a: Body, advisory_secretary: User, make_referral: MakeReferral
) -> list[tuple[str, str]]:
    member = services.body_member_add(
        body=equity_a, actor=advisory_secretary, name_ar="س", started_on=dt.date(2022, 1, 1)
    )
    meeting = services.meeting_add(
        body=equity_a, actor=advisory_secretary, starts_at=timezone.now() - dt.timedelta(days=1)
    )
    document = services.document_add(
        body=equity_a, actor=advisory_secretary, kind="other", title="و", file=pdf_file()
    )
    return _urls(equity_a, make_referral(), member, meeting, document)


def test_outsiders_get_404_on_every_staff_url(
    world: list[tuple[str, str]],
    charlie: User,
    citizen: User,
    network_admin: User,
    staff_for: Callable[[str], User],
) -> None:
    outsiders = [
        charlie,
        citizen,
        network_admin,
        staff_for(Role.PUBLICATION_EDITOR),
        staff_for(Role.COUNCIL_MEMBER),
    ]
    assert len(world) == len(urlpatterns)
    for name, url in world:
        for outsider in outsiders:
            client = _client(outsider)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (name, url, outsider, method)
    before = (BodyMember.objects.count(), Referral.objects.values_list("status", flat=True)[0])
    assert before == (1, Status.REFERRED)


def test_each_secretariat_is_404_on_the_other_s_routes(
    world: list[tuple[str, str]], advisory: Client, council: Client
) -> None:
    either = {"home", "body", "document", "referral", "referral-action"}
    council_only = {"referral-create"}
    for name, url in world:
        if name in either:
            continue
        client = advisory if name not in council_only else council
        other = council if name not in council_only else advisory
        assert other.get(url).status_code == 404, (name, url)
        assert other.post(url).status_code == 404, (name, url)
        assert client.get(url).status_code in (200, 405), (name, url)


def test_huge_numbers_are_404_or_400(
    advisory: Client, council: Client, equity_a: Body, make_referral: MakeReferral
) -> None:
    huge = "99999999999999999999"
    base = STAFF.format(lang="fr")
    for path in (f"bodies/{huge}/", f"referrals/{huge}/", f"bodies/{equity_a.pk}/members/{huge}/"):
        assert advisory.get(base + path).status_code == 404
    assert Client().get(f"/fr/c/commune-a/advisory/bodies/{huge}/").status_code == 404
    # In a form, a number beyond any id or year is bad input, not a server error.
    response = council.post(
        f"{base}referrals/new/",
        {"body": huge, "session": huge, "origin": "council", "subject_ar": "م", "question": "س"},
    )
    assert response.status_code == 400
    response = advisory.post(
        f"{base}bodies/{equity_a.pk}/documents/add/",
        {"kind": "minutes", "title": "م", "year": huge, "meeting": huge, "referral": huge},
    )
    assert response.status_code == 400
    referral = make_referral(Status.TRANSMITTED)
    response = council.post(
        f"{base}referrals/{referral.pk}/act/answer/",
        {"answer": "adopted", "answer_reasons_ar": "أسباب", "agenda_item": huge},
    )
    assert response.status_code == 400


# ---------------------------------------------------------------------- query counts


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_staff_query_counts_do_not_grow_with_the_referrals(
    make_referral: MakeReferral, advisory: Client, council: Client, equity_a: Body
) -> None:
    urls = [
        f"{STAFF.format(lang='fr')}?state=all",
        f"{STAFF.format(lang='fr')}bodies/{equity_a.pk}/",
    ]

    def add(n: int) -> None:
        for i in range(n):
            make_referral(subject=f"موضوع {i}")
        make_referral(Status.ANSWERED, subject="مجاب")

    add(10)
    few = [_queries(client, url) for url in urls for client in (advisory, council)]
    add(190)
    many = [_queries(client, url) for url in urls for client in (advisory, council)]
    assert many == few, (few, many)
