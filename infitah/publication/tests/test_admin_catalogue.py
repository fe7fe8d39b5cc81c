"""The network administrator keeps the catalogue of obligations in /django-admin/."""

import pytest

from django.test import Client

from infitah.accounts.models import User
from infitah.publication.models import Category


@pytest.mark.django_db
def test_network_admin_with_admin_site_access_edits_the_catalogue(network_admin: User) -> None:
    network_admin.is_staff = True
    network_admin.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(network_admin)
    index = client.get("/django-admin/")
    assert index.status_code == 200
    assert "/django-admin/publication/category/" in index.content.decode()
    listing = client.get("/django-admin/publication/category/")
    assert listing.status_code == 200
    # No other module: the account is not a superuser.
    assert "/django-admin/accounts/user/" not in index.content.decode()
    category = Category.objects.order_by("pk").first()
    if category is not None:
        assert (
            client.get(f"/django-admin/publication/category/{category.pk}/change/").status_code
            == 200
        )


@pytest.mark.django_db
def test_staff_of_a_collectivity_never_enters_the_admin(staff_a: User) -> None:
    client = Client()
    client.force_login(staff_a)
    assert client.get("/django-admin/publication/category/").status_code in (302, 403)
