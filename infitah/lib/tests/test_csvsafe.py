import csv
import io

from infitah.lib.csvsafe import csv_cell


def test_formula_like_text_is_quoted() -> None:
    for text in ["=1+1", "+212600000000", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd"]:
        assert csv_cell(text) == "'" + text


def test_other_values_are_kept() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(-1) == -1
    assert csv_cell(2.5) == 2.5
    assert csv_cell(True) == "True"
    assert csv_cell("عريضة") == "عريضة"
    assert csv_cell("a=b") == "a=b"


def test_a_row_round_trips_through_the_csv_module() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_cell(v) for v in ["=HYPERLINK()", -1, None, "نص"]])
    assert buffer.getvalue() == "'=HYPERLINK(),-1,,نص\r\n"
