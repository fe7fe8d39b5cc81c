"""The schematic map of the twelve regions: well-formed SVG, one path per official code,
coloured by the band of its median, shapes that fit together."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal

import pytest

from django.utils import translation

from infitah.openness import charts
from infitah.openness.regions_map import (
    HEIGHT,
    POINTS,
    REGIONS,
    WIDTH,
    RegionFigure,
    centre,
    project,
    region_map,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_the_twelve_official_codes() -> None:
    assert list(REGIONS) == [f"{n:02d}" for n in range(1, 13)]


def test_every_point_is_used_and_inside_the_drawing() -> None:
    used = {name for outline in REGIONS.values() for name in outline}
    assert used == set(POINTS)
    for lon, lat in POINTS.values():
        x, y = project(lon, lat)
        assert 0 <= x <= WIDTH and 0 <= y <= HEIGHT


def test_neighbours_share_their_borders() -> None:
    """Each side of a region is the coast or the border (one region) or shared with one
    neighbour, walked the other way: no gap, no overlap."""
    sides: Counter[frozenset[str]] = Counter()
    directed: set[tuple[str, str]] = set()
    for outline in REGIONS.values():
        assert len(set(outline)) == len(outline)
        for a, b in zip(outline, outline[1:] + outline[:1], strict=True):
            sides[frozenset((a, b))] += 1
            directed.add((a, b))
    assert max(sides.values()) == 2
    # Every region is drawn the same way round, so a shared side runs both ways.
    shared = [side for side, n in sides.items() if n == 2]
    assert shared
    for side in shared:
        a, b = sorted(side)
        assert (a, b) in directed and (b, a) in directed


def test_region_centres_are_where_they_belong() -> None:
    """North to south: Tanger above Casablanca above Souss-Massa above Dakhla."""
    ys = {code: centre(code)[1] for code in ("01", "06", "09", "12")}
    assert ys["01"] < ys["06"] < ys["09"] < ys["12"]
    assert centre("02")[0] > centre("06")[0]  # the Oriental is east of Casablanca


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_map_is_coloured_by_band_with_titles_and_legend(lang: str) -> None:
    figures = [
        RegionFigure("01", "Tanger-Tétouan-Al Hoceïma", Decimal("12.5"), 3),
        RegionFigure("09", "Souss-Massa & <co>", Decimal("81"), 40),
    ]
    with translation.override(lang):
        svg = region_map(figures, title="Median by region", ident="m")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.get("role") == "img" and root.findtext(f"{SVG}title") == "Median by region"
    assert root.get("direction") == ("rtl" if lang == "ar" else "ltr")
    paths = {p.get("data-code"): p for p in root.findall(f".//{SVG}path")}
    assert list(paths) == list(REGIONS)
    assert paths["01"].get("fill") == charts.BANDS[0].colour
    assert paths["09"].get("fill") == charts.BANDS[4].colour
    assert paths["05"].get("fill") == charts.NO_DATA and paths["05"].get("data-band") == "none"
    titles = {code: p.findtext(f"{SVG}title") or "" for code, p in paths.items()}
    assert "Souss-Massa & <co>" in titles["09"] and ("81" in titles["09"])
    assert "12" in titles["01"]
    legend = root.findall(f".//{SVG}g[@class='legend-item']")
    assert [g.get("data-band") for g in legend] == ["0", "1", "2", "3", "4", "none"]
    assert [g.find(f"{SVG}rect").get("fill") for g in legend] == [  # type: ignore[union-attr]
        *(band.colour for band in charts.BANDS),
        charts.NO_DATA,
    ]
    # Every outline is a closed path of its points.
    assert all((p.get("d") or "").endswith("Z") for p in paths.values())
