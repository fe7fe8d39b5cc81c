"""API of public consultations."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["consultations"])
staff_router = Router(tags=["consultations (staff)"])
