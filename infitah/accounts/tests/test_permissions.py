"""Who may do what where, decided in accounts.permissions and enforced on staff URLs."""

import pytest

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from infitah.accounts.models import Role
from infitah.accounts.permissions import (
    ROLE_PERMISSIONS,
    NetworkPerm,
    Perm,
    has_network_perm,
    has_perm,
    permissions_in,
)


@pytest.mark.django_db
def test_every_role_has_a_permission_set() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Perm)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "perm", "expected"),
    [
        (Role.INFORMATION_OFFICER, Perm.INFORMATION_HANDLE, True),
        (Role.INFORMATION_OFFICER, Perm.COMPLAINTS_HANDLE, False),
        (Role.COMPLAINTS_OFFICER, Perm.COMPLAINTS_HANDLE, True),
        (Role.PETITIONS_BUREAU, Perm.PETITIONS_HANDLE, True),
        (Role.PUBLICATION_EDITOR, Perm.PUBLICATION_EDIT, True),
        (Role.PUBLICATION_EDITOR, Perm.MEMBERS_MANAGE, False),
        (Role.COUNCIL_MEMBER, Perm.COUNCIL_VOTE, True),
        (Role.COUNCIL_MEMBER, Perm.INBOX_VIEW, False),
        (Role.MONITOR, Perm.MONITOR_VIEW, True),
        (Role.MONITOR, Perm.PUBLICATION_EDIT, False),
    ],
)
def test_role_permissions(role, perm, expected, staff_for, collectivity_a) -> None:
    user = staff_for(role)
    assert has_perm(user, perm, collectivity_a) is expected


@pytest.mark.django_db
def test_a_role_in_one_collectivity_gives_nothing_in_another(
    staff_a, charlie, collectivity_a, collectivity_b, prefecture
) -> None:
    assert has_perm(staff_a, Perm.STAFF_ACCESS, collectivity_a)
    assert permissions_in(staff_a, collectivity_b) == frozenset()
    assert permissions_in(staff_a, prefecture) == frozenset()  # not inherited upwards
    assert permissions_in(charlie, collectivity_a) == frozenset()


@pytest.mark.django_db
def test_network_permissions(network_admin, staff_a, collectivity_a) -> None:
    assert has_network_perm(network_admin, NetworkPerm.CALENDAR_MANAGE)
    assert not has_network_perm(staff_a, NetworkPerm.CALENDAR_MANAGE)
    # The network role gives no access to a collectivity's cases.
    assert permissions_in(network_admin, collectivity_a) == frozenset()


def _staff_routes() -> list[str]:
    """Every URL pattern under /<lang>/staff/<slug>/, with placeholders for other parts."""
    routes: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                routes.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    # The pages (the staff API authenticates with tokens: tested in each app's test_api).
    return [r for r in routes if "staff/" in r and not r.startswith("api/")]


def _fill(route: str, slug: str) -> str:
    import re

    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"<slug:slug>", slug, route)
    route = re.sub(r"<int:[a-z_]+>", "1", route)
    route = re.sub(r"<[a-z]+:[a-z_]+>|<[a-z_]+>", "x", route)
    route = re.sub(r"^[a-z]{2}/", "fr/", route)  # the language prefix (i18n_patterns)
    return "/" + route.lstrip("/")


@pytest.mark.django_db
def test_every_staff_url_is_404_for_another_collectivitys_member(
    staff_a, charlie, citizen, network_admin, collectivity_a
) -> None:
    routes = _staff_routes()
    assert routes, "no staff URL found"
    for route in routes:
        url = _fill(route, collectivity_a.slug)
        assert url.startswith("/fr/staff/"), url
        for outsider in (charlie, citizen, network_admin):
            client = Client()
            client.force_login(outsider)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code == 404, (url, outsider, method, response.status_code)


@pytest.mark.django_db
def test_staff_home_for_members_and_anonymous(staff_a, collectivity_a) -> None:
    anonymous = Client().get("/fr/staff/commune-a/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client = Client()
    client.force_login(staff_a)
    response = client.get("/fr/staff/commune-a/")
    assert response.status_code == 200
    assert "Inbox" in response.content.decode() or "Boîte" in response.content.decode()
