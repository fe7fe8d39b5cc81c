"""The openness index over the API: /api/v1/openness, /api/v1/c/<slug>/openness."""

from ninja import Router

router = Router(tags=["openness"])
