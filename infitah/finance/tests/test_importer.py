"""infitah/finance/importer.py: budget spreadsheets as collectivities keep them, built in
the test with openpyxl (title rows, a header on two rows with merged cells, Arabic
labels, thousands separators, negative adjustments, Arabic-Indic digits, a formula with
its cached value, subtotals) and as CSV (both separators, with and without BOM); bad
files refused with every error on its row and column.

The builders here (`budget_xlsx`, `budget_csv`, `xlsx_bytes`) are shared by the service
and page tests of the budget.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from django.utils import translation
from django.utils.translation import gettext

from infitah.finance import importer
from infitah.finance.importer import (
    ParseResult,
    budget_parse,
    column_letter,
    fold,
    header_field,
    parse_amount,
)

# --- builders ------------------------------------------------------------------------------

TITLE = "جماعة أيت ملول — الميزانية برسم سنة 2026"
SUBTITLE = "Budget de la commune d'Aït Melloul — exercice 2026 (montants en dirhams)"
# Row 4 (merged over rows 4–5 or over the columns of row 5) and row 5.
TOP = ["الاتجاه / Sens", "الجزء / Partie", "التبويب / Imputation", None, None, None,
       "البيان / Libellé", None, "المبلغ / Montant (DH)"]  # fmt: skip
BELOW = [None, None, "الفصل", "المادة", "الفقرة", "السطر", "بالعربية", "En français", None]
MERGES = ("A4:A5", "B4:B5", "C4:F4", "G4:H4", "I4:I5", "A1:I1", "A2:I2")

# Rows from 6: a real budget's revenue and expenditure, with what real sheets hold.
LINES: list[list[Any]] = [
    ["المداخيل", "التسيير", None, None, None, None, "مداخيل التسيير", "Recettes de fonctionnement", None],
    [None, None, "10", "10", "010", "01", "الرسم على الأراضي الحضرية غير المبنية", "Taxe sur les terrains urbains non bâtis", "1 234 567,89"],
    [None, None, "10", "10", "010", "02", "رسم السكن", "Taxe d'habitation", 2500000],
    [None, None, "10", "20", None, None, "حصة الجماعة من الضريبة على القيمة المضافة", "Part de la TVA", "١٢٣٬٤٥٦٫٧٨"],
    ["Dépenses", "Fonctionnement", "20", None, None, None, "نفقات الموظفين", "Dépenses de personnel", "5 000 000,00"],
    [None, None, "20", "10", None, None, "الأجور والتعويضات", "Traitements et indemnités", "=I12*0+3000000"],
    [None, None, "20", "20", None, None, "التحملات الاجتماعية", "Charges sociales", "2\u202f000\u202f000,00"],
    ["نفقات", "التجهيز", "30", "10", "10", None, "تهيئة الطرق", "Voirie", "1,234,567.89"],
    [None, None, "30", "10", "20", None, "الإنارة العمومية", "Éclairage public", 750000.5],
    [None, None, None, None, None, None, "المجموع", "Total", "999"],
]  # fmt: skip
# The formula cell (row 11) and the value a spreadsheet program stored with it.
FORMULA_CELL, FORMULA_VALUE = "I11", "3000000"


def xlsx_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    merges: Iterable[str] = (),
    cached: dict[str, str] | None = None,
    sheets_before: int = 0,
) -> bytes:
    """A workbook of `rows` (row 1 first) on its first sheet; `cached` gives formula
    cells the value a spreadsheet program would have stored with them (openpyxl writes
    formulas without one)."""
    workbook = Workbook()
    sheet = workbook.active
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(number, column, value)
    for merge in merges:
        sheet.merge_cells(merge)
    for index in range(sheets_before):
        workbook.create_sheet(f"notes {index}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if not cached:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                for cell, value in cached.items():
                    content = re.sub(
                        rf'(<c r="{cell}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'.encode(),
                        rb"\1<v>" + value.encode() + rb"</v>",
                        content,
                    )
            target.writestr(info, content)
    return out.getvalue()


def budget_xlsx(lines: Sequence[Sequence[Any]] = LINES) -> bytes:
    """The real-shaped budget workbook: two title rows, a blank row, the header on rows
    4–5 with merged cells, the lines from row 6."""
    rows: list[Sequence[Any]] = [[TITLE], [SUBTITLE], [], TOP, BELOW, *lines]
    return xlsx_bytes(rows, merges=MERGES, cached={FORMULA_CELL: FORMULA_VALUE})


CSV_HEADER = "direction;section;chapter;article;paragraph;line;label_ar;label_fr;amount"


def budget_csv(*lines: str, header: str = CSV_HEADER, bom: bool = True) -> bytes:
    text = "\r\n".join([header, *lines]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


SIMPLE_CSV = budget_csv(
    "revenue;operating;10;10;;;رسم السكن;Taxe d'habitation;1 000 000,00",
    "expenditure;operating;20;10;;;الأجور;Salaires;600 000,00",
    "expenditure;investment;30;10;;;تهيئة الطرق;Voirie;400 000,00",
)


def _errors(result: ParseResult) -> list[tuple[int | None, str, str]]:
    return [(e.row, e.column, e.code) for e in result.errors]


# --- the real-shaped workbook ----------------------------------------------------------------


def test_a_real_shaped_workbook_is_read_line_by_line() -> None:
    result = budget_parse(budget_xlsx(), filename="ميزانية 2026.xlsx")
    assert result.errors == [] and result.is_valid
    assert result.file_type == "xlsx" and result.checked is not None
    assert result.header_row == 4
    assert result.columns == {
        "direction": "A",
        "section": "B",
        "chapter": "C",
        "article": "D",
        "paragraph": "E",
        "line": "F",
        "label_ar": "G",
        "label_fr": "H",
        "amount": "I",
    }
    got = {
        (ln.row, ln.direction, ln.section, ln.code, ln.amount, ln.label_ar) for ln in result.lines
    }
    assert got == {
        (7, "revenue", "operating", "10.10.010.01", Decimal("1234567.89"),
         "الرسم على الأراضي الحضرية غير المبنية"),
        (8, "revenue", "operating", "10.10.010.02", Decimal("2500000.00"), "رسم السكن"),
        (9, "revenue", "operating", "10.20", Decimal("123456.78"),
         "حصة الجماعة من الضريبة على القيمة المضافة"),
        (11, "expenditure", "operating", "20.10", Decimal("3000000.00"), "الأجور والتعويضات"),
        (12, "expenditure", "operating", "20.20", Decimal("2000000.00"), "التحملات الاجتماعية"),
        (13, "expenditure", "investment", "30.10.10", Decimal("1234567.89"), "تهيئة الطرق"),
        (14, "expenditure", "investment", "30.10.20", Decimal("750000.50"), "الإنارة العمومية"),
    }  # fmt: skip
    first = result.lines[0]
    # Codes stay text, leading zeros kept; French labels read from the sub-heading.
    assert (first.chapter, first.article, first.paragraph, first.line) == ("10", "10", "010", "01")
    assert first.label_fr == "Taxe sur les terrains urbains non bâtis"
    # The heading row (6), the chapter subtotal (10) and the total row (15) are passed over.
    assert result.skipped == 3
    assert result.total("revenue") == Decimal("3858024.67")
    assert result.total("expenditure") == Decimal("6984568.39")


def test_a_formula_without_a_stored_value_is_an_empty_amount() -> None:
    rows: list[Sequence[Any]] = [[TITLE], [SUBTITLE], [], TOP, BELOW, *LINES]
    result = budget_parse(xlsx_bytes(rows, merges=MERGES), filename="b.xlsx")
    assert _errors(result) == [(11, "I", "amount_empty")]
    assert result.lines == [] and not result.is_valid


def test_the_first_sheet_is_read_and_a_single_header_row_is_enough() -> None:
    rows: list[list[Any]] = [
        ["Direction", "Section", "Chapitre", "Article", "Libellé arabe", "Montant"],
        ["recettes", "fonctionnement", 10, 10, "رسم السكن", 1200],
        ["dépenses", "investissement", "٣٠", "١٠", "تهيئة الطرق", "(not a number)"],
    ]
    result = budget_parse(xlsx_bytes(rows, sheets_before=2), filename="b.xlsx")
    assert result.header_row == 1
    # A whole number in a code cell is its digits; Arabic-Indic digits become Western.
    assert _errors(result) == [(3, "F", "amount")]
    result = budget_parse(xlsx_bytes(rows[:2]), filename="b.xlsx")
    assert [(ln.code, ln.amount, ln.label_fr) for ln in result.lines] == [
        ("10.10", Decimal("1200.00"), "")
    ]


# --- amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 234 567,89", "1234567.89"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567,89", "1234567.89"),
        ("1\u00a0234\u00a0567,89", "1234567.89"),
        ("1\u202f234\u202f567,89", "1234567.89"),
        ("1 234 567", "1234567.00"),
        ("1,234", "1234.00"),
        ("12,5", "12.50"),
        ("0,25", "0.25"),
        ("١٢٣٬٤٥٦٫٧٨", "123456.78"),
        ("۱۲۳", "123.00"),
        ("1 234 DH", "1234.00"),
        ("MAD 99.90", "99.90"),
        ("-123", "-123.00"),
        ("−1 500,50", "-1500.50"),
        ("(123)", "-123.00"),
        ("( 1 000,00 )", "-1000.00"),
        ("123-", "-123.00"),
        ("+5", "5.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        (1234, "1234.00"),
        (1234.5, "1234.50"),
        (0.1 + 0.2, "0.30"),
        (Decimal("7.005"), "7.01"),
    ],
)
def test_amounts_are_read_as_budgets_write_them(raw: Any, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    "raw",
    ["abc", "1.23.456", "12,", ",5", "1,2345", "0,125", "1 2 3", "12a", "--5", "()", "-",
     "1.234,567.89", "1e5", "100000000000000", "1 23 456", "1 234.5,6", True, float("nan"), float("inf")],
)  # fmt: skip
def test_what_is_not_an_amount_is_refused(raw: Any) -> None:
    with pytest.raises(ValueError):
        parse_amount(raw)


# --- headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("LIBELLÉ EN ARABE", "label_ar"),
        ("libelle (fr)", "label_fr"),
        ("البيان بالعربية", "label_ar"),
        ("البيان", "label_ar"),
        ("Intitulé", "label_fr"),
        ("N° du Chapitre", "chapter"),
        ("رقم الفقرة", "paragraph"),
        ("الفصل", "chapter"),
        ("المادة", "article"),
        ("السطر", "line"),
        ("Ligne", "line"),
        ("المبلغ بالدرهم", "amount"),
        ("Montant (DH)", "amount"),
        ("Crédits", "amount"),
        ("amount", "amount"),
        ("Recettes / Dépenses", "direction"),
        ("Sens", "direction"),
        ("الجزء", "section"),
        ("Partie", "section"),
        ("label_ar", "label_ar"),
        ("Observations", None),
        ("", None),
        (None, None),
    ],
)
def test_headings_are_recognised_in_three_languages(heading: Any, field: str | None) -> None:
    assert header_field(heading) == field


def test_folding_drops_accents_diacritics_and_case() -> None:
    assert fold("DÉPENSES d'Équipement") == "depenses d equipement"
    assert fold("المَداخِيلُ") == fold("المداخيل")
    assert fold("الفقرة") == fold("الفقره")
    assert fold("إجمالي") == fold("اجمالي")


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 8, 25, 26, 51, 52)] == ["A", "I", "Z", "AA", "AZ", "BA"]


def test_a_label_heading_merged_over_two_sub_headings() -> None:
    rows: list[list[Any]] = [
        ["Direction", "Section", "Chapitre", "البيان", None, "Montant"],
        [None, None, None, "عربي", "فرنسي", None],
        ["recettes", "fonctionnement", "10", "رسم", "Taxe", "10"],
    ]
    result = budget_parse(xlsx_bytes(rows, merges=("D1:E1",)), filename="b.xlsx")
    assert result.errors == []
    assert result.columns["label_ar"] == "D" and result.columns["label_fr"] == "E"
    assert [(ln.row, ln.label_ar, ln.label_fr) for ln in result.lines] == [(3, "رسم", "Taxe")]


def test_two_amount_columns_are_refused_on_the_header_row() -> None:
    data = budget_csv(
        "recettes;fonctionnement;10;رسم;1;2",
        header="Sens;Partie;Chapitre;Libellé;Prévisions;Réalisations",
    )
    result = budget_parse(data, filename="b.csv")
    assert _errors(result) == [(1, "", "header_duplicate")]


# --- CSV ----------------------------------------------------------------------------------------


def test_a_csv_with_bom_and_semicolons() -> None:
    result = budget_parse(SIMPLE_CSV, filename="budget.csv")
    assert result.is_valid and result.file_type == "csv"
    assert [(ln.row, ln.code, ln.amount) for ln in result.lines] == [
        (2, "10.10", Decimal("1000000.00")),
        (3, "20.10", Decimal("600000.00")),
        (4, "30.10", Decimal("400000.00")),
    ]
    assert result.lines[0].label_ar == "رسم السكن"


def test_a_csv_with_commas_quoted_amounts_and_title_rows() -> None:
    text = "\n".join(
        [
            "Commune d'Aït Melloul,,,,,",
            "Budget 2026,,,,,",
            "Direction,Section,Chapter,Article,Label (FR),Amount",
            'Revenue,Operating,10,10,"Taxe d\'habitation, part communale","1,234,567.89"',
            'Expenditure,Investment,30,010,Voirie,"(1,000.00)"',
        ]
    )
    result = budget_parse(text.encode(), filename="budget.csv", allow_negative=True)
    assert result.errors == [] and result.header_row == 3
    assert [(ln.row, ln.code, ln.amount, ln.label_fr) for ln in result.lines] == [
        (4, "10.10", Decimal("1234567.89"), "Taxe d'habitation, part communale"),
        (5, "30.010", Decimal("-1000.00"), "Voirie"),
    ]


def test_rows_are_counted_as_the_spreadsheet_shows_them() -> None:
    # A quoted label over two lines: the next record starts on line 4 of the file.
    text = CSV_HEADER + '\nrevenue;operating;10;;;;"سطر\nثان";;1\nrevenue;operating;11;;;;x;;bad\n'
    result = budget_parse(text.encode(), filename="b.csv")
    assert _errors(result) == [(4, "I", "amount")]


# --- negative amounts ---------------------------------------------------------------------------

AMENDED = budget_csv(
    "expenditure;operating;20;10;;;الأجور;Salaires;(1 500,00)",
    "expenditure;operating;20;20;;;التحملات;Charges;2 000-",
    "expenditure;investment;30;10;;;الطرق;Voirie;-300",
    "revenue;operating;10;10;;;رسم;Taxe;5 000",
)


def test_negative_adjustments_are_read_for_an_amended_budget() -> None:
    result = budget_parse(AMENDED, filename="rectificatif.csv", allow_negative=True)
    assert result.errors == []
    assert [ln.amount for ln in result.lines] == [
        Decimal("-1500.00"),
        Decimal("-2000.00"),
        Decimal("-300.00"),
        Decimal("5000.00"),
    ]
    assert result.total("expenditure") == Decimal("-3800.00")


def test_negative_amounts_are_errors_in_other_phases() -> None:
    result = budget_parse(AMENDED, filename="b.csv")
    assert _errors(result) == [(2, "I", "amount_negative"), (3, "I", "amount_negative"),
                               (4, "I", "amount_negative")]  # fmt: skip
    assert result.lines == []


# --- bad files and bad rows ---------------------------------------------------------------------


def test_a_pdf_renamed_xlsx_is_refused_by_its_content() -> None:
    result = budget_parse(b"%PDF-1.4\n%%EOF\n", filename="budget.xlsx")
    assert _errors(result) == [(None, "", "file")]
    assert result.checked is None and not result.is_valid


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "budget.xlsx"),
        (b"", "budget.csv"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 30, "budget.csv"),
        (b"direction;amount\n", "budget.exe"),
        (b"direction;amount\n", "../budget.csv"),
        (b"direction;amount\n", "budget.txt"),
    ],
)
def test_empty_foreign_and_misnamed_files_are_refused(data: bytes, name: str) -> None:
    result = budget_parse(data, filename=name)
    assert result.errors and result.errors[0].row is None and not result.is_valid


def test_a_word_document_is_not_a_budget() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    result = budget_parse(buffer.getvalue(), filename="budget.docx")
    assert _errors(result) == [(None, "", "file_type")]


def test_a_damaged_workbook_is_an_error_not_a_crash() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "not xml at all <<<")
    result = budget_parse(buffer.getvalue(), filename="budget.xlsx")
    assert _errors(result) == [(None, "", "damaged")]


def test_a_sheet_without_the_header_names_what_is_missing() -> None:
    data = budget_csv("x;y;10;1", header="Chapitre;Libellé;Montant;Autre")
    with translation.override("fr"):
        result = budget_parse(data, filename="b.csv")
        names = importer.column_names()
        assert _errors(result) == [(None, "", "header")]
        message = result.errors[0].message
        assert str(names["direction"]) in message and str(names["section"]) in message
        assert str(names["amount"]) not in message


def test_a_bad_amount_on_row_7_names_row_7_and_its_column() -> None:
    lines = [list(line) for line in LINES]
    lines[1][8] = "douze mille"  # row 7
    result = budget_parse(budget_xlsx(lines), filename="b.xlsx")
    assert _errors(result) == [(7, "I", "amount")]
    assert result.errors[0].field == "amount" and result.lines == []
    for lang in ("ar", "fr"):
        with translation.override(lang):
            expected = gettext("Row %(row)d, column %(column)s: %(message)s") % {
                "row": 7,
                "column": "I",
                "message": result.errors[0].message,
            }
            assert str(result.errors[0]) == expected


def test_every_bad_row_is_reported_at_once() -> None:
    data = budget_csv(
        "revenue;operating;10;10;;;رسم;Taxe;",  # 2: empty amount
        "revenue;operating;10;11;;;رسم;Taxe;12,345",  # 3: three decimals → thousands: fine
        "revenue;maybe;10;12;;;رسم;Taxe;5",  # 4: section
        "sideways;operating;10;13;;;رسم;Taxe;5",  # 5: direction
        "revenue;operating;10;;01;;رسم;Taxe;5",  # 6: paragraph without an article
        "revenue;operating;10;14;;;;;5",  # 7: no label
        "revenue;operating;1 0;15;;;رسم;Taxe;5",  # 8: a code with a space
        "revenue;operating;10;10;;;رسم;Taxe;7",  # 9: the line of row 2 again
        ";;;;;;رسم بلا رمز;;5",  # 10: an amount without a chapter
        "revenue;operating;10;16;;;" + "ب" * 301 + ";;5",  # 11: label too long
    )
    result = budget_parse(data, filename="b.csv")
    assert _errors(result) == [
        (4, "B", "section"),
        (5, "A", "direction"),
        (6, "E", "code_gap"),
        (8, "C", "code"),
        (10, "C", "chapter_missing"),
        (11, "G", "label"),
        (9, "C", "duplicate"),
        (2, "I", "amount_empty"),
        (7, "G", "label_missing"),
    ]


def test_a_direction_written_once_for_a_block_is_repeated_but_must_start_somewhere() -> None:
    data = budget_csv(";operating;10;10;;;رسم;Taxe;5", "revenue;;10;11;;;رسم;Taxe;5")
    assert _errors(budget_parse(data, filename="b.csv")) == [(2, "A", "direction_missing")]


def test_a_subtotal_must_equal_its_lines() -> None:
    data = budget_csv(
        "revenue;operating;10;;;;الفصل 10;Chapitre 10;1 500",
        "revenue;operating;10;10;;;رسم;Taxe;1 000",
        "revenue;operating;10;20;;;رسم;Taxe;400",
    )
    result = budget_parse(data, filename="b.csv")
    assert _errors(result) == [(2, "I", "subtotal")]


def test_errors_stop_at_the_cap() -> None:
    rows = [f"revenue;operating;{n};;;;رسم;Taxe;bad" for n in range(10, 400)]
    result = budget_parse(budget_csv(*rows), filename="b.csv")
    assert len(result.errors) == importer.MAX_ERRORS and result.truncated
    assert [e.row for e in result.errors[:3]] == [2, 3, 4]


def test_the_row_and_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "MAX_ROWS", 2)
    result = budget_parse(SIMPLE_CSV, filename="b.csv")
    assert _errors(result) == [(4, "", "too_many_rows")]
    monkeypatch.setattr(importer, "MAX_BYTES", 100)
    result = budget_parse(SIMPLE_CSV, filename="b.csv")
    assert _errors(result) == [(None, "", "file")]


def test_empty_formatted_rows_end_the_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "MAX_EMPTY_RUN", 3)
    data = SIMPLE_CSV + b";;;;;;;;\r\n" * 3 + b"revenue;operating;99;;;;x;;bad\r\n"
    result = budget_parse(data, filename="b.csv")
    assert result.errors == [] and len(result.lines) == 3


def test_a_file_of_headings_only_has_no_lines() -> None:
    result = budget_parse(budget_csv(), filename="b.csv")
    assert _errors(result) == [(None, "", "no_lines")]
    result = budget_parse(b";;;\n;;;\n", filename="b.csv")
    assert _errors(result) == [(None, "", "empty")]
