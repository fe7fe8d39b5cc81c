"""The staff pages: publish, new version and withdraw through the client; 404 for others."""

from __future__ import annotations

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infitah.accounts.models import Role
from infitah.lib.tests import files
from infitah.publication.models import Document
from infitah.publication.workflow import Status


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(communiques, data: bytes, name: str = "report.pdf", **extra) -> dict:
    return {
        "category": communiques.pk,
        "title_ar": "بلاغ",
        "title_fr": "",
        "date": "2026-03-02",
        "language": "ar",
        "upload": SimpleUploadedFile(name, data),
        **extra,
    }


def test_editor_publishes_through_the_form(editor, communiques) -> None:
    client = _client(editor)
    page = client.get("/fr/staff/commune-a/publication/new/")
    assert page.status_code == 200 and "upload" in page.content.decode()
    response = client.post(
        "/fr/staff/commune-a/publication/new/", _form(communiques, files.pdf_with_text())
    )
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/fr/c/commune-a/documents/{document.pk}/"
    assert document.created_by == editor and document.title_ar == "بلاغ"
    listing = client.get("/fr/staff/commune-a/publication/")
    assert listing.status_code == 200 and "بلاغ" in listing.content.decode()


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (files.pdf_with_text(), "report.xlsx", "mais son contenu est un fichier PDF"),
        (files.zip_bomb_docx(), "bomb.docx", "bombe ZIP"),
        (files.png_header(70_000, 10), "huge.png", "trop grande"),
        (b"", "empty.pdf", "est vide"),
        (b"MZ\x90\x00" * 8, "setup.pdf", "pas un fichier PDF"),
    ],
)
def test_hostile_uploads_show_a_form_error(editor, communiques, data, name, fragment) -> None:
    response = _client(editor).post(
        "/fr/staff/commune-a/publication/new/", _form(communiques, data, name)
    )
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert not Document.objects.exists()


def test_file_over_the_limit_shows_a_form_error(editor, communiques, settings) -> None:
    settings.INFITAH_UPLOAD_MAX_BYTES = 200
    response = _client(editor).post(
        "/fr/staff/commune-a/publication/new/", _form(communiques, files.pdf_with_text())
    )
    assert response.status_code == 200 and "trop volumineux" in response.content.decode()
    assert not Document.objects.exists()


def test_a_title_is_required(editor, communiques) -> None:
    response = _client(editor).post(
        "/fr/staff/commune-a/publication/new/",
        _form(communiques, files.pdf_with_text(), title_ar=""),
    )
    assert response.status_code == 200 and not Document.objects.exists()


def test_new_version_and_withdraw_through_the_client(editor, publish) -> None:
    first = publish()
    client = _client(editor)
    url = f"/fr/staff/commune-a/publication/{first.pk}/version/"
    page = client.get(url)
    assert page.status_code == 200 and "Communiqué" in page.content.decode()
    response = client.post(
        url,
        {
            "title_ar": "بلاغ",
            "title_fr": "Communiqué v2",
            "date": "2026-03-05",
            "language": "ar",
            "upload": SimpleUploadedFile("v2.pdf", files.pdf_with_text("v2")),
        },
    )
    second = Document.objects.get(version=2)
    assert response.status_code == 302 and second.title_fr == "Communiqué v2"
    assert client.get(url).status_code == 404  # the old version is no longer current

    withdraw = f"/fr/staff/commune-a/publication/{second.pk}/withdraw/"
    assert client.get(withdraw).status_code == 200
    assert client.post(withdraw, {"reason": ""}).status_code == 200
    response = client.post(withdraw, {"reason": "Données erronées"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.WITHDRAWN and second.withdrawal_reason == "Données erronées"


@pytest.mark.parametrize("who", ["charlie", "citizen", "council_member", "network_admin"])
def test_outsiders_get_404_on_every_staff_page(request, who, publish) -> None:
    document = publish()
    if who == "council_member":
        user = request.getfixturevalue("staff_for")(Role.COUNCIL_MEMBER)
    else:
        user = request.getfixturevalue(who)
    client = _client(user)
    for url in [
        "/fr/staff/commune-a/publication/",
        "/fr/staff/commune-a/publication/new/",
        f"/fr/staff/commune-a/publication/{document.pk}/version/",
        f"/fr/staff/commune-a/publication/{document.pk}/withdraw/",
    ]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED


def test_editor_of_b_cannot_touch_a_document_of_a(publish, collectivity_b, citizen) -> None:
    from infitah.accounts.models import Membership

    document = publish()
    Membership.objects.create(
        user=citizen, collectivity=collectivity_b, role=Role.PUBLICATION_EDITOR
    )
    client = _client(citizen)
    assert client.get(f"/fr/staff/commune-b/publication/{document.pk}/withdraw/").status_code == 404
    assert (
        client.post(
            f"/fr/staff/commune-b/publication/{document.pk}/withdraw/", {"reason": "x"}
        ).status_code
        == 404
    )


def test_anonymous_is_sent_to_sign_in() -> None:
    response = Client().get("/fr/staff/commune-a/publication/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
