"""Collective-intelligence labs: models."""

from __future__ import annotations
