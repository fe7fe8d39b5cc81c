"""Tifinagh (Neo-Tifinagh, as IRCAM standardised it) in Latin letters, for search.

Commune names are stored in Arabic and French only. A citizen who types a name in
Tifinagh ("ⵜⵉⵣⵏⵉⵜ") must still find the commune ("Tiznit"), so that:

- `to_latin()` is IRCAM's official transliteration (ⵛ c, ⵅ x, ⵖ γ, ⵄ ε, ⵓ u, emphatics
  with a dot below: ⴹ ḍ, ⵕ ṛ, ⵚ ṣ, ⵟ ṭ, ⵥ ẓ; ⵯ ʷ), for display and documentation;
- `fold_letters()` is what `infitah.lib.text.fold` applies: IRCAM's values, except the
  letters that French place names spell otherwise, written as French writes them (ⵛ ch,
  ⵅ kh, ⵖ gh, ⵓ ou; ⵄ and the labialisation mark ⵯ dropped), so that a folded Tifinagh
  word meets the folded French name ("ⵜⴰⵔⵓⴷⴰⵏⵜ" → "taroudant");
- `loose_key()` reduces a folded Latin name to a key where the two spellings meet in
  spite of what Tifinagh does not write and French does: the schwa ("ⵎⵍⵍⵓⵍ" is
  "Melloul"), doubled letters, ou/w and i/y, o for u, gu/qu before e and i.
  `CollectivityQuerySet.matching` compares these keys when a query holds Tifinagh.
"""

from __future__ import annotations

import re
from functools import lru_cache

# U+2D30–U+2D7F, the Tifinagh block (IRCAM's letters and others of the Tuareg scripts).
TIFINAGH = re.compile("[\u2d30-\u2d7f]")

# IRCAM's official transliteration table (Tifinagh-IRCAM → Latin): its 33 letters, ⴳⵯ
# and ⴽⵯ being ⴳ and ⴽ with the labialisation mark ⵯ (gʷ, kʷ).
IRCAM_LATIN: dict[str, str] = {
    "ⴰ": "a",
    "ⴱ": "b",
    "ⵛ": "c",
    "ⴷ": "d",
    "ⴹ": "ḍ",
    "ⴻ": "e",
    "ⴼ": "f",
    "ⴳ": "g",
    "ⵀ": "h",
    "ⵃ": "ḥ",
    "ⵄ": "ε",
    "ⵅ": "x",
    "ⵇ": "q",
    "ⵉ": "i",
    "ⵊ": "j",
    "ⴽ": "k",
    "ⵍ": "l",
    "ⵎ": "m",
    "ⵏ": "n",
    "ⵓ": "u",
    "ⵔ": "r",
    "ⵕ": "ṛ",
    "ⵖ": "γ",
    "ⵙ": "s",
    "ⵚ": "ṣ",
    "ⵜ": "t",
    "ⵟ": "ṭ",
    "ⵡ": "w",
    "ⵢ": "y",
    "ⵣ": "z",
    "ⵥ": "ẓ",
    "ⵯ": "ʷ",
}

# What French place names write for the letters whose IRCAM value they spell otherwise.
_FRENCH_SPELLING = {"ⵛ": "ch", "ⵅ": "kh", "ⵖ": "gh", "ⵓ": "ou", "ⵄ": "", "ⵯ": ""}

_TO_LATIN = str.maketrans(IRCAM_LATIN)
_FOLD = str.maketrans({**IRCAM_LATIN, **_FRENCH_SPELLING})

# Applied in order to a folded (lower-case, unaccented) Latin name: French "gu"/"qu"
# before e and i is a plain g/k; then the digraphs; then the single letters.
_GU_QU = re.compile(r"([gq])u(?=[eiy])")
_DIGRAPHS = (("ou", "u"), ("ch", "c"), ("sh", "c"), ("kh", "x"), ("gh", "γ"), ("dj", "j"))
_SINGLES = str.maketrans({"o": "u", "w": "u", "y": "i", "q": "k", "e": None, "ε": None})
_DOUBLED = re.compile(r"(.)\1+")


def has_tifinagh(text: str) -> bool:
    """Whether `text` holds a Tifinagh letter."""
    return TIFINAGH.search(text) is not None


def to_latin(text: str) -> str:
    """`text` with its Tifinagh letters in IRCAM's Latin transliteration."""
    return text.translate(_TO_LATIN)


def fold_letters(text: str) -> str:
    """`text` with its Tifinagh letters as `fold` writes them (see the module docstring)."""
    return text.translate(_FOLD)


@lru_cache(maxsize=8192)
def loose_key(folded: str) -> str:
    """The key of a folded Latin word or name where French and Tifinagh spellings meet:
    "ait melloul" and "ayt mlloul" (from ⴰⵢⵜ ⵎⵍⵍⵓⵍ) both give "ait mlul"."""
    text = _GU_QU.sub(r"\1", folded)
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    text = text.translate(_SINGLES)
    return _DOUBLED.sub(r"\1", text)
