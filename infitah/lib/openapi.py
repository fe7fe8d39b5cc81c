"""The error answers of the API, and their place in its OpenAPI document.

Every error of /api/v1/ has one shape, `ErrorOut`: `{"detail": "message"}`, or
`{"detail": [{"field", "message"}, …]}` with one entry per field in error (and, for a
few refusals, a machine-readable `code`). Routers declare the errors that their own code
gives (403, 409, 429…); `document_errors` completes each operation of the generated
document with those that the framework around it gives, so that clients (and the
contract test, tests/test_api_contract.py) know every status code an operation answers:

- 400 for any operation with a parameter or a body (a value that fails validation);
- 401 for an operation that takes a token (none, unknown, revoked or expired);
- 404 for an operation with a path parameter (nothing there, or not for this token);
- for writes (POST): 503 when the service is busy (load shedding, an overloaded
  database: nothing was recorded, see Retry-After), and the `Idempotency-Key` header
  with its 422 (the key was used for another request);

and gives every error answer the `ErrorOut` schema.
"""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus
from typing import Annotated, Any

from ninja import Schema
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import WithJsonSchema

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


class FieldErrorOut(Schema):
    # The field in error ("" for the request as a whole); nested fields joined by dots.
    field: str
    message: str
    # The kind of validation error, for a value the schema refused.
    type: str | None = None


class ErrorOut(Schema):
    detail: str | list[FieldErrorOut]
    # A stable code for some refusals (e.g. "already_answered").
    code: str | None = None


def _pair(first: dict[str, Any]) -> dict[str, Any]:
    # Not the `prefixItems` that pydantic writes for a tuple (JSON Schema 2020-12), which
    # OpenAPI tools that still read the older `items: [...]` take for an invalid schema.
    return {
        "type": "array",
        "minItems": 2,
        "maxItems": 2,
        "items": {"anyOf": [first, {"type": "integer"}]},
    }


# A (label, count) pair of a statistics table, sent as a two-item array ["label", 3].
LabelCount = Annotated[tuple[str, int], WithJsonSchema(_pair({"type": "string"}))]
# A (moment, count) pair: ["2026-03-02T10:00:00+01:00", 3].
TimeCount = Annotated[
    tuple[dt.datetime, int], WithJsonSchema(_pair({"type": "string", "format": "date-time"}))
]

# Header and answers of idempotent writes (infitah.idempotency).
IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": (
        "Any unique text of 1 to 255 printable ASCII characters (a UUID, say) that makes "
        "the write safe to retry: a request sent again with the same key and the same "
        "body gets the first answer again (same status and body, header "
        "`Idempotent-Replayed: true`) and records nothing more, for 24 hours. The same "
        "key with another body is refused (422). Keys are scoped to the operation and "
        "to the token sent, if any."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[ -~]*[!-~][ -~]*$",
    },
}

_GENERATED: dict[int, str] = {
    400: "Invalid input: one detail per field in error; nothing was recorded.",
    401: "No valid token: missing, unknown, revoked or expired.",
    404: "Not found (or not visible with this token).",
    422: "This Idempotency-Key was already used with another request.",
    503: "The service is busy; nothing was recorded. Retry after Retry-After seconds.",
}


def error_schemas() -> dict[str, Any]:
    """`ErrorOut` and the schemas it uses, as OpenAPI components."""
    schema = ErrorOut.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode="serialization"
    )
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "ErrorOut": schema}


def _error_response(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or HTTPStatus(status).phrase,
        "content": {
            "application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="ErrorOut")}}
        },
    }


def _add(responses: dict[str, Any], status: int) -> None:
    responses.setdefault(str(status), _error_response(status, _GENERATED[status]))


def document_errors(document: dict[str, Any]) -> dict[str, Any]:
    """Complete `document` (ninja's OpenAPI dict, changed in place and returned) with
    the error answers of each operation; see the module's docstring."""
    document.setdefault("components", {}).setdefault("schemas", {}).update(error_schemas())
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            # ninja's keys are ints; JSON's are strings.
            responses = {
                str(code): answer for code, answer in operation.get("responses", {}).items()
            }
            for code, answer in responses.items():
                if int(code) >= 400:
                    described = answer.get("description") or HTTPStatus(int(code)).phrase
                    responses[code] = _error_response(int(code), described)
            parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
            if method in WRITE_METHODS:
                if not any(p.get("name") == IDEMPOTENCY_HEADER["name"] for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_HEADER))
                _add(responses, 422)
                _add(responses, 503)
            if parameters or "requestBody" in operation:
                _add(responses, 400)
            if operation.get("security"):
                _add(responses, 401)
            if any(p.get("in") == "path" for p in parameters):
                _add(responses, 404)
            operation["responses"] = dict(sorted(responses.items(), key=lambda kv: int(kv[0])))
    return document
