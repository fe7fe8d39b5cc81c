"""The network's own space (Kind.NETWORK) is not a territory: never in the tree, the
lists, the search or the collectivities API; its home leads to the network's
participation page."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command
from django.test import Client

from infitah.territories import selectors
from infitah.territories.models import Collectivity
from infitah.territories.services import network_space

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(collectivity_a: Collectivity, collectivity_b: Collectivity) -> Collectivity:
    return network_space()


def test_network_space_is_created_once_and_is_no_member(space: Collectivity) -> None:
    assert network_space() == space
    assert space.is_network_space and not space.is_network_member
    assert space.has_public_space
    assert space not in Collectivity.objects.network_members()
    assert space not in Collectivity.objects.territorial()


def test_the_tree_leaves_it_out(space: Collectivity, region: Collectivity) -> None:
    tree = selectors.region_tree()
    slugs = {n.region.slug for n in tree}
    slugs |= {row.slug for n in tree for row in [*n.divisions, *n.members]}
    assert slugs == {"souss-massa-test", "inezgane-test", "commune-a"}


def test_lists_and_search_leave_it_out(space: Collectivity) -> None:
    assert space.slug not in {c.slug for c in selectors.collectivity_list()}
    assert not selectors.collectivity_list(kind="network").exists()
    for query in ("réseau", "network", "الشبكة"):
        assert space not in selectors.collectivity_search(query=query)


def test_the_home_page_search_does_not_find_it(space: Collectivity) -> None:
    page = Client().get("/fr/", {"q": "Réseau marocain"}).content.decode()
    assert f'href="/fr/c/{space.slug}/"' not in page


def test_the_api_leaves_it_out(space: Collectivity) -> None:
    client = Client()
    data = client.get("/api/v1/collectivities").json()
    assert data["count"] == 4
    assert space.slug not in {i["slug"] for i in data["items"]}
    assert client.get("/api/v1/collectivities", {"kind": "network"}).status_code == 400
    assert client.get("/api/v1/collectivities", {"q": "réseau"}).json()["count"] == 0
    assert client.get(f"/api/v1/collectivities/{space.slug}").status_code == 404
    assert client.get("/api/v1/collectivities", {"parent": space.slug}).status_code == 404


def test_its_home_leads_to_the_network_participation_page(space: Collectivity) -> None:
    response = Client().get(f"/ar/c/{space.slug}/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/network/participation/"


def test_an_import_works_while_the_network_space_exists(
    space: Collectivity, tmp_path: Path
) -> None:
    """The import reads every stored row by kind: the space must not trip it."""
    path = tmp_path / "territories.csv"
    path.write_text(
        "kind,code,name_ar,name_fr,parent_kind,parent_code,population,population_source,"
        "is_urban\ncommune,HCP-1,آيت ملول,Aït Melloul,prefecture,DIV_027,171847,test,1\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_territories", str(path), stdout=out)
    assert "Done." in out.getvalue()
    assert Collectivity.objects.filter(kind="commune", code="HCP-1").exists()
    assert Collectivity.objects.filter(kind="network").count() == 1


def test_an_import_refuses_a_network_row(space: Collectivity, tmp_path: Path) -> None:
    path = tmp_path / "territories.csv"
    path.write_text(
        "kind,code,name_ar,name_fr,parent_kind,parent_code,population,population_source,"
        "is_urban\nnetwork,N-1,شبكة,Réseau,,,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_territories", str(path), stdout=StringIO())
    assert "network" in str(caught.value)
    assert Collectivity.objects.filter(kind="network").count() == 1
