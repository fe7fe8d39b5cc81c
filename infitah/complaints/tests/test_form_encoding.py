"""A form whose text is not valid UTF-8 is refused (400, nothing stored), never stored
with U+FFFD where the citizen's words were; valid Arabic passes untouched."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from django.test import Client

from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.complaints.tests.test_pages import form_data
from infitah.lib.encoding import urlencoded_is_utf8
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

URL = "/ar/c/commune-a/complaints/new/"
BOUNDARY = "----infitah-test-boundary"


def _csrf_client() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.get(URL)
    return client, client.cookies["csrftoken"].value


def _multipart(fields: dict[str, bytes]) -> bytes:
    lines = []
    for name, value in fields.items():
        lines += [
            f"--{BOUNDARY}".encode(),
            f'Content-Disposition: form-data; name="{name}"'.encode(),
            b"",
            value,
        ]
    return b"\r\n".join([*lines, f"--{BOUNDARY}--".encode(), b""])


def test_the_urlencoded_check() -> None:
    assert urlencoded_is_utf8(urlencode({"a": "زنقة الورود", "b": "é"}).encode())
    assert urlencoded_is_utf8(b"a=%D8%B2+x&b=&c")
    assert not urlencoded_is_utf8(b"description=%FF%FE")
    assert not urlencoded_is_utf8(b"%C3=1")  # a truncated sequence in a name


@pytest.mark.usefixtures("collectivity_a", "complaint_settings_a")
def test_an_urlencoded_form_with_invalid_utf8_is_refused() -> None:
    client, token = _csrf_client()
    body = urlencode({**form_data(), "csrfmiddlewaretoken": token}) + "&description=%FF%FEabc"
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("collectivity_a", "complaint_settings_a")
def test_a_multipart_form_with_invalid_utf8_is_refused() -> None:
    client, token = _csrf_client()
    fields = {k: str(v).encode() for k, v in form_data().items()}
    fields["description"] = "شكاية بخصوص الإنارة العمومية ".encode() + b"\xff\xfe" * 10
    fields["csrfmiddlewaretoken"] = token.encode()
    response = client.post(
        URL, _multipart(fields), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


@pytest.mark.usefixtures("collectivity_a", "complaint_settings_a")
def test_the_api_answers_json() -> None:
    response = Client().post(
        "/api/v1/c/commune-a/complaints",
        b"email=%FF",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "detail" in response.json()
    assert Complaint.objects.count() == 0


def test_valid_arabic_passes(collectivity_a: Collectivity, complaint_settings_a: object) -> None:
    assert isinstance(complaint_settings_a, ComplaintSettings)
    client, token = _csrf_client()
    response = client.post(URL, {**form_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert "\ufffd" not in complaint.description
    assert complaint.collectivity == collectivity_a
