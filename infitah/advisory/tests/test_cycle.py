"""The referral's whole cycle through the engine: referral → opinion → transmission →
the council's answer, with its legal clocks (Deadline rows, due dates from the
`advisory.opinion` and `advisory.answer` limits), its e-mails and its ledger; the
self-initiated path; every state × action pair; the staff inbox; delays."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from infitah.accounts.models import User
from infitah.advisory import selectors, services
from infitah.advisory.models import Body, Referral
from infitah.advisory.tests.conftest import MakeReferral, pdf_file
from infitah.advisory.tests.helpers import snapshot
from infitah.advisory.workflow import TABLE, Action, Answer, Origin, Status
from infitah.cases.services import TransitionNotAllowed
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import due_date_compute, open_duty_list
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _deadlines(referral: Referral) -> list[Deadline]:
    return list(
        Deadline.objects.filter(subject_type="advisory.referral", subject_id=str(referral.pk))
        .select_related("limit")
        .order_by("pk")
    )


def _events(referral: Referral) -> list[Event]:
    return list(
        Event.objects.filter(object_type="advisory.referral", object_id=str(referral.pk)).order_by(
            "pk"
        )
    )


def test_the_whole_cycle_with_its_clocks(
    collectivity_a: Collectivity,
    equity_a: Body,
    advisory_secretary: User,
    council_secretary: User,
    citizen: User,
    item_a,
) -> None:
    today = timezone.localdate()
    services.body_member_add(
        body=equity_a,
        actor=advisory_secretary,
        name_ar="سعاد",
        started_on=dt.date(2022, 1, 1),
        user_email=citizen.email,
    )
    referral = services.referral_create(
        collectivity=collectivity_a,
        body=equity_a,
        actor=council_secretary,
        origin=Origin.COUNCIL,
        subject_ar="مشروع الميزانية",
        question="رأي الهيئة في مراعاة النوع في مشروع الميزانية",
    )
    [opinion] = _deadlines(referral)
    assert opinion.limit.code == "advisory.opinion" and opinion.is_open
    assert opinion.start_date == today
    assert opinion.due_date == due_date_compute(start=today, limit="advisory.opinion").due_date
    assert referral.opinion_deadline == opinion and referral.opinion_due == opinion.due_date
    # The body is told: its secretariat (staff page) and its member with an account.
    staff_mail = OutboundEmail.objects.get(to=advisory_secretary.email)
    member_mail = OutboundEmail.objects.get(to=citizen.email)
    assert f"/staff/commune-a/advisory/referrals/{referral.pk}/" in staff_mail.body
    assert f"/c/commune-a/advisory/referrals/{referral.pk}/" in member_mail.body
    assert referral.reference in staff_mail.subject

    services.opinion_adopt(
        referral=referral,
        actor=advisory_secretary,
        opinion_ar="توصي الهيئة بميزانية مراعية للنوع.",
        adopted_on=today,
    )
    opinion.refresh_from_db()
    assert opinion.status == DeadlineStatus.MET
    referral.refresh_from_db()
    assert (referral.status, referral.adopted_on) == (Status.ADOPTED, today)

    services.opinion_transmit(referral=referral, actor=advisory_secretary)
    referral.refresh_from_db()
    _opinion, answer = _deadlines(referral)
    assert answer.limit.code == "advisory.answer" and answer.is_open
    assert answer.due_date == due_date_compute(start=today, limit="advisory.answer").due_date
    assert referral.answer_due == answer.due_date and referral.transmitted_on == today
    council_mail = OutboundEmail.objects.get(to=council_secretary.email)
    assert referral.reference in council_mail.subject

    services.referral_answer(
        referral=referral,
        actor=council_secretary,
        answer=Answer.NOT_ADOPTED,
        reasons_ar="لا تسمح الموارد المتاحة بذلك هذه السنة.",
        agenda_item=item_a,
    )
    referral.refresh_from_db()
    answer.refresh_from_db()
    assert answer.status == DeadlineStatus.MET
    assert referral.status == Status.ANSWERED and referral.answered_on == today
    assert referral.agenda_item == item_a and referral.closed_at is not None
    assert OutboundEmail.objects.filter(to=citizen.email).count() == 2

    events = _events(referral)
    assert [e.action for e in events] == [
        "advisory.referred",
        "advisory.adopt",
        "advisory.transmit",
        "advisory.answer",
    ]
    for previous, event in itertools.pairwise(events):
        assert event.from_state == previous.to_state
    assert events[-1].data["answer"] == Answer.NOT_ADOPTED
    track = selectors.track(referral, today=today)
    assert (track.opinion_late, track.answer_late, track.opinion_public) == (0, 0, True)


def test_a_self_initiated_opinion_has_no_opinion_clock(
    make_referral: MakeReferral, advisory_secretary: User, council_secretary: User
) -> None:
    referral = make_referral(origin=Origin.SELF)
    assert referral.status == Status.DRAFTING and referral.origin == Origin.SELF
    assert _deadlines(referral) == [] and referral.opinion_due is None
    assert [e.action for e in _events(referral)] == ["advisory.initiated"]
    services.opinion_adopt(
        referral=referral,
        actor=advisory_secretary,
        opinion_ar="رأي بمبادرة من الهيئة",
        adopted_on=timezone.localdate(),
        file=pdf_file(),
    )
    services.opinion_transmit(referral=referral, actor=advisory_secretary)
    [answer] = _deadlines(referral)
    assert answer.limit.code == "advisory.answer" and answer.is_open
    services.referral_answer(
        referral=referral, actor=council_secretary, answer=Answer.ADOPTED, reasons_fr="Retenu."
    )
    referral.refresh_from_db()
    assert referral.status == Status.ANSWERED and referral.answer_reasons_fr == "Retenu."


def test_a_withdrawal_cancels_the_opinion_clock(
    make_referral: MakeReferral, council_secretary: User
) -> None:
    referral = make_referral(Status.WITHDRAWN)
    [opinion] = _deadlines(referral)
    assert opinion.status == DeadlineStatus.CANCELLED
    assert _events(referral)[-1].note == "طلب الرئيس"


def _act(action: str, referral: Referral, advisory: User, council: User) -> Referral:
    today = timezone.localdate()
    if action == Action.ADOPT:
        return services.opinion_adopt(
            referral=referral, actor=advisory, opinion_ar="رأي", adopted_on=today
        )
    if action == Action.TRANSMIT:
        return services.opinion_transmit(referral=referral, actor=advisory)
    if action == Action.ANSWER:
        return services.referral_answer(
            referral=referral, actor=council, answer=Answer.ADOPTED, reasons_ar="أسباب"
        )
    return services.referral_withdraw(referral=referral, actor=council, reason="سبب")


STATES = [
    (Status.REFERRED, Origin.COUNCIL),
    (Status.DRAFTING, Origin.SELF),
    (Status.ADOPTED, Origin.COUNCIL),
    (Status.TRANSMITTED, Origin.PRESIDENT),
    (Status.ANSWERED, Origin.COUNCIL),
    (Status.WITHDRAWN, Origin.COUNCIL),
]


@pytest.mark.parametrize(("status", "origin"), STATES)
@pytest.mark.parametrize("action", list(Action))
def test_every_state_and_action(
    status: str,
    origin: str,
    action: str,
    make_referral: MakeReferral,
    advisory_secretary: User,
    council_secretary: User,
) -> None:
    referral = make_referral(status, origin=origin)
    assert referral.status == status
    if TABLE.is_allowed(status, action):
        done = _act(action, referral, advisory_secretary, council_secretary)
        assert done.status == TABLE.target(status, action)
        return
    before = snapshot()
    with pytest.raises(TransitionNotAllowed):
        _act(action, referral, advisory_secretary, council_secretary)
    assert snapshot() == before


def test_each_secretariat_takes_its_own_steps(
    make_referral: MakeReferral, advisory_secretary: User, council_secretary: User
) -> None:
    referred = make_referral()
    transmitted = make_referral(Status.TRANSMITTED)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        _act(Action.ADOPT, referred, council_secretary, council_secretary)
    with pytest.raises(PermissionDenied):
        _act(Action.WITHDRAW, referred, advisory_secretary, advisory_secretary)
    with pytest.raises(PermissionDenied):
        _act(Action.ANSWER, transmitted, advisory_secretary, advisory_secretary)
    assert snapshot() == before


def test_both_clocks_reach_the_staff_inbox(
    make_referral: MakeReferral, collectivity_a: Collectivity
) -> None:
    referred = make_referral()
    transmitted = make_referral(Status.TRANSMITTED, subject="ثاني")
    duties = {d.deadline.pk: d for d in open_duty_list(collectivity=collectivity_a)}
    for referral, field in ((referred, "opinion_deadline"), (transmitted, "answer_deadline")):
        duty = duties[getattr(referral, f"{field}_id")]
        assert duty.url is not None
        assert duty.url.endswith(f"/staff/commune-a/advisory/referrals/{referral.pk}/")
        assert referral.reference in duty.title


def test_delays_are_counted_from_the_due_dates(
    make_referral: MakeReferral, advisory_secretary: User, council_secretary: User
) -> None:
    referral = make_referral()
    due = referral.opinion_due
    with time_machine.travel(
        dt.datetime.combine(due + dt.timedelta(days=4), dt.time(12)), tick=False
    ):
        today = timezone.localdate()
        assert selectors.track(referral, today=today).opinion_late == 4
        services.opinion_adopt(
            referral=referral, actor=advisory_secretary, opinion_ar="رأي", adopted_on=today
        )
        services.opinion_transmit(referral=referral, actor=advisory_secretary)
        referral.refresh_from_db()
        answer_due = referral.answer_due
    track = selectors.track(referral, today=answer_due + dt.timedelta(days=10))
    assert (track.opinion_late, track.answer_late) == (4, 10)
    with time_machine.travel(
        dt.datetime.combine(answer_due + dt.timedelta(days=2), dt.time(12)), tick=False
    ):
        services.referral_answer(
            referral=referral, actor=council_secretary, answer=Answer.PARTLY, reasons_ar="أسباب"
        )
    referral.refresh_from_db()
    # Answered two days late: the delay stays two days, whenever the page is read.
    track = selectors.track(referral, today=answer_due + dt.timedelta(days=300))
    assert (track.opinion_late, track.answer_late, track.is_late) == (4, 2, True)
