import pytest

from django.test import Client

from infitah.lib.pagecache import bump


@pytest.mark.django_db
def test_anonymous_page_is_cached_and_invalidated_by_bump(region) -> None:
    client = Client()
    first = client.get("/fr/")
    assert first["X-Page-Cache"] == "miss"
    second = client.get("/fr/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    bump("territories")
    assert client.get("/fr/")["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_saving_a_collectivity_invalidates_pages(region) -> None:
    client = Client()
    client.get("/fr/")
    region.name_fr = "Souss-Massa renamed"
    region.save()
    response = client.get("/fr/")
    assert response["X-Page-Cache"] == "miss"
    assert "Souss-Massa renamed" in response.content.decode()


@pytest.mark.django_db
def test_signed_in_users_are_never_served_from_cache(region, citizen) -> None:
    client = Client()
    client.force_login(citizen)
    client.get("/fr/")
    assert "X-Page-Cache" not in client.get("/fr/")
