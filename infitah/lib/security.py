"""Content-Security-Policy and Permissions-Policy on every response (docs/operations.md).

Pages load only what the site itself serves: one stylesheet, a few deferred scripts, no
inline script or style (an injected `<script>` or `style=` attribute does nothing), no
frame, no plug-in, forms that post only to the site. Permissions-Policy turns off the
browser features the site never uses; geolocation stays for the site itself (the
complaint form's "use my position" button).

Both headers are set on every response, in every environment, so that the browser tests
meet the same policy as production. A view that needs another policy (the API's
documentation page) sets its own header; it is then left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

PERMISSIONS_POLICY = ", ".join(
    [
        "accelerometer=()",
        "autoplay=()",
        "camera=()",
        "display-capture=()",
        "geolocation=(self)",
        "gyroscope=()",
        "magnetometer=()",
        "microphone=()",
        "midi=()",
        "payment=()",
        "usb=()",
    ]
)


class SecurityHeadersMiddleware:
    """Add Content-Security-Policy and Permissions-Policy unless the view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.headers = {
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Permissions-Policy": PERMISSIONS_POLICY,
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        for name, value in self.headers.items():
            if name not in response:
                response[name] = value
        return response
