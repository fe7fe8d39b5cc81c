"""The budget's bar charts (`charts.py`): pure functions, no database. The SVG is parsed
with xml.etree and its geometry checked against the values: bar widths in proportion,
zero moved inwards by negative values, nothing outside the viewBox, the chart mirrored in
right-to-left; texts escaped, figures with Western digits and the language's grouping."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from django.utils import translation
from django.utils.translation import gettext

from infitah.finance import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
LEFT, RIGHT = charts.PAD, charts.WIDTH - charts.PAD


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def draw(rows, *, rtl: bool = False, lang: str = "fr", unit: str = "MAD") -> ET.Element:
    with translation.override(lang):
        return parse(charts.bar_chart(rows, title="Recettes", rtl=rtl, unit=unit))


def plain(text: str) -> str:
    """French puts a space before a colon; the figures are what these tests check."""
    return text.replace("\u202f:", ":").replace("\xa0:", ":").replace(" :", ":")


def bars(root: ET.Element, css: str = "bar") -> list[tuple[float, float]]:
    """(x, width) of each bar, in order."""
    return [
        (float(r.get("x", "")), float(r.get("width", "")))
        for r in root.iterfind(f".//svg:rect[@class='{css}']", NS)
    ]


def texts(root: ET.Element, css: str) -> list[str]:
    return [t.text or "" for t in root.iterfind(f".//svg:text[@class='{css}']", NS)]


def height(root: ET.Element) -> float:
    return float((root.get("viewBox") or "").split()[3])


def inside(root: ET.Element) -> bool:
    """Every rectangle and text lies within the viewBox."""
    bottom = height(root)
    for rect in root.iterfind(".//svg:rect", NS):
        x, y = float(rect.get("x", "")), float(rect.get("y", ""))
        w, h = float(rect.get("width", "")), float(rect.get("height", ""))
        if x < -0.05 or x + w > charts.WIDTH + 0.05 or y < 0 or y + h > bottom + 0.05:
            return False
    for text in root.iterfind(".//svg:text", NS):
        x, y = float(text.get("x", "")), float(text.get("y", ""))
        if not (0 <= x <= charts.WIDTH and 0 <= y <= bottom):
            return False
    return True


# --------------------------------------------------------------------------- structure


def test_an_accessible_image_with_its_title_and_every_figure_in_its_description() -> None:
    root = draw([("Fonctionnement", 6_500_000), ("Investissement", 4_000_000)])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Recettes"
    assert (
        plain(desc.text or "")
        == "Fonctionnement: 6\u202f500\u202f000 MAD. Investissement: 4\u202f000\u202f000 MAD."
    )
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith(f"0 0 {charts.WIDTH} ")
    # Each bar carries its label and figure as a tooltip.
    rows = root.findall("svg:g[@class='row']", NS)
    assert [plain(r.findtext("svg:title", namespaces=NS) or "") for r in rows] == [
        "Fonctionnement: 6\u202f500\u202f000 MAD",
        "Investissement: 4\u202f000\u202f000 MAD",
    ]


def test_the_ident_names_the_title_and_description() -> None:
    root = parse(charts.bar_chart([("a", 1)], title="T", rtl=False, ident="revenue-section"))
    assert root.get("aria-labelledby") == "revenue-section-t revenue-section-d"
    # Without one, two titles give two idents (two charts on a page).
    one = parse(charts.bar_chart([], title="A", rtl=False)).get("aria-labelledby")
    two = parse(charts.bar_chart([], title="B", rtl=False)).get("aria-labelledby")
    assert one != two


def test_labels_and_titles_are_escaped() -> None:
    nasty = '<script>alert("x")</script> & co'
    svg = charts.bar_chart([(nasty, 5)], title=nasty, rtl=False, unit="<b>DH</b>")
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.findtext("svg:title", namespaces=NS) == nasty
    assert texts(root, "label") == [nasty]
    assert texts(root, "value") == ["5 <b>DH</b>"]


def test_a_long_label_is_shortened_and_kept_whole_in_the_tooltip() -> None:
    label = "Services généraux des administrations publiques et autres services " * 3
    root = draw([(label, 1)])
    (shown,) = texts(root, "label")
    assert shown.endswith(charts.ELLIPSIS) and len(shown) < len(label)
    assert label.startswith(shown[:-1])
    row = root.find("svg:g[@class='row']", NS)
    assert row is not None and (row.findtext("svg:title", namespaces=NS) or "").startswith(label)


# --------------------------------------------------------------------------- geometry


def test_no_row_says_so() -> None:
    root = draw([])
    assert bars(root) == []
    with translation.override("fr"):
        assert texts(root, "empty") == [gettext("No figures.")]
    assert height(root) > 0 and inside(root)


def test_one_row_fills_the_plot() -> None:
    root = draw([("Seule", 42)])
    assert bars(root) == [(LEFT, RIGHT - LEFT)]
    assert texts(root, "value") == ["42 MAD"]
    assert inside(root)


def test_bars_are_in_proportion_and_start_at_zero() -> None:
    root = draw([("a", 400), ("b", 100), ("c", 300), ("d", 0)])
    found = bars(root)
    plot = RIGHT - LEFT
    assert [x for x, _w in found] == [LEFT] * 4
    assert [w for _x, w in found] == pytest.approx([plot, plot / 4, plot * 3 / 4, 0], abs=0.1)
    # One row under the other, in the given order.
    ys = [float(r.get("y", "")) for r in root.iterfind(".//svg:rect[@class='bar']", NS)]
    assert ys == sorted(ys) and len(set(ys)) == 4
    assert [r.get("data-value") for r in root.iterfind(".//svg:rect", NS)] == [
        "400",
        "100",
        "300",
        "0",
    ]
    assert height(root) == pytest.approx(charts.TOP + 4 * charts.ROW - charts.GAP + charts.BOTTOM)
    assert inside(root)


def test_many_rows_grow_the_height_not_the_width() -> None:
    rows = [(f"Ligne {k}", k) for k in range(1, 41)]
    root = draw(rows)
    assert len(bars(root)) == 40
    assert root.get("viewBox", "").split()[2] == str(charts.WIDTH)
    assert height(root) > 40 * charts.BAR
    assert inside(root)


def test_negative_values_move_zero_inwards() -> None:
    root = draw([("Crédits", 300), ("Annulation", -100)])
    (x1, w1), (x2, w2) = bars(root)
    plot = RIGHT - LEFT
    zero = LEFT + plot / 4  # the axis spans -100 … 300
    assert x1 == pytest.approx(zero, abs=0.1) and w1 == pytest.approx(plot * 3 / 4, abs=0.1)
    assert x2 == pytest.approx(LEFT, abs=0.1) and x2 + w2 == pytest.approx(zero, abs=0.1)
    line = root.find(".//svg:line[@class='zero']", NS)
    assert line is not None and float(line.get("x1", "")) == pytest.approx(zero, abs=0.1)
    assert texts(root, "value")[1] == "-100 MAD"
    assert inside(root)


def test_all_zeros_draw_empty_bars() -> None:
    root = draw([("a", 0), ("b", Decimal("0.00"))])
    assert [w for _x, w in bars(root)] == [0, 0]
    assert texts(root, "value") == ["0 MAD", "0 MAD"]
    assert root.find(".//svg:line[@class='zero']", NS) is None
    assert inside(root)


def test_huge_numbers_keep_their_digits_and_the_geometry() -> None:
    huge = Decimal("99999999999999.99")
    root = draw([("Énorme", huge), ("Petit", 1)])
    assert texts(root, "value") == ["100\u202f000\u202f000\u202f000\u202f000 MAD", "1 MAD"]
    (_x1, w1), (_x2, w2) = bars(root)
    assert w1 == pytest.approx(RIGHT - LEFT, abs=0.1) and w2 < 0.1
    assert inside(root)


def test_floats_and_decimals_are_rounded_to_the_dirham() -> None:
    root = draw([("a", 1503.5), ("b", Decimal("-0.4"))])
    assert texts(root, "value") == ["1\u202f504 MAD", "0 MAD"]


# --------------------------------------------------------------------------- languages


def test_right_to_left_mirrors_the_bars_and_the_texts() -> None:
    rows = [("a", 400), ("b", 100)]
    ltr, rtl = draw(rows), draw(rows, rtl=True, lang="ar")
    assert ltr.get("direction") == "ltr" and rtl.get("direction") == "rtl"
    for (lx, lw), (rx, rw) in zip(bars(ltr), bars(rtl), strict=True):
        assert rw == pytest.approx(lw, abs=0.1)
        assert rx + rw == pytest.approx(charts.WIDTH - lx, abs=0.1)
    # The bars start on the right; the labels hug the right, the figures the left.
    assert bars(rtl)[1][0] + bars(rtl)[1][1] == pytest.approx(RIGHT, abs=0.1)
    label = rtl.find(".//svg:text[@class='label']", NS)
    value = rtl.find(".//svg:text[@class='value']", NS)
    assert label is not None and value is not None
    assert float(label.get("x", "")) > charts.WIDTH / 2 > float(value.get("x", ""))


def test_negative_values_mirrored() -> None:
    root = draw([("Crédits", 300), ("Annulation", -100)], rtl=True, lang="ar")
    (x1, w1), (x2, w2) = bars(root)
    zero = RIGHT - (RIGHT - LEFT) / 4
    assert x1 + w1 == pytest.approx(zero, abs=0.1)
    assert x2 == pytest.approx(zero, abs=0.1) and x2 + w2 == pytest.approx(RIGHT, abs=0.1)


def test_the_direction_follows_the_active_language_by_default() -> None:
    with translation.override("ar"):
        assert 'direction="rtl"' in charts.bar_chart([("a", 1)], title="t")
    with translation.override("fr"):
        assert 'direction="ltr"' in charts.bar_chart([("a", 1)], title="t")


def test_arabic_figures_use_western_digits_grouped_with_dots_and_isolated() -> None:
    with translation.override("ar"):
        svg = str(
            charts.bar_chart([("الرسوم", 1_503_000)], title="المداخيل", rtl=True, unit="درهم")
        )
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", svg)
    assert "\u20661.503.000\u2069 درهم" in svg
    assert "الرسوم: 1.503.000 درهم." in svg  # the description


def test_figure() -> None:
    with translation.override("fr"):
        assert charts.figure(Decimal("12.45"), "%") == "12,5 %"
        assert charts.figure(Decimal("12.0"), "%") == "12 %"
        assert charts.figure(1234567) == "1\u202f234\u202f567"
        assert charts.figure(Decimal("-0.2"), "MAD") == "0 MAD"
    with translation.override("ar"):
        assert charts.figure(Decimal("1234567.5"), "MAD") == "1.234.568 MAD"


# --------------------------------------------------------------------------- two series


def test_grouped_bars_share_one_scale_and_skip_missing_figures() -> None:
    with translation.override("fr"):
        svg = charts.grouped_bar_chart(
            [("2025", [800, 700]), ("2026", [1000, None])],
            series=["Prévu", "Exécuté"],
            title="Dépenses",
            rtl=False,
        )
    root = parse(svg)
    found = bars(root)
    assert len(found) == 3  # no bar for the missing figure
    widths = [w for _x, w in found]
    assert widths[0] / widths[2] == pytest.approx(0.8, abs=0.01)
    assert widths[1] / widths[2] == pytest.approx(0.7, abs=0.01)
    assert {x for x, _w in found} == {LEFT}
    # Each figure follows its bar, inside the chart.
    values = list(root.iterfind(".//svg:text[@class='value']", NS))
    assert [v.text for v in values] == ["800 MAD", "700 MAD", "1\u202f000 MAD"]
    for (x, w), text in zip(found, values, strict=True):
        assert float(text.get("x", "")) == pytest.approx(x + w + 4, abs=0.1)
        assert float(text.get("x", "")) + 7.6 * len(text.text or "") <= charts.WIDTH + 1
    legend = [t.text for t in root.iterfind(".//svg:g[@class='legend']//svg:text", NS)]
    assert legend == ["Prévu", "Exécuté"]
    desc = root.findtext("svg:desc", namespaces=NS) or ""
    assert "2026: Prévu 1\u202f000 MAD." in plain(desc)
    assert inside(root)


def test_grouped_bars_mirrored_and_empty() -> None:
    root = parse(
        charts.grouped_bar_chart([("2026", [10, 5])], series=["a", "b"], title="t", rtl=True)
    )
    found = bars(root)
    assert all(x + w == pytest.approx(RIGHT, abs=0.1) for x, w in found)
    values = list(root.iterfind(".//svg:text[@class='value']", NS))
    for (x, _w), text in zip(found, values, strict=True):
        assert float(text.get("x", "")) == pytest.approx(x - 4, abs=0.1)
    assert inside(root)
    empty = parse(charts.grouped_bar_chart([], series=["a"], title="t", rtl=False))
    assert texts(empty, "empty") == ["No figures."] and inside(empty)


def test_grouped_bars_with_a_negative_figure() -> None:
    root = parse(
        charts.grouped_bar_chart([("x", [100, -50])], series=["a", "b"], title="t", rtl=False)
    )
    (x1, w1), (x2, w2) = bars(root)
    assert x1 == pytest.approx(x2 + w2, abs=0.1)  # both meet at zero
    assert w1 == pytest.approx(2 * w2, abs=0.1)
    assert root.find(".//svg:line[@class='zero']", NS) is not None
    assert inside(root)


def test_stacked_segments_fill_the_row_in_proportion() -> None:
    with translation.override("fr"):
        svg = charts.stacked_bar_chart(
            [("2025", [0, 0, 0, 100]), ("2026", [25, 10, 40, 25])],
            series=["2", "1", "0", "—"],
            title="Parts",
            rtl=False,
        )
    root = parse(svg)
    segments = bars(root, "segment")
    assert len(segments) == 8
    plot = RIGHT - LEFT
    row = segments[4:]
    assert [w for _x, w in row] == pytest.approx(
        [plot / 4, plot / 10, plot * 0.4, plot / 4], abs=0.1
    )
    # Contiguous, from the start side.
    assert row[0][0] == LEFT
    for (x, w), (next_x, _w) in itertools.pairwise(row):
        assert next_x == pytest.approx(x + w, abs=0.1)
    assert segments[3][0] == LEFT and segments[3][1] == pytest.approx(plot, abs=0.1)
    assert "2026: 2 25 %, 1 10 %, 0 40 %, — 25 %." in plain(
        root.findtext("svg:desc", namespaces=NS) or ""
    )
    assert inside(root)


def test_stacked_segments_mirrored_negative_and_zero() -> None:
    root = parse(
        charts.stacked_bar_chart(
            [("a", [50, 50]), ("b", [-10, 0]), ("c", [0, 0])],
            series=["x", "y"],
            title="t",
            rtl=True,
        )
    )
    segments = bars(root, "segment")
    (x1, w1), (x2, w2) = segments[:2]
    assert x1 + w1 == pytest.approx(RIGHT, abs=0.1)  # the first segment on the right
    assert x2 + w2 == pytest.approx(x1, abs=0.1)
    assert [w for _x, w in segments[2:]] == [0, 0, 0, 0]  # negative counts as nothing
    assert inside(root)
