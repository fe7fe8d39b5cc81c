"""The council's organs through their services: terms, members (with their accounts),
committees, seats and settings. A refused call changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from infitah.accounts.models import Membership, Role, User
from infitah.accounts.permissions import Perm, has_perm
from infitah.council import organs
from infitah.council import organs_selectors as selectors
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
    TERM_START,
    committee_make,
    member_make,
    snapshot,
    term_make,
)
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(staff_for: Any) -> User:
    return staff_for(Role.COUNCIL_SECRETARY)


@pytest.fixture
def term(collectivity_a: Collectivity) -> Term:
    return term_make(collectivity_a)


def refused(call: Any, **kwargs: Any) -> dict[str, list[str]]:
    """The errors of a refused service call, after checking it wrote nothing."""
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert snapshot() == before
    return caught.value.message_dict


def add(term: Term, actor: User, **kwargs: Any) -> Member:
    values: dict[str, Any] = {
        "name_ar": "سعيد بنعلي",
        "name_fr": "Saïd Benali",
        "started_on": term.start_date,
    }
    return organs.member_add(term=term, actor=actor, **{**values, **kwargs})


# -------------------------------------------------------------------------- terms


def test_term_create_records_it_with_its_event(collectivity_a, secretary):
    term = organs.term_create(
        collectivity=collectivity_a,
        actor=secretary,
        name_ar="  الولاية 2021-2026 ",
        name_fr="Mandat 2021-2026",
        start_date=dt.date(2021, 9, 20),
        end_date=dt.date(2026, 9, 19),
    )
    assert term.name_ar == "الولاية 2021-2026"
    assert term.collectivity == collectivity_a and not term.deleted
    event = Event.objects.for_object(term).get()
    assert event.action == "council.term_created" and event.actor == secretary


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name_ar": ""}, "name_ar"),
        ({"name_ar": "   "}, "name_ar"),
        ({"name_ar": "x" * 201}, "name_ar"),
        ({"name_fr": "a\x00b"}, "name_fr"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "2021-02-30"}, "start_date"),
        ({"start_date": dt.date(1066, 10, 14)}, "start_date"),
        ({"start_date": 20210920}, "start_date"),
        ({"end_date": dt.date(2021, 9, 19)}, "end_date"),
    ],
)
def test_term_create_refuses_bad_input(collectivity_a, secretary, values, field):
    data: dict[str, Any] = {
        "name_ar": "الولاية",
        "name_fr": "",
        "start_date": dt.date(2021, 9, 20),
        "end_date": None,
        **values,
    }
    errors = refused(organs.term_create, collectivity=collectivity_a, actor=secretary, **data)
    assert field in errors


def test_terms_do_not_overlap_but_may_touch(collectivity_a, secretary):
    term_make(collectivity_a, start=dt.date(2015, 9, 1), end=dt.date(2021, 9, 20))
    running = term_make(collectivity_a, start=dt.date(2021, 9, 20))
    errors = refused(
        organs.term_create,
        collectivity=collectivity_a,
        actor=secretary,
        name_ar="الولاية المقبلة",
        start_date=dt.date(2026, 9, 20),
    )
    assert "start_date" in errors
    organs.term_update(
        term=running,
        actor=secretary,
        name_ar=running.name_ar,
        name_fr=running.name_fr,
        start_date=running.start_date,
        end_date=dt.date(2026, 9, 20),
    )
    after = organs.term_create(
        collectivity=collectivity_a,
        actor=secretary,
        name_ar="الولاية المقبلة",
        start_date=dt.date(2026, 9, 20),
    )
    assert selectors.term_current(collectivity_a, today=dt.date(2027, 1, 1)) == after
    assert selectors.term_current(collectivity_a, today=dt.date(2024, 1, 1)) == running


def test_another_collectivitys_term_does_not_overlap(collectivity_a, collectivity_b, secretary):
    term_make(collectivity_b)
    organs.term_create(
        collectivity=collectivity_a, actor=secretary, name_ar="الولاية", start_date=TERM_START
    )


def test_term_update_keeps_the_members_mandates_inside(term, secretary):
    member_make(term, 1)
    before = (term.start_date, term.end_date)
    errors = refused(
        organs.term_update,
        term=term,
        actor=secretary,
        name_ar=term.name_ar,
        start_date=TERM_START + dt.timedelta(days=1),
        end_date=TERM_START,
    )
    assert "end_date" in errors
    errors = refused(
        organs.term_update,
        term=term,
        actor=secretary,
        name_ar=term.name_ar,
        start_date=TERM_START + dt.timedelta(days=1),
    )
    assert "start_date" in errors
    term.refresh_from_db()
    assert (term.start_date, term.end_date) == before


@pytest.mark.parametrize("role", [Role.PETITIONS_BUREAU, Role.COUNCIL_MEMBER, Role.MONITOR])
def test_only_the_secretariat_records_the_organs(collectivity_a, term, staff_for, role):
    outsider = staff_for(role)
    with pytest.raises(PermissionDenied):
        organs.term_create(
            collectivity=collectivity_a, actor=outsider, name_ar="x", start_date=TERM_START
        )
    with pytest.raises(PermissionDenied):
        add(term, outsider)
    with pytest.raises(PermissionDenied):
        organs.committee_create(term=term, actor=outsider, name_ar="لجنة")
    with pytest.raises(PermissionDenied):
        organs.council_settings_save(
            collectivity=collectivity_a,
            actor=outsider,
            session_months="",
            quorum_free_convocation=3,
        )


def test_charlie_cannot_write_as_collectivity_a(charlie, term):
    with pytest.raises(PermissionDenied):
        add(term, charlie)
    member = member_make(term, 1)
    with pytest.raises(PermissionDenied):
        organs.member_end(member=member, actor=charlie, ended_on=dt.date(2024, 1, 1))
    assert Member.objects.get(pk=member.pk).ended_on is None


# ------------------------------------------------------------------------ members


def test_member_add_in_the_councils_order(term, secretary):
    add(term, secretary, name_ar="ج عضو", role=MemberRole.MEMBER)
    add(term, secretary, name_ar="نائب ثان", role=MemberRole.VICE_PRESIDENT, rank=2)
    add(term, secretary, name_ar="كاتب", role=MemberRole.SECRETARY)
    add(term, secretary, name_ar="رئيس", role=MemberRole.PRESIDENT, rank=7)
    add(term, secretary, name_ar="نائب أول", role=MemberRole.VICE_PRESIDENT, rank="1")
    add(term, secretary, name_ar="نائب الكاتب", role=MemberRole.DEPUTY_SECRETARY)
    add(term, secretary, name_ar="أ عضو", role=MemberRole.MEMBER)
    members = selectors.member_list(term)
    assert [m.name_ar for m in members] == [
        "رئيس",
        "نائب أول",
        "نائب ثان",
        "كاتب",
        "نائب الكاتب",
        "أ عضو",
        "ج عضو",
    ]
    # A rank belongs to vice-presidents only.
    assert members[0].rank == 0
    assert [e.action for e in Event.objects.filter(action__startswith="council.member")] == [
        "council.member_added"
    ] * 7


def test_one_president_per_term_among_the_serving_members(term, secretary):
    president = add(term, secretary, role=MemberRole.PRESIDENT)
    errors = refused(add, term=term, actor=secretary, name_ar="آخر", role=MemberRole.PRESIDENT)
    assert "role" in errors
    member = add(term, secretary, name_ar="عضو")
    errors = refused(
        organs.member_update,
        member=member,
        actor=secretary,
        name_ar="عضو",
        role=MemberRole.PRESIDENT,
        started_on=term.start_date,
    )
    assert "role" in errors
    assert Member.objects.get(pk=member.pk).role == MemberRole.MEMBER
    organs.member_end(member=president, actor=secretary, ended_on=dt.date(2023, 5, 2))
    successor = add(
        term, secretary, name_ar="الرئيس الجديد", role=MemberRole.PRESIDENT, started_on="2023-05-10"
    )
    assert successor.started_on == dt.date(2023, 5, 10)
    # The president of another term is no obstacle.
    later = term_make(term.collectivity, start=dt.date(2030, 1, 1), name_ar="لاحقة")
    add(later, secretary, role=MemberRole.PRESIDENT)


def test_single_offices_and_vice_president_ranks(term, secretary):
    add(term, secretary, role=MemberRole.SECRETARY)
    add(term, secretary, role=MemberRole.DEPUTY_SECRETARY)
    add(term, secretary, role=MemberRole.VICE_PRESIDENT, rank=1)
    assert "role" in refused(add, term=term, actor=secretary, role=MemberRole.SECRETARY)
    assert "role" in refused(add, term=term, actor=secretary, role=MemberRole.DEPUTY_SECRETARY)
    for rank in (1, None, 0, "", "abc", "١", 31, True, "-2"):
        errors = refused(add, term=term, actor=secretary, role=MemberRole.VICE_PRESIDENT, rank=rank)
        assert "rank" in errors, rank
    add(term, secretary, role=MemberRole.VICE_PRESIDENT, rank=2)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name_ar": ""}, "name_ar"),
        ({"name_fr": "é" * 201}, "name_fr"),
        ({"party": "\x00"}, "party"),
        ({"role": "king"}, "role"),
        ({"role": None}, "role"),
        ({"started_on": None}, "started_on"),
        ({"started_on": TERM_START - dt.timedelta(days=1)}, "started_on"),
        ({"started_on": "yesterday"}, "started_on"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 250 + "@x.ma"}, "email"),
    ],
)
def test_member_add_refuses_bad_input(term, secretary, values, field):
    assert field in refused(add, term=term, actor=secretary, **values)


def test_member_start_within_a_closed_term(collectivity_a, secretary):
    closed = term_make(collectivity_a, start=dt.date(2015, 9, 1), end=dt.date(2021, 9, 1))
    errors = refused(add, term=closed, actor=secretary, started_on=dt.date(2021, 9, 2))
    assert "started_on" in errors


def test_a_member_with_an_email_gets_an_account_with_the_council_member_role(
    term, secretary, collectivity_a
):
    member = add(term, secretary, email="  Said.Benali@Example.MA ")
    user = User.objects.get(email="said.benali@example.ma")
    assert member.user == user
    assert user.full_name == "Saïd Benali"
    assert not user.has_usable_password()
    assert Membership.objects.filter(
        user=user, collectivity=collectivity_a, role=Role.COUNCIL_MEMBER
    ).exists()
    assert has_perm(user, Perm.COUNCIL_VOTE, collectivity_a)
    assert not has_perm(user, Perm.COUNCIL_MANAGE, collectivity_a)
    event = Event.objects.for_object(member).get()
    assert event.data["account_created"] is True


def test_an_existing_user_is_found_by_email(term, secretary, citizen, collectivity_a):
    member = add(term, secretary, email=citizen.email.upper())
    assert member.user == citizen
    assert User.objects.filter(email__iexact=citizen.email).count() == 1
    assert Membership.objects.filter(user=citizen, role=Role.COUNCIL_MEMBER).count() == 1


def test_one_seat_per_person_per_term(term, secretary, citizen):
    add(term, secretary, email=citizen.email)
    errors = refused(add, term=term, actor=secretary, name_ar="آخر", email=citizen.email)
    assert "email" in errors
    other = add(term, secretary, name_ar="آخر")
    errors = refused(
        organs.member_update,
        member=other,
        actor=secretary,
        name_ar="آخر",
        started_on=term.start_date,
        email=citizen.email,
    )
    assert "email" in errors
    # Even after the end of the mandate: the seat of the term stays theirs.
    first = Member.objects.get(user=citizen)
    organs.member_end(member=first, actor=secretary, ended_on=dt.date(2022, 1, 3))
    assert "email" in refused(add, term=term, actor=secretary, email=citizen.email)


def test_a_refused_member_creates_no_account(term, secretary):
    add(term, secretary, role=MemberRole.PRESIDENT)
    errors = refused(
        add, term=term, actor=secretary, role=MemberRole.PRESIDENT, email="new@example.ma"
    )
    assert "role" in errors
    assert not User.objects.filter(email="new@example.ma").exists()


def test_member_update_links_unlinks_and_corrects(term, secretary, collectivity_a):
    member = add(term, secretary, email="one@example.ma")
    organs.member_update(
        member=member,
        actor=secretary,
        name_ar="سعيد بنعلي",
        name_fr="Saïd Benali",
        role=MemberRole.VICE_PRESIDENT,
        rank=3,
        party="حزب",
        started_on=term.start_date,
        email="two@example.ma",
    )
    member.refresh_from_db()
    assert member.user is not None and member.user.email == "two@example.ma"
    assert (member.role, member.rank, member.party) == (MemberRole.VICE_PRESIDENT, 3, "حزب")
    assert Membership.objects.filter(
        user=member.user, collectivity=collectivity_a, role=Role.COUNCIL_MEMBER
    ).exists()
    organs.member_update(
        member=member, actor=secretary, name_ar="سعيد", started_on=term.start_date, email=""
    )
    member.refresh_from_db()
    assert member.user is None and member.rank == 0 and member.name_fr == ""


def test_member_end_checks_its_date(term, secretary):
    member = add(term, secretary, started_on=dt.date(2022, 1, 10))
    for day, field in (
        (None, "ended_on"),
        (dt.date(2022, 1, 9), "ended_on"),
        ("2022-02-31", "ended_on"),
    ):
        assert field in refused(organs.member_end, member=member, actor=secretary, ended_on=day)
    organs.member_end(member=member, actor=secretary, ended_on=dt.date(2022, 1, 10))
    assert "ended_on" in refused(
        organs.member_end, member=member, actor=secretary, ended_on=dt.date(2023, 1, 1)
    )
    assert selectors.member_list(term, serving_only=True) == []
    assert selectors.member_list(term) == [member]


def test_member_end_within_the_terms_dates(collectivity_a, secretary):
    closed = term_make(collectivity_a, start=dt.date(2015, 9, 1), end=dt.date(2021, 9, 1))
    member = member_make(closed, 1)
    errors = refused(
        organs.member_end, member=member, actor=secretary, ended_on=dt.date(2021, 9, 2)
    )
    assert "ended_on" in errors


def test_member_delete_is_soft_and_frees_the_person(term, secretary, citizen):
    member = add(term, secretary, email=citizen.email)
    committee = committee_make(term)
    organs.seat_set(committee=committee, member=member, actor=secretary, role=SeatRole.CHAIR)
    organs.member_delete(member=member, actor=secretary)
    kept = Member.objects.get(pk=member.pk)
    assert kept.deleted and kept.user is None
    assert CommitteeSeat.objects.get(member=kept).deleted
    assert selectors.member_list(term) == []
    assert selectors.member_get(term.collectivity, member.pk) is None
    again = add(term, secretary, email=citizen.email)
    assert again.user == citizen
    with pytest.raises(ValidationError):
        organs.member_update(member=kept, actor=secretary, name_ar="x", started_on=term.start_date)


# --------------------------------------------------------------------- committees


def test_committee_create_update_delete(term, secretary):
    committee = organs.committee_create(
        term=term, actor=secretary, name_ar="لجنة الميزانية", name_fr="Budget", is_standing=True
    )
    assert "name_ar" in refused(
        organs.committee_create, term=term, actor=secretary, name_ar="لجنة الميزانية"
    )
    assert "name_ar" in refused(organs.committee_create, term=term, actor=secretary, name_ar="")
    other = organs.committee_create(
        term=term, actor=secretary, name_ar="لجنة مؤقتة", is_standing=False
    )
    assert "name_ar" in refused(
        organs.committee_update, committee=other, actor=secretary, name_ar="لجنة الميزانية"
    )
    organs.committee_update(
        committee=other, actor=secretary, name_ar="لجنة التعمير", name_fr="Urbanisme"
    )
    other.refresh_from_db()
    assert (other.name_ar, other.is_standing) == ("لجنة التعمير", True)
    member = member_make(term, 1)
    organs.seat_set(committee=committee, member=member, actor=secretary, role=SeatRole.MEMBER)
    organs.committee_delete(committee=committee, actor=secretary)
    kept = Committee.objects.get(pk=committee.pk)
    assert kept.deleted and CommitteeSeat.objects.get(committee=kept).deleted
    assert [c.pk for c in selectors.committee_list(term)] == [other.pk]
    # Its name is free again.
    organs.committee_create(term=term, actor=secretary, name_ar="لجنة الميزانية")
    assert "name_ar" in refused(
        organs.committee_update, committee=kept, actor=secretary, name_ar="أخرى"
    )


def test_seats_roles_and_rules(term, secretary, collectivity_a):
    committee = committee_make(term)
    first, second, third = (member_make(term, n) for n in (1, 2, 3))
    seat = organs.seat_set(committee=committee, member=first, actor=secretary, role=SeatRole.CHAIR)
    organs.seat_set(committee=committee, member=second, actor=secretary, role="rapporteur")
    organs.seat_set(committee=committee, member=third, actor=secretary, role="rapporteur")
    assert "role" in refused(
        organs.seat_set, committee=committee, member=second, actor=secretary, role=SeatRole.CHAIR
    )
    assert "role" in refused(
        organs.seat_set, committee=committee, member=second, actor=secretary, role="boss"
    )
    # The chair's own seat may change role; then the chair is free.
    organs.seat_set(committee=committee, member=first, actor=secretary, role=SeatRole.CHAIR)
    organs.seat_set(committee=committee, member=first, actor=secretary, role=SeatRole.MEMBER)
    organs.seat_set(committee=committee, member=second, actor=secretary, role=SeatRole.CHAIR)
    shown = selectors.committee_seats(selectors.committee_list(term)[0])
    assert [(s.member_id, s.role) for s in shown] == [
        (second.pk, SeatRole.CHAIR),
        (third.pk, SeatRole.RAPPORTEUR),
        (first.pk, SeatRole.MEMBER),
    ]
    organs.seat_remove(seat=seat, actor=secretary)
    assert CommitteeSeat.objects.get(pk=seat.pk).deleted
    assert [s.member_id for s in selectors.committee_seats(selectors.committee_list(term)[0])] == [
        second.pk,
        third.pk,
    ]
    # Given back: the same row, not deleted any more.
    again = organs.seat_set(committee=committee, member=first, actor=secretary, role="member")
    assert again.pk == seat.pk and not again.deleted
    assert CommitteeSeat.objects.filter(committee=committee).count() == 3


def test_a_seat_needs_a_serving_member_of_the_committees_term(term, secretary, collectivity_a):
    committee = committee_make(term)
    later = term_make(collectivity_a, start=dt.date(2030, 1, 1), name_ar="لاحقة")
    stranger = member_make(later, 1)
    former = member_make(term, 2, ended_on=dt.date(2022, 1, 1))
    for member in (stranger, former):
        errors = refused(
            organs.seat_set, committee=committee, member=member, actor=secretary, role="member"
        )
        assert "member" in errors
    serving = member_make(term, 3)
    organs.seat_set(committee=committee, member=serving, actor=secretary, role="member")
    organs.member_end(member=serving, actor=secretary, ended_on=dt.date(2024, 1, 1))
    # The seat of a member whose mandate ended is no longer shown.
    assert selectors.committee_seats(selectors.committee_list(term)[0]) == []


# ----------------------------------------------------------------------- settings


def test_settings_save_normalises_the_months(collectivity_a, secretary):
    saved = organs.council_settings_save(
        collectivity=collectivity_a,
        actor=secretary,
        session_months=" 10, 2,5 ,2",
        quorum_free_convocation="3",
    )
    assert (saved.session_months, saved.quorum_free_convocation) == ("2,5,10", 3)
    assert organs.ordinary_months(collectivity_a) == [2, 5, 10]
    organs.council_settings_save(
        collectivity=collectivity_a,
        actor=secretary,
        session_months=[9, 3],
        quorum_free_convocation=2,
    )
    assert organs.ordinary_months(collectivity_a) == [3, 9]
    assert CouncilSettings.objects.count() == 1
    event = Event.objects.filter(action="council.settings_saved").last()
    assert event is not None and event.data["session_months"] == "3,9"


@pytest.mark.parametrize(
    ("months", "quorum", "field"),
    [
        ("13", 3, "session_months"),
        ("0", 3, "session_months"),
        ("2,,5", 3, "session_months"),
        ("février", 3, "session_months"),
        ("٢,٥", 3, "session_months"),
        ("1,2,3,4,5,6,7,8,9,10,11,12,123", 3, "session_months"),
        (["2", "x"], 3, "session_months"),
        (None, 3, "session_months"),
        ("2,5,10", 1, "quorum_free_convocation"),
        ("2,5,10", 11, "quorum_free_convocation"),
        ("2,5,10", "trois", "quorum_free_convocation"),
        ("2,5,10", "99999999999999999999", "quorum_free_convocation"),
        ("2,5,10", None, "quorum_free_convocation"),
        ("2,5,10", True, "quorum_free_convocation"),
    ],
)
def test_settings_save_refuses_bad_values(collectivity_a, secretary, months, quorum, field):
    organs.council_settings_save(
        collectivity=collectivity_a,
        actor=secretary,
        session_months="1,6",
        quorum_free_convocation=4,
    )
    errors = refused(
        organs.council_settings_save,
        collectivity=collectivity_a,
        actor=secretary,
        session_months=months,
        quorum_free_convocation=quorum,
    )
    assert field in errors
    found = CouncilSettings.objects.get(collectivity=collectivity_a)
    assert (found.session_months, found.quorum_free_convocation) == ("1,6", 4)


def test_ordinary_months_follow_the_law_of_each_level(
    collectivity_a, region, prefecture, secretary
):
    assert organs.ordinary_months(collectivity_a) == [2, 5, 10]
    assert organs.ordinary_months(region) == [3, 7, 10]
    assert organs.ordinary_months(prefecture) == [1, 6, 9]
    # Cleared, the council's own months give way to the law's again.
    organs.council_settings_save(
        collectivity=collectivity_a, actor=secretary, session_months="4", quorum_free_convocation=3
    )
    assert organs.ordinary_months(collectivity_a) == [4]
    organs.council_settings_save(
        collectivity=collectivity_a, actor=secretary, session_months="", quorum_free_convocation=3
    )
    assert organs.ordinary_months(collectivity_a) == [2, 5, 10]


def test_ordinary_months_read_the_setting(collectivity_a, region, settings):
    settings.INFITAH_COUNCIL_SESSION_MONTHS = {
        "commune": [2, 6, 10],
        "region": [3, 7, 10],
        "province": [1, 6, 9],
    }
    assert organs.ordinary_months(collectivity_a) == [2, 6, 10]
    assert organs.ordinary_months(region) == [3, 7, 10]


def test_ordinary_months_ignore_a_corrupt_stored_value(collectivity_a):
    CouncilSettings.objects.create(collectivity=collectivity_a, session_months="2;x")
    assert organs.ordinary_months(collectivity_a) == [2, 5, 10]


# ------------------------------------------------------- the council-member role taken back


def _is_member(user: User, collectivity: Collectivity) -> bool:
    return Membership.objects.filter(
        user=user, collectivity=collectivity, role=Role.COUNCIL_MEMBER
    ).exists()


def test_ending_a_mandate_takes_the_role_back(term, secretary, citizen, collectivity_a):
    member = add(term, secretary, email=citizen.email)
    assert _is_member(citizen, collectivity_a)
    organs.member_end(member=member, actor=secretary, ended_on=dt.date(2022, 1, 3))
    assert not _is_member(citizen, collectivity_a)
    assert not has_perm(User.objects.get(pk=citizen.pk), Perm.COUNCIL_VOTE, collectivity_a)
    revoked = Event.objects.filter(action="membership.revoked").get()
    assert revoked.actor == secretary and revoked.from_state == Role.COUNCIL_MEMBER


def test_deleting_or_unlinking_takes_the_role_back(term, secretary, citizen, collectivity_a):
    member = add(term, secretary, email=citizen.email)
    organs.member_delete(member=member, actor=secretary)
    assert not _is_member(citizen, collectivity_a)
    other = add(term, secretary, name_ar="آخر", email="two@example.ma")
    two = User.objects.get(email="two@example.ma")
    organs.member_update(
        member=other, actor=secretary, name_ar="آخر", started_on=term.start_date, email=""
    )
    assert not _is_member(two, collectivity_a)


def test_the_role_stays_while_another_seat_serves(collectivity_a, secretary, citizen):
    old = term_make(collectivity_a, start=dt.date(2015, 9, 1), end=dt.date(2021, 9, 1))
    current = term_make(collectivity_a, start=dt.date(2021, 9, 8), end=None)
    first = add(old, secretary, email=citizen.email, started_on=dt.date(2015, 9, 1))
    add(current, secretary, email=citizen.email, started_on=dt.date(2021, 9, 8))
    organs.member_end(member=first, actor=secretary, ended_on=dt.date(2021, 9, 1))
    assert _is_member(citizen, collectivity_a)
