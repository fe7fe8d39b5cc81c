"""Every page leads to search and to the publication register; the network administrator's
workspace links every network tool that exists (the integrity settings were reachable
only by typing their address)."""

from __future__ import annotations

import pytest

from django.test import Client

from infitah.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_main_menu_links_search_and_the_register(client: Client, lang: str) -> None:
    html = client.get(f"/{lang}/").content.decode()
    menu = html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    assert f'href="/{lang}/search/"' in menu
    assert f'href="/{lang}/register/"' in menu
    for path in (f"/{lang}/search/", f"/{lang}/register/"):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_network_workspace_links_the_integrity_settings(network_admin: User, lang: str) -> None:
    client = Client()
    client.force_login(network_admin)
    html = client.get(f"/{lang}/accounts/").content.decode()
    url = f"/{lang}/petitions/integrity/settings/"
    assert f'href="{url}"' in html
    assert client.get(url).status_code == 200
