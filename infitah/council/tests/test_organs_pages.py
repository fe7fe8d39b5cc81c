"""The secretariat's pages of the council's organs, in Arabic and French: what they show,
what their forms do, who reaches them (404 for everyone else), and their query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from infitah.accounts.models import Membership, Role, User
from infitah.council.models import (
    Committee,
    CommitteeSeat,
    CouncilSettings,
    Member,
    MemberRole,
    SeatRole,
    Term,
)
from infitah.council.tests.organs_world import (
    committee_make,
    member_make,
    snapshot,
    term_make,
)
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

BASE = "/{lang}/staff/commune-a/council/organs/"


@pytest.fixture
def secretary(staff_for: Any) -> User:
    return staff_for(Role.COUNCIL_SECRETARY)


@pytest.fixture
def client_s(secretary: User) -> Client:
    client = Client()
    client.force_login(secretary)
    return client


@pytest.fixture
def world(collectivity_a: Collectivity) -> dict[str, Any]:
    term = term_make(collectivity_a)
    president = member_make(term, 1, role=MemberRole.PRESIDENT)
    member = member_make(term, 2)
    committee = committee_make(term)
    seat = CommitteeSeat.objects.create(committee=committee, member=member, role=SeatRole.CHAIR)
    return {
        "term": term,
        "president": president,
        "member": member,
        "committee": committee,
        "seat": seat,
    }


def urls(world: dict[str, Any], lang: str = "fr") -> list[str]:
    base = BASE.format(lang=lang)
    return [
        base,
        f"{base}terms/new/",
        f"{base}terms/{world['term'].pk}/",
        f"{base}members/new/",
        f"{base}members/{world['member'].pk}/",
        f"{base}committees/new/",
        f"{base}committees/{world['committee'].pk}/",
        f"{base}settings/",
    ]


def html(response: Any) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------ showing


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_every_page_opens_in_both_languages(client_s, world, lang, direction):
    for url in urls(world, lang):
        response = client_s.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{lang}" dir="{direction}">' in html(response), url
        assert 'name="robots" content="noindex"' in html(response), url


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_overview_shows_the_council(client_s, world, lang):
    former = member_make(world["term"], 3, ended_on=dt.date(2023, 1, 1))
    response = client_s.get(BASE.format(lang=lang))
    context = response.context
    assert context["term"] == world["term"]
    assert context["serving"] == [world["president"], world["member"]]
    assert context["former"] == [former]
    assert [c.pk for c in context["committees"]] == [world["committee"].pk]
    page = html(response)
    name = "name_ar" if lang == "ar" else "name_fr"
    for obj in (world["term"], world["president"], world["member"], world["committee"], former):
        assert getattr(obj, name) in page
    with translation.override(lang):
        assert gettext("Council organs") in page
        assert str(MemberRole.PRESIDENT.label) in page
        assert gettext("February") in page  # the law's months of a commune: 2, 5, 10


def test_the_overview_shows_the_chosen_term(client_s, world, collectivity_a):
    old = term_make(collectivity_a, start=dt.date(2015, 9, 1), end=dt.date(2021, 9, 20))
    old_member = member_make(old, 9)
    response = client_s.get(BASE.format(lang="fr"), {"term": old.pk})
    assert response.context["term"] == old
    assert response.context["serving"] == [old_member]
    for bad in ("abc", "0", "-1", "99999999999999999999", str(old.pk + 100)):
        assert client_s.get(BASE.format(lang="fr"), {"term": bad}).status_code == 404, bad


def test_the_pages_without_a_term(client_s, collectivity_a):
    base = BASE.format(lang="fr")
    for url in (base, f"{base}members/new/", f"{base}committees/new/"):
        assert client_s.get(url).status_code == 200, url
    before = snapshot()
    response = client_s.post(f"{base}members/new/", {"term": "1", "name_ar": "x"})
    assert response.status_code == 400 and snapshot() == before


# ------------------------------------------------------------------------- acting


def test_record_a_term_then_correct_it(client_s, collectivity_a):
    base = BASE.format(lang="ar")
    data = {"name_ar": "الولاية 2021-2026", "name_fr": "", "start_date": "2021-09-20"}
    response = client_s.post(f"{base}terms/new/", data)
    term = Term.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?term={term.pk}")
    data |= {"end_date": "2026-09-19", "name_fr": "Mandat 2021-2026"}
    response = client_s.post(f"{base}terms/{term.pk}/", data)
    assert response.status_code == 302
    term.refresh_from_db()
    assert (term.end_date, term.name_fr) == (dt.date(2026, 9, 19), "Mandat 2021-2026")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name_ar": "x", "start_date": "2021-13-01"},
        {"name_ar": "x", "start_date": "2021-09-20", "end_date": "2021-09-01"},
        {"name_ar": "x" * 500, "start_date": "2021-09-20"},
        {"name_ar": "\x00", "start_date": "2021-09-20"},
        {"name_ar": "x", "start_date": "0001-01-01"},
        {"name_ar": ["a", "b"], "start_date": ["2021-09-20", "x"]},
    ],
)
def test_a_bad_term_is_refused_beside_its_fields(client_s, collectivity_a, data):
    before = snapshot()
    response = client_s.post(BASE.format(lang="fr") + "terms/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert snapshot() == before


def test_record_a_member_with_an_email(client_s, world, collectivity_a):
    term = world["term"]
    response = client_s.post(
        BASE.format(lang="fr") + "members/new/",
        {
            "term": str(term.pk),
            "name_ar": "ليلى أيت علي",
            "name_fr": "Leila Aït Ali",
            "role": MemberRole.VICE_PRESIDENT,
            "rank": "1",
            "party": "",
            "started_on": "2021-09-20",
            "email": "leila@example.ma",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(name_fr="Leila Aït Ali")
    assert (member.term, member.role, member.rank) == (term, MemberRole.VICE_PRESIDENT, 1)
    assert member.user is not None and member.user.email == "leila@example.ma"
    assert Membership.objects.filter(
        user=member.user, collectivity=collectivity_a, role=Role.COUNCIL_MEMBER
    ).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": MemberRole.PRESIDENT}, "role"),
        ({"role": MemberRole.VICE_PRESIDENT, "rank": ""}, "rank"),
        ({"role": MemberRole.VICE_PRESIDENT, "rank": "0"}, "rank"),
        ({"role": MemberRole.VICE_PRESIDENT, "rank": "1e3"}, "rank"),
        ({"started_on": "2020-01-01"}, "started_on"),
        ({"email": "nope"}, "email"),
        ({"term": "999999"}, "term"),
        ({"role": "mayor"}, "role"),
    ],
)
def test_a_bad_member_is_refused_beside_its_fields(client_s, world, data, field):
    values = {
        "term": str(world["term"].pk),
        "name_ar": "عضو",
        "role": MemberRole.MEMBER,
        "started_on": "2021-09-20",
        **data,
    }
    before = snapshot()
    response = client_s.post(BASE.format(lang="ar") + "members/new/", values)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert snapshot() == before


def test_member_page_corrects_ends_and_deletes(client_s, world):
    member = world["member"]
    url = BASE.format(lang="fr") + f"members/{member.pk}/"
    response = client_s.post(
        url,
        {
            "action": "update",
            "name_ar": "العضو",
            "name_fr": "Le membre",
            "role": MemberRole.SECRETARY,
            "started_on": "2021-09-20",
            "email": "",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name_fr, member.role) == ("Le membre", MemberRole.SECRETARY)
    assert client_s.post(url, {"action": "end", "ended_on": "2020-01-01"}).status_code == 400
    assert client_s.post(url, {"action": "end", "ended_on": "2024-03-01"}).status_code == 302
    member.refresh_from_db()
    assert member.ended_on == dt.date(2024, 3, 1)
    assert client_s.post(url, {"action": "delete"}).status_code == 400
    assert client_s.post(url, {"action": "unknown"}).status_code == 400
    assert client_s.post(url).status_code == 400
    assert not Member.objects.get(pk=member.pk).deleted
    response = client_s.post(url, {"action": "delete", "confirm": "on"})
    assert response.status_code == 302
    assert Member.objects.get(pk=member.pk).deleted
    assert client_s.get(url).status_code == 404


def test_committee_pages_create_seat_and_remove(client_s, world):
    base = BASE.format(lang="ar")
    term, president = world["term"], world["president"]
    response = client_s.post(
        base + "committees/new/",
        {"term": str(term.pk), "name_ar": "لجنة المرافق", "name_fr": "", "is_standing": "on"},
    )
    committee = Committee.objects.get(name_ar="لجنة المرافق")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/committees/{committee.pk}/"
    )
    url = f"{base}committees/{committee.pk}/"
    data = {"action": "seat_set", "member": str(president.pk), "role": SeatRole.RAPPORTEUR}
    assert client_s.post(url, data).status_code == 302
    seat = CommitteeSeat.objects.get(committee=committee)
    assert (seat.member, seat.role) == (president, SeatRole.RAPPORTEUR)
    # A member of no seat form's list (another term's, or unknown) is refused.
    stranger = member_make(term_make(term.collectivity, start=dt.date(2030, 1, 1)), 5)
    data["member"] = str(stranger.pk)
    assert client_s.post(url, data).status_code == 400
    # Removing a seat: of this committee only.
    other_seat = world["seat"]
    assert client_s.post(url, {"action": "seat_remove", "seat": other_seat.pk}).status_code == 404
    assert client_s.post(url, {"action": "seat_remove", "seat": "x"}).status_code == 404
    assert client_s.post(url, {"action": "seat_remove", "seat": seat.pk}).status_code == 302
    assert CommitteeSeat.objects.get(pk=seat.pk).deleted
    response = client_s.post(
        url, {"action": "update", "name_ar": "لجنة المرافق العمومية", "name_fr": "Services"}
    )
    assert response.status_code == 302
    committee.refresh_from_db()
    assert (committee.name_fr, committee.is_standing) == ("Services", False)
    assert client_s.post(url, {"action": "delete", "confirm": "on"}).status_code == 302
    assert Committee.objects.get(pk=committee.pk).deleted
    assert client_s.get(url).status_code == 404


def test_settings_page_saves_the_months(client_s, collectivity_a):
    url = BASE.format(lang="fr") + "settings/"
    response = client_s.post(url, {"session_months": ["10", "3"], "quorum_free_convocation": "3"})
    assert response.status_code == 302
    found = CouncilSettings.objects.get(collectivity=collectivity_a)
    assert (found.session_months, found.quorum_free_convocation) == ("3,10", 3)
    page = client_s.get(url)
    assert page.context["form"].initial["session_months"] == ["3", "10"]
    for bad in (
        {"session_months": ["13"], "quorum_free_convocation": "3"},
        {"session_months": ["2"], "quorum_free_convocation": "1"},
        {"session_months": ["2"], "quorum_free_convocation": "١"},
    ):
        assert client_s.post(url, bad).status_code == 400
    found.refresh_from_db()
    assert found.session_months == "3,10"
    response = client_s.post(url, {"quorum_free_convocation": "2"})
    assert response.status_code == 302
    found.refresh_from_db()
    assert (found.session_months, found.quorum_free_convocation) == ("", 2)


def test_the_settings_checkboxes_each_have_a_label(client_s, collectivity_a):
    page = html(client_s.get(BASE.format(lang="ar") + "settings/"))
    boxes = re.findall(r'<input type="checkbox" name="session_months"[^>]*>', page)
    assert len(boxes) == 12
    assert "<fieldset" in page and "<legend>" in page


# ------------------------------------------------------------------------ tenancy


@pytest.mark.parametrize(
    "who", ["charlie", "citizen", "network_admin", "petitions_bureau", "council_member"]
)
def test_everyone_but_the_secretariat_gets_404(world, request, staff_for, who):
    if who in {"petitions_bureau", "council_member"}:
        user = staff_for(who)
    else:
        user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    before = snapshot()
    for url in urls(world):
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"action": "delete", "confirm": "on"})
            assert response.status_code == 404, (who, method, url)
    assert snapshot() == before
    assert not Member.objects.filter(deleted=True).exists()


def test_anonymous_is_sent_to_sign_in(world):
    for url in urls(world):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_secretariat_of_a_gets_404_on_bs_organs(client_s, collectivity_b):
    term = term_make(collectivity_b)
    member = member_make(term, 1)
    committee = committee_make(term)
    base = BASE.format(lang="fr")
    for url in (
        f"{base}terms/{term.pk}/",
        f"{base}members/{member.pk}/",
        f"{base}committees/{committee.pk}/",
    ):
        assert client_s.get(url).status_code == 404, url
        assert client_s.post(url, {"action": "delete", "confirm": "on"}).status_code == 404, url
    assert client_s.get(base, {"term": term.pk}).status_code == 404
    response = client_s.post(
        f"{base}members/new/",
        {"term": str(term.pk), "name_ar": "x", "role": "member", "started_on": "2021-09-20"},
    )
    assert response.status_code == 400
    assert Member.objects.count() == 1 and not Committee.objects.filter(deleted=True).exists()


def test_b_staff_see_their_own_organs_only(charlie, collectivity_b, world):
    client = Client()
    client.force_login(charlie)
    term_b = term_make(collectivity_b, name_fr="Mandat B")
    response = client.get("/fr/staff/commune-b/council/organs/")
    assert response.status_code == 200
    assert response.context["term"] == term_b and response.context["serving"] == []


# ------------------------------------------------------------------ query counts


def _council(collectivity: Collectivity, size: int) -> Term:
    term = term_make(collectivity)
    users = User.objects.bulk_create(
        User(email=f"member{n}@{collectivity.slug}.example.ma") for n in range(size // 2)
    )
    members = Member.objects.bulk_create(
        Member(
            collectivity=collectivity,
            term=term,
            name_ar=f"عضو {n}",
            name_fr=f"Membre {n}",
            role=MemberRole.VICE_PRESIDENT if n < 5 else MemberRole.MEMBER,
            rank=n + 1 if n < 5 else 0,
            user=users[n] if n < len(users) else None,
            party="حزب" if n % 3 else "",
            started_on=term.start_date,
            ended_on=dt.date(2023, 1, 1) if n % 7 == 6 else None,
        )
        for n in range(size)
    )
    committees = Committee.objects.bulk_create(
        Committee(collectivity=collectivity, term=term, name_ar=f"لجنة {n}", name_fr=f"C {n}")
        for n in range(max(2, size // 20))
    )
    CommitteeSeat.objects.bulk_create(
        CommitteeSeat(committee=committees[n % len(committees)], member=m, role=SeatRole.MEMBER)
        for n, m in enumerate(members)
    )
    return term


def _overview_queries(client: Client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(BASE.format(lang="ar"))
    assert response.status_code == 200
    return len(ctx), len(response.context["serving"])


@pytest.mark.parametrize("page", ["", "committees"])
def test_query_counts_do_not_grow_with_the_council(
    client_s, secretary, collectivity_a, collectivity_b, page
):
    small = _council(collectivity_a, 10)
    if page == "":
        few, shown = _overview_queries(client_s)
        assert shown == 9
    else:
        committee = Committee.objects.filter(term=small).first()
        with CaptureQueriesContext(connection) as ctx:
            client_s.get(BASE.format(lang="ar") + f"committees/{committee.pk}/")
        few = len(ctx)
    # The same page of a council of 200 (another collectivity: its own secretariat).
    big = _council(collectivity_b, 200)
    Membership.objects.create(
        user=secretary,
        collectivity=collectivity_b,
        role=Role.COUNCIL_SECRETARY,
    )
    base_b = "/ar/staff/commune-b/council/organs/"
    if page == "":
        with CaptureQueriesContext(connection) as ctx:
            response = client_s.get(base_b)
        assert len(response.context["serving"]) == 172
    else:
        committee = Committee.objects.filter(term=big).first()
        with CaptureQueriesContext(connection) as ctx:
            client_s.get(base_b + f"committees/{committee.pk}/")
    assert len(ctx) == few
    assert few <= 15, few


NASTY = ["", "\x00", "x" * 5000, "99999999999999999999", "2021-02-30"]


@pytest.mark.parametrize("nasty", NASTY)
def test_no_input_makes_a_server_error(client_s, world, nasty):
    fields = [
        "action",
        "term",
        "name_ar",
        "name_fr",
        "start_date",
        "end_date",
        "role",
        "rank",
        "party",
        "started_on",
        "ended_on",
        "email",
        "member",
        "seat",
        "confirm",
        "is_standing",
        "session_months",
        "quorum_free_convocation",
    ]
    for url in urls(world)[1:]:
        for action in ("update", "end", "delete", "seat_set", "seat_remove", nasty):
            data = dict.fromkeys(fields, nasty) | {"action": action}
            response = client_s.post(url, data)
            assert response.status_code in {302, 400, 404, 405}, (url, action, response.status_code)
        response = client_s.get(url, {"term": nasty})
        assert response.status_code in {200, 404}, url
    assert client_s.get(urls(world)[0], {"term": nasty}).status_code == 404
