"""`verify_register` compares every published document, as it is now, with what its latest
register entry hashed: a change made in the database outside the services is named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest

from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from infitah.accounts.models import Role, User
from infitah.ledger.models import RegisterEntry
from infitah.ledger.register_services import checkpoint_sign, register_append
from infitah.lib.tests import files
from infitah.publication.indexing import document_register_item
from infitah.publication.models import Category, Document
from infitah.publication.services import document_new_version, document_publish, document_withdraw
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def editor(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.PUBLICATION_EDITOR)


@pytest.fixture
def publish(collectivity_a: Collectivity, editor: User) -> Callable[..., Document]:
    def make(title_fr: str = "Budget 2026", data: bytes | None = None) -> Document:
        return document_publish(
            collectivity=collectivity_a,
            actor=editor,
            category=Category.objects.get(code="communiques"),
            title_ar="الميزانية",
            title_fr=title_fr,
            date=dt.date(2026, 3, 2),
            language="ar",
            upload=ContentFile(data or files.pdf_with_text(), name="report.pdf"),
        )

    return make


@pytest.fixture
def documents(publish, editor) -> list[Document]:  # type: ignore[no-untyped-def]
    first = publish("Budget 2026")
    second = publish("Procès-verbal", data=files.pdf_with_text("minutes of the council"))
    third = document_new_version(
        document=second,
        actor=editor,
        upload=ContentFile(files.pdf_with_text("minutes, corrected"), name="pv.pdf"),
        title_fr="Procès-verbal corrigé",
    )
    withdrawn = publish("Arrêté", data=files.pdf_with_text("an order"))
    withdrawn = document_withdraw(document=withdrawn, actor=editor, reason="Données erronées")
    checkpoint_sign()
    return [first, second, third, withdrawn]


def _ok() -> str:
    out, err = StringIO(), StringIO()
    call_command("verify_register", stdout=out, stderr=err)
    assert not err.getvalue()
    return out.getvalue()


def _fails() -> str:
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_register", stdout=StringIO(), stderr=err)
    return f"{exc.value}\n{err.getvalue()}"


def _entry_of(document: Document) -> RegisterEntry:
    return RegisterEntry.objects.filter(document_id=str(document.pk)).order_by("-index")[0]


def test_untouched_documents_pass(documents) -> None:
    out = _ok()
    assert "5 entries" in out and "4 documents checked" in out and "OK" in out


def test_a_title_changed_in_the_database_is_named(documents) -> None:
    first = documents[0]
    Document.objects.filter(pk=first.pk).update(title_fr="Budget 2027")
    report = _fails()
    entry = _entry_of(first)
    assert (
        f"entry {entry.index} (publication.document:{first.pk}): field title_fr differs "
        "from the document (registered 'Budget 2026', now 'Budget 2027')"
    ) in report
    assert "1 difference(s)" in report


def test_the_arabic_title_of_a_superseded_version(documents) -> None:
    second = documents[1]
    Document.objects.filter(pk=second.pk).update(title_ar="عنوان آخر")
    report = _fails()
    assert f"(publication.document:{second.pk}): field title_ar differs" in report


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": dt.date(2025, 1, 1)}, "date"),
        ({"period_start": dt.date(2025, 1, 1)}, "period_start"),
        ({"language": "fr"}, "language"),
        ({"original_name": "other.pdf"}, "original_name"),
        ({"size": 1}, "size"),
        ({"is_complete": True}, "is_complete"),
        ({"sha256": "0" * 64}, "file_sha256"),
        ({"file": "documents/commune-a/other.pdf"}, "file_name"),
        ({"published_at": dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}, "published_at"),
    ],
)
def test_each_public_field_is_compared(documents, change, field) -> None:
    first = documents[0]
    Document.objects.filter(pk=first.pk).update(**change)
    report = _fails()
    assert f"(publication.document:{first.pk}): field {field} differs" in report


def test_moved_to_another_collectivity_or_category(documents, collectivity_b) -> None:
    first = documents[0]
    other = Category.objects.exclude(code="communiques").first()
    Document.objects.filter(pk=first.pk).update(collectivity=collectivity_b, category=other)
    report = _fails()
    assert "field collectivity differs" in report and "field category differs" in report


def test_a_withdrawal_undone_in_the_database(documents) -> None:
    withdrawn = documents[3]
    Document.objects.filter(pk=withdrawn.pk).update(status="published", withdrawal_reason="")
    report = _fails()
    label = f"(publication.document:{withdrawn.pk})"
    assert f"{label}: field action differs" in report
    assert f"{label}: field withdrawal_reason differs" in report


def test_a_withdrawal_reason_rewritten(documents) -> None:
    withdrawn = documents[3]
    Document.objects.filter(pk=withdrawn.pk).update(withdrawal_reason="Autre motif")
    assert "field withdrawal_reason differs" in _fails()


def test_a_document_missing_from_the_register(documents) -> None:
    first = documents[0]
    # A document row whose entries point elsewhere: as if published without the register.
    RegisterEntry.objects.filter(document_id=str(first.pk)).update(document_id="999999")
    report = _fails()
    assert f"document publication.document:{first.pk}: published but not in the register" in (
        report
    )
    assert "document publication.document:999999: in the register, but no such" in report


def test_an_entry_added_outside_the_services(documents, collectivity_a) -> None:
    register_append(
        action="publish",
        collectivity=collectivity_a,
        document_type="publication.document",
        document_id="424242",
        file_name="documents/commune-a/forged.pdf",
        file_sha256="a" * 64,
        metadata={"title_fr": "Faux"},
        published_at=documents[0].published_at,
    )
    report = _fails()
    assert "document publication.document:424242: in the register, but no such" in report


def test_an_entry_in_an_older_format_still_verifies(documents) -> None:
    """An entry written before a key (here is_complete) was added to the register
    metadata vouches for the keys it hashed, and only those: it still verifies."""
    first = documents[0]
    item = document_register_item(first, "publish")
    older = {k: v for k, v in item.metadata.items() if k != "is_complete"}
    entry = register_append(**{**vars(item), "metadata": older})
    assert "is_complete" not in entry.metadata
    assert _entry_of(first).pk == entry.pk
    out = _ok()
    assert "6 entries" in out and "OK" in out
    # What it hashed is still compared.
    Document.objects.filter(pk=first.pk).update(title_fr="Budget 2027", is_complete=True)
    report = _fails()
    assert f"entry {entry.index} (publication.document:{first.pk}): field title_fr" in report
    assert "field is_complete" not in report
