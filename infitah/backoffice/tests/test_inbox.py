"""The staff inbox lists every open legal duty of the collectivity, soonest due first."""

import datetime as dt

import pytest
import time_machine

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infitah.accounts.models import Role
from infitah.deadlines.duty_kinds import register_duty_kind, unregister_duty_kind
from infitah.deadlines.services import deadline_close, deadline_open


@pytest.fixture
def duty_kind():
    register_duty_kind("accounts.user", url=lambda d: f"/case/{d.subject_id}/", label="Test case")
    yield
    unregister_duty_kind("accounts.user")


def _open(collectivity, subject, start: dt.date, label: str, limit: str = "ati.answer"):
    return deadline_open(
        collectivity=collectivity,
        subject=subject,
        limit_code=limit,
        start=start,
        label=label,
        process="test",
    )


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False)
def test_inbox_orders_by_due_date_and_marks_overdue(
    duty_kind, staff_a, charlie, citizen, collectivity_a, collectivity_b
) -> None:
    _open(collectivity_a, citizen, dt.date(2026, 5, 20), "Later request")
    _open(collectivity_a, staff_a, dt.date(2026, 4, 1), "Overdue request")
    closed = _open(collectivity_a, charlie, dt.date(2026, 4, 2), "Answered request")
    deadline_close(deadline=closed, status="met", process="test")
    _open(collectivity_b, citizen, dt.date(2026, 5, 1), "Request of B")

    client = Client()
    client.force_login(staff_a)
    html = client.get("/fr/staff/commune-a/").content.decode()
    assert html.index("Overdue request") < html.index("Later request")
    assert "Answered request" not in html and "Request of B" not in html
    assert 'class="overdue"' in html
    assert f'href="/case/{citizen.pk}/"' in html


@pytest.mark.django_db
def test_inbox_query_count_is_constant(duty_kind, staff_a, collectivity_a, citizen) -> None:
    client = Client()
    client.force_login(staff_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/fr/staff/commune-a/").status_code == 200
        return len(ctx.captured_queries)

    _open(collectivity_a, citizen, dt.date(2026, 5, 20), "one")
    few = count()
    for i in range(20):
        _open(collectivity_a, citizen, dt.date(2026, 5, 1) + dt.timedelta(days=i), f"n{i}")
    assert count() == few


@pytest.mark.django_db
def test_roles_without_inbox_see_no_inbox(staff_for, collectivity_a) -> None:
    member = staff_for(Role.COUNCIL_MEMBER)
    client = Client()
    client.force_login(member)
    response = client.get("/fr/staff/commune-a/")
    assert response.status_code == 200
    assert 'id="inbox"' not in response.content.decode()
