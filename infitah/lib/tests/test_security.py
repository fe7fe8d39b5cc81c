"""Content-Security-Policy and Permissions-Policy on pages, API answers and static files,
and no template left with what that policy refuses (an inline style or script)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client

from infitah.lib.security import SecurityHeadersMiddleware
from infitah.territories.models import Collectivity

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, str]:
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.mark.parametrize("path", ["/ar/", "/fr/", "/ar/register/", "/api/v1/collectivities"])
def test_pages_and_api_carry_both_policies(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no external host
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy
    assert "geolocation=(self)" in policy  # the complaint form's "use my position"


def test_a_collectivity_home_carries_both_policies(
    client: Client, collectivity_a: Collectivity
) -> None:
    response = client.get(f"/ar/c/{collectivity_a.slug}/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


def test_a_view_with_its_own_policy_keeps_it() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = SecurityHeadersMiddleware(view)(HttpRequest())
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert "Permissions-Policy" in response


INLINE = re.compile(r"""<script(?![^>]*\bsrc=)[^>]*>|\sstyle=["']|\son[a-z]+=["']""", re.I)


def test_no_served_template_needs_inline_script_or_style() -> None:
    """What the policy would refuse, found before a browser does. PDF templates are drawn
    by WeasyPrint, never served as HTML: their `<style>` is allowed."""
    root = Path(settings.BASE_DIR) / "infitah"
    found = [
        f"{path.relative_to(root)}: {match.group(0).strip()}"
        for path in root.rglob("templates/**/*.html")
        if "pdf" not in path.parts
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
