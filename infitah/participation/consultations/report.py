"""The report of a consultation as a file: CSV (UTF-8 with BOM, one tidy table) and PDF
(WeasyPrint, through infitah.lib.pdf), and its stance chart as a small inline SVG drawn
here (no chart library, no JavaScript).

The CSV has one header and one row per counted thing, `table` telling which:

    table,key,label,comments_received,comments_published,supports,opposes,participants
    section,1,<title>,…                  one row per section (key: its order)
    total,,<All sections>,…              the consultation as a whole
    commune,<slug>,<name>,,,,,<n>        participants by declared commune ("" undeclared)
    gender,<female|male|undisclosed>,<label>,,,,,<n>
    region,<slug>,<name>,,,,,<n>         a consultation of the network only: participants
    kind,<kind>,<label>,,,,,<n>          by region and by kind of collectivity ("" not
                                         stated; participation.breakdown)
"""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from infitah.lib.csvsafe import csv_cell
from infitah.lib.pdf import html_to_pdf
from infitah.participation.breakdown import Breakdown
from infitah.participation.consultations.selectors import Report

HEADER = [
    "table",
    "key",
    "label",
    "comments_received",
    "comments_published",
    "supports",
    "opposes",
    "participants",
]


def report_csv(report: Report, *, breakdown: Breakdown | None = None) -> str:
    """The report as CSV text, starting with a byte-order mark (spreadsheets then read
    Arabic as UTF-8); with `breakdown`, the rows of its two tables too."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for s in report.sections:
        writer.writerow(
            [
                "section",
                s.order,
                csv_cell(s.title),
                s.received,
                s.published,
                s.supports,
                s.opposes,
                s.participants,
            ]
        )
    writer.writerow(
        [
            "total",
            "",
            _("All sections"),
            report.received,
            report.published,
            report.supports,
            report.opposes,
            report.participants,
        ]
    )
    for row in report.by_commune:
        writer.writerow(["commune", row.key, csv_cell(row.label), "", "", "", "", row.participants])
    for row in report.by_gender:
        writer.writerow(["gender", row.key, row.label, "", "", "", "", row.participants])
    if breakdown is not None:
        for table, rows in (("region", breakdown.by_region), ("kind", breakdown.by_kind)):
            for found in rows:
                writer.writerow(
                    [table, found.key, csv_cell(found.label), "", "", "", "", found.participants]
                )
    return "\ufeff" + out.getvalue()


# Geometry of the chart (user units; the SVG scales to its container).
_WIDTH = 640
_LABEL = 48
_ROW = 30
_BAR = 11


def stance_chart_svg(report: Report) -> SafeString:
    """Supports and opposes of each section as paired horizontal bars, scaled to the
    largest count; sections are named by their number (the table beside names them)."""
    if not report.sections:
        return SafeString("")
    peak = max(max(s.supports, s.opposes) for s in report.sections) or 1
    room = _WIDTH - _LABEL - 60
    rtl = get_language_bidi()
    rows = []
    for i, s in enumerate(report.sections):
        y = 8 + i * _ROW
        bars = []
        for j, (value, css) in enumerate(((s.supports, "#1b7f4b"), (s.opposes, "#b3261e"))):
            length = round(room * value / peak)
            x = _WIDTH - _LABEL - length if rtl else _LABEL
            text_x = x - 4 if rtl else x + length + 4
            anchor = "end" if rtl else "start"
            bars.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="10" text-anchor="{}">{}</text>',
                    x,
                    y + j * (_BAR + 1),
                    length,
                    _BAR,
                    css,
                    text_x,
                    y + j * (_BAR + 1) + _BAR - 2,
                    anchor,
                    value,
                )
            )
        label_x = _WIDTH - 4 if rtl else 4
        rows.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="{}">{}</text>{}',
                label_x,
                y + _BAR + 2,
                "end" if rtl else "start",
                f"§{s.order}",
                SafeString("".join(bars)),
            )
        )
    height = 16 + len(report.sections) * _ROW
    title = _("Supports (green) and opposes (red) per section")
    return format_html(
        # direction="ltr": coordinates and text anchors are computed here for either
        # side; an inherited right-to-left direction would swap the anchors again.
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" '
        'class="stance-chart" direction="ltr" role="img" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        _WIDTH,
        height,
        title,
        title,
        format_html_join("", "{}", ((r,) for r in rows)),
    )


def report_pdf(report: Report, *, breakdown: Breakdown | None = None) -> bytes:
    """The report as a PDF in the active language (with `breakdown`, its two tables).
    Raises PdfUnavailable where WeasyPrint cannot run."""
    language = (get_language() or "ar")[:2]
    html = render_to_string(
        "consultations/pdf/report.html",
        {
            "report": report,
            "consultation": report.consultation,
            "collectivity": report.consultation.collectivity,
            "chart": stance_chart_svg(report),
            "breakdown": breakdown,
            "lang": language,
            "dir": "rtl" if get_language_bidi() else "ltr",
            "issued_at": timezone.localtime(),
        },
    )
    return html_to_pdf(html)
