"""The one text analyzer of full-text search, shared by both database backends.

Pure Python, no Django: the index stores what `analyze()` returns (tokens joined by
spaces) and a query is what `analyze_query()` returns, so that PostgreSQL ('simple'
configuration) and SQLite (FTS5, unicode61) only split on spaces and compare strings.

Pipeline, per word:

1. `infitah.lib.text.fold`: NFKC (Arabic presentation forms), Arabic diacritics and
   tatweel removed, hamza forms of alef unified, ى → ي, ة → ه, Arabic-Indic digits to
   ASCII, French accents removed, case folded, split on anything that is not a letter or
   a digit (so "l'information" gives "l" and "information");
2. one-letter words and stopwords (Arabic and French, in folded spelling) are dropped;
3. light stemming by script. French (Latin letters): a final plural s is dropped (Snowball
   keeps it after u: "élus"), then the Snowball French stemmer.
   Arabic: a light stemmer after Larkey's *Light10* (strip و, the article ال and its
   bound forms بال كال فال لل, then the suffixes ها ان ات ون ين يه ه ي once each, never
   below two letters). Snowball's Arabic stemmer was tried first and rejected: on folded
   text it is not stable across the forms that must meet (شكايه → شكا but الشكايه →
   شكايه; جهه → جهه but الجهات → الجه), whereas Light10 maps شكاية, الشكاية, شكايات and
   الشكايات all to شكا.
4. Index side only: an Arabic word of 4+ letters starting with a bound preposition
   (ب ل ك ف) is indexed twice, as itself and without that letter, so that "جماعة" finds
   "بجماعة" while "برنامج" still finds "برنامج" (queries are never expanded).

Hostile input is capped: at most `MAX_INDEX_CHARS` characters and `MAX_INDEX_TOKENS`
tokens are indexed, at most `MAX_QUERY_CHARS` characters and `MAX_QUERY_TOKENS` distinct
tokens make a query, and no token is longer than `MAX_TOKEN_LENGTH` (longer runs are
not words and are dropped).
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

from infitah.lib.text import fold

MAX_INDEX_CHARS = 2_000_000
MAX_INDEX_TOKENS = 50_000
MAX_QUERY_CHARS = 500
MAX_QUERY_TOKENS = 12
MAX_TOKEN_LENGTH = 40


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Folded spelling (إلى → الي, على → علي, ...).
ARABIC_STOPWORDS = _words(
    """
    في من علي الي عن مع ان او ثم قد لا لم لن ما ماذا هذا هذه ذلك تلك هو هي هم هن نحن
    انت انا التي الذي الذين اللتي اللذين اللواتي كل بعض بين حتي اذا كان كانت يكون تكون
    عند عندما لدي منذ حول دون غير ليس لكن بل كما مثل الا ايضا وقد ولا وفي ومن وعلي
    والي وهو وهي وان اي فيه فيها منه منها عليه عليها اليه به بها له لها لهم
    """
)
FRENCH_STOPWORDS = _words(
    """
    le la les de des du un une et en au aux pour par sur dans est sont que qui ou ne pas
    plus se ce ces cet cette son sa ses leur leurs il ils elle elles on nous vous je tu
    avec sans sous entre vers chez qu lui mais donc or ni car comme tout tous toute toutes
    """
)

_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile("[a-z\u00df-\u024f]")
_ARABIC_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_ARABIC_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_BOUND_PREPOSITIONS = ("ب", "ل", "ك", "ف")
_french = snowballstemmer.stemmer("french")


def stem_arabic(word: str) -> str:
    """Light10-style stem of a folded Arabic word (see the module docstring)."""
    if len(word) > 3 and word.startswith("و"):
        word = word[1:]
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


@lru_cache(maxsize=65_536)
def _stems(word: str, expand: bool) -> tuple[str, ...]:
    """The stems of one folded word: none (stopword, one letter, too long), one, or
    (index side, `expand`) two."""
    if len(word) < 2 or len(word) > MAX_TOKEN_LENGTH:
        return ()
    if word in ARABIC_STOPWORDS or word in FRENCH_STOPWORDS:
        return ()
    if _ARABIC_LETTER.match(word):
        stem = stem_arabic(word)
        if expand and len(word) >= 4 and word.startswith(_BOUND_PREPOSITIONS):
            bare = word[1:]
            if bare not in ARABIC_STOPWORDS:
                other = stem_arabic(bare)
                if other != stem:
                    return (stem, other)
        return (stem,)
    if _LATIN_LETTER.match(word):
        # Snowball keeps a plural s after u ("elus"); drop any final s first.
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        return (_french.stemWord(word),)
    return (word,)


def word_stems(word: str, *, expand: bool = True) -> tuple[str, ...]:
    """The stems one raw word gives (used to highlight the words a query matched)."""
    result: list[str] = []
    for folded in fold(word).split():
        result.extend(_stems(folded, expand))
    return tuple(result)


def analyze(text: str) -> list[str]:
    """The tokens to index for `text`, in order, capped (see the module docstring)."""
    tokens: list[str] = []
    for word in fold(text[:MAX_INDEX_CHARS]).split():
        tokens.extend(_stems(word, True))
        if len(tokens) >= MAX_INDEX_TOKENS:
            return tokens[:MAX_INDEX_TOKENS]
    return tokens


def analyze_query(text: str) -> list[str]:
    """The distinct tokens of a query, in order; every one must match (AND).

    An empty list means "nothing to search for" (empty, punctuation only, stopwords only).
    """
    tokens: list[str] = []
    for word in fold(text[:MAX_QUERY_CHARS]).split():
        for stem in _stems(word, False):
            if stem not in tokens:
                tokens.append(stem)
        if len(tokens) >= MAX_QUERY_TOKENS:
            break
    return tokens[:MAX_QUERY_TOKENS]
