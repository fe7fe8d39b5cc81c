"""The whole OParl API, walked from the System: every object valid against the OParl
1.1.1 schemas, every URL answering, nothing unpublished shown."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.oparl import views
from infitah.oparl.tests.walk import BASE, TYPES, OParlSchemas, walk
from infitah.oparl.tests.world import Tree
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("page_size", [3, views.PAGE_SIZE])
def test_the_whole_tree_walks_and_validates(
    schemas: OParlSchemas,
    tree: Tree,
    other: Collectivity,
    page_size: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With 3 objects a page, every list has several pages: `next` is followed to the end."""
    monkeypatch.setattr(views, "PAGE_SIZE", page_size)
    seen = walk(schemas)
    assert not seen.errors, "\n".join(seen.errors[:50])
    assert seen.types() == TYPES
    if page_size == 3:
        assert seen.list_pages > 40
    ids = set(seen.objects)
    for path in tree.hidden:
        assert BASE + path not in ids, path
    deleted = {o["id"] for o in seen.objects.values() if o.get("deleted")}
    for path in [
        f"meeting/council/{tree.deleted_session.pk}",
        f"paper/{tree.deleted_referral.pk}",
        f"meeting/advisory/{tree.deleted_body_meeting.pk}",
        f"agenda-item/{tree.deleted_item.pk}",
    ]:
        assert BASE + path in deleted, path
    # both councils are bodies; B's lists hold none of A's objects
    bodies = [o["id"] for o in seen.of_type("Body")]
    assert bodies == [BASE + f"body/{tree.collectivity.slug}", BASE + f"body/{other.slug}"]
    # every file can be downloaded
    client = Client()
    assert seen.downloads
    for url in seen.downloads:
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url
        assert response.getvalue().startswith(b"%PDF")


def test_every_object_type_and_kind_is_reached(schemas: OParlSchemas, tree: Tree) -> None:
    seen = walk(schemas)
    assert not seen.errors, "\n".join(seen.errors[:50])
    prefixes = {url.removeprefix(BASE).rsplit("/", 1)[0] for url in seen.objects}
    assert {
        "organization/council",
        "organization/committee",
        "organization/advisory",
        "person/member",
        "person/advisory",
        "membership/council",
        "membership/committee",
        "membership/advisory",
        "meeting/council",
        "meeting/advisory",
        "file/council",
        "file/advisory",
        "file/minutes",
        "location/council",
        "location/advisory",
        "consultation/council",
        "consultation/advisory",
        "legislative-term",
        "agenda-item",
        "paper",
    } <= prefixes


def test_public_objects_link_their_public_page(
    schemas: OParlSchemas, tree: Tree, other: Collectivity
) -> None:
    """`web`: the Arabic public page of each public meeting, agenda item, person, paper
    and organization of a network member answers 200; a collectivity that is not a
    member has no public pages, so its objects have no `web`."""
    seen = walk(schemas)
    assert not seen.errors, "\n".join(seen.errors[:50])
    site = "http://testserver/ar/"
    own = f"{site}c/{tree.collectivity.slug}/"
    expected = {
        f"meeting/council/{tree.held.pk}": f"{own}council/sessions/{tree.held.pk}/",
        f"agenda-item/{tree.adopted_item.pk}": (
            f"{own}council/sessions/{tree.held.pk}/#item-{tree.adopted_item.pk}"
        ),
        f"person/member/{tree.members[0].pk}": f"{own}council/members/{tree.members[0].pk}/",
        f"organization/council/{tree.collectivity.slug}": f"{own}council/",
        f"organization/advisory/{tree.advisory_body.pk}": (
            f"{own}advisory/bodies/{tree.advisory_body.pk}/"
        ),
    }
    for path, web in expected.items():
        assert seen.objects[BASE + path].get("web") == web, path
    papers = [o for o in seen.of_type("Paper") if not o.get("deleted")]
    assert papers and all(o["web"].startswith(f"{own}advisory/referrals/") for o in papers)
    client = Client()
    checked = 0
    for obj in seen.objects.values():
        link = obj.get("web")
        if obj.get("deleted") or not link or obj["type"].endswith(("/System", "/Body")):
            continue
        assert link.startswith(own), (obj["id"], link)
        response = client.get(link.removeprefix("http://testserver").split("#", 1)[0])
        assert response.status_code == 200, (obj["id"], link, response.status_code)
        checked += 1
    assert checked >= len(expected) + len(papers)
    # Not a network member: no council or advisory page to link to (its Body links to
    # the collectivity's page, which every collectivity has).
    theirs = [
        o
        for o in seen.objects.values()
        if f"/c/{other.slug}/" in o.get("web", "") and not o["type"].endswith("/Body")
    ]
    assert not theirs
    council_b = seen.objects[BASE + f"organization/council/{other.slug}"]
    assert "web" not in council_b
