"""API of petitions."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["petitions"])
staff_router = Router(tags=["petitions (staff)"])
