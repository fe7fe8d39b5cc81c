"""The SVG opinion map: escaping, colours and letters per group, sampling."""

from __future__ import annotations

from infitah.participation.labs.charts import (
    MAX_POINTS,
    Point,
    group_colour,
    group_letter,
    opinion_map_svg,
    sample,
)


def test_title_and_description_are_escaped() -> None:
    svg = opinion_map_svg(points=[Point(0, 0, 0)], title="<b>map</b>", desc='"x" & y')
    assert '<title id="map-title">&lt;b&gt;map&lt;/b&gt;</title>' in svg
    assert "&quot;x&quot; &amp; y" in svg


def test_points_are_grouped_and_lettered() -> None:
    points = [Point(-1, -1, 0), Point(-1.2, -0.8, 0), Point(1, 1, 1), Point(0, 0, None)]
    svg = opinion_map_svg(points=points, title="t", desc="d")
    assert svg.count("<circle") == 4
    assert f'<g fill="{group_colour(0)}"' in svg and 'data-group="none"' in svg
    assert ">A</text>" in svg and ">B</text>" in svg
    assert group_letter(2) == "C" and group_letter(30) == "31"


def test_no_points_and_one_point_draw_without_error() -> None:
    assert "<circle" not in opinion_map_svg(points=[], title="t", desc="d")
    single = opinion_map_svg(points=[Point(3.0, 3.0, 0)], title="t", desc="d")
    assert single.count("<circle") == 1


def test_points_stay_inside_the_frame_and_up_is_up() -> None:
    svg = opinion_map_svg(points=[Point(0, 0, 0), Point(10, 10, 0)], title="t", desc="d")
    assert '<circle cx="24" cy="336"' in svg  # low x, low y: bottom left
    assert '<circle cx="456" cy="24"' in svg  # high x, high y: top right


def test_many_points_are_sampled_regularly() -> None:
    points = [Point(float(i), float(i % 7), i % 3) for i in range(MAX_POINTS * 3)]
    kept = sample(points)
    assert len(kept) == MAX_POINTS
    assert kept == sample(points)  # deterministic
    assert opinion_map_svg(points=points, title="t", desc="d").count("<circle") == MAX_POINTS
