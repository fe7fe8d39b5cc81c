"""The network's public API: /api/v1/network/members and /api/v1/network/events."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["network"])
