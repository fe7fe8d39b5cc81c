"""API of participation."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["participation"])
staff_router = Router(tags=["participation (staff)"])
