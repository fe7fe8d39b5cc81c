"""Server-drawn SVG charts of the openness pages (our own code: no library, no script, no
inline style).

- `bar_chart(rows, *, title)`: one horizontal bar per row on the 0-100 scale of the
  index (the median score of each kind of collectivity, of each region), coloured by
  the score's band, its figure and a detail ("12 collectivities") at the end;
- `column_chart(points, *, title)`: one column per month on the same scale (a
  collectivity's history, the network's median month by month), coloured by band.

Scores fall in the five bands of twenty points of the distribution (`BANDS`, from
`selectors.BANDS`); a row without a score is drawn
as an empty outline and called "no data" in words. The colours are a sequential
colour-blind safe scale (ColorBrewer YlGnBu); every shape has a dark outline so that
the light colours keep their contrast with the page, and colour is never the only cue:
each figure is written next to its shape (or in its <title>), in the chart's <desc>
(unless the page passes a shorter one because it prints the figures) and in the table
the page prints beside it.

Right-to-left: in Arabic the charts are mirrored (labels and bars start on the right,
time runs from right to left) and the SVG's `direction` is rtl; figures are isolated
as left-to-right text (LRI … PDI). The charts are drawn in a viewBox `WIDTH` wide with
width="100%": they scale down to a 360 px phone. Every text is escaped before the
markup is marked safe.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from infitah.openness.selectors import BANDS as BANDS_BOUNDS

Number = Decimal | int | float

WIDTH = 360
FONT = 14
PAD = 4.0
CHAR = 7.6  # rough width of one character at FONT px
TOP = 6.0
BOTTOM = 6.0
LABEL = 20.0  # the line of text above a bar
BAR = 16.0
GAP = 12.0
ROW = LABEL + BAR + GAP
PLOT = WIDTH - 2 * PAD

# Columns: the value axis (0, 25 … 100) on the start side, month labels under the plot.
COLUMNS_HEIGHT = 200.0
AXIS = 30.0  # room for the value axis' figures
UNDER = 24.0  # room for the month labels
COLUMN_LABEL_GAP = 56.0  # two month labels are at least this far apart
TICKS = (0, 25, 50, 75, 100)

OUTLINE = "#1b1f24"
GRID = "#d6dbe1"
NO_DATA = "#ffffff"
LRI, PDI = "\u2066", "\u2069"
ELLIPSIS = "…"


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    colour: str

    @property
    def label(self) -> str:
        """ "0–20", "80–100": the lower bound is in the band, the upper one is not (but
        100 is in the last band)."""
        return f"{self.low}–{self.high}"


# The bands of the distribution (selectors.BANDS), light to dark.
COLOURS = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
BANDS: tuple[Band, ...] = tuple(
    Band(low, high, colour) for (low, high), colour in zip(BANDS_BOUNDS, COLOURS, strict=True)
)


def band_of(value: Number | None) -> Band | None:
    """The band of a score (None: no score, no band)."""
    if value is None:
        return None
    number = _decimal(value)
    for band in BANDS:
        if number < band.high:
            return band
    return BANDS[-1]


def colour_of(value: Number | None) -> str:
    band = band_of(value)
    return band.colour if band is not None else NO_DATA


def figure(value: Number | None, *, rtl: bool = False) -> str:
    """A score in the active language's format with one decimal at most ("54,5",
    "60"); "no data" for None. With `rtl`, the number is isolated as left-to-right
    text."""
    if value is None:
        return _("no data")
    number = _decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    places = 0 if number == number.to_integral_value() else 1
    text = formats.number_format(number, decimal_pos=places, use_l10n=True)
    return f"{LRI}{text}{PDI}" if rtl else text


def _decimal(value: Number) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _n(number: float) -> str:
    """A coordinate: one decimal at most, no "-0"."""
    rounded = round(number, 1)
    if rounded == 0:
        return "0"
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _fit(label: str, room: float) -> str:
    most = max(int(room / CHAR), 1)
    return label if len(label) <= most else label[: max(most - 1, 0)].rstrip() + ELLIPSIS


def _ident(title: str, ident: str) -> str:
    if ident:
        return ident
    return "chart-" + hashlib.sha256(title.encode()).hexdigest()[:10]


def _open(ident: str, title: str, desc: str, height: float, rtl: bool, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" font-size="{FONT}" '
        # Inherited: texts are drawn in the page's colour, outlines one pixel wide.
        'fill="currentColor" stroke-width="1" '
        f'aria-labelledby="{ident}-t {ident}-d" direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]


def _describe(rows: Sequence[tuple[str, str]]) -> str:
    return " ".join(
        _("%(label)s: %(value)s.") % {"label": label, "value": value} for label, value in rows
    )


def _band_attr(value: Number | None) -> str:
    band = band_of(value)
    return str(BANDS.index(band)) if band is not None else "none"


def bar_chart(
    rows: Sequence[tuple[str, Number | None, str]],
    *,
    title: str,
    rtl: bool | None = None,
    ident: str = "",
    desc: str = "",
) -> SafeString:
    """One horizontal bar per (label, score or None, detail), in the given order, on
    the fixed 0-100 scale. `rtl` defaults to the active language's direction. `desc`
    replaces the description stating every figure, for a page that prints them in a
    table beside the chart (it then says so, and the page stays light)."""
    if rtl is None:
        rtl = bool(get_language_bidi())
    ident = _ident(title, ident)
    height = TOP + max(len(rows), 1) * ROW - GAP + BOTTOM
    texts = [
        f"{figure(value)} ({detail})" if detail else figure(value) for _l, value, detail in rows
    ]
    desc = desc or _describe(
        [(label, text) for (label, _v, _d), text in zip(rows, texts, strict=True)]
    )
    parts = _open(ident, title, desc or _("No figures."), height, rtl, "bar-chart")
    if not rows:
        parts.append(
            f'<text x="{WIDTH // 2}" y="{_n(TOP + LABEL)}" text-anchor="middle">'
            f"{escape(_('No figures.'))}</text>"
        )
    start, end = (WIDTH - PAD, PAD) if rtl else (PAD, WIDTH - PAD)
    # The scale, drawn once: 0, 50 and 100 as light vertical lines through every bar,
    # so that a low or missing score is still seen as a share of 100.
    if rows:
        lines = []
        for tick in (0, 50, 100):
            x = PAD + tick / 100 * PLOT
            x = WIDTH - x if rtl else x
            lines.append(
                f'<line x1="{_n(x)}" y1="{_n(TOP + LABEL)}" x2="{_n(x)}" '
                f'y2="{_n(height - BOTTOM)}"/>'
            )
        parts.append(f'<g class="scale" stroke="{GRID}">{"".join(lines)}</g>')
    for index, (label, value, detail) in enumerate(rows):
        y = TOP + index * ROW
        shown = figure(value, rtl=rtl) + (f" ({detail})" if detail else "")
        room = PLOT - CHAR * (len(shown) + 2)
        width = float(_decimal(value)) / 100 * PLOT if value is not None else 0.0
        width = min(max(width, 0.0), PLOT)
        x = WIDTH - PAD - width if rtl else PAD
        parts.append(
            f'<g class="row" data-band="{_band_attr(value)}">'
            f'<text x="{_n(start)}" y="{_n(y + 15)}" text-anchor="start">'
            f"{escape(_fit(label, room))}</text>"
            f'<text x="{_n(end)}" y="{_n(y + 15)}" text-anchor="end">{escape(shown)}</text>'
        )
        if value is not None:
            parts.append(
                f'<rect class="bar" x="{_n(x)}" y="{_n(y + LABEL)}" width="{_n(width)}" '
                f'height="{_n(BAR)}" fill="{colour_of(value)}" stroke="{OUTLINE}"/>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def column_chart(
    points: Sequence[tuple[str, Number | None]],
    *,
    title: str,
    rtl: bool | None = None,
    ident: str = "",
    desc: str = "",
) -> SafeString:
    """One column per (label, score or None), in time order, on the 0-100 scale; the
    first point on the start side. Labels that would overlap are left out of the axis
    (they stay in each column's <title>, in <desc> and in the page's table). `desc` as
    for `bar_chart`."""
    if rtl is None:
        rtl = bool(get_language_bidi())
    ident = _ident(title, ident)
    height = COLUMNS_HEIGHT
    plot_top = TOP + 8
    plot_bottom = height - UNDER
    plot_height = plot_bottom - plot_top
    plot_start = PAD + AXIS
    plot_width = WIDTH - PAD - plot_start
    desc = desc or _describe([(label, figure(value)) for label, value in points])
    parts = _open(ident, title, desc or _("No figures."), height, rtl, "column-chart")

    def x_of(position: float) -> float:
        x = plot_start + position
        return WIDTH - x if rtl else x

    axis_x = x_of(-6)
    grid = []
    for tick in TICKS:
        y = plot_bottom - tick / 100 * plot_height
        grid.append(
            f'<line x1="{_n(x_of(0))}" y1="{_n(y)}" x2="{_n(x_of(plot_width))}" y2="{_n(y)}" '
            f'stroke="{GRID}"/>'
            f'<text x="{_n(axis_x)}" y="{_n(y + 4)}">{escape(figure(tick, rtl=rtl))}</text>'
        )
    parts.append(f'<g class="axis" text-anchor="end" font-size="{FONT - 2}">{"".join(grid)}</g>')
    if not points:
        parts.append(
            f'<text x="{WIDTH // 2}" y="{_n(plot_top + plot_height / 2)}" '
            f'text-anchor="middle">{escape(_("No figures."))}</text>'
        )
    slot = plot_width / max(len(points), 1)
    column = max(min(slot * 0.7, 40.0), 2.0)
    every = max(1, math.ceil(COLUMN_LABEL_GAP / slot))
    last = len(points) - 1
    for index, (label, value) in enumerate(points):
        centre = x_of(slot * index + slot / 2)
        parts.append(
            f'<g class="column" data-band="{_band_attr(value)}">'
            f"<title>{escape(label)}: {escape(figure(value))}</title>"
        )
        if value is not None:
            share = min(max(float(_decimal(value)) / 100, 0.0), 1.0)
            top = plot_bottom - share * plot_height
            parts.append(
                f'<rect class="bar" x="{_n(centre - column / 2)}" y="{_n(top)}" '
                f'width="{_n(column)}" height="{_n(plot_bottom - top)}" '
                f'fill="{colour_of(value)}" stroke="{OUTLINE}"/>'
            )
        else:
            # No score that month: a dashed outline at the foot of the plot.
            parts.append(
                f'<rect class="bar none" x="{_n(centre - column / 2)}" '
                f'y="{_n(plot_bottom - 4)}" width="{_n(column)}" height="4" '
                f'fill="{NO_DATA}" stroke="{OUTLINE}" stroke-dasharray="2 2"/>'
            )
        # The last label always shows (the latest month); the others every `every`
        # columns, counted back from it so that the latest month sets the rhythm.
        if (last - index) % every == 0:
            parts.append(
                f'<text class="label" x="{_n(centre)}" y="{_n(height - 6)}" '
                f'text-anchor="middle" font-size="{FONT - 2}">{escape(label)}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
