"""Security headers on every response, and a Content-Security-Policy the app itself passes.

Dash's page has inline scripts (the renderer's start, and any inline clientside callback):
they are allowed by their SHA-256 hashes (Dash computes them: `Dash.csp_hashes`), never by
'unsafe-inline', so an injected script does not run even where a text slipped into HTML.
Styles keep 'unsafe-inline': Dash, Plotly and AG Grid set style attributes on every element
(a style cannot run code). Everything else comes from this server only; nothing may frame the
app (clickjacking); responses that can hold patient data are never stored by the browser or a
proxy (Cache-Control: no-store), only the static files are cached.
"""

from __future__ import annotations

from dash import Dash
from flask import Response, request

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


def content_security_policy(script_hashes: list[str]) -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install_headers(app: Dash, *, secure: bool) -> None:
    """Add the headers to every response of `app`. The policy is computed per response from
    the inline scripts Dash has then (Dash adds some of its own when it serves its first
    request), so it always covers exactly the page's scripts."""
    policies: dict[tuple[str, ...], str] = {}

    def policy() -> str:
        hashes = tuple(app.csp_hashes())
        if hashes not in policies:
            policies[hashes] = content_security_policy(list(hashes))
        return policies[hashes]

    @app.server.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy()
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if secure:
            headers["Strict-Transport-Security"] = "max-age=31536000"
        if not request.path.startswith(STATIC_PREFIXES) or response.status_code >= 400:
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        return response
