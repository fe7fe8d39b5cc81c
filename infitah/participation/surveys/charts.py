"""Server-rendered SVG bar charts of survey results (our own code: no library, no JS).

One horizontal bar per option or scale value, with its label and "count (percent %)"
written out as text, so the chart reads without colours and prints. Accessible: the
<svg> has role="img" and a <title> (its accessible name) and a <desc> that lists every
number; the page shows the same numbers in a table as well. Right-to-left: labels go on
the right and bars grow leftwards when `rtl` is true.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640
ROW = 30
BAR = 18
TOP = 6
LABEL_WIDTH = 240
VALUE_WIDTH = 110
LABEL_CHARS = 30


class BarLike(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def percent(self) -> float: ...


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def figure(value: BarLike) -> str:
    """ "12 (40 %)": the count and its share, as the chart and the table write them."""
    percent = f"{value.percent:.1f}".rstrip("0").rstrip(".")
    return f"{value.count} ({percent} %)"


VALUE_LTR = 'text-anchor="start"'
VALUE_RTL = 'direction="ltr" unicode-bidi="embed" text-anchor="end"'


def bar_chart(*, title: str, bars: Sequence[BarLike], rtl: bool = False, ident: str) -> SafeString:
    """An SVG of `bars`; `ident` makes the ids of its title and description unique in
    the page."""
    height = TOP * 2 + ROW * max(len(bars), 1)
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    described = "; ".join(f"{bar.label}: {figure(bar)}" for bar in bars) or _("No answer yet.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" font-size="14" '
        f'aria-labelledby="{ident}-t {ident}-d" direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(described)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        middle = y + ROW / 2
        length = round(track * min(max(bar.percent, 0.0), 100.0) / 100, 1)
        if rtl:
            # Mirrored. With direction="rtl", text-anchor "start" is the text's right end.
            label_x, bar_x = WIDTH - 4.0, WIDTH - LABEL_WIDTH - length
            value_x = bar_x - 6
        else:
            label_x, bar_x = 4.0, float(LABEL_WIDTH)
            value_x = bar_x + length + 6
        parts.append(
            f'<g><text x="{label_x}" y="{middle}" dominant-baseline="middle" '
            f'text-anchor="start">{escape(_short(bar.label))}</text>'
            f'<rect x="{bar_x}" y="{y + (ROW - BAR) / 2}" width="{length}" height="{BAR}" '
            f'fill="currentColor" fill-opacity="0.75"></rect>'
            # The figure is left-to-right text even in a right-to-left chart, so that
            # "2 (40 %)" keeps its order (SVG text does not honour isolates).
            f'<text x="{value_x}" y="{middle}" dominant-baseline="middle" '
            f"{VALUE_RTL if rtl else VALUE_LTR}>{escape(figure(bar))}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
