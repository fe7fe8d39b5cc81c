"""E-mails of access to information: each stage tells the requester and the officers, once.

E-mails are rows of the outbox (`OutboundEmail`), each under an idempotency key that
names the stage (`ati:<pk>:requester:<stage>:…`, `ati:<pk>:staff:<stage>:…:<to>`,
`ati:reminder:<deadline>:<days>:<to>`); the tasks backend is immediate in tests, so
`django.core.mail.outbox` holds what was delivered.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine

from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from infitah.accounts.models import Membership, Role, User
from infitah.deadlines.models import Deadline, DeadlineStatus
from infitah.deadlines.selectors import calendar_get
from infitah.deadlines.workdays import is_working_day
from infitah.information import services
from infitah.information.models import InformationRequest
from infitah.information.tests.conftest import request_input
from infitah.information.workflow import Status
from infitah.ledger.models import Event
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

CASABLANCA = ZoneInfo("Africa/Casablanca")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CASABLANCA)
REQUESTER = "fatima@example.test"
OFFICER = f"{Role.INFORMATION_OFFICER}@example.test"
HEAD = f"{Role.ADMIN}@example.test"

FileRequest = Callable[..., tuple[InformationRequest, str]]


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=True):
        yield


@pytest.fixture(autouse=True)
def _arabic() -> Iterator[None]:
    """Requests filed by the services take the active language, as in an Arabic page."""
    with translation.override("ar"):
        yield


@pytest.fixture
def officers(officer_a: User, head_a: User, collectivity_a: Collectivity) -> list[User]:
    """Two information officers of A (and the head, who is no officer)."""
    second = User.objects.create_user(email="second-officer@example.test", password="x-12345678")
    Membership.objects.create(
        user=second, collectivity=collectivity_a, role=Role.INFORMATION_OFFICER
    )
    return [officer_a, second]


def _stages(to: str, request: InformationRequest | None = None) -> list[str]:
    """The stages of the e-mails to `to` (about `request`), in the order they were queued."""
    rows = OutboundEmail.objects.filter(to=to).order_by("pk")
    if request is not None:
        rows = rows.filter(key__startswith=f"ati:{request.pk}:")
    return [row.key.split(":")[3] for row in rows]


def _reminders(to: str | None = None) -> list[tuple[int, int, str, dt.date]]:
    """(deadline pk, threshold, recipient, local day queued) of every reminder."""
    found = []
    for row in OutboundEmail.objects.filter(key__startswith="ati:reminder:").order_by("pk"):
        _, _, deadline, days, recipient = row.key.split(":", 4)
        if to is None or recipient == to:
            found.append((int(deadline), int(days), recipient, timezone.localdate(row.created_at)))
    return found


def _link(body: str, kind: str) -> str:
    match = re.search(rf"https?://\S+/information/{kind}/[\w-]+/", body)
    assert match is not None, body
    return urlparse(match.group(0)).path


def _at(day: dt.date, hour: int = 9) -> Any:
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(hour), tzinfo=CASABLANCA), tick=False
    )


def _working_days_left(day: dt.date, due: dt.date) -> int:
    calendar = calendar_get()
    count = 0
    while day < due:
        day += dt.timedelta(days=1)
        count += is_working_day(day, calendar)
    return count


# ------------------------------------------------------------------------ each stage


def test_filing_sends_only_the_confirmation_link(accepting_a, officers):
    response = Client().post(
        "/ar/c/commune-a/information/request/",
        {
            "requester_type": "citizen",
            "first_name": "Fatima",
            "last_name": "Zahra",
            "id_type": "cin",
            "id_number": "ZX987654",
            "address": "12 rue des Orangers",
            "email": REQUESTER,
            "subject": "Budget 2026",
            "description": "Le budget 2026.",
            "delivery": "email",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert _stages(REQUESTER) == ["filed"]
    assert _stages(OFFICER) == []  # officers hear of it once it is received
    email = OutboundEmail.objects.get()
    confirm = _link(email.body, "confirm")
    assert request.reference in email.subject
    # The confirmation secret travels only by e-mail: not on the tracking page.
    tracking = Client().get(response["Location"]).content.decode()
    assert confirm.split("/")[-2] not in tracking
    assert confirm.split("/")[-2] not in response["Location"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [REQUESTER]
    assert OutboundEmail.objects.get().status == EmailStatus.SENT


def test_confirmation_tells_the_requester_and_every_officer(file_request, officers):
    request, token = file_request()
    assert _stages(REQUESTER) == ["filed", "received"]
    received = OutboundEmail.objects.get(to=REQUESTER, key__contains=":received:")
    assert _link(received.body, "track") == f"/ar/information/track/{token}/"
    assert request.reference in received.subject
    for officer in officers:
        assert _stages(officer.email) == ["received"]
        staff = OutboundEmail.objects.get(to=officer.email)
        assert f"/ar/staff/commune-a/information/{request.reference}/" in staff.body
    assert _stages(HEAD) == []
    assert len(mail.outbox) == OutboundEmail.objects.count() == 4


def test_each_stage_of_a_refusal_and_complaint(file_request, officers, head_a):
    request, _ = file_request()
    services.request_clarify(request=request, actor=officers[0], text="Quelle année ?")
    clarification = OutboundEmail.objects.get(to=REQUESTER, key__contains=":clarification:")
    assert "Quelle année ?" in clarification.body
    services.request_reply(request=request, text="2026.")
    services.request_extend(request=request, actor=officers[0], reasons="Archives lointaines.")
    extended = OutboundEmail.objects.get(to=REQUESTER, key__contains=":extended:")
    assert "Archives lointaines." in extended.body
    services.request_refuse(
        request=request, actor=officers[0], reasons=["not_held"], reasoning="Non détenue."
    )
    services.request_complain(request=request, text="Elle est détenue.")
    services.request_decide_complaint(
        request=request, actor=head_a, decision="rejected", text="La réponse est maintenue."
    )
    assert _stages(REQUESTER) == [
        "filed",
        "received",
        "clarification",
        "extended",
        "refused",
        "complaint_received",
        "complaint_decided",
    ]
    for officer in officers:
        assert _stages(officer.email) == ["received", "clarified", "complaint"]
    assert _stages(HEAD) == ["complaint"]  # the head hears of the complaint
    assert len(mail.outbox) == OutboundEmail.objects.count()


def test_two_clarifications_send_two_emails(file_request, officers):
    request, _ = file_request()
    for question in ("Quelle année ?", "Quel budget ?"):
        services.request_clarify(request=request, actor=officers[0], text=question)
        services.request_reply(request=request, text="Réponse.")
    assert _stages(REQUESTER).count("clarification") == 2
    assert _stages(officers[0].email).count("clarified") == 2


@pytest.mark.parametrize(("partial", "stage"), [(False, "answered"), (True, "answered_partly")])
def test_an_answer_tells_the_requester(partial, stage, file_request, officers):
    request, token = file_request()
    services.request_answer(request=request, actor=officers[0], text="Voici.", partial=partial)
    assert _stages(REQUESTER) == ["filed", "received", stage]
    email = OutboundEmail.objects.get(to=REQUESTER, key__contains=f":{stage}:")
    assert _link(email.body, "track") == f"/ar/information/track/{token}/"
    assert _stages(officers[0].email) == ["received"]


def test_a_withdrawal_tells_the_officers(file_request, officers):
    request, _ = file_request()
    services.request_withdraw(request=request, text="Plus besoin.")
    for officer in officers:
        assert _stages(officer.email) == ["received", "withdrawn"]
    assert _stages(REQUESTER) == ["filed", "received"]


def test_a_transfer_gives_the_requester_the_new_link(
    file_request, officers, collectivity_b, accepting_b, charlie
):
    info_b = User.objects.create_user(email="officer-b@example.test", password="x-12345678")
    Membership.objects.create(
        user=info_b, collectivity=collectivity_b, role=Role.INFORMATION_OFFICER
    )
    request, old_token = file_request()
    services.request_transfer(
        request=request, actor=officers[0], to=collectivity_b, note="Compétence de B."
    )
    new = InformationRequest.objects.get(collectivity=collectivity_b)
    assert _stages(REQUESTER, request) == ["filed", "received", "transferred"]
    assert _stages(REQUESTER, new) == ["received"]
    transferred = OutboundEmail.objects.get(to=REQUESTER, key__contains=":transferred:")
    assert "Compétence de B." in transferred.body
    new_link = _link(
        OutboundEmail.objects.get(key__startswith=f"ati:{new.pk}:requester:received").body,
        "track",
    )
    assert new_link != f"/ar/information/track/{old_token}/"
    assert Client().get(new_link).context["req"] == new
    assert _stages(info_b.email) == ["received"]
    assert _stages("charlie@example.test") == []  # B's admin is no officer


def test_deemed_refusal_is_told_once_whatever_the_number_of_sweeps(file_request, officers):
    request, _ = file_request()
    assert request.due_date is not None
    with _at(request.due_date, hour=20):
        services.requests_sweep()
    assert "deemed_refused" not in _stages(REQUESTER)
    day_after = request.due_date + dt.timedelta(days=1)
    with _at(day_after):
        for _ in range(5):
            services.requests_sweep()
            call_command("tick", stdout=io.StringIO())
    with _at(day_after + dt.timedelta(days=3)):
        services.requests_sweep()
    assert _stages(REQUESTER).count("deemed_refused") == 1
    assert Event.objects.filter(action="information.deemed_refused").count() == 1
    request.refresh_from_db()
    assert request.deemed_refused_on == day_after
    assert request.status == Status.IN_PROGRESS
    email = OutboundEmail.objects.get(key__contains=":deemed_refused:")
    assert "/information/track/" in email.body


def test_emails_follow_the_language_of_the_request(accepting_a, officers):
    response = Client().post(
        "/fr/c/commune-a/information/request/",
        {
            "requester_type": "foreign_resident",
            "first_name": "Jeanne",
            "last_name": "Martin",
            "id_type": "residence_card",
            "id_number": "QR1234567",
            "address": "3 avenue Hassan II",
            "email": "jeanne@example.test",
            "subject": "Budget 2026",
            "description": "Le budget 2026.",
            "delivery": "email",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    request = InformationRequest.objects.get()
    assert request.language == "fr"
    filed = OutboundEmail.objects.get(to="jeanne@example.test")
    confirm = _link(filed.body, "confirm")
    assert confirm.startswith("/fr/")
    assert Client().post(confirm).status_code == 302
    received = OutboundEmail.objects.get(to="jeanne@example.test", key__contains=":received:")
    assert _link(received.body, "track").startswith("/fr/")
    # Officers read Arabic links to their staff pages.
    staff = OutboundEmail.objects.get(to=officers[0].email)
    assert "/ar/staff/commune-a/information/" in staff.body


# ------------------------------------------------------------------------- reminders


def test_reminders_5_and_1_working_days_before_once_per_officer(file_request, officers, head_a):
    """Every day from the receipt to past the due date, the tick runs several times."""
    request, _ = file_request()
    closed, _ = file_request(email="other@example.test")
    due = request.due_date
    assert due is not None and closed.due_date == due
    deadline = Deadline.objects.get(subject_id=str(request.pk), status=DeadlineStatus.OPEN)
    closed_deadline = Deadline.objects.get(subject_id=str(closed.pk), status=DeadlineStatus.OPEN)
    five_days_before = next(
        MONDAY.date() + dt.timedelta(days=n)
        for n in range(60)
        if _working_days_left(MONDAY.date() + dt.timedelta(days=n), due) <= 5
    )
    one_day_before = next(
        MONDAY.date() + dt.timedelta(days=n)
        for n in range(60)
        if _working_days_left(MONDAY.date() + dt.timedelta(days=n), due) <= 1
    )
    assert five_days_before < one_day_before < due
    day = MONDAY.date()
    while day <= due + dt.timedelta(days=4):
        with _at(day):
            if day == five_days_before + dt.timedelta(days=1):
                # Closed after its 5-day reminder: no more reminders for it.
                services.request_answer(request=closed, actor=officers[0], text="Voici.")
            for _ in range(3):
                services.requests_sweep()
            call_command("tick", stdout=io.StringIO())
        with _at(day, hour=17):
            services.requests_sweep()
        day += dt.timedelta(days=1)

    for officer in officers:
        mine = [(d, days, on) for d, days, _to, on in _reminders(officer.email)]
        assert mine == [
            (deadline.pk, 5, five_days_before),
            (closed_deadline.pk, 5, five_days_before),
            (deadline.pk, 1, one_day_before),
        ] or mine == [
            (closed_deadline.pk, 5, five_days_before),
            (deadline.pk, 5, five_days_before),
            (deadline.pk, 1, one_day_before),
        ]
    assert _reminders(head_a.email) == []  # the answer is the officers' duty
    assert _reminders(REQUESTER) == []
    counts = Counter((d, days, to) for d, days, to, _on in _reminders())
    assert set(counts.values()) == {1}
    reminder = OutboundEmail.objects.filter(key__startswith=f"ati:reminder:{deadline.pk}:1:")[0]
    assert request.reference in reminder.subject
    assert f"/ar/staff/commune-a/information/{request.reference}/" in reminder.body


def test_running_the_tick_ten_times_a_day_adds_no_email(file_request, officers):
    request, _ = file_request()
    assert request.due_date is not None
    for day in (
        request.due_date - dt.timedelta(days=7),
        request.due_date - dt.timedelta(days=1),
        request.due_date + dt.timedelta(days=1),
    ):
        with _at(day):
            call_command("tick", stdout=io.StringIO())
            emails = OutboundEmail.objects.count()
            delivered = len(mail.outbox)
            for _ in range(10):
                call_command("tick", stdout=io.StringIO())
                services.requests_sweep()
            assert OutboundEmail.objects.count() == emails
            assert len(mail.outbox) == delivered


def test_the_heads_deadline_is_reminded_to_the_head_too(file_request, officers, head_a):
    request, _ = file_request()
    services.request_refuse(
        request=request, actor=officers[0], reasons=["unclear"], reasoning="Imprécise."
    )
    services.request_complain(request=request, text="Elle est claire.")
    request.refresh_from_db()
    assert request.complaint_due_date is not None
    day = timezone.localdate()
    while day <= request.complaint_due_date + dt.timedelta(days=2):
        with _at(day):
            services.requests_sweep()
        day += dt.timedelta(days=1)
    head = Deadline.objects.get(limit__code="ati.head_answer")
    for to in (head_a.email, *(o.email for o in officers)):
        assert [(d, days) for d, days, _to, _on in _reminders(to)] == [(head.pk, 5), (head.pk, 1)]


def test_an_extension_gets_its_own_reminders_and_a_closed_request_none(file_request, officers):
    request, _ = file_request()
    due = request.due_date
    assert due is not None
    day = timezone.localdate()
    while day < due:
        with _at(day):
            services.requests_sweep()
        day += dt.timedelta(days=1)
    with _at(due - dt.timedelta(days=1)):
        services.request_extend(request=request, actor=officers[0], reasons="Volumineux.")
    request.refresh_from_db()
    assert request.due_date is not None and request.due_date > due
    first, second = Deadline.objects.filter(subject_id=str(request.pk)).order_by("pk")
    while day <= request.due_date:
        with _at(day):
            services.requests_sweep()
        day += dt.timedelta(days=1)
    with _at(request.due_date):
        services.request_answer(request=request, actor=officers[0], text="Voici.")
    before = len(_reminders())
    day = request.due_date
    for _ in range(10):
        day += dt.timedelta(days=1)
        with _at(day):
            services.requests_sweep()
    assert len(_reminders()) == before
    got = Counter((d, days) for d, days, to, _on in _reminders(officers[0].email))
    assert got == {(first.pk, 5): 1, (first.pk, 1): 1, (second.pk, 5): 1, (second.pk, 1): 1}


def test_a_request_filed_outside_a_page_keeps_a_language_of_the_site(collectivity_a, accepting_a):
    with translation.override("en"):
        request, token = services.request_file(collectivity=collectivity_a, data=request_input())
    assert request.language in {"ar", "fr"}
    confirm = _link(OutboundEmail.objects.get().body, "confirm")
    assert Client().get(confirm).status_code == 200
    assert Client().get(f"/{request.language}/information/track/{token}/").status_code == 200


# ---------------------------------------------------------------------------- lapsing


def test_an_unconfirmed_request_lapses_after_the_confirmation_days(
    file_request, officers, settings
):
    settings.INFITAH_ATI_CONFIRM_DAYS = 3
    request, _ = file_request(confirm=False)
    confirm_email = OutboundEmail.objects.get(to=REQUESTER)
    with time_machine.travel(MONDAY + dt.timedelta(days=3, minutes=-1), tick=False):
        assert services.requests_sweep()["lapsed"] == 0
    assert request.status == Status.AWAITING_CONFIRMATION
    with time_machine.travel(MONDAY + dt.timedelta(days=3, minutes=1), tick=False):
        assert services.requests_sweep()["lapsed"] == 1
        assert services.requests_sweep()["lapsed"] == 0
        call_command("tick", stdout=io.StringIO())
        request.refresh_from_db()
        assert request.status == Status.LAPSED
        # The old link no longer makes it received.
        Client().post(_link(confirm_email.body, "confirm"))
    request.refresh_from_db()
    assert request.status == Status.LAPSED and request.received_on is None
    assert Event.objects.filter(action="information.lapse").count() == 1
    assert _stages(REQUESTER) == ["filed"]
    assert all(_stages(o.email) == [] for o in officers)
    assert not Deadline.objects.exists()


def test_the_default_confirmation_period_is_a_week(file_request, settings):
    assert settings.INFITAH_ATI_CONFIRM_DAYS == 7
    request, _ = file_request(confirm=False)
    with time_machine.travel(MONDAY + dt.timedelta(days=6), tick=False):
        services.requests_sweep()
    assert InformationRequest.objects.get(pk=request.pk).status == Status.AWAITING_CONFIRMATION
    with time_machine.travel(MONDAY + dt.timedelta(days=7, seconds=1), tick=False):
        services.requests_sweep()
    assert InformationRequest.objects.get(pk=request.pk).status == Status.LAPSED
