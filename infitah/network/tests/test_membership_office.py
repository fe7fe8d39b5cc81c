"""The network administrators' membership pages: 404 for everyone else, the private
deliberation, decisions, a member's changes, the charter, the invitation to apply, and a
constant number of queries on the list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.accounts.models import User
from infitah.network import membership_services as services
from infitah.network.models import (
    Application,
    ApplicationStatus,
    Charter,
    Member,
    MemberChange,
    MemberStatus,
)
from infitah.network.tests import test_membership_world as world
from infitah.notifications.models import OutboundEmail
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    return world.media_use(settings, tmp_path)


@pytest.fixture
def charter(db: None) -> Charter:
    return world.charter_create()


@pytest.fixture
def pending(collectivity_b: Collectivity, charter: Charter, media: Path) -> Application:
    """Commune B's application, pending."""
    return world.submit(collectivity_b, charter)


OFFICE = [
    "/fr/network/office/applications/",
    "/fr/network/office/applications/{pk}/",
    "/fr/network/office/applications/{pk}/deliberation",
    "/fr/network/office/members/commune-a/",
    "/fr/network/office/charter/",
    "/fr/network/office/invite-to-apply/",
]


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["anonymous", "citizen", "charlie", "staff_a"])
@pytest.mark.parametrize("url", OFFICE)
def test_office_pages_are_404_for_everyone_but_network_admins(
    who: str, url: str, pending: Application, request: Any
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = _client(user)
    target = url.format(pk=pending.pk)
    assert client.get(target).status_code == 404
    assert client.post(target, {"action": "accept"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.PENDING


@pytest.mark.parametrize("url", OFFICE)
def test_network_admins_reach_every_office_page(
    url: str, pending: Application, network_admin: User, collectivity_a: Collectivity
) -> None:
    response = _client(network_admin).get(url.format(pk=pending.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_the_deliberation_is_an_attachment_for_network_admins_only(
    pending: Application, network_admin: User
) -> None:
    response = _client(network_admin).get(
        f"/fr/network/office/applications/{pending.pk}/deliberation"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == world.PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_unknown_application_is_404(network_admin: User, charter: Charter) -> None:
    client = _client(network_admin)
    assert client.get("/fr/network/office/applications/999999/").status_code == 404
    assert client.get("/fr/network/office/applications/999999/deliberation").status_code == 404
    huge = "9" * 30
    assert client.get(f"/fr/network/office/applications/{huge}/").status_code == 404
    assert client.post(f"/fr/network/office/applications/{huge}/").status_code == 404
    assert client.get(f"/fr/network/office/applications/?page={huge}").status_code == 200


def test_accept_from_the_page(pending: Application, network_admin: User) -> None:
    client = _client(network_admin)
    url = f"/fr/network/office/applications/{pending.pk}/"
    html = client.get(url).content.decode()
    assert "focal@example.test" in html and 'id="deliberation-link"' in html
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/network/office/members/commune-b/"
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.ACCEPTED
    assert Member.objects.get(collectivity=pending.collectivity).status == MemberStatus.ACTIVE
    # A second press is refused with a message, nothing changes.
    response = client.post(url, {"action": "accept"})
    assert response.status_code == 400
    assert MemberChange.objects.filter(collectivity=pending.collectivity).count() == 1


def test_reject_from_the_page_needs_a_note(pending: Application, network_admin: User) -> None:
    client = _client(network_admin)
    url = f"/fr/network/office/applications/{pending.pk}/"
    response = client.post(url, {"action": "reject", "note": ""})
    assert response.status_code == 400
    assert "note" in response.context["reject_form"].errors
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.PENDING
    response = client.post(url, {"action": "reject", "note": "Unsigned deliberation."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.REJECTED
    assert OutboundEmail.objects.filter(key__endswith=":rejected").count() == 1


def test_an_unknown_action_changes_nothing(pending: Application, network_admin: User) -> None:
    response = _client(network_admin).post(
        f"/fr/network/office/applications/{pending.pk}/", {"action": "delete"}
    )
    assert response.status_code == 400
    pending.refresh_from_db()
    assert pending.status == ApplicationStatus.PENDING


def test_member_changes_from_the_page(collectivity_a: Collectivity, network_admin: User) -> None:
    client = _client(network_admin)
    url = "/fr/network/office/members/commune-a/"
    today = timezone.localdate().isoformat()
    # Reinstating an active member: refused with its message, nothing saved.
    response = client.post(url, {"form": "change", "change": "reinstated", "on": today})
    assert response.status_code == 400
    assert "Seul un membre suspendu" in response.content.decode()
    assert not MemberChange.objects.filter(kind="reinstated").exists()
    # A bad date: the form's error.
    response = client.post(url, {"form": "change", "change": "suspended", "on": "2024-13-01"})
    assert response.status_code == 400 and "on" in response.context["change_form"].errors
    response = client.post(
        url, {"form": "change", "change": "suspended", "on": today, "note": "audit"}
    )
    assert response.status_code == 302
    assert Member.objects.get(collectivity=collectivity_a).status == MemberStatus.SUSPENDED
    html = client.get(url).content.decode()
    assert 'id="history-table"' in html and "audit" in html
    response = client.post(url, {"form": "change", "change": "left", "on": today})
    assert response.status_code == 302
    collectivity_a.refresh_from_db()
    assert not collectivity_a.is_network_member


def test_contact_from_the_page(collectivity_a: Collectivity, network_admin: User) -> None:
    client = _client(network_admin)
    url = "/fr/network/office/members/commune-a/"
    response = client.post(url, {"form": "contact", "name": "F", "email": "bad", "phone": ""})
    assert response.status_code == 400 and "email" in response.context["contact_form"].errors
    assert not Member.objects.exists()
    response = client.post(
        url, {"form": "contact", "name": "F", "email": "f@commune.ma", "phone": "0528 11"}
    )
    assert response.status_code == 302
    member = Member.objects.get(collectivity=collectivity_a)
    assert (member.focal_point_public_email, member.focal_point_public_phone) == (
        "f@commune.ma",
        "0528 11",
    )


def test_a_collectivity_that_never_was_a_member_has_no_office_page(
    collectivity_b: Collectivity, network_admin: User
) -> None:
    assert _client(network_admin).get("/fr/network/office/members/commune-b/").status_code == 404


def test_publish_the_charter_from_the_page(network_admin: User, charter: Charter) -> None:
    client = _client(network_admin)
    url = "/fr/network/office/charter/"
    html = client.get(url).content.decode()
    assert "Le texte de la charte" in html  # the current text as a start
    response = client.post(url, {"title_ar": "", "title_fr": "C", "body_ar": "", "body_fr": "T"})
    assert response.status_code == 400
    assert Charter.objects.count() == 1
    response = client.post(
        url, {"title_ar": "م", "title_fr": "Charte", "body_ar": "ن", "body_fr": "Texte v2"}
    )
    assert response.status_code == 302
    assert Charter.objects.order_by("-version").first().version == 2  # type: ignore[union-attr]
    public = Client().get("/fr/network/charter/").content.decode()
    assert "Texte v2" in public and "Le texte de la charte" in public  # v1 among the earlier


def test_invite_to_apply_from_the_page(
    collectivity_b: Collectivity, network_admin: User, charter: Charter
) -> None:
    client = _client(network_admin)
    url = "/fr/network/office/invite-to-apply/"
    assert "?collectivity=commune-b" in client.get(url, {"q": "inezgane"}).content.decode()
    response = client.post(url, {"collectivity": "commune-b", "email": "nope", "language": "fr"})
    assert response.status_code == 400 and not OutboundEmail.objects.exists()
    response = client.post(
        url, {"collectivity": "commune-b", "email": "dgs@commune.ma", "language": "ar"}
    )
    assert response.status_code == 200
    link = response.context["sent_link"]
    assert "/ar/network/members/apply/?invitation=" in link
    assert OutboundEmail.objects.get(to="dgs@commune.ma")
    # The link opens the form with the collectivity filled in.
    page = Client().get(link.split("127.0.0.1:8000", 1)[-1].replace("http://", ""))
    assert page.status_code == 200 and 'value="commune-b"' in page.content.decode()


def test_invite_refuses_a_member(collectivity_a: Collectivity, network_admin: User) -> None:
    response = _client(network_admin).post(
        "/fr/network/office/invite-to-apply/",
        {"collectivity": "commune-a", "email": "x@commune.ma", "language": "fr"},
    )
    assert response.status_code == 400
    assert not OutboundEmail.objects.exists()


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/fr/network/office/applications/").status_code == 200
    return len(ctx.captured_queries)


def test_the_applications_list_runs_a_fixed_number_of_queries(
    prefecture: Collectivity, charter: Charter, media: Path, network_admin: User
) -> None:
    def communes(start: int, count: int) -> list[Collectivity]:
        return [
            Collectivity.objects.create(
                kind=Kind.COMMUNE,
                slug=f"c{i}",
                name_ar=f"ج{i}",
                name_fr=f"C{i}",
                parent=prefecture,
                region=prefecture.region,
            )
            for i in range(start, start + count)
        ]

    client = _client(network_admin)
    for c in communes(0, 2):
        world.submit(c, charter)
    few = _list_queries(client)
    for i, c in enumerate(communes(2, 30)):
        application = world.submit(c, charter)
        if i % 3 == 0:
            services.application_reject(actor=network_admin, application=application, note="n")
    assert _list_queries(client) == few
    html = client.get("/fr/network/office/applications/").content.decode()
    # Pending first.
    assert html.index('data-status="pending"') < html.index('data-status="rejected"')


def test_find_a_member_from_the_office(
    collectivity_a: Collectivity, collectivity_b: Collectivity, network_admin: User
) -> None:
    client = _client(network_admin)
    found = client.get("/fr/network/office/applications/", {"q": "a"}).context["found"]
    # A is a member; B never was.
    assert [c.slug for c in found] == ["commune-a"]
