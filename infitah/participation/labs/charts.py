"""The opinion map: a server-rendered SVG scatter of participants coloured by group.

Our own few lines (no chart library, no script). Accessible: `role="img"` labelled by its
<title> and <desc>, each group's letter drawn at its centre (colour is never the only
cue), and the page gives the same facts as a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
HEIGHT = 360
PAD = 24
RADIUS = 4
# At most this many points are drawn (a regular sample beyond): the page stays small.
MAX_POINTS = 300
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
UNGROUPED = "#8a939d"


def group_letter(group: int) -> str:
    """Groups are shown as A, B, C… (the maths numbers them 0, 1, 2…)."""
    return chr(ord("A") + group) if 0 <= group < 26 else str(group + 1)


def group_colour(group: int | None) -> str:
    return UNGROUPED if group is None else PALETTE[group % len(PALETTE)]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    group: int | None


def sample(points: Sequence[Point], limit: int = MAX_POINTS) -> list[Point]:
    """Every k-th point when there are more than `limit` (deterministic)."""
    if len(points) <= limit:
        return list(points)
    step = len(points) / limit
    return [points[int(i * step)] for i in range(limit)]


def _scale(values: list[float], size: int) -> tuple[float, float]:
    """(offset, factor) mapping values onto [PAD, size - PAD]."""
    low, high = min(values), max(values)
    span = high - low
    if span <= 1e-12:
        return low - 1.0, (size - 2 * PAD) / 2.0
    return low, (size - 2 * PAD) / span


def opinion_map_svg(*, points: Sequence[Point], title: str, desc: str) -> SafeString:
    """The SVG element (inline in the page). `points` in the maths' coordinates."""
    shown = sample(points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'width="100%" role="img" '
        'aria-labelledby="map-title map-desc" class="opinion-map" direction="ltr">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(desc)}</desc>',
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" fill="#fff" '
        'stroke="#d6dbe1"/>',
    ]
    if shown:
        x0, fx = _scale([p.x for p in shown], WIDTH)
        y0, fy = _scale([p.y for p in shown], HEIGHT)

        def sx(value: float) -> int:
            return round(PAD + (value - x0) * fx)

        def sy(value: float) -> int:
            return round(HEIGHT - PAD - (value - y0) * fy)  # up is positive

        groups = sorted({p.group for p in shown}, key=lambda g: (g is None, g or 0))
        for group in groups:
            members = [p for p in shown if p.group == group]
            circles = "".join(
                f'<circle cx="{sx(p.x)}" cy="{sy(p.y)}" r="{RADIUS}"/>' for p in members
            )
            name = "none" if group is None else group_letter(group)
            parts.append(
                f'<g fill="{group_colour(group)}" fill-opacity="0.8" data-group="{name}">'
                f"{circles}</g>"
            )
        for group in groups:
            if group is None:
                continue
            members = [p for p in shown if p.group == group]
            cx = sum(sx(p.x) for p in members) / len(members)
            cy = sum(sy(p.y) for p in members) / len(members)
            parts.append(
                f'<text x="{round(cx)}" y="{round(cy)}" font-size="20" font-weight="700" '
                f'text-anchor="middle" dominant-baseline="central" fill="#1b1f24" '
                f'stroke="#fff" stroke-width="4" paint-order="stroke">'
                f"{group_letter(group)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped or ours
