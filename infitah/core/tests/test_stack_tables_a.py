"""Data tables that read on a phone: the list pages of accounts, the back office,
correspondence, deadlines, the publication register, publication, finance, open data
and the openness index, rendered with data.

Every table is either a `table.stack` (site.css lays each row out as a card under
600 px) or a true matrix inside a focusable `div.scroll` region. In a `table.stack`,
every body cell (`td`, and `th` as a row header) carries `data-label`, the text of one of
its table's column headers (empty for a cell without a meaningful header), so that each
value keeps its label once the header row is hidden. The labels are compared with the
headers as rendered, so the checks hold in every language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import time_machine

from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from infitah.accounts.models import Role, User
from infitah.accounts.services import api_token_create
from infitah.correspondence.services import entry_register
from infitah.deadlines.duty_kinds import register_duty_kind, unregister_duty_kind
from infitah.deadlines.services import calendar_override_add, deadline_open
from infitah.finance.tests.budget_public_world import build_world
from infitah.lib.tests import files
from infitah.opendata import sync
from infitah.opendata.models import Dataset
from infitah.opendata.sources import registry
from infitah.opendata.sync import datasets_sync
from infitah.openness.tests.test_pages import put_score
from infitah.publication.models import Category, Document
from infitah.publication.services import document_new_version, document_publish
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------- the check


@dataclass
class Table:
    """One `<table>` of a page: its classes, whether a `div.scroll` region holds it,
    its column headers and, per body cell, the cell's `data-label` (None: absent)."""

    classes: set[str]
    in_scroll: bool
    headers: list[str] = field(default_factory=list)
    labels: list[str | None] = field(default_factory=list)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self._open: list[tuple[str, set[str]]] = []  # (tag, classes) of open elements
        self._table: Table | None = None
        self._section = ""
        self._header: list[str] | None = None  # the text of the open column header

    VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "col", "source", "wbr"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        if tag == "table":
            in_scroll = any(t == "div" and "scroll" in c for t, c in self._open)
            self._table = Table(classes=classes, in_scroll=in_scroll)
            self.tables.append(self._table)
        elif self._table is not None and tag in {"thead", "tbody", "tfoot"}:
            self._section = tag
        elif self._table is not None and tag == "th" and self._section == "thead":
            self._header = []
        elif self._table is not None and self._section == "tbody" and tag in {"td", "th"}:
            self._table.labels.append(found.get("data-label"))
        if tag not in self.VOID:
            self._open.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        if tag == "th" and self._header is not None and self._table is not None:
            self._table.headers.append(" ".join("".join(self._header).split()))
            self._header = None
        elif tag in {"thead", "tbody", "tfoot"}:
            self._section = ""
        elif tag == "table":
            self._table = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._header is not None:
            self._header.append(data)


def tables_of(html: str) -> list[Table]:
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables


def assert_tables_read_on_a_phone(html: str) -> list[Table]:
    """Check every table of `html`; return its stacked tables (at least one, with rows)."""
    tables = tables_of(html)
    stacked = [t for t in tables if "stack" in t.classes]
    for table in tables:
        assert "stack" in table.classes or table.in_scroll, table
    for table in stacked:
        allowed = {"", *table.headers}
        assert table.headers and all(table.headers), table
        for label in table.labels:
            assert label is not None, f"a body cell without data-label in {table}"
            assert label in allowed, f"{label!r} is none of the headers {table.headers}"
    assert any(t.labels for t in stacked), "no stacked table with rows on the page"
    return stacked


def test_the_check_rejects_a_missing_or_wrong_label() -> None:
    good = (
        '<table class="stack"><thead><tr><th scope="col">Nom</th><th scope="col">Date</th>'
        '</tr></thead><tbody><tr><th scope="row" data-label="Nom">a</th>'
        '<td data-label="Date">1</td></tr></tbody></table>'
        '<div class="scroll" tabindex="0" role="region" aria-label="m"><table>'
        "<thead><tr><th>x</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table></div>"
    )
    assert [t.labels for t in assert_tables_read_on_a_phone(good)] == [["Nom", "Date"]]
    for bad in (
        good.replace(' data-label="Date"', ""),
        good.replace('data-label="Date"', 'data-label="Jour"'),
        good.replace('<table class="stack">', "<table>"),
        good.replace('<div class="scroll" tabindex="0" role="region" aria-label="m">', "<div>"),
    ):
        with pytest.raises(AssertionError):
            assert_tables_read_on_a_phone(bad)


# --------------------------------------------------------------------------- the world


@pytest.fixture(autouse=True)
def _media_and_no_page_cache(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INFITAH_PAGE_CACHE_SECONDS = 0


def url(view: str, lang: str = "ar", **kwargs: Any) -> str:
    with translation.override(lang):
        return reverse(view, kwargs=kwargs)


def page(path: str, user: User | None = None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.fixture
def editor(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.PUBLICATION_EDITOR)


@pytest.fixture
def documents(collectivity_a: Collectivity, editor: User) -> list[Document]:
    """Two documents of A, the first in a second version (three register entries)."""
    category = Category.objects.get(code="communiques")

    def publish(text: str, title: str) -> Document:
        return document_publish(
            collectivity=collectivity_a,
            actor=editor,
            category=category,
            upload=ContentFile(files.pdf_with_text(text), name="report.pdf"),
            title_ar=title,
            title_fr=title,
            date=dt.date(2026, 3, 2),
            language="ar",
        )

    first = publish("first", "بلاغ")
    second = publish("second", "إعلان")
    newer = document_new_version(
        document=first,
        actor=editor,
        upload=ContentFile(files.pdf_with_text("first, corrected"), name="report.pdf"),
    )
    return [newer, second]


# --------------------------------------------------------------------------- the pages


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_publication_pages(
    lang: str, collectivity_a: Collectivity, editor: User, documents: list[Document]
) -> None:
    slug = collectivity_a.slug
    newer = documents[0]
    for path, user in (
        (url("publication:list", lang, slug=slug), None),
        (url("publication:detail", lang, slug=slug, pk=newer.pk), None),
        (url("publication:compliance", lang, slug=slug), None),
        (url("publication_staff:document-list", lang, slug=slug), editor),
        (url("register:index", lang), None),
    ):
        assert_tables_read_on_a_phone(page(path, user))


def test_the_register_labels_each_entry(documents: list[Document]) -> None:
    (entries,) = assert_tables_read_on_a_phone(page(url("register:index")))
    assert len(entries.labels) == 3 * len(entries.headers)


def test_the_api_tokens(staff_a: User) -> None:
    api_token_create(user=staff_a, name="tableur")
    api_token_create(user=staff_a, name="script")
    (tokens,) = assert_tables_read_on_a_phone(page(url("accounts:tokens"), staff_a))
    assert len(tokens.labels) == 2 * len(tokens.headers)


@pytest.fixture
def duty_kind() -> Iterator[None]:
    register_duty_kind("accounts.user", url=lambda d: f"/case/{d.subject_id}/", label="Case")
    yield
    unregister_duty_kind("accounts.user")


@time_machine.travel(dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC), tick=False)
def test_the_back_office_inbox(
    duty_kind: None, staff_a: User, citizen: User, collectivity_a: Collectivity
) -> None:
    for subject, start in ((citizen, dt.date(2026, 5, 20)), (staff_a, dt.date(2026, 4, 1))):
        deadline_open(
            collectivity=collectivity_a,
            subject=subject,
            limit_code="ati.answer",
            start=start,
            label="Request",
            process="test",
        )
    html = page(url("backoffice:home", slug=collectivity_a.slug), staff_a)
    (inbox,) = assert_tables_read_on_a_phone(html)
    assert len(inbox.labels) == 2 * len(inbox.headers)
    assert 'class="badge badge-bad"' in html  # the overdue duty


def test_the_correspondence_register(
    collectivity_a: Collectivity, staff_for: Callable[[str], User]
) -> None:
    clerk = staff_for(Role.COUNCIL_SECRETARY)
    for direction in ("incoming", "outgoing"):
        entry_register(
            collectivity=collectivity_a,
            actor=clerk,
            direction=direction,
            correspondent="Association Tifawin",
            subject="Demande de salle",
            channel="paper",
        )
    html = page(url("correspondence-staff:list", slug=collectivity_a.slug), clerk)
    (register,) = assert_tables_read_on_a_phone(html)
    assert len(register.labels) == 2 * len(register.headers)


def test_the_legal_calendar_and_its_corrections(network_admin: User) -> None:
    calendar_override_add(
        actor=network_admin,
        kind="remove",
        date=dt.date(2026, 5, 28),
        reason="Communiqué du ministère des Habous",
    )
    holidays, limits = assert_tables_read_on_a_phone(page(url("deadlines:calendar") + "?year=2026"))
    assert holidays.labels and limits.labels
    (overrides,) = assert_tables_read_on_a_phone(page(url("deadlines:override-add"), network_admin))
    assert len(overrides.labels) == len(overrides.headers)


def test_the_budget_pages(collectivity_a: Collectivity, prefecture: Collectivity) -> None:
    build_world(collectivity_a, prefecture)
    slug = collectivity_a.slug
    figures = assert_tables_read_on_a_phone(page(url("finance:budget", slug=slug, year=2026)))
    assert len(figures) == 5  # four breakdowns and the years
    (markers,) = assert_tables_read_on_a_phone(page(url("finance:gender", slug=slug, year=2026)))
    assert markers.labels


def test_a_dataset_page(
    monkeypatch: pytest.MonkeyPatch, collectivity_a: Collectivity, documents: list[Document]
) -> None:
    # The documents' source alone: its dataset has files, a preview and columns.
    only = {key: s for key, s in registry().items() if key == "documents"}
    monkeypatch.setattr(sync, "registry", lambda: only)
    datasets_sync()
    dataset = Dataset.objects.get(collectivity=collectivity_a, source="documents")
    html = page(url("opendata:dataset", name=dataset.name))
    resources, columns = assert_tables_read_on_a_phone(html)
    assert resources.labels and columns.labels
    # The preview, a table of the dataset's own columns, scrolls in its region.
    (preview,) = [t for t in tables_of(html) if t.in_scroll]
    assert "stack" not in preview.classes
    assert '<div class="scroll" tabindex="0" role="region" aria-labelledby="preview-title">' in html


def test_the_openness_index(
    region: Collectivity,
    prefecture: Collectivity,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
) -> None:
    import_module("infitah.openness.migrations.0002_method_v1").seed(django_apps, None)
    put_score(collectivity_a, "62.5")
    put_score(collectivity_b, None)
    put_score(prefecture, Decimal("45.5"))
    put_score(collectivity_a, "40", month=dt.date(2026, 3, 1))
    # The ranking and the median month by month, short tables of figures a phone reads
    # across, each scroll in their region (the dashboard keeps to its 30 KB budget).
    ranking, progress = tables_of(page(url("openness:index")))
    assert ranking.in_scroll and progress.in_scroll
    assert len(ranking.labels) == 3 * len(ranking.headers) and progress.labels
    (history,) = assert_tables_read_on_a_phone(
        page(url("openness:collectivity", slug=collectivity_a.slug))
    )
    assert len(history.labels) == 2 * len(history.headers)
    weights = assert_tables_read_on_a_phone(page(url("openness:method")))
    assert all(len(t.labels) % len(t.headers) == 0 for t in weights)
