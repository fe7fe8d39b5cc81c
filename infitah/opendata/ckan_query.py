"""The subset of Solr's query syntax that `package_search` reads in `q` and `fq`
(docs/ckan.md): `field:value`, quoted values, `[A TO B]` ranges with `*` and `NOW` date
math, `+`/`-`/`NOT`, `AND`/`OR`, parentheses."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from infitah.opendata.ckan_errors import SearchError

QUERY_MAX_CHARS = 2000
QUERY_MAX_TERMS = 64
QUERY_MAX_DEPTH = 8
TEXT_MAX_TOKENS = 16


@dataclass(frozen=True)
class Range:
    low: str  # "*": open
    high: str
    low_inclusive: bool
    high_inclusive: bool


@dataclass(frozen=True)
class Term:
    field: str | None  # None: the default field (the text)
    value: str | Range
    phrase: bool = False


@dataclass(frozen=True)
class Group:
    any: bool  # True: OR, False: AND
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | Group | Not

_FIELD = re.compile(r"(\*|[A-Za-z_][A-Za-z0-9_.]*):(?=\S)")
_SPACE = frozenset(" \t\r\n\f\v\u00a0")


class _Parser:
    """A recursive-descent reader of the Lucene syntax CKAN's clients send."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.terms = 0

    def parse(self) -> Node:
        node = self._expression(None, 0)
        if self.pos < len(self.text):
            raise SearchError(f"Cannot parse '{self.text}': unexpected ')'")
        return node

    def _fail(self, what: str) -> SearchError:
        return SearchError(f"Cannot parse '{self.text}': {what}")

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def _operator(self) -> str | None:
        """AND, OR or NOT (followed by a space or a parenthesis), &&, || or !."""
        rest = self.text[self.pos : self.pos + 4]
        for word in ("AND", "OR", "NOT"):
            if rest.startswith(word) and (len(rest) == len(word) or rest[len(word)] in "( \t\r\n"):
                self.pos += len(word)
                return word
        for symbol, word in (("&&", "AND"), ("||", "OR")):
            if rest.startswith(symbol):
                self.pos += 2
                return word
        if rest.startswith("!"):
            self.pos += 1
            return "NOT"
        return None

    def _expression(self, field: str | None, depth: int) -> Node:
        if depth > QUERY_MAX_DEPTH:
            raise self._fail("too deeply nested")
        groups: list[list[Node]] = []
        joined = False
        while True:
            self._skip_space()
            if self.pos >= len(self.text) or self.text[self.pos] == ")":
                break
            operator = self._operator()
            if operator == "AND":
                continue
            if operator == "OR":
                joined = bool(groups)
                continue
            if operator == "NOT":
                self._skip_space()
                if self.pos >= len(self.text) or self.text[self.pos] == ")":
                    raise self._fail("NOT needs a term")
            node = self._clause(field, depth)
            if operator == "NOT":
                node = Not(node)
            if joined:
                groups[-1].append(node)
            else:
                groups.append([node])
            joined = False
        items = tuple(g[0] if len(g) == 1 else Group(True, tuple(g)) for g in groups)
        return items[0] if len(items) == 1 else Group(False, items)

    def _clause(self, field: str | None, depth: int) -> Node:
        self.terms += 1
        if self.terms > QUERY_MAX_TERMS:
            raise self._fail("too many terms")
        negate = False
        if self.text[self.pos] in "+-":
            negate = self.text[self.pos] == "-"
            self.pos += 1
        node: Node
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            node = self._parenthesised(field, depth)
        else:
            named = _FIELD.match(self.text, self.pos) if field is None else None
            if named is not None:
                field = named.group(1)
                self.pos = named.end()
            if named is not None and self.text[self.pos] == "(":
                node = self._parenthesised(field, depth)
            else:
                node = self._term(field)
        return Not(node) if negate else node

    def _parenthesised(self, field: str | None, depth: int) -> Node:
        self.pos += 1
        node = self._expression(field, depth + 1)
        if self.pos >= len(self.text):
            raise self._fail("missing ')'")
        self.pos += 1
        return node

    def _term(self, field: str | None) -> Term:
        if self.pos >= len(self.text):
            raise self._fail("a value is missing")
        first = self.text[self.pos]
        if first == '"':
            self.pos += 1
            return Term(field, self._until('"', closing=True), phrase=True)
        if first in "[{":
            self.pos += 1
            low = self._bound()
            self._skip_space()
            if not self.text.startswith("TO", self.pos):
                raise self._fail("a range needs TO")
            self.pos += 2
            high = self._bound()
            self._skip_space()
            if self.pos >= len(self.text) or self.text[self.pos] not in "]}":
                raise self._fail("a range must end with ] or }")
            closing = self.text[self.pos]
            self.pos += 1
            return Term(field, Range(low, high, first == "[", closing == "]"))
        value = self._until(" \t\r\n\f\v\u00a0)", closing=False)
        if not value:
            raise self._fail("a value is missing")
        return Term(field, value)

    def _bound(self) -> str:
        self._skip_space()
        if self.pos < len(self.text) and self.text[self.pos] == '"':
            self.pos += 1
            return self._until('"', closing=True)
        bound = self._until(" \t\r\n\f\v\u00a0]}", closing=False)
        if not bound:
            raise self._fail("a range bound is missing")
        return bound

    def _until(self, stops: str, *, closing: bool) -> str:
        """Characters up to one of `stops` (backslash escapes any character); with
        `closing`, the stop must be there and is consumed."""
        out: list[str] = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                out.append(self.text[self.pos + 1])
                self.pos += 2
                continue
            if char in stops:
                if closing:
                    self.pos += 1
                return "".join(out)
            out.append(char)
            self.pos += 1
        if closing:
            raise self._fail("a quote is not closed")
        return "".join(out)


def parse_query(text: str) -> Node:
    """The syntax tree of a q or fq (SearchError when Solr would refuse it)."""
    if len(text) > QUERY_MAX_CHARS:
        raise SearchError(f"the query is longer than {QUERY_MAX_CHARS} characters")
    return _Parser(text).parse()


_DATE_MATH = re.compile(r"([+-])(\d{1,6})([A-Z]+)|/([A-Z]+)")
_UNITS = {
    "YEAR": "year",
    "YEARS": "year",
    "MONTH": "month",
    "MONTHS": "month",
    "DAY": "day",
    "DAYS": "day",
    "DATE": "day",
    "HOUR": "hour",
    "HOURS": "hour",
    "MINUTE": "minute",
    "MINUTES": "minute",
    "SECOND": "second",
    "SECONDS": "second",
}
_ROUNDING = ("year", "month", "day", "hour", "minute", "second")


def _shift(moment: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit in ("year", "month"):
        months = moment.year * 12 + moment.month - 1 + (amount * 12 if unit == "year" else amount)
        year, month = divmod(months, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)
    return moment + dt.timedelta(**{f"{unit}s": amount})


def _round(moment: dt.datetime, unit: str) -> dt.datetime:
    keep = _ROUNDING.index(unit)
    fields = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
    cleared = {name: value for name, value in fields.items() if _ROUNDING.index(name) > keep}
    return moment.replace(microsecond=0, **cleared)  # type: ignore[arg-type]


def parse_moment(text: str, now: dt.datetime) -> dt.datetime:
    """A Solr date: ISO 8601 (with or without Z; no offset means UTC; a date alone is its
    midnight) or NOW with date math (NOW-7DAYS, NOW/DAY, NOW/DAY-1MONTH)."""
    try:
        if text.upper().startswith("NOW"):
            moment = now
            rest = text[3:].upper()
            position = 0
            for match in _DATE_MATH.finditer(rest):
                unit = _UNITS.get(match.group(4) or match.group(3))
                if match.start() != position or unit is None:
                    break
                position = match.end()
                if match.group(4):
                    moment = _round(moment, unit)
                else:
                    amount = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
                    moment = _shift(moment, amount, unit)
            if position != len(rest):
                raise ValueError(text)
        else:
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        raise SearchError(f"Invalid Date String:'{text}'") from None
    if not 1 <= moment.year <= 9998:
        raise SearchError(f"Invalid Date String:'{text}'")
    return moment
