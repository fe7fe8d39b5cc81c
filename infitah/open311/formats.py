"""The two formats of GeoReport v2: XML (the specification's default) and JSON.

The JSON is the specification's mapping of its XML (the Spark convention): a list of
objects where the XML has a root element holding repeated children. Text is UTF-8 in
both, with the XML declaration before the root element.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

JSON = "json"
XML = "xml"
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}
# The MIME types the discovery document announces for the endpoint.
FORMAT_NAMES = ["text/xml", "application/json"]
_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# The element of each item of a list, by the list's own element name.
_ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ET.Element, name: str, value: Any) -> None:
    child = ET.SubElement(parent, name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _element(child, key, item)
    elif isinstance(value, list | tuple):
        for item in value:
            _element(child, _ITEM_NAMES.get(name, "item"), item)
    else:
        child.text = _text(value)


def xml_document(root: str, value: Mapping[str, Any] | Sequence[Any]) -> str:
    """`value` as the XML document of element `root` (a list: one child per item)."""
    element = ET.Element(root)
    if isinstance(value, Mapping):
        for key, item in value.items():
            _element(element, key, item)
    else:
        for item in value:
            _element(element, _ITEM_NAMES.get(root, "item"), item)
    return _XML_DECLARATION + ET.tostring(element, encoding="unicode")


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """The answer in `fmt`; `root` names the XML root element (JSON has none)."""
    if fmt == XML:
        response = HttpResponse(
            xml_document(root, value), content_type=CONTENT_TYPES[XML], status=status
        )
    else:
        response = JsonResponse(
            value,
            safe=False,
            status=status,
            json_dumps_params={"ensure_ascii": False},
            content_type=CONTENT_TYPES[JSON],
        )
    return response


def error_response(fmt: str, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """A GeoReport error answer: one `{code, description}` per problem."""
    errors = [{"code": status, "description": description} for description in descriptions]
    return respond(fmt, "errors", errors, status=status)
