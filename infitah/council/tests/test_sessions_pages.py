"""The secretariat's session pages and the members' documents pages, end to end through
the test client, in Arabic and in French; who may see them; constant query counts."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.accounts.models import Membership, Role
from infitah.council import services, staff_views
from infitah.council.models import AgendaItem, DocumentKind, Presence, Receipt, Session
from infitah.council.services import ItemInput
from infitah.council.tests.sessions_world import (
    CONVENED_ON,
    SITTING_DAY,
    accepted_petition,
    at,
    council_make,
    member_login,
    session_input,
    upload,
)
from infitah.council.workflow import Status
from infitah.petitions.workflow import Status as PetitionStatus
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db
pytest_plugins = ["infitah.council.tests.sessions_fixtures"]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _base(lang: str, slug: str = "commune-a") -> str:
    return f"/{lang}/staff/{slug}/council/"


def _session_url(lang: str, session: Session, rest: str = "") -> str:
    return f"{_base(lang, session.collectivity.slug)}sessions/{session.pk}/{rest}"


def _item_url(lang: str, item: AgendaItem, rest: str = "") -> str:
    return f"{_session_url(lang, item.session)}items/{item.pk}/{rest}"


def _published(collectivity, actor, items: int = 1) -> Session:
    session = services.session_create(collectivity=collectivity, actor=actor, data=session_input())
    for n in range(items):
        services.item_add(session=session, actor=actor, data=ItemInput(title_ar=f"النقطة {n}"))
    return services.agenda_publish(session=session, actor=actor)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_life_of_a_session_through_its_pages(
    lang, session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    petition = accepted_petition(collectivity_a)
    client = _client(session_secretary)
    home = client.get(_base(lang))
    assert home.status_code == 200
    assert f'lang="{lang}"' in home.content.decode()
    assert f'dir="{"rtl" if lang == "ar" else "ltr"}"' in home.content.decode()
    assert client.get(f"{_base(lang)}sessions/new/").status_code == 200
    refused = client.post(
        f"{_base(lang)}sessions/new/",
        {"kind": "ordinary", "title_ar": "دورة", "starts_at": "2026-09-23T10:00", "place": "x"},
    )
    assert refused.status_code == 400  # September is not an ordinary month of communes
    assert not Session.objects.exists()
    created = client.post(
        f"{_base(lang)}sessions/new/",
        {
            "kind": "ordinary",
            "title_ar": "الدورة العادية لشهر أكتوبر",
            "title_fr": "Session ordinaire d'octobre",
            "starts_at": "2026-10-07T10:00",
            "place": "قاعة الاجتماعات",
            "is_public": "on",
        },
    )
    session = Session.objects.get()
    assert created.status_code == 302
    assert created["Location"] == _session_url(lang, session)
    page = client.get(_session_url(lang, session))
    assert page.status_code == 200
    assert session.reference in page.content.decode()
    assert 'class="periods"' in page.content.decode()  # the legal periods

    def act(name: str, data=None, expect: int = 302, url=None):
        response = client.post(url or _session_url(lang, session, f"act/{name}/"), data or {})
        assert response.status_code == expect, (name, response.status_code)
        if expect == 302:
            assert "/staff/commune-a/council/sessions/" in response["Location"]
        return response

    act("item_add", {"title_ar": "", "title_fr": ""}, expect=400)
    act("item_add", {"title_ar": "الميزانية", "title_fr": "Budget", "is_public": "on"})
    act(
        "item_add",
        {
            "title_ar": "اتفاقية شراكة",
            "rapporteur": session_council.members[0].pk,
            "committee": session_council.committee.pk,
            "is_public": "on",
        },
    )
    act("petition_add", {"petition": petition.pk})
    assert session.items.filter(petition=petition).exists()
    first, second, third = session.items.order_by("number")
    act("reorder", {f"item_{second.pk}": 1, f"item_{first.pk}": 2, f"item_{third.pk}": 3})
    second.refresh_from_db()
    assert second.number == 1
    act(
        "document_add",
        {"file": upload(), "kind": DocumentKind.REPORT, "title": "تقرير", "item": str(first.pk)},
    )
    act("document_add", {"kind": DocumentKind.REPORT}, expect=400)  # no file
    act("nonsense", expect=404)
    act("hold", expect=409)  # the agenda is not even published
    act("publish")
    session.refresh_from_db()
    assert session.status == Status.CONVENED
    act("publish", expect=409)
    assert Receipt.objects.filter(document__session=session).count() == 2 * len(
        session_council.members
    )

    session_day(SITTING_DAY)
    client.force_login(session_secretary)  # five weeks later: a new sign-in
    presences = {
        f"member_{m.pk}": Presence.PRESENT if n < 3 else Presence.EXCUSED
        for n, m in enumerate(session_council.members)
    }
    act("attendance", presences)
    session.refresh_from_db()
    assert session.quorum_met is True

    item_page = client.get(_item_url(lang, first))
    assert item_page.status_code == 200
    body = item_page.content.decode()
    vote_form = body[body.index('act/vote/"') : body.index("</form>", body.index('act/vote/"'))]
    # One fieldset per member present (readable at 360 px), no wide table.
    assert vote_form.count("<fieldset") == 3
    assert "<table" not in vote_form
    votes = {f"member_{m.pk}": "for" for m in session_council.members[:2]}
    votes[f"member_{session_council.members[2].pk}"] = "against"
    act("vote", votes, url=_item_url(lang, first, "act/vote/"))
    act(
        "decide",
        {"outcome": "", "decision_ar": "صادق المجلس", "deliberation": "نقاش"},
        url=_item_url(lang, first, "act/decide/"),
    )
    first.refresh_from_db()
    assert first.result == "adopted" and first.decision_number
    for other in (second, third):
        act("decide", {"outcome": "postponed"}, url=_item_url(lang, other, "act/decide/"))
    act("hold", {"held_on": "2026-10-07"})
    session.refresh_from_db()
    assert session.status == Status.HELD
    held_page = client.get(_session_url(lang, session)).content.decode()
    try:
        minutes = reverse("council-staff:minutes", kwargs={"slug": "commune-a", "pk": session.pk})
    except NoReverseMatch:  # the minutes' pages are not routed
        minutes = ""
    assert not minutes or minutes.replace("/en/", f"/{lang}/") in held_page
    act("summary", {"summary_ar": "ملخص المقررات"})
    session.refresh_from_db()
    assert session.status == Status.SUMMARY_PUBLISHED
    assert client.get(_session_url(lang, session)).status_code == 200
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ACCEPTED  # the secretariat only linked it


def test_errors_are_shown_in_the_pages_language(
    session_council, session_secretary, collectivity_a, session_day
):
    session_day(CONVENED_ON)
    session = services.session_create(
        collectivity=collectivity_a, actor=session_secretary, data=session_input()
    )
    client = _client(session_secretary)
    response = client.post(_session_url("fr", session, "act/publish/"))
    assert response.status_code == 400
    with translation.override("fr"):
        expected = translation.gettext("Add at least one item to the agenda before publishing it.")
    assert escape(expected) in response.content.decode()


def test_a_member_sees_and_opens_their_documents(
    session_council, session_secretary, collectivity_a, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    member, other = session_council.members[1], session_council.members[2]
    client = member_login(Client(), member)
    page = client.get(f"{_base('ar')}my/")
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store")
    mine = Receipt.objects.get(member=member, document__kind=DocumentKind.AGENDA)
    theirs = Receipt.objects.get(member=other, document__kind=DocumentKind.AGENDA)
    assert f"/my/documents/{mine.pk}/" in page.content.decode()
    assert f"/my/documents/{theirs.pk}/" not in page.content.decode()
    opened = client.get(f"{_base('fr')}my/documents/{mine.pk}/")
    assert opened.status_code == 200
    assert opened["Content-Type"].startswith("text/plain")
    assert opened["X-Content-Type-Options"] == "nosniff"
    assert session.title_ar in b"".join(opened.streaming_content).decode()
    mine.refresh_from_db()
    assert mine.open_count == 1 and mine.opened_at is not None
    # Another member's document: 404, and nothing recorded.
    assert client.get(f"{_base('fr')}my/documents/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.open_count == 0
    # A member without the secretariat's role cannot manage.
    assert client.get(_base("fr")).status_code == 404
    assert client.get(_session_url("fr", session)).status_code == 404
    assert (
        client.post(_session_url("fr", session, "act/cancel/"), {"reason": "x"}).status_code == 404
    )
    session.refresh_from_db()
    assert session.status == Status.CONVENED


def test_outsiders_get_404_on_every_session_url(
    session_council,
    session_secretary,
    collectivity_a,
    charlie,
    citizen,
    network_admin,
    session_day,
    session_media,
) -> None:
    session_day(CONVENED_ON)
    session = _published(collectivity_a, session_secretary)
    item = session.items.get()
    document = session.documents.get()
    receipt = Receipt.objects.filter(document=document).first()
    urls = [
        _base("fr"),
        f"{_base('fr')}sessions/new/",
        _session_url("fr", session),
        _session_url("fr", session, "act/cancel/"),
        _session_url("fr", session, "act/item_add/"),
        _item_url("fr", item),
        _item_url("fr", item, "act/decide/"),
        _session_url("fr", session, f"documents/{document.pk}/"),
        f"{_base('fr')}my/",
        f"{_base('fr')}my/documents/{receipt.pk}/",
    ]
    for outsider in (charlie, citizen, network_admin):
        client = _client(outsider)
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"reason": "x"})
                assert response.status_code == 404, (url, outsider, method)
    session.refresh_from_db()
    assert session.status == Status.CONVENED
    receipt.refresh_from_db()
    assert receipt.open_count == 0
    # Another collectivity's staff, with the secretariat's role there, get 404 too.
    Membership.objects.create(user=charlie, collectivity=collectivity_a, role=Role.MONITOR)
    assert _client(charlie).get(_session_url("fr", session)).status_code == 404


# ----------------------------------------------------------------------- query counts


def _commune(region_parent: Collectivity, slug: str) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=slug,
        name_ar="جماعة",
        name_fr="Commune",
        parent=region_parent,
        region=region_parent.region,
        is_network_member=True,
    )


def _world(collectivity, session_secretary, size: int) -> Session:
    """A convened session of `size` items whose `size` members are all present, with
    two documents distributed to every member."""
    council_make(collectivity, size, prefix=f"q{size}-")
    Membership.objects.get_or_create(
        user=session_secretary, collectivity=collectivity, role=Role.COUNCIL_SECRETARY
    )
    session = services.session_create(
        collectivity=collectivity, actor=session_secretary, data=session_input()
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(session=session, number=n, title_ar=f"النقطة {n}", title_fr=f"Point {n}")
        for n in range(1, size + 1)
    )
    services.document_add(
        session=session, actor=session_secretary, upload=upload(), kind=DocumentKind.REPORT
    )
    return services.agenda_publish(session=session, actor=session_secretary)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow(
    session_secretary, collectivity_a, prefecture, session_day, session_media
) -> None:
    session_day(CONVENED_ON)
    small = _world(collectivity_a, session_secretary, 10)
    big_place = _commune(prefecture, "commune-big")
    big = _world(big_place, session_secretary, 200)
    session_day(SITTING_DAY)
    for session in (small, big):
        members = session.term.members.all()
        services.attendance_record(
            session=session,
            actor=session_secretary,
            presences={m.pk: Presence.PRESENT for m in members},
        )
    for session in (small, big):
        for n in range(9 if session is small else 199):
            services.session_create(
                collectivity=session.collectivity,
                actor=session_secretary,
                data=session_input(title_ar=f"دورة {n}", kind="extraordinary"),
            )
    client = _client(session_secretary)
    pages = [
        (_base("ar", "commune-a"), _base("ar", "commune-big")),
        (_session_url("ar", small), _session_url("ar", big)),
        (_item_url("ar", small.items.get(number=1)), _item_url("ar", big.items.get(number=1))),
    ]
    for few_url, many_url in pages:
        _queries(client, few_url)  # warm-up (the session, the user's roles)
        few, many = _queries(client, few_url), _queries(client, many_url)
        assert few == many, (many_url, few, many)
    item_page = client.get(_item_url("ar", big.items.get(number=1))).content.decode()
    assert len(re.findall(r'name="member_\d+"', item_page)) == 200 * 4  # 4 choices each
    assert Session.objects.filter(collectivity=big_place).count() == 200
    assert date(2026, 9, 1) == CONVENED_ON


def test_the_past_sessions_are_paged_and_a_bad_page_is_no_error(
    session_secretary, collectivity_a, monkeypatch
) -> None:
    """The staff home shows every upcoming session and pages the others (newest
    first); `?page=` out of range gives the last page, garbage the first, never a 500."""
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    term = council_make(collectivity_a, 3).term
    today = timezone.localdate()

    def make(tag: str, day: date, status: str) -> Session:
        return Session.objects.create(
            collectivity=collectivity_a,
            term=term,
            status=status,
            reference=f"CS-{tag}",
            title_ar=f"دورة {tag}",
            starts_at=at(day),
            place="القاعة",
        )

    upcoming = [make(f"up{n}", today + timedelta(days=10 + n), Status.DRAFT) for n in range(3)]
    past = [make(f"past{n}", today - timedelta(days=10 + n), Status.DRAFT) for n in range(5)]
    client = _client(session_secretary)

    def shown(query: str) -> list[int]:
        response = client.get(_base("ar") + query)
        assert response.status_code == 200, query
        found = re.findall(rf'{_base("ar")}sessions/(\d+)/"', response.content.decode())
        return [int(pk) for pk in found]

    ahead = [s.pk for s in upcoming]
    # page 1: the upcoming ones (soonest first), then the two latest past ones
    assert shown("") == [*ahead, past[0].pk, past[1].pk]
    assert shown("?page=2") == [*ahead, past[2].pk, past[3].pk]
    last = [*ahead, past[4].pk]
    assert shown("?page=3") == last
    assert shown("?page=99") == last
    assert shown("?page=-1") == last
    assert shown("?page=zzz") == shown("")
    assert shown("?page=" + "9" * 40) == last
    page = client.get(_base("ar") + "?page=2").content.decode()
    assert 'rel="prev"' in page and 'rel="next"' in page and "?page=3" in page
