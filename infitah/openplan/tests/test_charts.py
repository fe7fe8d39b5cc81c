"""The indicator charts (`charts.py`): pure functions, no database. The SVG is parsed
with xml.etree and its coordinates checked against the values, dates, baseline and
target; texts are escaped, digits are Western, months are Moroccan in Arabic, and the
chart is mirrored in right-to-left."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest

from django.utils import translation

from infitah.openplan import charts

NS = {"svg": "http://www.w3.org/2000/svg"}
BOTTOM_Y = charts.TOP + charts.PLOT_HEIGHT


@dataclass
class Ind:
    name: str = "Jeux de données publiés"
    unit: str = ""
    baseline: Decimal = Decimal(0)
    target: Decimal = Decimal(100)
    baseline_on: dt.date | None = None
    target_on: dt.date | None = None
    pk: int = 7


@dataclass
class Val:
    measured_on: dt.date
    value: Decimal


def values(*pairs: tuple[str, str]) -> list[Val]:
    return [Val(dt.date.fromisoformat(day), Decimal(value)) for day, value in pairs]


def draw(indicator: Ind, vals: list[Val], *, rtl: bool = False, lang: str = "fr") -> ET.Element:
    with translation.override(lang):
        svg = charts.indicator_chart(indicator, vals, rtl=rtl)
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def circles(root: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(c.get("cx", "")), float(c.get("cy", "")))
        for c in root.iterfind(".//svg:g[@class='points']/svg:circle", NS)
    ]


def line_y(root: ET.Element, css: str) -> float:
    line = root.find(f".//svg:line[@class='{css}']", NS)
    assert line is not None
    assert line.get("y1") == line.get("y2")
    assert line.get("stroke-dasharray")
    return float(line.get("y1", ""))


def text_of(root: ET.Element, css: str) -> ET.Element:
    found = root.find(f".//svg:text[@class='{css}']", NS)
    assert found is not None
    return found


def inside(x: float, y: float) -> bool:
    return 0 <= x <= charts.WIDTH and charts.TOP - 0.05 <= y <= BOTTOM_Y + 0.05


# --------------------------------------------------------------------------- structure


def test_it_is_an_accessible_image_named_by_its_title_and_described() -> None:
    root = draw(Ind(), values(("2027-01-01", "10"), ("2027-06-01", "30")))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Jeux de données publiés"
    # The description states the latest value (in the page's format).
    assert desc.text is not None and "30" in desc.text
    assert root.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"


def test_every_text_is_escaped() -> None:
    nasty = Ind(name='<script>alert("x")</script> & co', unit="<b>%</b>")
    svg = charts.indicator_chart(nasty, values(("2027-01-01", "1")), rtl=False)
    assert "<script>" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    title = root.find("svg:title", NS)
    assert title is not None and title.text == nasty.name
    assert "<b>%</b>" in (text_of(root, "target-label").text or "")


# --------------------------------------------------------------------------- coordinates


def test_values_baseline_and_target_are_placed_on_the_scale() -> None:
    root = draw(
        Ind(baseline=Decimal(0), target=Decimal(100)),
        values(("2027-01-01", "0"), ("2027-01-11", "50"), ("2027-01-21", "100")),
    )
    # Ticks 0…100: 0 at the bottom of the plot, 100 at the top.
    assert line_y(root, "baseline") == BOTTOM_Y
    assert line_y(root, "target") == charts.TOP
    points = circles(root)
    assert [y for _x, y in points] == [BOTTOM_Y, charts.TOP + charts.PLOT_HEIGHT / 2, charts.TOP]
    # Dates ten days apart: equally spaced, the first at the axis, the last at the end.
    xs = [x for x, _y in points]
    assert xs[0] < xs[1] < xs[2]
    assert xs[1] == pytest.approx((xs[0] + xs[2]) / 2, abs=0.1)
    assert xs[2] == charts.WIDTH - charts.END
    polyline = root.find(".//svg:polyline", NS)
    assert polyline is not None
    pairs = [tuple(map(float, p.split(","))) for p in (polyline.get("points") or "").split()]
    assert pairs == points
    assert [c.get("data-date") for c in root.iterfind(".//svg:circle", NS)] == [
        "2027-01-01",
        "2027-01-11",
        "2027-01-21",
    ]


def test_values_are_sorted_by_date() -> None:
    root = draw(Ind(), values(("2027-06-01", "80"), ("2027-01-01", "20")))
    points = circles(root)
    assert points[0][0] < points[1][0] and points[0][1] > points[1][1]


def test_no_value_draws_the_lines_and_says_so() -> None:
    root = draw(Ind(baseline=Decimal(3), target=Decimal(40)), [])
    assert circles(root) == []
    assert root.find(".//svg:polyline", NS) is None
    assert text_of(root, "empty").text
    assert line_y(root, "baseline") > line_y(root, "target")


def test_one_value_is_a_point_in_the_middle_without_a_line() -> None:
    root = draw(Ind(), values(("2027-03-01", "25")))
    ((x, y),) = circles(root)
    assert root.find(".//svg:polyline", NS) is None
    start, end = 36.0, charts.WIDTH - charts.END
    axis = float(root.find(".//svg:line[@class='baseline']", NS).get("x1", ""))  # type: ignore[union-attr]
    assert axis >= start
    assert x == pytest.approx((axis + end) / 2, abs=0.1)
    assert inside(x, y)


def test_the_baseline_and_target_dates_widen_the_time_axis() -> None:
    indicator = Ind(baseline_on=dt.date(2027, 1, 1), target_on=dt.date(2027, 12, 31))
    root = draw(indicator, values(("2027-07-02", "50")))
    ((x, _y),) = circles(root)
    axis = float(root.find(".//svg:line[@class='baseline']", NS).get("x1", ""))  # type: ignore[union-attr]
    assert x == pytest.approx((axis + charts.WIDTH - charts.END) / 2, abs=1)
    dates = [t.get("data-date") for t in root.iterfind(".//svg:g[@class='x-labels']/svg:text", NS)]
    assert dates[0] == "2027-01-01" and dates[-1] == "2027-12-31"


def test_equal_values_sit_inside_a_band() -> None:
    root = draw(
        Ind(baseline=Decimal(5), target=Decimal(5)),
        values(("2027-01-01", "5"), ("2027-02-01", "5")),
    )
    ys = {y for _x, y in circles(root)}
    assert len(ys) == 1
    (y,) = ys
    assert charts.TOP < y < BOTTOM_Y
    assert line_y(root, "baseline") == line_y(root, "target") == y


def test_all_zero_values() -> None:
    root = draw(Ind(baseline=Decimal(0), target=Decimal(0)), values(("2027-01-01", "0")))
    ((x, y),) = circles(root)
    assert inside(x, y)


def test_negative_values() -> None:
    root = draw(
        Ind(baseline=Decimal(-10), target=Decimal(5)),
        values(("2027-01-01", "-25.5"), ("2027-02-01", "-3"), ("2027-03-01", "12")),
    )
    points = circles(root)
    assert all(inside(x, y) for x, y in points)
    assert points[0][1] > points[1][1] > points[2][1]
    ticks = [
        Decimal(t.get("data-value", ""))
        for t in root.iterfind(".//svg:g[@class='y-labels']/svg:text", NS)
    ]
    assert ticks[0] <= Decimal("-25.5") and ticks[-1] >= 12
    assert Decimal(0) in ticks


def test_a_decreasing_target_is_below_the_baseline_and_labelled_below_it() -> None:
    root = draw(
        Ind(baseline=Decimal(60), target=Decimal(20), unit="jours"),
        values(("2027-01-01", "55"), ("2027-06-01", "41")),
    )
    target, baseline = line_y(root, "target"), line_y(root, "baseline")
    assert target > baseline  # lower on the screen
    assert float(text_of(root, "target-label").get("y", "")) > target
    assert float(text_of(root, "baseline-label").get("y", "")) < baseline
    assert "jours" in (text_of(root, "target-label").text or "")


def test_huge_numbers() -> None:
    huge = Decimal("99999999999999.99")
    root = draw(
        Ind(baseline=Decimal(0), target=huge),
        values(("2027-01-01", "12345678901234.50"), ("2027-02-01", str(huge))),
    )
    points = circles(root)
    assert all(inside(x, y) for x, y in points)
    assert points[1][1] < points[0][1]
    # The value axis grows with its labels but stays within its bound.
    axis = float(root.find(".//svg:line[@class='baseline']", NS).get("x1", ""))  # type: ignore[union-attr]
    assert 36 < axis <= charts.AXIS_MAX


def test_a_tiny_span_on_a_huge_number() -> None:
    root = draw(
        Ind(baseline=Decimal("99999999999999.00"), target=Decimal("99999999999999.01")),
        values(("2027-01-01", "99999999999999.00")),
    )
    ((x, y),) = circles(root)
    assert inside(x, y)


def test_many_values_keep_the_date_labels_apart() -> None:
    start = dt.date(2027, 1, 1)
    many = [Val(start + dt.timedelta(days=7 * k), Decimal(k)) for k in range(100)]
    root = draw(Ind(), many)
    assert len(circles(root)) == 100
    labels = list(root.iterfind(".//svg:g[@class='x-labels']/svg:text", NS))
    xs = [float(t.get("x", "")) for t in labels]
    assert 2 <= len(labels) <= 6
    assert all(b - a >= charts.LABEL_GAP for a, b in itertools.pairwise(xs))
    assert labels[0].get("data-date") == "2027-01-01"
    assert labels[-1].get("data-date") == many[-1].measured_on.isoformat()
    assert labels[0].get("text-anchor") == "start" and labels[-1].get("text-anchor") == "end"


# --------------------------------------------------------------------------- languages


def test_right_to_left_mirrors_time_and_the_value_axis() -> None:
    vals = values(("2027-01-01", "10"), ("2027-08-01", "90"))
    ltr, rtl = draw(Ind(), vals), draw(Ind(), vals, rtl=True, lang="ar")
    assert ltr.get("direction") == "ltr" and rtl.get("direction") == "rtl"
    (lx0, ly0), (lx1, ly1) = circles(ltr)
    (rx0, ry0), (rx1, ry1) = circles(rtl)
    assert lx0 < lx1 and rx0 > rx1
    assert (ly0, ly1) == (ry0, ry1)
    # The value labels hug the axis: at the left in French, at the right in Arabic.
    lx = {float(t.get("x", "")) for t in ltr.iterfind(".//svg:g[@class='y-labels']/svg:text", NS)}
    rx = {float(t.get("x", "")) for t in rtl.iterfind(".//svg:g[@class='y-labels']/svg:text", NS)}
    assert max(lx) < charts.WIDTH / 2 < min(rx)


def test_the_direction_follows_the_active_language_by_default() -> None:
    with translation.override("ar"):
        assert 'direction="rtl"' in charts.indicator_chart(Ind(), [])
    with translation.override("fr"):
        assert 'direction="ltr"' in charts.indicator_chart(Ind(), [])


def test_arabic_labels_have_moroccan_months_and_western_digits() -> None:
    vals = values(("2027-08-01", "2000"), ("2027-09-15", "1503.5"))
    with translation.override("ar"):
        svg = str(charts.indicator_chart(Ind(target=Decimal(2500)), vals))
    assert "غشت 2027" in svg
    assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", svg)
    # Figures are isolated left-to-right in a right-to-left chart.
    assert "\u20662.000\u2069" in svg
    # The description gives the latest value.
    assert "1.503,5" in svg


def test_french_labels() -> None:
    with translation.override("fr"):
        svg = str(charts.indicator_chart(Ind(), values(("2027-08-01", "12.5"))))
    assert "août 2027" in svg and "12,5" in svg and "\u2066" not in svg


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([Decimal(0), Decimal(100)], [0, 25, 50, 75, 100]),
        ([Decimal(3), Decimal(40)], [0, 10, 20, 30, 40]),
        ([Decimal(5), Decimal(5)], ["4.5", "4.75", 5, "5.25", "5.5"]),
        ([], [0, "0.25", "0.5", "0.75", 1]),
        ([Decimal(-7), Decimal(2)], ["-7.5", -5, "-2.5", 0, "2.5"]),
        ([Decimal("0.01"), Decimal("0.02")], ["0.01", "0.0125", "0.015", "0.0175", "0.02"]),
    ],
)
def test_value_ticks(numbers: list[Decimal], expected: list[str | int]) -> None:
    assert charts.value_ticks(numbers) == [Decimal(e) for e in expected]


@pytest.mark.parametrize(
    ("lang", "value", "text"),
    [
        ("ar", "1503.50", "1.503,5"),
        ("ar", "45.00", "45"),
        ("fr", "0.25", "0,25"),
        ("ar", "-3", "-3"),
    ],
)
def test_figure(lang: str, value: str, text: str) -> None:
    with translation.override(lang):
        assert charts.figure(Decimal(value)) == text
