"""The openness charts are well-formed SVG, coloured by the score's band, mirrored in
Arabic, with every figure in words too."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from django.utils import translation

from infitah.openness import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own output, not untrusted input


@pytest.mark.parametrize(
    ("value", "band"),
    [(0, 0), (Decimal("19.9"), 0), (20, 1), (Decimal("59.99"), 2), (60, 3), (80, 4), (100, 4)],
)
def test_bands(value: Decimal | int, band: int) -> None:
    found = charts.band_of(value)
    assert found is charts.BANDS[band]
    assert charts.colour_of(value) == charts.BANDS[band].colour
    assert charts.band_of(None) is None and charts.colour_of(None) == charts.NO_DATA


def test_bar_chart_colours_each_bar_by_band_and_says_no_data() -> None:
    rows = [("Communes", Decimal("45"), "31 with data"), ("<Régions & co>", None, "")]
    root = parse(charts.bar_chart(rows, title="Median by kind", rtl=False, ident="k"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.findtext(f"{SVG}title") == "Median by kind"
    desc = root.findtext(f"{SVG}desc") or ""
    assert "Communes: 45 (31 with data)." in desc and "<Régions & co>: no data." in desc
    groups = root.findall(f"{SVG}g[@class='row']")
    assert [g.get("data-band") for g in groups] == ["2", "none"]
    bar = groups[0].find(f"{SVG}rect[@class='bar']")
    assert bar is not None and bar.get("fill") == charts.BANDS[2].colour
    # 45 of 100 on the 352-pixel scale.
    assert float(bar.get("width") or 0) == pytest.approx(0.45 * charts.PLOT, abs=0.1)
    assert groups[1].find(f"{SVG}rect[@class='bar']") is None
    assert "no data" in "".join(groups[1].itertext())


def test_bar_chart_is_mirrored_right_to_left() -> None:
    rows = [("A", Decimal("25"), "")]
    ltr = parse(charts.bar_chart(rows, title="t", rtl=False))
    rtl = parse(charts.bar_chart(rows, title="t", rtl=True))
    assert rtl.get("direction") == "rtl" and ltr.get("direction") == "ltr"
    ltr_bar = ltr.find(f".//{SVG}rect[@class='bar']")
    rtl_bar = rtl.find(f".//{SVG}rect[@class='bar']")
    assert ltr_bar is not None and rtl_bar is not None
    assert float(ltr_bar.get("x") or 0) == charts.PAD
    assert float(rtl_bar.get("x") or 0) + float(rtl_bar.get("width") or 0) == pytest.approx(
        charts.WIDTH - charts.PAD
    )


def test_column_chart_one_column_per_month_in_time_order() -> None:
    points = [("janv. 2026", Decimal("10")), ("févr. 2026", None), ("mars 2026", Decimal("85"))]
    with translation.override("fr"):
        root = parse(charts.column_chart(points, title="History", rtl=False, ident="h"))
    columns = root.findall(f"{SVG}g[@class='column']")
    assert [c.get("data-band") for c in columns] == ["0", "none", "4"]
    xs = [float(c.find(f"{SVG}rect").get("x") or 0) for c in columns]  # type: ignore[union-attr]
    assert xs == sorted(xs)
    tallest = columns[2].find(f"{SVG}rect")
    assert tallest is not None and tallest.get("fill") == charts.BANDS[4].colour
    assert "none" in (columns[1].find(f"{SVG}rect").get("class") or "")  # type: ignore[union-attr]
    desc = root.findtext(f"{SVG}desc") or ""
    assert "mars 2026" in desc and "85" in desc.split("mars 2026")[1]
    with translation.override("ar"):
        mirrored = parse(charts.column_chart(points, title="History", ident="h"))
    xs = [
        float(c.find(f"{SVG}rect").get("x") or 0)  # type: ignore[union-attr]
        for c in mirrored.findall(f"{SVG}g[@class='column']")
    ]
    assert xs == sorted(xs, reverse=True)


def test_many_months_keep_their_labels_apart() -> None:
    points = [(f"m{index}", Decimal(index)) for index in range(36)]
    root = parse(charts.column_chart(points, title="t", rtl=False))
    labels = root.findall(f".//{SVG}text[@class='label']")
    assert 1 < len(labels) < 36
    assert labels[-1].text == "m35"
    xs = [float(label.get("x") or 0) for label in labels]
    assert min(b - a for a, b in itertools.pairwise(xs)) >= charts.COLUMN_LABEL_GAP - 1


def test_empty_charts_are_valid_and_say_so() -> None:
    for markup in (charts.bar_chart([], title="t"), charts.column_chart([], title="t")):
        root = parse(markup)
        assert "No figures." in "".join(root.itertext())


def test_figures_follow_the_language() -> None:
    with translation.override("fr"):
        assert charts.figure(Decimal("45.25")) == "45,3"
        assert charts.figure(Decimal("60.0")) == "60"
    with translation.override("ar"):
        assert charts.figure(Decimal("45.5"), rtl=True) == "\u206645,5\u2069"
