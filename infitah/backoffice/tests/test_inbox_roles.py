"""The inbox shows each role only the duties it can open, titled in the page's language."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
import time_machine

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation

from infitah.accounts.models import Role, User
from infitah.complaints.models import ComplaintSettings
from infitah.complaints.services import complaint_confirm, complaint_submit
from infitah.complaints.tests.conftest import complaint_input
from infitah.correspondence.models import ServiceUnit
from infitah.information.models import InformationSettings
from infitah.information.services import request_confirm, request_file
from infitah.information.tests.conftest import request_input
from infitah.territories.models import Collectivity

INBOX = "/fr/staff/commune-a/"
ROW = re.compile(r"<tr(?: class=\"overdue\")?>(.*?)</tr>", re.S)
HREF = re.compile(r'href="([^"]+)"')


@pytest.fixture
def cases(collectivity_a: Collectivity) -> Callable[[int], None]:
    """Open `n` complaints and `n` access-to-information requests in A, in Arabic."""
    unit = ServiceUnit.objects.create(collectivity=collectivity_a, name_ar="م", name_fr="S")
    ComplaintSettings.objects.create(collectivity=collectivity_a, complaints_unit=unit)
    InformationSettings.objects.create(collectivity=collectivity_a, cndp_authorisation="A-1/2026")

    def make(n: int) -> None:
        with translation.override("ar"):
            for _ in range(n):
                complaint, _token = complaint_submit(
                    collectivity=collectivity_a, data=complaint_input(), files=None, language="ar"
                )
                complaint_confirm(complaint=complaint)
                request, _token = request_file(collectivity=collectivity_a, data=request_input())
                request_confirm(request=request)

    return make


def _rows(client: Client, url: str = INBOX) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return ROW.findall(response.content.decode())[1:]  # without the header row


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.PUBLICATION_EDITOR, 0),
        (Role.COMPLAINTS_OFFICER, 2),  # acknowledge + answer
        (Role.INFORMATION_OFFICER, 1),  # answer
        (Role.ADMIN, 3),
    ],
)
def test_each_role_sees_only_the_duties_it_can_open(
    cases: Callable[[int], None], staff_for: Callable[[str], User], role: str, expected: int
) -> None:
    cases(1)
    client = _client(staff_for(role))
    rows = _rows(client)
    assert len(rows) == expected
    for row in rows:
        (link,) = HREF.findall(row)
        assert client.get(link, follow=True).status_code == 200, link


@pytest.mark.django_db
def test_titles_follow_the_page_language(cases: Callable[[int], None], staff_a: User) -> None:
    cases(1)
    client = _client(staff_a)
    french = "".join(_rows(client))
    assert not re.search("[\u0600-\u06ff]", french), french
    assert "Répondre à la réclamation" in french and "Répondre à la demande" in french
    arabic = "".join(_rows(client, "/ar/staff/commune-a/"))
    assert "الجواب عن الشكاية" in arabic


@pytest.mark.django_db
def test_rows_show_the_limit_name_not_its_code(cases: Callable[[int], None], staff_a: User) -> None:
    cases(1)
    for row in _rows(_client(staff_a)):
        visible = re.sub(r"<code[^>]*>.*?</code>", "", row, flags=re.S)
        visible = re.sub(r"<[^>]+>", " ", visible)
        assert not re.search(r"\b[a-z_]+\.[a-z_.]+\b", visible), visible


@pytest.mark.django_db
def test_inbox_query_count_does_not_grow_with_cases(
    cases: Callable[[int], None], staff_a: User
) -> None:
    client = _client(staff_a)
    cases(1)
    with CaptureQueriesContext(connection) as few:
        _rows(client)
    cases(5)
    with CaptureQueriesContext(connection) as many:
        assert len(_rows(client)) == 18
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "december"), [("ar", "دجنبر"), ("fr", "décembre")])
def test_due_dates_are_written_as_the_language_writes_them(
    cases: Callable[[int], None], staff_for: Callable[[str], User], lang: str, december: str
) -> None:
    """Not 2026-12-21: the day, the month's name (Moroccan in Arabic), the year; the ISO
    date stays machine-readable in <time datetime>."""
    with time_machine.travel("2026-12-01 10:00 +01:00", tick=False):
        cases(1)
        rows = _rows(_client(staff_for(Role.ADMIN)), f"/{lang}/staff/commune-a/")
    assert rows
    months = set()
    for row in rows:
        shown = re.search(r'<time datetime="(\d{4}-\d{2}-\d{2})">([^<]+)</time>', row)
        assert shown is not None, row
        iso, text = shown.groups()
        with translation.override(lang):
            assert text == formats.date_format(dt.date.fromisoformat(iso), "DATE_FORMAT")
        months.add(iso[5:7])
        if iso[5:7] == "12":
            assert december in text
    assert "12" in months  # the acknowledgement falls in December
