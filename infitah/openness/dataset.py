"""The openness index as a network-wide open-data source (to be written)."""

from __future__ import annotations

from infitah.opendata.sources import Source

SOURCES: list[Source] = []
