"""The register's public pages: the index and the verification form."""

from __future__ import annotations

import hashlib

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from infitah.ledger import forms
from infitah.ledger.models import Checkpoint
from infitah.ledger.register_services import checkpoint_sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(publish) -> None:
    publish(b"budget 2026", document_id="1")
    publish(b"minutes", document_id="2")
    checkpoint_sign()
    publish(b"budget 2026", document_id="1", action="new_version")  # after the checkpoint


def _url(name: str, lang: str = "fr") -> str:
    with translation.override(lang):
        return reverse(name)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_index_page(client, register, lang, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(6):
        response = client.get(_url("register:index", lang))
    assert response.status_code == 200
    html = response.content.decode()
    assert Checkpoint.objects.get().root_hash in html
    assert "test.document:2" in html and len(response.content) <= 30_000
    assert "<script" not in html


def test_index_page_without_checkpoint(client, db) -> None:
    response = client.get(_url("register:index"))
    assert response.status_code == 200


def test_verify_pasted_hash_found(client, register) -> None:
    sha = hashlib.sha256(b"minutes").hexdigest()
    response = client.post(_url("register:verify"), {"sha256": sha.upper()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "test.document:2" in html and "Preuve valide" in html
    assert len(response.content) <= 30_000


def test_verify_by_link(client, register) -> None:
    sha = hashlib.sha256(b"budget 2026").hexdigest()
    html = client.get(_url("register:verify"), {"sha256": sha}).content.decode()
    assert "Preuve valide" in html and "Pas encore couvert par un point de contrôle signé" in html


def test_verify_hash_not_found(client, register) -> None:
    response = client.post(_url("register:verify"), {"sha256": "0" * 64})
    assert response.status_code == 200
    assert "Ce fichier ne figure pas dans le registre" in response.content.decode()


@pytest.mark.parametrize("value", ["", "xyz", "0" * 63, "g" * 64, "0" * 65, "<script>", "\x00"])
def test_verify_garbage_is_a_message(client, register, value) -> None:
    response = client.post(_url("register:verify"), {"sha256": value})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "Preuve valide" not in response.content.decode()


def test_verify_garbage_in_arabic_is_translated_text(client, register) -> None:
    response = client.get(_url("register:verify", "ar"), {"sha256": "nope"})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()


def test_verify_uploaded_file_found(client, register) -> None:
    upload = SimpleUploadedFile("budget.pdf", b"budget 2026", content_type="application/pdf")
    response = client.post(_url("register:verify"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert hashlib.sha256(b"budget 2026").hexdigest() in html and "Preuve valide" in html


def test_verify_uploaded_file_not_found(client, register) -> None:
    upload = SimpleUploadedFile("other.pdf", b"something else")
    html = client.post(_url("register:verify"), {"file": upload}).content.decode()
    assert "Ce fichier ne figure pas dans le registre" in html


def test_verify_too_large_upload(client, register, monkeypatch) -> None:
    monkeypatch.setattr(forms, "VERIFY_MAX_BYTES", 10)
    original = forms.HashingUploadHandler.__init__

    def small(self, request, max_bytes=10):  # type: ignore[no-untyped-def]
        original(self, request, max_bytes)

    monkeypatch.setattr(forms.HashingUploadHandler, "__init__", small)
    upload = SimpleUploadedFile("big.pdf", b"x" * 100)
    response = client.post(_url("register:verify"), {"file": upload})
    assert response.status_code == 200
    assert "trop volumineux" in response.content.decode()


def test_verify_post_needs_csrf(register) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url("register:verify"), {"sha256": "0" * 64})
    assert response.status_code == 403


def test_a_tampered_checkpoint_is_shown_invalid(client, register) -> None:
    Checkpoint.objects.update(root_hash="ab" * 32)
    sha = hashlib.sha256(b"minutes").hexdigest()
    html = client.post(_url("register:verify"), {"sha256": sha}).content.decode()
    assert "Signature NON VALIDE" in html and "Preuve NON VALIDE" in html


def _csrf_client(lang: str = "fr") -> tuple[Client, str]:
    """A client that enforces CSRF as a browser meets it, with the token of the form."""
    client = Client(enforce_csrf_checks=True)
    response = client.get(_url("register:verify", lang))
    assert response.status_code == 200
    return client, response.cookies["csrftoken"].value


def test_verify_pasted_hash_with_csrf_enforced(register) -> None:
    client, token = _csrf_client()
    sha = hashlib.sha256(b"minutes").hexdigest()
    response = client.post(_url("register:verify"), {"sha256": sha, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert "test.document:2" in response.content.decode()


def test_verify_uploaded_file_with_csrf_enforced(register) -> None:
    client, token = _csrf_client("ar")
    upload = SimpleUploadedFile("budget.pdf", b"budget 2026", content_type="application/pdf")
    response = client.post(
        _url("register:verify", "ar"), {"file": upload, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200
    assert hashlib.sha256(b"budget 2026").hexdigest() in response.content.decode()


def test_verify_upload_with_a_wrong_csrf_token_is_refused(register) -> None:
    client, _token = _csrf_client()
    upload = SimpleUploadedFile("budget.pdf", b"budget 2026")
    response = client.post(
        _url("register:verify"), {"file": upload, "csrfmiddlewaretoken": "x" * 64}
    )
    assert response.status_code == 403


def test_verify_csrf_token_in_header_is_accepted(register) -> None:
    client, token = _csrf_client()
    response = client.post(
        _url("register:verify"), {"sha256": "0" * 64}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


def test_verify_too_large_upload_with_csrf_enforced(register, monkeypatch) -> None:
    original = forms.HashingUploadHandler.__init__

    def small(self, request, max_bytes=10):  # type: ignore[no-untyped-def]
        original(self, request, max_bytes)

    monkeypatch.setattr(forms.HashingUploadHandler, "__init__", small)
    client, token = _csrf_client()
    upload = SimpleUploadedFile("big.pdf", b"x" * 100)
    # The form sends its token before the file, as the page's form does.
    response = client.post(_url("register:verify"), {"csrfmiddlewaretoken": token, "file": upload})
    assert response.status_code == 200
    assert "trop volumineux" in response.content.decode()
