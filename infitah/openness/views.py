"""Pages of the openness index (docs/openness.md): the network's dashboard, a
collectivity's score, the published method and the network administrators' weights.

The dashboard and the collectivity page serve every collectivity of the tree, member of
the network or not (the index covers the country, with less data outside the network);
they read a fixed number of queries whatever the number of collectivities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from infitah.accounts.decorators import verified_login_required
from infitah.accounts.models import User
from infitah.accounts.permissions import NetworkPerm, has_network_perm
from infitah.finance.workflow import KeyDocument
from infitah.lib.formerrors import service_errors
from infitah.opendata.sources import dataset_name
from infitah.openness import charts, selectors, services
from infitah.openness.forms import WeightsForm
from infitah.openness.items import (
    ADVICE,
    BUDGET_SHARES,
    COMPLAINT_SHARES,
    CONSULTATIONS_TARGET,
    COUNCIL_SHARES,
    INFORMATION_SHARES,
    LABS_SURVEYS_TARGET,
    OPENDATA_SHARES,
    PARTICIPATION_SHARES,
    PROGRAMME_SHARES,
)
from infitah.openness.models import ITEMS, Score
from infitah.openness.regions_map import REGIONS, RegionFigure, region_map
from infitah.publication.selectors import (
    POINTS_COMPLETE,
    POINTS_CURRENT,
    POINTS_MAX,
    POINTS_OPEN,
    category_list,
)
from infitah.territories.models import TERRITORIAL_KINDS, Collectivity, Kind
from infitah.territories.selectors import collectivity_get, collectivity_list

# The dashboard's ranking, page by page: 1,590 rows would not fit in 30 KB.
PAGE_SIZE = 20
IMPROVED_MONTHS_BACK = 3
IMPROVED_LIMIT = 10
# The index as a network-wide dataset (infitah/openness/dataset.py).
DATASET_NAME = dataset_name(None, "openness")
WEIGHTS_PERM = NetworkPerm.OPENNESS_MANAGE

# The items' names, in the order of the index.
ITEM_TITLES: dict[str, Promise] = {
    "publication": gettext_lazy("Proactive publication"),
    "information": gettext_lazy("Access to information"),
    "complaints": gettext_lazy("Complaints"),
    "petitions": gettext_lazy("Petitions"),
    "participation": gettext_lazy("Participation"),
    "council": gettext_lazy("Council openness"),
    "programme": gettext_lazy("Opening programme"),
    "budget": gettext_lazy("Budget transparency"),
    "opendata": gettext_lazy("Open data"),
}


def month_short(month: dt.date) -> str:
    """The label under a chart's column: "sept. 2026"."""
    return formats.date_format(month, "N Y")


# --------------------------------------------------------------------------- helpers


def _filters(
    request: HttpRequest, regions: Sequence[Collectivity]
) -> tuple[str, Collectivity | None, list[str]]:
    """The dashboard's kind and region, and the names of the filters not understood
    (ignored, and the page says so)."""
    ignored: list[str] = []
    kind = request.GET.get("kind", "")
    if kind and kind not in TERRITORIAL_KINDS:
        ignored.append("kind")
        kind = ""
    wanted = request.GET.get("region", "")
    region = None
    if wanted:
        region = next((r for r in regions if r.slug == wanted), None)
        if region is None:
            ignored.append("region")
    return kind, region, ignored


def _query(kind: str, region: Collectivity | None) -> str:
    """The filters as a query string, for the pager's links."""
    parts = []
    if kind:
        parts.append(f"kind={kind}")
    if region is not None:
        parts.append(f"region={region.slug}")
    return "&".join(parts)


def _dataset_url() -> str | None:
    """The catalogue's page of the index dataset, once the catalogue has pages."""
    try:
        return reverse("opendata:dataset", kwargs={"name": DATASET_NAME})
    except NoReverseMatch:
        return None


def _csv_url() -> str:
    try:
        return reverse("opendata-files:csv", kwargs={"name": DATASET_NAME})
    except NoReverseMatch:
        return f"/data/{DATASET_NAME}.csv"


# --------------------------------------------------------------------------- dashboard


def index(request: HttpRequest) -> HttpResponse:
    """The network's dashboard: the ranking (filtered by kind and region, paged), the
    distribution by kind and by region, the map of the regions' medians, the median
    month by month, the members that improved most, and links to the dataset and the
    method."""
    regions = list(collectivity_list(kind=Kind.REGION))
    kind, region, ignored = _filters(request, regions)
    month = selectors.latest_month()
    rows = selectors.ranking(month=month, kind=kind or None, region=region) if month else []
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    with_data = [row.score for row in rows if row.has_data]
    by_kind = selectors.distribution(month, by="kind") if month else []
    by_region = selectors.distribution(month, by="region") if month else []
    by_kind = [row for row in by_kind if row.count]
    code_of = {r.slug: r.code for r in regions}
    figures = [
        RegionFigure(
            code=code_of[row.key],
            name=row.label,
            median=row.median,
            count=row.count - row.no_data,
        )
        for row in by_region
        if code_of.get(row.key) in REGIONS
    ]
    progress = selectors.monthly_medians(kind=kind or None, region=region)
    improved = (
        selectors.most_improved(month, months_back=IMPROVED_MONTHS_BACK, limit=IMPROVED_LIMIT)
        if month
        else []
    )
    context: dict[str, Any] = {
        "month": month,
        "page": page,
        "count": len(rows),
        "with_data": len(with_data),
        "median": Decimal(median(with_data)).quantize(Decimal("0.1")) if with_data else None,
        "kind": kind,
        "region": region,
        "regions": regions,
        "kinds": [(kind, Kind(kind).label) for kind in TERRITORIAL_KINDS],
        "ignored": ignored,
        "query": _query(kind, region),
        "by_kind": [_group(row) for row in by_kind],
        "by_region": [_group(row) for row in by_region],
        "kind_chart": charts.bar_chart(
            [(row.label, row.median, _with_data(row.count - row.no_data)) for row in by_kind],
            title=_("Median score by kind of collectivity"),
            ident="by-kind",
            desc=_("The figures are written out below the chart."),
        ),
        "region_chart": charts.bar_chart(
            [(row.label, row.median, _with_data(row.count - row.no_data)) for row in by_region],
            title=_("Median score by region"),
            ident="by-region",
            desc=_("The figures are written out below the chart."),
        ),
        "map": region_map(
            figures,
            title=_("Median score of each region (schematic map)"),
            ident="region-map",
            desc=_("The figures are written out below the chart."),
        ),
        "progress": progress,
        "progress_chart": charts.column_chart(
            [(month_short(m), value) for m, value, _n in progress],
            title=_("Median score month by month"),
            ident="progress",
            desc=_("The figures are written out below the chart."),
        ),
        "improved": improved,
        "improved_months": IMPROVED_MONTHS_BACK,
        "versions": ", ".join(str(v) for v in _versions(rows)),
        "dataset_url": _dataset_url(),
        "csv_url": _csv_url(),
    }
    return render(request, "openness/index.html", context)


def _versions(rows: Sequence[selectors.RankRow]) -> list[int]:
    """The method versions behind the scores listed (the one in force when none is)."""
    found = sorted({row.method_version for row in rows})
    if not found:
        current = selectors.current_method()
        found = [current.version] if current is not None else []
    return found


@dataclass(frozen=True)
class Group:
    """A group of a distribution: a kind or a region."""

    key: str
    label: str
    median: Decimal | None
    count: int
    no_data: int
    # How many scores with data in each band, as text: "0–20: 7 · 20–40: 3 …", each
    # entry isolated left to right (LRI … PDI), so that an Arabic line lists them from
    # the right, each readable.
    bands: str


def _group(row: selectors.DistributionRow) -> Group:
    return Group(
        key=row.key,
        label=row.label,
        median=row.median,
        count=row.count,
        no_data=row.no_data,
        bands=" · ".join(
            f"{charts.LRI}{band.label}: {n}{charts.PDI}"
            for band, n in zip(charts.BANDS, row.bands, strict=True)
        ),
    )


def _with_data(count: int) -> str:
    return ngettext("%(count)s with data", "%(count)s with data", count) % {"count": count}


# --------------------------------------------------------------------------- a collectivity


@dataclass
class ItemView:
    """One item of a score, ready for the page."""

    code: str
    title: str
    weight: int
    fraction: float | None
    points: float | None
    max_points: float
    evidence: dict[str, Any]
    advice: list[str]
    template: str
    # Names of what is missing (catalogue categories, key budget documents).
    missing: list[str] = field(default_factory=list)
    out_of_date: list[str] = field(default_factory=list)
    updated_on: dt.date | None = None

    @property
    def percent(self) -> float | None:
        return None if self.fraction is None else round(self.fraction * 100, 1)


def _items(score: Score, collectivity: Collectivity) -> list[ItemView]:
    """The score's items with names for the codes of their evidence (one query, for the
    catalogue's category names, only when the publication item names some)."""
    stored = {item.get("code"): item for item in score.items if isinstance(item, Mapping)}
    publication = stored.get("publication", {}).get("evidence", {})
    category_names: dict[str, str] = {}
    if publication.get("missing") or publication.get("out_of_date"):
        category_names = {c.code: c.name for c in category_list(collectivity=collectivity)}
    found = []
    for code in ITEMS:
        item = stored.get(code)
        if item is None:
            continue
        evidence = dict(item.get("evidence") or {})
        view = ItemView(
            code=code,
            title=str(ITEM_TITLES[code]),
            weight=int(item.get("weight") or 0),
            fraction=item.get("fraction"),
            points=item.get("points"),
            max_points=float(item.get("max_points") or 0),
            evidence=evidence,
            advice=[str(ADVICE[a]) for a in item.get("advice") or [] if a in ADVICE],
            template=f"openness/evidence/{code}.html",
        )
        if code == "publication":
            view.missing = [category_names.get(c, c) for c in evidence.get("missing", [])]
            view.out_of_date = [category_names.get(c, c) for c in evidence.get("out_of_date", [])]
        elif code == "budget":
            labels = dict(KeyDocument.choices)
            view.missing = [str(labels.get(k, k)) for k in evidence.get("missing", [])]
        elif code == "programme" and evidence.get("updated_on"):
            try:
                view.updated_on = dt.date.fromisoformat(str(evidence["updated_on"]))
            except ValueError:
                view.updated_on = None
        found.append(view)
    return found


def collectivity(request: HttpRequest, slug: str) -> HttpResponse:
    """A collectivity's latest score (or "no data"), its rank among the collectivities of
    its kind, the method version, each item with its points, evidence and advice, and
    its history month by month."""
    found = collectivity_get(slug=slug)
    if found is None or found.is_network_space:
        raise Http404
    score = selectors.score_get(found)
    peers = selectors.peer_rank(found, score.month) if score is not None else None
    history = selectors.history(found)
    context: dict[str, Any] = {
        "collectivity": found,
        "score": score,
        "peers": peers,
        "items": _items(score, found) if score is not None else [],
        "history": history,
        "history_chart": charts.column_chart(
            [(month_short(row.month), row.score if row.has_data else None) for row in history],
            title=_("Openness score month by month"),
            ident="history",
        ),
        "targets": {
            "consultations": CONSULTATIONS_TARGET,
            "labs_surveys": LABS_SURVEYS_TARGET,
        },
    }
    return render(request, "openness/collectivity.html", context)


# --------------------------------------------------------------------------- the method


def _percent(shares: Sequence[float]) -> list[int]:
    return [round(share * 100) for share in shares]


def method(request: HttpRequest) -> HttpResponse:
    """The published method: each item, what it measures and how, the weights of every
    version with its date and note, and the version(s) behind the latest scores."""
    methods = selectors.method_list()
    month = selectors.latest_month()
    used = selectors.month_methods(month) if month else {}
    versions = []
    for m in methods:
        values = [int(m.weights.get(code, 0)) for code in ITEMS]
        total = sum(values)
        versions.append(
            {
                "method": m,
                "weights": [
                    (ITEM_TITLES[code], value, Decimal(100 * value) / total if total else 0)
                    for code, value in zip(ITEMS, values, strict=True)
                ],
                "scores": used.get(m.version, 0),
            }
        )
    context: dict[str, Any] = {
        "versions": versions,
        "current": methods[0] if methods else None,
        "month": month,
        "used": sorted(used),
        "items": [
            {
                "code": code,
                "title": ITEM_TITLES[code],
                "advice": [text for key, text in ADVICE.items() if key.split(".")[0] == code],
            }
            for code in ITEMS
        ],
        "points": {
            "current": POINTS_CURRENT,
            "complete": POINTS_COMPLETE,
            "open": POINTS_OPEN,
            "max": POINTS_MAX,
        },
        "shares": {
            "information": _percent(INFORMATION_SHARES),
            "complaints": _percent(COMPLAINT_SHARES),
            "participation": _percent(PARTICIPATION_SHARES),
            "council": {key: round(value * 100) for key, value in COUNCIL_SHARES.items()},
            "programme": _percent(PROGRAMME_SHARES),
            "budget": _percent(BUDGET_SHARES),
            "opendata": _percent(OPENDATA_SHARES),
        },
        "targets": {
            "consultations": CONSULTATIONS_TARGET,
            "labs_surveys": LABS_SURVEYS_TARGET,
        },
        "stale_months": settings.INFITAH_OPENPLAN_STALE_MONTHS,
        "can_edit": isinstance(request.user, User) and has_network_perm(request.user, WEIGHTS_PERM),
    }
    return render(request, "openness/method.html", context)


@verified_login_required
def weights(request: HttpRequest) -> HttpResponse:
    """A new version of the method's weights: network administrators only (404 for
    others). Saving never edits an earlier version; the scores of the month are
    recomputed with the new one."""
    user = request.user
    if not isinstance(user, User) or not has_network_perm(user, WEIGHTS_PERM):
        raise Http404
    current = selectors.current_method()
    form = WeightsForm(
        request.POST if request.method == "POST" else None,
        titles={code: str(title) for code, title in ITEM_TITLES.items()},
        current=current.weights if current is not None else {},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created = services.method_create(
                    weights=form.weights(), note=form.cleaned_data["note"], actor=user
                )
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Version %(version)s of the method is recorded; the month's scores "
                        "are being recomputed with it."
                    )
                    % {"version": created.version},
                )
                return redirect("openness:method")
    return render(
        request,
        "openness/weights.html",
        {"form": form, "current": current, "weight_max": services.WEIGHT_MAX},
        status=status,
    )
