"""Membership endpoints of the network API (mounted by network/api.py)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["network"])
