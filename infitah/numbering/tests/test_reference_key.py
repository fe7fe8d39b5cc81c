"""The collectivity's key in case references: set once, never moved by an import.

The complaint of issue #21: references of one commune changed shape in mid-year
(`ATI-2026-88-…`, then `ATI-2026-COM_0135-…`) when the territories import gave it a code.
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest

from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from infitah.complaints.models import Complaint
from infitah.complaints.services import ComplaintInput, complaint_submit
from infitah.information.models import InformationRequest, InformationSettings
from infitah.information.services import RequestInput, request_file
from infitah.numbering.services import reference_key, reference_make
from infitah.territories.models import Collectivity, Kind

pytestmark = pytest.mark.django_db

MIGRATION = import_module("infitah.territories.migrations.0004_fill_reference_key")


def _complaint(collectivity: Collectivity) -> Complaint:
    complaint, _token = complaint_submit(
        collectivity=collectivity,
        data=ComplaintInput(
            kind="complaint", description="Lampadaire éteint.", name="Amina", phone="0612345678"
        ),
    )
    return complaint


def _request(collectivity: Collectivity) -> InformationRequest:
    InformationSettings.objects.get_or_create(
        collectivity=collectivity, defaults={"cndp_authorisation": "D-123/2026"}
    )
    request, _token = request_file(
        collectivity=collectivity,
        data=RequestInput(
            requester_type="citizen",
            first_name="Amina",
            last_name="Idrissi",
            id_type="cin",
            id_number="AB123456",
            address="Aït Melloul",
            email="amina@example.test",
            subject="Budget",
            description="Le budget 2026.",
            delivery="email",
        ),
    )
    return request


def _key(reference: str) -> str:
    """The key of one of our references (between the year and the number)."""
    return reference.split("-", 2)[2].rsplit("-", 1)[0]


def _import_csv(tmp_path: Path, body: str) -> str:
    path = tmp_path / "territories.csv"
    path.write_text(
        "kind,code,name_ar,name_fr,parent_kind,parent_code,population,population_source,"
        "is_urban\n" + body,
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_territories", str(path), stdout=out)
    return out.getvalue()


def test_an_import_that_gives_the_commune_a_code_does_not_move_its_key(collectivity_a, tmp_path):
    first = _complaint(collectivity_a)
    assert collectivity_a.code == ""
    assert _key(first.reference) == "COMMUNE-A"

    # The import adopts the uncoded commune (same parent, same name) and gives it a code.
    _import_csv(tmp_path, "commune,HCP-9,أيت ملول,Aït Melloul,prefecture,inezgane-test,,,\n")
    collectivity_a.refresh_from_db()
    assert collectivity_a.code == "HCP-9"

    second = _complaint(collectivity_a)
    request = _request(collectivity_a)
    assert second.reference == f"CMP-{timezone.localdate().year}-COMMUNE-A-000002"
    assert _key(request.reference) == "COMMUNE-A"
    assert Collectivity.objects.get(pk=collectivity_a.pk).reference_key == "COMMUNE-A"


def test_a_code_changed_by_an_update_does_not_move_the_key(collectivity_a):
    Collectivity.objects.filter(pk=collectivity_a.pk).update(code="COM_0135")
    collectivity_a.refresh_from_db()
    first = _request(collectivity_a)
    assert _key(first.reference) == "COM_0135"

    Collectivity.objects.filter(pk=collectivity_a.pk).update(code="07.211.07.03")
    collectivity_a.refresh_from_db()
    assert _key(_request(collectivity_a).reference) == "COM_0135"
    assert _key(_complaint(collectivity_a).reference) == "COM_0135"


def test_a_row_read_before_the_key_was_set_does_not_erase_it_when_saved(collectivity_a):
    """An import reads every row, then saves the ones it changes: meanwhile a first
    reference may have set the key, which the old copy must not write back as empty."""
    held = Collectivity.objects.get(pk=collectivity_a.pk)
    assert held.reference_key == ""
    _complaint(collectivity_a)

    held.code = "HCP-1"
    held.population = 5
    held.save()

    stored = Collectivity.objects.get(pk=collectivity_a.pk)
    assert (stored.reference_key, stored.code, stored.population) == ("COMMUNE-A", "HCP-1", 5)


def test_a_stale_copy_reads_the_key_set_by_another(collectivity_a):
    """Two first references at once: the second uses the key the first wrote, even if the
    code changed in between."""
    other = Collectivity.objects.get(pk=collectivity_a.pk)
    assert reference_key(collectivity_a) == "COMMUNE-A"
    Collectivity.objects.filter(pk=collectivity_a.pk).update(code="HCP-1")

    assert other.reference_key == ""
    assert reference_key(other) == "COMMUNE-A"
    assert other.reference_key == "COMMUNE-A"


def test_the_first_key_is_the_code_else_the_slug_upper_cased(region, collectivity_a):
    assert reference_key(region) == "R-TEST"
    assert reference_key(collectivity_a) == "COMMUNE-A"
    with transaction.atomic():
        assert (
            reference_make("PET", collectivity=collectivity_a, year=2026, number=7)
            == "PET-2026-COMMUNE-A-000007"
        )


def test_a_key_taken_by_another_collectivity_gets_the_id(prefecture):
    first = Collectivity.objects.create(
        kind=Kind.COMMUNE, slug="x-1", name_ar="س", name_fr="X", parent=prefecture, code="X"
    )
    # Codes are unique per kind only: a province may hold the same one.
    second = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="x-2",
        name_ar="س",
        name_fr="X",
        parent=prefecture.region,
        code="X",
    )
    assert reference_key(first) == "X"
    assert reference_key(second) == f"X-{second.pk}"


def test_a_long_or_odd_slug_makes_a_key_that_fits(prefecture):
    row = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="sidi-abdallah-ou-belaid-el-mouaden-ait-ouallal-tafraout",
        name_ar="س",
        name_fr="X",
        parent=prefecture,
        code="A/B C",
    )
    assert reference_key(row) == "A-B-C"
    row2 = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="sidi-abdallah-ou-belaid-el-mouaden-ait-ouallal-tafraout-2",
        name_ar="س",
        name_fr="Y",
        parent=prefecture,
    )
    key = reference_key(row2)
    assert key == "SIDI-ABDALLAH-OU-BELAID-EL-MOUADEN-AIT-O"
    assert len(f"ATI-2026-{key}-000001") <= 64


# ------------------------------------------------------------------ the migration


@pytest.mark.parametrize(
    ("reference", "key"),
    [
        ("ATI-2026-COM_0135-000123", "COM_0135"),
        ("ATI-2026-88-000001", "88"),
        ("CMP-2025-AIT-MELLOUL-000004", "AIT-MELLOUL"),
        ("PET-2026-07.211.07.03-000009", "07.211.07.03"),
        ("CMP-2026-R-TEST-1", "R-TEST"),
        ("ATI-2026-000001", None),
        ("REF-2026-3", None),
        ("SES-2026-3", None),
        ("ATI-26-X-000001", None),
        ("", None),
    ],
)
def test_the_migration_parses_the_key_out_of_a_reference(reference, key):
    assert MIGRATION.key_of_reference(reference) == key


def test_the_migration_keeps_the_key_of_the_latest_reference(
    region, collectivity_a, collectivity_b
):
    older, newer = _complaint(collectivity_a), _complaint(collectivity_a)
    request = _request(collectivity_a)
    # As before the field existed: the keys came from `code or pk` when they were given.
    Complaint.objects.filter(pk=older.pk).update(
        reference="CMP-2026-88-000001", submitted_at=timezone.now() - timedelta(days=9)
    )
    Complaint.objects.filter(pk=newer.pk).update(
        reference="CMP-2026-COM_0135-000002",
        submitted_at=timezone.now() - timedelta(days=2),
    )
    InformationRequest.objects.filter(pk=request.pk).update(
        reference="ATI-2026-88-000001", submitted_at=timezone.now() - timedelta(days=5)
    )
    Collectivity.objects.update(reference_key="")
    Collectivity.objects.filter(pk=collectivity_a.pk).update(code="HCP-1")

    MIGRATION.fill(django_apps, None)

    keys = dict(Collectivity.objects.values_list("slug", "reference_key"))
    assert keys[collectivity_a.slug] == "COM_0135"  # the latest reference's, not the code
    assert keys[collectivity_b.slug] == "COMMUNE-B"  # none issued, no code: the slug
    assert keys[region.slug] == "R-TEST"  # none issued: the code
    assert len(set(keys.values())) == len(keys)


def test_the_migration_never_gives_one_key_twice(region, collectivity_a, collectivity_b):
    _complaint(collectivity_a)
    Complaint.objects.filter(collectivity=collectivity_a).update(reference="CMP-2026-R-TEST-000001")
    Collectivity.objects.update(reference_key="")

    MIGRATION.fill(django_apps, None)

    assert Collectivity.objects.get(pk=collectivity_a.pk).reference_key == "R-TEST"
    assert Collectivity.objects.get(pk=region.pk).reference_key == f"R-TEST-{region.pk}"
