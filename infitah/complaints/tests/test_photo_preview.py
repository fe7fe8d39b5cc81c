"""The complaints unit sees the photos of a complaint on its page (issue #21).

The page shows each photo as a small lazy image with a text alternative; the image is
served by a staff-only view: inline, with its real content type and `nosniff`, only
when its bytes are a JPEG, PNG or WebP image; any other file is a download. Staff of
another collectivity get 404; nothing is cacheable by a shared cache.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infitah.accounts.models import User
from infitah.complaints.models import Attachment, Complaint
from infitah.complaints.tests.conftest import Submit
from infitah.complaints.views import image_type

pytestmark = pytest.mark.django_db

STAFF = "/fr/staff/commune-a/complaints/"


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (20, 120, 200)).save(out, format=fmt)
    return out.getvalue()


def _preview(complaint: Complaint, item: Attachment) -> str:
    return f"{STAFF}{complaint.reference}/files/{item.pk}/preview"


@pytest.fixture
def officer_client(officer_a: User) -> Client:
    client = Client()
    client.force_login(officer_a)
    return client


@pytest.fixture
def with_files(submit: Submit) -> Complaint:
    return submit(
        files=[
            SimpleUploadedFile("lampadaire.jpg", _image("JPEG"), content_type="image/jpeg"),
            SimpleUploadedFile("rue.png", _image("PNG"), content_type="image/png"),
            SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
        ]
    )


def test_the_magic_bytes_decide_what_is_an_image() -> None:
    assert image_type(_image("JPEG")) == "jpeg"
    assert image_type(_image("PNG")) == "png"
    assert image_type(_image("WEBP")) == "webp"
    assert image_type(b"%PDF-1.4") is None
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_type(b"RIFF\x00\x00\x00\x00WAVE") is None


def test_the_staff_page_shows_a_lazy_preview_of_each_photo(
    with_files: Complaint, officer_client: Client
) -> None:
    jpeg, png, pdf = with_files.attachments.order_by("pk")

    html = officer_client.get(f"{STAFF}{with_files.reference}/").content.decode()

    for item in (jpeg, png):
        found = re.search(rf'<img [^>]*src="{re.escape(_preview(with_files, item))}"[^>]*>', html)
        assert found is not None
        tag = found.group(0)
        assert 'loading="lazy"' in tag and 'class="thumb"' in tag
        assert item.name in re.search(r'alt="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
    assert _preview(with_files, pdf) not in html
    assert html.count('class="thumb"') == 2


@pytest.mark.parametrize(("index", "content_type"), [(0, "image/jpeg"), (1, "image/png")])
def test_a_photo_is_served_inline_with_its_type(
    with_files: Complaint, officer_client: Client, index: int, content_type: str
) -> None:
    item = list(with_files.attachments.order_by("pk"))[index]

    response = officer_client.get(_preview(with_files, item))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response.getvalue() == item.file.open("rb").read()


def test_a_file_that_is_not_an_image_is_only_a_download(
    with_files: Complaint, officer_client: Client
) -> None:
    pdf = with_files.attachments.order_by("pk").last()
    assert pdf is not None

    response = officer_client.get(_preview(with_files, pdf))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_bytes_that_lie_about_being_an_image_are_a_download(
    with_files: Complaint, officer_client: Client
) -> None:
    """A stored file whose record says PNG but whose bytes are not (e.g. replaced on
    disk) is never shown inline: the bytes decide, not the record."""
    png = with_files.attachments.order_by("pk")[1]
    with open(png.file.path, "wb") as handle:
        handle.write(b"<html><script>alert(1)</script></html>")

    response = officer_client.get(_preview(with_files, png))

    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"


def test_staff_of_another_collectivity_and_anonymous_visitors_get_nothing(
    with_files: Complaint, charlie: User
) -> None:
    jpeg = with_files.attachments.order_by("pk").first()
    assert jpeg is not None
    outsider = Client()
    outsider.force_login(charlie)
    assert outsider.get(_preview(with_files, jpeg)).status_code == 404
    anonymous = Client().get(_preview(with_files, jpeg))
    assert anonymous.status_code in {302, 404}
    assert anonymous.get("Content-Type", "").startswith("image/") is False


def test_another_complaints_file_number_is_404(
    with_files: Complaint, submit: Submit, officer_client: Client
) -> None:
    other = submit()
    jpeg = with_files.attachments.order_by("pk").first()
    assert jpeg is not None
    assert officer_client.get(_preview(other, jpeg)).status_code == 404
