"""Isolation: nobody without `Perm.CORRESPONDENCE_REGISTER` in A sees anything of A's
register — not charlie (admin of B), not a citizen, not the network administrator, not a
staff member of A whose role does not register letters. 404 everywhere, GET and POST,
whatever the other parts of the URL; the API answers 404 too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from django.test import Client
from django.urls import URLPattern

from infitah.accounts.models import Role
from infitah.accounts.services import api_token_create
from infitah.correspondence import staff_urls
from infitah.correspondence.models import Entry, ServiceUnit
from infitah.correspondence.selectors import entry_list
from infitah.lib.tests.files import pdf_with_text

pytestmark = pytest.mark.django_db

API = "/api/v1/staff/{slug}/register/entries"


def _urls(entry: Entry, unit: ServiceUnit) -> list[str]:
    """Every route of staff_urls, filled with A's real entry, unit and each action."""
    values = {
        "year": str(entry.year),
        "number": str(entry.number),
        "pk": str(unit.pk),
        "key": "information",
        "action": "route",
    }
    urls = []
    for pattern in staff_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = re.sub(r"<\w+:(\w+)>", lambda m: values[m.group(1)], str(pattern.pattern))
        urls.append(f"/fr/staff/commune-a/correspondence/{route}")
    for action in ("link", "unlink", "summary", "nonsense"):
        urls.append(f"/fr/staff/commune-a/correspondence/{entry.year}/{entry.number}/{action}/")
    urls.append("/fr/staff/commune-a/correspondence/export.csv?from=2020-01-01&to=2030-12-31")
    return urls


@pytest.fixture
def a_world(register, unit_a, accepting_a) -> tuple[Entry, ServiceUnit]:
    from django.core.files.base import ContentFile

    entry = register(service=unit_a, attachment=ContentFile(pdf_with_text(), name="a.pdf"))
    return entry, unit_a


def test_every_page_is_404_for_outsiders(
    a_world, charlie, citizen, network_admin, staff_for, clerk_a
):
    entry, unit = a_world
    editor = staff_for(Role.PUBLICATION_EDITOR)  # staff of A, but registers no letter
    urls = _urls(entry, unit)
    assert len(urls) >= 13
    for outsider in (charlie, citizen, network_admin, editor):
        client = Client()
        client.force_login(outsider)
        for url in urls:
            for method in ("get", "post"):
                data: dict[str, Any] = {"service": unit.pk, "summary": "x", "name_ar": "x"}
                response = getattr(client, method)(url, data)
                assert response.status_code == 404, (outsider, method, url, response.status_code)
    entry.refresh_from_db()
    assert entry.summary == "Demande de copie du budget 2026."
    assert ServiceUnit.objects.filter(name_ar="x").count() == 0
    # The same URLs work for A's clerk (the list is not a mere 404 everywhere).
    member = Client()
    member.force_login(clerk_a)
    assert member.get(urls[0]).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(a_world):
    entry, unit = a_world
    for url in _urls(entry, unit):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_charlie_cannot_reach_a_from_his_own_collectivity(a_world, charlie, unit_b):
    """B's URLs with A's numbers and units: B's own register, never A's rows."""
    entry, unit = a_world
    client = Client()
    client.force_login(charlie)
    base = "/fr/staff/commune-b/correspondence/"
    assert client.get(base).status_code == 200
    assert entry.subject not in client.get(base).content.decode()
    assert client.get(f"{base}{entry.year}/{entry.number}/").status_code == 404
    assert client.get(f"{base}{entry.year}/{entry.number}/letter").status_code == 404
    assert client.post(f"{base}services/{unit.pk}/", {"name_ar": "x"}).status_code == 404
    # A's unit cannot be chosen when registering in B.
    response = client.post(
        base + "new/",
        {
            "direction": "incoming",
            "channel": "paper",
            "correspondent": "x",
            "subject": "y",
            "service": unit.pk,
        },
    )
    assert response.status_code == 400
    assert not Entry.objects.filter(collectivity=unit_b.collectivity).exists()
    body = client.get(base + "export.csv", {"from": "2020-01-01", "to": "2030-12-31"}).getvalue()
    assert entry.subject not in body.decode("utf-8-sig")


def test_the_api_is_404_for_outsiders(a_world, charlie, staff_for, collectivity_b):
    editor = staff_for(Role.PUBLICATION_EDITOR)
    for user in (charlie, editor):
        token = api_token_create(user=user, name="tests")[1]
        headers = {"Authorization": f"Bearer {token}"}
        client = Client()
        url = API.format(slug="commune-a")
        response = client.post(
            url,
            {"direction": "incoming", "channel": "paper", "correspondent": "x", "subject": "y"},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 404, user
        assert client.get(url, headers=headers).status_code == 404
        assert client.get(API.format(slug="nowhere"), headers=headers).status_code == 404
    assert Entry.objects.count() == 1


def test_selectors_never_cross_collectivities(a_world, collectivity_b):
    assert list(entry_list(collectivity=collectivity_b)) == []
