"""infitah/finance/services/budget.py: opening a year, importing spreadsheets as versions
(nothing written, no file stored when a line fails), the phases' rules (an execution is
dated, only an amended budget holds negative amounts), tagging lines, gender budgeting
and the key documents; who may do each (the finance officer, the advisory secretariat
for the comments, nobody from another collectivity).

The helpers `make_commitment`, `make_document`, `make_body` and `upload` are shared by
the page tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infitah.accounts.models import Role, User
from infitah.advisory.models import Body, BodyKind
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
from infitah.finance.services.budget import BudgetImportError
from infitah.finance.tests.test_importer import AMENDED, SIMPLE_CSV, budget_csv, budget_xlsx
from infitah.finance.workflow import Direction, KeyDocument, Phase
from infitah.ledger.models import Event
from infitah.openplan.models import Commitment, Programme
from infitah.openplan.workflow import Kind
from infitah.publication.models import Category, Document
from infitah.publication.workflow import Status as DocumentStatus
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

# --- shared helpers ----------------------------------------------------------------------------


def upload(data: bytes = SIMPLE_CSV, name: str = "budget.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def make_commitment(collectivity: Collectivity, number: int = 1) -> Commitment:
    programme = Programme.objects.create(
        collectivity=collectivity,
        kind=Kind.REMACTO,
        reference=f"PRG-2026-{collectivity.pk}-{number}",
        title_fr="Programme d'ouverture",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    return Commitment.objects.create(programme=programme, number=number, title_ar="ميزانية مفتوحة")


def make_document(
    collectivity: Collectivity,
    title: str = "الميزانية المصادق عليها 2026",
    *,
    status: str = DocumentStatus.PUBLISHED,
    day: dt.date = dt.date(2026, 1, 20),
) -> Document:
    category = Category.objects.get_or_create(
        code="budget.test", defaults={"name_ar": "الميزانية", "name_fr": "Budget"}
    )[0]
    count = Document.objects.count() + 1
    return Document.objects.create(
        collectivity=collectivity,
        category=category,
        title_ar=title,
        date=day,
        language="ar",
        file=f"documents/{collectivity.slug}/doc-{count}.pdf",
        original_name="budget.pdf",
        file_type="pdf",
        size=10,
        sha256=f"{count:064d}",
        published_at=timezone.now(),
        status=status,
    )


def make_body(collectivity: Collectivity, kind: str = BodyKind.EQUITY, **extra: Any) -> Body:
    return Body.objects.create(
        collectivity=collectivity, kind=kind, name_ar="هيئة المساواة وتكافؤ الفرص", **extra
    )


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def counts() -> tuple[int, int, int]:
    return (BudgetVersion.objects.count(), BudgetItem.objects.count(), Amount.objects.count())


@pytest.fixture
def secretary(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.ADVISORY_SECRETARY)


@pytest.fixture
def editor(staff_for: Callable[[str], User]) -> User:
    return staff_for(Role.PUBLICATION_EDITOR)


@pytest.fixture
def imported(budget: Budget, finance_officer: User) -> BudgetVersion:
    return services.budget_import(
        budget=budget, actor=finance_officer, phase=Phase.APPROVED, file=upload()
    )


def _line(budget: Budget, code: str, direction: str = Direction.EXPENDITURE) -> BudgetItem:
    return BudgetItem.objects.get(budget=budget, code=code, direction=direction)


# --- opening a year ---------------------------------------------------------------------------


def test_a_year_is_opened_once(collectivity_a: Collectivity, finance_officer: User) -> None:
    first = services.budget_get_or_create(
        collectivity=collectivity_a, actor=finance_officer, year="2027"
    )
    again = services.budget_get_or_create(
        collectivity=collectivity_a, actor=finance_officer, year=2027
    )
    assert first == again and first.year == 2027
    assert Event.objects.filter(action="finance.budget_opened").count() == 1


@pytest.mark.parametrize("year", [1999, 2101, "20x6", "", None, True, "٢٠٢٦", 10**20])
def test_a_year_out_of_range_is_refused(
    collectivity_a: Collectivity, finance_officer: User, year: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.budget_get_or_create(collectivity=collectivity_a, actor=finance_officer, year=year)
    assert set(caught.value.message_dict) == {"year"}
    assert not Budget.objects.exists()


def test_only_the_finance_unit_opens_a_year(
    collectivity_a: Collectivity, editor: User, charlie: User, citizen: User
) -> None:
    for actor in (editor, charlie, citizen):
        with pytest.raises(PermissionDenied):
            services.budget_get_or_create(collectivity=collectivity_a, actor=actor, year=2026)
    assert not Budget.objects.exists()


# --- imports ---------------------------------------------------------------------------------


def test_an_import_is_a_version_with_its_lines_amounts_and_file(
    budget: Budget, finance_officer: User
) -> None:
    workbook = budget_xlsx()
    version = services.budget_import(
        budget=budget,
        actor=finance_officer,
        phase=Phase.APPROVED,
        file=upload(workbook, "ميزانية 2026.xlsx"),
        note="صادق عليها المجلس في دورة أكتوبر",
    )
    assert (version.phase, version.number, version.line_count) == (Phase.APPROVED, 1, 7)
    assert version.total_revenue == Decimal("3858024.67")
    assert version.total_expenditure == Decimal("6984568.39")
    assert version.name == "ميزانية 2026.xlsx" and version.imported_by == finance_officer
    assert version.content_type.startswith("application/vnd.openxmlformats")
    with version.file.open("rb") as handle:
        assert handle.read() == workbook
    assert version.size == len(workbook)
    assert version.sha256 == hashlib.sha256(workbook).hexdigest()
    items = {item.code: item for item in BudgetItem.objects.filter(budget=budget)}
    assert set(items) == {
        "10.10.010.01", "10.10.010.02", "10.20", "20.10", "20.20", "30.10.10", "30.10.20"
    }  # fmt: skip
    first = items["10.10.010.01"]
    assert (first.chapter, first.article, first.paragraph, first.line) == ("10", "10", "010", "01")
    assert first.label_fr == "Taxe sur les terrains urbains non bâtis"
    assert Amount.objects.get(version=version, item=items["20.10"]).amount == Decimal("3000000")
    event = Event.objects.get(action="finance.budget_imported")
    assert event.collectivity == budget.collectivity and event.actor == finance_officer
    assert event.data["lines"] == 7 and event.data["number"] == 1


def test_every_import_is_kept_and_lines_keep_their_identity(
    budget: Budget, finance_officer: User, imported: BudgetVersion
) -> None:
    salaries = _line(budget, "20.10")
    salaries_id = salaries.pk
    second = services.budget_import(
        budget=budget,
        actor=finance_officer,
        phase=Phase.APPROVED,
        file=upload(
            budget_csv(
                "expenditure;operating;20;10;;;الأجور والتعويضات;;650 000",
                "expenditure;investment;40;10;;;الإنارة;Éclairage;100",
            )
        ),
    )
    executed = services.budget_import(
        budget=budget,
        actor=finance_officer,
        phase=Phase.EXECUTED,
        file=upload(budget_csv("expenditure;operating;20;10;;;;Salaires;120 000")),
        as_of=dt.date(2026, 1, 1),
    )
    assert second.number == 2 and executed.number == 1
    assert BudgetVersion.objects.filter(budget=budget).count() == 3
    salaries.refresh_from_db()
    # The same line; its Arabic label updated, its French one kept (the file had none).
    assert salaries.pk == salaries_id
    assert (salaries.label_ar, salaries.label_fr) == ("الأجور والتعويضات", "Salaires")
    assert list(
        Amount.objects.filter(item=salaries)
        .order_by("version__phase", "version__number")
        .values_list("version__number", "amount")
    ) == [(1, Decimal("600000")), (2, Decimal("650000")), (1, Decimal("120000"))]
    assert BudgetItem.objects.filter(budget=budget).count() == 4
    assert executed.as_of == dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("data", "name", "row"),
    [
        (b"%PDF-1.4\n%%EOF\n", "budget.xlsx", None),
        (b"", "budget.csv", None),
        (budget_csv("revenue;operating;10;;;;x;;", header="Chapitre;Montant"), "b.csv", None),
        (budget_csv("revenue;operating;10;;;;x;;12", "revenue;operating;11;;;;x;;1O0"), "b.csv", 3),
    ],
)
def test_a_bad_file_writes_and_stores_nothing(
    budget: Budget, finance_officer: User, data: bytes, name: str, row: int | None
) -> None:
    with pytest.raises(BudgetImportError) as caught:
        services.budget_import(
            budget=budget, actor=finance_officer, phase=Phase.APPROVED, file=upload(data, name)
        )
    assert "file" in caught.value.message_dict
    assert caught.value.problems and caught.value.problems[0].row == row
    assert counts() == (0, 0, 0) and stored_files() == []
    assert not Event.objects.filter(action="finance.budget_imported").exists()


def test_a_bad_amount_on_row_7_is_reported_on_row_7(budget: Budget, finance_officer: User) -> None:
    lines = [
        f"revenue;operating;10;{n};;;رسم {n};Taxe {n};{'1 000' if n != 15 else '1 0OO'}"
        for n in range(10, 20)
    ]
    with pytest.raises(BudgetImportError) as caught:
        services.budget_import(
            budget=budget,
            actor=finance_officer,
            phase=Phase.PROPOSED,
            file=upload(budget_csv(*lines)),
        )
    assert [(p.row, p.column) for p in caught.value.problems] == [(7, "I")]
    assert counts() == (0, 0, 0) and stored_files() == []


def test_the_fields_of_an_import_are_checked(budget: Budget, finance_officer: User) -> None:
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"phase": "final"}, {"phase"}),
        ({"phase": Phase.EXECUTED}, {"as_of"}),
        ({"phase": Phase.EXECUTED, "as_of": "2026-02-30"}, {"as_of"}),
        ({"phase": Phase.EXECUTED, "as_of": dt.date(2024, 12, 31)}, {"as_of"}),
        ({"phase": Phase.APPROVED, "as_of": dt.date(2026, 1, 1)}, {"as_of"}),
        ({"phase": Phase.APPROVED, "note": "x" * 501}, {"note"}),
        ({"phase": Phase.APPROVED, "note": "a\x00b"}, {"note"}),
        ({"phase": Phase.APPROVED, "file": None}, {"file"}),
    ]
    for fields, expected in cases:
        kwargs: dict[str, Any] = {"file": upload(), **fields}
        with pytest.raises(ValidationError) as caught:
            services.budget_import(budget=budget, actor=finance_officer, **kwargs)
        assert set(caught.value.message_dict) == expected, fields
    assert counts() == (0, 0, 0) and stored_files() == []


def test_an_execution_is_dated_but_not_in_the_future(budget: Budget, finance_officer: User) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ValidationError) as caught:
            services.budget_import(
                budget=budget,
                actor=finance_officer,
                phase=Phase.EXECUTED,
                file=upload(),
                as_of=dt.date(2026, 7, 31),
            )
        assert set(caught.value.message_dict) == {"as_of"}
        version = services.budget_import(
            budget=budget,
            actor=finance_officer,
            phase=Phase.EXECUTED,
            file=upload(),
            as_of="2026-06-30",
        )
    assert version.as_of == dt.date(2026, 6, 30)


def test_only_an_amended_budget_holds_negative_amounts(
    budget: Budget, finance_officer: User
) -> None:
    for phase in (Phase.PROPOSED, Phase.APPROVED, Phase.EXECUTED):
        with pytest.raises(BudgetImportError) as caught:
            services.budget_import(
                budget=budget,
                actor=finance_officer,
                phase=phase,
                file=upload(AMENDED),
                as_of=dt.date(2026, 1, 2) if phase == Phase.EXECUTED else None,
            )
        assert {p.code for p in caught.value.problems} == {"amount_negative"}
    version = services.budget_import(
        budget=budget, actor=finance_officer, phase=Phase.AMENDED, file=upload(AMENDED)
    )
    assert version.total_expenditure == Decimal("-3800.00")
    assert version.total_revenue == Decimal("5000.00")


def test_only_the_finance_unit_of_the_collectivity_imports(
    budget: Budget, editor: User, secretary: User, charlie: User
) -> None:
    for actor in (editor, secretary, charlie):
        with pytest.raises(PermissionDenied):
            services.budget_import(budget=budget, actor=actor, phase=Phase.APPROVED, file=upload())
    assert counts() == (0, 0, 0) and stored_files() == []


def test_the_admin_of_the_collectivity_imports_too(
    budget: Budget, staff_for: Callable[[str], User]
) -> None:
    version = services.budget_import(
        budget=budget, actor=staff_for(Role.ADMIN), phase=Phase.PROPOSED, file=upload()
    )
    assert version.number == 1


# --- tagging ---------------------------------------------------------------------------------


def test_a_line_is_tagged_and_untagged(
    budget: Budget, finance_officer: User, imported: BudgetVersion
) -> None:
    line = _line(budget, "30.10")
    function = FunctionalClass.objects.order_by("code").first()
    assert function is not None
    commitment = make_commitment(budget.collectivity)
    services.item_tag(
        item=line,
        actor=finance_officer,
        function=str(function.pk),
        gender_marker="2",
        commitment=commitment,
    )
    line.refresh_from_db()
    assert (line.function, line.gender_marker, line.commitment) == (function, 2, commitment)
    event = Event.objects.get(action="finance.item_tagged")
    assert sorted(event.data["fields"]) == ["commitment", "function", "gender_marker"]
    # The same again changes nothing and records nothing.
    services.item_tag(
        item=line, actor=finance_officer, function=function, gender_marker=2, commitment=commitment
    )
    assert Event.objects.filter(action="finance.item_tagged").count() == 1
    services.item_tag(item=line, actor=finance_officer, gender_marker=0)
    line.refresh_from_db()
    assert (line.function, line.gender_marker, line.commitment) == (None, 0, None)


def test_tags_are_checked(
    budget: Budget, finance_officer: User, imported: BudgetVersion, collectivity_b: Collectivity
) -> None:
    revenue = _line(budget, "10.10", Direction.REVENUE)
    expenditure = _line(budget, "20.10")
    other = make_commitment(collectivity_b)
    cases: list[tuple[BudgetItem, dict[str, Any], set[str]]] = [
        (revenue, {"gender_marker": 1}, {"gender_marker"}),
        (expenditure, {"gender_marker": 3}, {"gender_marker"}),
        (expenditure, {"gender_marker": "x"}, {"gender_marker"}),
        (expenditure, {"gender_marker": True}, {"gender_marker"}),
        (expenditure, {"function": 999999}, {"function"}),
        (expenditure, {"function": "abc"}, {"function"}),
        (expenditure, {"commitment": other}, {"commitment"}),
        (expenditure, {"commitment": str(other.pk)}, {"commitment"}),
    ]
    for line, kwargs, expected in cases:
        with pytest.raises(ValidationError) as caught:
            services.item_tag(item=line, actor=finance_officer, **kwargs)
        assert set(caught.value.message_dict) == expected, kwargs
    assert (
        not BudgetItem.objects.filter(budget=budget, gender_marker__isnull=False).exists()
        and not Event.objects.filter(action="finance.item_tagged").exists()
    )


def test_lines_are_tagged_in_bulk_or_not_at_all(
    budget: Budget,
    finance_officer: User,
    imported: BudgetVersion,
    collectivity_a: Collectivity,
    charlie: User,
) -> None:
    revenue = _line(budget, "10.10", Direction.REVENUE)
    salaries, roads = _line(budget, "20.10"), _line(budget, "30.10")
    function = FunctionalClass.objects.order_by("code").last()
    assert function is not None
    other_budget = Budget.objects.create(collectivity=collectivity_a, year=2025)
    stranger = BudgetItem.objects.create(
        budget=other_budget, direction="expenditure", section="operating", chapter="1", code="1"
    )
    bad = {
        salaries.pk: {"gender_marker": 1},
        roads.pk: {"gender_marker": 7},
        revenue.pk: {"gender_marker": 0, "function": function.pk},
        stranger.pk: {"gender_marker": 1},
        "x": {"gender_marker": 1},
    }
    with pytest.raises(ValidationError) as caught:
        services.items_tag(budget=budget, actor=finance_officer, changes=bad)
    assert set(caught.value.message_dict) == {
        f"gender_marker-{roads.pk}",
        f"gender_marker-{revenue.pk}",
        f"line-{stranger.pk}",
        "line-x",
    }
    assert not BudgetItem.objects.filter(gender_marker__isnull=False).exists()
    changed = services.items_tag(
        budget=budget,
        actor=finance_officer,
        changes={
            salaries.pk: {"gender_marker": 1, "function": function.pk},
            roads.pk: {"gender_marker": "", "function": ""},
            revenue.pk: {"function": function.pk},
        },
    )
    assert changed == 2
    assert sorted(
        BudgetItem.objects.filter(budget=budget, function=function).values_list("code", flat=True)
    ) == ["10.10", "20.10"]
    event = Event.objects.get(action="finance.items_tagged")
    assert sorted(event.data["items"]) == sorted([salaries.pk, revenue.pk])
    with pytest.raises(PermissionDenied):
        services.items_tag(
            budget=budget, actor=charlie, changes={salaries.pk: {"gender_marker": 2}}
        )


# --- gender budgeting ------------------------------------------------------------------------


def test_beneficiaries_are_counted_on_expenditure_lines(
    budget: Budget, finance_officer: User, imported: BudgetVersion
) -> None:
    roads = _line(budget, "30.10")
    indicator = services.gender_indicator_save(
        item=roads,
        actor=finance_officer,
        data={"name_ar": "مستفيدون من الإنارة", "women": "1200", "men": 1100},
    )
    assert (indicator.women, indicator.men, indicator.measured_on) == (1200, 1100, None)
    services.gender_indicator_save(
        item=roads,
        actor=finance_officer,
        indicator=indicator,
        data={"name_fr": "Usagers", "women": 0, "men": 5, "measured_on": "2026-01-15"},
    )
    indicator.refresh_from_db()
    assert (indicator.name_ar, indicator.name_fr, indicator.women) == ("", "Usagers", 0)
    revenue = _line(budget, "10.10", Direction.REVENUE)
    with pytest.raises(ValidationError):
        services.gender_indicator_save(
            item=revenue, actor=finance_officer, data={"name_ar": "x", "women": 1, "men": 1}
        )
    with pytest.raises(ValidationError):
        services.gender_indicator_save(
            item=_line(budget, "20.10"),
            actor=finance_officer,
            indicator=indicator,
            data={"name_ar": "x", "women": 1, "men": 1},
        )
    services.gender_indicator_delete(indicator=indicator, actor=finance_officer)
    assert not GenderIndicator.objects.exists()
    actions = list(Event.objects.filter(action__startswith="finance.gender_indicator"))
    assert [e.action for e in actions] == [
        "finance.gender_indicator_saved",
        "finance.gender_indicator_saved",
        "finance.gender_indicator_deleted",
    ]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"women": 1, "men": 1}, {"name_ar"}),
        ({"name_ar": "x" * 301, "women": 1, "men": 1}, {"name_ar"}),
        ({"name_ar": "x", "women": -1, "men": "a"}, {"women", "men"}),
        ({"name_ar": "x", "women": "", "men": 10**9}, {"women", "men"}),
        ({"name_ar": "x\x00", "women": 1, "men": 1}, {"name_ar"}),
        ({"name_ar": "x", "women": 1, "men": 1, "measured_on": "2999-01-01"}, {"measured_on"}),
    ],
)
def test_an_indicator_is_checked(
    budget: Budget,
    finance_officer: User,
    imported: BudgetVersion,
    data: dict[str, Any],
    fields: set[str],
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.gender_indicator_save(
            item=_line(budget, "30.10"), actor=finance_officer, data=data
        )
    assert set(caught.value.message_dict) == fields
    assert not GenderIndicator.objects.exists()


def test_the_equality_body_comments_through_the_advisory_secretariat(
    budget: Budget, secretary: User, finance_officer: User, imported: BudgetVersion
) -> None:
    body = make_body(budget.collectivity)
    general = services.gender_comment_post(
        budget=budget, actor=secretary, body=body.pk, text="  الميزانية لا تراعي النوع  "
    )
    line = _line(budget, "30.10")
    on_line = services.gender_comment_post(
        budget=budget, actor=secretary, body=str(body.pk), text="Éclairage: bien", item=line.pk
    )
    assert (general.text, general.item, general.author) == (
        "الميزانية لا تراعي النوع",
        None,
        secretary,
    )
    assert on_line.item == line and on_line.body == body
    event = Event.objects.filter(action="finance.gender_comment_posted").last()
    assert event is not None and event.data["is_equity_body"] is True
    # The finance unit reads them but does not write for the body.
    with pytest.raises(PermissionDenied):
        services.gender_comment_post(budget=budget, actor=finance_officer, body=body, text="x")


def test_a_comment_is_checked(
    budget: Budget,
    secretary: User,
    imported: BudgetVersion,
    collectivity_b: Collectivity,
    charlie: User,
) -> None:
    body = make_body(budget.collectivity)
    gone = make_body(budget.collectivity, deleted=True)
    foreign = make_body(collectivity_b)
    other_budget = Budget.objects.create(collectivity=budget.collectivity, year=2020)
    stranger = BudgetItem.objects.create(
        budget=other_budget, direction="expenditure", section="operating", chapter="1", code="1"
    )
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"body": foreign, "text": "x"}, {"body"}),
        ({"body": gone.pk, "text": "x"}, {"body"}),
        ({"body": "abc", "text": "x"}, {"body"}),
        ({"body": body, "text": "   "}, {"text"}),
        ({"body": body, "text": "x" * 10_001}, {"text"}),
        ({"body": body, "text": "a\x00b"}, {"text"}),
        ({"body": body, "text": "x", "item": stranger}, {"item"}),
        ({"body": body, "text": "x", "item": "9" * 30}, {"item"}),
    ]
    for kwargs, expected in cases:
        with pytest.raises(ValidationError) as caught:
            services.gender_comment_post(budget=budget, actor=secretary, **kwargs)
        assert set(caught.value.message_dict) == expected, kwargs
    with pytest.raises(PermissionDenied):
        services.gender_comment_post(budget=budget, actor=charlie, body=body, text="x")
    assert not GenderComment.objects.exists()


# --- key documents ---------------------------------------------------------------------------


def test_key_documents_are_linked_replaced_and_unlinked(
    budget: Budget, finance_officer: User, collectivity_b: Collectivity, charlie: User
) -> None:
    enacted = make_document(budget.collectivity)
    newer = make_document(budget.collectivity, "الميزانية المعدلة")
    link = services.key_document_link(
        budget=budget, actor=finance_officer, kind=KeyDocument.ENACTED, document=enacted.pk
    )
    assert (link.kind, link.document) == (KeyDocument.ENACTED, enacted)
    services.key_document_link(
        budget=budget, actor=finance_officer, kind=KeyDocument.ENACTED, document=newer
    )
    assert list(KeyDocumentLink.objects.values_list("kind", "document")) == [
        (KeyDocument.ENACTED, newer.pk)
    ]
    withdrawn = make_document(budget.collectivity, status=DocumentStatus.WITHDRAWN)
    foreign = make_document(collectivity_b)
    cases: list[tuple[str, Any, set[str]]] = [
        ("budget", enacted, {"kind"}),
        (KeyDocument.AUDIT, withdrawn, {"document"}),
        (KeyDocument.AUDIT, foreign.pk, {"document"}),
        (KeyDocument.AUDIT, None, {"document"}),
    ]
    for kind, document, fields in cases:
        with pytest.raises(ValidationError) as caught:
            services.key_document_link(
                budget=budget, actor=finance_officer, kind=kind, document=document
            )
        assert set(caught.value.message_dict) == fields
    with pytest.raises(PermissionDenied):
        services.key_document_link(
            budget=budget, actor=charlie, kind=KeyDocument.AUDIT, document=enacted
        )
    services.key_document_unlink(budget=budget, actor=finance_officer, kind=KeyDocument.ENACTED)
    services.key_document_unlink(budget=budget, actor=finance_officer, kind=KeyDocument.ENACTED)
    assert not KeyDocumentLink.objects.exists()
    assert Event.objects.filter(action="finance.key_document_unlinked").count() == 1
    with pytest.raises(ValidationError):
        services.key_document_unlink(budget=budget, actor=finance_officer, kind="nope")
