"""The CKAN Action API through the Django test client: each action's result, CKAN's
envelope and error shapes, GET and POST, both URL prefixes, a fixed number of queries."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infitah.lib.pagecache import bump
from infitah.opendata import ckan
from infitah.opendata.models import Dataset
from infitah.opendata.sync import PAGE_CACHE_NAMESPACE
from infitah.opendata.tests.ckan_world import Small, build_small, ckan_get, ckan_post, datasets_bulk
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(
    make_dataset: Callable[..., Dataset], collectivity_a: Collectivity, collectivity_b: Collectivity
) -> Small:
    return build_small(make_dataset, collectivity_a, collectivity_b)


def _result(status: int, body: Any) -> Any:
    assert status == 200, body
    assert body["success"] is True
    return body["result"]


def test_status_show_answers_on_both_prefixes(client: Client) -> None:
    for path in ("/api/3/action/status_show", "/api/action/status_show"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json;charset=utf-8"
        assert response["Access-Control-Allow-Origin"] == "*"
        body = response.json()
        assert body["help"] == "http://testserver/api/3/action/help_show?name=status_show"
        assert body["success"] is True
        result = body["result"]
        assert result["ckan_version"].startswith("2.10")
        assert result["site_url"] == "http://testserver"
        assert result["locale_default"] == "ar"
        assert result["extensions"] == []
        assert result["site_title"]
    assert _result(*ckan_get(client, "site_read")) is True


def test_package_list_names_the_active_datasets(client: Client, small: Small) -> None:
    names = sorted(d.name for d in small.active)
    assert _result(*ckan_get(client, "package_list")) == names
    assert small.hidden.name not in names
    assert _result(*ckan_get(client, "package_list", limit=2, offset=1)) == names[1:3]
    assert _result(*ckan_post(client, "package_list", {"limit": 1})) == names[:1]


def test_package_show_gives_the_whole_package(client: Client, small: Small) -> None:
    dataset = small.documents
    by_name = _result(*ckan_get(client, "package_show", id=dataset.name))
    by_id = _result(*ckan_post(client, "package_show", {"id": str(dataset.id)}))
    assert by_name == by_id
    package = by_name
    assert package["id"] == str(dataset.id)
    assert package["name"] == "commune-a-documents"
    assert package["title"] == "سجل الوثائق المنشورة"
    assert package["title_translated"] == {
        "ar": "سجل الوثائق المنشورة",
        "fr": "Registre des documents publiés",
    }
    assert package["notes_translated"]["fr"].startswith("Les arrêtés")
    assert package["url"] == "http://testserver/ar/data/commune-a-documents/"
    assert (package["license_id"], package["isopen"]) == ("cc-by", True)
    assert package["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["metadata_modified"] == "2026-11-01T10:00:00.123456"
    assert package["metadata_created"] == "2026-01-10T08:00:00"
    assert (package["state"], package["type"], package["private"]) == ("active", "dataset", False)
    organization = package["organization"]
    assert organization["name"] == "commune-a"
    assert organization["id"] == str(uuid.uuid5(ckan.ORGANIZATION_NAMESPACE, "commune-a"))
    assert organization["title"] == "أيت ملول"
    assert organization["is_organization"] is True
    assert package["owner_org"] == organization["id"]
    assert [t["name"] for t in package["tags"]] == ["documents", "transparence"]
    assert package["num_tags"] == 2
    assert package["groups"] == []
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["frequency"].endswith("/frequency/MONTHLY")
    assert extras["temporal_start"] == "2025-01-01"
    assert extras["temporal_end"] == "2026-10-31"
    assert extras["spatial_text"] == "أيت ملول / Aït Melloul"
    assert [r["format"] for r in package["resources"]] == ["CSV", "JSON", "datapackage"]
    assert package["num_resources"] == 3
    csv = package["resources"][0]
    assert csv["url"] == "http://testserver/data/commune-a-documents.csv"
    assert csv["package_id"] == package["id"]
    assert csv["mimetype"].startswith("text/csv")
    assert (csv["position"], csv["state"]) == (0, "active")
    assert csv["last_modified"] == "2026-11-01T10:00:00.123456"


def test_a_network_dataset_belongs_to_the_network_organization(
    client: Client, small: Small
) -> None:
    package = _result(*ckan_get(client, "package_show", id="network-openness"))
    assert package["organization"]["name"] == "network"
    assert package["owner_org"] == str(uuid.uuid5(ckan.ORGANIZATION_NAMESPACE, "network"))
    assert "spatial_text" not in {e["key"] for e in package["extras"]}


def test_an_inactive_or_unknown_dataset_is_not_found(client: Client, small: Small) -> None:
    for identifier in (small.hidden.name, str(small.hidden.id), "nothing", str(uuid.uuid4())):
        status, body = ckan_get(client, "package_show", id=identifier)
        assert status == 404
        assert body["success"] is False
        assert body["error"]["__type"] == "Not Found Error"
        assert body["error"]["message"]


def test_a_missing_id_is_a_validation_error_naming_the_field(client: Client) -> None:
    status, body = ckan_get(client, "package_show")
    assert status == 409
    assert body["error"]["__type"] == "Validation Error"
    assert list(body["error"]["name_or_id"]) and isinstance(body["error"]["name_or_id"], list)


def test_an_unknown_action_is_ckans_bad_request(client: Client) -> None:
    response = client.get("/api/3/action/package_create")
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body, str)
    assert body.endswith("package_create")
    assert " - " in body


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"text"', b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000],
)
def test_a_body_that_is_no_json_object_is_a_bad_request(client: Client, body: bytes) -> None:
    response = client.post("/api/3/action/package_list", body, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json(), str)


@pytest.mark.parametrize("value", ["a\u0000b", "\ud800", {"k\udfff": 1}])
def test_nul_and_lone_surrogates_are_refused(client: Client, value: Any) -> None:
    status, _body = ckan_post(client, "package_search", json.dumps({"q": value}))
    assert status == 400
    status, _body = ckan_get(client, "package_show", id="a\x00b")
    assert status == 400


def test_a_json_object_posted_as_a_form_is_read_as_curl_sends_it(
    client: Client, small: Small
) -> None:
    response = client.post(
        "/api/3/action/package_show",
        json.dumps({"id": small.budget.name}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    assert response.json()["result"]["name"] == small.budget.name
    # A plain form is read as the parameters; an empty POST reads the query string.
    response = client.post("/api/3/action/package_show", {"id": small.budget.name})
    assert response.json()["result"]["id"] == str(small.budget.id)
    response = client.post(f"/api/3/action/package_show?id={small.budget.name}")
    assert response.json()["result"]["id"] == str(small.budget.id)


def test_current_package_list_with_resources_is_newest_first(client: Client, small: Small) -> None:
    result = _result(*ckan_get(client, "current_package_list_with_resources"))
    assert [p["name"] for p in result] == [
        "network-openness",
        "commune-a-budget",
        "commune-a-documents",
        "commune-b-complaints",
    ]
    assert all(p["resources"] for p in result)
    page = _result(*ckan_get(client, "current_package_list_with_resources", limit=2, offset=1))
    assert [p["name"] for p in page] == ["commune-a-budget", "commune-a-documents"]
    page = _result(*ckan_get(client, "current_package_list_with_resources", limit=2, page=2))
    assert [p["name"] for p in page] == ["commune-a-documents", "commune-b-complaints"]


def test_organizations_are_the_publishing_collectivities(
    client: Client, small: Small, collectivity_a: Collectivity, region: Collectivity
) -> None:
    assert _result(*ckan_get(client, "organization_list")) == ["commune-a", "commune-b", "network"]
    full = _result(*ckan_get(client, "organization_list", all_fields="true", sort="package_count"))
    assert next((o["name"], o["package_count"]) for o in full) == ("commune-a", 2)
    assert {o["name"]: o["package_count"] for o in full} == {
        "commune-a": 2,
        "commune-b": 1,
        "network": 1,
    }
    shown = _result(*ckan_get(client, "organization_show", id="commune-a"))
    assert shown["id"] == ckan.organization_id("commune-a")
    assert shown["package_count"] == 2
    assert "packages" not in shown
    by_id = _result(
        *ckan_get(
            client, "organization_show", id=ckan.organization_id("commune-a"), include_datasets=True
        )
    )
    assert [p["name"] for p in by_id["packages"]] == ["commune-a-budget", "commune-a-documents"]
    network = _result(*ckan_get(client, "organization_show", id=ckan.organization_id("network")))
    assert network["name"] == "network"
    # A collectivity without datasets is an organization with none.
    assert _result(*ckan_get(client, "organization_show", id=region.slug))["package_count"] == 0
    for missing in ("nowhere", str(uuid.uuid4())):
        status, body = ckan_get(client, "organization_show", id=missing)
        assert (status, body["error"]["__type"]) == (404, "Not Found Error")
    status, body = ckan_get(client, "organization_list", sort="population desc")
    assert (status, body["error"]["__type"]) == (409, "Validation Error")


def test_groups_tags_and_resources(client: Client, small: Small) -> None:
    assert _result(*ckan_get(client, "group_list")) == []
    tags = _result(*ckan_get(client, "tag_list"))
    assert tags == [
        "budget",
        "documents",
        "finances",
        "indice",
        "plaintes",
        "statistiques",
        "transparence",
    ]
    assert "secret" not in tags  # only on the inactive dataset
    assert _result(*ckan_get(client, "tag_list", query="TRANS")) == ["transparence"]
    full = _result(*ckan_get(client, "tag_list", all_fields="true", query="budget"))
    assert full == [
        {
            "id": ckan.tag_id("budget"),
            "name": "budget",
            "display_name": "budget",
            "vocabulary_id": None,
        }
    ]
    resource = small.documents.resources.get(format="JSON")
    shown = _result(*ckan_get(client, "resource_show", id=str(resource.id)))
    assert shown["url"] == "http://testserver/data/commune-a-documents.json"
    assert shown["package_id"] == str(small.documents.id)
    hidden = small.hidden.resources.get()
    for identifier in (str(hidden.id), "not-a-uuid"):
        status, body = ckan_get(client, "resource_show", id=identifier)
        assert (status, body["error"]["__type"]) == (404, "Not Found Error")


def test_help_show_describes_an_action(client: Client) -> None:
    assert "rows" in _result(*ckan_get(client, "help_show", name="package_search"))
    status, _body = ckan_get(client, "help_show", name="package_delete")
    assert status == 404


def test_other_methods_are_refused_and_cors_is_open(client: Client) -> None:
    assert client.put("/api/3/action/package_list").status_code == 405
    assert client.delete("/api/3/action/package_list").status_code == 405
    preflight = client.options("/api/3/action/package_search")
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]


def test_the_ninja_api_keeps_its_prefix(client: Client) -> None:
    assert client.get("/api/v1/openapi.json").status_code == 200


def _queries_for(client: Client, action: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        status, _body = ckan_get(client, action, **params)
    assert status == 200
    return len(captured)


@pytest.mark.parametrize(
    ("action", "params", "queries"),
    [
        # count, page (with the publisher), resources, tags
        ("package_search", {"rows": 1000}, 4),
        # the matches read once (count, publishers, licences), the page's three, the
        # publishers' names, tags, formats
        (
            "package_search",
            {
                "q": "jeu",
                "fq": "tags:budget -res_format:PDF",
                "rows": 1000,
                "facet.field": '["organization", "tags", "res_format", "license_id"]',
            },
            7,
        ),
        # without q or fq: count, page (3), one per facet, the publishers' names
        (
            "package_search",
            {"facet.field": '["organization", "tags", "res_format", "license_id"]'},
            9,
        ),
        ("current_package_list_with_resources", {"limit": 1000}, 4),
        ("package_list", {}, 1),
        ("organization_list", {"all_fields": "true"}, 2),
        # the collectivity, its count, its page of packages
        ("organization_show", {"id": "commune-a", "include_datasets": "true"}, 5),
        ("tag_list", {"all_fields": "true"}, 1),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_catalogue(
    client: Client,
    settings: Any,
    collectivity_a: Collectivity,
    collectivity_b: Collectivity,
    action: str,
    params: dict[str, Any],
    queries: int,
) -> None:
    settings.INFITAH_PAGE_CACHE_SECONDS = 0
    publishers = [collectivity_a, collectivity_b, None]
    datasets_bulk(publishers, 6, modified=timezone.now())
    assert _queries_for(client, action, params) == queries
    datasets_bulk(publishers, 60, modified=timezone.now(), prefix="more")
    assert _queries_for(client, action, params) == queries


def test_a_get_answer_is_cached_until_the_catalogue_changes(client: Client, small: Small) -> None:
    url = "/api/3/action/package_search?fq=organization:commune-a"
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    Dataset.objects.filter(pk=small.budget.pk).update(is_active=False)  # no sync: no bump
    again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    # A POST is answered afresh; the sync's bump makes the GET answer stale.
    _status, body = ckan_post(client, "package_search", {"fq": "organization:commune-a"})
    assert body["result"]["count"] == 1
    bump(PAGE_CACHE_NAMESPACE)
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert fresh.json()["result"]["count"] == 1
    # Errors are never kept.
    assert client.get("/api/3/action/package_show?id=nothing")["X-Page-Cache"] == "miss"
    assert client.get("/api/3/action/package_show?id=nothing").status_code == 404
