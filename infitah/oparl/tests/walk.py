"""Validate OParl objects against the OParl 1.1.1 JSON Schemas, and walk a whole API.

The schemas are not in the project: they are read from the folder named by the
environment variable INFITAH_STANDARDS_DIR (default: `shared/standards` beside the
project, i.e. <project>/../shared/standards), subfolder `oparl-1.1.1`. Without them the
tests that need them are skipped with one line, unless INFITAH_REQUIRE_STANDARDS=1.

The schemas (draft-04) name an embedded object's schema with a `schema` keyword (e.g.
Meeting.agendaItem: `{"type": "array", "items": {"schema": "AgendaItem.json"}}`) that
JSON Schema itself ignores: `OParlSchemas.errors` validates embedded objects against
theirs too. The schemas' `format: url`, `date` and `date-time` are checked (absolute
http(s) URLs; ISO dates; date-times with an offset). A deleted object keeps only id,
type, created, modified and deleted (OParl 1.1, "Gelöschte Objekte"), so only `id` and
`type` are required of it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft4Validator, FormatChecker  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT4

from django.conf import settings
from django.test import Client

SCHEMA = "https://schema.oparl.org/1.1/"
TYPES = {
    "System",
    "Body",
    "LegislativeTerm",
    "Organization",
    "Person",
    "Membership",
    "Meeting",
    "AgendaItem",
    "Paper",
    "Consultation",
    "File",
    "Location",
}
BASE = "http://testserver/oparl/v1/"


def standards_dir() -> Path:
    configured = os.environ.get("INFITAH_STANDARDS_DIR")
    if configured:
        return Path(configured)
    return Path(settings.BASE_DIR).parent / "shared" / "standards"


def load_schemas() -> OParlSchemas:
    """The schemas, or a skip (a failure with INFITAH_REQUIRE_STANDARDS=1)."""
    folder = standards_dir() / "oparl-1.1.1"
    if not (folder / "System.json").exists():
        message = (
            f"OParl 1.1.1 schemas not found in {folder} "
            "(set INFITAH_STANDARDS_DIR to the shared standards folder)"
        )
        if os.environ.get("INFITAH_REQUIRE_STANDARDS", "") == "1":
            pytest.fail(f"INFITAH_REQUIRE_STANDARDS=1: {message}")
        pytest.skip(message)
    return OParlSchemas(folder)


FORMATS = FormatChecker(formats=())


@FORMATS.checks("url")
def _is_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _is_moment(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return dt.datetime.fromisoformat(value).tzinfo is not None and "T" in value


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return dt.date.fromisoformat(value).isoformat() == value


class OParlSchemas:
    def __init__(self, folder: Path) -> None:
        self.schemas: dict[str, dict[str, Any]] = {
            path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in folder.glob("*.json")
        }
        assert set(self.schemas) >= TYPES, sorted(self.schemas)
        self.registry: Registry[Any] = Registry().with_resources(
            (f"{name}.json", DRAFT4.create_resource(schema))
            for name, schema in self.schemas.items()
        )

    def errors(self, obj: Any, where: str = "") -> list[str]:
        """Every way `obj` (and the objects it embeds) breaks its type's schema."""
        if not isinstance(obj, dict) or not str(obj.get("type", "")).startswith(SCHEMA):
            return [f"{where}: not an OParl object: {str(obj)[:200]}"]
        name = obj["type"].removeprefix(SCHEMA)
        if name not in self.schemas:
            return [f"{where}: unknown type {name}"]
        schema = self.schemas[name]
        if obj.get("deleted") is True:
            schema = {**schema, "required": ["id", "type"]}
            extra = set(obj) - {"id", "type", "created", "modified", "deleted"}
            if extra:
                return [f"{obj['id']}: a deleted object with {sorted(extra)}"]
        validator = Draft4Validator(schema, registry=self.registry, format_checker=FORMATS)
        label = f"{where}{obj.get('id')}"
        found = [
            f"{label}: {error.message} (at {'/'.join(map(str, error.absolute_path))})"
            for error in validator.iter_errors(obj)
        ]
        for key, prop in schema["properties"].items():
            if key not in obj:
                continue
            if prop.get("type") == "object" and "schema" in prop:
                values, target = [obj[key]], prop["schema"]
            elif prop.get("type") == "array" and "schema" in prop.get("items", {}):
                values, target = obj[key], prop["items"]["schema"]
            else:
                continue
            for value in values:
                expected = SCHEMA + target.removesuffix(".json")
                if not isinstance(value, dict) or value.get("type") != expected:
                    found.append(f"{label}.{key}: expected an embedded {expected}")
                    continue
                found.extend(self.errors(value, f"{label}.{key} > "))
        return found


def embedded(obj: Any) -> list[dict[str, Any]]:
    """The OParl objects inside `obj` (not `obj` itself), at any depth."""
    found: list[dict[str, Any]] = []

    def visit(value: Any, top: bool) -> None:
        if isinstance(value, dict):
            if not top and str(value.get("type", "")).startswith(SCHEMA):
                found.append(value)
            for inner in value.values():
                visit(inner, False)
        elif isinstance(value, list):
            for inner in value:
                visit(inner, False)

    visit(obj, True)
    return found


def urls_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value} if value.startswith(BASE) else set()
    if isinstance(value, dict):
        return set().union(*(urls_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(urls_in(v) for v in value)) if value else set()
    return set()


@dataclass
class Walk:
    """What a walk saw: each object by id as its own URL answers, each occurrence of an
    object (in a list or embedded) and the download URLs."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    occurrences: list[dict[str, Any]] = field(default_factory=list)
    downloads: set[str] = field(default_factory=set)
    list_pages: int = 0
    errors: list[str] = field(default_factory=list)

    def types(self) -> set[str]:
        return {o["type"].removeprefix(SCHEMA) for o in self.objects.values()}

    def of_type(self, name: str) -> list[dict[str, Any]]:
        return [o for o in self.objects.values() if o["type"] == SCHEMA + name]


def _get(client: Client, url: str) -> Any:
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json; charset=utf-8", url
    return json.loads(response.content.decode("utf-8"))


def walk(schemas: OParlSchemas, client: Client | None = None) -> Walk:
    """Follow every URL of the API from the System: every object, every page of every
    list; validate each object, embedded ones included; check that an object read in a
    list or embedded equals the object at its own URL."""
    client = client or Client()
    seen = Walk()
    queue: deque[str] = deque([BASE + "system"])
    queued = {BASE + "system"}

    def push(url: str) -> None:
        if url.endswith("/download"):
            seen.downloads.add(url)
        elif url not in queued:
            queued.add(url)
            queue.append(url)

    while queue:
        url = queue.popleft()
        payload = _get(client, url)
        if isinstance(payload, dict) and "data" in payload:
            seen.list_pages += 1
            pagination, links = payload["pagination"], payload["links"]
            assert set(payload) == {"data", "pagination", "links"}, url
            if pagination["currentPage"] < pagination["totalPages"]:
                assert "next" in links, url
            else:
                assert "next" not in links, url
            for item in payload["data"]:
                seen.errors.extend(schemas.errors(item, f"{url} > "))
                seen.occurrences.append(item)
                seen.occurrences.extend(embedded(item))
                for found in urls_in(item):
                    push(found)
            for found in urls_in(links):
                push(found)
            continue
        seen.errors.extend(schemas.errors(payload))
        if payload.get("id") != url:
            seen.errors.append(f"{url}: its id is {payload.get('id')}")
        seen.objects[url] = payload
        seen.occurrences.extend(embedded(payload))
        for found in urls_in(payload):
            push(found)
    for occurrence in seen.occurrences:
        own = seen.objects.get(occurrence["id"])
        if own is None:
            seen.errors.append(f"{occurrence['id']}: listed or embedded, never fetched")
        elif own != occurrence:
            seen.errors.append(f"{occurrence['id']}: differs from the object at its URL")
    return seen
