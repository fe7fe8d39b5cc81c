"""infitah/lib/openapi.py: every error answer of an operation is in its document."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from infitah.lib.openapi import ErrorOut, LabelCount, document_errors

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def _document() -> dict[str, Any]:
    return {
        "paths": {
            "/things": {"get": {"operationId": "list", "parameters": [], "responses": {200: {}}}},
            "/things/{id}": {
                "post": {
                    "operationId": "act",
                    "parameters": [{"in": "path", "name": "id", "schema": {"type": "integer"}}],
                    "requestBody": {"content": {}},
                    "security": [{"StaffToken": []}],
                    "responses": {
                        200: {"description": "OK"},
                        409: {"description": "Conflict", "content": {"application/json": {}}},
                    },
                }
            },
        }
    }


def test_an_operation_without_input_keeps_its_answers() -> None:
    operation = document_errors(_document())["paths"]["/things"]["get"]
    assert list(operation["responses"]) == ["200"]
    assert operation["parameters"] == []


def test_a_write_gets_every_answer_of_the_framework_around_it() -> None:
    document = document_errors(_document())
    operation = document["paths"]["/things/{id}"]["post"]
    assert list(operation["responses"]) == ["200", "400", "401", "404", "409", "422", "503"]
    for code in ("400", "401", "404", "409", "422", "503"):
        answer = operation["responses"][code]
        assert answer["content"]["application/json"]["schema"] == ERROR_REF
        assert answer["description"]
    assert operation["responses"]["409"]["description"] == "Conflict"  # kept
    header = [p for p in operation["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in header] == ["Idempotency-Key"]
    assert {"ErrorOut", "FieldErrorOut"} <= set(document["components"]["schemas"])


def test_completing_twice_changes_nothing() -> None:
    once = document_errors(_document())
    assert document_errors(once) == document_errors(_document())


def test_error_bodies_fit_the_error_schema() -> None:
    adapter = TypeAdapter(ErrorOut)
    adapter.validate_python({"detail": "Unauthorized"})
    adapter.validate_python({"detail": [{"field": "email", "message": "Invalid."}]})
    adapter.validate_python({"code": "closed", "detail": [{"field": "", "message": "Closed."}]})


def test_a_pair_is_an_array_of_two_without_prefix_items() -> None:
    schema = TypeAdapter(LabelCount).json_schema()
    assert "prefixItems" not in str(schema)
    assert schema["minItems"] == schema["maxItems"] == 2
    assert TypeAdapter(LabelCount).dump_python(("roads", 3), mode="json") == ["roads", 3]
