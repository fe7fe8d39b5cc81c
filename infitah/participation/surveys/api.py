"""API of surveys."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["surveys"])
staff_router = Router(tags=["surveys (staff)"])
