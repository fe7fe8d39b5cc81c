"""The schema.org `Dataset` of a dataset page, for crawlers (Google Dataset Search,
`extruct`): name, description, url, identifier, keywords, license, creator and
publisher (a GovernmentOrganization), distribution (DataDownload with encodingFormat and
an absolute contentUrl), spatialCoverage (a Place), temporalCoverage ("start/end", ISO
8601, ".." for an open end), inLanguage, dateCreated and dateModified.

The block is a data block, `<script type="application/ld+json">`: the browser never runs
it, so the Content-Security-Policy (`script-src 'self'`) does not apply to it. It is
rendered here rather than written in a template, and its JSON escapes `<`, `>` and `&`
(as `\\u003c`…), so that no text of a title can close the element ("</script>").
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from infitah.opendata.models import Dataset

NETWORK_NAME = {"ar": "شبكة انفتاح", "fr": "Réseau Infitah"}
COUNTRY = {"ar": "المغرب", "fr": "Maroc"}
_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def _language() -> str:
    return "fr" if (get_language() or "ar").startswith("fr") else "ar"


def _organization(dataset: Dataset, request: HttpRequest) -> dict[str, Any]:
    collectivity = dataset.collectivity
    if collectivity is None:
        return {
            "@type": "GovernmentOrganization",
            "name": NETWORK_NAME[_language()],
            "url": request.build_absolute_uri(reverse("territories:home")),
        }
    return {
        "@type": "GovernmentOrganization",
        "name": collectivity.name,
        "alternateName": collectivity.name_fr if _language() == "ar" else collectivity.name_ar,
        "url": request.build_absolute_uri(
            reverse("territories:collectivity", kwargs={"slug": collectivity.slug})
        ),
    }


def temporal_coverage(dataset: Dataset) -> str:
    """ISO 8601 interval of the dataset's coverage ("" when unknown)."""
    start, end = dataset.temporal_start, dataset.temporal_end
    if start is None and end is None:
        return ""
    return f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"


def dataset_jsonld(*, dataset: Dataset, request: HttpRequest) -> dict[str, Any]:
    """The schema.org Dataset of `dataset` (resources and tags prefetched)."""
    url = request.build_absolute_uri(reverse("opendata:dataset", kwargs={"name": dataset.name}))
    licence = settings.INFITAH_OPENDATA_LICENSES.get(dataset.license_id) or {}
    other = dataset.title_fr if _language() == "ar" else dataset.title_ar
    organization = _organization(dataset, request)
    place = dataset.collectivity.name if dataset.collectivity else COUNTRY[_language()]
    found: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": url,
        "name": dataset.title,
        "description": dataset.description or dataset.title,
        "url": url,
        "identifier": [str(dataset.id), dataset.name],
        "keywords": [tag.name for tag in dataset.tags.all()],
        "license": str(licence.get("url", "")),
        "isAccessibleForFree": True,
        "creator": organization,
        "publisher": organization,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": resource.name,
                "encodingFormat": resource.media_type,
                "contentUrl": request.build_absolute_uri(resource.url),
                **({"contentSize": f"{resource.size} B"} if resource.size else {}),
            }
            for resource in dataset.resources.all()
        ],
        "spatialCoverage": {"@type": "Place", "name": place},
        "inLanguage": ["ar", "fr"],
        "dateCreated": dataset.metadata_created.isoformat(),
        "dateModified": dataset.metadata_modified.isoformat(),
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": NETWORK_NAME[_language()],
            "url": request.build_absolute_uri(reverse("opendata:catalogue")),
        },
    }
    if other and other != dataset.title:
        found["alternateName"] = other
    coverage = temporal_coverage(dataset)
    if coverage:
        found["temporalCoverage"] = coverage
    return found


def jsonld_script(data: dict[str, Any]) -> SafeString:
    """`data` as a `<script type="application/ld+json">` element, safe to put in a page."""
    text = json.dumps(data, ensure_ascii=False, indent=1).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
