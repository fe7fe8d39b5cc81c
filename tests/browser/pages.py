"""Finding every page of the demo, and what a page must not show.

The crawler walks the demo with Django's test client, as a visitor and as each demo
account, following the links each one is shown. It keeps one address per route (the
first one it meets), so the browser opens each kind of page once per language, as the
first person who can reach it. A link that answers 4xx or 5xx to the person it is shown
to is itself a finding.

`raw_text_problems` reads the visible text of a page (and the texts that assistive
technologies read: alt, title, aria-label, placeholder) for what should never reach a
reader: template leftovers, code names, Python values, English left untranslated.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

# Never followed: signing out, files and machine formats, the API and its docs, Django's
# admin, and any address that is not a page of the site.
SKIPPED = re.compile(
    r"^/(static|media|api|admin|open311|r|healthz|favicon\.ico|jsi18n|register/log)(/|$)"
    r"|/logout/|/accounts/logout|\.(pdf|csv|json|jsonld|ttl|rdf|xml|txt|zip|ics|png|jpe?g|svg)$"
    r"|/(files|download|export|photo|attachment)s?/"
)

# Texts of the visible page that are code, not words.
RAW_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("template syntax", re.compile(r"\{\{|\}\}|\{%|%\}")),
    ("format placeholder", re.compile(r"%\(\w+\)[sd]|(?<![\w%])%[sd]\b")),
    ("Python value", re.compile(r"(?<![\w-])(None|True|False|nan)(?![\w-])")),
    ("object repr", re.compile(r"<\w+ object at 0x|<QuerySet|\w+ object \(\d+\)")),
    ("model reference", re.compile(r"\b[a-z]+\.[a-z_]+:\d+\b")),
    (
        "dotted code",
        re.compile(r"(?<![\w@./-])[a-z]{2,}(?:_[a-z]+)*\.[a-z]{4,}(?:_[a-z]+)*(?![\w@./-])"),
    ),
    ("snake_case code", re.compile(r"(?<![\w@./-])[a-z]+_[a-z_]+(?![\w@./-])")),
    ("field code", re.compile(r"\((slug|id|pk|code)\)")),
]
# A dotted word that is a file or a domain name, not a code.
NOT_CODE = re.compile(
    r"\.(pdf|csv|json|jsonld|xml|ttl|rdf|txt|html|odt|ods|docx?|xlsx?|png|jpe?g|svg|zip|"
    r"ma|org|com|net|gov|int|io|fr)$"
)
# English words that neither an Arabic nor a French sentence contains.
ENGLISH = re.compile(
    r"\b(the|and|with|your|this|that|from|have|has|been|will|please|of|for|is|are|not|"
    r"you|which|there|their|would|should|could|was|were|into|about|when|here|yet)\b",
    re.IGNORECASE,
)
# Elements whose text is not prose in the page's language.
NOT_PROSE = {"script", "style", "code", "pre", "kbd", "samp", "var", "template", "svg"}
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Reader(HTMLParser):
    """The page's links, and its text in the page's language, as a reader meets it."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.links: list[str] = []
        self.texts: list[str] = []
        self._stack: list[bool] = []  # per open element: is its text skipped?

    def _skipping(self) -> bool:
        return bool(self._stack) and self._stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        lang = values.get("lang")
        skip = (
            self._skipping()
            or tag in NOT_PROSE
            or "hidden" in values
            or values.get("translate") == "no"
            or (lang is not None and tag != "html" and lang.split("-")[0] != self.lang)
        )
        if not skip:
            self.texts += [str(values[name]) for name in READ_ATTRIBUTES if values.get(name)]
        if tag not in VOID:
            self._stack.append(skip)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping() and data.strip():
            self.texts.append(data)


def read(html: str, lang: str) -> _Reader:
    reader = _Reader(lang)
    reader.feed(html)
    reader.close()
    return reader


def raw_text_problems(html: str, lang: str) -> list[str]:
    """What the page shows that is code or untranslated English, one line each."""
    problems: list[str] = []
    for text in read(html, lang).texts:
        words = [w for w in text.split() if "@" not in w and "://" not in w]
        prose = " ".join(words)
        for name, pattern in RAW_PATTERNS:
            for found in pattern.finditer(prose):
                token = found.group(0)
                if name == "dotted code" and NOT_CODE.search(token):
                    continue
                problems.append(f"{name}: {token!r} in {prose[:80]!r}")
        english = {m.group(0).lower() for m in ENGLISH.finditer(prose)}
        if len(english) >= 2:
            problems.append(f"English {sorted(english)}: {prose[:80]!r}")
    return problems


def route_of(path: str) -> str | None:
    """The route a path resolves to, e.g. "c/<slug:slug>/documents/"; None if none."""
    # A language prefix resolves only in its own language (i18n_patterns).
    prefix = path.strip("/").split("/", 1)[0]
    try:
        with translation.override(prefix if prefix in dict(settings.LANGUAGES) else None):
            match = resolve(path)
    except Resolver404:
        return None
    return f"{match.route}|{match.view_name}"


@dataclass
class Found:
    """A page to check: its address (in Arabic), who opens it, how it was reached."""

    path: str
    who: str
    via: str


@dataclass
class Crawl:
    pages: dict[str, Found] = field(default_factory=dict)  # by route
    broken: list[str] = field(default_factory=list)
    fetched: int = 0


def links_of(html: str, base: str, lang: str) -> Iterator[str]:
    for href in read(html, lang).links:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        yield parts.path


def crawl(
    client: Client,
    who: str,
    starts: Iterable[str],
    into: Crawl,
    *,
    lang: str = "ar",
    limit: int = 400,
) -> None:
    """Walk the pages `client` is shown links to, breadth first from `starts`, adding to
    `into` each route not yet found. Every route is fetched at most once per person."""
    queue: deque[tuple[str, str]] = deque((start, "start") for start in starts)
    seen: set[str] = set()
    fetched = 0
    while queue and fetched < limit:
        path, via = queue.popleft()
        route = route_of(path)
        if route is None or route in seen or SKIPPED.search(path):
            continue
        if not (path.startswith(f"/{lang}/") or path == f"/{lang}/"):
            continue
        seen.add(route)
        answer = client.get(path)
        fetched += 1
        if answer.status_code in (301, 302, 303, 307, 308):
            continue  # a sign-in page or a canonical address: reached by its own link
        if answer.status_code != 200:
            into.broken.append(f"{who}: {path} answers {answer.status_code} (linked from {via})")
            continue
        if not answer.get("Content-Type", "").startswith("text/html"):
            continue
        into.pages.setdefault(route, Found(path, who, via))
        html = answer.content.decode()
        for link in links_of(html, path, lang):
            if route_of(link) not in seen:
                queue.append((link, path))
    into.fetched += fetched
