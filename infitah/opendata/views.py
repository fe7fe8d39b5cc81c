"""Public pages of the open-data catalogue (under /<lang>/): the search of every active
dataset, one dataset's page (with its schema.org JSON-LD) and a collectivity's datasets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from infitah.lib.pagecache import cached_public_page
from infitah.opendata import selectors
from infitah.opendata.jsonld import dataset_jsonld, jsonld_script, temporal_coverage
from infitah.opendata.models import Dataset
from infitah.opendata.sources import registry
from infitah.opendata.sync import PAGE_CACHE_NAMESPACE
from infitah.territories.models import Collectivity
from infitah.territories.selectors import collectivity_get

PAGE_SIZE = 20
PREVIEW_ROWS = 10
# A preview cell longer than this is cut (the files hold the whole text).
PREVIEW_CELL_MAX = 200


class CatalogueForm(forms.Form):
    """The catalogue's GET filters; the choices are the facets' (no query at render)."""

    q = forms.CharField(
        label=gettext_lazy("Search"), required=False, max_length=200, widget=forms.SearchInput
    )
    collectivity = forms.ChoiceField(
        label=gettext_lazy("Publisher"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a publisher from the list.")},
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Kind of data"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a kind of data from the list.")},
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a format from the list.")},
    )

    def __init__(self, *args: Any, facets: selectors.Facets, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("All"))]
        choices = {
            "collectivity": facets.collectivities,
            "source": facets.sources,
            "format": facets.formats,
        }
        for name, found in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = every + [(c.value, c.label) for c in found]


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_safe
@cached_public_page(PAGE_CACHE_NAMESPACE)
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every active dataset, searched and filtered (a fixed number of queries)."""
    facets = selectors.dataset_facets()
    form = CatalogueForm(request.GET or None, facets=facets)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    collectivity: Collectivity | None = None
    if data.get("collectivity"):
        collectivity = collectivity_get(slug=data["collectivity"])
    datasets = selectors.dataset_list(
        q=data.get("q") or "",
        collectivity=collectivity,
        source=data.get("source") or "",
        format=data.get("format") or "",
    )
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/catalogue.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "licence": _licence(settings.INFITAH_OPENDATA_LICENSE),
        },
    )


@require_safe
@cached_public_page(PAGE_CACHE_NAMESPACE)
def collectivity_datasets(request: HttpRequest, slug: str) -> HttpResponse:
    """One collectivity's active datasets."""
    collectivity = collectivity_get(slug=slug)
    if collectivity is None:
        raise Http404
    datasets = selectors.dataset_list(collectivity=collectivity)
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/collectivity.html",
        {"collectivity": collectivity, "page": page, "query": ""},
    )


def _licence(license_id: str) -> dict[str, str]:
    found = settings.INFITAH_OPENDATA_LICENSES.get(license_id) or {}
    return {
        "id": license_id,
        "title": str(found.get("title", license_id)),
        "url": str(found.get("url", "")),
    }


def _cell(value: Any) -> str:
    """A preview cell as the files write it (ISO dates, plain numbers), cut if long."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= PREVIEW_CELL_MAX else text[: PREVIEW_CELL_MAX - 1] + "…"


@require_safe
@cached_public_page(PAGE_CACHE_NAMESPACE)
def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    """One dataset: its record, licence, resources, a preview and its schema."""
    dataset = selectors.dataset_get(name=name)
    if dataset is None:
        raise Http404
    french = (get_language() or "ar").startswith("fr")
    source = registry().get(dataset.source) if dataset.source != Dataset.UPLOAD else None
    preview = selectors.dataset_preview(dataset=dataset, limit=PREVIEW_ROWS)
    columns = [
        {"name": c.name, "type": c.type, "title": c.title_fr if french else c.title_ar}
        for c in (source.columns if source is not None else ())
    ]
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "collectivity": dataset.collectivity,
            "licence": _licence(dataset.license_id),
            "resources": list(dataset.resources.all()),
            "tags": list(dataset.tags.all()),
            "columns": columns,
            "preview": preview,
            "preview_rows": [[_cell(v) for v in row] for row in preview.rows] if preview else [],
            "temporal": temporal_coverage(dataset),
            "jsonld": jsonld_script(dataset_jsonld(dataset=dataset, request=request)),
        },
    )
