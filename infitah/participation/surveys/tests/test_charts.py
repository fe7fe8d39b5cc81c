"""The SVG bar charts: numbers, accessibility, escaping, right-to-left."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from infitah.participation.surveys.charts import bar_chart
from infitah.participation.surveys.selectors import Bar

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _num(element: ElementTree.Element, name: str) -> float:
    return float(element.get(name) or "nan")


def _chart(rtl: bool = False) -> str:
    bars = [Bar("Routes", 3, 60.0), Bar("<script>alert(1)</script>", 2, 40.0), Bar("Vide", 0, 0.0)]
    return str(bar_chart(title="Priorité & choix", bars=bars, rtl=rtl, ident="c1"))


def test_chart_is_well_formed_accessible_and_labelled() -> None:
    svg = _chart()
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-t c1-d"
    assert root.find(f"{SVG}title").text == "Priorité & choix"
    assert "Routes: 3 (60 %)" in str(root.find(f"{SVG}desc").text)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    # Each row: its label, then its count and share.
    assert texts[0::2] == ["Routes", "<script>alert(1)</script>", "Vide"]
    assert texts[1::2] == ["3 (60 %)", "2 (40 %)", "0 (0 %)"]
    assert "<script>" not in svg


def test_bar_lengths_follow_the_percentages() -> None:
    root = _parse(_chart())
    widths = [_num(r, "width") for r in root.iter(f"{SVG}rect")]
    assert widths[0] == 1.5 * widths[1]
    assert widths[2] == 0


def test_right_to_left_mirrors_the_bars() -> None:
    ltr = _parse(_chart())
    rtl = _parse(_chart(rtl=True))
    assert rtl.get("direction") == "rtl" and ltr.get("direction") == "ltr"
    width = int(re.findall(r"\d+", ltr.get("viewBox") or "")[2])
    for a, b in zip(ltr.iter(f"{SVG}rect"), rtl.iter(f"{SVG}rect"), strict=True):
        # The bar starts where its mirror ends.
        assert _num(b, "x") + _num(b, "width") == width - _num(a, "x")


def test_empty_chart_says_no_answer() -> None:
    root = _parse(str(bar_chart(title="T", bars=[], ident="e")))
    assert root.find(f"{SVG}desc").text
    assert not list(root.iter(f"{SVG}rect"))
