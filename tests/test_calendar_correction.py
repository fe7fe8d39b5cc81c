"""A holiday correction announced the night before a due date moves every case's due date.

The ministry announces, the day before a case falls due, that the due day is a public
holiday (`manage.py calendar_override add`). Due dates have one source, the clocks'
Deadline rows: every page, the API, the staff inbox and the sweeps show the new date at
once, and `tick` does not act on the old date — it acts after the new one, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from functools import partial
from io import StringIO
from typing import Any

import pytest
import time_machine

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from infitah.accounts.models import Role, User
from infitah.complaints import services as complaints
from infitah.complaints.models import Complaint
from infitah.deadlines.selectors import due_date_compute
from infitah.information import services as information
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.tests.conftest import request_input
from infitah.ledger.models import Event
from infitah.lib.pii import pii_decrypt
from infitah.notifications.models import OutboundEmail
from infitah.petitions import services as petitions
from infitah.petitions.models import Petition
from infitah.petitions.tests.conftest import petition_input

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)  # a Monday


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(at(START), tick=False) as traveller:
        yield traveller


def announce_holiday(day: date) -> None:
    """The night before: the day is declared a public holiday, on the command line."""
    call_command(
        "calendar_override",
        "add",
        day.isoformat(),
        "--name-ar",
        "عطلة استثنائية",
        "--name-fr",
        "Congé exceptionnel",
        "--reason",
        "Communiqué du chef du gouvernement",
        "--reference",
        "CG 7/2026",
        stdout=StringIO(),
    )


def tick() -> None:
    call_command("tick", stdout=StringIO())


def shown(day: date, language: str) -> str:
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def short(day: date, language: str) -> str:
    with translation.override(language):
        return date_format(day, "SHORT_DATE_FORMAT")


def page(client: Client, language: str, name: str, **kwargs: Any) -> str:
    with translation.override(language):
        path = reverse(name, kwargs=kwargs)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def events(case: Any, action: str) -> int:
    return Event.objects.for_object(case).filter(action=action).count()


def test_an_information_request_follows_the_correction(
    clock, collectivity_a, staff_for: Callable[[str], User]
):
    InformationSettings.objects.create(collectivity=collectivity_a, cndp_authorisation="A-1/2026")
    officer = staff_for(Role.INFORMATION_OFFICER)
    request, token = information.request_file(collectivity=collectivity_a, data=request_input())
    information.request_confirm(request=request)
    old_due = InformationRequest.objects.get(pk=request.pk).due_date
    assert old_due == due_date_compute(start=START, limit="ati.answer").due_date

    clock.move_to(at(old_due - timedelta(days=1)))
    announce_holiday(old_due)
    request = InformationRequest.objects.get(pk=request.pk)
    new_due = request.due_date
    assert new_due is not None and new_due > old_due
    assert new_due == due_date_compute(start=START, limit="ati.answer").due_date

    client = Client()
    track = page(client, "ar", "information:track", token=token)
    assert shown(new_due, "ar") in track and shown(old_due, "ar") not in track
    public = page(client, "fr", "information:register-detail", reference=request.reference)
    assert shown(new_due, "fr") in public and shown(old_due, "fr") not in public
    api = client.get(f"/api/v1/information-requests/{request.reference}").json()
    assert api["due_date"] == new_due.isoformat() and api["is_deemed_refused"] is False
    slug = collectivity_a.slug
    client.force_login(officer)
    inbox = page(client, "ar", "backoffice:home", slug=slug)
    assert new_due.isoformat() in inbox and old_due.isoformat() not in inbox
    detail = page(client, "fr", "information-staff:detail", slug=slug, reference=request.reference)
    assert shown(new_due, "fr") in detail and shown(old_due, "fr") not in detail
    listed = page(client, "fr", "information-staff:list", slug=slug)
    assert short(new_due, "fr") in listed and short(old_due, "fr") not in listed
    client.logout()

    # The day after the old due date: under the old calendar it would be deemed refused.
    move_past(clock, old_due, new_due, lambda: events(request, "information.deemed_refused"))
    request = InformationRequest.objects.get(pk=request.pk)
    assert request.deemed_refused_on == new_due + timedelta(days=1)
    told = OutboundEmail.objects.filter(key__startswith=f"ati:{request.pk}:requester:deemed")
    assert told.count() == 1


def move_past(clock: Any, old: date, new: date, overdue: Callable[[], int]) -> None:
    """Tick on the old due date and the day after (up to the new due date): nothing is
    overdue; tick twice the day after the new due date: it is, once."""
    for day in (old, old + timedelta(days=1)):
        if day > new:
            break
        clock.move_to(at(day))
        tick()
        assert overdue() == 0
    clock.move_to(at(new + timedelta(days=1)))
    tick()
    tick()
    assert overdue() == 1


def test_a_complaint_follows_the_correction_on_both_clocks(
    clock, collectivity_a, staff_for: Callable[[str], User]
):
    officer = staff_for(Role.COMPLAINTS_OFFICER)
    complaint, token = complaints.complaint_submit(
        collectivity=collectivity_a,
        data=complaints.ComplaintInput(
            kind="complaint",
            description="Éclairage public en panne rue 12.",
            name="Karim",
            phone="0612345678",
        ),
    )
    slug, reference = collectivity_a.slug, complaint.reference
    client = Client()

    def check(old: date, new: date, field: str) -> None:
        found = Complaint.objects.get(pk=complaint.pk)
        assert getattr(found, field) == new
        track = page(client, "ar", "complaints:track", token=token)
        assert shown(new, "ar") in track and shown(old, "ar") not in track
        api = client.get(f"/api/v1/complaints/{reference}").json()
        assert api[field] == new.isoformat()
        client.force_login(officer)
        inbox = page(client, "ar", "backoffice:home", slug=slug)
        assert new.isoformat() in inbox and old.isoformat() not in inbox
        detail = page(client, "fr", "complaints-staff:detail", slug=slug, reference=reference)
        assert shown(new, "fr") in detail and shown(old, "fr") not in detail
        listed = page(client, "fr", "complaints-staff:list", slug=slug)
        assert short(new, "fr") in listed and short(old, "fr") not in listed
        client.logout()

    for field, limit, event in (
        ("acknowledge_by", "complaint.acknowledge", "complaints.acknowledge_overdue"),
        ("answer_by", "complaint.answer", "complaints.answer_overdue"),
    ):
        old_due = getattr(Complaint.objects.get(pk=complaint.pk), field)
        assert old_due == due_date_compute(start=START, limit=limit).due_date
        clock.move_to(at(old_due - timedelta(days=1)))
        announce_holiday(old_due)
        new_due = due_date_compute(start=START, limit=limit).due_date
        assert new_due > old_due
        check(old_due, new_due, field)
        move_past(clock, old_due, new_due, partial(events, complaint, event))
    told = OutboundEmail.objects.filter(key__contains=f"complaint:{complaint.pk}:unit:")
    assert told.filter(key__contains="acknowledge_overdue").count() == 1
    assert told.filter(key__contains="answer_overdue").count() == 1


def test_a_petition_follows_the_correction_on_its_decision_clock(
    clock, collectivity_a, staff_for: Callable[[str], User]
):
    bureau = staff_for(Role.PETITIONS_BUREAU)
    petition = petitions.petition_register_paper(
        collectivity=collectivity_a, data=petition_input(), actor=bureau, lodged_on=START
    )
    limit = f"petition.decision.{petition.level}"
    old_due = Petition.objects.get(pk=petition.pk).decision_due
    assert old_due == due_date_compute(start=START, limit=limit).due_date

    clock.move_to(at(old_due - timedelta(days=1)))
    announce_holiday(old_due)
    new_due = due_date_compute(start=START, limit=limit).due_date
    assert new_due > old_due
    assert Petition.objects.get(pk=petition.pk).decision_due == new_due

    client = Client()
    slug = collectivity_a.slug
    public = page(client, "fr", "petitions:detail", slug=slug, pk=petition.pk)
    assert shown(new_due, "fr") in public and shown(old_due, "fr") not in public
    token = pii_decrypt(Petition.objects.get(pk=petition.pk).manage_token_encrypted)
    managed = page(client, "ar", "petitions:manage", token=token)
    assert shown(new_due, "ar") in managed and shown(old_due, "ar") not in managed
    api = client.get(f"/api/v1/petitions/{petition.pk}").json()
    assert api["decision_due"] == new_due.isoformat()
    client.force_login(bureau)
    inbox = page(client, "ar", "backoffice:home", slug=slug)
    assert new_due.isoformat() in inbox and old_due.isoformat() not in inbox
    detail = page(client, "fr", "petitions-staff:detail", slug=slug, pk=petition.pk)
    assert shown(new_due, "fr") in detail and shown(old_due, "fr") not in detail
    listed = page(client, "fr", "petitions-staff:list", slug=slug)
    assert short(new_due, "fr") in listed and short(old_due, "fr") not in listed
    client.logout()

    move_past(clock, old_due, new_due, lambda: events(petition, "petitions.decision_overdue"))
    told = OutboundEmail.objects.filter(key__startswith=f"petition:{petition.pk}:")
    assert told.filter(key__contains=":agent:decision_overdue:").count() == 1
    assert told.filter(key__contains=":bureau:decision_overdue:").count() == 1
