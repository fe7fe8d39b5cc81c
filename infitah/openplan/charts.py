"""Server-drawn SVG line charts of a commitment's indicators (our own code: no library,
no script).

`indicator_chart(indicator, values)`: x is the date of each measured value, y its value;
the baseline and the target are dashed horizontal lines with their figures written next
to them; the values are points joined by a polyline. Axis labels use Western digits, the
active language's number format and month names (Moroccan in Arabic: غشت, شتنبر…).

Accessible: the <svg> has role="img", a <title> (its accessible name, the indicator's
name) and a <desc> that states the baseline, the target and the latest value; the page
lists every value as text beside it (colour and shape are never the only cue).

Right-to-left: in Arabic the chart is mirrored (time runs from right to left, the value
axis is on the right) and the SVG's `direction` is rtl; figures are isolated as
left-to-right text (LRI … PDI) so that "1.503,5 %" keeps its order.

Every text is escaped before the markup is marked safe.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Protocol

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _

WIDTH = 480
HEIGHT = 220
TOP = 22
BOTTOM = 44
END = 16  # the margin on the side away from the value axis
FONT = 13
# Rough width of one character of the labels (system sans-serif at FONT px).
CHAR = 7.5
AXIS_MIN = 36.0
AXIS_MAX = 180.0
# Two date labels are at least this far apart (pixels), or the later one is left out:
# about a label's width ("sept. 2027") plus half of one.
LABEL_GAP = 120.0
TICKS = 4
RADIUS = 4
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM

COLOUR_SERIES = "#0072B2"
COLOUR_TARGET = "#0b5f4a"
COLOUR_BASELINE = "#5a6470"
COLOUR_GRID = "#d6dbe1"

LRI, PDI = "\u2066", "\u2069"


class IndicatorLike(Protocol):
    pk: Any
    unit: str
    baseline: Decimal
    target: Decimal
    baseline_on: dt.date | None
    target_on: dt.date | None

    @property
    def name(self) -> str: ...


class ValueLike(Protocol):
    measured_on: dt.date
    value: Decimal


def figure(value: Decimal) -> str:
    """`value` in the active language's format, with no useless decimals: "1.503,5"
    (ar), "1 503,5" (fr), "45"."""
    number = Decimal(value)
    if number == number.to_integral_value():
        places = 0
    else:
        exponent = number.normalize().as_tuple().exponent
        places = min(-exponent, 2) if isinstance(exponent, int) else 2
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def with_unit(value: Decimal, unit: str) -> str:
    return f"{figure(value)} {unit}".strip()


def month_label(day: dt.date) -> str:
    """The month and year of a date label: "غشت 2027", "sept. 2027" (abbreviated
    months, as Django's "N" format gives them in the active language)."""
    return formats.date_format(day, "N Y")


def _nice_step(span: Decimal, count: int = TICKS) -> Decimal:
    """A step of 1, 2, 2.5 or 5 × 10^k that cuts `span` (> 0) into about `count` parts."""
    raw = span / count
    exponent = math.floor(math.log10(float(raw)))
    base = Decimal(10) ** exponent
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if raw <= factor * base:
            return factor * base
    return Decimal(10) * base  # pragma: no cover - float rounding at a power of ten


def value_ticks(numbers: Iterable[Decimal]) -> list[Decimal]:
    """Round tick values that enclose `numbers` (the first and last are the axis ends).
    Equal numbers get a band around them; no numbers, 0 to 1."""
    found = [Decimal(n) for n in numbers]
    low, high = (min(found), max(found)) if found else (Decimal(0), Decimal(1))
    if low == high:
        pad = abs(low) / 10 if low else Decimal(1)
        low, high = low - pad, high + pad
    step = _nice_step(high - low)
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    count = int((last - first) / step)
    return [first + step * index for index in range(count + 1)]


def _isolated(text: str, rtl: bool) -> str:
    return f"{LRI}{text}{PDI}" if rtl else text


def _n(number: float) -> str:
    """A coordinate: one decimal at most, no "-0"."""
    rounded = round(number, 1)
    if rounded == 0:
        return "0"
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def describe(indicator: IndicatorLike, values: Sequence[ValueLike]) -> str:
    """What the chart shows, in a sentence (its <desc>)."""
    unit = indicator.unit
    parts = [
        _("Baseline: %(value)s.") % {"value": with_unit(indicator.baseline, unit)},
        _("Target: %(value)s.") % {"value": with_unit(indicator.target, unit)},
    ]
    if values:
        latest = values[-1]
        parts.append(
            ngettext(
                "%(count)d measured value, the latest %(value)s on %(date)s.",
                "%(count)d measured values, the latest %(value)s on %(date)s.",
                len(values),
            )
            % {
                "count": len(values),
                "value": with_unit(latest.value, unit),
                "date": formats.date_format(latest.measured_on, "DATE_FORMAT"),
            }
        )
    else:
        parts.append(_("No measured value yet."))
    return " ".join(parts)


def indicator_chart(
    indicator: IndicatorLike, values: Iterable[ValueLike], *, rtl: bool | None = None
) -> SafeString:
    """The SVG element of `indicator`'s values over time (inline in the page). `rtl`
    defaults to the active language's direction."""
    if rtl is None:
        rtl = bool(get_language_bidi())
    points = sorted(values, key=lambda v: v.measured_on)
    ident = f"indicator-{indicator.pk or 0}"
    unit = indicator.unit

    # The value axis: round ticks around the baseline, the target and every value.
    ticks = value_ticks([indicator.baseline, indicator.target, *(p.value for p in points)])
    low, high = float(ticks[0]), float(ticks[-1])
    tick_labels = [figure(t) for t in ticks]
    axis = min(max(CHAR * max(len(label) for label in tick_labels) + 12, AXIS_MIN), AXIS_MAX)

    def y_of(number: Decimal) -> float:
        return TOP + (high - float(number)) / (high - low) * PLOT_HEIGHT

    # The time axis: the dates of the values, the baseline's and the target's.
    days = [p.measured_on for p in points]
    days += [d for d in (indicator.baseline_on, indicator.target_on) if d is not None]
    first_day, last_day = (min(days), max(days)) if days else (None, None)
    # Pixels of the axis' start and end: mirrored in right-to-left.
    start, end = (WIDTH - axis, float(END)) if rtl else (axis, float(WIDTH - END))

    def x_of(day: dt.date) -> float:
        if first_day is None or last_day is None or first_day == last_day:
            return (start + end) / 2
        share = (day - first_day).days / (last_day - first_day).days
        return start + share * (end - start)

    title = indicator.name
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" font-size="{FONT}" '
        f'aria-labelledby="{ident}-t {ident}-d" direction="{"rtl" if rtl else "ltr"}" '
        f'data-rtl="{"1" if rtl else "0"}">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(describe(indicator, points))}</desc>',
    ]

    # Grid and value labels. With direction="rtl", text-anchor "start" is the right end
    # of the text: the labels hug the axis on the right.
    label_x = WIDTH - 4.0 if rtl else 4.0
    grid = []
    labels = []
    for tick, label in zip(ticks, tick_labels, strict=True):
        y = _n(y_of(tick))
        grid.append(f'<line x1="{_n(start)}" y1="{y}" x2="{_n(end)}" y2="{y}"></line>')
        labels.append(
            f'<text x="{_n(label_x)}" y="{y}" dominant-baseline="middle" text-anchor="start" '
            f'data-value="{escape(str(tick))}">{escape(_isolated(label, rtl))}</text>'
        )
    parts.append(f'<g class="grid" stroke="{COLOUR_GRID}">{"".join(grid)}</g>')
    parts.append(f'<g class="y-labels" fill="currentColor">{"".join(labels)}</g>')

    # Date labels under the axis: the first, then each one far enough from the one
    # before and from the last, then the last.
    placed: list[tuple[float, dt.date]] = []
    label_days = sorted(set(days))
    if label_days:
        last_x = x_of(label_days[-1])
        for day in label_days:
            x = x_of(day)
            if day != label_days[-1] and (
                abs(x - last_x) < LABEL_GAP or (placed and abs(x - placed[-1][0]) < LABEL_GAP)
            ):
                continue
            placed.append((x, day))
    # The first label starts at the axis and the last ends at the plot's end (with
    # direction="rtl", "start" and "end" are mirrored along with the chart).
    anchors = ["middle"] * len(placed)
    if len(placed) > 1:
        anchors[0], anchors[-1] = "start", "end"
    date_labels = "".join(
        f'<text x="{_n(x)}" y="{HEIGHT - 10}" text-anchor="{anchor}" '
        f'data-date="{day.isoformat()}">{escape(month_label(day))}</text>'
        for (x, day), anchor in zip(placed, anchors, strict=True)
    )
    parts.append(f'<g class="x-labels" fill="currentColor">{date_labels}</g>')

    # Baseline and target: dashed lines across the plot; the higher one's figure above
    # it, the lower one's below it, at the end of the time axis.
    text_x = _n(end - 2 if not rtl else end + 2)
    upper_is_target = indicator.target >= indicator.baseline
    for css, number, colour, label, upper in (
        ("target", indicator.target, COLOUR_TARGET, _("Target"), upper_is_target),
        ("baseline", indicator.baseline, COLOUR_BASELINE, _("Baseline"), not upper_is_target),
    ):
        level = y_of(number)
        text_y = level - 5 if upper else level + 15
        parts.append(
            f'<line class="{css}" x1="{_n(start)}" y1="{_n(level)}" x2="{_n(end)}" '
            f'y2="{_n(level)}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="6 4"></line>'
            f'<text class="{css}-label" x="{text_x}" y="{_n(text_y)}" text-anchor="end" '
            f'fill="{colour}">{escape(label)} {escape(_isolated(with_unit(number, unit), rtl))}'
            "</text>"
        )

    # The measured values.
    coords = [(x_of(p.measured_on), y_of(p.value)) for p in points]
    if len(coords) > 1:
        line = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(
            f'<polyline class="series" points="{line}" fill="none" '
            f'stroke="{COLOUR_SERIES}" stroke-width="2"></polyline>'
        )
    if coords:
        circles = "".join(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{RADIUS}" '
            f'data-date="{p.measured_on.isoformat()}" data-value="{escape(str(p.value))}"></circle>'
            for (x, y), p in zip(coords, points, strict=True)
        )
        parts.append(f'<g class="points" fill="{COLOUR_SERIES}">{circles}</g>')
    else:
        parts.append(
            f'<text class="empty" x="{WIDTH // 2}" y="{TOP + PLOT_HEIGHT // 2}" '
            f'text-anchor="middle" fill="currentColor">{escape(_("No measured value yet."))}'
            "</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
