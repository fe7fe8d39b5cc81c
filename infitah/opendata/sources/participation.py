"""Open-data sources: see infitah/opendata/sources/__init__.py (to be written)."""

from __future__ import annotations

from infitah.opendata.sources import Source

SOURCES: list[Source] = []
