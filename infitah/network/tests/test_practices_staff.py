"""A member's practice pages under /<lang>/staff/<slug>/practices/: who may open them,
the forms end to end, bad input (400, nothing changed), tenancy (charlie gets 404 on
A's practices) and the page of a collectivity that is not a member."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from infitah.accounts.models import Membership, Role, User
from infitah.network import practice_services as services
from infitah.network.models import Practice, PracticeDocument, PracticeStatus
from infitah.network.tests.test_practices_services import (
    DATA,
    event_make,
    pdf_upload,
    pptx_bytes,
    practice_make,
)
from infitah.territories.models import Collectivity

BASE = "/fr/staff/commune-a/practices/"


def fr(message: str) -> str:
    """`message` as a French page shows it (escaped, as in the HTML)."""
    with translation.override("fr"):
        return escape(gettext(message))


def _form(**changes: Any) -> dict[str, Any]:
    data = {k: ("" if v is None else v) for k, v in DATA.items()}
    data.update(changes)
    return data


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """Stored files go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def focal(staff_for: Any) -> User:
    user: User = staff_for(Role.FOCAL_POINT)
    return user


@pytest.fixture
def focal_client(client: Client, focal: User) -> Client:
    client.force_login(focal)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, collectivity_a: Any) -> None:
    response = client.get(BASE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.ADMIN])
def test_focal_points_and_admins_open_the_list(
    client: Client, staff_for: Any, role: str, collectivity_a: Collectivity
) -> None:
    user = staff_for(role)
    practice_make(collectivity_a, user, title_fr="Ma pratique")
    client.force_login(user)
    response = client.get(BASE)
    assert response.status_code == 200
    assert "Ma pratique" in response.content.decode()


@pytest.mark.parametrize("role", [Role.PUBLICATION_EDITOR, Role.COUNCIL_MEMBER, Role.MONITOR])
def test_other_roles_get_404(client: Client, staff_for: Any, role: str) -> None:
    client.force_login(staff_for(role))
    assert client.get(BASE).status_code == 404
    assert client.post(f"{BASE}new/", _form()).status_code == 404
    assert not Practice.objects.exists()


def test_the_list_runs_a_constant_number_of_queries(
    focal_client: Client, focal: User, collectivity_a: Collectivity
) -> None:
    event = event_make()

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert focal_client.get(BASE).status_code == 200
        return len(captured)

    practice_make(collectivity_a, focal, event=event.pk)
    few = count()
    for i in range(10):
        practice_make(collectivity_a, focal, publish=i % 2 == 0, event=event.pk)
    assert count() == few


def test_create_then_edit(focal_client: Client, focal: User, collectivity_a: Collectivity) -> None:
    event = event_make(title_fr="Rencontre de Saïdia")
    page = focal_client.get(f"{BASE}new/").content.decode()
    assert "Rencontre de Saïdia" in page  # a published event is offered
    assert "Published on the practice" in page or "Publié" in page or "publi" in page
    response = focal_client.post(f"{BASE}new/", _form(event=event.pk))
    practice = Practice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{practice.pk}/"
    assert practice.collectivity == collectivity_a and practice.event == event
    assert practice.status == PracticeStatus.DRAFT
    page = focal_client.get(f"{BASE}{practice.pk}/").content.decode()
    assert DATA["contact_email"] in page
    response = focal_client.post(f"{BASE}{practice.pk}/", _form(title_fr="Nouveau titre", event=""))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.title_fr == "Nouveau titre" and practice.event is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_ar": "", "title_fr": ""}, "Give a title in Arabic or in French."),
        (
            {"theme": "cooking"},
            "Select a valid choice. %(value)s is not one of the available choices.",
        ),
        ({"contact_email": "nope"}, "Enter a valid email address."),
        ({"contact_phone": "call me"}, "Enter a phone number: digits, spaces and + only."),
        (
            {"event": "999999"},
            "Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
)
def test_bad_input_is_a_400_with_the_message_and_nothing_changes(
    client: Client, focal: User, changes: dict[str, Any], message: str
) -> None:
    client.force_login(focal)
    response = client.post("/fr/staff/commune-a/practices/new/", _form(**changes))
    assert response.status_code == 400
    assert fr(message).split("%")[0] in response.content.decode()
    assert not Practice.objects.exists()


def test_an_empty_post_is_a_400(focal_client: Client) -> None:
    assert focal_client.post(f"{BASE}new/", {}).status_code == 400
    assert not Practice.objects.exists()


def test_publish_and_withdraw(
    focal_client: Client, focal: User, collectivity_a: Collectivity
) -> None:
    practice = practice_make(collectivity_a, focal)
    assert focal_client.get(f"{BASE}{practice.pk}/publish/").status_code == 200  # confirm
    response = focal_client.post(f"{BASE}{practice.pk}/publish/")
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED
    # Publishing twice is a clear error, not a 500.
    again = focal_client.post(f"{BASE}{practice.pk}/publish/")
    assert again.status_code == 400
    response = focal_client.post(f"{BASE}{practice.pk}/unpublish/")
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT


def test_publishing_without_a_summary_is_refused(
    focal_client: Client, focal: User, collectivity_a: Collectivity
) -> None:
    practice = practice_make(
        collectivity_a, focal, summary_ar="", summary_fr="", body_ar="", body_fr=""
    )
    response = focal_client.post(f"/fr/staff/commune-a/practices/{practice.pk}/publish/")
    assert response.status_code == 400
    assert fr("Write a summary or a description before publishing the practice.") in (
        response.content.decode()
    )
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT


def test_documents_add_and_delete(
    focal_client: Client, focal: User, collectivity_a: Collectivity, media: Path
) -> None:
    practice = practice_make(collectivity_a, focal)
    url = f"{BASE}{practice.pk}/documents/add/"
    response = focal_client.post(
        url, {"file": SimpleUploadedFile("slides.pptx", pptx_bytes()), "title_fr": "Diapos"}
    )
    assert response.status_code == 302
    document = PracticeDocument.objects.get()
    assert document.title_fr == "Diapos"
    assert "Diapos" in focal_client.get(f"{BASE}{practice.pk}/").content.decode()
    delete = f"{BASE}{practice.pk}/documents/{document.pk}/delete/"
    assert focal_client.get(delete).status_code == 200
    assert focal_client.post(delete).status_code == 302
    assert not PracticeDocument.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Choose a file to publish."),
        (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 an exe"), "The content of the file"),
        (SimpleUploadedFile("sheet.xlsx", b"PK\x03\x04"), "Files ending in .%(ext)s"),
    ],
)
def test_bad_documents_are_a_400_and_nothing_is_stored(
    client: Client,
    focal: User,
    collectivity_a: Collectivity,
    media: Path,
    upload: Any,
    message: str,
) -> None:
    practice = practice_make(collectivity_a, focal)
    client.force_login(focal)
    data = {"title_fr": "x"} | ({"file": upload} if upload else {})
    response = client.post(f"/fr/staff/commune-a/practices/{practice.pk}/documents/add/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    if not message.startswith(("The content", "Files ending")):
        assert fr(message) in page
    assert not PracticeDocument.objects.exists()


def test_charlie_gets_404_on_every_page_of_as_practice(
    client: Client, charlie: User, focal: User, collectivity_a: Collectivity, media: Path
) -> None:
    practice = practice_make(collectivity_a, focal)
    document = services.practice_document_add(practice=practice, actor=focal, file=pdf_upload())
    urls = [
        BASE,
        f"{BASE}new/",
        f"{BASE}{practice.pk}/",
        f"{BASE}{practice.pk}/publish/",
        f"{BASE}{practice.pk}/unpublish/",
        f"{BASE}{practice.pk}/documents/add/",
        f"{BASE}{practice.pk}/documents/{document.pk}/delete/",
    ]
    client.force_login(charlie)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, _form()).status_code == 404, url
    # And through charlie's own collectivity, A's practice ids do not exist.
    for url in urls[2:]:
        own = url.replace("commune-a", "commune-b")
        assert client.get(own).status_code in (200, 404)
        assert client.post(own, _form()).status_code in (400, 404)
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT
    assert practice.title_fr == DATA["title_fr"]
    assert PracticeDocument.objects.count() == 1
    assert Practice.objects.count() == 1


def test_a_member_staff_gets_404_on_another_members_practice(
    client: Client, focal: User, collectivity_a: Collectivity, collectivity_b: Collectivity
) -> None:
    Collectivity.objects.filter(pk=collectivity_b.pk).update(is_network_member=True)
    other = User.objects.create_user(email="focal-b@example.test", password="x-password-123")
    Membership.objects.create(user=other, collectivity=collectivity_b, role=Role.FOCAL_POINT)
    practice = practice_make(collectivity_a, focal)
    client.force_login(other)
    for suffix in ("", "publish/", "unpublish/", "documents/add/"):
        url = f"/fr/staff/commune-b/practices/{practice.pk}/{suffix}"
        assert client.get(url).status_code == 404, url
        assert client.post(url, _form()).status_code == 404, url
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT


def test_a_collectivity_that_is_not_a_member_is_told_why(
    client: Client, charlie: User, collectivity_b: Collectivity
) -> None:
    client.force_login(charlie)
    response = client.get("/fr/staff/commune-b/practices/")
    assert response.status_code == 200
    assert 'href="/fr/network/practices/"' in response.content.decode()
    assert "<form" not in response.content.decode().split("<main")[1]
    response = client.post("/fr/staff/commune-b/practices/new/", _form())
    assert response.status_code == 400
    assert not Practice.objects.exists()
