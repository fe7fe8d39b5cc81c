"""The public members list (filters, counts, composition over time, suspended members, a
fixed number of queries), the charter page, a collectivity's membership panel, and the
API's members endpoint."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from infitah.accounts.models import User
from infitah.network import membership_selectors as selectors
from infitah.network import membership_services as services
from infitah.network.models import ChangeKind, Charter, Member, MemberChange, MemberStatus
from infitah.network.tests import test_membership_world as world
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def charter(db: None) -> Charter:
    return world.charter_create()


URL = "/fr/network/members/"
API = "/api/v1/network/members"


def _member(
    c: Collectivity,
    joined: dt.date,
    *,
    status: str = MemberStatus.ACTIVE,
    left: dt.date | None = None,
    **contact: str,
) -> Member:
    Collectivity.objects.filter(pk=c.pk).update(
        is_network_member=status != MemberStatus.LEFT, joined_network_on=joined
    )
    member = Member.objects.create(collectivity=c, status=status, joined_on=joined, **contact)
    MemberChange.objects.create(collectivity=c, kind=ChangeKind.JOINED, on=joined)
    if left is not None:
        MemberChange.objects.create(collectivity=c, kind=ChangeKind.LEFT, on=left)
    return member


@pytest.fixture
def members_world(
    region: Collectivity, prefecture: Collectivity, collectivity_a: Collectivity
) -> Any:
    """Souss-Massa (joined 2022), its prefecture (2024), commune A (flag only, no record,
    no date), a suspended commune, a commune that left in 2023; and a second region with
    one member commune."""
    other = Collectivity.objects.create(
        kind=Kind.REGION, slug="oriental-test", name_ar="الشرق", name_fr="Oriental", code="R-O"
    )
    province = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="oujda-test",
        name_ar="وجدة",
        name_fr="Oujda-Angad",
        parent=other,
        region=other,
    )

    def commune(slug: str, parent: Collectivity) -> Collectivity:
        return Collectivity.objects.create(
            kind=Kind.COMMUNE,
            slug=slug,
            name_ar=slug,
            name_fr=slug.title(),
            parent=parent,
            region=parent.region,
        )

    _member(region, dt.date(2022, 10, 21))
    _member(prefecture, dt.date(2024, 5, 2))
    _member(commune("suspended", prefecture), dt.date(2022, 10, 21), status=MemberStatus.SUSPENDED)
    _member(
        commune("gone", prefecture),
        dt.date(2022, 10, 21),
        status=MemberStatus.LEFT,
        left=dt.date(2023, 6, 1),
    )
    _member(
        commune("oujda", province),
        dt.date(2023, 3, 3),
        focal_point_name="Focal",
        focal_point_public_email="focal@oujda.ma",
    )
    return other


def test_the_list_counts_and_marks(members_world: Collectivity) -> None:
    response = Client().get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Le réseau compte 5 membres." in html or "5 members" in html
    for slug in ("souss-massa-test", "inezgane-test", "commune-a", "suspended", "oujda"):
        assert f"/fr/c/{slug}/" in html
    assert "/fr/c/gone/" not in html
    assert html.count("data-suspended") == 1
    counts = {c.key: c.count for c in response.context["by_group"]}
    assert counts == {"regions": 1, "provincial": 1, "communes": 3}
    by_region = {c.key: c.count for c in response.context["by_region"]}
    assert by_region == {"souss-massa-test": 4, "oriental-test": 1}
    assert "<svg" in html and 'id="composition-table"' in html
    assert "<script" not in html and "style=" not in html


def test_filters(members_world: Collectivity) -> None:
    rows = Client().get(URL, {"kind": "commune", "region": "oriental-test"}).context["rows"]
    assert [r.collectivity.slug for r in rows] == ["oujda"]
    rows = Client().get(URL, {"region": "souss-massa-test"}).context["rows"]
    assert {r.collectivity.slug for r in rows} == {
        "souss-massa-test",
        "inezgane-test",
        "commune-a",
        "suspended",
    }
    response = Client().get(URL, {"kind": "planet", "region": "atlantis"})
    assert response.status_code == 200
    assert response.context["ignored"] == ["kind", "region"]
    assert len(response.context["rows"]) == 5


def test_composition_over_time(members_world: Collectivity) -> None:
    points = selectors.composition(today=dt.date(2025, 2, 1))
    table = [(p.on, p.regions, p.provincial, p.communes, p.is_today) for p in points]
    # 2022: the region, the suspended commune and the one that left later, plus commune
    # A (flag only: counted on the network's first day).
    assert table == [
        (dt.date(2022, 12, 31), 1, 0, 3, False),
        (dt.date(2023, 12, 31), 1, 0, 3, False),  # "gone" left, Oujda joined
        (dt.date(2024, 12, 31), 1, 1, 3, False),
        (dt.date(2025, 2, 1), 1, 1, 3, True),
    ]
    assert points[-1].total == len(selectors.member_rows())


def test_an_empty_network(db: None) -> None:
    response = Client().get(URL)
    assert response.status_code == 200
    assert selectors.composition() == []
    assert '<svg class="composition-chart"' not in response.content.decode()


def _queries(url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url, HTTP_CACHE_CONTROL="no-cache").status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries(
    members_world: Collectivity, settings: Any
) -> None:
    settings.INFITAH_PAGE_CACHE_SECONDS = 0
    few = _queries(URL), _queries(API)
    prefecture = Collectivity.objects.get(slug="inezgane-test")
    for i in range(40):
        c = Collectivity.objects.create(
            kind=Kind.COMMUNE,
            slug=f"m{i}",
            name_ar=f"م{i}",
            name_fr=f"M{i}",
            parent=prefecture,
            region=prefecture.region,
        )
        _member(c, dt.date(2023, 1, 1) + dt.timedelta(days=i * 20))
    assert (_queries(URL), _queries(API)) == few


def test_the_page_is_cached_and_made_stale_by_a_change(
    members_world: Collectivity, network_admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    assert Client().get(URL)["X-Page-Cache"] == "miss"
    assert Client().get(URL)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        services.member_suspend(
            actor=network_admin,
            collectivity=Collectivity.objects.get(slug="oujda"),
            on=timezone.localdate(),
        )
    response = Client().get(URL)
    assert response["X-Page-Cache"] == "miss"
    assert response.content.decode().count("data-suspended") == 2


def test_network_admins_see_a_manage_link(members_world: Collectivity, network_admin: User) -> None:
    client = Client()
    assert "/network/office/members/" not in client.get(URL).content.decode()
    client.force_login(network_admin)
    assert "/fr/network/office/members/oujda/" in client.get(URL).content.decode()


def test_charter_page(charter: Charter) -> None:
    html = Client().get("/fr/network/charter/").content.decode()
    assert "La charte" in html and "Le texte de la charte" in html
    assert "نص الميثاق" in Client().get("/ar/network/charter/").content.decode()


def test_charter_page_without_a_charter(db: None) -> None:
    response = Client().get("/fr/network/charter/")
    assert response.status_code == 200 and response.context["current"] is None


# --- The panel of a collectivity's page ---------------------------------------------------


def test_member_panel(members_world: Collectivity, collectivity_b: Collectivity) -> None:
    oujda = Collectivity.objects.get(slug="oujda")
    with CaptureQueriesContext(connection) as ctx:
        panel = selectors.member_panel(oujda)
    assert len(ctx.captured_queries) == 2
    assert panel is not None and panel.is_member and panel.joined_on == dt.date(2023, 3, 3)
    with translation.override("fr"):
        html = render_to_string("network/membership/_member_panel.html", {"member_panel": panel})
    assert 'href="mailto:focal@oujda.ma"' in html and "3 mars 2023" in html
    # A member by flag only, a suspended one, a former one, never a member.
    a = selectors.member_panel(Collectivity.objects.get(slug="commune-a"))
    assert a is not None and a.member is None and a.history == [] and a.contact is None
    suspended = selectors.member_panel(Collectivity.objects.get(slug="suspended"))
    assert suspended is not None and suspended.is_suspended
    gone = selectors.member_panel(Collectivity.objects.get(slug="gone"))
    assert gone is not None and gone.has_left
    assert [c.kind for c in gone.history] == ["joined", "left"]
    with translation.override("fr"):
        html = render_to_string("network/membership/_member_panel.html", {"member_panel": gone})
    assert "Member since" not in html and "Membre depuis" not in html
    assert selectors.member_panel(collectivity_b) is None
    assert render_to_string("network/membership/_member_panel.html", {}).strip() == ""


# --- API -------------------------------------------------------------------------------------


def test_api_lists_members_with_their_public_contact_only(members_world: Collectivity) -> None:
    body = Client().get(API).json()
    assert set(body) == {"count", "items"} and body["count"] == 5
    items = {i["collectivity"]["slug"]: i for i in body["items"]}
    assert set(items) == {"souss-massa-test", "inezgane-test", "commune-a", "suspended", "oujda"}
    oujda = items["oujda"]
    assert set(oujda) == {
        "collectivity",
        "kind",
        "region",
        "joined_on",
        "focal_point_public_contact",
    }
    assert oujda["kind"] == "commune" and oujda["joined_on"] == "2023-03-03"
    assert oujda["region"] == {"slug": "oriental-test", "name_ar": "الشرق", "name_fr": "Oriental"}
    assert oujda["focal_point_public_contact"] == {
        "name": "Focal",
        "email": "focal@oujda.ma",
        "phone": "",
    }
    assert items["suspended"]["focal_point_public_contact"] is None
    assert items["souss-massa-test"]["region"]["slug"] == "souss-massa-test"
    assert items["commune-a"]["joined_on"] is None


def test_api_filters_and_pages(members_world: Collectivity) -> None:
    body = Client().get(API, {"kind": "commune", "region": "souss-massa-test"}).json()
    assert body["count"] == 2
    assert {i["collectivity"]["slug"] for i in body["items"]} == {"commune-a", "suspended"}
    body = Client().get(API, {"region": "souss-massa-test"}).json()
    assert body["count"] == 4
    page = Client().get(API, {"limit": 2, "offset": 1}).json()
    full = Client().get(API).json()
    assert page["count"] == 5 and page["items"] == full["items"][1:3]


@pytest.mark.parametrize(
    "params",
    [{"kind": "planet"}, {"region": "atlantis"}, {"limit": -1}, {"offset": "x"}],
)
def test_api_refuses_bad_filters(params: dict[str, Any], members_world: Collectivity) -> None:
    assert Client().get(API, params).status_code == 400


def test_api_never_shows_the_application_addresses(
    collectivity_b: Collectivity,
    charter: Charter,
    network_admin: User,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    application = world.submit(collectivity_b, charter, publish_email=False)
    services.application_accept(actor=network_admin, application=application)
    body = Client().get(API).content.decode()
    assert "focal@example.test" not in body and "applicant@example.test" not in body
    assert "admin@example.test" not in body


def test_api_schema_is_documented(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/network/members"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"kind", "region", "offset", "limit"} <= names
    member = schema["components"]["schemas"]["MemberOut"]
    assert member["additionalProperties"] is False
    assert set(member["properties"]) == {
        "collectivity",
        "kind",
        "region",
        "joined_on",
        "focal_point_public_contact",
    }
