"""Tifinagh in search: IRCAM's transliteration, folding, and commune names typed in
Tifinagh finding the commune among HCP's 1,503 (`hcp_load`)."""

from __future__ import annotations

import pytest

from infitah.lib.text import fold
from infitah.lib.tifinagh import IRCAM_LATIN, has_tifinagh, loose_key, to_latin
from infitah.search.analyzer import analyze, analyze_query
from infitah.territories.hcp import hcp_load
from infitah.territories.models import Collectivity, Kind


def test_ircam_table_covers_the_33_letters() -> None:
    # 33 letters: 31 code points, and ⴳⵯ ⴽⵯ written with the labialisation mark ⵯ.
    assert len(IRCAM_LATIN) == 32
    assert to_latin("ⴰⵎⴰⵣⵉⵖ") == "amaziγ"
    assert to_latin("ⵜⴰⵎⴰⵣⵉⵖⵜ ⵏ ⵓⵎⵔⵔⵓⴽ") == "tamaziγt n umrruk"
    assert to_latin("ⴰⵥⵕⵓ ⵚⵟⵟⴹ ⵃⵄⵅ ⵛⵇ ⴳⵯ") == "aẓṛu ṣṭṭḍ ḥεx cq gʷ"


def test_fold_writes_tifinagh_as_french_spells_place_names() -> None:
    assert fold("ⴰⴳⴰⴷⵉⵔ") == "agadir"
    assert fold("ⵜⵉⵣⵏⵉⵜ") == "tiznit"
    assert fold("ⵜⴰⵔⵓⴷⴰⵏⵜ") == "taroudant"
    assert fold("ⵜⵉⵏⵖⵉⵔ") == "tinghir"
    assert fold("ⵛⴼⵛⴰⵡⵏ") == "chfchawn"
    # Latin and Arabic are folded as before.
    assert fold("Béni Mellal-Khénifra") == "beni mellal khenifra"
    assert fold("بني ملال") == "بني ملال"
    assert not has_tifinagh("Agadir أكادير")


def test_loose_keys_meet_across_spellings() -> None:
    pairs = [
        ("ⴰⵢⵜ ⵎⵍⵍⵓⵍ", "Ait Melloul"),  # HCP's spelling
        ("ⵡⴰⵔⵣⴰⵣⴰⵜ", "Ouarzazate"),
        ("ⴳⵍⵎⵉⵎ", "Guelmim"),
        ("ⴼⵉⴳⵉⴳ", "Figuig"),
        ("ⵅⵏⵉⴼⵔⴰ", "Khénifra"),
        ("ⵣⴰⴳⵓⵔⴰ", "Zagora"),
    ]
    for tifinagh, french in pairs:
        assert loose_key(fold(tifinagh)) == loose_key(fold(french)), (tifinagh, french)


def test_search_analysis_folds_tifinagh_queries_like_the_index() -> None:
    """A document that names Tiznit in Latin letters is found from "ⵜⵉⵣⵏⵉⵜ"."""
    assert set(analyze_query("ⵜⵉⵣⵏⵉⵜ")) <= set(analyze("Budget de la commune de Tiznit"))


@pytest.mark.django_db
def test_commune_names_typed_in_tifinagh_find_the_hcp_communes() -> None:
    hcp_load()
    communes = Collectivity.objects.filter(kind=Kind.COMMUNE)
    for typed, expected in (
        ("ⴰⴳⴰⴷⵉⵔ", "Agadir"),
        ("ⵜⵉⵣⵏⵉⵜ", "Tiznit"),
        ("ⵜⴰⵔⵓⴷⴰⵏⵜ", "Taroudannt"),  # HCP's spelling
        ("ⵡⴰⵔⵣⴰⵣⴰⵜ", "Ouarzazate"),
        ("ⵜⵉⵏⵖⵉⵔ", "Tinghir"),
        ("ⴰⵢⵜ ⵎⵍⵍⵓⵍ", "Ait Melloul"),  # HCP's spelling
        ("ⵣⴰⴳⵓⵔⴰ", "Zagora"),
    ):
        names = set(communes.matching(typed).values_list("name_fr", flat=True))
        assert expected in names, (typed, sorted(names)[:10])
        assert len(names) < 10, (typed, names)
    assert not communes.matching("ⵣⵓⵅⵅⵓⵣ").exists()
    # Latin and Arabic queries still go through the stored folded names.
    assert "Tiznit" in set(communes.matching("tiznit").values_list("name_fr", flat=True))
