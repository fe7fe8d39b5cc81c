"""The network's back office: one home for network administrators linking every tool
their permissions open, with counts of what waits; the health page. Everyone else gets
404, anonymous visitors are sent to sign in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from infitah.accounts import permissions
from infitah.accounts.models import Invitation, User
from infitah.accounts.permissions import NetworkPerm
from infitah.core.models import Heartbeat
from infitah.network.models import Application, Charter
from infitah.network.office_views import OFFICE, office_sections
from infitah.notifications.models import EmailStatus, OutboundEmail
from infitah.territories.models import Collectivity

HOME = "/fr/network/office/"
HEALTH = "/fr/network/office/health/"
# Every tool the brief names, by URL name.
TOOLS = [
    "network:office-applications",
    "network:members",
    "network:office-charter",
    "network:office-invite-apply",
    "network-accounts:account-list",
    "network-accounts:invitation-list",
    "network:office-events",
    "network:practices",
    "network-participation:list",
    "petitions:integrity-settings",
    "deadlines:override-add",
    "admin:publication_category_changelist",
    "openness:weights",
    "notifications:dead-letter-list",
    "network:office-health",
]


def _url(name: str) -> str:
    return reverse(name).replace("/ar/", "/fr/", 1)


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in (HOME, HEALTH):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["citizen", "staff_a", "charlie"])
def test_anyone_but_a_network_admin_gets_404(
    client: Client, who: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))
    for url in (HOME, HEALTH):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404


def test_every_tool_is_in_the_table() -> None:
    names = {entry[1] for _title, entries in OFFICE for entry in entries}
    assert set(TOOLS) <= names


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_network_admin_sees_every_link(
    client: Client, network_admin: User, lang: str, direction: str
) -> None:
    client.force_login(network_admin)
    response = client.get(f"/{lang}/network/office/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in page
    for name in TOOLS:
        assert f'href="{reverse(name).replace("/ar/", f"/{lang}/", 1)}"' in page, name
    assert response["Cache-Control"] == "no-store, private"
    # The health summary: nothing has run on this fresh database.
    assert reverse("network:office-health").replace("/ar/", f"/{lang}/", 1) in page


def test_links_follow_the_permissions(
    client: Client, network_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        permissions.NETWORK_ROLE_PERMISSIONS,
        "network_admin",
        frozenset({NetworkPerm.MAIL_MANAGE, NetworkPerm.OPENNESS_MANAGE}),
    )
    client.force_login(network_admin)
    page = client.get(HOME).content.decode()
    assert f'href="{_url("notifications:dead-letter-list")}"' in page
    assert f'href="{_url("openness:weights")}"' in page
    assert f'href="{_url("petitions:integrity-settings")}"' not in page
    assert f'href="{_url("network:office-applications")}"' not in page
    # Without HEALTH_VIEW: no health summary, and the health page is 404.
    assert f'href="{HEALTH}"' not in page
    assert client.get(HEALTH).status_code == 404


def test_office_sections_without_permissions_is_empty() -> None:
    assert office_sections([]) == []


def _waiting(collectivity: Collectivity, admin: User) -> None:
    charter = Charter.objects.create(
        version=1, title_ar="م", title_fr="C", body_ar="ن", body_fr="T"
    )
    Application.objects.create(
        collectivity=collectivity,
        decision_date=dt.date(2025, 1, 10),
        decision_reference="D-1",
        charter=charter,
        charter_accepted_at=timezone.now(),
        applicant_name="A",
        applicant_email="a@example.test",
        focal_point_name="F",
        focal_point_email="f@example.test",
    )
    now = timezone.now()
    for i in range(2):
        OutboundEmail.objects.create(
            key=f"dead-{i}", to="x@example.test", subject="s", body="b", status=EmailStatus.DEAD
        )
    for i in range(3):
        Invitation.objects.create(
            email=f"i{i}@example.test",
            collectivity=collectivity,
            roles=["admin"],
            digest=f"{i:064d}",
            invited_by=admin,
            expires_at=now + dt.timedelta(days=7),
        )


def _counts(page: str) -> dict[str, int]:
    import re

    found: dict[str, int] = {}
    for name in (
        "network:office-applications",
        "network-accounts:invitation-list",
        "notifications:dead-letter-list",
    ):
        match = re.search(
            re.escape(f'href="{_url(name)}"') + r'.*?class="badge badge-warn">(\d+)', page, re.S
        )
        found[name] = int(match.group(1)) if match else 0
    return found


def test_counts_of_what_waits_and_a_constant_number_of_queries(
    client: Client, network_admin: User, collectivity_b: Collectivity, collectivity_a: Collectivity
) -> None:
    client.force_login(network_admin)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(HOME)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    empty_queries, page = count()
    assert _counts(page) == dict.fromkeys(_counts(page), 0)
    _waiting(collectivity_b, network_admin)
    Heartbeat.objects.create(key="tick", at=timezone.now())
    queries, page = count()
    assert queries == empty_queries
    assert _counts(page) == {
        "network:office-applications": 1,
        "network-accounts:invitation-list": 3,
        "notifications:dead-letter-list": 2,
    }


def test_the_health_page_lists_every_reading(client: Client, network_admin: User) -> None:
    Heartbeat.objects.create(key="tick", at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(network_admin)
    response = client.get("/ar/network/office/health/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="card spaced') == 9
    assert 'class="card spaced late"' in page  # the tick is two hours old
    assert response["Cache-Control"] == "no-store, private"


def test_the_home_summarises_late_readings(client: Client, network_admin: User) -> None:
    Heartbeat.objects.create(key="tick", at=timezone.now() - dt.timedelta(hours=2))
    client.force_login(network_admin)
    page = client.get("/fr/network/office/").content.decode()
    assert 'class="overdue"' in page


def test_a_catalogue_manager_without_admin_site_access_is_told(
    client: Client, network_admin: User, settings: Any
) -> None:
    client.force_login(network_admin)
    assert 'class="muted">' in client.get(HOME).content.decode()
    assert client.get(HOME).context["needs_admin_site"] is True
    network_admin.is_staff = True
    network_admin.save(update_fields=["is_staff"])
    assert client.get(HOME).context["needs_admin_site"] is False


@pytest.mark.django_db
def test_the_office_opens_the_network_spaces_back_office(network_admin, citizen, staff_a) -> None:
    from django.test import Client

    for outsider in (citizen, staff_a):
        client = Client()
        client.force_login(outsider)
        assert client.get("/fr/network/office/space/").status_code == 404
    client = Client()
    client.force_login(network_admin)
    response = client.get("/fr/network/office/space/")
    assert response.status_code == 302 and response["Location"] == "/fr/staff/network/"
    home = client.get("/fr/staff/network/")
    assert home.status_code == 200
