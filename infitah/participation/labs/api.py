"""API of collective-intelligence labs."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["labs"])
staff_router = Router(tags=["labs (staff)"])
