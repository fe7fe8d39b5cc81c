"""A transmitted opinion put on the council's agenda: `referral_link_item` and
`referral_unlink_item` (the council's sessions call them), and the referral's pages that
link the item's place on the public session page."""

from __future__ import annotations

import itertools

import pytest

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from infitah.accounts.models import User
from infitah.advisory import selectors, services
from infitah.advisory.models import Referral
from infitah.advisory.tests.conftest import MakeReferral, council_session
from infitah.advisory.workflow import Answer, Status
from infitah.council.models import AgendaItem, Session
from infitah.council.workflow import Status as SessionStatus
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _events(referral: Referral) -> list[Event]:
    return list(
        Event.objects.filter(object_type="advisory.referral", object_id=str(referral.pk)).order_by(
            "pk"
        )
    )


def _item(session: Session, number: int = 1) -> AgendaItem:
    return AgendaItem.objects.create(session=session, number=number, title_ar=f"نقطة {number}")


def test_link_and_unlink_record_events_without_breaking_the_chain(
    make_referral: MakeReferral, council_secretary: User, item_a: AgendaItem
) -> None:
    referral = make_referral(Status.TRANSMITTED)
    services.referral_link_item(referral=referral, actor=council_secretary, item=item_a)
    assert referral.agenda_item == item_a
    referral.refresh_from_db()
    assert referral.agenda_item == item_a
    count = len(_events(referral))
    services.referral_link_item(referral=referral, actor=council_secretary, item=item_a)
    assert len(_events(referral)) == count  # the same item again: nothing changes
    other = _item(item_a.session, 4)
    services.referral_unlink_item(referral=referral, actor=council_secretary, item=other)
    referral.refresh_from_db()
    assert referral.agenda_item == item_a  # it points at another item: left alone
    services.referral_unlink_item(referral=referral, actor=council_secretary, item=item_a)
    referral.refresh_from_db()
    assert referral.agenda_item is None
    events = _events(referral)
    assert [e.action for e in events][-2:] == ["advisory.item_linked", "advisory.item_unlinked"]
    for previous, event in itertools.pairwise(events):
        assert event.from_state == previous.to_state


def test_an_item_of_another_council_or_off_the_agenda_is_refused(
    make_referral: MakeReferral,
    council_secretary: User,
    collectivity_b: Collectivity,
    session_a: Session,
) -> None:
    referral = make_referral(Status.TRANSMITTED)
    foreign = _item(council_session(collectivity_b))
    removed = _item(session_a, 5)
    AgendaItem.objects.filter(pk=removed.pk).update(deleted=True)
    removed.refresh_from_db()
    cancelled = _item(council_session(referral.collectivity, status=SessionStatus.CANCELLED))
    for item in (foreign, removed, cancelled):
        with pytest.raises(ValidationError) as caught:
            services.referral_link_item(referral=referral, actor=council_secretary, item=item)
        assert "agenda_item" in caught.value.message_dict
    referral.refresh_from_db()
    assert referral.agenda_item is None


def test_only_a_live_transmitted_opinion_is_linked_by_the_council(
    make_referral: MakeReferral,
    council_secretary: User,
    advisory_secretary: User,
    item_a: AgendaItem,
) -> None:
    referral = make_referral(Status.TRANSMITTED)
    with pytest.raises(PermissionDenied):
        services.referral_link_item(referral=referral, actor=advisory_secretary, item=item_a)
    with pytest.raises(PermissionDenied):
        services.referral_unlink_item(referral=referral, actor=advisory_secretary, item=item_a)
    Referral.objects.filter(pk=referral.pk).update(deleted=True)
    with pytest.raises(ValidationError):
        services.referral_link_item(referral=referral, actor=council_secretary, item=item_a)
    for status in (Status.REFERRED, Status.ADOPTED, Status.ANSWERED):
        with pytest.raises(ValidationError):
            services.referral_link_item(
                referral=make_referral(status), actor=council_secretary, item=item_a
            )
    assert not Referral.objects.filter(agenda_item=item_a).exists()


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_referral_pages_link_the_item_on_the_public_session_page(
    lang: str,
    make_referral: MakeReferral,
    council_secretary: User,
    item_a: AgendaItem,
    collectivity_a: Collectivity,
) -> None:
    referral = make_referral(Status.TRANSMITTED)
    services.referral_link_item(referral=referral, actor=council_secretary, item=item_a)
    anchor = f'href="/{lang}/c/commune-a/council/sessions/{item_a.session_id}/#item-{item_a.pk}"'
    public = f"/{lang}/c/commune-a/advisory/referrals/{referral.pk}/"
    staff = f"/{lang}/staff/commune-a/advisory/referrals/{referral.pk}/"
    cache.clear()
    assert anchor in Client().get(public).content.decode()
    secretariat = Client()
    secretariat.force_login(council_secretary)
    assert anchor in secretariat.get(staff).content.decode()
    services.referral_answer(
        referral=referral,
        actor=council_secretary,
        answer=Answer.ADOPTED,
        reasons_ar="اعتمد المجلس الرأي.",
        agenda_item=item_a,
    )
    cache.clear()
    assert anchor in Client().get(public).content.decode()
    # A session in preparation is not public: its item is neither linked nor named.
    draft = council_session(
        collectivity_a, status=SessionStatus.DRAFT, title_ar="دورة مقبلة", title_fr=""
    )
    Referral.objects.filter(pk=referral.pk).update(agenda_item=_item(draft))
    cache.clear()
    html = Client().get(public).content.decode()
    assert "/council/sessions/" not in html and "دورة مقبلة" not in html
    assert "دورة مقبلة" in secretariat.get(staff).content.decode()


def test_the_tracker_reads_the_item_without_a_query_more(
    make_referral: MakeReferral,
    council_secretary: User,
    item_a: AgendaItem,
    collectivity_a: Collectivity,
    django_assert_num_queries: object,
) -> None:
    referral = make_referral(Status.TRANSMITTED)
    services.referral_link_item(referral=referral, actor=council_secretary, item=item_a)
    referrals = selectors.referral_list(collectivity=collectivity_a)
    today = item_a.session.starts_at.date()
    with django_assert_num_queries(0):  # type: ignore[operator]
        tracks = selectors.tracker(referrals, today=today)
    assert [t.item_public for t in tracks] == [True]
    assert selectors.referral_agenda_item(referrals[0]) == item_a
