"""OParl lists: paging, filters, omit_internal, errors."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from django.test import Client
from django.utils import timezone

from infitah.oparl.tests.walk import BASE
from infitah.oparl.tests.world import Tree

pytestmark = pytest.mark.django_db


def _list(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, (url, response.content[:300])
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def _ids(url: str) -> list[str]:
    return [o["id"] for o in _list(url)["data"]]


def test_pages_follow_each_other_and_keep_the_filters(tree: Tree) -> None:
    url = f"/oparl/v1/body/{tree.collectivity.slug}/meeting"
    everything = _ids(url)
    since = "2000-01-01T00:00:00+01:00"
    first = _list(f"{url}?elementsPerPage=4&created_since={since.replace('+', '%2B')}")
    assert first["pagination"] == {
        "totalElements": len(everything),
        "elementsPerPage": 4,
        "currentPage": 1,
        "totalPages": (len(everything) + 3) // 4,
    }
    collected = [o["id"] for o in first["data"]]
    page = first
    while "next" in page["links"]:
        query = parse_qs(urlsplit(page["links"]["next"]).query)
        assert query["created_since"] == [since] and query["elementsPerPage"] == ["4"]
        page = _list(page["links"]["next"].removeprefix("http://testserver"))
        collected += [o["id"] for o in page["data"]]
    assert collected == everything
    assert len(set(collected)) == len(collected)


def test_the_filters_select_by_creation_and_modification(tree: Tree) -> None:
    url = f"/oparl/v1/body/{tree.collectivity.slug}/meeting"
    later = timezone.now() + dt.timedelta(days=3)
    stamp = later.isoformat().replace("+", "%2B")
    assert _ids(f"{url}?created_since={stamp}") == []
    assert _ids(f"{url}?modified_since={stamp}") == []
    assert len(_ids(f"{url}?created_until={stamp}")) == len(_ids(url))
    with time_machine.travel(later + dt.timedelta(days=1)):
        tree.adopted_item.title_ar = "عنوان جديد"
        tree.adopted_item.save()
    # the meeting embeds the item: it changed too
    assert _ids(f"{url}?modified_since={stamp}") == [BASE + f"meeting/council/{tree.held.pk}"]
    items = f"/oparl/v1/body/{tree.collectivity.slug}/agenda-item"
    assert _ids(f"{items}?modified_since={stamp}") == [BASE + f"agenda-item/{tree.adopted_item.pk}"]
    # an unencoded "+" arrives as a space; a date alone means its first moment
    assert _ids(f"{url}?modified_since={later.isoformat()}") == _ids(
        f"{url}?modified_since={stamp}"
    )
    assert len(_ids(f"{url}?modified_since=2000-01-01")) == len(_ids(url))


def test_a_deleted_item_changes_its_meeting(tree: Tree) -> None:
    url = f"/oparl/v1/body/{tree.collectivity.slug}/meeting"
    later = timezone.now() + dt.timedelta(days=3)
    with time_machine.travel(later):
        tree.adopted_item.deleted = True
        tree.adopted_item.save()
    stamp = (later - dt.timedelta(minutes=1)).isoformat().replace("+", "%2B")
    assert _ids(f"{url}?modified_since={stamp}") == [BASE + f"meeting/council/{tree.held.pk}"]
    meeting = Client().get(f"/oparl/v1/meeting/council/{tree.held.pk}").json()
    assert BASE + f"agenda-item/{tree.adopted_item.pk}" not in {
        i["id"] for i in meeting["agendaItem"]
    }


def test_omit_internal_leaves_embedded_objects_out(tree: Tree) -> None:
    url = f"/oparl/v1/body/{tree.collectivity.slug}/meeting"
    full = _list(url)["data"]
    assert any("agendaItem" in m for m in full)
    bare = _list(f"{url}?omit_internal=true")["data"]
    assert [m["id"] for m in bare] == [m["id"] for m in full]
    for meeting in bare:
        assert not {"agendaItem", "location", "invitation", "auxiliaryFile"} & set(meeting)
    persons = _list(f"/oparl/v1/body/{tree.collectivity.slug}/person?omit_internal=1")["data"]
    assert all("membership" not in p for p in persons)


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=x",
        "page=99999999999999999999",
        "created_since=yesterday",
        "modified_until=2026-13-01T00:00:00",
        "modified_since=2026-02-30",
    ],
)
def test_a_malformed_parameter_is_a_400(tree: Tree, query: str) -> None:
    response = Client().get(f"/oparl/v1/body/{tree.collectivity.slug}/paper?{query}")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_page_beyond_the_last_is_empty(tree: Tree) -> None:
    page = _list(f"/oparl/v1/body/{tree.collectivity.slug}/paper?page=50")
    assert page["data"] == [] and "next" not in page["links"]
    assert page["links"]["prev"].endswith("page=1")


def test_unknown_objects_and_writes(tree: Tree) -> None:
    client = Client()
    assert client.get("/oparl/v1/body/no-such-body").status_code == 404
    assert client.get("/oparl/v1/body/no-such-body/meeting").status_code == 404
    assert client.get("/oparl/v1/paper/999999").status_code == 404
    assert client.get("/oparl/v1/organization/advisory/999999/meeting").status_code == 404
    # a collectivity without council data is no body
    assert client.get("/oparl/v1/body/inezgane-test").status_code == 404
    assert client.post(f"/oparl/v1/paper/{tree.referrals['referred'].pk}").status_code == 405
    assert client.get("/oparl/v1/")["Location"] == "/oparl/v1/system"


def test_an_organizations_meetings(tree: Tree) -> None:
    council = Client().get(f"/oparl/v1/organization/council/{tree.collectivity.slug}").json()
    meetings = _ids(council["meeting"].removeprefix("http://testserver"))
    assert BASE + f"meeting/council/{tree.held.pk}" in meetings
    assert all("/meeting/council/" in m for m in meetings)
    body = Client().get(f"/oparl/v1/organization/advisory/{tree.advisory_body.pk}").json()
    meetings = _ids(body["meeting"].removeprefix("http://testserver"))
    assert len(meetings) == 3 and all("/meeting/advisory/" in m for m in meetings)
