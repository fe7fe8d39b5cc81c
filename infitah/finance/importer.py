"""Reading a budget spreadsheet (CSV or XLSX) into budget lines: pure parsing, nothing
written.

`budget_parse(data, filename=...)` checks the file by its content
(`infitah.lib.uploads.check_upload`: a CSV or an XLSX, nothing else), finds the header
row, reads every line and returns a `ParseResult`: the lines, and every error with the
spreadsheet row and column it is on (at most `MAX_ERRORS`). A caller imports only a
result without errors.

The layout is the collectivity budget's structure, one line per row, in columns found
by their headings (Arabic, French or English, whatever the case, accents or Arabic
diacritics): direction (revenue / expenditure), section (operating / investment),
chapter, article, paragraph, line, label in Arabic, label in French, amount. The
columns may come in any order; article, paragraph, line and one of the two labels may
be absent.

What real budget sheets do, and how it is read:
- title rows above the header: the header is the first row (of the first
  `HEADER_SCAN`) that names the required columns;
- a header on two rows, with merged cells (a heading spanning two rows, or one spanning
  several columns over sub-headings such as "Chapitre / Article" or "عربي / Français"):
  a second header row is read with the first; an empty cell of the first row above a
  sub-heading takes the heading on its left (the merged cell);
- direction and section written once for a block (merged cells down the column): an
  empty direction or section repeats the row above;
- heading rows (no code, no amount) and total rows (no code, a label saying "total",
  "المجموع"…) are skipped; a row whose code has sub-lines in the file (a chapter above
  its articles) is a subtotal: not imported, and when it carries an amount, that amount
  must equal the sum of its lines;
- codes are text, leading zeros kept ("010"); a code cell holding a number is read as
  the whole number;
- amounts: numbers, or text with thousands separators (space, no-break spaces, "." or
  "," with the other one as the decimal mark: `1 234 567,89`, `1,234,567.89`,
  `1.234.567,89`), Arabic-Indic digits, an optional currency (DH, MAD, درهم);
  negative as `-123`, `(123)` or `123-` (reductions of an amended budget, refused
  unless `allow_negative`); an empty amount on a line is an error; a formula is read
  by the value the spreadsheet program stored with it.

A file counts at most `MAX_ROWS` filled rows; a line may not appear twice (same
direction, section and code).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from infitah.finance.models import CODE_MAX, TITLE_MAX
from infitah.finance.workflow import Direction, Section
from infitah.lib.uploads import CheckedUpload, check_upload, decode_text

# The largest file read (bytes), and the most filled rows in it.
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Errors collected before the reading stops.
MAX_ERRORS = 200
# The header is looked for in the first rows only.
HEADER_SCAN = 30
# Columns read per row (a budget sheet has about ten).
MAX_COLUMNS = 60
# So many empty rows in a row end the sheet (formatted but empty rows down to 1,048,576).
MAX_EMPTY_RUN = 1_000
# The largest amount (max_digits=16, decimal_places=2 in the database).
AMOUNT_LIMIT = Decimal(10) ** 14

FILE_TYPES = frozenset({"csv", "xlsx"})
CENT = Decimal("0.01")

Cell = Any

# --- text folding ----------------------------------------------------------------------------

# Arabic letters written two ways, and the tatweel.
_ARABIC_FOLD = str.maketrans({"ة": "ه", "ى": "ي", "ـ": None})
_NON_WORD = re.compile(r"[\W_]+")
# Arabic-Indic and Eastern Arabic-Indic digits, the Arabic decimal and thousands marks.
_DIGITS = str.maketrans(
    {
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "٫": ".",
        "٬": "",
        "−": "-",
    }
)


def fold(text: object) -> str:
    """`text` for comparison: no accents nor Arabic diacritics, lower case, one
    spelling of ة/ه, ى/ي and of hamza-bearing alefs, punctuation as spaces."""
    value = unicodedata.normalize("NFKD", str(text))
    value = "".join(char for char in value if not unicodedata.combining(char))
    value = value.casefold().translate(_ARABIC_FOLD)
    return " ".join(_NON_WORD.sub(" ", value).split())


def _words(*phrases: str) -> frozenset[str]:
    return frozenset(fold(phrase) for phrase in phrases)


# --- header vocabulary ---------------------------------------------------------------------

FIELDS = (
    "direction",
    "section",
    "chapter",
    "article",
    "paragraph",
    "line",
    "label_ar",
    "label_fr",
    "amount",
)
CODE_FIELDS = ("chapter", "article", "paragraph", "line")
REQUIRED = ("direction", "section", "chapter", "amount")

# Words that say nothing about which column it is ("N° du chapitre", "رقم الفصل").
_FILLER = _words(
    "n", "no", "nr", "num", "numero", "number", "code", "de", "du", "des", "la", "le", "les",
    "l", "d", "en", "of", "the", "رقم", "في", "dh", "mad", "درهم", "dirhams", "en dh",
)  # fmt: skip
_AMOUNT = _words(
    "montant", "montants", "amount", "amounts", "credit", "credits", "credits ouverts",
    "prevision", "previsions", "realisation", "realisations", "المبلغ", "مبلغ", "المبالغ",
    "الاعتمادات", "اعتمادات", "الاعتماد",
)  # fmt: skip
_LABEL = _words(
    "libelle", "libelles", "intitule", "intitules", "label", "designation", "البيان",
    "بيان", "التسمية", "تسمية", "المضمون", "مضمون",
)  # fmt: skip
_IN_ARABIC = _words("arabe", "arabic", "ar", "عربي", "عربية", "العربية", "بالعربية")
_IN_FRENCH = _words("francais", "french", "fr", "فرنسي", "فرنسية", "الفرنسية", "بالفرنسية")
_DIRECTION = _words(
    "direction", "sens", "nature", "type", "النوع", "الطبيعة", "الاتجاه", "مداخيل نفقات",
    "recettes depenses", "revenue expenditure",
)  # fmt: skip
_SECTION = _words(
    "section", "partie", "part", "الجزء", "جزء", "القسم", "fonctionnement investissement",
    "operating investment", "التسيير التجهيز",
)  # fmt: skip
_CODES: dict[str, frozenset[str]] = {
    "chapter": _words("chapitre", "chapter", "الفصل", "فصل"),
    "article": _words("article", "المادة", "مادة"),
    "paragraph": _words("paragraphe", "paragraph", "الفقرة", "فقرة"),
    "line": _words("ligne", "line", "rubrique", "السطر", "سطر"),
}
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")

# Values of the direction and section columns.
_REVENUE = _words(
    "revenue", "revenues", "recette", "recettes", "receipts", "produits", "مداخيل",
    "المداخيل", "موارد", "الموارد", "ايرادات", "الايرادات",
)  # fmt: skip
_EXPENDITURE = _words(
    "expenditure", "expenditures", "expense", "expenses", "depense", "depenses",
    "charges", "نفقات", "النفقات", "مصاريف", "المصاريف",
)  # fmt: skip
_OPERATING = _words("operating", "operation", "fonctionnement", "التسيير", "تسيير")
_INVESTMENT = _words(
    "investment", "investissement", "equipement", "capital", "التجهيز", "تجهيز",
    "الاستثمار", "استثمار",
)  # fmt: skip
# Labels of total rows (no code): skipped.
_TOTAL = _words("total", "totaux", "sous total", "مجموع", "المجموع", "المجموع العام")

_CURRENCY = re.compile(r"(?i)(?:\bmad\b|\bdhs?\b|درهم|د\.م\.?)")


def _tokens(text: str) -> set[str]:
    return set(text.split())


def _has(tokens: set[str], phrases: frozenset[str]) -> bool:
    """Whether every word of one of `phrases` is among `tokens`."""
    return any(set(phrase.split()) <= tokens for phrase in phrases)


def header_field(text: object) -> str | None:
    """Which column a heading names (one of FIELDS), or None."""
    folded = fold(text) if text is not None else ""
    tokens = _tokens(folded) - _FILLER
    if not tokens:
        return None
    if _has(tokens, _AMOUNT):
        return "amount"
    is_label = _has(tokens, _LABEL)
    in_arabic = _has(tokens, _IN_ARABIC)
    in_french = _has(tokens, _IN_FRENCH)
    if is_label or ((in_arabic or in_french) and len(tokens) == 1):
        if in_arabic and not in_french:
            return "label_ar"
        if in_french and not in_arabic:
            return "label_fr"
        if is_label and not in_arabic and not in_french:
            return "label_ar" if _ARABIC_SCRIPT.search(folded) else "label_fr"
        return None
    if _has(tokens, _DIRECTION):
        return "direction"
    if _has(tokens, _SECTION):
        return "section"
    for name, words in _CODES.items():
        if _has(tokens, words):
            return name
    return None


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParseError:
    """One problem: its spreadsheet row (None for the whole file) and column (its letter
    and the field it holds, "" when the problem is not one column's)."""

    row: int | None
    column: str
    field: str
    message: str
    code: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        if self.column:
            return _("Row %(row)d, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass(frozen=True)
class ParsedLine:
    """One line of the budget as read (its row in the spreadsheet, for messages)."""

    row: int
    direction: str
    section: str
    chapter: str
    article: str
    paragraph: str
    line: str
    label_ar: str
    label_fr: str
    amount: Decimal

    @property
    def code(self) -> str:
        """chapter.article.paragraph.line, as far as given."""
        return ".".join(part for part in self.parts if part)

    @property
    def parts(self) -> tuple[str, str, str, str]:
        return (self.chapter, self.article, self.paragraph, self.line)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.direction, self.section, self.code)


@dataclass
class ParseResult:
    file_type: str = ""
    checked: CheckedUpload | None = None
    header_row: int | None = None
    # Field -> the column letter it was read from.
    columns: dict[str, str] = field(default_factory=dict)
    lines: list[ParsedLine] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    # More errors than MAX_ERRORS: the reading stopped.
    truncated: bool = False
    # Subtotal, total and heading rows passed over.
    skipped: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and self.checked is not None

    def total(self, direction: str) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.direction == direction), Decimal(0))


class _Full(Exception):
    """MAX_ERRORS reached."""


class _Collector:
    def __init__(self, result: ParseResult) -> None:
        self.result = result

    def add(
        self, row: int | None, message: str, code: str, *, column: str = "", name: str = ""
    ) -> None:
        if len(self.result.errors) >= MAX_ERRORS:
            self.result.truncated = True
            raise _Full
        self.result.errors.append(ParseError(row, column, name, message, code))


def column_letter(index: int) -> str:
    """The spreadsheet letter of column `index` (0 → A, 26 → AA)."""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- cell values -----------------------------------------------------------------------------


def _text(value: Cell) -> str:
    """A cell as stripped text ("" when empty); whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def parse_amount(value: Cell) -> Decimal:
    """The amount in a cell, to the cent. ValueError (with a message) when it is not one;
    None is not handled here (an empty cell)."""
    if isinstance(value, (bool, datetime, date, time)):
        raise ValueError(_("This is not an amount."))
    if isinstance(value, (int, float, Decimal)):
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation as exc:
            raise ValueError(_("This is not an amount.")) from exc
        if not number.is_finite():
            raise ValueError(_("This is not an amount."))
        return _bounded(number.quantize(CENT, rounding=ROUND_HALF_UP))
    return _bounded(_parse_amount_text(str(value)))


def _bounded(number: Decimal) -> Decimal:
    if abs(number) >= AMOUNT_LIMIT:
        raise ValueError(_("This amount is too large."))
    return number + 0  # no negative zero


def _parse_amount_text(raw: str) -> Decimal:
    text = _CURRENCY.sub(" ", raw.translate(_DIGITS)).strip()
    bad = ValueError(_("“%(value)s” is not an amount.") % {"value": raw.strip()[:40]})
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    elif text.startswith("-"):
        negative, text = True, text[1:]
    elif text.endswith("-"):
        negative, text = True, text[:-1]
    elif text.startswith("+"):
        text = text[1:]
    # Spaces (any: no-break, narrow, thin) and apostrophes separate thousands.
    text = " ".join(re.sub(r"'", " ", text).split())
    if not text or not re.fullmatch(r"[0-9., ]+", text) or not re.search(r"[0-9]", text):
        raise bad
    if " " in text:
        if text.count(",") + text.count(".") > 1:
            raise bad
        decimal_mark, thousands = ("," if "," in text else "." if "." in text else ""), " "
    else:
        decimal_mark, thousands = _marks(text)
    integer, _sep, decimals = text.rpartition(decimal_mark) if decimal_mark else (text, "", "")
    if decimal_mark and (not decimals or not integer):
        raise bad
    if len(decimals) > 2:
        raise ValueError(_("An amount has at most two decimals (cents)."))
    if thousands:
        groups = integer.split(thousands)
        if not (1 <= len(groups[0]) <= 3) or any(len(group) != 3 for group in groups[1:]):
            raise bad
        integer = "".join(groups)
    if not integer.isdigit() or (decimals and not decimals.isdigit()):
        raise bad
    number = Decimal(f"{integer}.{decimals or '0'}").quantize(CENT)
    return -number if negative else number


def _marks(text: str) -> tuple[str, str]:
    """(decimal mark, thousands separator) of a number written with "." and ","."""
    has_comma, has_dot = "," in text, "." in text
    if has_comma and has_dot:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        if text.count(decimal_mark) > 1:
            return "", thousands  # the check of the groups refuses it
        return decimal_mark, thousands
    for mark in (",", "."):
        if mark in text:
            if text.count(mark) > 1:
                return "", mark
            integer, _sep, after = text.partition(mark)
            # One mark before exactly three digits: thousands (a budget has cents, not
            # thousandths), unless it follows a lone 0.
            if len(after) == 3 and integer not in ("", "0"):
                return "", mark
            return mark, ""
    return "", ""


def _code(value: Cell) -> str:
    """A code as written (digits, letters, dots or dashes), Arabic-Indic digits made
    Western; ValueError when it holds anything else."""
    if isinstance(value, (bool, datetime, date, time)):
        raise ValueError(_("A code is made of digits (and letters)."))
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(_("A code is made of digits (and letters)."))
    text = _text(value).translate(_DIGITS)
    if not text:
        return ""
    if len(text) > CODE_MAX:
        raise ValueError(_("A code has at most %(max)d characters.") % {"max": CODE_MAX})
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z\-]*", text):
        raise ValueError(_("A code is made of digits (and letters)."))
    return text


def _label(value: Cell) -> str:
    text = _text(value)
    if "\x00" in text:
        raise ValueError(_("This text contains a forbidden character."))
    if len(text) > TITLE_MAX:
        raise ValueError(_("At most %(max)d characters.") % {"max": TITLE_MAX})
    return text


def direction_of(value: Cell) -> str | None:
    tokens = _tokens(fold(_text(value)))
    revenue, expenditure = _has(tokens, _REVENUE), _has(tokens, _EXPENDITURE)
    if revenue != expenditure:
        return (Direction.REVENUE if revenue else Direction.EXPENDITURE).value
    return None


def section_of(value: Cell) -> str | None:
    tokens = _tokens(fold(_text(value)))
    operating, investment = _has(tokens, _OPERATING), _has(tokens, _INVESTMENT)
    if operating != investment:
        return (Section.OPERATING if operating else Section.INVESTMENT).value
    return None


# --- rows of the two formats -----------------------------------------------------------------

Row = tuple[int, list[Cell]]


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            return
        sheet = workbook.worksheets[0]
        for number, values in enumerate(
            sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            yield number, list(values)
    finally:
        workbook.close()


def _csv_delimiter(text: str) -> str:
    """ ";" or "," (or a tab): the one that splits the first lines into most columns."""
    sample = text.splitlines()[:HEADER_SCAN]
    best, width = ";", 0
    for delimiter in (";", ",", "\t"):
        try:
            rows = list(csv.reader(sample, delimiter=delimiter))
        except csv.Error:
            continue
        found = max((len(row) for row in rows), default=0)
        if found > width:
            best, width = delimiter, found
    return best


def _csv_rows(text: str) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_csv_delimiter(text))
    start = 1
    for values in reader:
        yield start, values[:MAX_COLUMNS]
        start = reader.line_num + 1


# --- the header ------------------------------------------------------------------------------


@dataclass
class _Header:
    rows: int  # 1 or 2
    row: int  # the (first) header row's number
    columns: dict[str, int]  # field -> column index
    duplicates: dict[str, list[int]]
    headings: dict[int, str]


def _fields_of(first: Sequence[Cell], second: Sequence[Cell] | None) -> _Header:
    columns: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    headings: dict[int, str] = {}
    width = max(len(first), len(second or ()))
    carried = ""
    for index in range(width):
        top = _text(first[index]) if index < len(first) else ""
        below = _text(second[index]) if second is not None and index < len(second) else ""
        if top:
            carried = top
        elif not below:
            carried = ""
        name = None
        heading = below or top
        if second is not None and below:
            name = header_field(below)
            if name is None and top:
                name, heading = header_field(top), top
            if name is None and carried:
                heading = f"{carried} {below}"
                name = header_field(heading)
        elif top:
            name = header_field(top)
        if name is None:
            continue
        headings[index] = heading
        if name in columns:
            duplicates.setdefault(name, [columns[name]]).append(index)
        else:
            columns[name] = index
    return _Header(1 if second is None else 2, 0, columns, duplicates, headings)


def _is_complete(header: _Header) -> bool:
    found = header.columns
    return all(name in found for name in REQUIRED) and ("label_ar" in found or "label_fr" in found)


def _header_find(head: Sequence[Row]) -> _Header | None:
    """The header: the first row naming the required columns, read with the next row
    when that row adds sub-headings; or a pair of rows that name them only together."""
    for position, (number, values) in enumerate(head):
        following = head[position + 1][1] if position + 1 < len(head) else None
        alone = _fields_of(values, None)
        if _is_complete(alone):
            if following is not None and not _has_amount(following, alone):
                paired = _fields_of(values, following)
                if len(paired.columns) > len(alone.columns) and _is_complete(paired):
                    paired.row = number
                    return paired
            alone.row = number
            return alone
        if following is not None and not _has_amount(following, alone):
            paired = _fields_of(values, following)
            if _is_complete(paired) and not _is_complete(_fields_of(following, None)):
                paired.row = number
                return paired
    return None


def _has_amount(values: Sequence[Cell], header: _Header) -> bool:
    """Whether `values` holds an amount under the amount column `header` found (a data
    row, not a second header row)."""
    index = header.columns.get("amount")
    if index is None or index >= len(values) or values[index] is None:
        return False
    try:
        parse_amount(values[index])
    except ValueError:
        return False
    return True


def _header_missing(head: Sequence[Row]) -> list[str]:
    """The required columns the best-looking row lacks (for the message)."""
    best: set[str] = set()
    for position, (_number, values) in enumerate(head):
        following = head[position + 1][1] if position + 1 < len(head) else None
        for found in (_fields_of(values, None), _fields_of(values, following)):
            if len(found.columns) > len(best):
                best = set(found.columns)
    missing = [name for name in REQUIRED if name not in best]
    if "label_ar" not in best and "label_fr" not in best:
        missing.append("label")
    return missing


def column_names() -> dict[str, str]:
    """The human names of the columns, for messages and the import form's help."""
    return {
        "direction": _("direction (revenue or expenditure)"),
        "section": _("section (operating or investment)"),
        "chapter": _("chapter"),
        "article": _("article"),
        "paragraph": _("paragraph"),
        "line": _("line"),
        "label_ar": _("label in Arabic"),
        "label_fr": _("label in French"),
        "label": _("label (in Arabic or in French)"),
        "amount": _("amount"),
    }


# --- the parse -------------------------------------------------------------------------------


@dataclass
class _Raw:
    row: int
    direction: str
    section: str
    parts: tuple[str, str, str, str]
    label_ar: str
    label_fr: str
    amount: Decimal | None
    columns: dict[str, str]

    @property
    def code(self) -> str:
        return ".".join(part for part in self.parts if part)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.direction, self.section, self.code)


def budget_parse(data: bytes, *, filename: str, allow_negative: bool = False) -> ParseResult:
    """Read a budget spreadsheet; see the module docstring. Negative amounts are errors
    unless `allow_negative` (an amended budget's reductions)."""
    result = _Collector(ParseResult())
    with contextlib.suppress(_Full):
        _parse(data, filename, allow_negative, result)
    return result.result


def _parse(data: bytes, filename: str, allow_negative: bool, errors: _Collector) -> None:
    result = errors.result
    try:
        checked = check_upload(io.BytesIO(data), name=filename, max_bytes=MAX_BYTES)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add(None, message, "file")
        return
    if checked.file_type not in FILE_TYPES:
        errors.add(
            None,
            _("Import the budget as a CSV or an Excel (XLSX) spreadsheet."),
            "file_type",
        )
        return
    result.file_type = checked.file_type
    if checked.file_type == "csv":
        text = decode_text(data, allow_legacy=True)
        if text is None:
            errors.add(None, _("The CSV file is not text in UTF-8."), "encoding")
            return
        rows: Iterator[Row] = _csv_rows(text)
    else:
        rows = _xlsx_rows(data)
    try:
        raws = _read(rows, errors)
    except _Full:
        raise
    except csv.Error as exc:
        errors.add(None, _("The CSV file cannot be read: %(error)s") % {"error": exc}, "csv")
        return
    except Exception:  # openpyxl raises many kinds on a damaged workbook
        errors.add(None, _("The spreadsheet cannot be read: it may be damaged."), "damaged")
        return
    if raws is None:
        return
    _finish(raws, allow_negative, errors)
    if result.errors:
        result.lines = []
        return
    result.checked = checked


def _read(rows: Iterator[Row], errors: _Collector) -> list[_Raw] | None:
    """The rows below the header as raw lines (codes and labels checked, amounts read);
    None when there is no header."""
    result = errors.result
    head: list[Row] = []
    for row in rows:
        head.append(row)
        if len(head) >= HEADER_SCAN:
            break
    if not any(any(_text(value) for value in values) for _number, values in head):
        errors.add(None, _("The file holds no data."), "empty")
        return None
    header = _header_find(head)
    if header is None:
        names = column_names()
        missing = ", ".join(str(names[name]) for name in _header_missing(head))
        errors.add(
            None,
            _(
                "No header row names the budget's columns in the first %(rows)d rows; "
                "missing: %(missing)s."
            )
            % {"rows": HEADER_SCAN, "missing": missing},
            "header",
        )
        return None
    result.header_row = header.row
    result.columns = {name: column_letter(index) for name, index in header.columns.items()}
    if header.duplicates:
        names = column_names()
        for name, indexes in header.duplicates.items():
            errors.add(
                header.row,
                _("Several columns are read as “%(name)s”: %(columns)s; keep one.")
                % {
                    "name": names[name],
                    "columns": ", ".join(
                        f"{column_letter(i)} «{header.headings.get(i, '')}»" for i in indexes
                    ),
                },
                "header_duplicate",
            )
        return None
    first_data = header.row + header.rows

    def remaining() -> Iterator[Row]:
        for row in head:
            if row[0] >= first_data:
                yield row
        yield from rows

    raws: list[_Raw] = []
    filled = 0
    empty_run = 0
    state = {"direction": "", "section": ""}
    for number, values in remaining():
        if not any(_text(value) for value in values):
            empty_run += 1
            if empty_run >= MAX_EMPTY_RUN:
                break
            continue
        empty_run = 0
        filled += 1
        if filled > MAX_ROWS:
            errors.add(
                number,
                _("The file has more than %(max)d rows: split it.") % {"max": MAX_ROWS},
                "too_many_rows",
            )
            return None
        raw = _row(number, values, header.columns, state, errors)
        if raw is not None:
            raws.append(raw)
        else:
            result.skipped += 1
    return raws


def _row(
    number: int,
    values: Sequence[Cell],
    columns: dict[str, int],
    state: dict[str, str],
    errors: _Collector,
) -> _Raw | None:
    """One row as a raw line; None for a heading or total row (or a row with errors,
    which are recorded)."""
    letters = {name: column_letter(index) for name, index in columns.items()}

    def cell(name: str) -> Cell:
        index = columns.get(name)
        if index is None or index >= len(values):
            return None
        value = values[index]
        return None if isinstance(value, str) and not value.strip() else value

    def error(name: str, message: str, code: str) -> None:
        errors.add(number, message, code, column=letters.get(name, ""), name=name)

    bad = False
    parts: list[str] = []
    for name in CODE_FIELDS:
        try:
            parts.append(_code(cell(name)))
        except ValueError as exc:
            error(name, str(exc), "code")
            parts.append("")
            bad = True
    labels: dict[str, str] = {}
    for name in ("label_ar", "label_fr"):
        try:
            labels[name] = _label(cell(name))
        except ValueError as exc:
            error(name, str(exc), "label")
            labels[name] = ""
            bad = True
    raw_amount = cell("amount")
    amount: Decimal | None = None
    if raw_amount is not None:
        try:
            amount = parse_amount(raw_amount)
        except ValueError as exc:
            error("amount", str(exc), "amount")
            bad = True
    # The direction and section of a block are written once (merged cells down).
    for name, reader in (("direction", direction_of), ("section", section_of)):
        value = cell(name)
        if value is None:
            continue
        understood = reader(value)
        if understood is None:
            if name == "direction":
                message = _("“%(value)s” is neither revenue nor expenditure.")
            else:
                message = _("“%(value)s” is neither operating nor investment.")
            error(name, message % {"value": _text(value)[:40]}, name)
            bad = True
            state[name] = ""
        else:
            state[name] = understood
    if not any(parts):
        if raw_amount is None or _is_total(labels):
            return None  # a heading, a total
        if not bad:
            error("chapter", _("The chapter is missing."), "chapter_missing")
        return None
    gap = next((i for i in range(1, 4) if parts[i] and not all(parts[:i])), None)
    if gap is not None and all(parts[i] or cell(CODE_FIELDS[i]) is None for i in range(4)):
        names = column_names()
        missing = next(CODE_FIELDS[i] for i in range(gap) if not parts[i])
        error(
            CODE_FIELDS[gap],
            _("The “%(part)s” column is filled but the “%(missing)s” column is empty.")
            % {"part": names[CODE_FIELDS[gap]], "missing": names[missing]},
            "code_gap",
        )
        bad = True
    for name in ("direction", "section"):
        if not state[name] and cell(name) is None:
            message = (
                _("The direction (revenue or expenditure) is missing.")
                if name == "direction"
                else _("The section (operating or investment) is missing.")
            )
            error(name, message, f"{name}_missing")
            bad = True
    if bad:
        return None
    return _Raw(
        row=number,
        direction=state["direction"],
        section=state["section"],
        parts=(parts[0], parts[1], parts[2], parts[3]),
        label_ar=labels["label_ar"],
        label_fr=labels["label_fr"],
        amount=amount,
        columns=letters,
    )


def _is_total(labels: dict[str, str]) -> bool:
    return any(_has(_tokens(fold(text)), _TOTAL) for text in labels.values())


def _finish(raws: list[_Raw], allow_negative: bool, errors: _Collector) -> None:
    """Duplicates, subtotals (checked against their lines), empty and negative amounts;
    the lines into the result."""
    result = errors.result
    seen: dict[tuple[str, str, str], int] = {}
    prefixes: set[tuple[str, str, str]] = set()
    for raw in raws:
        if raw.key in seen:
            errors.add(
                raw.row,
                _("This line (%(code)s) is already on row %(first)d.")
                % {"code": raw.code, "first": seen[raw.key]},
                "duplicate",
                column=raw.columns.get("chapter", ""),
                name="chapter",
            )
            continue
        seen[raw.key] = raw.row
        given = [part for part in raw.parts if part]
        for depth in range(1, len(given)):
            prefixes.add((raw.direction, raw.section, ".".join(given[:depth])))
    leaves = [raw for raw in raws if raw.key not in prefixes]
    sums: dict[tuple[str, str, str], Decimal] = {}
    # Subtotals with a line whose amount is missing (an error already): not checked.
    unknown: set[tuple[str, str, str]] = set()
    for raw in leaves:
        given = [part for part in raw.parts if part]
        for depth in range(1, len(given)):
            key = (raw.direction, raw.section, ".".join(given[:depth]))
            sums[key] = sums.get(key, Decimal(0)) + (raw.amount or Decimal(0))
            if raw.amount is None:
                unknown.add(key)
    for raw in raws:
        if raw.key in prefixes:
            result.skipped += 1
            if raw.key in unknown or raw.amount is None:
                continue
            if raw.amount != sums.get(raw.key, Decimal(0)):
                errors.add(
                    raw.row,
                    _("This subtotal (%(code)s) is %(amount)s but its lines add up to %(sum)s.")
                    % {"code": raw.code, "amount": raw.amount, "sum": sums.get(raw.key, 0)},
                    "subtotal",
                    column=raw.columns.get("amount", ""),
                    name="amount",
                )
    lines: list[ParsedLine] = []
    for raw in leaves:
        if seen.get(raw.key) != raw.row:
            continue  # a duplicate, reported
        column = raw.columns.get("amount", "")
        if raw.amount is None:
            errors.add(
                raw.row, _("The amount is empty."), "amount_empty", column=column, name="amount"
            )
            continue
        if raw.amount < 0 and not allow_negative:
            errors.add(
                raw.row,
                _("A negative amount is accepted only in an amended budget."),
                "amount_negative",
                column=column,
                name="amount",
            )
            continue
        if not raw.label_ar and not raw.label_fr:
            errors.add(
                raw.row,
                _("The line has no label (in Arabic or in French)."),
                "label_missing",
                column=raw.columns.get("label_ar") or raw.columns.get("label_fr", ""),
                name="label_ar" if "label_ar" in raw.columns else "label_fr",
            )
            continue
        lines.append(
            ParsedLine(
                row=raw.row,
                direction=raw.direction,
                section=raw.section,
                chapter=raw.parts[0],
                article=raw.parts[1],
                paragraph=raw.parts[2],
                line=raw.parts[3],
                label_ar=raw.label_ar,
                label_fr=raw.label_fr,
                amount=raw.amount,
            )
        )
    if not lines and not result.errors:
        errors.add(None, _("The file holds no budget line below its header."), "no_lines")
    result.lines = lines
    for direction in Direction.values:
        if abs(result.total(direction)) >= AMOUNT_LIMIT:
            errors.add(None, _("The total of the file is too large."), "total_too_large")
