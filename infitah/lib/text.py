"""Spelling-insensitive folding of Arabic and French text.

`fold()` maps the many spellings of one word to one key, so that a search for
"بنى ملال", "Beni Mellal" or "béni-mellal" meets "Béni Mellal-Khénifra":

- Unicode NFKC, which also turns Arabic presentation forms (U+FB50–U+FEFF, common in
  text extracted from PDFs) into ordinary letters;
- Arabic: diacritics (harakat, shadda, sukun, dagger alef) and tatweel removed; the hamza
  forms of alef (أ إ آ ٱ) become ا, ؤ becomes و, ئ becomes ي, a lone ء is dropped;
  alef maqsura ى becomes ي; taa marbuta ة becomes ه; Arabic-Indic and Persian digits
  become ASCII digits;
- Latin: accents removed (NFD, combining marks dropped), case folded;
- Tifinagh: letters in Latin (IRCAM's transliteration, as French spells place names:
  "ⵜⴰⵔⵓⴷⴰⵏⵜ" → "taroudant"; `infitah.lib.tifinagh`);
- every run of punctuation, hyphens or spaces becomes one space.
"""

from __future__ import annotations

import re
import unicodedata

from infitah.lib.tifinagh import fold_letters, has_tifinagh

_ARABIC_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ى": "ي",
        "ی": "ي",  # Persian yeh, frequent in pasted text
        "ک": "ك",  # Persian keheh
        "ة": "ه",
        "ء": None,
        "ـ": None,  # tatweel
        **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + i): str(i) for i in range(10)},  # Extended (Persian) digits
    }
)

# Harakat U+064B–U+065F, dagger alef U+0670, Quranic marks U+06D6–U+06ED.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Return the spelling-insensitive key of `text` (see the module docstring)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_MARKS.sub("", text)
    text = text.translate(_ARABIC_MAP)
    if has_tifinagh(text):
        text = fold_letters(text)
    decomposed = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    text = unicodedata.normalize("NFC", text).casefold()
    return _NON_WORD.sub(" ", text).strip()


def fold_tokens(text: str) -> list[str]:
    """The folded words of `text`, in order, without empties."""
    return [t for t in fold(text).split(" ") if t]


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: object) -> bool:
    """Whether a string of `value` (a JSON value: dicts and lists are searched) holds a
    lone surrogate ("\\ud800" in JSON): Python reads it, UTF-8 and PostgreSQL cannot
    store it."""
    if isinstance(value, str):
        return not value.isascii() and _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False
