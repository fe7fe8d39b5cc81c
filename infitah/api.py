"""The public API, /api/v1/: one NinjaAPI that mounts each app's router."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Swagger
from ninja.errors import HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from infitah.complaints.api import router as complaints_router
from infitah.complaints.api import staff_router as complaints_staff_router
from infitah.correspondence.api import router as correspondence_router
from infitah.deadlines.api import router as calendar_router
from infitah.idempotency.hooks import idempotent_writes
from infitah.information.api import router as information_router
from infitah.information.api import staff_router as information_staff_router
from infitah.ledger.api import router as register_router
from infitah.lib.openapi import document_errors
from infitah.lib.text import has_lone_surrogate
from infitah.oparl.api import router as council_router
from infitah.participation.api import router as participation_router
from infitah.participation.consultations.api import router as consultations_router
from infitah.participation.consultations.api import staff_router as consultations_staff_router
from infitah.participation.labs.api import router as labs_router
from infitah.participation.labs.api import staff_router as labs_staff_router
from infitah.participation.surveys.api import router as surveys_router
from infitah.participation.surveys.api import staff_router as surveys_staff_router
from infitah.petitions.api import router as petitions_router
from infitah.petitions.api import staff_router as petitions_staff_router
from infitah.publication.api import router as documents_router
from infitah.search.api import router as search_router
from infitah.territories.api import router as collectivities_router


class JsonParser(Parser):
    """JSON bodies, as django-ninja reads them; a string holding a lone surrogate
    ("\\ud800"), which could never be stored, is refused as malformed (400 "Cannot parse
    request body") rather than failing later as a server error."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if has_lone_surrogate(data):
            raise ValueError("lone surrogate")
        return data


class InfitahAPI(NinjaAPI):
    """The OpenAPI document lists every answer of each operation, errors included
    (infitah/lib/openapi.py)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema


api = InfitahAPI(
    parser=JsonParser(),
    title="Infitah API",
    version="1",
    description="Open-government data of Morocco's territorial collectivities.",
    urls_namespace="api",
    # Swagger UI from django-ninja's own static files ("ninja" is an installed app), its
    # settings in a JSON block read by a static script: no CDN, no inline script. No
    # validator badge (it would call validator.swagger.io).
    docs=Swagger(settings={"validatorUrl": None}),
)
# Every write accepts an Idempotency-Key (infitah/idempotency).
api.add_decorator(idempotent_writes, mode="view")


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Malformed input is a 400 with one message per field, never a server error."""
    details = []
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in {"query", "body", "path"}]
        details.append(
            {"field": ".".join(loc), "message": _("This value is invalid."), "type": error["type"]}
        )
    return api.create_response(request, {"detail": details}, status=400)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own message for a body it cannot read, translated; the routers'
    messages are translated already."""
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON (UTF-8, one object).")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


api.add_router("/collectivities", collectivities_router)
api.add_router("/calendar", calendar_router)
api.add_router("/register", register_router)
api.add_router("/search", search_router)
api.add_router("", documents_router)  # /c/<slug>/documents, /documents/<id>
api.add_router(
    "", information_router
)  # /c/<slug>/information-requests, /information-requests/<ref>
api.add_router("/staff", information_staff_router)  # token authentication
api.add_router("", complaints_router)  # /c/<slug>/complaints[/stats], /complaints/<ref>
api.add_router("/staff", complaints_staff_router)  # /staff/complaints/<ref>[/<action>] (token)
api.add_router("/staff", correspondence_router)  # /staff/<slug>/register/entries (token)
api.add_router("", petitions_router)  # /c/<slug>/petitions, /petitions/<id>, /signatures/confirm
api.add_router("/staff", petitions_staff_router)  # token authentication
api.add_router("", participation_router)  # /participants/…
api.add_router("", consultations_router)  # /c/<slug>/consultations, /consultations/<id>
api.add_router("/staff", consultations_staff_router)
api.add_router("", surveys_router)  # /c/<slug>/surveys, /surveys/<id>
api.add_router("/staff", surveys_staff_router)
api.add_router("", labs_router)  # /c/<slug>/labs, /labs/<id>/votes, /labs/<id>/report
api.add_router("/staff", labs_staff_router)
api.add_router("", council_router)  # /c/<slug>/council/…, /c/<slug>/advisory/… (OParl app)
api.add_router("", "infitah.openplan.api.router")  # /c/<slug>/programmes, /programmes/(schema|<id>)
api.add_router("", "infitah.finance.ocds_api.router")  # /c/<slug>/ocds/(releases|records|bulk…)
api.add_router("", "infitah.finance.budget_api.router")  # /c/<slug>/budgets[/<year>/…]
api.add_router("", "infitah.openness.api.router")  # /openness, /c/<slug>/openness
api.add_router("/network", "infitah.network.api.router")  # /network/members, /network/events
