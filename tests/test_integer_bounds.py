"""Whole numbers beyond any id or page, in a path or a query string, are never a server
error: the API answers 400 naming the parameter, the pages 404 or a page of their own
(infitah/lib/bounds.py). SQLite and PostgreSQL refuse such numbers in a query (an OFFSET,
a value beyond bigint), which was a 500."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RoutePattern

from infitah.accounts.models import User
from infitah.complaints.models import Complaint, ComplaintSettings
from infitah.correspondence.models import ServiceUnit
from infitah.territories.models import Collectivity

HUGE = "99999999999999999999"  # beyond bigint (2**63 - 1)
BIG = "99999999999999999"  # within bigint, beyond any page: an OFFSET past 2**63

API_CASES = [
    f"/api/v1/collectivities?page={BIG}",
    f"/api/v1/collectivities?page={HUGE}",
    f"/api/v1/collectivities?page_size={HUGE}",
    f"/api/v1/documents/{HUGE}",
    f"/api/v1/c/commune-a/documents?page={HUGE}",
    f"/api/v1/c/commune-a/documents?year={HUGE}",
    f"/api/v1/search?page={HUGE}",
    f"/api/v1/search?year={HUGE}",
    f"/api/v1/register/entries/{HUGE}",
    f"/api/v1/register/proof/inclusion?index=0&tree_size={HUGE}",
    f"/api/v1/petitions/{HUGE}",
    f"/api/v1/consultations/{HUGE}",
    f"/api/v1/consultations/1/sections/{HUGE}/comments",
    f"/api/v1/consultations/1/sections/1/comments?offset={HUGE}",
    f"/api/v1/consultations/1/sections/1/comments?limit={HUGE}",
    f"/api/v1/surveys/{HUGE}",
    f"/api/v1/labs/{HUGE}",
    f"/api/v1/labs/{HUGE}/report",
    f"/api/v1/calendar/holidays?year={HUGE}",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", API_CASES)
def test_the_api_answers_400_beyond_the_bound(url: str, collectivity_a: Collectivity) -> None:
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    assert response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["²", HUGE, "0"])
def test_a_complaint_with_a_category_that_is_no_id_is_400(
    collectivity_a: Collectivity, category: str
) -> None:
    """ "²".isdigit() is true, and int("²") fails: the category was a server error."""
    unit = ServiceUnit.objects.create(collectivity=collectivity_a, name_ar="م", name_fr="S")
    ComplaintSettings.objects.create(collectivity=collectivity_a, complaints_unit=unit)
    body = {
        "kind": "complaint",
        "description": "الإنارة العمومية معطلة في زنقة الورود منذ أسبوعين.",
        "name": "Amina",
        "email": "amina@example.test",
        "category": category,
    }
    response = Client(raise_request_exception=False).post(
        "/api/v1/c/commune-a/complaints", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert [d["field"] for d in response.json()["detail"]] == ["category"]
    assert not Complaint.objects.exists()


# ------------------------------------------------------------------------------- pages

VALUES = {
    "slug": "commune-a",
    "str": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}
CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    """Every route of the site as a path, with a beyond-bigint number for each int."""
    for pattern in patterns:
        if isinstance(pattern.pattern, LocalePrefixPattern):
            route = "ar/"
        elif isinstance(pattern.pattern, RoutePattern):
            route = str(pattern.pattern)
        else:
            continue  # regular expressions: Django's admin and static files, not ours
        path = prefix + CONVERTER.sub(
            lambda m: HUGE if m["converter"] == "int" else VALUES[m["converter"] or "str"], route
        )
        if isinstance(pattern, URLResolver):
            if not path.startswith(("django-admin", "api/")):
                yield from _routes(pattern.url_patterns, path)
        else:
            yield "/" + path


@pytest.fixture
def site(collectivity_a: Collectivity, staff_a: User) -> list[str]:
    return sorted(set(_routes(get_resolver().url_patterns)))


@pytest.mark.django_db
def test_no_page_fails_on_a_huge_number(site: list[str], staff_a: User) -> None:
    """Every page, with every int of its path beyond bigint and ?page=, ?year= beyond
    it too, anonymously and as staff of the commune: never a server error."""
    anonymous = Client(raise_request_exception=False)
    staff = Client(raise_request_exception=False)
    staff.force_login(staff_a)
    failed = []
    for path in site:
        for client in (anonymous, staff):
            for query in ("", f"?page={HUGE}&year={HUGE}&offset={HUGE}"):
                response = client.get(path + query)
                if response.status_code >= 500:
                    failed.append(f"GET {path}{query}: {response.status_code}")
            if HUGE in path:
                response = client.post(path, {"page": HUGE, "year": HUGE})
                if response.status_code >= 500:
                    failed.append(f"POST {path}: {response.status_code}")
    assert len(site) > 100
    assert not failed, "\n".join(failed)
