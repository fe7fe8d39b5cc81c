"""An advisory body's opinion on the council's agenda (issue 15): the service and its
rules, the secretariat's pages, the item's origin on the public pages, the referral's
link to its item, the answer form's proposal; tenancy and constant query counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from infitah.accounts.models import Membership, Role, User
from infitah.advisory import selectors as advisory_selectors
from infitah.advisory import services as advisory_services
from infitah.advisory.forms import AnswerForm
from infitah.advisory.models import Body, BodyKind, Referral
from infitah.advisory.workflow import Answer, Origin
from infitah.advisory.workflow import Status as ReferralStatus
from infitah.cases.services import TransitionNotAllowed
from infitah.council import services
from infitah.council.models import AgendaItem, Presence, Session
from infitah.council.services import ItemInput
from infitah.council.tests.sessions_world import (
    CONVENED_ON,
    SITTING_DAY,
    accepted_petition,
    at,
    council_make,
    session_input,
)
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db
pytest_plugins = ["infitah.council.tests.sessions_fixtures"]

SUBJECT_AR = "مشروع برنامج عمل الجماعة"
SUBJECT_FR = "Projet de programme d'action de la commune"
OPINION_AR = "توصي الهيئة بتخصيص ميزانية مراعية للنوع."
OPINION_FR = "L'instance recommande un budget sensible au genre."

MakeOpinion = Callable[..., Referral]


@pytest.fixture
def body_secretary(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.ADVISORY_SECRETARY)


def _equity(collectivity: Collectivity, actor: User) -> Body:
    advisory_services.body_ensure_required(collectivity=collectivity, actor=actor)
    return Body.objects.get(collectivity=collectivity, kind=BodyKind.EQUITY, deleted=False)


def _referral(
    body: Body,
    council: User,
    secretary: User,
    status: str = ReferralStatus.TRANSMITTED,
    subject_ar: str = SUBJECT_AR,
) -> Referral:
    """A referral of `body` driven through the services to `status`."""
    referral = advisory_services.referral_create(
        collectivity=body.collectivity,
        body=body,
        actor=council,
        origin=Origin.COUNCIL,
        subject_ar=subject_ar,
        subject_fr=SUBJECT_FR,
        question="رأي الهيئة في محور المساواة",
    )
    if status == ReferralStatus.REFERRED:
        return referral
    if status == ReferralStatus.WITHDRAWN:
        return advisory_services.referral_withdraw(referral=referral, actor=council, reason="x")
    advisory_services.opinion_adopt(
        referral=referral,
        actor=secretary,
        opinion_ar=OPINION_AR,
        opinion_fr=OPINION_FR,
        adopted_on=timezone.localdate(),
    )
    if status == ReferralStatus.ADOPTED:
        return referral
    advisory_services.opinion_transmit(referral=referral, actor=secretary)
    if status == ReferralStatus.TRANSMITTED:
        return referral
    return advisory_services.referral_answer(
        referral=referral, actor=council, answer=Answer.ADOPTED, reasons_ar="نعم"
    )


@pytest.fixture
def make_opinion(
    collectivity_a: Collectivity, session_secretary: User, body_secretary: User
) -> MakeOpinion:
    body = _equity(collectivity_a, body_secretary)

    def make(status: str = ReferralStatus.TRANSMITTED, **extra: str) -> Referral:
        return _referral(body, session_secretary, body_secretary, status, **extra)

    return make


def _convene(collectivity: Collectivity, actor: User, **overrides: object) -> Session:
    return services.session_create(
        collectivity=collectivity, actor=actor, data=session_input(**overrides)
    )


def _shown(text: str, html: str) -> bool:
    """`text` is on the page (escaped by a variable, or as a translation tag wrote it)."""
    return escape(text) in html or text in html


def _events(obj: object, kind: str) -> list[Event]:
    return list(
        Event.objects.filter(object_type=kind, object_id=str(obj.pk)).order_by("pk")  # type: ignore[attr-defined]
    )


# -------------------------------------------------------------------------- services


def test_an_opinion_becomes_an_item_the_referral_points_at(
    session_council, session_secretary, collectivity_a, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    services.item_add(
        session=session, actor=session_secretary, data=ItemInput(title_ar="الميزانية")
    )
    referral = make_opinion()
    assert advisory_selectors.opinions_to_schedule(collectivity=collectivity_a) == [referral]
    item = services.item_add_from_opinion(
        session=session, actor=session_secretary, referral=referral
    )
    assert item.number == 2 and item.session == session and item.petition is None
    assert (item.title_ar, item.title_fr) == (SUBJECT_AR, SUBJECT_FR)
    for text in (referral.body.name_ar, referral.body.name_fr, referral.reference):
        assert text in item.description
    assert OPINION_AR in item.description and OPINION_FR in item.description
    assert item.is_public and item.rapporteur is None and item.committee is None
    referral.refresh_from_db()
    assert referral.agenda_item == item
    assert referral.status == ReferralStatus.TRANSMITTED  # the answer is still awaited
    assert list(item.opinions.all()) == [referral]
    assert advisory_selectors.opinions_to_schedule(collectivity=collectivity_a) == []
    added = _events(session, "council.session")[-1]
    assert added.action == "council.item_added"
    assert added.data == {"item": item.pk, "number": 2, "referral": referral.pk}
    linked = _events(referral, "advisory.referral")[-1]
    assert linked.action == "advisory.item_linked" and linked.data == {"item": item.pk}
    # The chain of states is unbroken: a link does not change the referral's state.
    assert linked.from_state == linked.to_state == ReferralStatus.TRANSMITTED
    # The council's answer form proposes the item.
    found = advisory_selectors.referral_get(collectivity=collectivity_a, pk=referral.pk)
    assert found is not None
    assert AnswerForm.initial_of(found) == {"agenda_item": item.pk}


def test_the_answer_keeps_the_item_and_closes_the_candidacy(
    session_council, session_secretary, collectivity_a, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    referral = make_opinion()
    item = services.item_add_from_opinion(
        session=session, actor=session_secretary, referral=referral
    )
    advisory_services.referral_answer(
        referral=referral,
        actor=session_secretary,
        answer=Answer.PARTLY,
        reasons_ar="اعتمد المجلس التوصية الأولى.",
        agenda_item=item,
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ANSWERED and referral.agenda_item == item
    other = _convene(collectivity_a, session_secretary, title_ar="دورة أخرى")
    with pytest.raises(ValidationError) as caught:
        services.item_add_from_opinion(session=other, actor=session_secretary, referral=referral)
    assert "referral" in caught.value.message_dict
    assert not other.items.exists()


@pytest.mark.parametrize(
    "status",
    [
        ReferralStatus.REFERRED,
        ReferralStatus.ADOPTED,
        ReferralStatus.ANSWERED,
        ReferralStatus.WITHDRAWN,
    ],
)
def test_only_a_transmitted_opinion_goes_on_the_agenda(
    status, session_council, session_secretary, collectivity_a, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    referral = make_opinion(status)
    events = Event.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.item_add_from_opinion(session=session, actor=session_secretary, referral=referral)
    assert "referral" in caught.value.message_dict
    # Nothing written: no item, no link, no event.
    assert not AgendaItem.objects.filter(session=session).exists()
    referral.refresh_from_db()
    assert referral.agenda_item_id is None
    assert Event.objects.count() == events
    assert advisory_selectors.opinions_to_schedule(collectivity=collectivity_a) == []


def test_an_opinion_of_another_collectivity_is_refused(
    session_council, session_secretary, collectivity_a, collectivity_b, session_day
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    council_b = User.objects.create(email="council-b@example.test")
    body_b_secretary = User.objects.create(email="body-b@example.test")
    Membership.objects.create(user=council_b, collectivity=collectivity_b, role=Role.ADMIN)
    Membership.objects.create(
        user=body_b_secretary, collectivity=collectivity_b, role=Role.ADVISORY_SECRETARY
    )
    foreign = _referral(_equity(collectivity_b, body_b_secretary), council_b, body_b_secretary)
    with pytest.raises(ValidationError) as caught:
        services.item_add_from_opinion(session=session, actor=session_secretary, referral=foreign)
    assert "referral" in caught.value.message_dict
    assert not AgendaItem.objects.filter(session=session).exists()
    foreign.refresh_from_db()
    assert foreign.agenda_item_id is None
    assert advisory_selectors.opinions_to_schedule(collectivity=collectivity_a) == []
    assert advisory_selectors.opinions_to_schedule(collectivity=collectivity_b) == [foreign]


def test_an_opinion_is_on_one_live_agenda_at_a_time(
    session_council, session_secretary, collectivity_a, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    first = _convene(collectivity_a, session_secretary)
    second = _convene(collectivity_a, session_secretary, title_ar="دورة أخرى")
    referral = make_opinion()
    item = services.item_add_from_opinion(session=first, actor=session_secretary, referral=referral)
    for session in (first, second):  # twice, or on another session
        with pytest.raises(ValidationError) as caught:
            services.item_add_from_opinion(
                session=session, actor=session_secretary, referral=referral
            )
        assert "referral" in caught.value.message_dict
    assert first.items.filter(deleted=False).count() == 1 and not second.items.exists()
    # Taken off the agenda: the referral lets go of the item, and may go elsewhere.
    services.item_remove(item=item, actor=session_secretary)
    referral.refresh_from_db()
    assert referral.agenda_item_id is None
    unlinked = _events(referral, "advisory.referral")[-1]
    assert unlinked.action == "advisory.item_unlinked" and unlinked.data == {"item": item.pk}
    assert advisory_selectors.opinions_to_schedule(collectivity=collectivity_a) == [referral]
    moved = services.item_add_from_opinion(
        session=second, actor=session_secretary, referral=referral
    )
    # A cancelled session no longer carries it (the link stays, as a record).
    services.session_cancel(session=second, actor=session_secretary, reason="خطأ")
    referral.refresh_from_db()
    assert referral.agenda_item == moved
    assert advisory_selectors.opinions_to_schedule(collectivity=collectivity_a) == [referral]
    assert AnswerForm.initial_of(referral) == {}  # a cancelled item is not proposed
    again = services.item_add_from_opinion(
        session=first, actor=session_secretary, referral=referral
    )
    referral.refresh_from_db()
    assert referral.agenda_item == again


def test_once_the_agenda_is_published_no_opinion_is_added(
    session_council, session_secretary, collectivity_a, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    services.item_add(session=session, actor=session_secretary, data=ItemInput(title_ar="نقطة"))
    services.agenda_publish(session=session, actor=session_secretary)
    referral = make_opinion()
    with pytest.raises(TransitionNotAllowed):
        services.item_add_from_opinion(session=session, actor=session_secretary, referral=referral)
    assert session.items.count() == 1
    referral.refresh_from_db()
    assert referral.agenda_item_id is None


def test_only_the_council_secretariat_adds_an_opinion(
    session_council,
    session_secretary,
    body_secretary,
    collectivity_a,
    session_day,
    make_opinion,
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    referral = make_opinion()
    with pytest.raises(PermissionDenied):
        services.item_add_from_opinion(session=session, actor=body_secretary, referral=referral)
    with pytest.raises(PermissionDenied):
        advisory_services.referral_link_item(
            referral=referral,
            actor=body_secretary,
            item=services.item_add(
                session=session, actor=session_secretary, data=ItemInput(title_ar="نقطة")
            ),
        )
    referral.refresh_from_db()
    assert referral.agenda_item_id is None


def test_the_opinion_follows_its_item_when_the_session_is_convened_again(
    session_council, session_secretary, collectivity_a, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    first = _convene(collectivity_a, session_secretary)
    awaited, answered = make_opinion(), make_opinion(subject_ar="موضوع آخر")
    item = services.item_add_from_opinion(session=first, actor=session_secretary, referral=awaited)
    considered = services.item_add_from_opinion(
        session=first, actor=session_secretary, referral=answered
    )
    advisory_services.referral_answer(
        referral=answered,
        actor=session_secretary,
        answer=Answer.NOT_ADOPTED,
        reasons_ar="لا",
        agenda_item=considered,
    )
    first = services.agenda_publish(session=first, actor=session_secretary)
    session_day(SITTING_DAY)
    services.attendance_record(
        session=first,
        actor=session_secretary,
        presences={
            m.pk: Presence.PRESENT if n < 2 else Presence.ABSENT
            for n, m in enumerate(session_council.members)
        },
    )
    first = services.session_adjourn(session=first, actor=session_secretary)
    second = services.session_reconvene(
        session=first, actor=session_secretary, starts_at=at(date(2026, 10, 14))
    )
    copy = second.items.get(number=item.number)
    awaited.refresh_from_db()
    answered.refresh_from_db()
    assert awaited.agenda_item == copy
    assert answered.agenda_item == considered  # the answer's record is not rewritten


# ----------------------------------------------------------------------------- pages


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff(lang: str, session: Session, rest: str = "") -> str:
    return f"/{lang}/staff/{session.collectivity.slug}/council/sessions/{session.pk}/{rest}"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_secretariat_adds_an_opinion_through_the_session_page(
    lang,
    session_council,
    session_secretary,
    collectivity_a,
    session_day,
    make_opinion,
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    referral = make_opinion()
    make_opinion(ReferralStatus.ADOPTED, subject_ar="لم يحل بعد")  # not offered
    client = _client(session_secretary)
    page = client.get(_staff(lang, session)).content.decode()
    assert f'lang="{lang}"' in page
    with translation.override(lang):
        assert _shown(translation.gettext("Add an opinion of an advisory body"), page)
    assert 'act/opinion_add/"' in page
    assert f'<option value="{referral.pk}">{referral.reference}' in page
    assert "لم يحل بعد" not in page
    assert client.post(_staff(lang, session, "act/opinion_add/"), {}).status_code == 400
    assert (
        client.post(_staff(lang, session, "act/opinion_add/"), {"referral": "x"}).status_code == 400
    )
    response = client.post(_staff(lang, session, "act/opinion_add/"), {"referral": referral.pk})
    assert response.status_code == 302
    item = session.items.get()
    referral.refresh_from_db()
    assert referral.agenda_item == item
    # Added once: the choice is gone, a second post is refused beside the field.
    page = client.get(_staff(lang, session)).content.decode()
    assert 'act/opinion_add/"' not in page
    assert (
        client.post(
            _staff(lang, session, "act/opinion_add/"), {"referral": referral.pk}
        ).status_code
        == 400
    )
    # The agenda and the item's page say where the item comes from.
    referral_url = f"/{lang}/staff/commune-a/advisory/referrals/{referral.pk}/"
    assert (
        referral_url in page
        and escape(referral.body.name_ar if lang == "ar" else referral.body.name_fr) in page
    )
    item_page = client.get(_staff(lang, session, f"items/{item.pk}/")).content.decode()
    assert referral_url in item_page and referral.reference in item_page
    with translation.override(lang):
        assert escape(translation.gettext("Comes from")) in item_page
    # Taken off through its page: the referral lets go of it.
    assert client.post(_staff(lang, session, f"items/{item.pk}/act/remove/")).status_code == 302
    referral.refresh_from_db()
    assert referral.agenda_item_id is None
    assert f'<option value="{referral.pk}">' in client.get(_staff(lang, session)).content.decode()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_public_pages_show_where_an_item_comes_from(
    lang,
    django_capture_on_commit_callbacks,
    session_council,
    session_secretary,
    staff_a,
    collectivity_a,
    session_day,
    make_opinion,
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    referral = make_opinion()
    petition = accepted_petition(collectivity_a)
    from_petition = services.item_add_from_petition(
        session=session, actor=staff_a, petition=petition
    )
    item = services.item_add_from_opinion(
        session=session, actor=session_secretary, referral=referral
    )
    anonymous = Client()
    referral_page = f"/{lang}/c/commune-a/advisory/referrals/{referral.pk}/"
    session_page = f"/{lang}/c/commune-a/council/sessions/{session.pk}/"
    anchor = f"{session_page}#item-{item.pk}"
    cache.clear()
    # In preparation: the session is not public, nor is the item on the referral's page.
    assert anonymous.get(session_page).status_code == 404
    assert anchor not in anonymous.get(referral_page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(session=session, actor=session_secretary)
    html = anonymous.get(session_page).content.decode()
    assert f'id="item-{item.pk}"' in html
    assert f'href="/{lang}/c/commune-a/advisory/referrals/{referral.pk}/"' in html
    assert f'href="/{lang}/c/commune-a/petitions/{petition.pk}/"' in html
    assert petition.reference in html and referral.reference in html
    with translation.override(lang):
        assert escape(translation.gettext("advisory opinion:")) in html
        assert escape(translation.gettext("from the petition")) in html
        assert escape(referral.body.name) in html
    assert (
        anonymous.get(f"/{lang}/c/commune-a/advisory/referrals/{referral.pk}/").status_code == 200
    )
    # The referral's public page links the item's place on the session's page (the
    # agenda's publication made its cached page stale).
    html = anonymous.get(referral_page).content.decode()
    assert f'href="{anchor}"' in html
    with translation.override(lang):
        assert _shown(translation.gettext("On the council's agenda:"), html)
    # A closed item is not shown, nor linked.
    AgendaItem.objects.filter(pk=item.pk).update(is_public=False)
    cache.clear()
    assert f'id="item-{item.pk}"' not in anonymous.get(session_page).content.decode()
    assert anchor not in anonymous.get(referral_page).content.decode()
    assert f'id="item-{from_petition.pk}"' in anonymous.get(session_page).content.decode()


def test_the_answer_form_proposes_the_item(
    session_council, session_secretary, collectivity_a, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    referral = make_opinion()
    client = _client(session_secretary)
    url = f"/fr/staff/commune-a/advisory/referrals/{referral.pk}/"
    html = client.get(url).content.decode()
    assert re.search(r'<option value="" selected>', html)
    item = services.item_add_from_opinion(
        session=session, actor=session_secretary, referral=referral
    )
    html = client.get(url).content.decode()
    assert f'<option value="{item.pk}" selected>' in html
    with translation.override("fr"):
        assert escape(translation.gettext("Put on the agenda of a council session")) in html
    # The staff page names the item while the session is in preparation (no public link).
    with translation.override("fr"):
        assert _shown(translation.gettext("On the council's agenda:"), html)
    assert escape(session.title_fr) in html
    assert f"/fr/c/commune-a/council/sessions/{session.pk}/#item-{item.pk}" not in html


def test_outsiders_cannot_add_an_opinion(
    session_council,
    session_secretary,
    collectivity_a,
    charlie,
    citizen,
    network_admin,
    session_day,
    make_opinion,
) -> None:
    session_day(CONVENED_ON)
    session = _convene(collectivity_a, session_secretary)
    referral = make_opinion()
    for outsider in (charlie, citizen, network_admin):
        client = _client(outsider)
        for method in ("get", "post"):
            response = getattr(client, method)(
                _staff("fr", session, "act/opinion_add/"), {"referral": referral.pk}
            )
            assert response.status_code == 404, (outsider, method)
    # With a role of A that is not the secretariat's, still 404.
    Membership.objects.create(user=charlie, collectivity=session.collectivity, role=Role.MONITOR)
    assert _client(charlie).get(_staff("fr", session)).status_code == 404
    assert not session.items.exists()
    referral.refresh_from_db()
    assert referral.agenda_item_id is None


def test_another_collectivitys_session_does_not_offer_the_opinion(
    session_council, session_secretary, collectivity_a, prefecture, session_day, make_opinion
) -> None:
    session_day(CONVENED_ON)
    other = _commune(prefecture, "commune-c")
    council_make(other, 3, prefix="c")
    Membership.objects.create(
        user=session_secretary, collectivity=other, role=Role.COUNCIL_SECRETARY
    )
    session = _convene(other, session_secretary)
    referral = make_opinion()
    client = _client(session_secretary)
    assert referral.reference not in client.get(_staff("fr", session)).content.decode()
    response = client.post(_staff("fr", session, "act/opinion_add/"), {"referral": referral.pk})
    assert response.status_code == 400
    assert not session.items.exists()


# ---------------------------------------------------------------------- query counts


def _commune(parent: Collectivity, slug: str) -> Collectivity:
    return Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug=slug,
        name_ar="جماعة",
        name_fr="Commune",
        parent=parent,
        region=parent.region,
        is_network_member=True,
    )


def _opinions_world(
    collectivity: Collectivity, secretary: User, size: int
) -> tuple[Session, Session]:
    """A session in preparation with `size` items each carrying an opinion and `size`
    more opinions to choose from, and a published one with the same agenda."""
    council_make(collectivity, 3, prefix=f"o{size}-")
    Membership.objects.get_or_create(
        user=secretary, collectivity=collectivity, role=Role.COUNCIL_SECRETARY
    )
    body = Body.objects.create(
        collectivity=collectivity, kind=BodyKind.EQUITY, name_ar="هيئة", name_fr="Instance"
    )
    draft = _convene(collectivity, secretary)
    published = _convene(collectivity, secretary, title_ar="دورة منشورة")
    sessions = (draft, published)
    items = AgendaItem.objects.bulk_create(
        AgendaItem(session=s, number=n, title_ar=f"النقطة {n}")
        for s in sessions
        for n in range(1, size + 1)
    )
    Referral.objects.bulk_create(
        Referral(
            collectivity=collectivity,
            body=body,
            status=ReferralStatus.TRANSMITTED,
            origin=Origin.COUNCIL,
            reference=f"REF-2026-{n}",
            subject_ar=f"موضوع {n}",
            agenda_item=items[n] if n < len(items) else None,
        )
        for n in range(len(items) + size)
    )
    services.agenda_publish(session=published, actor=secretary)
    return draft, published


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)


def test_query_counts_do_not_grow_with_the_opinions(
    session_secretary, collectivity_a, prefecture, session_day
) -> None:
    session_day(CONVENED_ON)
    small = _opinions_world(collectivity_a, session_secretary, 10)
    big = _opinions_world(_commune(prefecture, "commune-big"), session_secretary, 200)
    assert len(advisory_selectors.opinions_to_schedule(collectivity=big[0].collectivity)) == 200
    client = _client(session_secretary)
    for few_session, many_session in zip(small, big, strict=True):
        first_few = few_session.items.order_by("number").first()
        first_many = many_session.items.order_by("number").first()
        assert first_few is not None and first_many is not None
        for few_url, many_url in (
            (_staff("ar", few_session), _staff("ar", many_session)),
            (
                _staff("ar", few_session, f"items/{first_few.pk}/"),
                _staff("ar", many_session, f"items/{first_many.pk}/"),
            ),
        ):
            _queries(client, few_url)  # warm-up
            few, many = _queries(client, few_url), _queries(client, many_url)
            assert few == many, (many_url, few, many)
    big_page = client.get(_staff("ar", big[0])).content.decode()
    assert big_page.count("/advisory/referrals/") == 200  # each item's origin
    assert big_page.count("<option value=") >= 200  # each opinion to choose
    public = Client()
    few_url = f"/ar/c/commune-a/council/sessions/{small[1].pk}/"
    many_url = f"/ar/c/commune-big/council/sessions/{big[1].pk}/"
    few, many = _queries(public, few_url), _queries(public, many_url)
    assert few == many, (few, many)
    assert public.get(many_url).content.decode().count("/advisory/referrals/") == 200
