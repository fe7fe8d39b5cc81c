"""The CSV of commitments and milestones: one layout, formula-safe, export → import →
export byte-identical (Arabic, commas, quotes, line breaks, formula-looking cells), an
unchanged file changes nothing, errors by line and column with nothing imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from infitah.accounts.models import User
from infitah.ledger.models import Event
from infitah.openplan import exchange
from infitah.openplan.models import Commitment, Milestone, Programme
from infitah.openplan.services import adoption, core
from infitah.openplan.tests.conftest import PROGRAMME_DATA, MakeItem
from infitah.openplan.tests.test_exchange_json import AWKWARD, realistic
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db

ImportCall = Callable[[Programme, bytes], exchange.ImportResult]


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith(exchange.BOM)
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...] = exchange.CSV_COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (exchange.BOM + buffer.getvalue()).encode("utf-8")


@pytest.fixture
def load(focal_point: User) -> ImportCall:
    def run(programme: Programme, data: bytes) -> exchange.ImportResult:
        return exchange.commitments_import(programme=programme, actor=focal_point, data=data)

    return run


def _snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    commitments = list(
        Commitment.objects.order_by("pk").values_list(*core.COMMITMENT_FIELDS, "number")
    )
    milestones = list(
        Milestone.objects.order_by("pk").values_list(*core.MILESTONE_FIELDS, "progress")
    )
    return commitments, milestones, Event.objects.count()


def test_the_layout(programme: Programme, focal_point: User) -> None:
    realistic(programme, focal_point, commitments=len(AWKWARD))
    text = exchange.commitments_csv(programme)
    assert text.startswith(exchange.BOM + ",".join(exchange.CSV_COLUMNS) + "\r\n")
    rows = _rows(text)
    assert [r["type"] for r in rows[:6]] == ["commitment"] + ["milestone"] * 5
    assert [r["key"] for r in rows[:6]] == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "1.3"]
    first = rows[0]
    assert (first["axis"], first["budget"], first["value_access"], first["tag_technology"]) == (
        "1",
        "150000.50",
        "1",
        "0",
    )
    assert (first["progress"], first["status"]) == ("25.00", "limited")
    assert (rows[1]["order"], rows[1]["weight"], rows[1]["budget"]) == ("1", "3.00", "")
    assert rows[4]["status"] == "cancelled"
    # No text cell a spreadsheet would run: each such text has its apostrophe.
    for row in rows:
        for name in exchange.TEXTS:
            assert not row[name].startswith(("=", "+", "-", "@", "\t", "\r")), (name, row[name])
    assert rows[0]["budget_line"] == "'=2.3.1"
    titles = [r["problem_ar"] for r in rows if r["type"] == "commitment"]
    assert titles[1] == "'" + AWKWARD[1] and titles[6] == "''=1+1"
    assert titles[5] == "''déjà entre apostrophes'"


def test_export_import_export_is_byte_identical_and_changes_nothing(
    programme: Programme, focal_point: User, load: ImportCall
) -> None:
    realistic(programme, focal_point, commitments=len(AWKWARD))
    exported = exchange.commitments_csv(programme).encode("utf-8")
    before = _snapshot()
    result = load(programme, exported)
    assert result.ok
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == len(_rows(exported.decode()))
    assert _snapshot() == before  # not even a ledger event
    assert exchange.commitments_csv(programme).encode("utf-8") == exported
    # Without the byte-order mark, and with the read-only columns left out: the same.
    rows = _rows(exported.decode())
    columns = tuple(c for c in exchange.CSV_COLUMNS if c not in exchange.READ_ONLY)
    plain = _csv([{k: v for k, v in r.items() if k in columns} for r in rows], columns)
    assert load(programme, plain[len(exchange.BOM.encode()) :]).ok
    assert _snapshot() == before


def test_import_into_an_empty_programme_recreates_everything_but_progress(
    programme: Programme,
    focal_point: User,
    collectivity_a: Collectivity,
    load: ImportCall,
) -> None:
    realistic(programme, focal_point, commitments=len(AWKWARD))
    exported = exchange.commitments_csv(programme)
    other = core.programme_create(
        collectivity=collectivity_a, actor=focal_point, data=PROGRAMME_DATA
    )
    for title in ("الحكامة", "الثقافة"):
        core.axis_save(programme=other, actor=focal_point, data={"title_ar": title})
    result = load(other, exported.encode("utf-8"))
    assert result.ok, result.errors
    rows = _rows(exported)
    assert result.created == len(rows)
    again = exchange.commitments_csv(other)
    strip = exchange.READ_ONLY
    assert [{k: v for k, v in r.items() if k not in strip} for r in _rows(again)] == [
        {k: v for k, v in r.items() if k not in strip} for r in rows
    ]
    # Progress comes from reports, never from a file.
    assert set(
        Milestone.objects.filter(commitment__programme=other).values_list("progress", flat=True)
    ) == {0}
    assert not Milestone.objects.filter(commitment__programme=other, is_cancelled=True).exists()
    # And that programme's own round trip is byte-identical too.
    assert load(other, again.encode("utf-8")).created == 0
    assert exchange.commitments_csv(other) == again
    assert Event.objects.filter(action="openplan.imported").count() == 1


def test_changes_and_additions_are_imported(
    programme: Programme, focal_point: User, load: ImportCall
) -> None:
    realistic(programme, focal_point, commitments=1)
    rows = _rows(exchange.commitments_csv(programme))
    rows[0]["title_fr"] = "Engagement renommé, « avec virgule »"
    rows[0]["progress"] = "99"  # ignored
    rows[1]["weight"] = ""
    rows.append(
        {
            **dict.fromkeys(exchange.CSV_COLUMNS, ""),
            "type": "commitment",
            "commitment": "2",
            "key": "2",
            "title_ar": "التزام جديد",
            "axis": "2",
        }
    )
    rows.append(
        {
            **dict.fromkeys(exchange.CSV_COLUMNS, ""),
            "type": "milestone",
            "commitment": "2",
            "key": "2.1.1",
            "title_fr": "Sous-jalon",
            "order": "2",
        }
    )
    rows.append(
        {
            **dict.fromkeys(exchange.CSV_COLUMNS, ""),
            "type": "milestone",
            "commitment": "2",
            "key": "2.1",
            "title_fr": "Jalon",
            "weight": "2.5",
        }
    )
    rows.append(
        {
            **dict.fromkeys(exchange.CSV_COLUMNS, ""),
            "type": "milestone",
            "commitment": "1",
            "key": "1.1.3",
            "title_ar": "مرحلة إضافية",
        }
    )
    result = load(programme, _csv(rows))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (4, 2)
    first = Commitment.objects.get(programme=programme, number=1)
    assert first.title_fr == "Engagement renommé, « avec virgule »"
    assert first.progress != 99
    second = Commitment.objects.get(programme=programme, number=2)
    assert second.axis == programme.axes.order_by("order", "pk")[1]
    top = Milestone.objects.get(commitment=second, parent=None)
    assert top.weight == 2.5 and top.children.get().title_fr == "Sous-jalon"
    parent = Milestone.objects.get(commitment=first, title_ar="إعداد المنصة")
    assert parent.weight is None
    assert parent.children.count() == 3
    keys = [r["key"] for r in _rows(exchange.commitments_csv(programme))]
    assert keys[-3:] == ["2", "2.1", "2.1.1"]
    assert Event.objects.filter(action="openplan.imported").count() == 1


def test_errors_are_reported_by_line_and_nothing_is_imported(
    programme: Programme, focal_point: User, load: ImportCall
) -> None:
    realistic(programme, focal_point, commitments=1)
    rows = _rows(exchange.commitments_csv(programme))
    empty = dict.fromkeys(exchange.CSV_COLUMNS, "")
    rows[0]["title_fr"] = "Ligne\nsur\ntrois lignes"  # lines 2-4 of the file
    rows[0]["title_ar"] = "تغيير"
    bad = [
        {**empty, "type": "task", "commitment": "1", "title_fr": "x"},
        {
            **empty,
            "type": "commitment",
            "commitment": "3",
            "title_fr": "x",
            "starts_on": "2027-02-30",
            "budget": "beaucoup",
            "value_access": "peut-être",
            "axis": "9",
        },
        {**empty, "type": "milestone", "commitment": "7", "key": "7.1", "title_fr": "x"},
        {**empty, "type": "milestone", "commitment": "1", "key": "1.x", "title_fr": "x"},
        {
            **empty,
            "type": "milestone",
            "commitment": "1",
            "key": "1.4",
            "title_fr": "",
            "title_ar": "",
            "weight": "-1",
            "budget": "5",
        },
        {**empty, "type": "commitment", "commitment": "1", "key": "1", "title_fr": "doublon"},
        {**empty, "type": "milestone", "commitment": "1", "key": "1.9.1", "title_fr": "orphelin"},
        {**empty, "type": "commitment", "commitment": "4", "title_fr": "x" * 301},
        {**empty, "type": "commitment", "commitment": "5", "title_fr": "NUL\x00"},
    ]
    before = _snapshot()
    result = load(programme, _csv(rows + bad))
    assert not result.ok
    # The line after the header and the good records (some of them on several lines).
    n = _csv(rows).count(b"\n") + 1
    assert n > len(rows) + 3
    found = {(e.line, e.field) for e in result.errors}
    expected = {
        (n, "type"),
        (n + 1, "starts_on"),
        (n + 1, "budget"),
        (n + 1, "value_access"),
        (n + 1, "axis"),
        (n + 2, "commitment"),
        (n + 3, "key"),
        (n + 4, "title_ar"),
        (n + 4, "weight"),
        (n + 4, "budget"),
        (n + 5, "commitment"),
        (n + 6, "key"),
        (n + 7, "title_fr"),
        (n + 8, "title_fr"),
    }
    assert expected <= found, sorted(found)
    assert all(e.message for e in result.errors)
    assert result.errors == sorted(result.errors, key=lambda e: (e.line, e.field))
    assert _snapshot() == before  # the valid changes of line 2 were not imported either


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"", 1),
        (b"type,commitment\r\n", 1),
        (exchange.BOM.encode() + b"type,commitment\r\n\xff\xfe,1\r\n", 2),
        (",".join(exchange.CSV_COLUMNS).encode() + b"\r\nmilestone,1\r\n", 2),
        (",".join(exchange.CSV_COLUMNS).encode() + b'\r\n"commitment,1\r\n', 2),
        (",".join(exchange.CSV_COLUMNS).encode() + b"\r\ncommitment\x00,1\r\n", 2),
    ],
)
def test_unreadable_files_are_refused_with_a_line(
    programme: Programme, load: ImportCall, data: bytes, line: int
) -> None:
    result = load(programme, data)
    assert not result.ok
    assert result.errors[0].line == line
    assert not Commitment.objects.exists()


def test_import_only_while_drafting_or_consulting_and_by_the_focal_point(
    programme: Programme,
    commitment: Commitment,
    focal_point: User,
    monitor: User,
    charlie: User,
    make_item: MakeItem,
    load: ImportCall,
) -> None:
    exported = exchange.commitments_csv(programme).encode("utf-8")
    for actor in (monitor, charlie):
        with pytest.raises(PermissionDenied):
            exchange.commitments_import(programme=programme, actor=actor, data=exported)
    adoption.programme_adopt(programme=programme, actor=focal_point, agenda_item=make_item())
    with pytest.raises(ValidationError):
        load(programme, exported)


def test_escaping_round_trips() -> None:
    for text in [*AWKWARD, "", "'", "''", "'a", "a'", "=", "-1", "\t=x"]:
        assert exchange.unescape_cell(exchange.escape_cell(text)) == text
    assert exchange.unescape_cell("'plain") == "'plain"  # typed by hand: kept
