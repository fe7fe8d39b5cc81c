"""A holiday correction announced the night before a due date moves every case's due date.

The ministry announces, the day before a case falls due, that the due day is a public
holiday (`manage.py calendar_override add`). Due dates have one source, the clocks'
Deadline rows: every page, the API, the staff inbox and the sweeps show the new date at
once, and `tick` does not act on the old date — it acts after the new one, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
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
from infitah.deadlines.selectors import due_date_compute
from infitah.information import services as information
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.tests.conftest import request_input
from infitah.ledger.models import Event
from infitah.notifications.models import OutboundEmail

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
    for day in (old_due, old_due + timedelta(days=1)):
        clock.move_to(at(day))
        if day > new_due:
            break
        tick()
        assert events(request, "information.deemed_refused") == 0
        assert not InformationRequest.objects.get(pk=request.pk).is_deemed_refused()
    clock.move_to(at(new_due + timedelta(days=1)))
    tick()
    tick()
    assert events(request, "information.deemed_refused") == 1
    request = InformationRequest.objects.get(pk=request.pk)
    assert request.deemed_refused_on == new_due + timedelta(days=1)
    told = OutboundEmail.objects.filter(key__startswith=f"ati:{request.pk}:requester:deemed")
    assert told.count() == 1
