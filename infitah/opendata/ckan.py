"""The read actions of the CKAN Action API over the catalogue (docs/ckan.md).

Each action takes the request's parameters (a dict, as CKAN's `data_dict`) and the
site's address, and returns what CKAN puts under `result`, or raises an `ActionError`
that the view (ckan_views.py) answers in CKAN's error shape. The view does no reading of
its own: every query is here, a fixed number per action whatever the catalogue's size.

What a CKAN client sees:

- a dataset is a package: its `id` is the dataset's UUID, its `name` the CKAN-valid
  name; `title` and `notes` are the Arabic texts (the site's first language; French
  when there is no Arabic), both languages in `title_translated` / `notes_translated`
  as ckanext-fluent gives them;
- a collectivity is an organization: its `name` is the slug, its `id`
  uuid5(ORGANIZATION_NAMESPACE, slug), so that it never changes; network-wide datasets
  belong to the organization `network`;
- `package_search` reads a subset of Solr's query syntax (`field:value`, quoted
  values, `[A TO B]` ranges with `*` and `NOW` date math, `+`/`-`/`NOT`, `AND`/`OR`,
  parentheses), terms AND-ed as CKAN's Solr does (q.op=AND); words without a field
  look for their folded form (infitah.lib.text.fold) in `Dataset.search_text`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import reprlib
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache, reduce
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext as _

from infitah.lib.bounds import INT_MAX
from infitah.lib.text import fold_tokens, has_lone_surrogate
from infitah.opendata.ckan_errors import (
    NotFound,
    SearchError,
    SearchQueryError,
    ValidationError,
)
from infitah.opendata.ckan_query import (
    TEXT_MAX_TOKENS,
    Node,
    Not,
    Range,
    Term,
    parse_moment,
    parse_query,
)
from infitah.opendata.models import Dataset, Resource, Tag
from infitah.territories.models import Collectivity

# What status_show claims: the CKAN API version whose read actions these answer like.
CKAN_VERSION = "2.10.0"
# Fixed forever: a collectivity's organization id is uuid5(ORGANIZATION_NAMESPACE, slug)
# and a tag's id uuid5(TAG_NAMESPACE, name), the same on every copy of the database.
ORGANIZATION_NAMESPACE = uuid.UUID("10069de0-987b-4b49-a9a4-1f1c586332dc")
TAG_NAMESPACE = uuid.UUID("d0a5cdb6-a50d-48af-b196-ee6ee4c07a83")
# The organization of the network-wide datasets (dataset names start with "network-").
NETWORK = "network"
NETWORK_TITLE = {"ar": "شبكة انفتاح", "fr": "Réseau Infitah"}
# CKAN's limits: rows of package_search (and current_package_list_with_resources).
ROWS_DEFAULT = 10
ROWS_MAX = 1000
FACET_LIMIT_DEFAULT = 50
# organization_list answers every publisher at once (the country has about 1,590
# collectivities; CKAN's own default cap of 1,000 would cut the list).
ORGANIZATIONS_MAX = 2000
# organization_show's `packages` (include_datasets): the most recently modified.
ORGANIZATION_DATASETS_MAX = 1000
# Bounds on a query: longer or deeper ones are refused (400), never slow.
DEFAULT_SORT = "score desc, metadata_modified desc"
# Reversed in place of a dataset's name: a slug found once in the page's address.
LANDING_MARKER = "ckan-landing-name"
# The EU vocabularies that `extras` point to (the same IRIs as the DCAT-AP catalogue).
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"

# package_search's parameters: CKAN's (Solr's) and the ones CKAN removes before Solr.
SEARCH_PARAMETERS = frozenset(
    str.split(
        """
        q fq fq_list rows start sort fl facet facet.field facet.limit facet.mincount wt qf bf
        boost tie defType mm df extras include_private include_drafts include_deleted
        use_default_schema
        """
    )
)
FACET_FIELDS = ("organization", "tags", "res_format", "license_id", "groups")
SORT_FIELDS = {
    "id": "pk",
    "name": "name",
    "title": "title_ar",
    "title_string": "title_ar",
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
    "score": None,  # every match scores the same: the next key decides
}
TRUE_TEXT = frozenset({"true", "1", "yes", "on", "y", "t"})


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Site:
    """Where the site answers: scheme and host, without the final slash."""

    base: str

    def absolute(self, path_or_url: str) -> str:
        if path_or_url.startswith("/") and not path_or_url.startswith("//"):
            path = path_or_url if path_or_url.isascii() else iri_to_uri(path_or_url)
            return self.base + path
        return iri_to_uri(urljoin(self.base + "/", path_or_url))

    @cached_property
    def _landing(self) -> tuple[str, str]:
        """A dataset page's address around its name (reversed once per request)."""
        with translation.override("ar"):
            path = reverse("opendata:dataset", kwargs={"name": LANDING_MARKER})
        before, _marker, after = path.partition(LANDING_MARKER)
        return self.base + before, after

    def landing_page(self, name: str) -> str:
        before, after = self._landing
        return f"{before}{name}{after}"


Params = dict[str, Any]


def _whole(raw: object) -> int | None:
    """CKAN's int_validator: a whole number from an int, a whole float or its text."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if math.isfinite(raw) and raw.is_integer() else None
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            return None
    return None


def _natural(params: Params, key: str, default: int | None = None) -> int | None:
    """CKAN's natural_number_validator: a whole number from 0, capped at INT_MAX (no
    offset or limit of ours comes near it; the databases refuse far larger ones)."""
    raw = params.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    number = _whole(raw)
    if number is None:
        raise ValidationError({key: [_("Invalid integer")]})
    if number < 0:
        raise ValidationError({key: [_("Must be a natural number")]})
    return min(number, INT_MAX)


def _integer(params: Params, key: str, default: int) -> int:
    """A whole number that may be negative (facet.limit: no limit), within ±INT_MAX."""
    raw = params.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    number = _whole(raw)
    if number is None:
        raise ValidationError({key: [_("Invalid integer")]})
    return max(-INT_MAX, min(number, INT_MAX))


def _text(params: Params, key: str) -> str:
    """A text parameter (CKAN's unicode_safe: numbers become their text)."""
    raw = params.get(key)
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    raise ValidationError({key: [_("Must be a text.")]})


def _flag(params: Params, key: str) -> bool:
    raw = params.get(key)
    if isinstance(raw, bool):
        return raw
    return isinstance(raw, str | int) and str(raw).strip().lower() in TRUE_TEXT


def _required(params: Params, key: str, *, alias: str = "") -> str:
    """A *_show action's identifier (package_show also takes `name_or_id`)."""
    raw = params.get(key) or (params.get(alias) if alias else None)
    if raw is None or raw == "":
        raise ValidationError({alias or key: [_("Missing value")]})
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise ValidationError({key: [_("Must be a text.")]})


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _page(params: Params, *, default_limit: int | None, max_limit: int) -> tuple[int, int | None]:
    """(offset, limit) from CKAN's `offset`/`limit` (limit 0 or absent: no limit)."""
    limit = _natural(params, "limit")
    offset = _natural(params, "offset") or 0
    if "offset" not in params and "page" in params and limit:
        page = _natural(params, "page") or 1
        offset = min((max(page, 1) - 1) * limit, INT_MAX)
    if not limit:
        limit = default_limit
    return offset, min(limit, max_limit) if limit is not None else None


# --------------------------------------------------------------------------- dicts


def ckan_time(moment: dt.datetime | None) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset, e.g. 2026-11-30T10:00:00.123456."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


@lru_cache(maxsize=8192)
def organization_id(slug: str) -> str:
    return str(uuid.uuid5(ORGANIZATION_NAMESPACE, slug))


@lru_cache(maxsize=8192)
def tag_id(name: str) -> str:
    return str(uuid.uuid5(TAG_NAMESPACE, name))


def _pick(ar: str, fr: str) -> str:
    """The one text CKAN has room for: Arabic, else French."""
    return ar or fr


@dataclass(frozen=True)
class Publisher:
    """An organization: a collectivity, or the network (slug NETWORK, no collectivity)."""

    slug: str
    title_ar: str
    title_fr: str
    created: dt.datetime | None

    @classmethod
    def of(cls, collectivity: Collectivity | None) -> Publisher:
        if collectivity is None:
            return cls(NETWORK, NETWORK_TITLE["ar"], NETWORK_TITLE["fr"], None)
        return cls(
            collectivity.slug, collectivity.name_ar, collectivity.name_fr, collectivity.created_at
        )

    def summary(self) -> dict[str, Any]:
        """The organization inside a package (CKAN's group_dictize without members)."""
        title = _pick(self.title_ar, self.title_fr)
        return {
            "id": organization_id(self.slug),
            "name": self.slug,
            "title": title,
            "title_translated": {"ar": self.title_ar, "fr": self.title_fr},
            "display_name": title,
            "type": "organization",
            "description": "",
            "image_url": "",
            "created": ckan_time(self.created),
            "is_organization": True,
            "approval_status": "approved",
            "state": "active",
        }

    def full(self, package_count: int) -> dict[str, Any]:
        """organization_list(all_fields) and organization_show's fields."""
        return {
            **self.summary(),
            "image_display_url": "",
            "num_followers": 0,
            "package_count": package_count,
        }


def _licence(key: str) -> dict[str, Any]:
    licence = settings.INFITAH_OPENDATA_LICENSES.get(key)
    if licence is None:  # a key no longer configured: shown as it is, not claimed open
        return {"license_id": key, "license_title": key, "license_url": "", "isopen": False}
    return {
        "license_id": licence["ckan"],
        "license_title": licence["title"],
        "license_url": licence["url"],
        "isopen": True,
    }


# The columns a package is built from (`values()` rows: no model instances, which cost
# more than the dicts themselves on a page of 1,000).
DATASET_COLUMNS = (
    "id",
    "name",
    "title_ar",
    "title_fr",
    "description_ar",
    "description_fr",
    "license_id",
    "frequency",
    "theme",
    "temporal_start",
    "temporal_end",
    "metadata_created",
    "metadata_modified",
    "collectivity_id",
    "collectivity__slug",
    "collectivity__name_ar",
    "collectivity__name_fr",
    "collectivity__created_at",
)
RESOURCE_COLUMNS = (
    "id",
    "dataset_id",
    "format",
    "media_type",
    "name_ar",
    "name_fr",
    "url",
    "size",
    "position",
    "last_modified",
)
Row = dict[str, Any]


def _publisher_of(row: Row, prefix: str = "collectivity__") -> Publisher:
    if row[f"{prefix}slug"] is None:
        return Publisher.of(None)
    return Publisher(
        row[f"{prefix}slug"],
        row[f"{prefix}name_ar"],
        row[f"{prefix}name_fr"],
        row[f"{prefix}created_at"],
    )


def resource_dict(row: Row, created: dt.datetime, site: Site) -> dict[str, Any]:
    modified = ckan_time(row["last_modified"])
    return {
        "id": str(row["id"]),
        "package_id": str(row["dataset_id"]),
        "url": site.absolute(row["url"]),
        "name": _pick(row["name_ar"], row["name_fr"]),
        "name_translated": {"ar": row["name_ar"], "fr": row["name_fr"]},
        "description": "",
        "format": row["format"],
        "mimetype": row["media_type"],
        "mimetype_inner": None,
        "size": row["size"],
        "hash": "",
        "position": row["position"],
        "created": ckan_time(created),
        "last_modified": modified,
        "metadata_modified": modified,
        "state": "active",
        "url_type": None,
        "resource_type": None,
        "cache_url": None,
        "cache_last_updated": None,
        "datastore_active": False,
    }


def _extras(row: Row) -> list[dict[str, str]]:
    """CKAN extras (strings): frequency and theme as EU IRIs (as ckanext-dcat), the
    temporal coverage, and the place covered (the collectivity's names)."""
    start, end = row["temporal_start"], row["temporal_end"]
    values = {
        "frequency": EU_FREQUENCY + row["frequency"],
        "spatial_text": (
            f"{row['collectivity__name_ar']} / {row['collectivity__name_fr']}"
            if row["collectivity__slug"] is not None
            else ""
        ),
        "temporal_end": end.isoformat() if end else "",
        "temporal_start": start.isoformat() if start else "",
        "theme": EU_THEME + row["theme"],
    }
    return [{"key": key, "value": value} for key, value in values.items() if value]


def package_dict(row: Row, resources: list[Row], tags: list[str], site: Site) -> dict[str, Any]:
    """A dataset (a DATASET_COLUMNS row, its RESOURCE_COLUMNS rows by position and its
    tag names by name) as CKAN's package_show gives it."""
    organization = _publisher_of(row).summary()
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "title": _pick(row["title_ar"], row["title_fr"]),
        "title_translated": {"ar": row["title_ar"], "fr": row["title_fr"]},
        "notes": _pick(row["description_ar"], row["description_fr"]),
        "notes_translated": {"ar": row["description_ar"], "fr": row["description_fr"]},
        "url": site.landing_page(row["name"]),
        **_licence(row["license_id"]),
        "author": None,
        "author_email": None,
        "maintainer": None,
        "maintainer_email": None,
        "version": None,
        "creator_user_id": None,
        "organization": organization,
        "owner_org": organization["id"],
        "private": False,
        "state": "active",
        "type": "dataset",
        "metadata_created": ckan_time(row["metadata_created"]),
        "metadata_modified": ckan_time(row["metadata_modified"]),
        "num_resources": len(resources),
        "num_tags": len(tags),
        "tags": [
            {
                "id": tag_id(name),
                "name": name,
                "display_name": name,
                "state": "active",
                "vocabulary_id": None,
            }
            for name in tags
        ],
        "resources": [resource_dict(r, row["metadata_created"], site) for r in resources],
        "groups": [],
        "extras": _extras(row),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def packages(qs: QuerySet[Dataset], site: Site) -> list[dict[str, Any]]:
    """The package dicts of `qs` (ordered and sliced by the caller), in three queries:
    the datasets with their publisher, their resources, their tags."""
    rows = list(qs.values(*DATASET_COLUMNS))
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    resources: dict[uuid.UUID, list[Row]] = defaultdict(list)
    for resource in (
        Resource.objects.filter(dataset_id__in=ids)
        .order_by("dataset_id", "position", "format")
        .values(*RESOURCE_COLUMNS)
    ):
        resources[resource["dataset_id"]].append(resource)
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    for dataset_id, name in (
        Dataset.tags.through.objects.filter(dataset_id__in=ids)
        .order_by("tag__name")
        .values_list("dataset_id", "tag__name")
    ):
        tags[dataset_id].append(name)
    return [package_dict(row, resources[row["id"]], tags[row["id"]], site) for row in rows]


# --------------------------------------------------------------------------- query → SQL

ALL = Q(pk__isnull=False)
NOTHING = Q(pk__in=[])


def _text_q(value: str, *, phrase: bool) -> Q:
    tokens = fold_tokens(value)
    if not tokens:
        return ALL
    if phrase:
        return Q(search_text__contains=" ".join(tokens))
    if len(tokens) > TEXT_MAX_TOKENS:
        raise SearchError(f"more than {TEXT_MAX_TOKENS} words")
    return reduce(lambda a, b: a & b, (Q(search_text__contains=t) for t in tokens))


def _licence_keys(value: str) -> list[str]:
    return [
        key
        for key, licence in settings.INFITAH_OPENDATA_LICENSES.items()
        if value in (key, licence["ckan"])
    ]


def _slug_of_organization_id(value: str) -> str | None:
    """The slug whose uuid5 is `value` (a reverse of organization_id over the
    collectivities), NETWORK, or None."""
    wanted = _as_uuid(value)
    if wanted is None:
        return None
    if wanted == uuid.uuid5(ORGANIZATION_NAMESPACE, NETWORK):
        return NETWORK
    text = str(wanted)
    for slug in Collectivity.objects.values_list("slug", flat=True).iterator(chunk_size=2000):
        if organization_id(slug) == text:  # cached: a later lookup hashes nothing
            return slug
    return None


def _organization_q(slug: str | None) -> Q:
    if slug is None:
        return NOTHING
    if slug == NETWORK:
        return Q(collectivity__isnull=True)
    return Q(collectivity__slug=slug)


def _moment_q(column: str, value: str | Range, now: dt.datetime) -> Q:
    if isinstance(value, str):
        return ALL if value == "*" else Q(**{column: parse_moment(value, now)})
    q = ALL
    if value.low != "*":
        lookup = "gte" if value.low_inclusive else "gt"
        q &= Q(**{f"{column}__{lookup}": parse_moment(value.low, now)})
    if value.high != "*":
        lookup = "lte" if value.high_inclusive else "lt"
        q &= Q(**{f"{column}__{lookup}": parse_moment(value.high, now)})
    return q


# Fields that match everything for one value and nothing for any other: what CKAN's
# index holds for every dataset of ours (public, active datasets of type "dataset").
_CONSTANT_FIELDS = {
    "capacity": "public",
    "state": "active",
    "dataset_type": "dataset",
    "type": "dataset",
}


def _term_q(term: Term, now: dt.datetime) -> Q:
    field = term.field or "text"
    value = term.value
    if field in ("metadata_modified", "metadata_created"):
        return _moment_q(field, value, now)
    if isinstance(value, Range):
        raise SearchError(f"a range on the field {field} is not supported")
    if field == "*":
        if value != "*":
            raise SearchError("undefined field *")
        return ALL
    if value == "*" and not term.phrase and field != "text":
        return NOTHING if field == "groups" else ALL
    if field == "text":
        return _text_q(value, phrase=term.phrase)
    if field in _CONSTANT_FIELDS:
        return ALL if value == _CONSTANT_FIELDS[field] else NOTHING
    if field == "site_id":
        return ALL
    if field == "groups":
        return NOTHING
    if field == "organization":
        return _organization_q(value)
    if field == "owner_org":
        return _organization_q(_slug_of_organization_id(value))
    if field == "name":
        return Q(name=value)
    if field == "id":
        found = _as_uuid(value)
        return NOTHING if found is None else Q(pk=found)
    if field == "tags":
        tagged = Dataset.tags.through.objects.filter(tag__name=value)
        return Q(pk__in=tagged.values("dataset_id"))
    if field == "res_format":
        # Formats are stored upper case but for "datapackage" (models.Resource): the
        # three spellings use resource_format_idx where iexact would scan.
        spellings = {value, value.upper(), value.lower()}
        return Q(pk__in=Resource.objects.filter(format__in=spellings).values("dataset_id"))
    if field == "license_id":
        return Q(license_id__in=_licence_keys(value))
    raise SearchError(f"undefined field {field}")


def node_q(node: Node, now: dt.datetime) -> Q:
    """The filter of a parsed query."""
    if isinstance(node, Term):
        return _term_q(node, now)
    if isinstance(node, Not):
        return ~node_q(node.item, now)
    if not node.items:
        return ALL
    parts = [node_q(item, now) for item in node.items]
    return reduce((lambda a, b: a | b) if node.any else (lambda a, b: a & b), parts)


def _ordering(sort: str) -> list[str]:
    keys: list[str] = []
    for part in sort.split(","):
        bits = part.split()
        if len(bits) != 2 or bits[0] not in SORT_FIELDS or bits[1].lower() not in ("asc", "desc"):
            raise SearchQueryError('Invalid "sort" parameter')
        column = SORT_FIELDS[bits[0]]
        if column is not None:
            keys.append(("-" if bits[1].lower() == "desc" else "") + column)
    # A total order, so that pages never overlap: the id last.
    if not any(key.lstrip("-") == "pk" for key in keys):
        keys.append("pk")
    return keys


def _facet_fields(params: Params) -> list[str]:
    raw = params.get("facet.field")
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            raise ValidationError({"facet.field": [_("Could not parse as valid JSON")]}) from None
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ValidationError({"facet.field": [_("Not a list")]})
    fields: list[str] = []
    for item in raw:
        if not isinstance(item, str):
            raise ValidationError(
                {"facet.field": [_("Not a string: %(value)s") % {"value": reprlib.repr(item)}]}
            )
        if item not in FACET_FIELDS:
            raise SearchError(f"undefined field {item}")
        if item not in fields:
            fields.append(item)
    return fields


Match = tuple[uuid.UUID, int | None, str]  # id, collectivity_id, license_id


@dataclass(frozen=True)
class Matches:
    """What package_search found, for its count and facets. With facets on a filtered
    search, the matches are read once (`rows`): their count, publishers and licences
    come from that read instead of three more evaluations of q and fq."""

    qs: QuerySet[Dataset]
    filtered: bool
    rows: list[Match] | None

    @classmethod
    def of(cls, qs: QuerySet[Dataset], *, filtered: bool, faceted: bool) -> Matches:
        if not (filtered and faceted):
            return cls(qs, filtered, None)
        rows: list[Match] = list(qs.order_by().values_list("pk", "collectivity_id", "license_id"))
        return cls(qs, filtered, rows)

    def count(self) -> int:
        return len(self.rows) if self.rows is not None else self.qs.count()

    def among(self) -> Q:
        """The tag links or resources of the matches."""
        # Naming the matches' ids instead costs more (Django and psycopg spend about
        # 10 µs an id building the statement) than evaluating q and fq again.
        if self.filtered:
            return Q(dataset_id__in=self.qs.order_by().values("pk"))
        # Every active dataset: "not one of the few inactive ones" is an anti-join that
        # PostgreSQL answers from an index, where "one of the active" reads the table.
        return ~Q(dataset_id__in=Dataset.objects.filter(is_active=False).values("pk"))

    def grouped(self, column: str, limit: int) -> list[tuple[Any, int]]:
        """(value of `column`, count) over the matches, most frequent first, then by
        value: one grouped query, or none when the matches were read."""
        if self.rows is not None:
            position = {"collectivity_id": 1, "license_id": 2}[column]
            counts = Counter(row[position] for row in self.rows)
            ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            return ordered[:limit] if limit >= 0 else ordered
        # COUNT(*): for collectivity_id, an index-only scan of dataset_collectivity_idx.
        grouped = self.qs.order_by().values(column).annotate(n=Count("*")).order_by("-n", column)
        return [(row[column], row["n"]) for row in (grouped[:limit] if limit >= 0 else grouped)]


def _facet_counts(
    field: str, matches: Matches, *, limit: int, mincount: int
) -> list[tuple[str, str, int]]:
    """(name, display name, count) over the matches, most frequent first."""
    rows: list[tuple[str, str, int]] = []
    if field == "organization":
        counted = matches.grouped("collectivity_id", limit)
        # The names of the counted ones only: joining the collectivities before the
        # grouping would read every dataset's row.
        publishers = {
            c.pk: Publisher.of(c)
            for c in Collectivity.objects.filter(pk__in=[pk for pk, _n in counted if pk]).only(
                "slug", "name_ar", "name_fr", "created_at"
            )
        }
        for pk, n in counted:
            publisher = publishers.get(pk, Publisher.of(None))
            rows.append((publisher.slug, _pick(publisher.title_ar, publisher.title_fr), n))
    elif field == "license_id":
        for key, n in matches.grouped("license_id", limit):
            shown = _licence(key)
            rows.append((shown["license_id"], shown["license_title"], n))
    elif field == "tags":
        tagged = (
            Dataset.tags.through.objects.filter(matches.among())
            .values("tag__name")
            .annotate(n=Count("*"))
            .order_by("-n", "tag__name")
        )
        for row in tagged[:limit] if limit >= 0 else tagged:
            rows.append((row["tag__name"], row["tag__name"], row["n"]))
    elif field == "res_format":
        # One resource per format and dataset (resource_one_per_format).
        formats = (
            Resource.objects.filter(matches.among())
            .values("format")
            .annotate(n=Count("*"))
            .order_by("-n", "format")
        )
        for counted_format in formats[:limit] if limit >= 0 else formats:
            name, n = counted_format["format"], counted_format["n"]
            rows.append((name, name, n))
    # "groups": none. Most frequent first: the rows under `mincount` are the last ones
    # (Solr's facet.mincount, applied after its limit as a HAVING would be before it).
    return [row for row in rows if row[2] >= mincount]


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    """An action: its function and the help that help_show gives."""

    run: Callable[[Params, Site], Any]
    help: str


def status_show(params: Params, site: Site) -> dict[str, Any]:
    return {
        "ckan_version": CKAN_VERSION,
        "site_url": site.base,
        "site_title": _("Infitah"),
        "site_description": _(
            "Infitah — the open-government platform of Morocco's territorial collectivities."
        ),
        "locale_default": settings.LANGUAGE_CODE,
        "error_emails_to": None,
        "extensions": [],
    }


def site_read(params: Params, site: Site) -> bool:
    return True


def package_list(params: Params, site: Site) -> list[str]:
    offset, limit = _page(params, default_limit=None, max_limit=INT_MAX)
    names = Dataset.objects.active().order_by("name").values_list("name", flat=True)
    window = names[offset : offset + limit] if limit is not None else names[offset:]
    return list(window)


def package_show(params: Params, site: Site) -> dict[str, Any]:
    identifier = _required(params, "id", alias="name_or_id")
    found = _as_uuid(identifier)
    lookup = Q(pk=found) if found is not None else Q(name=identifier)
    shown = packages(Dataset.objects.active().filter(lookup)[:1], site)
    if not shown:
        raise NotFound()
    return shown[0]


def resource_show(params: Params, site: Site) -> dict[str, Any]:
    found = _as_uuid(_required(params, "id"))
    row = (
        Resource.objects.filter(pk=found, dataset__is_active=True)
        .values(*RESOURCE_COLUMNS, "dataset__metadata_created")
        .first()
        if found is not None
        else None
    )
    if row is None:
        raise NotFound(_("Resource was not found."))
    return resource_dict(row, row["dataset__metadata_created"], site)


@dataclass(frozen=True)
class SearchQuery:
    q: str
    fq: list[str]
    rows: int
    start: int
    sort: str
    facets: list[str]
    facet_limit: int
    facet_mincount: int
    fields: list[str]


def _search_query(params: Params) -> SearchQuery:
    unknown = sorted(
        key for key in params if key not in SEARCH_PARAMETERS and not key.startswith("ext_")
    )
    if unknown:
        raise SearchQueryError(f"Invalid search parameters: {unknown}")
    fq = [_text(params, "fq")]
    fq_list = params.get("fq_list") or []
    if not isinstance(fq_list, list) or not all(isinstance(f, str) for f in fq_list):
        raise ValidationError({"fq_list": [_("Not a list")]})
    rows = _natural(params, "rows", ROWS_DEFAULT)
    raw_fl = params.get("fl") or []
    fields = raw_fl.replace(",", " ").split() if isinstance(raw_fl, str) else raw_fl
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ValidationError({"fl": [_("Not a list")]})
    sort = _text(params, "sort").strip()
    faceting = params.get("facet", "true")
    return SearchQuery(
        q=_text(params, "q"),
        fq=[f for f in [*fq, *fq_list] if f.strip()],
        rows=min(ROWS_DEFAULT if rows is None else rows, ROWS_MAX),
        start=_natural(params, "start") or 0,
        sort=DEFAULT_SORT if sort in ("", "rank") else sort,
        facets=_facet_fields(params) if str(faceting).lower() != "false" else [],
        facet_limit=_integer(params, "facet.limit", FACET_LIMIT_DEFAULT),
        facet_mincount=_natural(params, "facet.mincount", 1) or 0,
        fields=[] if fields == ["*"] else fields,
    )


def search(query: SearchQuery, site: Site, *, now: dt.datetime) -> dict[str, Any]:
    """package_search's result: count, results (full package dicts, or the `fl` fields),
    facets and search_facets: the count, the page's three queries (packages), one per
    facet field and one for the organizations' names."""
    ordering = _ordering(query.sort)
    qs = Dataset.objects.active()
    filters = [node_q(parse_query(text), now) for text in [query.q, *query.fq] if text.strip()]
    for condition in filters:
        qs = qs.filter(condition)
    matches = Matches.of(qs, filtered=bool(filters), faceted=bool(query.facets))
    count = matches.count()
    results: list[dict[str, Any]] = []
    if query.rows and query.start < count:
        # The page's ids first, then their rows: the offset skips ids only (an index at
        # best), not whole rows with their publisher — the harvester's deep pages.
        window = qs.order_by(*ordering).values("pk")[query.start : query.start + query.rows]
        results = packages(Dataset.objects.filter(pk__in=window).order_by(*ordering), site)
        if query.fields:
            results = [{f: r[f] for f in query.fields if f in r} for r in results]
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, dict[str, Any]] = {}
    for field in query.facets:
        counts = _facet_counts(
            field, matches, limit=query.facet_limit, mincount=max(query.facet_mincount, 1)
        )
        facets[field] = {name: n for name, _shown, n in counts}
        items: list[dict[str, Any]] = [
            {"name": name, "display_name": shown, "count": n} for name, shown, n in counts
        ]
        # CKAN lists a facet's items by display name, descending.
        items.sort(key=lambda item: item["display_name"], reverse=True)
        search_facets[field] = {"title": field, "items": items}
    return {
        "count": count,
        "sort": query.sort,
        "facets": facets,
        "results": results,
        "search_facets": search_facets,
    }


def package_search(params: Params, site: Site) -> dict[str, Any]:
    return search(_search_query(params), site, now=dt.datetime.now(dt.UTC))


def current_package_list_with_resources(params: Params, site: Site) -> list[dict[str, Any]]:
    offset, limit = _page(params, default_limit=ROWS_DEFAULT, max_limit=ROWS_MAX)
    query = SearchQuery(
        q="",
        fq=[],
        rows=limit or ROWS_DEFAULT,
        start=offset,
        sort="metadata_modified desc",
        facets=[],
        facet_limit=0,
        facet_mincount=1,
        fields=[],
    )
    result: list[dict[str, Any]] = search(query, site, now=dt.datetime.now(dt.UTC))["results"]
    return result


def _publishers() -> list[tuple[Publisher, int]]:
    """Every organization with at least one active dataset and its count: the counts
    by collectivity id (an index-only scan), then every collectivity's names (about
    1,590 rows, read whole: naming the publishers' ids would cost more)."""
    counts: dict[int | None, int] = {
        row["collectivity_id"]: row["n"]
        for row in Dataset.objects.active()
        .order_by()
        .values("collectivity_id")
        .annotate(n=Count("*"))
    }
    found = [
        (Publisher(slug, name_ar, name_fr, created), counts[pk])
        for pk, slug, name_ar, name_fr, created in Collectivity.objects.order_by().values_list(
            "pk", "slug", "name_ar", "name_fr", "created_at"
        )
        if pk in counts
    ]
    if None in counts:
        found.append((Publisher.of(None), counts[None]))
    return found


_ORGANIZATION_SORTS: dict[str, Callable[[tuple[Publisher, int]], Any]] = {
    "name": lambda pair: pair[0].slug,
    "title": lambda pair: (_pick(pair[0].title_ar, pair[0].title_fr), pair[0].slug),
    "package_count": lambda pair: (pair[1], pair[0].slug),
}


def organization_list(params: Params, site: Site) -> list[Any]:
    offset, limit = _page(params, default_limit=ORGANIZATIONS_MAX, max_limit=ORGANIZATIONS_MAX)
    sort = _text(params, "sort").strip() or "name asc"
    bits = sort.split()
    if bits[0] in ("packages", "package_count") and len(bits) == 1:
        bits = ["package_count", "desc"]
    if len(bits) == 1:
        bits.append("asc")
    if len(bits) != 2 or bits[0] not in _ORGANIZATION_SORTS or bits[1] not in ("asc", "desc"):
        raise ValidationError(
            {"sort": [_("Cannot sort by field %(field)s") % {"field": bits[0][:100]}]}
        )
    wanted = params.get("organizations")
    publishers = _publishers()
    if isinstance(wanted, list):
        publishers = [p for p in publishers if p[0].slug in wanted]
    publishers.sort(key=_ORGANIZATION_SORTS[bits[0]], reverse=bits[1] == "desc")
    window = publishers[offset : offset + (limit or ORGANIZATIONS_MAX)]
    if _flag(params, "all_fields"):
        return [publisher.full(count) for publisher, count in window]
    return [publisher.slug for publisher, _count in window]


def organization_show(params: Params, site: Site) -> dict[str, Any]:
    identifier = _required(params, "id")
    slug = _slug_of_organization_id(identifier) if _as_uuid(identifier) else identifier
    publisher: Publisher | None = None
    if slug == NETWORK:
        publisher = Publisher.of(None)
    elif slug:
        collectivity = Collectivity.objects.filter(slug=slug).first()
        publisher = Publisher.of(collectivity) if collectivity is not None else None
    if publisher is None:
        raise NotFound(_("Organization was not found."))
    datasets = Dataset.objects.active().filter(_organization_q(publisher.slug))
    result = {
        **publisher.full(datasets.count()),
        "users": [],
        "extras": [],
        "groups": [],
        "tags": [],
    }
    if _flag(params, "include_datasets"):
        recent = datasets.order_by("-metadata_modified", "pk")[:ORGANIZATION_DATASETS_MAX]
        result["packages"] = packages(recent, site)
    return result


def group_list(params: Params, site: Site) -> list[Any]:
    """No groups: themes are each dataset's `theme` extra (an EU data theme)."""
    _page(params, default_limit=None, max_limit=INT_MAX)
    return []


def tag_list(params: Params, site: Site) -> list[Any]:
    query = _text(params, "query").strip() or _text(params, "q").strip()
    tags = Tag.objects.filter(datasets__is_active=True).distinct().order_by("name")
    if query:
        tags = tags.filter(name__icontains=query)
    names = list(tags.values_list("name", flat=True))
    if _flag(params, "all_fields"):
        return [
            {"id": tag_id(n), "name": n, "display_name": n, "vocabulary_id": None} for n in names
        ]
    return names


def help_show(params: Params, site: Site) -> str:
    name = _required(params, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(_("Action function not found"))
    return action.help


ACTIONS: dict[str, Action] = {
    "status_show": Action(status_show, "The site's title, address, language and API version."),
    "site_read": Action(site_read, "Whether the site may be read: always true."),
    "package_list": Action(
        package_list, "The names of the active datasets, by name (limit, offset)."
    ),
    "package_show": Action(package_show, "One dataset by id or name (id)."),
    "package_search": Action(
        package_search,
        "Datasets matching q and fq (Solr syntax subset), with rows, start, sort, "
        "facet.field, facet.limit and facet.mincount; see docs/ckan.md.",
    ),
    "current_package_list_with_resources": Action(
        current_package_list_with_resources,
        "The datasets with their resources, most recently modified first (limit, offset).",
    ),
    "organization_list": Action(
        organization_list,
        "The publishing collectivities' names, or dicts with all_fields "
        "(sort: name, title or package_count; limit, offset).",
    ),
    "organization_show": Action(
        organization_show, "One collectivity by id or name (id, include_datasets)."
    ),
    "group_list": Action(group_list, "No groups: always an empty list."),
    "tag_list": Action(tag_list, "The tags of the active datasets (query, all_fields)."),
    "resource_show": Action(resource_show, "One resource by id (id)."),
    "help_show": Action(help_show, "What an action does (name)."),
}


def action_run(name: str, params: Params, site: Site) -> Any:
    """The result of the action `name`; KeyError for an unknown action."""
    return ACTIONS[name].run(params, site)


def unsafe_text(value: Any) -> bool:
    """Whether a string of `value` (JSON: dicts and lists searched, however deep) holds
    NUL or a lone surrogate, which neither database takes in a query."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item or has_lone_surrogate(item):
                return True
        elif isinstance(item, dict):
            pending += item.keys()
            pending += item.values()
        elif isinstance(item, list):
            pending += item
    return False
