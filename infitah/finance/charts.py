"""Server-drawn SVG bar charts of the public budget pages (our own code: no library, no
script, no inline style).

- `bar_chart(rows, *, title, rtl, unit)`: one horizontal bar per row (where the money
  comes from, where it goes). Each row is a line of text (the label at the start, the
  figure at the end) above its bar; the bars start at zero, and with negative values
  (reductions in an amended budget) zero moves inwards and a negative bar grows towards
  the start;
- `grouped_bar_chart(rows, *, series, title, rtl, unit)`: several bars per row (budgeted
  and executed expenditure of each year), each with its figure after it;
- `stacked_bar_chart(rows, *, series, title, rtl, unit)`: one bar per row cut into
  segments (the share of credits per gender marker, year by year).

Figures use Western digits and the active language's grouping ("1.503.000" in Arabic,
"1 503 000" in French); amounts are rounded to the dirham, other units keep one decimal
at most. Labels too long for the width are shortened with "…"; the whole label stays in
the bar's <title>, in the chart's <desc> and in the table the page prints beside it.

Accessible: the <svg> has role="img", a <title> and a <desc> that states every row's
figure (colour is never the only cue: the page also lists the figures as text).

Right-to-left: in Arabic the chart is mirrored (labels and bars start on the right) and
the SVG's `direction` is rtl; numbers are isolated as left-to-right text (LRI … PDI),
their unit following them as in the page's text ("1.503.000 درهم").

The charts are drawn in a viewBox `WIDTH` wide with width="100%": they scale down to a
360 px phone and up to the width of their container. Every text is escaped before the
markup is marked safe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

Number = Decimal | int | float

WIDTH = 360
FONT = 14
PAD = 4.0
# Rough width of one character at FONT px (system sans-serif, Latin and Arabic alike).
CHAR = 7.6
TOP = 6.0
BOTTOM = 6.0
LABEL = 20.0  # the line of text above a bar
BAR = 16.0
GAP = 12.0
ROW = LABEL + BAR + GAP
# Grouped bars: thinner bars, one per series, under the row's label.
SUB_BAR = 15.0
SUB_GAP = 3.0
# The legend of the series (grouped and stacked charts): one line per series.
LEGEND_LINE = 20.0
SWATCH = 12.0
PLOT = WIDTH - 2 * PAD
# Colour-blind safe (Okabe and Ito); the first is the site's accent for one series.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#5a6470")
COLOUR_ZERO = "#5a6470"
LRI, PDI = "\u2066", "\u2069"
ELLIPSIS = "…"


def figure(value: Number, unit: str = "", *, rtl: bool = False) -> str:
    """`value` in the active language's format with its unit: "1.503.000 درهم",
    "12,5 %". Amounts (any unit but "%") are rounded to the unit; shares keep one
    decimal when they have one. With `rtl`, the number is isolated as left-to-right
    text (the unit stays in the text's direction, as in the page's own text)."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    places = 1 if unit == "%" else 0
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        places = 0
    if rounded == 0:
        rounded = abs(rounded)  # no "-0"
    text = formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)
    if rtl:
        text = f"{LRI}{text}{PDI}"
    return f"{text} {unit}" if unit else text


def _n(number: float) -> str:
    """A coordinate: one decimal at most, no "-0"."""
    rounded = round(number, 1)
    if rounded == 0:
        return "0"
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _fit(label: str, room: float) -> str:
    """`label` shortened with "…" to about `room` pixels."""
    most = max(int(room / CHAR), 1)
    return label if len(label) <= most else label[: max(most - 1, 0)].rstrip() + ELLIPSIS


def _ident(title: str, ident: str) -> str:
    if ident:
        return ident
    return "chart-" + hashlib.sha256(title.encode()).hexdigest()[:10]


def _decimal(value: Number) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


class _Scale:
    """Positions along the value axis, zero included, mirrored in right-to-left."""

    def __init__(self, values: Sequence[Decimal], rtl: bool, start: float = PAD) -> None:
        self.low = min([Decimal(0), *values])
        self.high = max([Decimal(0), *values])
        self.rtl = rtl
        self.start = start
        self.width = WIDTH - PAD - start

    def x(self, value: Decimal) -> float:
        span = self.high - self.low
        share = float((value - self.low) / span) if span else 0.0
        position = self.start + share * self.width
        return WIDTH - position if self.rtl else position

    def bar(self, value: Decimal) -> tuple[float, float]:
        """The left edge and the width of the bar from zero to `value`."""
        a, b = self.x(Decimal(0)), self.x(value)
        return min(a, b), abs(b - a)

    @property
    def has_negative(self) -> bool:
        return self.low < 0


def _open(ident: str, title: str, desc: str, height: float, rtl: bool, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" role="img" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" font-size="{FONT}" '
        f'aria-labelledby="{ident}-t {ident}-d" direction="{"rtl" if rtl else "ltr"}" '
        f'data-rtl="{"1" if rtl else "0"}">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]


def _ends(rtl: bool) -> tuple[float, float]:
    """The x of the start side and of the end side of a line of text."""
    return (WIDTH - PAD, PAD) if rtl else (PAD, WIDTH - PAD)


def _empty(parts: list[str], y: float) -> None:
    parts.append(
        f'<text class="empty" x="{WIDTH // 2}" y="{_n(y)}" text-anchor="middle" '
        f'fill="currentColor">{escape(_("No figures."))}</text>'
    )


def _zero_line(parts: list[str], scale: _Scale, top: float, bottom: float) -> None:
    if scale.has_negative:
        x = _n(scale.x(Decimal(0)))
        parts.append(
            f'<line class="zero" x1="{x}" y1="{_n(top)}" x2="{x}" y2="{_n(bottom)}" '
            f'stroke="{COLOUR_ZERO}" stroke-width="1"></line>'
        )


def _legend(parts: list[str], series: Sequence[str], rtl: bool) -> float:
    """One line per series (swatch and name) at the top; returns the height used."""
    start, _end = _ends(rtl)
    items = []
    for index, name in enumerate(series):
        y = TOP + index * LEGEND_LINE
        swatch_x = start - SWATCH if rtl else start
        text_x = start - SWATCH - 6 if rtl else start + SWATCH + 6
        items.append(
            f'<g class="legend-item" data-series="{index}">'
            f'<rect x="{_n(swatch_x)}" y="{_n(y + 3)}" width="{_n(SWATCH)}" '
            f'height="{_n(SWATCH)}" fill="{COLOURS[index % len(COLOURS)]}"></rect>'
            f'<text x="{_n(text_x)}" y="{_n(y + 14)}" text-anchor="start">'
            f"{escape(_fit(name, PLOT - SWATCH - 6))}</text></g>"
        )
    parts.append(f'<g class="legend" fill="currentColor">{"".join(items)}</g>')
    return len(series) * LEGEND_LINE + (GAP if series else 0)


def _describe(rows: Sequence[tuple[str, str]]) -> str:
    return " ".join(
        _("%(label)s: %(value)s.") % {"label": label, "value": value} for label, value in rows
    )


def bar_chart(
    rows: Sequence[tuple[str, Number]],
    *,
    title: str,
    rtl: bool | None = None,
    unit: str = "MAD",
    ident: str = "",
) -> SafeString:
    """One horizontal bar per (label, value), in the given order. `rtl` defaults to the
    active language's direction."""
    if rtl is None:
        rtl = bool(get_language_bidi())
    ident = _ident(title, ident)
    values = [_decimal(v) for _label, v in rows]
    texts = [figure(v, unit) for v in values]
    height = TOP + max(len(rows), 1) * ROW - GAP + BOTTOM
    desc = _describe([(label, text) for (label, _v), text in zip(rows, texts, strict=True)])
    parts = _open(ident, title, desc or _("No figures."), height, rtl, "bar-chart")
    if not rows:
        _empty(parts, TOP + LABEL)
    scale = _Scale(values, rtl)
    start, end = _ends(rtl)
    for index, ((label, _v), value, text) in enumerate(zip(rows, values, texts, strict=True)):
        y = TOP + index * ROW
        room = PLOT - CHAR * (len(text) + 2)
        x, width = scale.bar(value)
        parts.append(
            f'<g class="row" data-index="{index}"><title>{escape(label)}: {escape(text)}</title>'
            f'<text class="label" x="{_n(start)}" y="{_n(y + 15)}" text-anchor="start" '
            f'fill="currentColor">{escape(_fit(label, room))}</text>'
            f'<text class="value" x="{_n(end)}" y="{_n(y + 15)}" text-anchor="end" '
            f'fill="currentColor">{escape(figure(value, unit, rtl=rtl))}</text>'
            f'<rect class="bar" x="{_n(x)}" y="{_n(y + LABEL)}" width="{_n(width)}" '
            f'height="{_n(BAR)}" fill="{COLOURS[0]}" data-value="{escape(str(value))}">'
            "</rect></g>"
        )
    _zero_line(parts, scale, TOP + LABEL, height - BOTTOM)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def grouped_bar_chart(
    rows: Sequence[tuple[str, Sequence[Number | None]]],
    *,
    series: Sequence[str],
    title: str,
    rtl: bool | None = None,
    unit: str = "MAD",
    ident: str = "",
) -> SafeString:
    """Per row, one bar per series (None: no figure, no bar), each followed by its
    figure; a legend names the series."""
    if rtl is None:
        rtl = bool(get_language_bidi())
    ident = _ident(title, ident)
    known = [_decimal(v) for _label, vs in rows for v in vs if v is not None]
    row_height = LABEL + len(series) * (SUB_BAR + SUB_GAP) + GAP
    legend = len(series) * LEGEND_LINE + (GAP if series else 0)
    height = TOP + legend + max(len(rows), 1) * row_height - GAP + BOTTOM
    described = []
    for label, vs in rows:
        figures = [
            f"{name} {figure(_decimal(v), unit)}"
            for name, v in zip(series, vs, strict=True)
            if v is not None
        ]
        described.append((label, ", ".join(figures) or "—"))
    parts = _open(ident, title, _describe(described) or _("No figures."), height, rtl, "bar-chart")
    _legend(parts, series, rtl)
    top = TOP + legend
    if not rows:
        _empty(parts, top + LABEL)
    # The bars leave room for their figure after them.
    longest = max((len(figure(v, unit)) for v in known), default=0)
    scale = _Scale(known, rtl)
    scale.width = max(PLOT - CHAR * (longest + 1), PLOT / 3)
    if scale.has_negative:
        scale.start = PAD + CHAR * (longest + 1)
        scale.width = max(PLOT - 2 * CHAR * (longest + 1), PLOT / 3)
    start, _end = _ends(rtl)
    for index, (label, vs) in enumerate(rows):
        y = top + index * row_height
        bars = []
        for position, (name, raw) in enumerate(zip(series, vs, strict=True)):
            if raw is None:
                continue
            value = _decimal(raw)
            text = figure(value, unit)
            x, width = scale.bar(value)
            bar_y = y + LABEL + position * (SUB_BAR + SUB_GAP)
            # The figure sits beyond the bar's outer end (after it, or before it for a
            # negative value).
            outward = (value >= 0) != rtl
            text_x = x + width + 4 if outward else x - 4
            anchor = "start" if outward != rtl else "end"
            bars.append(
                f'<g class="bar-group" data-series="{position}"><title>{escape(name)}: '
                f"{escape(text)}</title>"
                f'<rect class="bar" x="{_n(x)}" y="{_n(bar_y)}" width="{_n(width)}" '
                f'height="{_n(SUB_BAR)}" fill="{COLOURS[position % len(COLOURS)]}" '
                f'data-value="{escape(str(value))}"></rect>'
                f'<text class="value" x="{_n(text_x)}" y="{_n(bar_y + SUB_BAR - 2)}" '
                f'text-anchor="{anchor}" font-size="{FONT - 1}" fill="currentColor">'
                f"{escape(figure(value, unit, rtl=rtl))}</text></g>"
            )
        parts.append(
            f'<g class="row" data-index="{index}">'
            f'<text class="label" x="{_n(start)}" y="{_n(y + 15)}" text-anchor="start" '
            f'fill="currentColor">{escape(_fit(label, PLOT))}</text>{"".join(bars)}</g>'
        )
    _zero_line(parts, scale, top + LABEL, height - BOTTOM)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[Number]]],
    *,
    series: Sequence[str],
    title: str,
    rtl: bool | None = None,
    unit: str = "%",
    ident: str = "",
) -> SafeString:
    """Per row, one bar cut into one segment per series, in order from the start side;
    the longest row fills the width. Negative values count as zero (a share cannot be
    drawn below nothing); the figures in the description and the page keep them."""
    if rtl is None:
        rtl = bool(get_language_bidi())
    ident = _ident(title, ident)
    clean = [[max(_decimal(v), Decimal(0)) for v in vs] for _label, vs in rows]
    totals = [sum(vs, Decimal(0)) for vs in clean]
    longest = max(totals, default=Decimal(0))
    legend = len(series) * LEGEND_LINE + (GAP if series else 0)
    height = TOP + legend + max(len(rows), 1) * ROW - GAP + BOTTOM
    described = [
        (
            label,
            ", ".join(
                f"{name} {figure(_decimal(v), unit)}" for name, v in zip(series, vs, strict=True)
            ),
        )
        for label, vs in rows
    ]
    parts = _open(ident, title, _describe(described) or _("No figures."), height, rtl, "bar-chart")
    _legend(parts, series, rtl)
    top = TOP + legend
    if not rows:
        _empty(parts, top + LABEL)
    start, _end = _ends(rtl)
    for index, ((label, _vs), values) in enumerate(zip(rows, clean, strict=True)):
        y = top + index * ROW
        offset = 0.0
        segments = []
        for position, value in enumerate(values):
            width = float(value / longest) * PLOT if longest else 0.0
            x = WIDTH - PAD - offset - width if rtl else PAD + offset
            offset += width
            segments.append(
                f'<rect class="segment" x="{_n(x)}" y="{_n(y + LABEL)}" width="{_n(width)}" '
                f'height="{_n(BAR)}" fill="{COLOURS[position % len(COLOURS)]}" '
                f'data-series="{position}" data-value="{escape(str(value))}"></rect>'
            )
        parts.append(
            f'<g class="row" data-index="{index}"><title>{escape(described[index][0])}: '
            f"{escape(described[index][1])}</title>"
            f'<text class="label" x="{_n(start)}" y="{_n(y + 15)}" text-anchor="start" '
            f'fill="currentColor">{escape(_fit(label, PLOT))}</text>{"".join(segments)}</g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
