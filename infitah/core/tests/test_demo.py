"""`manage.py demo`: the seed texts' collectivities, their staff, idempotent."""

from collections import Counter
from io import StringIO

import pytest

from django.core.management import CommandError, call_command

from infitah.accounts.backends import DEMO_PASSWORD
from infitah.accounts.models import Membership, NetworkRole, Role, User
from infitah.core.demo import demo_accounts
from infitah.ledger.models import Event
from infitah.territories.models import Collectivity, Kind


def _snapshot() -> tuple:
    return (
        list(
            Collectivity.objects.order_by("pk").values_list(
                "slug", "name_ar", "name_fr", "population", "is_network_member", "parent_id"
            )
        ),
        list(User.objects.order_by("pk").values_list("email", "network_role")),
        list(Membership.objects.order_by("pk").values_list("user_id", "collectivity_id", "role")),
        Event.objects.count(),
    )


@pytest.mark.django_db
def test_demo_loads_the_seed_collectivities_and_is_idempotent() -> None:
    call_command("demo", "--no-dataset")
    first = _snapshot()
    call_command("demo", "--no-dataset")
    assert _snapshot() == first

    members = set(Collectivity.objects.network_members().values_list("slug", flat=True))
    # The seed collectivities, among the network's composition of November 2024.
    assert {
        "beni-mellal-khenifra",
        "draa-tafilalet",
        "laayoune-sakia-el-hamra",
        "ait-melloul",
    } <= members
    kinds = Counter(Collectivity.objects.network_members().values_list("kind", flat=True))
    assert kinds[Kind.REGION] == 12 and kinds[Kind.COMMUNE] == 107
    assert kinds[Kind.PREFECTURE] + kinds[Kind.PROVINCE] == 7
    for slug in members:
        assert Collectivity.objects.get(slug=slug).population
    commune = Collectivity.objects.get(slug="ait-melloul")
    assert commune.kind == Kind.COMMUNE and commune.parent.slug == "inezgane-ait-melloul"
    assert set(
        Membership.objects.filter(collectivity=commune).values_list("role", flat=True)
    ) == set(Role.values)
    assert User.objects.filter(network_role=NetworkRole.NETWORK_ADMIN).count() == 1


@pytest.mark.django_db
def test_every_printed_demo_login_works() -> None:
    call_command("demo", "--no-dataset")
    for email, _description in demo_accounts():
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD), email


@pytest.mark.django_db
def test_demo_is_refused_in_production(settings) -> None:
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo", "--no-dataset")
    assert not Collectivity.objects.exists()


@pytest.mark.django_db
def test_demo_gives_the_whole_country_without_shared() -> None:
    call_command("demo", "--no-dataset")
    assert Collectivity.objects.filter(kind=Kind.COMMUNE).count() == 1503
    commune = Collectivity.objects.get(slug="ait-melloul")
    assert (commune.code, commune.population) == ("09.273.01.05", 210_870)


@pytest.mark.django_db
def test_demo_moves_a_database_of_the_old_dataset_onto_hcp_codes() -> None:
    from infitah.core.demo import crosswalk_path

    path = crosswalk_path()
    if path is None:
        pytest.skip("../shared/data/territories is not beside this checkout")
    call_command("import_territories", str(path.parent), stdout=StringIO())
    slug_of = dict(Collectivity.objects.values_list("pk", "slug"))
    call_command("demo")
    assert slug_of.items() <= dict(Collectivity.objects.values_list("pk", "slug")).items()
    communes = Collectivity.objects.filter(kind=Kind.COMMUNE)
    assert communes.exclude(code__startswith="COM_").count() == 1503
    assert Collectivity.objects.get(slug="ait-melloul").code == "09.273.01.05"
