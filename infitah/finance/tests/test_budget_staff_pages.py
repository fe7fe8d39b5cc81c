"""The staff budget pages, end to end through the test client: the budgets by year, a
year's page (imports and their files, lines with their amounts per phase and the bulk
tagging form, key documents, comments), the import page (a refused file's errors by
row, 400), a line's page (tags, beneficiaries), the equality body's comment page; in
Arabic and French; who may open what (the finance officer, the advisory secretary on
the comment page only, nobody of another collectivity); bad ids and bad input never a
500; the same number of queries with 10 lines as with 300.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext

from infitah.accounts.models import Role, User
from infitah.finance.models import (
    Amount,
    Budget,
    BudgetItem,
    BudgetVersion,
    FunctionalClass,
    GenderComment,
    GenderIndicator,
    KeyDocumentLink,
)
from infitah.finance.services import budget as services
from infitah.finance.staff_budget_urls import urlpatterns
from infitah.finance.tests.test_budget_services import (
    make_body,
    make_commitment,
    make_document,
    stored_files,
    upload,
)
from infitah.finance.tests.test_importer import budget_csv, budget_xlsx
from infitah.finance.workflow import Direction, KeyDocument, Phase, Section

pytestmark = pytest.mark.django_db

LANGS = ["ar", "fr"]
# The only page of the advisory secretariat.
ADVISORY = {"budget-comments"}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _base(lang: str = "fr") -> str:
    return f"/{lang}/staff/commune-a/finance/"


@pytest.fixture
def secretary(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.ADVISORY_SECRETARY)


@pytest.fixture
def officer(finance_officer: User) -> Client:
    return _client(finance_officer)


@pytest.fixture
def world(budget: Budget, finance_officer: User, secretary: User) -> dict[str, Any]:
    """A's 2026 budget with an approved version (the real-shaped workbook) and an
    execution, a beneficiaries indicator, a comment of the equity body and a key
    document: every kind of object a staff URL names."""
    workbook = budget_xlsx()
    version = services.budget_import(
        budget=budget,
        actor=finance_officer,
        phase=Phase.APPROVED,
        file=upload(workbook, "ميزانية 2026.xlsx"),
    )
    services.budget_import(
        budget=budget,
        actor=finance_officer,
        phase=Phase.EXECUTED,
        file=upload(budget_csv("expenditure;investment;30;10;10;;تهيئة الطرق;Voirie;400 000")),
        as_of=dt.date(2026, 1, 1),
    )
    roads = BudgetItem.objects.get(budget=budget, code="30.10.10")
    indicator = services.gender_indicator_save(
        item=roads,
        actor=finance_officer,
        data={"name_ar": "مستعملو الطرق", "women": 5100, "men": 4900},
    )
    body = make_body(budget.collectivity)
    services.gender_comment_post(
        budget=budget, actor=secretary, body=body, text="ملاحظة هيئة المساواة", item=roads
    )
    document = make_document(budget.collectivity)
    services.key_document_link(
        budget=budget, actor=finance_officer, kind=KeyDocument.ENACTED, document=document
    )
    return {
        "slug": "commune-a",
        "year": 2026,
        "version": version.pk,
        "item": roads.pk,
        "indicator": indicator.pk,
        "kind": KeyDocument.ENACTED.value,
        "budget": budget,
        "roads": roads,
        "body": body,
        "document": document,
        "workbook": workbook,
    }


def _urls(world: dict[str, Any], lang: str = "fr") -> dict[str, str]:
    """Every staff URL of the budget, for A's objects."""
    urls = {}
    with translation.override(lang):
        for pattern in urlpatterns:
            assert isinstance(pattern, URLPattern) and pattern.name
            names = pattern.pattern.converters.keys() | {"slug"}
            urls[pattern.name] = reverse(
                f"finance-staff:{pattern.name}", kwargs={k: world[k] for k in names}
            )
    return urls


# --- home and opening a year ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_lists_the_years_with_their_versions(
    lang: str, officer: Client, world: dict[str, Any]
) -> None:
    base = _base(lang)
    response = officer.get(base)
    html = response.content.decode()
    assert response.status_code == 200 and f'lang="{lang}"' in html
    assert f'href="{base}budgets/2026/"' in html
    assert f'action="{base}budgets/open/"' in html
    with translation.override(lang):
        for phase in Phase:
            assert escape(str(phase.label)) in html


def test_a_year_is_opened_from_the_home(officer: Client, budget: Budget) -> None:
    response = officer.post(f"{_base()}budgets/open/", {"year": "2027"})
    assert response.status_code == 302 and response["Location"] == f"{_base()}budgets/2027/"
    assert Budget.objects.filter(year=2027).exists()
    for year in ("1999", "abc", "2026\x00", "9" * 30):
        assert officer.post(f"{_base()}budgets/open/", {"year": year}).status_code == 400
    assert Budget.objects.count() == 2


# --- a year's page -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_year_page_shows_versions_lines_documents_and_comments(
    lang: str, officer: Client, world: dict[str, Any]
) -> None:
    urls = _urls(world, lang)
    response = officer.get(urls["budget"])
    html = response.content.decode()
    assert response.status_code == 200 and f'lang="{lang}"' in html
    assert f'href="{urls["budget-version-file"]}"' in html
    assert f'action="{urls["budget-import"]}"' in html and 'enctype="multipart/form-data"' in html
    roads = world["roads"]
    assert f'href="{urls["budget-item"]}"' in html and f'id="line-{roads.pk}"' in html
    # The line's current amount in each phase: approved and executed.
    with translation.override(lang):
        for amount in ("1234567.89", "400000"):
            assert number_format(Decimal(amount), 2, force_grouping=True) in html
    assert f'name="gender_marker-{roads.pk}"' in html and f'name="function-{roads.pk}"' in html
    revenue = BudgetItem.objects.filter(budget=world["budget"], direction="revenue").first()
    assert revenue is not None and f'name="gender_marker-{revenue.pk}"' not in html
    assert "ملاحظة هيئة المساواة" in html
    assert escape(world["document"].title) in html
    assert f'href="{urls["budget-document-unlink"]}"' in html
    with translation.override(lang):
        for kind in KeyDocument:
            assert escape(str(kind.label)) in html
    assert "<table" not in html


def test_the_lines_are_filtered_and_paged(officer: Client, world: dict[str, Any]) -> None:
    urls = _urls(world)
    html = officer.get(urls["budget"] + "?direction=revenue").content.decode()
    assert html.count('class="card" id="line-') == 3
    html = officer.get(urls["budget"] + "?untagged=marker&section=investment").content.decode()
    assert html.count('class="card" id="line-') == 2
    html = officer.get(urls["budget"] + "?direction=nope&page=abc").content.decode()
    assert html.count('class="card" id="line-') == 7


def test_lines_are_tagged_in_bulk_from_the_year_page(
    officer: Client, world: dict[str, Any]
) -> None:
    urls = _urls(world)
    roads = world["roads"]
    salaries = BudgetItem.objects.get(budget=world["budget"], code="20.10")
    function = FunctionalClass.objects.order_by("code").first()
    assert function is not None
    action = urls["budget-tag"] + "?section=investment&page=1"
    response = officer.post(
        action,
        {f"gender_marker-{roads.pk}": "2", f"function-{roads.pk}": str(function.pk)},
    )
    assert response.status_code == 302
    assert response["Location"] == urls["budget"] + "?section=investment&page=1#lines"
    roads.refresh_from_db()
    assert (roads.gender_marker, roads.function) == (2, function)
    # A bad value: the page again (400), nothing written.
    response = officer.post(action, {f"gender_marker-{roads.pk}": "9"})
    assert response.status_code == 400
    assert response.content.decode().count('class="error-summary"') == 1
    roads.refresh_from_db()
    assert roads.gender_marker == 2
    # A line of another page is not in the form: left alone.
    officer.post(action, {f"gender_marker-{salaries.pk}": "1"})
    salaries.refresh_from_db()
    assert salaries.gender_marker is None
    assert officer.get(urls["budget-tag"]).status_code == 302


# --- imports ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_an_import_from_the_page(lang: str, officer: Client, budget: Budget) -> None:
    url = f"{_base(lang)}budgets/2026/import/"
    assert officer.get(url).status_code == 200
    response = officer.post(
        url, {"phase": Phase.PROPOSED, "file": upload(budget_xlsx(), "projet.xlsx"), "note": "م"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_base(lang)}budgets/2026/#versions"
    version = BudgetVersion.objects.get()
    assert (version.phase, version.number, version.line_count, version.note) == (
        Phase.PROPOSED,
        1,
        7,
        "م",
    )


@pytest.mark.parametrize("lang", LANGS)
def test_a_refused_import_lists_its_errors_by_row(
    lang: str, officer: Client, budget: Budget
) -> None:
    lines = [f"revenue;operating;10;{n};;;رسم;Taxe;1 000" for n in range(10, 20)]
    lines[5] = "revenue;operating;10;15;;;رسم;Taxe;mille"
    lines[8] = "revenue;operating;10;18;;;رسم;Taxe;"
    response = officer.post(
        f"{_base(lang)}budgets/2026/import/",
        {"phase": Phase.APPROVED, "file": upload(budget_csv(*lines))},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'id="problems"' in html
    with translation.override(lang):
        for row in (7, 10):
            assert escape(gettext("Row %(row)s") % {"row": row}) in html
    assert BudgetVersion.objects.count() == 0 and BudgetItem.objects.count() == 0
    assert stored_files() == []


@pytest.mark.parametrize(
    "fields",
    [
        {"phase": Phase.APPROVED, "file": upload(b"%PDF-1.4\n%%EOF\n", "budget.xlsx")},
        {"phase": Phase.APPROVED},
        {"phase": Phase.EXECUTED, "file": upload()},
        {"phase": "final\x00", "file": upload()},
        {"phase": Phase.APPROVED, "file": upload(), "note": "x" * 501},
        {"phase": Phase.APPROVED, "file": upload(), "note": "a\x00b"},
        {"phase": Phase.EXECUTED, "file": upload(), "as_of": "2026-13-01"},
        {"phase": Phase.APPROVED, "file": upload(name="budget.pdf")},
        {"phase": Phase.APPROVED, "file": upload(name="budget\u202ecsv.exe")},
    ],
)
def test_a_bad_import_form_is_a_400_and_writes_nothing(
    officer: Client, budget: Budget, fields: dict[str, Any]
) -> None:
    response = officer.post(f"{_base()}budgets/2026/import/", fields)
    assert response.status_code == 400
    assert BudgetVersion.objects.count() == 0 and stored_files() == []


def test_a_version_downloads_as_it_was_imported(officer: Client, world: dict[str, Any]) -> None:
    response = officer.get(_urls(world)["budget-version-file"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == world["workbook"]  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


# --- a line -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_line_page(lang: str, officer: Client, world: dict[str, Any]) -> None:
    urls = _urls(world, lang)
    response = officer.get(urls["budget-item"])
    html = response.content.decode()
    assert response.status_code == 200 and f'lang="{lang}"' in html
    assert "تهيئة الطرق" in html and "مستعملو الطرق" in html and "ملاحظة هيئة المساواة" in html
    for name in ("budget-item-tag", "budget-indicator-add", "budget-indicator-edit"):
        assert f'href="{urls[name]}"' in html
    with translation.override(lang):
        assert escape(str(Phase.EXECUTED.label)) in html


def test_a_line_is_tagged_from_its_page(
    officer: Client, world: dict[str, Any], collectivity_b: Any
) -> None:
    urls = _urls(world)
    commitment = make_commitment(world["budget"].collectivity)
    foreign = make_commitment(collectivity_b)
    assert officer.get(urls["budget-item-tag"]).status_code == 200
    response = officer.post(
        urls["budget-item-tag"], {"gender_marker": "1", "commitment": str(commitment.pk)}
    )
    assert response.status_code == 302 and response["Location"] == urls["budget-item"]
    roads = world["roads"]
    roads.refresh_from_db()
    assert (roads.gender_marker, roads.commitment) == (1, commitment)
    response = officer.post(urls["budget-item-tag"], {"commitment": str(foreign.pk)})
    assert response.status_code == 400
    roads.refresh_from_db()
    assert roads.commitment == commitment


def test_beneficiaries_are_added_edited_and_removed(officer: Client, world: dict[str, Any]) -> None:
    urls = _urls(world)
    response = officer.post(
        urls["budget-indicator-add"], {"name_fr": "Élèves", "women": "30", "men": "28"}
    )
    assert response.status_code == 302
    assert response["Location"] == urls["budget-item"] + "#beneficiaries"
    assert GenderIndicator.objects.count() == 2
    for bad in ({"name_fr": "x", "women": "-1", "men": "1"}, {"women": "1", "men": "1"},
                {"name_ar": "x\x00", "women": "1", "men": "1"}):  # fmt: skip
        assert officer.post(urls["budget-indicator-add"], bad).status_code == 400
    response = officer.post(
        urls["budget-indicator-edit"], {"name_ar": "مستعملو الطرق", "women": "1", "men": "2"}
    )
    assert response.status_code == 302
    assert GenderIndicator.objects.get(pk=world["indicator"]).women == 1
    assert officer.get(urls["budget-indicator-delete"]).status_code == 200
    assert officer.post(urls["budget-indicator-delete"]).status_code == 302
    assert GenderIndicator.objects.count() == 1
    # A revenue line has no beneficiaries.
    revenue = BudgetItem.objects.filter(budget=world["budget"], direction="revenue").first()
    assert revenue is not None
    url = reverse(
        "finance-staff:budget-indicator-add",
        kwargs={"slug": "commune-a", "year": 2026, "item": revenue.pk},
    )
    assert officer.get(url).status_code == 404


# --- comments and key documents ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_advisory_secretary_posts_the_equality_bodys_comment(
    lang: str, secretary: User, world: dict[str, Any]
) -> None:
    client = _client(secretary)
    url = _urls(world, lang)["budget-comments"]
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and f'lang="{lang}"' in html
    assert f'<option value="{world["body"].pk}" selected>' in html
    assert "ملاحظة هيئة المساواة" in html
    # No link to the pages the secretary cannot open.
    assert f'href="{_base(lang)}"' not in html
    response = client.post(url, {"body": str(world["body"].pk), "text": "Commentaire"})
    assert response.status_code == 302 and GenderComment.objects.count() == 2
    for bad in ({"body": "9" * 30, "text": "x"}, {"body": str(world["body"].pk), "text": ""},
                {"body": str(world["body"].pk), "text": "x", "item": "abc"}):  # fmt: skip
        assert client.post(url, bad).status_code == 400
    assert GenderComment.objects.count() == 2


def test_key_documents_are_linked_and_unlinked_from_the_page(
    officer: Client, world: dict[str, Any], collectivity_b: Any
) -> None:
    urls = _urls(world)
    audit = make_document(world["budget"].collectivity, "تقرير المجلس الجهوي للحسابات")
    foreign = make_document(collectivity_b, "وثيقة أخرى")
    html = officer.get(urls["budget-document-link"] + "?kind=audit").content.decode()
    assert f'<option value="{audit.pk}">' in html and f'value="{foreign.pk}"' not in html
    response = officer.post(
        urls["budget-document-link"], {"kind": "audit", "document": str(audit.pk)}
    )
    assert response.status_code == 302
    bad = {"kind": "audit", "document": str(foreign.pk)}
    assert officer.post(urls["budget-document-link"], bad).status_code == 400
    assert KeyDocumentLink.objects.count() == 2
    assert officer.post(urls["budget-document-unlink"]).status_code == 302
    assert list(KeyDocumentLink.objects.values_list("kind", flat=True)) == ["audit"]


# --- who may open what ------------------------------------------------------------------------


def test_charlie_gets_404_on_every_url_of_a(world: dict[str, Any], charlie: User) -> None:
    client = _client(charlie)
    for name, url in _urls(world).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"year": "2026", "text": "x"}).status_code == 404, name
    # Nor through his own collectivity's prefix (B has no budget of 2026).
    for name, url in _urls({**world, "slug": "commune-b"}).items():
        if name in ("home", "budget-open"):  # his own collectivity's
            continue
        assert client.get(url).status_code == 404, name
    assert not Budget.objects.filter(collectivity__slug="commune-b").exists()


def test_other_staff_and_citizens_get_404_and_visitors_sign_in(
    world: dict[str, Any], citizen: User, staff_for: Callable[[str], User]
) -> None:
    visitor = Client()
    for user in (citizen, staff_for(Role.PUBLICATION_EDITOR), staff_for(Role.FOCAL_POINT)):
        client = _client(user)
        for name, url in _urls(world).items():
            assert client.get(url).status_code == 404, (user, name)
    for name, url in _urls(world).items():
        response = visitor.get(url)
        assert response.status_code == 302 and "login" in response["Location"], name


def test_the_advisory_secretary_reaches_the_comment_page_only(
    world: dict[str, Any], secretary: User, finance_officer: User
) -> None:
    client = _client(secretary)
    officer = _client(finance_officer)
    for name, url in _urls(world).items():
        if name in ADVISORY:
            assert client.get(url).status_code == 200, name
            # The finance unit reads the comments on the year's page, not this form.
            assert officer.get(url).status_code == 404, name
        else:
            assert client.get(url).status_code == 404, name
            assert client.post(url, {"year": "2030"}).status_code == 404, name
    assert not Budget.objects.filter(year=2030).exists()


def test_the_admin_opens_every_page(
    world: dict[str, Any], staff_for: Callable[[str], User]
) -> None:
    client = _client(staff_for(Role.ADMIN))
    for name, url in _urls(world).items():
        if name in ("budget-open", "budget-tag"):
            continue  # POST routes
        assert client.get(url).status_code == 200, name


def test_bad_ids_are_404_never_a_500(officer: Client, world: dict[str, Any]) -> None:
    base = _base()
    huge = "9" * 30
    roads = world["roads"]
    for path in (
        "budgets/1999/",
        "budgets/2101/",
        f"budgets/{huge}/",
        "budgets/2025/",
        "budgets/abc/",
        f"budgets/2026/versions/{huge}/file/",
        "budgets/2026/versions/999999/file/",
        f"budgets/2026/lines/{huge}/",
        f"budgets/2026/lines/{roads.pk}/indicators/{huge}/",
        f"budgets/2026/lines/{roads.pk}/indicators/999999/delete/",
        "budgets/2026/documents/nope/unlink/",
        "budgets/2026/documents/%00/unlink/",
        f"budgets/{huge}/comments/",
    ):
        assert officer.get(base + path).status_code == 404, path
    # Another year's line through this year's URL.
    other = Budget.objects.create(collectivity=world["budget"].collectivity, year=2025)
    stray = BudgetItem.objects.create(
        budget=other, direction="expenditure", section="operating", chapter="1", code="1"
    )
    assert officer.get(f"{base}budgets/2026/lines/{stray.pk}/").status_code == 404


# --- queries ------------------------------------------------------------------------------------


def _grow(version: BudgetVersion, upto: int) -> None:
    """Lines (with an amount in `version`) up to `upto` in the version's budget."""
    budget = version.budget
    have = BudgetItem.objects.filter(budget=budget).count()
    items = BudgetItem.objects.bulk_create(
        BudgetItem(
            budget=budget,
            direction=Direction.EXPENDITURE if n % 2 else Direction.REVENUE,
            section=Section.OPERATING if n % 3 else Section.INVESTMENT,
            chapter=f"{50 + n // 100}",
            article=f"{n % 100:02d}",
            code=f"{50 + n // 100}.{n % 100:02d}",
            label_ar=f"سطر {n}",
            gender_marker=(n % 3) if n % 2 else None,
        )
        for n in range(have, upto)
    )
    Amount.objects.bulk_create(
        Amount(version=version, item=item, amount=Decimal(1000 + i)) for i, item in enumerate(items)
    )


def _count(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured), response.content.decode()


def _grow_line(item: BudgetItem, upto: int, secretary: User, body: Any) -> None:
    """Versions with an amount of `item`, beneficiaries indicators and comments on it, up
    to `upto` of each."""
    budget = item.budget
    have = BudgetVersion.objects.filter(budget=budget, phase=Phase.AMENDED).count()
    versions = BudgetVersion.objects.bulk_create(
        BudgetVersion(
            budget=budget,
            phase=Phase.AMENDED,
            number=n + 1,
            file=f"finance/{budget.collectivity_id}/v{n}.csv",
            name=f"v{n}.csv",
            content_type="text/csv",
            size=10,
            sha256="0" * 64,
        )
        for n in range(have, upto)
    )
    Amount.objects.bulk_create(
        Amount(version=version, item=item, amount=Decimal(-n)) for n, version in enumerate(versions)
    )
    GenderIndicator.objects.bulk_create(
        GenderIndicator(item=item, name_ar=f"مؤشر {n}", women=n, men=n)
        for n in range(item.gender_indicators.count(), upto)
    )
    GenderComment.objects.bulk_create(
        GenderComment(budget=budget, item=item, body=body, text=f"c{n}", author=secretary)
        for n in range(item.gender_comments.count(), upto)
    )


def test_the_pages_cost_the_same_queries_with_10_or_300_lines(
    officer: Client, budget: Budget, finance_officer: User, secretary: User
) -> None:
    version = services.budget_import(
        budget=budget, actor=finance_officer, phase=Phase.APPROVED, file=upload()
    )
    body = make_body(budget.collectivity)
    roads = BudgetItem.objects.get(budget=budget, code="30.10")
    base = f"{_base()}budgets/2026/"
    urls = {
        "home": _base(),
        "budget": base,
        "filtered": f"{base}?direction=expenditure&page=2",
        "item": f"{base}lines/{roads.pk}/",
        "item-tag": f"{base}lines/{roads.pk}/tag/",
        "document-link": f"{base}documents/link/",
    }
    advisory = _client(secretary)
    comments = f"{base}comments/"
    _grow(version, 10)
    _grow_line(roads, 2, secretary, body)
    make_commitment(budget.collectivity, 1)
    make_document(budget.collectivity)
    for url in urls.values():
        _count(officer, url)  # warm-up
    _count(advisory, comments)
    small = {name: _count(officer, url)[0] for name, url in urls.items()}
    small["comments"] = _count(advisory, comments)[0]
    _grow(version, 300)
    _grow_line(roads, 30, secretary, body)
    for year in range(2010, 2022):
        Budget.objects.create(collectivity=budget.collectivity, year=year)
    for n in range(2, 20):
        make_commitment(budget.collectivity, n)
        make_document(budget.collectivity, f"وثيقة {n}")
    big = {}
    for name, url in urls.items():
        big[name], html = _count(officer, url)
        if name == "budget":
            assert html.count('class="card" id="line-') == 50
        if name == "item":
            assert html.count("مؤشر") == 30
    big["comments"], html = _count(advisory, comments)
    assert html.count('<li class="card">') == 30
    assert big == small
    assert max(big.values()) <= 25
