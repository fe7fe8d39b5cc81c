"""Search-result snippets: a window of the stored text around the words a query matched.

Pure Python. The text is HTML-escaped here and only `<mark>` tags are added, so the
result is safe to insert in a page as is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from functools import lru_cache

from infitah.search.analyzer import word_stems

# Letters and digits plus the Arabic marks and tatweel that `fold` removes, so that a
# vocalised word stays one word.
_WORD = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+")
_SPACES = re.compile(r"\s+")
SCAN_CHARS = 100_000
WINDOW_WORDS = 30
LEAD_WORDS = 6
MAX_WINDOWS = 200  # windows tried when no window holds every query word


@lru_cache(maxsize=131_072)
def _stems_of(word: str) -> frozenset[str]:
    return frozenset(word_stems(word))


def _escape(text: str) -> str:
    return html.escape(_SPACES.sub(" ", text))


def snippet(text: str, stems: Collection[str], *, window: int = WINDOW_WORDS) -> str:
    """An escaped excerpt of about `window` words of `text` with the words whose stem is
    in `stems` wrapped in <mark>; the start of the text when nothing matches."""
    wanted = frozenset(stems)
    words = list(_WORD.finditer(text[:SCAN_CHARS]))
    if not words:
        return ""
    hit_flags = [bool(_stems_of(m.group()) & wanted) for m in words]
    best_start, best_score = 0, 0
    hits = [i for i, is_hit in enumerate(hit_flags) if is_hit][:MAX_WINDOWS]
    for i in hits:
        seen: set[str] = set()
        for m in words[i : i + window]:
            seen |= _stems_of(m.group()) & wanted
        if len(seen) > best_score:
            best_start, best_score = i, len(seen)
            if best_score == len(wanted):
                break
    start = max(0, best_start - LEAD_WORDS) if best_score else 0
    end = min(len(words), start + window)
    parts: list[str] = ["… "] if start > 0 else []
    cursor = words[start].start() if start > 0 else 0
    for i in range(start, end):
        m = words[i]
        parts.append(_escape(text[cursor : m.start()]))
        if hit_flags[i]:
            parts.append(f"<mark>{html.escape(m.group())}</mark>")
        else:
            parts.append(html.escape(m.group()))
        cursor = m.end()
    if end < len(words) or len(text) > SCAN_CHARS:
        parts.append(" …")
    return "".join(parts).strip()
