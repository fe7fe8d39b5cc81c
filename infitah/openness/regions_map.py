"""A schematic map of Morocco's twelve regions, coloured by a figure per region (the
median openness score), drawn on the server as SVG: no tiles, no script, nothing
fetched.

The outlines are our own, drawn by hand as a few dozen points in longitude and latitude
(`POINTS`): the coast, the land border, and where three regions meet. They are
approximate (a few tens of kilometres off) and say so on the page: the map shows which
region is which, the table beside it gives the figures. Neighbouring regions share
their points (`REGIONS` lists each outline as point names), so the shapes fit together
without gaps. Keys are the official codes 01..12 of the 2015 division
(docs/territories.md), the `code` of the region's `Collectivity`.

Projection: plain equirectangular, longitudes shrunk by the cosine of the middle
latitude, which at this scale is all the shape needs. North is up in both languages: a
map is not mirrored in Arabic; only its legend reads from the right.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _

from infitah.openness.charts import BANDS, NO_DATA, OUTLINE, band_of, colour_of, figure

# (longitude, latitude) in degrees.
POINTS: dict[str, tuple[float, float]] = {
    # The Mediterranean coast, west to east.
    "spartel": (-5.92, 35.79),
    "ceuta": (-5.35, 35.87),
    "tetouan": (-5.3, 35.6),
    "jebha": (-4.65, 35.2),
    "hoceima": (-3.93, 35.25),
    "driouch_coast": (-3.65, 35.22),
    "three_forks": (-2.97, 35.42),
    "saidia": (-2.22, 35.09),
    # The land border, north to south.
    "border_oujda": (-1.78, 34.75),
    "border_oujda_s": (-1.72, 34.3),
    "border_tendrara": (-1.6, 33.5),
    "border_ich": (-1.3, 32.7),
    "figuig": (-1.18, 32.12),
    "border_bouarfa": (-2.3, 31.95),
    "border_oriental_s": (-3.65, 31.65),
    "border_hamada": (-3.8, 30.95),
    "border_draa": (-5.0, 30.25),
    "mhamid": (-5.6, 29.8),
    "border_tata_e": (-6.4, 29.65),
    "border_tata_w": (-7.8, 29.35),
    "border_zag": (-8.67, 28.72),
    "border_2740": (-8.67, 27.67),
    "border_26": (-8.67, 26.0),
    "border_12w_n": (-12.0, 26.0),
    "border_12w_s": (-12.0, 23.45),
    "border_2120_e": (-13.0, 21.33),
    "border_2120_w": (-16.95, 21.33),
    # The Atlantic coast, north to south.
    "asilah": (-6.03, 35.47),
    "bousselham": (-6.3, 34.92),
    "kenitra": (-6.65, 34.3),
    "rabat": (-6.83, 34.03),
    "skhirat": (-7.1, 33.82),
    "casablanca": (-7.6, 33.62),
    "el_jadida": (-8.5, 33.25),
    "oualidia": (-9.1, 32.6),
    "safi": (-9.24, 32.3),
    "essaouira": (-9.77, 31.51),
    "tamanar": (-9.8, 30.95),
    "cap_ghir": (-9.89, 30.63),
    "agadir": (-9.62, 30.42),
    "tiznit": (-9.9, 29.75),
    "mirleft": (-10.05, 29.55),
    "sidi_ifni": (-10.17, 29.38),
    "tan_tan": (-11.3, 28.5),
    "akhfennir": (-12.05, 28.1),
    "tarfaya": (-12.93, 27.94),
    "laayoune": (-13.3, 27.15),
    "boujdour": (-14.49, 26.13),
    "oued_dahab_n": (-15.05, 24.55),
    "dakhla": (-15.9, 23.75),
    "coast_imlili": (-16.45, 22.7),
    "coast_gandouz": (-16.95, 21.6),
    # Inland, where regions meet.
    "tta_s_east": (-3.85, 34.95),
    "tta_s_mid": (-4.7, 34.92),
    "ouezzane_e": (-5.4, 34.85),
    "ouezzane_s": (-5.55, 34.68),
    "ouezzane_w": (-5.95, 34.72),
    "guercif": (-3.5, 34.25),
    "outat": (-3.35, 33.5),
    "missour_s": (-3.6, 32.85),
    "midelt_n": (-4.5, 32.95),
    "khenifra_ne": (-5.1, 33.05),
    "el_hajeb_s": (-5.65, 33.4),
    "khemisset_e": (-5.95, 33.75),
    "sidi_kacem_e": (-5.55, 34.1),
    "oulmes": (-6.0, 33.35),
    "khouribga_n": (-6.6, 33.3),
    "benslimane_s": (-7.0, 33.55),
    "khouribga_w": (-7.0, 33.0),
    "rehamna_n": (-7.35, 32.6),
    "kelaa": (-7.1, 32.2),
    "azilal_s": (-6.95, 31.45),
    "imilchil": (-5.4, 32.3),
    "tichka": (-7.6, 31.05),
    "test": (-8.2, 30.95),
    "chichaoua_s": (-9.3, 30.95),
    "youssoufia": (-8.6, 32.45),
    "settat_s": (-7.9, 32.35),
    "taliouine": (-7.3, 30.4),
    "tata_ne": (-6.6, 29.9),
    "guelmim_ne": (-8.6, 29.3),
    "bouizakarne": (-9.4, 29.45),
    "tarfaya_e": (-11.0, 27.67),
    "oued_dahab_e": (-12.0, 24.55),
    "figuig_w": (-3.9, 32.3),
}

# Each region's outline, by official code: point names in order around it, every one
# the same way round (clockwise on the screen), so that a shared border is walked one way
# by one region and back by its neighbour.
REGIONS: dict[str, tuple[str, ...]] = {
    # Tanger-Tétouan-Al Hoceïma
    "01": (
        "spartel", "ceuta", "tetouan", "jebha", "hoceima", "driouch_coast", "tta_s_east",
        "tta_s_mid", "ouezzane_e", "ouezzane_s", "ouezzane_w", "bousselham", "asilah",
    ),
    # Oriental
    "02": (
        "driouch_coast", "three_forks", "saidia", "border_oujda", "border_oujda_s",
        "border_tendrara", "border_ich", "figuig", "border_bouarfa", "border_oriental_s",
        "figuig_w", "missour_s", "outat", "guercif", "tta_s_east",
    ),
    # Fès-Meknès
    "03": (
        "tta_s_east", "guercif", "outat", "missour_s", "midelt_n", "khenifra_ne",
        "el_hajeb_s", "oulmes", "khemisset_e", "sidi_kacem_e", "ouezzane_s", "ouezzane_e",
        "tta_s_mid",
    ),
    # Rabat-Salé-Kénitra
    "04": (
        "bousselham", "ouezzane_w", "ouezzane_s", "sidi_kacem_e", "khemisset_e", "oulmes",
        "khouribga_n", "benslimane_s", "skhirat", "rabat", "kenitra",
    ),
    # Béni Mellal-Khénifra
    "05": (
        "oulmes", "el_hajeb_s", "khenifra_ne", "imilchil", "azilal_s", "kelaa", "rehamna_n",
        "khouribga_w", "khouribga_n",
    ),
    # Casablanca-Settat
    "06": (
        "skhirat", "benslimane_s", "khouribga_n", "khouribga_w", "rehamna_n", "settat_s",
        "youssoufia", "oualidia", "el_jadida", "casablanca",
    ),
    # Marrakech-Safi
    "07": (
        "oualidia", "youssoufia", "settat_s", "rehamna_n", "kelaa", "azilal_s", "tichka",
        "test", "chichaoua_s", "tamanar", "essaouira", "safi",
    ),
    # Drâa-Tafilalet
    "08": (
        "missour_s", "figuig_w", "border_oriental_s", "border_hamada", "border_draa",
        "mhamid", "border_tata_e", "tata_ne", "taliouine", "tichka", "azilal_s", "imilchil",
        "khenifra_ne", "midelt_n",
    ),
    # Souss-Massa
    "09": (
        "tamanar", "chichaoua_s", "test", "tichka", "taliouine", "tata_ne", "border_tata_e",
        "border_tata_w", "guelmim_ne", "bouizakarne", "mirleft", "tiznit", "agadir",
        "cap_ghir",
    ),
    # Guelmim-Oued Noun
    "10": (
        "mirleft", "bouizakarne", "guelmim_ne", "border_tata_w", "border_zag", "border_2740",
        "tarfaya_e", "akhfennir", "tan_tan", "sidi_ifni",
    ),
    # Laâyoune-Sakia El Hamra
    "11": (
        "akhfennir", "tarfaya_e", "border_2740", "border_26", "border_12w_n", "oued_dahab_e",
        "oued_dahab_n", "boujdour", "laayoune", "tarfaya",
    ),
    # Dakhla-Oued Ed-Dahab
    "12": (
        "oued_dahab_n", "oued_dahab_e", "border_12w_s", "border_2120_e", "border_2120_w",
        "coast_gandouz", "coast_imlili", "dakhla",
    ),
}  # fmt: skip

WIDTH = 360
PAD = 6.0
FONT = 13
LON_MIN = min(lon for lon, _lat in POINTS.values())
LON_MAX = max(lon for lon, _lat in POINTS.values())
LAT_MIN = min(lat for _lon, lat in POINTS.values())
LAT_MAX = max(lat for _lon, lat in POINTS.values())
SHRINK = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))
SCALE = (WIDTH - 2 * PAD) / ((LON_MAX - LON_MIN) * SHRINK)
HEIGHT = round((LAT_MAX - LAT_MIN) * SCALE + 2 * PAD)
# The legend sits in the empty Atlantic, top left.
LEGEND_LINE = 18.0
SWATCH = 12.0
LEGEND_WIDTH = 150.0
LRI, PDI = "\u2066", "\u2069"


@dataclass(frozen=True)
class RegionFigure:
    """What the map shows for one region: its name, its median (None: no score) and
    how many collectivities have a score there."""

    code: str
    name: str
    median: Decimal | None
    count: int


def project(lon: float, lat: float) -> tuple[float, float]:
    """(x, y) in the map's viewBox."""
    return (PAD + (lon - LON_MIN) * SHRINK * SCALE, PAD + (LAT_MAX - lat) * SCALE)


def _n(number: float) -> str:
    rounded = round(number, 1)
    if rounded == 0:
        return "0"
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def outline(code: str) -> str:
    """The SVG path data of one region, in whole pixels (finer is invisible at this size,
    and the page is lighter)."""
    xy = [project(*POINTS[name]) for name in REGIONS[code]]
    return "M" + "L".join(f"{round(x)} {round(y)}" for x, y in xy) + "Z"


def centre(code: str) -> tuple[float, float]:
    """The centroid of the region's polygon, in the viewBox (where its number goes)."""
    xy = [project(*POINTS[name]) for name in REGIONS[code]]
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(xy, xy[1:] + xy[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    return cx / (6 * area), cy / (6 * area)


def _title(figure_: RegionFigure) -> str:
    if figure_.median is None:
        return _("%(region)s: no data") % {"region": figure_.name}
    return ngettext(
        "%(region)s: median %(median)s (%(count)s collectivity with a score)",
        "%(region)s: median %(median)s (%(count)s collectivities with a score)",
        figure_.count,
    ) % {
        "region": figure_.name,
        "median": figure(figure_.median),
        "count": figure_.count,
    }


def _legend(rtl: bool) -> str:
    entries = [(band.colour, band.label, str(index)) for index, band in enumerate(BANDS)]
    entries.append((NO_DATA, _("no data"), "none"))
    items = []
    x0 = PAD
    for index, (colour, label, key) in enumerate(entries):
        y = PAD + 34 + index * LEGEND_LINE
        swatch_x = x0 + LEGEND_WIDTH - SWATCH if rtl else x0
        text_x = swatch_x - 6 if rtl else x0 + SWATCH + 6
        text = f"{LRI}{label}{PDI}" if key != "none" else label
        items.append(
            f'<g class="legend-item" data-band="{key}">'
            f'<rect x="{_n(swatch_x)}" y="{_n(y - 10)}" width="{_n(SWATCH)}" '
            f'height="{_n(SWATCH)}" fill="{colour}" stroke="{OUTLINE}">'
            f'</rect><text x="{_n(text_x)}" y="{_n(y)}" text-anchor="start">'
            f"{escape(text)}</text></g>"
        )
    heading_x = x0 + LEGEND_WIDTH if rtl else x0
    return (
        f'<g class="legend" fill="currentColor">'
        f'<text x="{_n(heading_x)}" y="{_n(PAD + 12)}" text-anchor="start" '
        f'font-weight="bold">{escape(_("Median score"))}</text>{"".join(items)}</g>'
    )


def region_map(
    figures: Sequence[RegionFigure] | Mapping[str, RegionFigure],
    *,
    title: str,
    rtl: bool | None = None,
    ident: str = "",
    desc: str = "",
) -> SafeString:
    """The twelve regions, each a <path> filled with the colour of its median's band
    (white when it has no score), with its name and figure in a <title>, its code at
    its centre, and the legend of the bands. Regions missing from `figures` are drawn
    as "no data" with their code for a name. `desc` replaces the description naming
    every region's figure, for a page that prints them in a table."""
    if rtl is None:
        rtl = bool(get_language_bidi())
    by_code = dict(figures) if isinstance(figures, Mapping) else {f.code: f for f in figures}
    ident = ident or "map-" + hashlib.sha256(title.encode()).hexdigest()[:10]
    rows = [by_code.get(code) or RegionFigure(code, code, None, 0) for code in REGIONS]
    desc = desc or " ".join(_title(row) + "." for row in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="region-map" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" font-size="{FONT}" stroke-width="1" '
        f'aria-labelledby="{ident}-t {ident}-d" direction="{"rtl" if rtl else "ltr"}">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]
    regions = []
    labels = []
    for row in rows:
        band = band_of(row.median)
        key = str(BANDS.index(band)) if band is not None else "none"
        regions.append(
            f'<path d="{outline(row.code)}" fill="{colour_of(row.median)}" '
            f'data-code="{escape(row.code)}" data-band="{key}">'
            f"<title>{escape(_title(row))}</title></path>"
        )
        x, y = centre(row.code)
        # White figures on the two darkest bands, dark ones elsewhere.
        ink = ' fill="#ffffff"' if band is not None and BANDS.index(band) >= 3 else ""
        labels.append(f'<text x="{_n(x)}" y="{_n(y + 4)}"{ink}>{escape(row.code)}</text>')
    parts.append(
        f'<g class="regions" stroke="{OUTLINE}" stroke-linejoin="round">{"".join(regions)}</g>'
    )
    parts.append(
        f'<g class="codes" fill="{OUTLINE}" text-anchor="middle" font-size="{FONT - 2}" '
        f'aria-hidden="true">{"".join(labels)}</g>'
    )
    parts.append(_legend(rtl))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
