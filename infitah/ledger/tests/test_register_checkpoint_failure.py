"""A checkpoint that cannot be signed after a publication committed: the publication
stands and says so (no 500), the failure is logged, and a later signing catches up."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from importlib import import_module

import pytest

from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infitah.accounts.models import Role, User
from infitah.ledger import register_services
from infitah.ledger.models import Checkpoint, RegisterEntry
from infitah.ledger.register_selectors import checkpoint_is_valid
from infitah.ledger.register_services import checkpoint_maybe_sign
from infitah.lib.tests import files
from infitah.publication.models import Category, Document

# On-commit callbacks run for real only outside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

# Valid base64, but 31 bytes: not an Ed25519 private key, so every signature fails.
BROKEN_KEY = base64.b64encode(bytes(31)).decode()


@pytest.fixture
def communiques(transactional_db: None) -> Category:
    # A transactional test empties the tables when it ends: put the seeded catalogue back.
    import_module("infitah.publication.migrations.0002_seed_catalogue").seed(django_apps, None)
    return Category.objects.get(code="communiques")


@pytest.fixture
def editor(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.PUBLICATION_EDITOR)


@pytest.fixture(autouse=True)
def _fresh_process(settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # As in a process that has not asked about checkpoints for a minute.
    monkeypatch.setattr(register_services, "_next_check", None)


def _publish(client: Client, category: Category) -> int:
    response = client.post(
        "/fr/staff/commune-a/publication/new/",
        {
            "category": category.pk,
            "title_ar": "بلاغ",
            "title_fr": "Communiqué",
            "date": "2026-03-02",
            "language": "ar",
            "upload": SimpleUploadedFile("report.pdf", files.pdf_with_text()),
        },
    )
    return response.status_code


def test_publication_answers_success_when_signing_fails_and_tick_signs_later(
    editor, communiques, settings, caplog
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    good_key = settings.INFITAH_REGISTER_SIGNING_KEY
    settings.INFITAH_REGISTER_SIGNING_KEY = BROKEN_KEY
    with caplog.at_level(logging.ERROR, logger="infitah.ledger.register_services"):
        status = _publish(client, communiques)
    assert status == 302
    document = Document.objects.get()
    entry = RegisterEntry.objects.get()
    assert entry.document_id == str(document.pk) and entry.index == 0
    assert not Checkpoint.objects.exists()
    assert any("checkpoint" in r.getMessage() for r in caplog.records), caplog.records

    # The key is repaired; the periodic tick (or the next append) signs the tree.
    settings.INFITAH_REGISTER_SIGNING_KEY = good_key
    checkpoint = checkpoint_maybe_sign(force_hourly=True)
    assert checkpoint is not None and checkpoint.tree_size == 1
    assert checkpoint_is_valid(checkpoint)


def test_the_next_append_retries_at_once_after_a_failure(editor, communiques, settings) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    settings.INFITAH_REGISTER_SIGNING_KEY = BROKEN_KEY
    assert _publish(client, communiques) == 302
    # A failed attempt does not hold back the next one for a minute.
    assert register_services._next_check is None
