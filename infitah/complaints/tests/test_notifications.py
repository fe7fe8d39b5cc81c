"""E-mails about complaints: each stage tells the citizen and the complaints officers, once.

E-mails are rows of the outbox (`OutboundEmail`), each under an idempotency key that
names the stage (`complaint:<pk>:citizen:<stage>:…`, `complaint:<pk>:unit:<stage>:…:<to>`).
A citizen who gave only a phone number gets no e-mail: SMS instead (test_sms_notifications.py).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from infitah.accounts.models import Membership, Role, User
from infitah.complaints import notify, services
from infitah.complaints.models import Complaint
from infitah.complaints.tests.conftest import CITIZEN_EMAIL, OFFICER_EMAIL, Submit
from infitah.complaints.workflow import Outcome, Status
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
SECOND_OFFICER = "second-officer@example.test"
NOTHING_SWEPT = {"lapsed": 0, "acknowledge_overdue": 0, "answer_overdue": 0}


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture(autouse=True)
def _arabic() -> Iterator[None]:
    """Complaints submitted by the services take the active language, as in an Arabic page."""
    with translation.override("ar"):
        yield


@pytest.fixture
def officers(
    officer_a: User, staff_for: Callable[[str], User], collectivity_a: Collectivity
) -> list[User]:
    """Two complaints officers of A, and an information officer (who gets nothing)."""
    second = User.objects.create_user(email=SECOND_OFFICER, password="x-12345678")
    Membership.objects.create(
        user=second, collectivity=collectivity_a, role=Role.COMPLAINTS_OFFICER
    )
    staff_for(Role.INFORMATION_OFFICER)
    return [officer_a, second]


def _citizen_stages(complaint: Complaint, to: str = CITIZEN_EMAIL) -> list[str]:
    rows = OutboundEmail.objects.filter(to=to, key__startswith=f"complaint:{complaint.pk}:citizen:")
    return [row.key.split(":")[3] for row in rows.order_by("pk")]


def _unit_stages(complaint: Complaint, to: str = OFFICER_EMAIL) -> list[str]:
    rows = OutboundEmail.objects.filter(to=to, key__startswith=f"complaint:{complaint.pk}:unit:")
    return [row.key.split(":")[3] for row in rows.order_by("pk")]


def _confirm_path() -> str:
    """The confirmation URL up to the token."""
    with translation.override("ar"):
        return reverse("complaints:confirm", kwargs={"token": "TOKEN"}).split("TOKEN")[0]


def test_submitting_sends_only_the_confirmation_link(submit: Submit, officers: list[User]) -> None:
    complaint = submit(confirm=False)
    assert complaint.status == Status.AWAITING_CONFIRMATION
    emails = list(OutboundEmail.objects.all())
    assert [e.to for e in emails] == [CITIZEN_EMAIL]
    (email,) = emails
    assert _citizen_stages(complaint) == ["submitted"]
    assert settings.INFITAH_SITE_URL + _confirm_path() in email.body
    assert complaint.reference in email.subject
    # The tracking link is not given before the address is confirmed.
    assert notify.tracking_url(complaint) not in email.body


def test_each_stage_tells_the_citizen_and_the_officers(
    submit: Submit, officers: list[User], roads_a: object
) -> None:
    complaint = submit(confirm=False)
    services.complaint_confirm(complaint=complaint)
    assert _citizen_stages(complaint) == ["submitted", "received"]
    for officer in officers:
        assert _unit_stages(complaint, officer.email) == ["received"]
    assert not OutboundEmail.objects.filter(to=f"{Role.INFORMATION_OFFICER}@example.test")
    received = OutboundEmail.objects.get(
        key__startswith=f"complaint:{complaint.pk}:citizen:received"
    )
    complaint.refresh_from_db()
    assert notify.tracking_url(complaint) in received.body

    services.complaint_acknowledge(complaint=complaint, actor=officers[0])
    services.complaint_ask_info(complaint=complaint, actor=officers[0], text="ما رقم العمود؟")
    asked = OutboundEmail.objects.filter(to=CITIZEN_EMAIL).latest("pk")
    assert "ما رقم العمود؟" in asked.body
    services.complaint_reply(complaint=complaint, text="العمود رقم 12")
    services.complaint_answer(
        complaint=complaint, actor=officers[0], outcome=Outcome.POSITIVE, text="أُصلح العمود"
    )
    services.complaint_rate(complaint=complaint, satisfaction=2)
    services.complaint_reopen(complaint=complaint, text="انطفأ من جديد")
    services.complaint_answer(
        complaint=complaint, actor=officers[0], outcome=Outcome.POSITIVE, text="غُيّر المصباح"
    )
    services.complaint_close(complaint=complaint, actor=officers[0])
    assert _citizen_stages(complaint) == [
        "submitted",
        "received",
        "acknowledged",
        "info_requested",
        "answered",
        "answered",
    ]
    for officer in officers:
        assert _unit_stages(complaint, officer.email) == ["received", "replied", "reopened"]
    # Every e-mail names the complaint.
    for email in OutboundEmail.objects.filter(key__startswith=f"complaint:{complaint.pk}:"):
        assert complaint.reference in email.subject


def test_routing_tells_the_citizen_of_the_acknowledgement_once(
    submit: Submit, officer_a: User, roads_a: object, unit_a: object
) -> None:
    complaint = submit()
    services.complaint_route(complaint=complaint, actor=officer_a, service=roads_a)  # type: ignore[arg-type]
    services.complaint_route(complaint=complaint, actor=officer_a, service=unit_a)  # type: ignore[arg-type]
    assert _citizen_stages(complaint) == ["submitted", "received", "acknowledged"]


def test_a_merged_citizen_is_told(submit: Submit, officer_a: User) -> None:
    kept = submit()
    duplicate = submit(email="omar@example.test")
    services.complaint_merge(complaint=duplicate, actor=officer_a, into=kept)
    assert _citizen_stages(duplicate, "omar@example.test") == ["submitted", "received", "merged"]
    services.complaint_answer(
        complaint=kept, actor=officer_a, outcome=Outcome.POSITIVE, text="تم الإصلاح"
    )
    assert _citizen_stages(duplicate, "omar@example.test")[-1] == "merged_answered"


def test_no_email_to_a_citizen_who_gave_only_a_phone(submit: Submit, officers: list[User]) -> None:
    complaint = submit(confirm=False, email="", phone="0612345678")
    assert complaint.status == Status.RECEIVED
    officer = officers[0]
    services.complaint_ask_info(complaint=complaint, actor=officer, text="أين؟")
    services.complaint_reply(complaint=complaint, text="هنا")
    services.complaint_answer(
        complaint=complaint, actor=officer, outcome=Outcome.NEGATIVE, text="لا"
    )
    services.complaint_reopen(complaint=complaint, text="لماذا؟")
    citizen_rows = OutboundEmail.objects.filter(key__contains=":citizen:")
    assert not citizen_rows.exists()
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {o.email for o in officers}
    assert _unit_stages(complaint) == ["received", "replied", "reopened"]


def test_queueing_a_stage_again_adds_nothing(submit: Submit, officers: list[User]) -> None:
    complaint = submit()
    before = OutboundEmail.objects.count()
    assert notify.citizen(complaint, "received") is False
    assert notify.unit(complaint, "received") == 0
    assert OutboundEmail.objects.count() == before


def test_unconfirmed_complaints_lapse_silently_once(submit: Submit, officers: list[User]) -> None:
    complaint = submit(confirm=False)
    fresh = submit(confirm=False, email="fresh@example.test")
    days = settings.INFITAH_ATI_CONFIRM_DAYS
    Complaint.objects.filter(pk=fresh.pk).update(
        submitted_at=timezone.now() + dt.timedelta(days=days)
    )
    with time_machine.travel(MONDAY + dt.timedelta(days=days) - dt.timedelta(minutes=1)):
        assert services.complaints_sweep() == NOTHING_SWEPT
    emails = OutboundEmail.objects.count()
    with time_machine.travel(MONDAY + dt.timedelta(days=days, minutes=1)):
        assert services.complaints_sweep() == {**NOTHING_SWEPT, "lapsed": 1}
        assert services.complaints_sweep() == NOTHING_SWEPT
        call_command("tick", stdout=io.StringIO())
    complaint.refresh_from_db()
    fresh.refresh_from_db()
    assert (complaint.status, fresh.status) == (Status.LAPSED, Status.AWAITING_CONFIRMATION)
    assert OutboundEmail.objects.count() == emails
    with pytest.raises(services.TransitionNotAllowed):
        services.complaint_confirm(complaint=complaint)


def test_the_tick_lapses_complaints_and_adds_no_email_on_a_rerun(
    submit: Submit, officers: list[User]
) -> None:
    complaint = submit(confirm=False)
    with time_machine.travel(MONDAY + dt.timedelta(days=30)):
        call_command("tick", stdout=io.StringIO())
        emails = OutboundEmail.objects.count()
        call_command("tick", stdout=io.StringIO())
        assert OutboundEmail.objects.count() == emails
    complaint.refresh_from_db()
    assert complaint.status == Status.LAPSED
