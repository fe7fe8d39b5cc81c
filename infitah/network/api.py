"""The network's public API: /api/v1/network/members and /api/v1/network/events."""

from __future__ import annotations

from ninja import Router

from infitah.network.event_api import router as events_router
from infitah.network.membership_api import router as members_router

router = Router(tags=["network"])
router.add_router("", members_router)
router.add_router("", events_router)
