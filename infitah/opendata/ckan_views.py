"""The CKAN Action API's endpoint: /api/3/action/<name> and /api/action/<name>
(docs/ckan.md).

As CKAN's own `api.action` view does: the action's parameters are the query string
(GET), or a JSON object in the body (POST; a form, or a form whose one key is a JSON
object, as `curl -d` sends it, is read too). The answer is
`{"help": <help_show address>, "success": true, "result": …}`, or `"success": false` with
CKAN's `error` object and status (404 Not Found Error, 409 Validation Error, 400 Search
Query Error, 409 Search Error); a body that is not a JSON object, and an unknown action,
get CKAN's 400 answer, a JSON string: `"Bad request - …"`.

Every action reads: no CSRF token, no session, no account. CORS is open, as for the
OParl API: the catalogue is public. A GET's answer is kept in the page cache with the
catalogue's pages (`cached_public_page`, namespace "opendata"), which the sync makes
stale whenever a dataset changes; a POST is always answered afresh.
"""

from __future__ import annotations

import json
import reprlib
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from infitah.lib.pagecache import cached_public_page
from infitah.opendata import ckan
from infitah.opendata.ckan_errors import ActionError
from infitah.opendata.sync import PAGE_CACHE_NAMESPACE

CONTENT_TYPE = "application/json;charset=utf-8"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# The longest action name repeated in an answer.
NAME_SHOWN = 200


class BadData(Exception):
    """The request's parameters cannot be read (CKAN: "Bad request - JSON Error")."""


def _json(body: Any, status: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _bad_request(detail: str) -> HttpResponse:
    return _json(f"{_('Bad request')} - {detail}", 400)


def _mixed(data: QueryDict) -> dict[str, Any]:
    """CKAN's `mixed`: a repeated key gives a list, a single one its value."""
    return {key: values[0] if len(values) == 1 else values for key, values in data.lists()}


def _request_data(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        if request.content_type in FORM_TYPES:
            try:
                form = request.POST
            except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent) as error:
                raise BadData(str(error)) from None
            pairs = list(form.lists())
            if len(pairs) == 1 and pairs[0][1] in ([""], ["1"]):
                # A JSON object posted as a form's only key (curl -d '{"id": "…"}').
                return _decoded(pairs[0][0])
            if pairs:
                return _mixed(form)
        else:
            try:
                body = request.body
            except RequestDataTooBig as error:
                raise BadData(str(error)) from None
            if body.strip():
                return _decoded(body)
    return _mixed(request.GET)


def _decoded(text: str | bytes) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadData(f"Error decoding JSON data. Error: {error!r}") from None
    if not isinstance(data, dict):
        raise BadData(
            f"Request data JSON decoded to {reprlib.repr(data)} but it needs to be a dictionary."
        )
    return data


@csrf_exempt
@cached_public_page(PAGE_CACHE_NAMESPACE)
def action(request: HttpRequest, name: str) -> HttpResponse:
    if request.method == "OPTIONS":
        response = HttpResponse(status=200)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Authorization, X-CKAN-API-Key"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST", "OPTIONS"])
    if name not in ckan.ACTIONS:
        return _bad_request(_("Action name not known: %(name)s") % {"name": name[:NAME_SHOWN]})
    try:
        params = _request_data(request)
    except BadData as error:
        return _bad_request(_("JSON Error: %(error)s") % {"error": error})
    if ckan.unsafe_text(params):
        return _bad_request(
            _("JSON Error: %(error)s")
            % {"error": _("the text holds a NUL character or a lone surrogate.")}
        )
    params.pop("callback", None)  # CKAN's JSONP: not offered
    help_url = (
        request.build_absolute_uri(reverse("ckan:action", kwargs={"name": "help_show"}))
        + "?"
        + urlencode({"name": name})
    )
    site = ckan.Site(base=request.build_absolute_uri("/").removesuffix("/"))
    try:
        result = ckan.action_run(name, params, site)
    except ActionError as error:
        return _json({"help": help_url, "success": False, "error": error.error}, error.status)
    return _json({"help": help_url, "success": True, "result": result}, 200)
